// The big-image rule of MTCNN. A batch's pixels are bound as a few storage windows (floor/pixels.ts:
// 134 Mpx on lavapipe, 268 Mpx on SwiftShader); an image with more pixels than that is first reduced
// by the smallest integer factor k that fits, averaging k x k blocks (an exact area filter; the
// blocks at the right and bottom edges average the pixels they cover), and searched with
// minFaceSize / k (at least 12, PNet's cell). Boxes and landmarks are scaled back by k, so results
// are in original pixels; faces smaller than 12 k pixels are then not searched. The CPU reference
// applies the same rule through these functions.
import type { RgbImage } from '../floor/image.js';
import type { ImageDetections } from './types.js';

export interface PreparedImage {
  image: RgbImage;
  /** 1 when the image is used as it is. */
  factor: number;
  minFaceSize: number;
}

export function shrinkFactor(width: number, height: number, capacity: number): number {
  let k = 1;
  while (Math.ceil(width / k) * Math.ceil(height / k) > capacity) k++;
  return k;
}

export function shrinkImage(image: RgbImage, k: number): RgbImage {
  const width = Math.ceil(image.width / k);
  const height = Math.ceil(image.height / k);
  const data = new Uint8Array(width * height * 3);
  const sums = new Float64Array(width * 3);
  for (let by = 0; by < height; by++) {
    sums.fill(0);
    const y1 = Math.min(image.height, (by + 1) * k);
    for (let y = by * k; y < y1; y++) {
      const row = y * image.width * 3;
      for (let x = 0; x < image.width; x++) {
        const b = Math.floor(x / k) * 3;
        const p = row + 3 * x;
        sums[b] = sums[b]! + image.data[p]!;
        sums[b + 1] = sums[b + 1]! + image.data[p + 1]!;
        sums[b + 2] = sums[b + 2]! + image.data[p + 2]!;
      }
    }
    const rows = y1 - by * k;
    for (let bx = 0; bx < width; bx++) {
      const n = rows * (Math.min(image.width, (bx + 1) * k) - bx * k);
      for (let c = 0; c < 3; c++) data[(by * width + bx) * 3 + c] = Math.round(sums[3 * bx + c]! / n);
    }
  }
  return { width, height, data };
}

export function prepareImage(image: RgbImage, capacity: number, minFaceSize: number): PreparedImage {
  const k = shrinkFactor(image.width, image.height, capacity);
  if (k === 1) return { image, factor: 1, minFaceSize };
  return { image: shrinkImage(image, k), factor: k, minFaceSize: Math.max(12, minFaceSize / k) };
}

/** Detections on a shrunk image -> original pixels (boxes are [x, y, w, h], 0-based). */
export function unshrink(result: ImageDetections, original: RgbImage, prepared: PreparedImage): ImageDetections {
  if (prepared.factor === 1) return result;
  const k = prepared.factor;
  return {
    ...result,
    width: original.width,
    height: original.height,
    shrunk: { factor: k, minFaceSize: prepared.minFaceSize },
    faces: result.faces.map((f) => ({ ...f, box: f.box.map((v) => v * k) as typeof f.box, landmarks: f.landmarks.map(([x, y]) => [x * k, y * k] as [number, number]) })),
  };
}
