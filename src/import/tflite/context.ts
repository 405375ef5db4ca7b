// What the TFLite op converters share while one subgraph is converted: the tensors, who produces
// and consumes each, constants (DEQUANTIZE of float16 constants folded to float32), the graph being
// built, and errors that name the operator and the file.
import type { GraphNode, Weight } from '../../graph/types.js';
import type { TfliteModel, TfliteOperator, TfliteSubgraph } from './reader.js';

export class TfliteImportError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'TfliteImportError';
  }
}

/** Where a TFLite tensor lives in the converted graph, so the two can be compared tensor by tensor. */
export interface TensorCorrespondence {
  tflite: string;
  ours: string;
  /** 'nhwc': 4-D TFLite tensor mapped to NCHW (with the spatial option applied); 'same': identical. */
  layout: 'nhwc' | 'same';
}

export class ImportContext {
  readonly sg: TfliteSubgraph;
  readonly nodes: GraphNode[] = [];
  readonly weights: Record<string, Weight> = {};
  readonly correspondences: TensorCorrespondence[] = [];
  readonly notes: string[] = [];
  /** Ops absorbed by an idiom or folded (skipped when reached). */
  readonly consumed = new Set<TfliteOperator>();
  readonly producer = new Map<number, TfliteOperator>();
  readonly consumers = new Map<number, TfliteOperator[]>();
  private readonly dequantized = new Map<number, Float32Array | Int32Array>();

  constructor(
    readonly model: TfliteModel,
    /** TFLite [n, w, h, c] images (x and y swapped) re-expressed as [n, c, h, w]. */
    readonly transposed: boolean,
  ) {
    this.sg = model.subgraphs[0]!;
    for (const op of this.sg.operators) {
      op.outputs.forEach((t) => this.producer.set(t, op));
      op.inputs.forEach((t) => t >= 0 && this.consumers.set(t, [...(this.consumers.get(t) ?? []), op]));
      // DEQUANTIZE of a constant (float16 weights) is folded: its output is that constant in float32.
      const source = op.op === 'DEQUANTIZE' ? this.sg.tensors[op.inputs[0]!]!.data : undefined;
      if (source) {
        this.dequantized.set(op.outputs[0]!, source);
        this.consumed.add(op);
      }
    }
  }

  get file(): string {
    return this.model.file;
  }

  name(t: number): string {
    return this.sg.tensors[t]!.name;
  }

  shape(t: number): number[] {
    return this.sg.tensors[t]!.shape;
  }

  rank(t: number): number {
    return this.shape(t).length;
  }

  constant(t: number): Float32Array | Int32Array | undefined {
    return this.sg.tensors[t]!.data ?? this.dequantized.get(t);
  }

  floatConstant(op: TfliteOperator, t: number, what: string): Float32Array {
    const data = this.constant(t);
    if (!(data instanceof Float32Array)) return this.fail(op, `${what} '${this.name(t)}' must be a FLOAT32 constant`);
    return data;
  }

  /** Tensor t is read by `by` alone (and is no graph output). */
  soleUse(t: number, by: TfliteOperator): boolean {
    const users = this.consumers.get(t) ?? [];
    return users.length === 1 && users[0] === by && !this.sg.outputs.includes(t);
  }

  fail(op: TfliteOperator | undefined, detail: string): never {
    throw new TfliteImportError(this.file, op ? `operator ${op.index} (${op.op}, output '${this.name(op.outputs[0]!)}'): ${detail}` : detail);
  }

  /** Spatial sizes in our [H, W] order from a TFLite [A, B] pair. */
  hw<T>(a: T, b: T): [T, T] {
    return this.transposed ? [b, a] : [a, b];
  }

  /** NCHW -> TFLite's element order of a 4-D tensor, and back. */
  get toTfliteOrder(): number[] {
    return this.transposed ? [0, 3, 2, 1] : [0, 2, 3, 1];
  }

  get fromTfliteOrder(): number[] {
    return this.transposed ? [0, 3, 2, 1] : [0, 3, 1, 2];
  }

  addWeight(key: string, shape: number[], data: Float32Array): string {
    this.weights[key] = { shape, data };
    return key;
  }

  /** Adds an intermediate node (not the op's output). */
  node(node: GraphNode): string {
    this.nodes.push(node);
    return node.outputs[0]!;
  }

  /** Adds the node producing op's output tensor (same name as in the TFLite file). */
  output(op: TfliteOperator, node: Omit<GraphNode, 'outputs' | 'name'>): void {
    const out = op.outputs[0]!;
    this.nodes.push({ name: this.name(out), outputs: [this.name(out)], ...node });
    this.correspondences.push({ tflite: this.name(out), ours: this.name(out), layout: this.rank(out) === 4 ? 'nhwc' : 'same' });
  }
}
