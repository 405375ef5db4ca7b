// The whole grid/anchor pipeline on the CPU: the same resize tables (floor/resize.ts) sampled in
// float64, the network through the ops' CPU references, decoding and NMS from reference.ts. The
// GPU detector's test reference.
import { runReference } from '../../graph/reference.js';
import type { Precision } from '../../ops/types.js';
import type { RgbImage } from '../floor/image.js';
import { resizeReference } from '../floor/resize.js';
import { gridInputPlan, gridNormalization } from './detector.js';
import type { GridOptions } from './options.js';
import { decodeReference, nmsReference, type Candidate, type DecodeSpec } from './reference.js';
import type { GridModel } from './types.js';

export interface GridReferenceResult {
  candidates: Candidate[];
  kept: Candidate[];
}

/** The network's outputs for one input [1, 3, H, W] (by default the ops' CPU references). */
export type NetworkRunner = (input: Float64Array, shape: number[]) => Map<string, { shape: number[]; data: ArrayLike<number> }>;

export function detectGridReference(image: RgbImage, model: GridModel, o: GridOptions, precision: Precision = 'f32', network?: NetworkRunner): GridReferenceResult {
  const plan = gridInputPlan(image.width, image.height, o);
  const input = resizeReference(image, plan, gridNormalization(o));
  const shape = [1, 3, o.inputHeight, o.inputWidth];
  const values = network ? network(input, shape) : runReference(model.graph, { [model.graph.inputs[0]!.name]: { shape, data: input } }, precision);
  const head = values.get(model.head)!;
  const s = model.spec;
  const spec: DecodeSpec =
    s.kind === 'ssd' ? s : s.kind === 'centernet' ? { ...s, inputWidth: o.inputWidth, inputHeight: o.inputHeight } : { ...s, grid: o.grid ?? head.shape[3]! };
  const t = plan.toImage;
  const affine = { ax: t.scaleX * image.width, bx: t.offsetX * image.width, ay: t.scaleY * image.height, by: t.offsetY * image.height };
  const candidates = decodeReference(spec, { shape: head.shape, data: Float32Array.from(head.data) }, model.logits || model.sizes ? Float32Array.from(values.get((model.logits ?? model.sizes)!)!.data) : undefined, 0, affine, {
    threshold: o.conf,
    inclusive: o.inclusive,
    multiLabel: o.multiLabel,
  });
  const method = o.nms === 'soft' ? (o.softMethod === 'gaussian' ? 'soft-gaussian' : 'soft-linear') : o.nms;
  const kept = nmsReference(candidates, { iou: o.iou, method, maxDet: o.maxDet, agnostic: o.agnostic, inclusive: false, scoreThreshold: o.conf, sigma: o.sigma });
  return { candidates, kept };
}
