// Runs a graph on the CPU with the ops' reference implementations: float64 (the exact reference)
// or float32 (every op result rounded to float32, as a CPU float32 backend would).
import type { Precision, Tensor } from '../ops/types.js';
import { analyzeGraph } from './analyze.js';
import { halfStorageTensors, roundToHalf, storageOwners, type Storage } from './half-storage.js';
import type { Graph } from './types.js';

export interface ReferenceInput {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/**
 * Every tensor of the graph (inputs, weights, intermediates, outputs) by name. With storage 'f16',
 * the tensors a GPU run would store in f16 are rounded to f16 as they are produced.
 */
export function runReference(graph: Graph, inputs: Readonly<Record<string, ReferenceInput>>, precision: Precision = 'f64', storage: Storage = 'f32'): Map<string, Tensor> {
  const analysis = analyzeGraph(graph, Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.shape])));
  const half = storage === 'f16' ? halfStorageTensors(analysis, storageOwners(analysis), graph.outputs) : new Set<string>();
  const values = new Map<string, Tensor>();
  for (const input of graph.inputs) {
    const given = inputs[input.name];
    if (!given) throw new Error(`runReference: input '${input.name}' not given`);
    values.set(input.name, { shape: [...given.shape], data: Float64Array.from(given.data) });
  }
  for (const [name, w] of Object.entries(graph.weights)) values.set(name, { shape: w.shape, data: Float64Array.from(w.data) });
  for (const step of analysis.steps) {
    const args = step.node.inputs.map((t) => (t === '' ? undefined : values.get(t)!));
    const outs = step.op.reference(args, step.attrs, precision);
    step.node.outputs.forEach((t, i) => values.set(t, half.has(t) && !step.op.aliasesInput ? { ...outs[i]!, data: outs[i]!.data.map(roundToHalf) } : outs[i]!));
  }
  return values;
}
