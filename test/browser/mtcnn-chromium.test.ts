// The MTCNN pipeline in headless Chromium (WebGPU on SwiftShader): models fetched from models/,
// images decoded by the browser (createImageBitmap). Same faces as Node on the same files.
import type { Server } from 'node:http';
import { basename, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/io/node-image.js';
import { clmtrackrSampleDir, clmtrackrSamples } from '../../src/io/samples.js';
import type { ImageDetections } from '../../src/pipelines/mtcnn/types.js';
import { openTestPage, serveTestPages } from '../helpers/browser.js';
import { iou, mtcnnDetector } from '../helpers/mtcnn.js';

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const served = await serveTestPages({ '/models/': resolve('models'), '/samples/': clmtrackrSampleDir() });
  server = served.server;
  ({ browser, page } = await openTestPage(served.url));
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('MTCNN in headless Chromium', () => {
  it('detects the same faces as Node on two sample images (browser decoding, one batch)', async () => {
    const files = ['cage.jpg', 'franck_02045.jpg'].map((n) => clmtrackrSamples().find((f) => basename(f) === n)!);
    const inBrowser = await page.evaluate(async (names) => {
      const wd = (window as unknown as { webgpuDetect: typeof import('../../src/index.js') }).webgpuDetect;
      const ctx = await wd.acquireGpu();
      const graphs = { pnet: await wd.fetchGraph('/models/mtcnn/pnet.graph.json'), rnet: await wd.fetchGraph('/models/mtcnn/rnet.graph.json'), onet: await wd.fetchGraph('/models/mtcnn/onet.graph.json') };
      const detector = await wd.MtcnnDetector.create(ctx, graphs);
      const images = await Promise.all(names.map(async (n) => wd.decodeImageInBrowser(await (await fetch(`/samples/${n}`)).blob())));
      const t0 = performance.now();
      const result = await detector.detect(images);
      return { adapter: ctx.adapter, ms: performance.now() - t0, stats: result.stats, images: result.images, pixels: images.map((im) => Array.from(im.data.subarray(0, 3000))) };
    }, files.map((f) => basename(f)));
    console.log(`chromium (${inBrowser.adapter.architecture || inBrowser.adapter.vendor}): ${inBrowser.ms.toFixed(0)} ms for 2 images, ${inBrowser.stats.submits} submit, ${inBrowser.stats.readbacks} readback`);
    expect(inBrowser.stats.readbacks).toBe(1);
    const decoded = await Promise.all(files.map((f) => decodeImage(f)));
    const node = await (await mtcnnDetector()).detect(decoded);
    files.forEach((f, i) => {
      const a = inBrowser.images[i] as ImageDetections;
      const b = node.images[i]!;
      const maxPixelDiff = inBrowser.pixels[i]!.reduce((m, v, k) => Math.max(m, Math.abs(v - decoded[i]!.data[k]!)), 0);
      console.log(`${basename(f)}: chromium stages ${JSON.stringify(a.stages)}, node ${JSON.stringify(b.stages)}; decoders differ by up to ${maxPixelDiff} levels in the first 1000 pixels`);
      expect([a.width, a.height]).toEqual([b.width, b.height]);
      expect(a.faces.length).toBe(b.faces.length);
      a.faces.forEach((face, k) => {
        const other = b.faces[k]!;
        const overlap = iou(face.box, other.box);
        const worst = Math.max(...face.landmarks.map((p, j) => Math.hypot(p[0] - other.landmarks[j]![0], p[1] - other.landmarks[j]![1])));
        console.log(`  face ${k}: IoU ${overlap.toFixed(4)}, landmarks within ${worst.toFixed(3)} px, score ${face.score.toFixed(5)} vs ${other.score.toFixed(5)}`);
        expect(overlap).toBeGreaterThanOrEqual(0.99);
        expect(worst).toBeLessThanOrEqual(0.5);
      });
    });
  });
});
