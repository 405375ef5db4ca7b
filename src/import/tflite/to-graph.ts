// TFLite subgraph -> webgpu-detect Graph (NCHW). Weights are re-laid out at load time; two idioms
// the TensorFlow 1 converter leaves expanded are recognised and collapsed into single ops:
//   PReLU   relu(x) + alpha * -relu(-x)                       -> PRelu(x, alpha)
//   softmax exp(x - max(x)) / sum(exp(x - max(x))) on the last axis -> Softmax(channels)
// Anything else outside the supported set fails with the op, the operator index, the tensor and
// the file named.
//
// `spatial: 'transposed'` is for networks fed with images whose x and y are swapped (facenet's
// TensorFlow port of the Caffe MTCNN takes [N, W, H, C]): the graph is re-expressed so that it takes
// the image in natural [N, C, H, W] order, by transposing every spatial kernel, stride and window and
// permuting fully connected weights to match the flatten order.
import type { Graph, GraphNode, Weight } from '../../graph/types.js';
import type { TfliteModel, TfliteOperator, TfliteTensor } from './reader.js';

export interface TfliteImportOptions {
  /** 'hw' (TFLite NHWC = [n, h, w, c]) or 'transposed' (TFLite [n, w, h, c]). Default 'hw'. */
  spatial?: 'hw' | 'transposed';
  /** Make the input's height and width symbolic (fully convolutional networks). */
  dynamicSpatial?: boolean;
  /** Graph name (default: the file name). */
  name?: string;
}

/** Where a TFLite tensor lives in the converted graph, so the two can be compared tensor by tensor. */
export interface TensorCorrespondence {
  tflite: string;
  ours: string;
  /** 'nhwc': 4-D TFLite tensor mapped to NCHW (with the spatial option applied); 'same': identical. */
  layout: 'nhwc' | 'same';
}

export interface TfliteImport {
  graph: Graph;
  correspondences: TensorCorrespondence[];
  /** One line per idiom collapsed or layout decision, for the provenance notes. */
  notes: string[];
}

export const SUPPORTED_TFLITE_OPS = [
  'CONV_2D', 'DEPTHWISE_CONV_2D', 'MAX_POOL_2D', 'FULLY_CONNECTED', 'RELU', 'RELU6', 'LOGISTIC', 'SOFTMAX', 'PRELU',
  'ADD', 'RESHAPE', 'CONCATENATION', 'DEQUANTIZE (of float16 constants, folded at load)',
  'PReLU idiom (RELU/NEG/RELU/NEG/MUL/ADD)', 'softmax idiom (REDUCE_MAX/SUB/EXP/SUM/DIV)',
];

export class TfliteImportError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'TfliteImportError';
  }
}

const FUSED: Record<string, Record<string, unknown> | undefined> = {
  NONE: undefined,
  RELU: { type: 'Relu' },
  RELU6: { type: 'Clip', alpha: 0, beta: 6 },
};

export function tfliteToGraph(model: TfliteModel, options: TfliteImportOptions = {}): TfliteImport {
  const file = model.file;
  const sg = model.subgraphs[0]!;
  const transposed = options.spatial === 'transposed';
  const tensors = sg.tensors;
  const name = (t: number) => tensors[t]!.name;
  const fail = (op: TfliteOperator | undefined, detail: string): never => {
    throw new TfliteImportError(file, op ? `operator ${op.index} (${op.op}, output '${name(op.outputs[0]!)}'): ${detail}` : detail);
  };

  const producer = new Map<number, TfliteOperator>();
  const consumers = new Map<number, TfliteOperator[]>();
  for (const op of sg.operators) {
    op.outputs.forEach((t) => producer.set(t, op));
    op.inputs.forEach((t) => t >= 0 && consumers.set(t, [...(consumers.get(t) ?? []), op]));
  }
  // DEQUANTIZE of a constant (float16 weights) is folded: its output is that constant in float32.
  const dequantized = new Map<number, Float32Array | Int32Array>();
  for (const op of sg.operators) {
    const source = op.op === 'DEQUANTIZE' ? tensors[op.inputs[0]!]!.data : undefined;
    if (source) dequantized.set(op.outputs[0]!, source);
  }
  const constant = (t: number) => tensors[t]!.data ?? dequantized.get(t);
  const soleUse = (t: number, by: TfliteOperator) => (consumers.get(t) ?? []).length === 1 && consumers.get(t)![0] === by && !sg.outputs.includes(t);

  const nodes: GraphNode[] = [];
  const weights: Record<string, Weight> = {};
  const correspondences: TensorCorrespondence[] = [];
  const notes: string[] = [];
  const consumed = new Set<TfliteOperator>(sg.operators.filter((op) => op.op === 'DEQUANTIZE' && dequantized.has(op.outputs[0]!)));
  const rank = (t: number) => tensors[t]!.shape.length;
  const addWeight = (key: string, shape: number[], data: Float32Array) => {
    weights[key] = { shape, data };
    return key;
  };
  const output = (op: TfliteOperator, node: Omit<GraphNode, 'outputs' | 'name'>) => {
    const out = op.outputs[0]!;
    nodes.push({ name: name(out), outputs: [name(out)], ...node });
    correspondences.push({ tflite: name(out), ours: name(out), layout: rank(out) === 4 ? 'nhwc' : 'same' });
  };
  const floatConst = (op: TfliteOperator, t: number, what: string): Float32Array => {
    const data = constant(t);
    if (!(data instanceof Float32Array)) return fail(op, `${what} '${name(t)}' must be a FLOAT32 constant`);
    return data;
  };
  /** Spatial sizes in our [H, W] order from a TFLite [A, B] pair. */
  const hw = <T>(a: T, b: T): [T, T] => (transposed ? [b, a] : [a, b]);

  // Recognise the PReLU idiom ending at an ADD: returns [x, alpha tensor, ops of the idiom] or undefined.
  const prelu = (add: TfliteOperator): [number, number, TfliteOperator[]] | undefined => {
    if (add.op !== 'ADD' || add.options.fused_activation_function !== 'NONE') return undefined;
    for (const [ri, mi] of [[0, 1], [1, 0]] as const) {
      const relu = producer.get(add.inputs[ri]!);
      const mul = producer.get(add.inputs[mi]!);
      if (relu?.op !== 'RELU' || mul?.op !== 'MUL') continue;
      const alphaSide = mul.inputs.findIndex((t) => constant(t) !== undefined);
      if (alphaSide < 0) continue;
      const neg2 = producer.get(mul.inputs[1 - alphaSide]!);
      const relu2 = neg2?.op === 'NEG' ? producer.get(neg2.inputs[0]!) : undefined;
      const neg1 = relu2?.op === 'RELU' ? producer.get(relu2.inputs[0]!) : undefined;
      if (neg1?.op !== 'NEG' || neg1.inputs[0] !== relu.inputs[0]) continue;
      const chain = [relu, neg1, relu2!, neg2!, mul];
      const inner: Array<[number, TfliteOperator]> = [[relu.outputs[0]!, add], [neg1.outputs[0]!, relu2!], [relu2!.outputs[0]!, neg2!], [neg2!.outputs[0]!, mul], [mul.outputs[0]!, add]];
      if (!inner.every(([t, by]) => soleUse(t, by))) continue;
      return [relu.inputs[0]!, mul.inputs[alphaSide]!, chain];
    }
    return undefined;
  };
  // Recognise the softmax idiom ending at a DIV: returns [x, ops] or undefined.
  const softmax = (div: TfliteOperator): [number, TfliteOperator[]] | undefined => {
    if (div.op !== 'DIV') return undefined;
    const exp = producer.get(div.inputs[0]!);
    const sum = producer.get(div.inputs[1]!);
    if (exp?.op !== 'EXP' || sum?.op !== 'SUM' || sum.inputs[0] !== exp.outputs[0]) return undefined;
    const sub = producer.get(exp.inputs[0]!);
    if (sub?.op !== 'SUB') return undefined;
    const max = producer.get(sub.inputs[1]!);
    if (max?.op !== 'REDUCE_MAX' || max.inputs[0] !== sub.inputs[0]) return undefined;
    const x = sub.inputs[0]!;
    const lastAxis = (op: TfliteOperator) => {
      const axes = constant(op.inputs[1]!);
      return axes !== undefined && axes.length === 1 && (axes[0] === rank(x) - 1 || axes[0] === -1) && op.options.keep_dims === true;
    };
    if (!lastAxis(max) || !lastAxis(sum)) return undefined;
    const e = exp.outputs[0]!;
    const shared = (consumers.get(e) ?? []).every((c) => c === sum || c === div) && soleUse(sub.outputs[0]!, exp) && soleUse(max.outputs[0]!, sub) && soleUse(sum.outputs[0]!, div);
    return shared ? [x, [max, sub, exp, sum]] : undefined;
  };

  // Idioms are matched from their last op; the ops they absorb are skipped when reached.
  const idiomOf = new Map<TfliteOperator, () => void>();
  for (const op of sg.operators) {
    const p = prelu(op);
    if (p) {
      const [x, alpha, chain] = p;
      chain.forEach((c) => consumed.add(c));
      idiomOf.set(op, () => {
        const slope = floatConst(op, alpha, 'PReLU alpha');
        output(op, { op: 'PRelu', inputs: [name(x), addWeight(name(alpha), [slope.length], slope.slice())] });
      });
      notes.push(`${name(op.outputs[0]!)}: PReLU idiom (relu(x) - alpha*relu(-x), 6 ops) -> PRelu`);
      continue;
    }
    const s = softmax(op);
    if (s) {
      const [x, chain] = s;
      chain.forEach((c) => consumed.add(c));
      idiomOf.set(op, () => output(op, { op: 'Softmax', inputs: [name(x)], attrs: { axis: rank(x) === 4 ? 1 : -1 } }));
      notes.push(`${name(op.outputs[0]!)}: softmax idiom (REDUCE_MAX, SUB, EXP, SUM, DIV over channels) -> Softmax`);
    }
  }

  for (const op of sg.operators) {
    const idiom = idiomOf.get(op);
    if (idiom) {
      idiom();
      continue;
    }
    if (consumed.has(op)) continue;
    const o = op.options;
    const activation = () => {
      const act = String(o.fused_activation_function ?? 'NONE');
      if (!(act in FUSED)) return fail(op, `fused activation ${act} is not supported (NONE, RELU, RELU6)`);
      return FUSED[act];
    };
    const padding = () => (o.padding === 'SAME' ? 'SAME_UPPER' : o.padding === 'VALID' ? 'VALID' : fail(op, `padding ${o.padding}`));
    switch (op.op) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D': {
        const [x, w, b] = op.inputs as [number, number, number | undefined];
        const wt = tensors[w]!;
        const data = floatConst(op, w, 'filter');
        const [o0, ka, kb, i0] = wt.shape as [number, number, number, number];
        const depthwise = op.op === 'DEPTHWISE_CONV_2D';
        // TFLite filters: CONV_2D [O, KA, KB, I]; DEPTHWISE [1, KA, KB, C*mult]. Ours: [O, I/group, KH, KW].
        const outC = depthwise ? i0 : o0;
        const inPerGroup = depthwise ? 1 : i0;
        const [kh, kw] = hw(ka, kb);
        const ours = new Float32Array(data.length);
        for (let oc = 0; oc < outC; oc++)
          for (let ic = 0; ic < inPerGroup; ic++)
            for (let a = 0; a < ka; a++)
              for (let bb = 0; bb < kb; bb++) {
                const src = depthwise ? (a * kb + bb) * i0 + oc : ((oc * ka + a) * kb + bb) * i0 + ic;
                const [y, xx] = hw(a, bb);
                ours[((oc * inPerGroup + ic) * kh + y) * kw + xx] = data[src]!;
              }
        const inputs = [name(x), addWeight(name(w), [outC, inPerGroup, kh, kw], ours)];
        if (b !== undefined && b >= 0) inputs.push(addWeight(name(b), [outC], floatConst(op, b, 'bias').slice()));
        const channelsIn = tensors[x]!.shape[3]!;
        if (depthwise && outC !== channelsIn) fail(op, `depth_multiplier ${o.depth_multiplier} is not supported (only 1)`);
        output(op, {
          op: 'Conv',
          inputs,
          attrs: {
            strides: hw(o.stride_h as number, o.stride_w as number),
            dilations: hw(o.dilation_h_factor as number, o.dilation_w_factor as number),
            auto_pad: padding(),
            group: depthwise ? outC : 1,
            ...(activation() ? { activation: activation() } : {}),
          },
        });
        break;
      }
      case 'MAX_POOL_2D':
        if (activation()) fail(op, 'fused activation on a pool is not supported');
        output(op, {
          op: 'MaxPool',
          inputs: [name(op.inputs[0]!)],
          attrs: { kernel_shape: hw(o.filter_height as number, o.filter_width as number), strides: hw(o.stride_h as number, o.stride_w as number), auto_pad: padding() },
        });
        break;
      case 'FULLY_CONNECTED': {
        const [x, w, b] = op.inputs as [number, number, number | undefined];
        if (o.keep_num_dims) fail(op, 'keep_num_dims is not supported');
        const data = floatConst(op, w, 'weights');
        const [outF, inF] = tensors[w]!.shape as [number, number];
        let input = name(x);
        let ours = data.slice();
        if (rank(x) === 4) {
          // TFLite flattens [n, A, B, C] in that order; our Flatten of [n, C, H, W] goes C, H, W.
          const [, A, B, C] = tensors[x]!.shape as [number, number, number, number];
          if (A * B * C !== inF) fail(op, `input ${JSON.stringify(tensors[x]!.shape)} does not flatten to ${inF} features`);
          const [H, W] = hw(A, B);
          ours = new Float32Array(data.length);
          for (let f = 0; f < outF; f++)
            for (let a = 0; a < A; a++)
              for (let bb = 0; bb < B; bb++)
                for (let c = 0; c < C; c++) {
                  const [y, xx] = hw(a, bb);
                  ours[f * inF + (c * H + y) * W + xx] = data[f * inF + (a * B + bb) * C + c]!;
                }
          const flat = `${name(op.outputs[0]!)}/flatten`;
          nodes.push({ name: flat, op: 'Flatten', inputs: [input], outputs: [flat] });
          input = flat;
          notes.push(`${name(op.outputs[0]!)}: fully connected weights permuted from TFLite's [${transposed ? 'W, H' : 'H, W'}, C] flatten order to [C, H, W]`);
        }
        const inputs = [input, addWeight(name(w), [outF, inF], ours)];
        if (b !== undefined && b >= 0) inputs.push(addWeight(name(b), [outF], floatConst(op, b, 'bias').slice()));
        output(op, { op: 'Gemm', inputs, attrs: { transB: 1, ...(activation() ? { activation: activation() } : {}) } });
        break;
      }
      case 'RELU':
        output(op, { op: 'Relu', inputs: [name(op.inputs[0]!)] });
        break;
      case 'ADD': {
        const [a, b] = op.inputs as [number, number];
        const operand = (t: number) => {
          const data = constant(t);
          if (data === undefined) return name(t);
          // A constant operand: per-channel (the last TFLite axis = our channel axis) or a scalar.
          if (!(data instanceof Float32Array) || (data.length !== 1 && data.length !== tensors[op.outputs[0]!]!.shape.at(-1))) fail(op, `constant operand '${name(t)}' must be a float scalar or per-channel vector`);
          const shape = rank(op.outputs[0]!) === 4 && data.length > 1 ? [data.length, 1, 1] : [data.length];
          return addWeight(name(t), shape, (data as Float32Array).slice());
        };
        output(op, { op: 'Add', inputs: [operand(a), operand(b)], attrs: activation() ? { activation: activation() } : {} });
        break;
      }
      case 'RESHAPE': {
        const x = op.inputs[0]!;
        const target = tensors[op.outputs[0]!]!.shape;
        const outName = name(op.outputs[0]!);
        let input = name(x);
        // Our 4-D tensors are NCHW: go back to TFLite's element order (NHWC) before reshaping.
        if (rank(x) === 4) {
          const nhwc = `${outName}/to_nhwc`;
          nodes.push({ name: nhwc, op: 'Transpose', inputs: [input], outputs: [nhwc], attrs: { perm: transposed ? [0, 3, 2, 1] : [0, 2, 3, 1] } });
          input = nhwc;
        }
        // Dim 0 stays the batch (0 copies it), whatever the file says.
        const shape = target.map((d, i) => (i === 0 ? 0 : d));
        if (target.length === 4) {
          const flat = `${outName}/nhwc`;
          nodes.push({ name: flat, op: 'Reshape', inputs: [input], outputs: [flat], attrs: { shape } });
          output(op, { op: 'Transpose', inputs: [flat], attrs: { perm: transposed ? [0, 3, 2, 1] : [0, 3, 1, 2] } });
        } else {
          output(op, { op: 'Reshape', inputs: [input], attrs: { shape } });
        }
        notes.push(`${outName}: RESHAPE of ${rank(x) === 4 ? 'an NHWC tensor (transposed back to TFLite order first)' : 'a tensor'} to [${target}]`);
        break;
      }
      case 'CONCATENATION': {
        if (activation()) fail(op, 'fused activation on a concatenation is not supported');
        const r = rank(op.outputs[0]!);
        const raw = Number(o.axis);
        const axis = raw < 0 ? raw + r : raw;
        // NHWC axis -> NCHW axis for 4-D tensors.
        const ours = r === 4 ? (transposed ? [0, 3, 2, 1] : [0, 2, 3, 1])[axis]! : axis;
        op.inputs.forEach((t) => constant(t) !== undefined && fail(op, `constant input '${name(t)}' is not supported`));
        output(op, { op: 'Concat', inputs: op.inputs.map(name), attrs: { axis: ours } });
        break;
      }
      case 'RELU6':
        output(op, { op: 'Clip', inputs: [name(op.inputs[0]!)], attrs: { min: 0, max: 6 } });
        break;
      case 'LOGISTIC':
        output(op, { op: 'Sigmoid', inputs: [name(op.inputs[0]!)] });
        break;
      case 'SOFTMAX':
        if (o.beta !== 1) fail(op, `softmax beta ${o.beta} is not supported (only 1)`);
        output(op, { op: 'Softmax', inputs: [name(op.inputs[0]!)], attrs: { axis: rank(op.inputs[0]!) === 4 ? 1 : -1 } });
        break;
      case 'PRELU': {
        const slope = floatConst(op, op.inputs[1]!, 'alpha');
        if (slope.length !== tensors[op.inputs[1]!]!.shape.at(-1)) fail(op, 'only a per-channel alpha is supported');
        output(op, { op: 'PRelu', inputs: [name(op.inputs[0]!), addWeight(name(op.inputs[1]!), [slope.length], slope.slice())] });
        break;
      }
      default:
        fail(op, `op ${op.op} is not supported by the TFLite importer (supported: ${SUPPORTED_TFLITE_OPS.join(', ')})`);
    }
  }

  const input = tensors[sg.inputs[0]!]!;
  if (sg.inputs.length !== 1 || input.shape.length !== 4) fail(undefined, `expected one NHWC image input, got ${sg.inputs.map((t) => `${name(t)} ${JSON.stringify(tensors[t]!.shape)}`).join(', ')}`);
  const [, a, b, c] = input.shape as [number, number, number, number];
  const [h, w] = hw(a, b);
  const inputShape: Array<number | string> = ['batch', c, options.dynamicSpatial ? 'height' : h, options.dynamicSpatial ? 'width' : w];
  correspondences.unshift({ tflite: input.name, ours: input.name, layout: 'nhwc' });
  if (transposed) notes.unshift('spatial axes: the TFLite graph takes [N, W, H, C] (x and y swapped); kernels, strides and windows are transposed so this graph takes [N, C, H, W]');
  return {
    graph: {
      name: options.name ?? file.split('/').pop()!.replace(/\.tflite$/, ''),
      inputs: [{ name: input.name, shape: inputShape }],
      outputs: sg.outputs.map(name),
      nodes,
      weights,
    },
    correspondences,
    notes,
  };
}

/** TFLite tensor -> our layout (for comparisons): NHWC [n, a, b, c] -> NCHW with the spatial option. */
export function tfliteToOurLayout(t: { shape: number[]; data: ArrayLike<number> }, spatial: 'hw' | 'transposed'): { shape: number[]; data: Float64Array } {
  if (t.shape.length !== 4) return { shape: [...t.shape], data: Float64Array.from(t.data) };
  const [n, A, B, C] = t.shape as [number, number, number, number];
  const [H, W] = spatial === 'transposed' ? [B, A] : [A, B];
  const out = new Float64Array(n * A * B * C);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < A; a++)
      for (let b = 0; b < B; b++)
        for (let c = 0; c < C; c++) {
          const [y, x] = spatial === 'transposed' ? [b, a] : [a, b];
          out[((i * C + c) * H + y) * W + x] = t.data[((i * A + a) * B + b) * C + c]!;
        }
  return { shape: [n, C, H, W], data: out };
}

export type { TfliteTensor };
