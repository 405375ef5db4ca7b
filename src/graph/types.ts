// A network as a graph of ops over named tensors (NCHW float32). Weights are named constant tensors.

export interface GraphNode {
  name: string;
  /** Op type as in the registry (ONNX names: Conv, PRelu, MaxPool, ...). */
  op: string;
  /** Tensor names; '' marks an absent optional input. */
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, unknown>;
}

export interface GraphInput {
  name: string;
  /** Concrete dims, or names for dims given when the graph is compiled (e.g. 'batch', 'height'). */
  shape: Array<number | string>;
}

export interface Weight {
  shape: number[];
  data: Float32Array;
}

export interface Graph {
  name: string;
  inputs: GraphInput[];
  outputs: string[];
  nodes: GraphNode[];
  weights: Record<string, Weight>;
}

export class GraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphError';
  }
}

export function nodeLabel(node: GraphNode): string {
  return `node '${node.name}' (${node.op})`;
}
