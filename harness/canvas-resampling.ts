// Evidence for the 'bilinear-canvas' resampling convention: Chromium's canvas drawImage against the
// model in shaders/image/resample_bilinear.wgsl (CPU reference: resampleBilinear) and against two
// simpler models, on noise images of many sizes drawn to 24 x 24 and 48 x 48 (RNet/ONet crops).
// Prints, per model, how many 8-bit values differ from the canvas and the largest difference.
// Run: node --import tsx harness/canvas-resampling.ts
import { openCanvasOracle } from '../src/io/chromium-canvas.js';
import type { RgbImage } from '../src/pipelines/floor/image.js';
import { resampleBilinear } from '../src/pipelines/mtcnn/reference.js';

function noise(width: number, height: number, seed: number): RgbImage {
  let s = seed >>> 0;
  const data = new Uint8Array(width * height * 3).map(() => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24));
  return { width, height, data };
}

/** Half-pixel bilinear with float positions and weights, rounded (what one would guess). */
function naive(im: RgbImage, W: number, H: number, quantize: boolean): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  const tap = (d: number, out: number, size: number) => {
    const f = Math.min(Math.max((d + 0.5) * (size / out) - 0.5, 0), size - 1);
    const a = Math.floor(f);
    const w = quantize ? Math.floor((f - a) * 16) / 16 : f - a;
    return [a, Math.min(a + 1, size - 1), w] as const;
  };
  for (let y = 0; y < H; y++) {
    const [y0, y1, wy] = tap(y, H, im.height);
    for (let x = 0; x < W; x++) {
      const [x0, x1, wx] = tap(x, W, im.width);
      for (let c = 0; c < 3; c++) {
        const p = (xx: number, yy: number) => im.data[(yy * im.width + xx) * 3 + c]!;
        const v = (p(x0, y0) * (1 - wx) + p(x1, y0) * wx) * (1 - wy) + (p(x0, y1) * (1 - wx) + p(x1, y1) * wx) * wy;
        out[(y * W + x) * 3 + c] = quantize ? Math.floor(v) : Math.round(v);
      }
    }
  }
  return out;
}

const oracle = await openCanvasOracle();
const sizes: Array<[number, number]> = [[7, 300], [13, 13], [19, 19], [23, 23], [30, 40], [47, 61], [60, 60], [100, 80], [161, 161], [200, 97], [335, 335], [341, 257]];
const models = { 'this project (resample_bilinear.wgsl CANVAS)': 0, 'half-pixel, float weights, rounded': 0, 'half-pixel, 1/16 weights, truncated, float positions': 0 };
const worst = { ...models };
let values = 0;
for (const [i, [w, h]] of sizes.entries()) {
  for (const side of [24, 48]) {
    const image = noise(w, h, 7 + i);
    const canvas = await oracle.draw(image, side, side);
    const ours = resampleBilinear(image, 0, 0, w, h, side, side, 'bilinear-canvas', 'f64');
    const plane = side * side;
    const candidates: Record<keyof typeof models, (p: number, c: number) => number> = {
      'this project (resample_bilinear.wgsl CANVAS)': (p, c) => Math.round(ours[c * plane + p]! / 0.0078125 + 127.5),
      'half-pixel, float weights, rounded': ((n) => (p: number, c: number) => n[3 * p + c]!)(naive(image, side, side, false)),
      'half-pixel, 1/16 weights, truncated, float positions': ((n) => (p: number, c: number) => n[3 * p + c]!)(naive(image, side, side, true)),
    };
    for (let p = 0; p < plane; p++)
      for (let c = 0; c < 3; c++) {
        values++;
        for (const [name, f] of Object.entries(candidates) as Array<[keyof typeof models, (p: number, c: number) => number]>) {
          const d = Math.abs(f(p, c) - canvas.data[3 * p + c]!);
          if (d) models[name]++;
          worst[name] = Math.max(worst[name], d);
        }
      }
  }
}
console.log(`${oracle.device}: ${sizes.length} noise images x (24 x 24, 48 x 48), ${values} 8-bit values`);
for (const name of Object.keys(models) as Array<keyof typeof models>) console.log(`  ${name}: ${models[name]} differ, largest difference ${worst[name]}`);
await oracle.close();
