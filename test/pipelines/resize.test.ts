// The table-driven bilinear resize (floor/resize.ts, shaders/image/resize_bilinear.wgsl) against its
// CPU reference for every placement and sampling, and the gathered upload (only the sampled rows and
// columns) against the whole image: bit for bit the same network input.
import { describe, expect, it } from 'vitest';
import { encodeStep } from '../../src/gpu/kernel.js';
import { bilinearResize } from '../../src/pipelines/floor/image-kernels.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';
import { packSources, uploadPixels, wholeImage } from '../../src/pipelines/floor/pixels.js';
import { gather, packAxisTables, planResize, resizeReference, type Normalization, type Placement, type Sampling } from '../../src/pipelines/floor/resize.js';
import { freshSeed, gpu, relativeError, rng } from '../helpers/gpu.js';

function randomImage(random: () => number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(256 * random());
  return { width, height, data };
}

const NORM: Normalization = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], invStd: [1 / 0.229, 1 / 0.224, 1 / 0.225], channelOrder: 'bgr', pad: [114, 114, 114] };

async function resizeOnGpu(image: RgbImage, plan: ReturnType<typeof planResize>, gathered: boolean): Promise<Float32Array> {
  const ctx = await gpu();
  const { source, plan: p } = gathered ? gather(image, plan) : { source: wholeImage(image), plan };
  const keep: GPUBuffer[] = [];
  const pixels = uploadPixels(ctx, packSources([source]), 'resize test', (b) => (keep.push(b), b));
  const tables = ctx.uploadBuffer('tables', packAxisTables(p));
  const output = ctx.storageBuffer('out', 3 * plan.outWidth * plan.outHeight * 4);
  ctx.device.queue.writeBuffer(output, 0, new Float32Array(3 * plan.outWidth * plan.outHeight).fill(Number.NaN));
  const step = await bilinearResize(ctx, 'resize test', { image: 0, width: plan.outWidth, height: plan.outHeight, xTable: 0, yTable: plan.outWidth, outOffset: 0, norm: NORM }, { pixels, tables, output });
  const encoder = ctx.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  encodeStep(pass, step);
  pass.end();
  const [out] = await ctx.readback([{ buffer: output, size: output.size }], 'resize test', encoder);
  return new Float32Array(out!);
}

describe('bilinear resize from axis tables', () => {
  const cases: Array<[Placement, Sampling, number, number, number, number]> = [
    ['stretch', 'half-pixel', 157, 93, 64, 48],
    ['stretch', 'half-pixel', 20, 13, 64, 32],
    ['letterbox', 'half-pixel', 157, 93, 96, 96],
    ['letterbox', 'half-pixel', 40, 130, 64, 64],
    ['pad', 'asymmetric', 157, 93, 96, 96],
    ['pad', 'asymmetric', 61, 140, 64, 64],
  ];
  for (const [placement, sampling, w, h, ow, oh] of cases) {
    it(`${placement}, ${sampling}: ${w}x${h} -> ${ow}x${oh} equals the float64 reference; gathered upload identical`, async () => {
      const seed = freshSeed();
      const image = randomImage(rng(seed), w, h);
      const plan = planResize(w, h, { outWidth: ow, outHeight: oh, placement, sampling });
      const whole = await resizeOnGpu(image, plan, false);
      const expected = resizeReference(image, plan, NORM);
      const err = relativeError(whole, expected);
      expect(err, `seed ${seed}`).toBeLessThanOrEqual(1e-6);
      const gathered = await resizeOnGpu(image, plan, true);
      expect(Array.from(gathered)).toEqual(Array.from(whole));
      console.log(`${placement}/${sampling} ${w}x${h} -> ${ow}x${oh}: rel.err ${err.toExponential(2)}, gathered == whole (seed ${seed})`);
    });
  }

  it('a 6000 x 4000 image into 416 x 416: under 4 x 416 x 416 of its 24M pixels uploaded, the same input as the whole image', async () => {
    const seed = freshSeed();
    const image = randomImage(rng(seed), 6000, 4000);
    const plan = planResize(6000, 4000, { outWidth: 416, outHeight: 416, placement: 'letterbox', sampling: 'half-pixel' });
    const { source } = gather(image, plan);
    const gathered = await resizeOnGpu(image, plan, true);
    const whole = await resizeOnGpu(image, plan, false);
    expect(Array.from(gathered)).toEqual(Array.from(whole));
    console.log(`6000x4000 -> 416x416 letterbox: gathered ${source.width}x${source.height} = ${source.width * source.height} pixels instead of ${6000 * 4000}`);
    expect(source.width * source.height).toBeLessThan(4 * 416 * 416);
  });
});

describe('resize plans map network coordinates back to the image', () => {
  it('stretch, letterbox and pad: the centre of content output pixel k maps to its source position', () => {
    for (const placement of ['stretch', 'letterbox', 'pad'] as const) {
      for (const [w, h] of [[640, 480], [300, 900], [416, 416]] as const) {
        const W = 416;
        const H = 320;
        const plan = planResize(w, h, { outWidth: W, outHeight: H, placement, sampling: 'half-pixel' });
        const t = plan.toImage;
        if (placement === 'pad') {
          // face-api.js's correction: inputSize / round(size * inputSize / side) per axis.
          const side = Math.max(w, h);
          expect(t.scaleX).toBeCloseTo(W / Math.round((w * W) / side), 12);
          expect(t.scaleY).toBeCloseTo(H / Math.round((h * H) / side), 12);
          continue;
        }
        // The first and last content columns/rows (not PAD) sample the image's first and last pixels.
        const firstX = plan.x.i0.findIndex((v) => v !== 0xffffffff);
        const lastX = plan.x.i0.length - 1 - [...plan.x.i0].reverse().findIndex((v) => v !== 0xffffffff);
        const u = (k: number) => k / W;
        // A box spanning the content columns maps to the whole image width.
        expect((u(firstX) * t.scaleX + t.offsetX) * w).toBeCloseTo(0, 6);
        expect((u(lastX + 1) * t.scaleX + t.offsetX) * w).toBeCloseTo(w, 6);
        const firstY = plan.y.i0.findIndex((v) => v !== 0xffffffff);
        const lastY = plan.y.i0.length - 1 - [...plan.y.i0].reverse().findIndex((v) => v !== 0xffffffff);
        expect(((firstY / H) * t.scaleY + t.offsetY) * h).toBeCloseTo(0, 6);
        expect((((lastY + 1) / H) * t.scaleY + t.offsetY) * h).toBeCloseTo(h, 6);
      }
    }
  });
});
