// MTCNN batches: empty stages, tiny images, images without faces, batch = single-image results,
// and the overflow-and-retry path of the GPU candidate lists.
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/io/node-image.js';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { MtcnnDetector } from '../../src/pipelines/mtcnn/detector.js';
import { resolveMtcnnOptions } from '../../src/pipelines/mtcnn/options.js';
import { detectFacesReference } from '../../src/pipelines/mtcnn/reference.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';
import { gpu } from '../helpers/gpu.js';
import { mtcnnDetector, mtcnnGraphs } from '../helpers/mtcnn.js';

function synthetic(width: number, height: number, f: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(f(x, y, c))));
  return { width, height, data };
}

const sample = (name: string) => clmtrackrSamples().find((f) => f.endsWith(`/${name}`))!;

describe('MTCNN edge cases', () => {
  it('tiny images (no pyramid level), a face-free image and a real photo in one batch', async () => {
    const ctx = await gpu();
    const detector = await mtcnnDetector();
    const photo = await decodeImage(sample('queen20_crop.jpg'));
    const tiny = synthetic(10, 8, (x, y) => 40 * x + 20 * y);
    const twelve = synthetic(12, 12, (x, y, c) => 100 + 10 * c + x - y);
    const noFace = synthetic(180, 140, (x, y, c) => 128 + 100 * Math.sin(x / 13 + c) * Math.cos(y / 17));
    const before = { ...ctx.stats };
    const { images, stats } = await detector.detect([tiny, photo, twelve, noFace], { stages: true });
    expect(ctx.stats.readbacks - before.readbacks).toBe(1);
    expect(ctx.stats.submits - before.submits).toBe(1);
    expect(images[0]!.stages).toEqual({ pnet: 0, rnet: 0, onet: 0, final: 0 });
    expect(images[0]!.faces).toEqual([]);
    expect(images[1]!.faces.length).toBe(1);
    const graphs = await mtcnnGraphs();
    const options = resolveMtcnnOptions();
    for (const i of [2, 3]) {
      const ref = detectFacesReference([tiny, photo, twelve, noFace][i]!, graphs, options, 'f32');
      expect(images[i]!.stages, `image ${i}`).toEqual(ref.stages);
      expect(images[i]!.faces).toEqual([]);
    }
    console.log(`tiny/photo/12px/no-face stages: ${images.map((r) => JSON.stringify(r.stages)).join(' ')}; ${stats.dispatches} dispatches, ${stats.gpuBytes} B`);
  });

  it('an image gives the same result alone, twice in a batch, and beside other sizes', async () => {
    const detector = await mtcnnDetector();
    const [a, b] = await Promise.all([decodeImage(sample('cage2_crop.jpg')), decodeImage(sample('vendetta.jpg'))]);
    const alone = (await detector.detect([a])).images[0]!;
    const batch = (await detector.detect([b, a, a])).images;
    expect(alone.faces.length).toBeGreaterThan(0);
    expect(batch[1]).toEqual(alone);
    expect(batch[2]).toEqual(alone);
  });

  it('candidate lists too small for the image: overflow is detected and the batch re-run with room', async () => {
    const ctx = await gpu();
    const tight = await MtcnnDetector.create(ctx, await mtcnnGraphs(), { pnetCapacity: 8, rnetCapacity: 4, onetCapacity: 1, rnetChunk: 16, onetChunk: 8 });
    const images = await Promise.all(['franck_02888.jpg', 'audrey.jpg'].map((f) => decodeImage(sample(f))));
    const roomy = await (await mtcnnDetector()).detect(images);
    const retried = await tight.detect(images);
    console.log(`tight capacities: ${retried.stats.retries} retries, ${retried.stats.readbacks} readbacks; stages ${retried.images.map((r) => JSON.stringify(r.stages)).join(' ')}`);
    expect(retried.stats.retries).toBeGreaterThan(0);
    expect(retried.images).toEqual(roomy.images);
  });

  it('rejects a malformed image and bad options with readable errors', async () => {
    const detector = await mtcnnDetector();
    await expect(detector.detect([{ width: 10, height: 10, data: new Uint8Array(7) }])).rejects.toThrow(/image 0: 10x10 with 7 bytes/);
    await expect(detector.detect([], { minFaceSize: 5 })).rejects.toThrow(/minFaceSize/);
    await expect(detector.detect([], { thresholds: [0.6, 2, 0.7] })).rejects.toThrow(/thresholds/);
    expect((await detector.detect([])).images).toEqual([]);
  });
});
