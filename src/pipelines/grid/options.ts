// Options of the grid/anchor detectors: one flat object, each model supplying its defaults (the
// conventions of the library it reproduces), the caller overriding any of them.
import type { CommonDetectOptions } from '../floor/batch.js';
import type { Placement, Sampling } from '../floor/resize.js';

/** 'none': no suppression, the best maxDet candidates (CenterNet's own decode). */
export type NmsKind = 'greedy' | 'soft' | 'weighted' | 'none';

export interface GridOptions {
  /** Network input size. */
  inputWidth: number;
  inputHeight: number;
  /** YOLO / direct heads: decode on an S x S grid (the head is resampled when its grid differs). */
  grid?: number;
  /** How the image is placed in the input and sampled (floor/resize.ts). */
  placement: Placement;
  sampling: Sampling;
  /** value = (v * scale - mean[c]) / std[c], v in 0..255, in the channel order fed. */
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  channelOrder: 'rgb' | 'bgr';
  /** Colour of letterbox/pad areas, 0..255 RGB. */
  pad: [number, number, number];
  /** Confidence threshold; `inclusive`: keep scores equal to it (>=) instead of above it (>). */
  conf: number;
  inclusive: boolean;
  /** NMS: IoU threshold, method, soft-NMS decay, detections kept per image, classes apart or not. */
  iou: number;
  nms: NmsKind;
  softMethod: 'linear' | 'gaussian';
  sigma: number;
  maxDet: number;
  agnostic: boolean;
  /** Every class above the threshold is a candidate (otherwise only the best class of a box). */
  multiLabel: boolean;
  /** Candidates kept per image before NMS (lists grow to what the GPU counts, up to this). */
  maxCandidates: number;
}

export interface GridDetectOptions extends Partial<GridOptions>, CommonDetectOptions {
  /** Also return the candidates before NMS (with the count). */
  stages?: boolean;
}

/** Upper bound of maxCandidates: the keep scan holds one bit per candidate in 8 KiB. */
export const MAX_CANDIDATES = 65536;

export function resolveGridOptions(model: string, defaults: GridOptions, input: Partial<GridOptions> = {}): GridOptions {
  const o: GridOptions = { ...defaults, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  const bad = (what: string, v: unknown): never => {
    throw new RangeError(`${model} option ${what} = ${JSON.stringify(v)} is invalid`);
  };
  const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;
  if (!positiveInt(o.inputWidth) || !positiveInt(o.inputHeight)) bad('input size (positive integers)', [o.inputWidth, o.inputHeight]);
  if (o.grid !== undefined && !positiveInt(o.grid)) bad('grid (a positive integer)', o.grid);
  if (!['stretch', 'letterbox', 'pad'].includes(o.placement)) bad("placement ('stretch', 'letterbox' or 'pad')", o.placement);
  if (!['half-pixel', 'asymmetric'].includes(o.sampling)) bad("sampling ('half-pixel' or 'asymmetric')", o.sampling);
  if (!(Number.isFinite(o.scale) && o.scale !== 0)) bad('scale (a non-zero number)', o.scale);
  if (o.mean.length !== 3 || o.mean.some((v) => !Number.isFinite(v))) bad('mean (three numbers)', o.mean);
  if (o.std.length !== 3 || o.std.some((v) => !(Number.isFinite(v) && v !== 0))) bad('std (three non-zero numbers)', o.std);
  if (o.channelOrder !== 'rgb' && o.channelOrder !== 'bgr') bad("channelOrder ('rgb' or 'bgr')", o.channelOrder);
  if (!(o.conf >= 0 && o.conf < 1)) bad('conf (in [0, 1))', o.conf);
  if (!(o.iou > 0 && o.iou <= 1)) bad('iou (in (0, 1])', o.iou);
  if (!['greedy', 'soft', 'weighted', 'none'].includes(o.nms)) bad("nms ('greedy', 'soft', 'weighted' or 'none')", o.nms);
  if (o.softMethod !== 'linear' && o.softMethod !== 'gaussian') bad("softMethod ('linear' or 'gaussian')", o.softMethod);
  if (!(o.sigma > 0)) bad('sigma (> 0)', o.sigma);
  if (!positiveInt(o.maxDet) || o.maxDet > MAX_CANDIDATES) bad(`maxDet (1..${MAX_CANDIDATES})`, o.maxDet);
  if (!positiveInt(o.maxCandidates) || o.maxCandidates > MAX_CANDIDATES) bad(`maxCandidates (1..${MAX_CANDIDATES})`, o.maxCandidates);
  return o;
}
