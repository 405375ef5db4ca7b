// Arithmetic of a graph at given input shapes: multiply-adds of the convolutions and matrix
// products counted as 2 FLOPs each (the usual convention), elementwise work as 1 per output.
import { sizeOf } from '../ops/tensor-utils.js';
import { analyzeGraph } from './analyze.js';
import type { Graph } from './types.js';

export interface FlopCount {
  total: number;
  /** By node (for breakdowns): name -> FLOPs. */
  byNode: Map<string, number>;
}

export function countFlops(graph: Graph, inputShapes: Readonly<Record<string, readonly number[]>>): FlopCount {
  const analysis = analyzeGraph(graph, inputShapes);
  const byNode = new Map<string, number>();
  let total = 0;
  for (const step of analysis.steps) {
    const out = step.outputShapes[0]!;
    const w = step.inputShapes[1];
    let flops: number;
    switch (step.node.op) {
      case 'Conv':
        // out [N, M, OH, OW]; w [M, C/group, KH, KW]
        flops = 2 * sizeOf(out) * sizeOf(w!.slice(1));
        break;
      case 'ConvTranspose': {
        // in [N, C, H, W]; w [C, M/group, KH, KW]: every input value meets M/group * KH * KW weights.
        flops = 2 * sizeOf(step.inputShapes[0]!) * sizeOf(w!.slice(1));
        break;
      }
      case 'Gemm': {
        const k = step.inputShapes[0]![step.node.attrs?.transA ? 0 : 1]!;
        flops = 2 * sizeOf(out) * k;
        break;
      }
      default:
        flops = sizeOf(out);
    }
    byNode.set(step.node.name, flops);
    total += flops;
  }
  return { total, byNode };
}
