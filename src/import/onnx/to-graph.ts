// ONNX graph -> webgpu-detect Graph. Initializers and Constant nodes become weights (float) or
// attribute values (integer/float inputs our ops take as attributes: Clip min/max, Resize scales and
// sizes, Reshape shape, Squeeze/Unsqueeze axes). Everything else maps one node to one op of the
// registry; an op or attribute outside the supported set fails at load, naming the op, the node,
// the model file and the supported set. Load-time rewrites (BatchNorm folding, activation fusion,
// constant affine folding, the HardSwish idiom) are in src/graph/optimize.ts.
import { analyzeGraph } from '../../graph/analyze.js';
import { opRegistry } from '../../ops/registry.js';
import type { Graph, GraphNode, Weight } from '../../graph/types.js';
import { FOLDABLE_OPS, foldNode } from './fold.js';
import type { OnnxModel, OnnxNode, OnnxTensor } from './reader.js';

export class OnnxImportError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'OnnxImportError';
  }
}

/** ONNX ops this importer maps (their attributes are checked by each op). */
export const SUPPORTED_ONNX_OPS = [
  'Add', 'BatchNormalization', 'Clip', 'Concat', 'Constant', 'Conv', 'ConvTranspose', 'Div', 'Flatten', 'Gemm', 'GlobalAveragePool',
  'HardSigmoid', 'HardSwish', 'Identity', 'LeakyRelu', 'MaxPool', 'Mul', 'PRelu', 'Relu', 'Reshape', 'Resize', 'Sigmoid', 'Softmax',
  'Squeeze', 'Sub', 'Transpose', 'Unsqueeze', 'and size arithmetic folded at load (Shape, Gather, Slice, Cast, Floor, Ceil on constants)',
];

export interface OnnxImportOptions {
  name?: string;
  /**
   * Sizes of inputs whose dims are symbolic in the file: needed when size arithmetic (Shape ->
   * Gather -> ... -> Resize sizes) must be folded at load.
   */
  inputShapes?: Readonly<Record<string, readonly number[]>>;
}

export interface OnnxImport {
  graph: Graph;
  notes: string[];
}

function floats(t: OnnxTensor): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
}

/** The import in progress: constants, aliases (Identity), the graph's nodes and weights. */
class OnnxImportState {
  readonly constants: Map<string, OnnxTensor>;
  readonly aliases = new Map<string, string>();
  readonly nodes: GraphNode[] = [];
  readonly weights: Record<string, Weight> = {};
  readonly inputs: Graph['inputs'];

  constructor(
    readonly model: OnnxModel,
    readonly graphName: string,
    inputShapes: OnnxImportOptions['inputShapes'],
  ) {
    this.constants = new Map(model.initializers);
    this.inputs = model.inputs.map((i) => ({ name: i.name, shape: inputShapes?.[i.name] ? [...inputShapes[i.name]!] : i.dims }));
  }

  fail(n: OnnxNode, detail: string): never {
    throw new OnnxImportError(this.model.file, `node '${n.name}' (${n.opType}): ${detail}`);
  }

  /** Identity of a tensor: later nodes read the tensor itself. */
  resolve(name: string): string {
    return this.aliases.get(name) ?? name;
  }

  /** A tensor's static shape: from the inputs' sizes, through the nodes imported so far. */
  shapeOf(name: string): number[] | undefined {
    if (!this.inputs.every((i) => i.shape.every((d) => typeof d === 'number'))) return undefined;
    const concrete = Object.fromEntries(this.inputs.map((i) => [i.name, i.shape as number[]]));
    try {
      return [...analyzeGraph({ name: this.graphName, inputs: this.inputs, outputs: [name], nodes: this.nodes, weights: this.weights }, concrete).shapes.get(name)!];
    } catch {
      return undefined;
    }
  }

  constantOf(n: OnnxNode, i: number, what: string): OnnxTensor {
    const name = n.inputs[i];
    const t = name ? this.constants.get(name) : undefined;
    if (!t) return this.fail(n, `${what} (input ${i} '${name ?? ''}') must be a constant; computed ${what} is not supported`);
    return t;
  }

  /** A node input as a graph tensor name; constants become weights on first use. */
  tensorInput(n: OnnxNode, i: number): string {
    const name = n.inputs[i] ?? '';
    if (name === '') return '';
    const t = this.constants.get(name);
    if (t && !(name in this.weights)) {
      if (t.type !== 'FLOAT' && t.type !== 'DOUBLE') this.fail(n, `input ${i} '${name}' is a ${t.type} constant used as a tensor; only float tensors are supported`);
      this.weights[name] = { shape: [...t.dims], data: floats(t) };
    }
    return name;
  }

  add(n: OnnxNode, op: string, inputs: string[], attrs: Record<string, unknown> = {}): void {
    this.nodes.push({ name: n.name, op, inputs, outputs: [...n.outputs], attrs });
  }
}

/** Ops mapped one to one, their attributes checked by the op itself. */
const DIRECT_OPS = new Set(['Conv', 'ConvTranspose', 'BatchNormalization', 'Add', 'Sub', 'Mul', 'Div', 'PRelu', 'Relu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'GlobalAveragePool', 'MaxPool', 'Gemm', 'Softmax', 'Concat', 'Transpose', 'Flatten']);

/** Folds size arithmetic and Identity; true when the node needs no graph node of its own. */
function foldOrAlias(st: OnnxImportState, n: OnnxNode): boolean {
  if (!FOLDABLE_OPS.has(n.opType)) return false;
  const folded = foldNode(n, (name) => st.constants.get(name), (name) => st.shapeOf(name), st.model.opset);
  if (folded) {
    st.constants.set(n.outputs[0]!, folded);
    return true;
  }
  if (n.opType === 'Identity') {
    st.aliases.set(n.outputs[0]!, n.inputs[0]!);
    return true;
  }
  if (n.opType === 'Shape') st.fail(n, `the shape of '${n.inputs[0]}' is not known at load (symbolic input sizes: give them, e.g. --input WxH)`);
  if (['Gather', 'Cast', 'Slice', 'Floor', 'Ceil'].includes(n.opType)) st.fail(n, `${n.opType} of a computed tensor is not supported (only of constants and shapes, folded at load)`);
  return false;
}

function constantNode(st: OnnxImportState, n: OnnxNode): void {
  const a = n.attrs;
  const v = a.value ?? a.value_float ?? a.value_floats ?? a.value_int ?? a.value_ints;
  if (v === undefined) st.fail(n, `only value / value_float(s) / value_int(s) constants are supported (got ${Object.keys(a).join(', ')})`);
  const isFloat = 'value_float' in a || 'value_floats' in a;
  const list = (Array.isArray(v) ? v : [v]) as number[];
  const t: OnnxTensor =
    typeof v === 'object' && !Array.isArray(v)
      ? { ...v, name: n.outputs[0]! }
      : { name: n.outputs[0]!, dims: Array.isArray(v) ? [v.length] : [], type: isFloat ? 'FLOAT' : 'INT64', data: isFloat ? Float32Array.from(list) : list };
  st.constants.set(n.outputs[0]!, t);
}

function directNode(st: OnnxImportState, n: OnnxNode): void {
  const attrs = { ...n.attrs };
  if (n.opType === 'Softmax' && attrs.axis === undefined) {
    // ONNX's default axis is -1 from opset 13 (1 before, over the flattened trailing dims).
    if (st.model.opset < 13) st.fail(n, 'Softmax without an axis attribute before opset 13 (flattening semantics) is not supported');
    attrs.axis = -1;
  }
  if (n.opType === 'BatchNormalization') {
    if (n.attrs.training_mode) st.fail(n, 'training_mode=1 is not supported');
    delete attrs.momentum;
    delete attrs.spatial;
  }
  st.add(n, n.opType, n.inputs.map((_, i) => st.tensorInput(n, i)), attrs);
}

/** Ops whose constant inputs become our attributes (Clip bounds, Resize scales/sizes, shapes, axes). */
function attributeInputNode(st: OnnxImportState, n: OnnxNode): boolean {
  const a = n.attrs;
  const values = (i: number, what: string) => Array.from(st.constantOf(n, i, what).data as ArrayLike<number>);
  switch (n.opType) {
    case 'Clip': {
      const attrs: Record<string, number> = {};
      if (st.model.opset >= 11) {
        if (n.inputs[1]) attrs.min = values(1, 'min')[0]!;
        if (n.inputs[2]) attrs.max = values(2, 'max')[0]!;
      } else {
        if (a.min !== undefined) attrs.min = a.min as number;
        if (a.max !== undefined) attrs.max = a.max as number;
      }
      st.add(n, 'Clip', [st.tensorInput(n, 0)], attrs);
      return true;
    }
    case 'Resize': {
      // opset 11+: X, roi, scales, sizes (roi only matters for tf_crop_and_resize); empty ones unused.
      const attrs: Record<string, unknown> = { ...a };
      const scales = n.inputs[2] ? values(2, 'scales') : [];
      const sizes = n.inputs[3] ? values(3, 'sizes') : [];
      if (scales.length) attrs.scales = scales;
      if (sizes.length) attrs.sizes = sizes;
      if (st.model.opset < 11 && n.inputs[1]) attrs.scales = values(1, 'scales');
      st.add(n, 'Resize', [st.tensorInput(n, 0)], attrs);
      return true;
    }
    case 'Reshape':
      st.add(n, 'Reshape', [st.tensorInput(n, 0)], { ...a, shape: values(1, 'shape') });
      return true;
    case 'Squeeze':
    case 'Unsqueeze':
      st.add(n, n.opType, [st.tensorInput(n, 0)], n.inputs[1] ? { ...a, axes: values(1, 'axes') } : { ...a });
      return true;
    default:
      return false;
  }
}

export function onnxToGraph(model: OnnxModel, options: OnnxImportOptions = {}): OnnxImport {
  const file = model.file;
  const st = new OnnxImportState(model, options.name ?? file.split('/').pop()!.replace(/\.onnx$/, ''), options.inputShapes);
  for (const original of model.nodes) {
    const n: OnnxNode = { ...original, inputs: original.inputs.map((i) => st.resolve(i)) };
    if (n.domain && n.domain !== 'ai.onnx') st.fail(n, `domain '${n.domain}' is not supported (standard ONNX ops only)`);
    if (foldOrAlias(st, n)) continue;
    if (n.opType === 'Constant') constantNode(st, n);
    else if (DIRECT_OPS.has(n.opType)) directNode(st, n);
    else if (!attributeInputNode(st, n)) st.fail(n, `op ${n.opType} is not supported by the ONNX importer (supported: ${SUPPORTED_ONNX_OPS.join(', ')})`);
  }
  // Validate attributes now, so an unsupported attribute fails at load with the node named.
  for (const node of st.nodes) {
    try {
      opRegistry.get(node.op)!.attrs(node.attrs ?? {});
    } catch (err) {
      throw new OnnxImportError(file, `node '${node.name}' (${node.op}): ${(err as Error).message}`);
    }
  }
  const constantCount = [...st.constants.keys()].filter((k) => !model.initializers.has(k)).length;
  const notes = [`${model.nodes.length} ONNX nodes (${constantCount} Constant) -> ${st.nodes.length} nodes, ${Object.keys(st.weights).length} weights (opset ${model.opset}, IR ${model.irVersion})`];
  // A graph output produced by an Identity: a view of the tensor under the output's name.
  for (const o of model.outputs) {
    const target = st.aliases.get(o.name);
    if (!target) continue;
    const shape = st.shapeOf(target);
    if (!shape) throw new OnnxImportError(file, `output '${o.name}' is an Identity of '${target}' whose shape is not known at load`);
    st.nodes.push({ name: `${o.name}/identity`, op: 'Reshape', inputs: [target], outputs: [o.name], attrs: { shape } });
  }
  return { graph: { name: st.graphName, inputs: st.inputs, outputs: model.outputs.map((o) => o.name), nodes: st.nodes, weights: st.weights }, notes };
}
