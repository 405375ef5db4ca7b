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

export function onnxToGraph(model: OnnxModel, options: OnnxImportOptions = {}): OnnxImport {
  const file = model.file;
  const graphName = options.name ?? file.split('/').pop()!.replace(/\.onnx$/, '');
  const graphInputs = model.inputs.map((i) => ({ name: i.name, shape: options.inputShapes?.[i.name] ? [...options.inputShapes[i.name]!] : i.dims }));
  // Identity of a tensor: later nodes read the tensor itself.
  const aliases = new Map<string, string>();
  const resolve = (name: string) => aliases.get(name) ?? name;
  /** A tensor's static shape: from the inputs' sizes, through the nodes imported so far. */
  const shapeOf = (name: string): number[] | undefined => {
    if (!graphInputs.every((i) => i.shape.every((d) => typeof d === 'number'))) return undefined;
    const concrete = Object.fromEntries(graphInputs.map((i) => [i.name, i.shape as number[]]));
    try {
      return [...analyzeGraph({ name: graphName, inputs: graphInputs, outputs: [name], nodes, weights }, concrete).shapes.get(name)!];
    } catch {
      return undefined;
    }
  };
  const constants = new Map<string, OnnxTensor>(model.initializers);
  const nodes: GraphNode[] = [];
  const weights: Record<string, Weight> = {};
  const notes: string[] = [];
  const fail = (n: OnnxNode, detail: string): never => {
    throw new OnnxImportError(file, `node '${n.name}' (${n.opType}): ${detail}`);
  };
  const constantOf = (n: OnnxNode, i: number, what: string): OnnxTensor => {
    const name = n.inputs[i];
    const t = name ? constants.get(name) : undefined;
    if (!t) return fail(n, `${what} (input ${i} '${name ?? ''}') must be a constant; computed ${what} is not supported`);
    return t;
  };
  /** A node input as a graph tensor name; constants become weights on first use. */
  const tensorInput = (n: OnnxNode, i: number): string => {
    const name = n.inputs[i] ?? '';
    if (name === '') return '';
    const t = constants.get(name);
    if (t && !(name in weights)) {
      if (t.type !== 'FLOAT' && t.type !== 'DOUBLE') fail(n, `input ${i} '${name}' is a ${t.type} constant used as a tensor; only float tensors are supported`);
      weights[name] = { shape: [...t.dims], data: floats(t) };
    }
    return name;
  };

  for (const original of model.nodes) {
    const n: OnnxNode = { ...original, inputs: original.inputs.map(resolve) };
    if (n.domain && n.domain !== 'ai.onnx') fail(n, `domain '${n.domain}' is not supported (standard ONNX ops only)`);
    const a = n.attrs;
    if (FOLDABLE_OPS.has(n.opType)) {
      const folded = foldNode(n, (name) => constants.get(name), shapeOf, model.opset);
      if (folded) {
        constants.set(n.outputs[0]!, folded);
        continue;
      }
      if (n.opType === 'Identity') {
        aliases.set(n.outputs[0]!, n.inputs[0]!);
        continue;
      }
      if (n.opType === 'Shape') fail(n, `the shape of '${n.inputs[0]}' is not known at load (symbolic input sizes: give them, e.g. --input WxH)`);
      if (['Gather', 'Cast', 'Slice', 'Floor', 'Ceil'].includes(n.opType)) fail(n, `${n.opType} of a computed tensor is not supported (only of constants and shapes, folded at load)`);
    }
    const add = (op: string, inputs: string[], attrs: Record<string, unknown> = {}) => {
      nodes.push({ name: n.name, op, inputs, outputs: [...n.outputs], attrs });
    };
    switch (n.opType) {
      case 'Constant': {
        const v = a.value ?? a.value_float ?? a.value_floats ?? a.value_int ?? a.value_ints;
        if (v === undefined) fail(n, `only value / value_float(s) / value_int(s) constants are supported (got ${Object.keys(a).join(', ')})`);
        const t: OnnxTensor =
          typeof v === 'object' && !Array.isArray(v)
            ? { ...v, name: n.outputs[0]! }
            : {
                name: n.outputs[0]!,
                dims: Array.isArray(v) ? [v.length] : [],
                type: 'value_float' in a || 'value_floats' in a ? 'FLOAT' : 'INT64',
                data: 'value_float' in a || 'value_floats' in a ? Float32Array.from((Array.isArray(v) ? v : [v]) as number[]) : ((Array.isArray(v) ? v : [v]) as number[]),
              };
        constants.set(n.outputs[0]!, t);
        break;
      }
      case 'Conv':
      case 'ConvTranspose':
      case 'BatchNormalization':
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'PRelu':
      case 'Relu':
      case 'Sigmoid':
      case 'HardSigmoid':
      case 'HardSwish':
      case 'LeakyRelu':
      case 'GlobalAveragePool':
      case 'MaxPool':
      case 'Gemm':
      case 'Softmax':
      case 'Concat':
      case 'Transpose':
      case 'Flatten': {
        const attrs = { ...a };
        if (n.opType === 'Softmax' && attrs.axis === undefined) {
          // ONNX's default axis is -1 from opset 13 (1 before, over the flattened trailing dims).
          if (model.opset < 13) fail(n, 'Softmax without an axis attribute before opset 13 (flattening semantics) is not supported');
          attrs.axis = -1;
        }
        if (n.opType === 'BatchNormalization') {
          if (a.training_mode) fail(n, 'training_mode=1 is not supported');
          delete attrs.momentum;
          delete attrs.spatial;
        }
        add(n.opType, n.inputs.map((_, i) => tensorInput(n, i)), attrs);
        break;
      }
      case 'Clip': {
        const attrs: Record<string, number> = {};
        if (model.opset >= 11) {
          if (n.inputs[1]) attrs.min = constantOf(n, 1, 'min').data[0] as number;
          if (n.inputs[2]) attrs.max = constantOf(n, 2, 'max').data[0] as number;
        } else {
          if (a.min !== undefined) attrs.min = a.min as number;
          if (a.max !== undefined) attrs.max = a.max as number;
        }
        add('Clip', [tensorInput(n, 0)], attrs);
        break;
      }
      case 'Resize': {
        // opset 11+: X, roi, scales, sizes (roi only matters for tf_crop_and_resize).
        const attrs: Record<string, unknown> = { ...a };
        const scales = n.inputs[2] ? constantOf(n, 2, 'scales') : undefined;
        const sizes = n.inputs[3] ? constantOf(n, 3, 'sizes') : undefined;
        if (scales && scales.data.length) attrs.scales = Array.from(scales.data as ArrayLike<number>);
        if (sizes && sizes.data.length) attrs.sizes = Array.from(sizes.data as ArrayLike<number>);
        if (model.opset < 11 && n.inputs[1]) attrs.scales = Array.from(constantOf(n, 1, 'scales').data as ArrayLike<number>);
        add('Resize', [tensorInput(n, 0)], attrs);
        break;
      }
      case 'Reshape':
        add('Reshape', [tensorInput(n, 0)], { ...a, shape: Array.from(constantOf(n, 1, 'shape').data as ArrayLike<number>) });
        break;
      case 'Squeeze':
      case 'Unsqueeze':
        add(n.opType, [tensorInput(n, 0)], n.inputs[1] ? { ...a, axes: Array.from(constantOf(n, 1, 'axes').data as ArrayLike<number>) } : { ...a });
        break;
      default:
        fail(n, `op ${n.opType} is not supported by the ONNX importer (supported: ${SUPPORTED_ONNX_OPS.join(', ')})`);
    }
  }

  // Validate attributes now, so an unsupported attribute fails at load with the node named.
  for (const node of nodes) {
    try {
      opRegistry.get(node.op)!.attrs(node.attrs ?? {});
    } catch (err) {
      throw new OnnxImportError(file, `node '${node.name}' (${node.op}): ${(err as Error).message}`);
    }
  }
  const constantCount = [...constants.keys()].filter((k) => !model.initializers.has(k)).length;
  notes.push(`${model.nodes.length} ONNX nodes (${constantCount} Constant) -> ${nodes.length} nodes, ${Object.keys(weights).length} weights (opset ${model.opset}, IR ${model.irVersion})`);
  // A graph output produced by an Identity: a view of the tensor under the output's name.
  for (const o of model.outputs) {
    const target = aliases.get(o.name);
    if (!target) continue;
    const shape = shapeOf(target);
    if (!shape) throw new OnnxImportError(file, `output '${o.name}' is an Identity of '${target}' whose shape is not known at load`);
    nodes.push({ name: `${o.name}/identity`, op: 'Reshape', inputs: [target], outputs: [o.name], attrs: { shape } });
  }
  return {
    graph: {
      name: graphName,
      inputs: graphInputs,
      outputs: model.outputs.map((o) => o.name),
      nodes,
      weights,
    },
    notes,
  };
}
