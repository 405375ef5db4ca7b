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

export function exportOnnx(graph: Graph, options: OnnxExportOptions = {}): Uint8Array {
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = Object.entries(graph.weights).map(([name, w]: [string, Weight]) => floatTensor(name, w.shape, w.data));
  let fresh = 0;
  const constant = (base: string, tensor: (name: string) => onnxProto.onnx.ITensorProto) => {
    const name = `${base}/const${fresh++}`;
    initializers.push(tensor(name));
    return name;
  };
  const emit = (op: string, name: string, inputs: string[], outputs: string[], attrs: Record<string, unknown> = {}) => {
    nodes.push({ opType: op, name, input: inputs, output: outputs, attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)).filter((a): a is Attr => a !== undefined) });
  };

  /** Activation (+ scale/shift) nodes from `input` to `output`. */
  const activation = (node: GraphNode, act: Activation, input: string, output: string, slope?: string, channelsAxisShape?: number[]) => {
    const steps: Array<(from: string, to: string) => void> = [];
    if (act.type === 'PRelu') {
      let s = slope!;
      if (channelsAxisShape) {
        const w = graph.weights[slope!];
        if (!w) throw new GraphError(`ONNX export: ${node.name}: fused PRelu slope '${slope}' must be a weight`);
        s = constant(node.name, (n) => floatTensor(n, channelsAxisShape, w.data));
      }
      steps.push((from, to) => emit('PRelu', `${node.name}/prelu`, [from, s], [to]));
    } else if (act.type === 'Clip') {
      steps.push((from, to) => emit('Clip', `${node.name}/clip`, [from, constant(node.name, (n) => floatTensor(n, [], Float32Array.of(act.alpha))), constant(node.name, (n) => floatTensor(n, [], Float32Array.of(act.beta)))], [to]));
    } else if (act.type === 'LeakyRelu') {
      steps.push((from, to) => emit('LeakyRelu', `${node.name}/act`, [from], [to], { alpha: act.alpha }));
    } else if (act.type === 'HardSigmoid') {
      steps.push((from, to) => emit('HardSigmoid', `${node.name}/act`, [from], [to], { alpha: act.alpha, beta: act.beta }));
    } else if (act.type !== 'None') {
      steps.push((from, to) => emit(act.type, `${node.name}/act`, [from], [to]));
    }
    if (act.scale !== 1) steps.push((from, to) => emit('Mul', `${node.name}/scale`, [from, constant(node.name, (n) => floatTensor(n, [], Float32Array.of(act.scale)))], [to]));
    if (act.shift !== 0) steps.push((from, to) => emit('Add', `${node.name}/shift`, [from, constant(node.name, (n) => floatTensor(n, [], Float32Array.of(act.shift)))], [to]));
    if (steps.length === 0) return false;
    let from = input;
    steps.forEach((step, i) => {
      const to = i === steps.length - 1 ? output : `${node.name}/step${i}`;
      step(from, to);
      from = to;
    });
    return true;
  };

  const shapes = tensorShapes(graph, options.inputShapes);
  for (const node of graph.nodes) {
    const a = { ...(node.attrs ?? {}) };
    const out = node.outputs[0]!;
    switch (node.op) {
      case 'Conv':
      case 'ConvTranspose':
      case 'Gemm': {
        const act = parseFusedActivation(a.activation);
        delete a.activation;
        const core = node.inputs.slice(0, 3).filter((t, i) => i < 2 || t !== '');
        const raw = act.type === 'None' && act.scale === 1 && act.shift === 0 ? out : `${node.name}/raw`;
        emit(node.op, node.name, core, [raw], a);
        if (raw !== out) {
          const channels = node.op === 'Gemm' ? undefined : [graph.weights[node.inputs[1]!]?.shape[node.op === 'Conv' ? 0 : 1]! * (node.op === 'ConvTranspose' ? Number(a.group ?? 1) : 1), 1, 1];
          activation(node, act, raw, out, node.inputs[3], channels);
        }
        break;
      }
      case 'Clip':
        emit('Clip', node.name, [node.inputs[0]!, a.min === undefined ? '' : constant(node.name, (n) => floatTensor(n, [], Float32Array.of(Number(a.min)))), a.max === undefined ? '' : constant(node.name, (n) => floatTensor(n, [], Float32Array.of(Number(a.max))))], [out]);
        break;
      case 'Resize': {
        const { scales, sizes, ...rest } = a as { scales?: number[]; sizes?: number[] };
        const roi = constant(node.name, (n) => floatTensor(n, [0], new Float32Array(0)));
        const inputs = [node.inputs[0]!, roi, scales ? constant(node.name, (n) => floatTensor(n, [scales.length], Float32Array.from(scales))) : ''];
        if (sizes) inputs.push(constant(node.name, (n) => int64Tensor(n, sizes)));
        emit('Resize', node.name, inputs, [out], rest);
        break;
      }
      case 'Reshape': {
        const { shape, ...rest } = a as { shape: number[] };
        emit('Reshape', node.name, [node.inputs[0]!, constant(node.name, (n) => int64Tensor(n, shape))], [out], rest);
        break;
      }
      case 'Squeeze':
      case 'Unsqueeze': {
        const { axes } = a as { axes?: number[] };
        emit(node.op, node.name, axes ? [node.inputs[0]!, constant(node.name, (n) => int64Tensor(n, axes))] : [node.inputs[0]!], [out]);
        break;
      }
      case 'Softmax':
        // Our default axis is 1 (channels); ONNX opset 13+ defaults to -1: always write it.
        emit('Softmax', node.name, node.inputs, node.outputs, { axis: a.axis ?? 1 });
        break;
      case 'PRelu': {
        const slope = graph.weights[node.inputs[1]!];
        const rank = shapes?.get(node.inputs[0]!)?.length ?? 0;
        const perChannel = slope && slope.data.length > 1 && slope.shape.filter((d) => d > 1).length === 1 && rank > 2;
        const s = perChannel ? constant(node.name, (n) => floatTensor(n, [slope.data.length, ...Array<number>(rank - 2).fill(1)], slope.data)) : node.inputs[1]!;
        emit('PRelu', node.name, [node.inputs[0]!, s], node.outputs, a);
        break;
      }
      default:
        emit(node.op, node.name, node.inputs, node.outputs, a);
    }
  }

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
      node: nodes,
      initializer: initializers,
      input: graph.inputs.map((i) => valueInfo(i.name, i.shape)),
      output: (options.outputs ?? graph.outputs).map((o) => valueInfo(o)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
