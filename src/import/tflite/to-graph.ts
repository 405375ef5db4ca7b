// TFLite subgraph -> webgpu-detect Graph (NCHW): the driver. Each operator goes through its
// converter (ops.ts; weights re-laid out at load), two idioms the TensorFlow 1 converter leaves
// expanded are collapsed first (idioms.ts), float16 constants behind DEQUANTIZE are folded
// (context.ts). Anything else outside the supported set fails with the op, the operator index,
// the tensor and the file named.
//
// `spatial: 'transposed'` is for networks fed with images whose x and y are swapped (facenet's
// TensorFlow port of the Caffe MTCNN takes [N, W, H, C]): the graph is re-expressed so that it takes
// the image in natural [N, C, H, W] order, by transposing every spatial kernel, stride and window and
// permuting fully connected weights to match the flatten order.
import type { Graph } from '../../graph/types.js';
import { ImportContext, TfliteImportError, type TensorCorrespondence } from './context.js';
import { findIdioms } from './idioms.js';
import { CONVERTERS } from './ops.js';
import type { TfliteModel, TfliteTensor } from './reader.js';

export { TfliteImportError, type TensorCorrespondence };

export interface TfliteImportOptions {
  /** 'hw' (TFLite NHWC = [n, h, w, c]) or 'transposed' (TFLite [n, w, h, c]). Default 'hw'. */
  spatial?: 'hw' | 'transposed';
  /** Make the input's height and width symbolic (fully convolutional networks). */
  dynamicSpatial?: boolean;
  /** Graph name (default: the file name). */
  name?: string;
}

export interface TfliteImport {
  graph: Graph;
  correspondences: TensorCorrespondence[];
  /** One line per idiom collapsed or layout decision, for the provenance notes. */
  notes: string[];
}

export const SUPPORTED_TFLITE_OPS = [
  ...Object.keys(CONVERTERS),
  'DEQUANTIZE (of float16 constants, folded at load)',
  'PReLU idiom (RELU/NEG/RELU/NEG/MUL/ADD)',
  'softmax idiom (REDUCE_MAX/SUB/EXP/SUM/DIV)',
];

export function tfliteToGraph(model: TfliteModel, options: TfliteImportOptions = {}): TfliteImport {
  const ctx = new ImportContext(model, options.spatial === 'transposed');
  const idioms = findIdioms(ctx);
  for (const op of ctx.sg.operators) {
    const idiom = idioms.get(op);
    if (idiom) idiom();
    else if (!ctx.consumed.has(op)) {
      const convert = CONVERTERS[op.op];
      if (!convert) ctx.fail(op, `op ${op.op} is not supported by the TFLite importer (supported: ${SUPPORTED_TFLITE_OPS.join(', ')})`);
      convert!(ctx, op);
    }
  }
  return { graph: graphOf(ctx, options), correspondences: ctx.correspondences, notes: ctx.notes };
}

/** The graph around the converted nodes: its one NHWC image input as [batch, C, H, W]. */
function graphOf(ctx: ImportContext, options: TfliteImportOptions): Graph {
  const sg = ctx.sg;
  const input = sg.tensors[sg.inputs[0]!]!;
  if (sg.inputs.length !== 1 || input.shape.length !== 4) ctx.fail(undefined, `expected one NHWC image input, got ${sg.inputs.map((t) => `${ctx.name(t)} ${JSON.stringify(ctx.shape(t))}`).join(', ')}`);
  const [, a, b, c] = input.shape as [number, number, number, number];
  const [h, w] = ctx.hw(a, b);
  const inputShape: Array<number | string> = ['batch', c, options.dynamicSpatial ? 'height' : h, options.dynamicSpatial ? 'width' : w];
  ctx.correspondences.unshift({ tflite: input.name, ours: input.name, layout: 'nhwc' });
  if (ctx.transposed) ctx.notes.unshift('spatial axes: the TFLite graph takes [N, W, H, C] (x and y swapped); kernels, strides and windows are transposed so this graph takes [N, C, H, W]');
  return {
    name: options.name ?? ctx.file.split('/').pop()!.replace(/\.tflite$/, ''),
    inputs: [{ name: input.name, shape: inputShape }],
    outputs: sg.outputs.map((t) => ctx.name(t)),
    nodes: ctx.nodes,
    weights: ctx.weights,
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
