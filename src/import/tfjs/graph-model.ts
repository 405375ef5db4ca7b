// TensorFlow.js graph models (model.json with format 'graph-model' + weight shards) -> our NCHW
// Graph. TensorFlow's NHWC activations become NCHW, filters HWIO -> OIHW, depthwise [KH, KW, C, M]
// -> [C * M, 1, KH, KW] with group C, per-channel constants [C] -> [C, 1, 1]. The graph is cut at
// the outputs asked for: only the nodes they depend on are converted. Ops outside the supported
// set fail at load, naming the node, the op and the file. Browser-safe: JSON and tensors in.
//
// TF conventions kept: 'SAME' padding puts the odd pixel at the end (bottom/right), ONNX
// SAME_UPPER; ResizeBilinear without align_corners / half_pixel_centers samples src = dst * in /
// out (ONNX 'asymmetric'); Mean over H, W with keep_dims is a global average pool.
import { analyzeGraph } from '../../graph/analyze.js';
import type { Graph, GraphNode, Weight } from '../../graph/types.js';
import type { TfjsTensor } from './weights.js';

export class TfjsGraphImportError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'TfjsGraphImportError';
  }
}

/** TensorFlow ops this importer maps. */
export const SUPPORTED_TFJS_OPS = [
  'Add', 'AddV2', 'BiasAdd', 'ConcatV2', 'Conv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative', 'Identity', 'MaxPool', 'Mean', 'Mul',
  'Placeholder', 'Relu', 'Relu6', 'ResizeBilinear', 'Sigmoid', 'Sub', '_FusedConv2D (BiasAdd with Relu, Relu6 or none)',
];

interface TfAttr {
  s?: string;
  i?: string;
  f?: number;
  b?: boolean;
  list?: { i?: string[]; s?: string[] };
  shape?: { dim?: Array<{ size: string }> };
}

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

export interface TfjsGraphImportOptions {
  name?: string;
  /** Tensors the graph returns (TF node names); default: the model signature's outputs. */
  outputs?: string[];
}

const ACTIVATIONS: Record<string, Record<string, unknown> | undefined> = {
  Relu: { type: 'Relu' },
  Relu6: { type: 'Clip', alpha: 0, beta: 6 },
};

function text(a: TfAttr | undefined): string | undefined {
  return a?.s === undefined ? undefined : atobText(a.s);
}

function atobText(b64: string): string {
  const bin = globalThis.atob(b64);
  return bin;
}

/** The node's tensor name and output index ('node:1' -> ['node', 1]). */
function splitRef(ref: string): [string, number] {
  const at = ref.lastIndexOf(':');
  if (at > 0 && /^\d+$/.test(ref.slice(at + 1))) return [ref.slice(0, at), Number(ref.slice(at + 1))];
  return [ref, 0];
}

class TfjsGraphImport {
  readonly nodes: GraphNode[] = [];
  readonly weights: Record<string, Weight> = {};
  /** TF tensor name -> our tensor name (Identity aliases). */
  private readonly names = new Map<string, string>();
  private inputName = '';
  private inputShape: number[] = [];

  constructor(
    private readonly file: string,
    private readonly byName: Map<string, TfNode>,
    private readonly constants: Map<string, TfjsTensor>,
  ) {}

  fail(node: TfNode, detail: string): never {
    throw new TfjsGraphImportError(this.file, `node '${node.name}' (${node.op}): ${detail}`);
  }

  /** Our tensor for a TF input reference of an activation. */
  tensor(node: TfNode, ref: string): string {
    const [name, index] = splitRef(ref);
    if (index !== 0) this.fail(node, `input '${ref}' is output ${index} of a multi-output op (not supported)`);
    const ours = this.names.get(name);
    if (ours === undefined) {
      if (this.constants.has(name)) this.fail(node, `input '${name}' is a constant where an activation is expected`);
      this.fail(node, `input '${name}' was not converted`);
    }
    return ours;
  }

  constant(node: TfNode, ref: string, what: string): TfjsTensor {
    const c = this.constants.get(splitRef(ref)[0]);
    if (!c) this.fail(node, `${what} '${ref}' must be a constant`);
    return c;
  }

  isConstant(ref: string): boolean {
    return this.constants.has(splitRef(ref)[0]);
  }

  weight(key: string, shape: number[], data: Float32Array): string {
    if (!(key in this.weights)) this.weights[key] = { shape, data };
    return key;
  }

  emit(node: TfNode, op: string, inputs: string[], attrs?: Record<string, unknown>): void {
    this.nodes.push({ name: node.name, op, inputs, outputs: [node.name], ...(attrs ? { attrs } : {}) });
    this.names.set(node.name, node.name);
  }

  alias(node: TfNode, ref: string): void {
    this.names.set(node.name, this.tensor(node, ref));
  }

  /** The NCHW shape of one of our tensors (the graph so far, analysed for the model's input size). */
  shapeOf(tensor: string): readonly number[] {
    const graph: Graph = { name: 'partial', inputs: [{ name: this.inputName, shape: this.inputShape }], outputs: [tensor], nodes: this.nodes, weights: this.weights };
    return analyzeGraph(graph).shapes.get(tensor)!;
  }

  placeholder(node: TfNode): void {
    const dims = node.attr?.shape?.shape?.dim?.map((d) => Number(d.size));
    if (!dims || dims.length !== 4 || dims[3] !== 3 || !(dims[1]! > 0 && dims[2]! > 0)) {
      this.fail(node, `an image input [N, H, W, 3] with fixed H and W is expected, got [${dims ?? ''}]`);
    }
    if (this.inputName) this.fail(node, `a second input ('${this.inputName}' is the first); one image input is supported`);
    this.inputName = node.name;
    this.inputShape = [1, 3, dims[1]!, dims[2]!];
    this.names.set(node.name, node.name);
  }

  get input(): { name: string; height: number; width: number } {
    return { name: this.inputName, height: this.inputShape[2]!, width: this.inputShape[3]! };
  }

  private nhwc(node: TfNode, key: string): [number, number] {
    const v = node.attr?.[key]?.list?.i?.map(Number);
    if (!v || v.length !== 4) return [1, 1];
    if (v[0] !== 1 || v[3] !== 1) this.fail(node, `${key} [${v}] along batch or channels`);
    return [v[1]!, v[2]!];
  }

  private padding(node: TfNode): Record<string, unknown> {
    const p = text(node.attr?.padding);
    if (p === 'SAME') return { auto_pad: 'SAME_UPPER' };
    if (p === 'VALID') return { auto_pad: 'VALID' };
    if (p === 'EXPLICIT') {
      const e = node.attr?.explicit_paddings?.list?.i?.map(Number) ?? [];
      if (e.length !== 8) this.fail(node, `explicit_paddings [${e}] is not 4 (begin, end) pairs`);
      return { pads: [e[2], e[4], e[3], e[5]] };
    }
    return this.fail(node, `padding ${String(p)} (SAME, VALID or EXPLICIT)`);
  }

  private checkNhwc(node: TfNode): void {
    const f = text(node.attr?.data_format);
    if (f !== undefined && f !== 'NHWC') this.fail(node, `data_format ${f} (only NHWC)`);
  }

  /** Conv2D / DepthwiseConv2dNative and their fused forms (bias, then an optional activation). */
  conv(node: TfNode, depthwise: boolean, fused: boolean): void {
    this.checkNhwc(node);
    const inputs = node.input ?? [];
    const filter = this.constant(node, inputs[1]!, 'filter');
    if (filter.shape.length !== 4) this.fail(node, `filter shape [${filter.shape}] is not 4-D`);
    const [kh, kw, inC, m] = filter.shape as [number, number, number, number];
    const outC = depthwise ? inC * m : m;
    const perGroup = depthwise ? 1 : inC;
    const ours = new Float32Array(filter.data.length);
    for (let oc = 0; oc < outC; oc++)
      for (let ic = 0; ic < perGroup; ic++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            // HWIO, or depthwise [KH, KW, C, M] with output channel c * M + k.
            const src = depthwise ? ((y * kw + x) * inC + Math.floor(oc / m)) * m + (oc % m) : ((y * kw + x) * inC + ic) * m + oc;
            ours[((oc * perGroup + ic) * kh + y) * kw + x] = filter.data[src]!;
          }
    const args = [this.tensor(node, inputs[0]!), this.weight(splitRef(inputs[1]!)[0], [outC, perGroup, kh, kw], ours)];
    let activation: Record<string, unknown> | undefined;
    if (fused) {
      const ops = (node.attr?.fused_ops?.list?.s ?? []).map(atobText);
      const numArgs = Number(node.attr?.num_args?.i ?? 0);
      if (ops[0] !== 'BiasAdd' || numArgs !== 1 || ops.length > 2) this.fail(node, `fused_ops [${ops.join(', ')}] with ${numArgs} extra inputs (supported: BiasAdd, then Relu or Relu6)`);
      if (ops[1] !== undefined) {
        activation = ACTIVATIONS[ops[1]];
        if (!activation) this.fail(node, `fused activation ${ops[1]} (supported: Relu, Relu6)`);
      }
      const bias = this.constant(node, inputs[2]!, 'bias');
      if (bias.data.length !== outC) this.fail(node, `bias has ${bias.data.length} values for ${outC} output channels`);
      args.push(this.weight(splitRef(inputs[2]!)[0], [outC], bias.data));
    }
    this.emit(node, 'Conv', args, {
      strides: this.nhwc(node, 'strides'),
      dilations: this.nhwc(node, 'dilations'),
      group: depthwise ? inC : 1,
      ...this.padding(node),
      ...(activation ? { activation } : {}),
    });
  }

  /** A constant operand of an elementwise op, broadcastable against NCHW activations. */
  private broadcastConstant(node: TfNode, ref: string): string {
    const c = this.constant(node, ref, 'operand');
    const s = c.shape;
    let shape: number[];
    if (c.data.length === 1) shape = [1];
    else if (s.length >= 1 && s.slice(0, -1).every((d) => d === 1)) shape = [s[s.length - 1]!, 1, 1];
    else return this.fail(node, `constant '${ref}' of shape [${s}] cannot be laid out for NCHW (a scalar or per-channel [C] is supported)`);
    return this.weight(splitRef(ref)[0], shape, c.data);
  }

  binary(node: TfNode, op: string): void {
    const [a, b] = node.input ?? [];
    if (this.isConstant(a!) && this.isConstant(b!)) this.fail(node, 'both operands are constants (fold them first)');
    const operand = (ref: string) => (this.isConstant(ref) ? this.broadcastConstant(node, ref) : this.tensor(node, ref));
    this.emit(node, op, [operand(a!), operand(b!)]);
  }

  biasAdd(node: TfNode): void {
    this.checkNhwc(node);
    this.emit(node, 'Add', [this.tensor(node, node.input![0]!), this.broadcastConstant(node, node.input![1]!)]);
  }

  mean(node: TfNode): void {
    const axes = Array.from(this.constant(node, node.input![1]!, 'reduction_indices').data).map((v) => (v + 4) % 4).sort();
    if (axes.join() !== '1,2' || node.attr?.keep_dims?.b !== true) this.fail(node, `Mean over axes [${axes}] (only H and W, keep_dims=true)`);
    this.emit(node, 'GlobalAveragePool', [this.tensor(node, node.input![0]!)]);
  }

  resizeBilinear(node: TfNode): void {
    const x = this.tensor(node, node.input![0]!);
    const size = Array.from(this.constant(node, node.input![1]!, 'size').data);
    if (size.length !== 2 || size.some((v) => !(Number.isInteger(v) && v >= 1))) this.fail(node, `size [${size}] is not two positive integers`);
    const alignCorners = node.attr?.align_corners?.b === true;
    const halfPixel = node.attr?.half_pixel_centers?.b === true;
    if (alignCorners && halfPixel) this.fail(node, 'align_corners and half_pixel_centers both set');
    const [, , h, w] = this.shapeOf(x);
    this.emit(node, 'Resize', [x], {
      mode: 'linear',
      coordinate_transformation_mode: alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric',
      scales: [1, 1, size[0]! / h!, size[1]! / w!],
    });
  }

  concat(node: TfNode): void {
    const inputs = node.input ?? [];
    const axis = this.constant(node, inputs[inputs.length - 1]!, 'axis').data[0]!;
    const nchw = [0, 2, 3, 1][(axis + 4) % 4]!;
    this.emit(node, 'Concat', inputs.slice(0, -1).map((r) => this.tensor(node, r)), { axis: nchw });
  }

  maxPool(node: TfNode): void {
    this.checkNhwc(node);
    const k = node.attr?.ksize?.list?.i?.map(Number) ?? [];
    if (k.length !== 4 || k[0] !== 1 || k[3] !== 1) this.fail(node, `ksize [${k}]`);
    this.emit(node, 'MaxPool', [this.tensor(node, node.input![0]!)], { kernel_shape: [k[1], k[2]], strides: this.nhwc(node, 'strides'), ...this.padding(node) });
  }

  convert(node: TfNode): void {
    const x = () => this.tensor(node, node.input![0]!);
    switch (node.op) {
      case 'Placeholder': return this.placeholder(node);
      case 'Identity': return this.alias(node, node.input![0]!);
      case '_FusedConv2D': return this.conv(node, false, true);
      case 'FusedDepthwiseConv2dNative': return this.conv(node, true, true);
      case 'Conv2D': return this.conv(node, false, false);
      case 'DepthwiseConv2dNative': return this.conv(node, true, false);
      case 'BiasAdd': return this.biasAdd(node);
      case 'Add': case 'AddV2': return this.binary(node, 'Add');
      case 'Sub': return this.binary(node, 'Sub');
      case 'Mul': return this.binary(node, 'Mul');
      case 'Relu': return this.emit(node, 'Relu', [x()]);
      case 'Relu6': return this.emit(node, 'Clip', [x()], { min: 0, max: 6 });
      case 'Sigmoid': return this.emit(node, 'Sigmoid', [x()]);
      case 'Mean': return this.mean(node);
      case 'ResizeBilinear': return this.resizeBilinear(node);
      case 'ConcatV2': return this.concat(node);
      case 'MaxPool': return this.maxPool(node);
      default: return this.fail(node, `op not supported (supported: ${SUPPORTED_TFJS_OPS.join(', ')})`);
    }
  }
}

/** The nodes the outputs depend on, inputs before their users (constants left out). */
function neededNodes(file: string, byName: Map<string, TfNode>, constants: Map<string, TfjsTensor>, outputs: string[]): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, from: string) => {
    if (constants.has(name) || state.get(name) === 'done') return;
    if (state.get(name) === 'open') throw new TfjsGraphImportError(file, `node '${name}' is part of a cycle`);
    const node = byName.get(name);
    if (!node) throw new TfjsGraphImportError(file, `'${name}' (${from}) is not a node of the graph`);
    if (node.op === 'Const') throw new TfjsGraphImportError(file, `constant '${name}' has no values in the weights manifest`);
    state.set(name, 'open');
    for (const ref of node.input ?? []) if (!ref.startsWith('^')) visit(splitRef(ref)[0], `an input of '${name}'`);
    state.set(name, 'done');
    order.push(node);
  };
  for (const o of outputs) visit(o, 'an output asked for');
  return order;
}

/** The model.json's nodes and the signature's output names. */
function readTopology(modelJson: unknown, file: string): { nodes: TfNode[]; signatureOutputs: string[] } {
  const m = modelJson as { format?: string; modelTopology?: { node?: TfNode[] }; signature?: { outputs?: Record<string, unknown> } };
  if (m?.format !== 'graph-model' || !Array.isArray(m.modelTopology?.node)) {
    throw new TfjsGraphImportError(file, `not a tfjs graph model (format '${String(m?.format)}'; expected 'graph-model' with modelTopology.node)`);
  }
  return { nodes: m.modelTopology!.node!, signatureOutputs: Object.keys(m.signature?.outputs ?? {}) };
}

/**
 * Converts a tfjs graph model (its model.json and the tensors `readTfjsWeights` decoded) into a
 * Graph with one NCHW image input ['batch', 3, H, W] and the asked-for outputs.
 */
export function tfjsGraphToGraph(modelJson: unknown, constants: Map<string, TfjsTensor>, file: string, options: TfjsGraphImportOptions = {}): Graph {
  const { nodes, signatureOutputs } = readTopology(modelJson, file);
  const outputs = options.outputs ?? signatureOutputs;
  if (outputs.length === 0) throw new TfjsGraphImportError(file, 'no outputs: the model has no signature outputs and none were asked for');
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new TfjsGraphImport(file, byName, constants);
  for (const node of neededNodes(file, byName, constants, outputs)) state.convert(node);
  const input = state.input;
  if (!input.name) throw new TfjsGraphImportError(file, `the outputs [${outputs.join(', ')}] do not depend on an image input`);
  const resolved = outputs.map((o) => state.tensor({ name: o, op: 'output' }, o));
  // An output that is an alias (Identity) of another tensor: that tensor takes the asked-for name.
  const rename = new Map(resolved.map((t, i) => [t, outputs[i]!] as const).filter(([t, o]) => t !== o));
  if (rename.has(input.name)) throw new TfjsGraphImportError(file, `output '${rename.get(input.name)}' is the input itself`);
  const nodesOut = state.nodes.map((n) => ({ ...n, inputs: n.inputs.map((t) => rename.get(t) ?? t), outputs: n.outputs.map((t) => rename.get(t) ?? t) }));
  return {
    name: options.name ?? file,
    inputs: [{ name: input.name, shape: ['batch', 3, input.height, input.width] }],
    outputs,
    nodes: nodesOut,
    weights: state.weights,
  };
}
