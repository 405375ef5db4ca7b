// A layer-by-layer precision study: the same networks on the same inputs through one backend, every
// tensor compared with the float64 CPU reference (layers.ts), and whether two runs of the backend are
// bit-identical. The networks and inputs of each model come from networks.ts; backends supply their
// tensors through a ValuesRunner. Browser-safe.
import type { Graph } from '../../graph/types.js';
import { compareNetwork, layerTensors, referenceValues, type LayerTensor, type NetworkInput, type NetworkLayers } from './layers.js';
import type { LayerTolerance } from './compare.js';

export interface StudyNetwork {
  /** e.g. 'pnet', 'rnet', 'onet', 'ppocr-det'. */
  name: string;
  graph: Graph;
  inputs: Record<string, NetworkInput>;
}

export interface StudyImage {
  file: string;
  networks: StudyNetwork[];
  notes?: string;
}

export type ValuesRunner = (net: StudyNetwork, tensors: readonly LayerTensor[]) => Promise<Map<string, ArrayLike<number>>>;

export interface NetworkStudy extends NetworkLayers {
  file: string;
  /** Two runs gave bit-identical tensors (checked when the backend was run twice). */
  deterministic?: boolean;
  /** First tensor that differed between the two runs. */
  firstNondeterministic?: string;
}

export interface BackendStudy {
  backend: string;
  /** The adapter (GPU backends), the library (onnxruntime), or 'CPU'. */
  device: string;
  networks: NetworkStudy[];
  error?: string;
}

function identical(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const fa = Float32Array.from(a);
  const fb = Float32Array.from(b);
  const ua = new Uint32Array(fa.buffer);
  const ub = new Uint32Array(fb.buffer);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

// The CPU references of a network's inputs (float64, and float32 arithmetic), computed once per
// process however many backends and stages use them.
const references = { f64: new WeakMap<StudyNetwork, Map<string, ArrayLike<number>>>(), f32: new WeakMap<StudyNetwork, Map<string, ArrayLike<number>>>() };

export function referenceOf(net: StudyNetwork, precision: 'f32' | 'f64' = 'f64'): Map<string, ArrayLike<number>> {
  let values = references[precision].get(net);
  if (!values) references[precision].set(net, (values = referenceValues(net.graph, net.inputs, precision)));
  return values;
}

const reference = (net: StudyNetwork) => referenceOf(net, 'f64');

/** Runs every network of every image through the backend (twice when `twice`) and compares. */
export async function studyBackend(backend: string, device: string, images: readonly StudyImage[], run: ValuesRunner, tolerance: LayerTolerance, twice: boolean): Promise<BackendStudy> {
  const networks: NetworkStudy[] = [];
  for (const image of images) {
    for (const net of image.networks) {
      const tensors = layerTensors(net.graph, net.inputs);
      const values = await run(net, tensors);
      const result: NetworkStudy = { file: image.file, ...compareNetwork(net.name, backend, tensors, values, reference(net), tolerance) };
      if (twice) {
        const again = await run(net, tensors);
        const differs = tensors.find((t) => !identical(values.get(t.tensor)!, again.get(t.tensor)!));
        result.deterministic = !differs;
        if (differs) result.firstNondeterministic = differs.tensor;
      }
      networks.push(result);
    }
  }
  return { backend, device, networks };
}
