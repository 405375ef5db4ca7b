// DB post-processing on the CPU (float64), written from PaddleOCR's db_postprocess.py and the
// conventions documented in README: the test reference of the GPU kernels. Input: the probability
// map of the network; output: boxes in original-image pixels.
import { convexHull, growRect, insideConvex, minAreaRect, orderCorners, rectCorners, rectHeight, rectWidth, roundHalfEven, type Point } from './geometry.js';
import type { TextDetOptions } from './options.js';
import type { TextBox } from './types.js';

/**
 * An RGB image already at the network size as the network takes it: [3, H, W], channels in the
 * options' order, (v / 255 - mean[c]) / std[c] (the normalization of shaders/image/resize_bilinear.wgsl).
 */
export function normalizeForNetwork(rgb: ArrayLike<number>, width: number, height: number, o: Pick<TextDetOptions, 'channelOrder' | 'mean' | 'std'>): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const source = o.channelOrder === 'bgr' ? 2 - c : c;
    for (let i = 0; i < plane; i++) out[c * plane + i] = (rgb[3 * i + source]! / 255 - o.mean[c]!) / o.std[c]!;
  }
  return out;
}

/** prob > threshold, dilated by a k x k square when k >= 2 (OpenCV's dilate, anchor at the centre). */
export function binarize(prob: ArrayLike<number>, width: number, height: number, threshold: number, dilation: number): Uint8Array {
  const on = Uint8Array.from({ length: width * height }, (_, i) => (prob[i]! > threshold ? 1 : 0));
  if (dilation < 2) return on;
  const anchor = Math.floor(dilation / 2);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let dy = -anchor; dy < dilation - anchor && !out[y * width + x]; dy++)
        for (let dx = -anchor; dx < dilation - anchor; dx++) {
          const sx = x + dx;
          const sy = y + dy;
          if (sx >= 0 && sy >= 0 && sx < width && sy < height && on[sy * width + sx]) {
            out[y * width + x] = 1;
            break;
          }
        }
  return out;
}

/** 8-connected components of the binary map; labels are 0.. in raster order of first pixels (-1: background). */
export function labelComponents(bitmap: ArrayLike<number>, width: number, height: number): { labels: Int32Array; count: number } {
  const labels = new Int32Array(width * height).fill(-1);
  let count = 0;
  const stack: number[] = [];
  for (let start = 0; start < width * height; start++) {
    if (labels[start] !== -1 || !bitmap[start]) continue;
    labels[start] = count;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (labels[q] === -1 && bitmap[q]) {
            labels[q] = count;
            stack.push(q);
          }
        }
    }
    count++;
  }
  return { labels, count };
}

export interface ReferenceBox extends TextBox {
  /** Component index (raster order). */
  component: number;
}

export function dbPostprocessReference(
  prob: ArrayLike<number>,
  width: number,
  height: number,
  dest: { width: number; height: number },
  o: TextDetOptions,
): { boxes: ReferenceBox[]; components: number } {
  const { labels, count } = labelComponents(binarize(prob, width, height, o.threshold, o.dilation), width, height);
  const rows = Array.from({ length: Math.min(count, o.maxCandidates) }, () => new Map<number, [number, number]>());
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (c < 0 || c >= rows.length) continue;
    const x = i % width;
    const y = (i - x) / width;
    const r = rows[c]!.get(y);
    if (!r) rows[c]!.set(y, [x, x]);
    else {
      r[0] = Math.min(r[0], x);
      r[1] = Math.max(r[1], x);
    }
  }
  const boxes: ReferenceBox[] = [];
  rows.forEach((byRow, component) => {
    const points: Point[] = [];
    for (const [y, [x0, x1]] of byRow) points.push([x0, y], [x1, y]);
    const rect = minAreaRect(convexHull(points));
    if (Math.min(rectWidth(rect), rectHeight(rect)) < o.minSize) return;
    const box = orderCorners(rectCorners(rect));
    // Score: mean probability over the pixels of the box (PaddleOCR box_score_fast, fillPoly of the
    // integer-truncated corners inside the box's clipped bounding rectangle).
    const xs = box.map((p) => p[0]);
    const ys = box.map((p) => p[1]);
    const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
    const xmin = clamp(Math.floor(Math.min(...xs)), width - 1);
    const xmax = clamp(Math.ceil(Math.max(...xs)), width - 1);
    const ymin = clamp(Math.floor(Math.min(...ys)), height - 1);
    const ymax = clamp(Math.ceil(Math.max(...ys)), height - 1);
    const poly = box.map(([x, y]) => [Math.trunc(x - xmin), Math.trunc(y - ymin)] as Point);
    let sum = 0;
    let n = 0;
    for (let y = ymin; y <= ymax; y++)
      for (let x = xmin; x <= xmax; x++) {
        if (!insideConvex(poly, x - xmin, y - ymin)) continue;
        sum += prob[y * width + x]!;
        n++;
      }
    const score = n ? sum / n : 0;
    if (score < o.boxThreshold) return;
    const w = rectWidth(rect);
    const h = rectHeight(rect);
    const distance = (w * h * o.unclipRatio) / (2 * (w + h));
    const grown = growRect(rect, distance);
    if (Math.min(rectWidth(grown), rectHeight(grown)) < o.minSize + 2) return;
    const polygon = orderCorners(rectCorners(grown)).map(([x, y]) => [
      clamp(roundHalfEven((x / width) * dest.width), dest.width),
      clamp(roundHalfEven((y / height) * dest.height), dest.height),
    ] as [number, number]);
    boxes.push({ polygon, score, component });
  });
  return { boxes, components: count };
}
