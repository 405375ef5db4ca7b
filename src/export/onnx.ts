// Exports a webgpu-detect Graph as an ONNX model (opset 14), the inverse of src/import/onnx: fused
// activations and post-activation scale/shift become their own nodes again, attributes our ops
// keep (Clip bounds, Resize scales/sizes, Reshape shape, Squeeze/Unsqueeze axes) become constant
// inputs, weights become initializers. Browser-safe; encoded with onnx-proto (protobufjs).
import onnxProto from 'onnx-proto';
import { analyzeGraph } from '../graph/analyze.js';
import { GraphError, type Graph, type GraphNode, type Weight } from '../graph/types.js';
import { parseFusedActivation, type Activation } from '../ops/activation.js';

const { onnx } = onnxProto;
const FLOAT = 1;
const INT64 = 7;
export const EXPORT_OPSET = 14;

type Attr = onnxProto.onnx.IAttributeProto;

function attr(name: string, value: unknown): Attr | undefined {
  const T = onnx.AttributeProto.AttributeType;
  if (value === undefined) return undefined;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return Number.isInteger(value) && !['alpha', 'beta', 'epsilon'].includes(name) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
  if (typeof value === 'boolean') return { name, type: T.INT, i: value ? 1 : 0 };
  if (Array.isArray(value) && value.every((v) => Number.isInteger(v))) return { name, type: T.INTS, ints: value as number[] };
  if (Array.isArray(value)) return { name, type: T.FLOATS, floats: value as number[] };
  throw new GraphError(`ONNX export: attribute '${name}' = ${JSON.stringify(value)} has no ONNX encoding`);
}

function floatTensor(name: string, shape: readonly number[], data: Float32Array): onnxProto.onnx.ITensorProto {
  return { name, dims: [...shape], dataType: FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

function int64Tensor(name: string, values: readonly number[]): onnxProto.onnx.ITensorProto {
  return { name, dims: [values.length], dataType: INT64, int64Data: [...values] };
}

export interface OnnxExportOptions {
  producer?: string;
  /** Graph outputs (default: the graph's); e.g. every tensor, for a layer-by-layer comparison. */
  outputs?: readonly string[];
  /**
   * Input sizes, for graphs whose inputs are symbolic: with them (or with concrete inputs) a
   * standalone PRelu's per-channel slope [C] is written [C, 1, 1] on 4-D tensors, which ONNX's
   * numpy broadcasting needs (our PRelu reads [C] along axis 1 at any rank).
   */
  inputShapes?: Readonly<Record<string, readonly number[]>>;
}

function tensorShapes(graph: Graph, inputShapes?: Readonly<Record<string, readonly number[]>>): ReadonlyMap<string, readonly number[]> | undefined {
  const shapes = inputShapes ?? (graph.inputs.every((i) => i.shape.every((d) => typeof d === 'number')) ? Object.fromEntries(graph.inputs.map((i) => [i.name, i.shape as number[]])) : undefined);
  if (!shapes) return undefined;
  try {
    return analyzeGraph(graph, Object.fromEntries(Object.entries(shapes).map(([k, v]) => [k, [...v]]))).shapes;
  } catch {
    return undefined;
  }
}

/** The ONNX graph being written: its nodes, and its initializers (the graph's weights, then constants). */
class OnnxWriter {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[];
  private fresh = 0;

  constructor(
    readonly graph: Graph,
    /** Every tensor's shape, when the input sizes are known (tensorShapes). */
    readonly shapes: ReadonlyMap<string, readonly number[]> | undefined,
  ) {
    this.initializers = Object.entries(graph.weights).map(([name, w]: [string, Weight]) => floatTensor(name, w.shape, w.data));
  }

  /** A new initializer named after `base`; returns its name. */
  constant(base: string, tensor: (name: string) => onnxProto.onnx.ITensorProto): string {
    const name = `${base}/const${this.fresh++}`;
    this.initializers.push(tensor(name));
    return name;
  }

  /** A float scalar initializer. */
  scalar(base: string, value: number): string {
    return this.constant(base, (n) => floatTensor(n, [], Float32Array.of(value)));
  }

  emit(op: string, name: string, inputs: string[], outputs: string[], attrs: Record<string, unknown> = {}): void {
    this.nodes.push({ opType: op, name, input: inputs, output: outputs, attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)).filter((a): a is Attr => a !== undefined) });
  }

  /** The nodes of a fused activation (+ scale/shift) from `input` to `output`, in order. */
  activation(node: GraphNode, act: Activation, input: string, output: string, slope?: string, channelsAxisShape?: number[]): void {
    const steps = this.activationSteps(node, act, slope, channelsAxisShape);
    let from = input;
    steps.forEach((step, i) => {
      const to = i === steps.length - 1 ? output : `${node.name}/step${i}`;
      step(from, to);
      from = to;
    });
  }

  /** One writer per node the activation becomes; each creates its constants when called. */
  private activationSteps(node: GraphNode, act: Activation, slope?: string, channelsAxisShape?: number[]): Array<(from: string, to: string) => void> {
    const steps: Array<(from: string, to: string) => void> = [];
    if (act.type === 'PRelu') {
      const s = channelsAxisShape ? this.slopeAlongChannels(node, slope!, channelsAxisShape) : slope!;
      steps.push((from, to) => this.emit('PRelu', `${node.name}/prelu`, [from, s], [to]));
    } else if (act.type === 'Clip') {
      steps.push((from, to) => this.emit('Clip', `${node.name}/clip`, [from, this.scalar(node.name, act.alpha), this.scalar(node.name, act.beta)], [to]));
    } else if (act.type === 'LeakyRelu') {
      steps.push((from, to) => this.emit('LeakyRelu', `${node.name}/act`, [from], [to], { alpha: act.alpha }));
    } else if (act.type === 'HardSigmoid') {
      steps.push((from, to) => this.emit('HardSigmoid', `${node.name}/act`, [from], [to], { alpha: act.alpha, beta: act.beta }));
    } else if (act.type !== 'None') {
      steps.push((from, to) => this.emit(act.type, `${node.name}/act`, [from], [to]));
    }
    if (act.scale !== 1) steps.push((from, to) => this.emit('Mul', `${node.name}/scale`, [from, this.scalar(node.name, act.scale)], [to]));
    if (act.shift !== 0) steps.push((from, to) => this.emit('Add', `${node.name}/shift`, [from, this.scalar(node.name, act.shift)], [to]));
    return steps;
  }

  /** A fused PRelu's slope [C] as a [C, 1, 1] initializer (ONNX broadcasts from the last axis). */
  private slopeAlongChannels(node: GraphNode, slope: string, shape: number[]): string {
    const w = this.graph.weights[slope];
    if (!w) throw new GraphError(`ONNX export: ${node.name}: fused PRelu slope '${slope}' must be a weight`);
    return this.constant(node.name, (n) => floatTensor(n, shape, w.data));
  }
}

/** Writes one of our nodes as ONNX nodes; `a` is a copy of its attributes. */
type NodeWriter = (w: OnnxWriter, node: GraphNode, a: Record<string, unknown>) => void;

/** Conv, ConvTranspose, Gemm: the op itself, then its fused activation as separate nodes. */
const writeWithActivation: NodeWriter = (w, node, a) => {
  const out = node.outputs[0]!;
  const act = parseFusedActivation(a.activation);
  delete a.activation;
  const core = node.inputs.slice(0, 3).filter((t, i) => i < 2 || t !== '');
  const raw = act.type === 'None' && act.scale === 1 && act.shift === 0 ? out : `${node.name}/raw`;
  w.emit(node.op, node.name, core, [raw], a);
  if (raw === out) return;
  const channels = node.op === 'Gemm' ? undefined : [w.graph.weights[node.inputs[1]!]?.shape[node.op === 'Conv' ? 0 : 1]! * (node.op === 'ConvTranspose' ? Number(a.group ?? 1) : 1), 1, 1];
  w.activation(node, act, raw, out, node.inputs[3], channels);
};

/** Clip: its bounds are attributes here, optional inputs in ONNX. */
const writeClip: NodeWriter = (w, node, a) => {
  const bound = (v: unknown) => (v === undefined ? '' : w.scalar(node.name, Number(v)));
  w.emit('Clip', node.name, [node.inputs[0]!, bound(a.min), bound(a.max)], [node.outputs[0]!]);
};

/** Resize: roi, scales and sizes as inputs. */
const writeResize: NodeWriter = (w, node, a) => {
  const { scales, sizes, ...rest } = a as { scales?: number[]; sizes?: number[] };
  const roi = w.constant(node.name, (n) => floatTensor(n, [0], new Float32Array(0)));
  const inputs = [node.inputs[0]!, roi, scales ? w.constant(node.name, (n) => floatTensor(n, [scales.length], Float32Array.from(scales))) : ''];
  if (sizes) inputs.push(w.constant(node.name, (n) => int64Tensor(n, sizes)));
  w.emit('Resize', node.name, inputs, [node.outputs[0]!], rest);
};

const writeReshape: NodeWriter = (w, node, a) => {
  const { shape, ...rest } = a as { shape: number[] };
  w.emit('Reshape', node.name, [node.inputs[0]!, w.constant(node.name, (n) => int64Tensor(n, shape))], [node.outputs[0]!], rest);
};

/** Squeeze, Unsqueeze: axes as an input (opset 13+). */
const writeAxes: NodeWriter = (w, node, a) => {
  const { axes } = a as { axes?: number[] };
  w.emit(node.op, node.name, axes ? [node.inputs[0]!, w.constant(node.name, (n) => int64Tensor(n, axes))] : [node.inputs[0]!], [node.outputs[0]!]);
};

// Our default axis is 1 (channels); ONNX opset 13+ defaults to -1: always write it.
const writeSoftmax: NodeWriter = (w, node, a) => w.emit('Softmax', node.name, node.inputs, node.outputs, { axis: a.axis ?? 1 });

/** A per-channel slope [C] on a rank-r input becomes [C, 1, ...] (r - 2 ones) for ONNX's broadcasting. */
const writePrelu: NodeWriter = (w, node, a) => {
  const slope = w.graph.weights[node.inputs[1]!];
  const rank = w.shapes?.get(node.inputs[0]!)?.length ?? 0;
  const perChannel = slope && slope.data.length > 1 && slope.shape.filter((d) => d > 1).length === 1 && rank > 2;
  const s = perChannel ? w.constant(node.name, (n) => floatTensor(n, [slope.data.length, ...Array<number>(rank - 2).fill(1)], slope.data)) : node.inputs[1]!;
  w.emit('PRelu', node.name, [node.inputs[0]!, s], node.outputs, a);
};

const writeAsIs: NodeWriter = (w, node, a) => w.emit(node.op, node.name, node.inputs, node.outputs, a);

/** The ops whose ONNX form differs from ours; every other op is written as it is. */
const WRITERS: Readonly<Record<string, NodeWriter>> = {
  Conv: writeWithActivation,
  ConvTranspose: writeWithActivation,
  Gemm: writeWithActivation,
  Clip: writeClip,
  Resize: writeResize,
  Reshape: writeReshape,
  Squeeze: writeAxes,
  Unsqueeze: writeAxes,
  Softmax: writeSoftmax,
  PRelu: writePrelu,
};

export function exportOnnx(graph: Graph, options: OnnxExportOptions = {}): Uint8Array {
  const w = new OnnxWriter(graph, tensorShapes(graph, options.inputShapes));
  for (const node of graph.nodes) (WRITERS[node.op] ?? writeAsIs)(w, node, { ...(node.attrs ?? {}) });
  const valueInfo = (name: string, shape?: Array<number | string>) => ({
    name,
    type: { tensorType: { elemType: FLOAT, ...(shape ? { shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: options.producer ?? 'webgpu-detect',
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    graph: {
      name: graph.name,
      node: w.nodes,
      initializer: w.initializers,
      input: graph.inputs.map((i) => valueInfo(i.name, i.shape)),
      output: (options.outputs ?? graph.outputs).map((o) => valueInfo(o)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
