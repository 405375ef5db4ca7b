// Node-only: a graph's every tensor from onnxruntime-node, running this project's ONNX export of
// it with each intermediate tensor declared an output (a precision-study backend).
import { exportOnnx } from '../export/onnx.js';
import type { Graph } from '../graph/types.js';
import type { LayerTensor, NetworkInput } from '../eval/precision/layers.js';

export async function onnxruntimeValues(graph: Graph, inputs: Readonly<Record<string, NetworkInput>>, tensors: readonly LayerTensor[]): Promise<Map<string, ArrayLike<number>>> {
  const ort = await import('onnxruntime-node');
  const bytes = exportOnnx(graph, { outputs: tensors.map((t) => t.tensor), inputShapes: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.shape])) });
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)]));
    const out = await session.run(feeds);
    return new Map(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}
