// Layer-by-layer comparison of a network on one backend against the float64 CPU reference: every
// tensor a node produces, in execution order, with its statistics (compare.ts) and the first one
// that leaves the tolerance. Backends give their tensors as a name -> values map: the GPU through a
// debug-compiled graph (every intermediate kept), the CPU float32 reference, onnxruntime (every
// tensor exported as an output), a browser page. Browser-safe.
import type { GpuContext } from '../../gpu/context.js';
import { analyzeGraph } from '../../graph/analyze.js';
import type { Storage } from '../../graph/half-storage.js';
import { compileGraph } from '../../graph/compiled-graph.js';
import { runReference } from '../../graph/reference.js';
import type { Graph } from '../../graph/types.js';
import type { Precision } from '../../ops/types.js';
import { compareTensors, firstDeparture, type LayerTolerance, type TensorComparison } from './compare.js';

export interface NetworkInput {
  shape: number[];
  data: Float32Array;
}

export interface LayerTensor {
  tensor: string;
  node: string;
  op: string;
  shape: number[];
}

export interface LayerRow extends LayerTensor {
  comparison: TensorComparison;
}

export interface NetworkLayers {
  network: string;
  backend: string;
  rows: LayerRow[];
  /** The first tensor whose ||a - ref|| / ||ref|| exceeds the tolerance (or has non-finite values). */
  firstDeparture?: string;
  tolerance: LayerTolerance;
}

/** Every tensor the graph's nodes produce, in execution order. */
export function layerTensors(graph: Graph, inputs: Readonly<Record<string, NetworkInput>>): LayerTensor[] {
  const analysis = analyzeGraph(graph, Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.shape])));
  return analysis.steps.flatMap((s) => s.node.outputs.map((t) => ({ tensor: t, node: s.node.name, op: s.node.op, shape: [...analysis.shapes.get(t)!] })));
}

/** The CPU reference's tensors (float64, or float32 arithmetic with 'f32'). */
export function referenceValues(graph: Graph, inputs: Readonly<Record<string, NetworkInput>>, precision: Precision): Map<string, ArrayLike<number>> {
  const values = runReference(graph, inputs, precision);
  return new Map([...values].map(([k, v]) => [k, v.data]));
}

/** Every tensor of one GPU run (a debug-compiled graph keeps them all). */
export async function gpuValues(ctx: GpuContext, graph: Graph, inputs: Readonly<Record<string, NetworkInput>>, storage: Storage = 'f32'): Promise<Map<string, ArrayLike<number>>> {
  const plan = await compileGraph(ctx, graph, { inputShapes: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.shape])), debug: true, storage });
  const out = await plan.run(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.data])));
  return new Map(Object.entries(out).map(([k, v]) => [k, v.data]));
}

export function compareNetwork(network: string, backend: string, tensors: readonly LayerTensor[], values: ReadonlyMap<string, ArrayLike<number>>, reference: ReadonlyMap<string, ArrayLike<number>>, tolerance: LayerTolerance): NetworkLayers {
  const rows = tensors.map((t): LayerRow => {
    const a = values.get(t.tensor);
    const ref = reference.get(t.tensor);
    if (!a || !ref) throw new Error(`${network} on ${backend}: tensor '${t.tensor}' (${t.op} ${t.node}) missing from ${!a ? 'the backend' : 'the reference'}`);
    return { ...t, comparison: compareTensors(a, ref) };
  });
  const first = firstDeparture(rows.map((r) => ({ name: r.tensor, comparison: r.comparison })), tolerance);
  return { network, backend, rows, ...(first ? { firstDeparture: first } : {}), tolerance };
}
