import { roundHalfEven } from './geometry.js';

// DB text detection options: PaddleOCR's detection defaults (tools/infer/utility.py and
// ppocr/postprocess/db_postprocess.py) unless noted.

export interface TextDetOptions {
  /** Resize so the longer side is at most this (PaddleOCR limit_type 'max'), then round to 32. */
  limitSideLen: number;
  /** Channel order fed to the network: PaddleOCR decodes with OpenCV, i.e. BGR. */
  channelOrder: 'bgr' | 'rgb';
  /** Per-channel mean/std applied after scaling to [0, 1], in the order the channels are fed. */
  mean: [number, number, number];
  std: [number, number, number];
  /** Binarization of the probability map (pred > threshold). */
  threshold: number;
  /**
   * Dilate the binary map by a dilation x dilation square before labelling (0 or 1: off). PaddleOCR's
   * use_dilation is 2; large values merge neighbouring lines (the tests use that to show that
   * merged output is caught).
   */
  dilation: number;
  /** Minimum mean probability inside a box. */
  boxThreshold: number;
  /** Minimum short side of a box before unclipping (PaddleOCR min_size; +2 after). */
  minSize: number;
  unclipRatio: number;
  /** At most this many components (in raster order of their first pixel) become candidates. */
  maxCandidates: number;
}

export const DEFAULT_TEXTDET_OPTIONS: Readonly<TextDetOptions> = {
  limitSideLen: 960,
  channelOrder: 'bgr',
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  threshold: 0.3,
  dilation: 0,
  boxThreshold: 0.6,
  minSize: 3,
  unclipRatio: 1.5,
  maxCandidates: 1000,
};

export function resolveTextDetOptions(input: Partial<TextDetOptions> = {}): TextDetOptions {
  const o = { ...DEFAULT_TEXTDET_OPTIONS, ...input } as TextDetOptions;
  const bad = (what: string, v: unknown) => {
    throw new RangeError(`text detection option ${what} = ${JSON.stringify(v)} is invalid`);
  };
  if (!(Number.isInteger(o.limitSideLen) && o.limitSideLen >= 32)) bad('limitSideLen (an integer >= 32)', o.limitSideLen);
  if (o.channelOrder !== 'bgr' && o.channelOrder !== 'rgb') bad("channelOrder ('bgr' or 'rgb')", o.channelOrder);
  if (!(o.threshold > 0 && o.threshold < 1)) bad('threshold (in (0, 1))', o.threshold);
  if (!(Number.isInteger(o.dilation) && o.dilation >= 0 && o.dilation <= 63)) bad('dilation (an integer in 0..63)', o.dilation);
  if (!(o.boxThreshold >= 0 && o.boxThreshold <= 1)) bad('boxThreshold (in [0, 1])', o.boxThreshold);
  if (!(o.minSize >= 0)) bad('minSize (>= 0)', o.minSize);
  if (!(o.unclipRatio > 0)) bad('unclipRatio (> 0)', o.unclipRatio);
  if (!(Number.isInteger(o.maxCandidates) && o.maxCandidates >= 1)) bad('maxCandidates (a positive integer)', o.maxCandidates);
  return o;
}

/** PaddleOCR DetResizeForTest (limit_type 'max'): the network input size for an image. */
export function networkSize(width: number, height: number, limitSideLen: number): { width: number; height: number } {
  const ratio = Math.max(width, height) > limitSideLen ? limitSideLen / Math.max(width, height) : 1;
  // Python's round() (in PaddleOCR) rounds halves to even.
  const round32 = (v: number) => Math.max(roundHalfEven(Math.trunc(v * ratio) / 32) * 32, 32);
  return { width: round32(width), height: round32(height) };
}
