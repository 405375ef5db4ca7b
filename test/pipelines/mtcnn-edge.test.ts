// MTCNN batches: empty stages, tiny images, images without faces, batch = single-image results,
// and the overflow-and-retry path of the GPU candidate lists.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPackageDir } from '../../src/io/model-catalog.js';
import { decodeImage } from '../../src/io/node-image.js';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { MtcnnDetector } from '../../src/pipelines/mtcnn/detector.js';
import { resolveMtcnnOptions } from '../../src/pipelines/mtcnn/options.js';
import { detectFacesReference } from '../../src/pipelines/mtcnn/reference.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';
import { gpu } from '../helpers/gpu.js';
import { iou, mtcnnDetector, mtcnnGraphs } from '../helpers/mtcnn.js';

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

describe('MTCNN on images larger than the adapter binds', () => {
  it('PNet in tiles gives the faces of PNet on whole levels (levels of 1152 x 768 in 192-pixel tiles)', async () => {
    const ctx = await gpu();
    const whole = await mtcnnDetector();
    // 2 MiB per PNet tensor: tiles of about 220 x 220 pixels.
    const tiled = await MtcnnDetector.create(ctx, await mtcnnGraphs(), { pnetTileBytes: 2 * 1024 * 1024 });
    expect(tiled.tileSize).toBeLessThan(300);
    const images = await Promise.all(['franck_02888.jpg', 'audrey.jpg'].map((f) => decodeImage(sample(f))));
    images.push(await decodeImage(join(findPackageDir('@vladmandic/face-api')!, 'demo', 'sample3.jpg')));
    const a = await whole.detect(images, { stages: true });
    const b = await tiled.detect(images, { stages: true });
    console.log(`tile ${tiled.tileSize} px: ${b.stats.dispatches} dispatches vs ${a.stats.dispatches} whole; stages ${b.images.map((r) => JSON.stringify(r.stages)).join(' ')}`);
    images.forEach((_, i) => {
      // Same candidates (keys) at every stage; boxes and scores equal up to the convolutions'
      // summation order, which depends on the compiled size.
      for (const stage of ['pnet', 'rnet', 'onet', 'final'] as const) {
        expect(b.images[i]!.candidates![stage].map((c) => c.key), `image ${i} ${stage}`).toEqual(a.images[i]!.candidates![stage].map((c) => c.key));
      }
      b.images[i]!.faces.forEach((f, k) => expect(iou(f.box, a.images[i]!.faces[k]!.box)).toBeGreaterThanOrEqual(0.999));
    });
  });

  it('an image beyond the batch pixel capacity is shrunk by the documented rule, as the CPU reference does', async () => {
    const ctx = await gpu();
    const capacity = 200_000;
    const small = await MtcnnDetector.create(ctx, await mtcnnGraphs(), { batchPixels: capacity });
    const image = await decodeImage(sample('franck_02888.jpg'));
    const photo = await decodeImage(sample('audrey.jpg'));
    const result = await small.detect([image, photo]);
    const options = resolveMtcnnOptions();
    const ref = detectFacesReference(image, await mtcnnGraphs(), options, 'f32', capacity);
    console.log(`${image.width}x${image.height} with room for ${capacity} px: shrunk by ${result.images[0]!.shrunk?.factor} (min face ${result.images[0]!.shrunk?.minFaceSize}), ${result.stats.parts} parts; faces ${JSON.stringify(result.images[0]!.faces.map((f) => f.box.map(Math.round)))}`);
    expect(result.images[0]!.shrunk?.factor).toBe(2);
    expect(result.stats.parts).toBe(2);
    expect([result.images[0]!.width, result.images[0]!.height]).toEqual([image.width, image.height]);
    expect(result.images[0]!.faces.length).toBe(ref.faces.length);
    result.images[0]!.faces.forEach((f, k) => expect(iou(f.box, ref.faces[k]!.box)).toBeGreaterThanOrEqual(0.99));
  });

  it('a batch that fails on the GPU leaves nothing behind: the next batch runs as on a fresh detector', async () => {
    const ctx = await gpu();
    // Lists with room for 4M candidates per pyramid level: a 5000 x 5000 image's first level has 2.2M
    // cells, a 143 MB list, more than one storage binding holds on lavapipe (128 MiB): the batch is
    // refused while its buffers are made.
    const broken = await MtcnnDetector.create(ctx, await mtcnnGraphs(), { pnetCapacity: 4_000_000 });
    const big = synthetic(5000, 5000, (x, y, c) => 60 + 40 * c + ((x >> 6) ^ (y >> 6)) % 3 * 30);
    const error = await broken.detect([big]).then(() => undefined, (e: Error) => e);
    console.log(`failed batch: ${error?.name}: ${error?.message.split('\n')[0]?.slice(0, 200)}`);
    expect(error?.message).toMatch(/pnet candidates: \d+ bytes, more than one storage binding holds/);
    const photo = await decodeImage(sample('cage2_crop.jpg'));
    const after = await broken.detect([photo]);
    const fresh = await (await mtcnnDetector()).detect([photo]);
    expect(after.images).toEqual(fresh.images);
  });
});
