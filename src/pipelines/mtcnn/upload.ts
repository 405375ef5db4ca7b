// Packs a batch of RGB images into the layout of shaders/image/resample_area.wgsl: one u32 per pixel
// (R in the low byte), images one after another, and a table of (first pixel, width, height, 0).
import type { RgbImage } from './types.js';

export function packImages(images: readonly RgbImage[]): { pixels: Uint32Array; table: Uint32Array } {
  const total = images.reduce((s, im) => s + im.width * im.height, 0);
  const pixels = new Uint32Array(Math.max(1, total));
  const table = new Uint32Array(Math.max(1, images.length) * 4);
  let offset = 0;
  images.forEach((im, i) => {
    const n = im.width * im.height;
    if (im.data.length !== n * 3) throw new RangeError(`image ${i}: ${im.data.length} bytes for ${im.width}x${im.height} RGB (needs ${n * 3})`);
    const d = im.data;
    for (let p = 0; p < n; p++) pixels[offset + p] = d[3 * p]! | (d[3 * p + 1]! << 8) | (d[3 * p + 2]! << 16);
    table.set([offset, im.width, im.height, 0], i * 4);
    offset += n;
  });
  return { pixels, table };
}
