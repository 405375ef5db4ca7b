// Spatial padding shared by Conv and MaxPool: explicit ONNX pads or auto_pad (SAME_UPPER/SAME_LOWER
// as TensorFlow/TFLite 'SAME', VALID). Resolved per input size, so a graph stays size-independent.
import { intList } from './tensor-utils.js';
import { ShapeError } from './types.js';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export function parseAutoPad(raw: unknown): AutoPad {
  const v = raw ?? 'NOTSET';
  if (v !== 'NOTSET' && v !== 'SAME_UPPER' && v !== 'SAME_LOWER' && v !== 'VALID') {
    throw new Error(`attribute 'auto_pad' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function parsePads(raw: unknown): [number, number, number, number] {
  const pads = raw === undefined ? [0, 0, 0, 0] : intList(raw, 'pads', 4);
  if (pads.some((p) => p < 0)) throw new Error(`attribute 'pads' must be >= 0, got ${JSON.stringify(pads)}`);
  return pads as [number, number, number, number];
}

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
}

/** [top, left, bottom, right] for an input of size [h, w]. */
export function resolvePads(
  input: [number, number],
  window: Window,
  autoPad: AutoPad,
  pads: [number, number, number, number],
): [number, number, number, number] {
  if (autoPad === 'NOTSET') return pads;
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  const out: number[] = [0, 0, 0, 0];
  for (let d = 0; d < 2; d++) {
    const extent = (window.kernel[d]! - 1) * window.dilations[d]! + 1;
    const outSize = Math.ceil(input[d]! / window.strides[d]!);
    const total = Math.max(0, (outSize - 1) * window.strides[d]! + extent - input[d]!);
    const small = Math.floor(total / 2);
    const [begin, end] = autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    out[d] = begin;
    out[d + 2] = end;
  }
  return out as [number, number, number, number];
}

/** Output size along one dim (floor, or ceil mode as in MaxPool ceil_mode=1). */
export function windowOutputSize(size: number, padBegin: number, padEnd: number, extent: number, stride: number, ceil: boolean, what: string): number {
  const span = size + padBegin + padEnd - extent;
  if (span < 0) throw new ShapeError(`${what}: window of extent ${extent} is larger than the padded input (${size} + ${padBegin} + ${padEnd})`);
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // Ceil mode (PyTorch/ONNX rule): the last window must start inside the input or the left padding.
  if (ceil && (out - 1) * stride >= size + padBegin) out--;
  return out;
}
