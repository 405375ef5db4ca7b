// CLM landmark fitting in headless Chromium (WebGPU on SwiftShader): the packaged model fetched
// from models/clm/, the same pixels and initial poses as Node (sent as raw RGB, so the JPEG
// decoders do not differ), one batch; the fitted points equal Node's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClmModel } from '../../src/io/clm-models.js';
import { decodeImage } from '../../src/io/node-image.js';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { LandmarkFitter } from '../../src/pipelines/clm/fitter.js';
import type { ClmFit } from '../../src/pipelines/clm/types.js';
import { openTestPage, serveTestPages } from '../helpers/browser.js';
import { gpu } from '../helpers/gpu.js';
import { mtcnnDetector } from '../helpers/mtcnn.js';

let server: Server;
let browser: Browser;
let page: Page;
const raw = mkdtempSync(join(tmpdir(), 'wd-clm-raw-'));

beforeAll(async () => {
  const served = await serveTestPages({ '/models/': resolve('models'), '/raw/': raw });
  server = served.server;
  ({ browser, page } = await openTestPage(served.url));
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('CLM landmark fitting in headless Chromium', () => {
  it('fits the same points as Node from the same pixels and MTCNN landmarks (one submit, one readback)', async () => {
    const files = ['audrey.jpg', 'franck_02045.jpg'].map((n) => clmtrackrSamples().find((f) => basename(f) === n)!);
    const images = await Promise.all(files.map((f) => decodeImage(f)));
    images.forEach((im, i) => writeFileSync(join(raw, `${i}.rgb`), im.data));
    const faces = (await (await mtcnnDetector()).detect(images)).images.flatMap((d, image) => d.faces.map((f) => ({ image, landmarks: f.landmarks })));
    const node = await LandmarkFitter.create(await gpu(), await loadClmModel()).fit(images, faces);
    const inBrowser = await page.evaluate(
      async ({ sizes, faces }) => {
        const wd = (window as unknown as { webgpuDetect: typeof import('../../src/index.js') }).webgpuDetect;
        const ctx = await wd.acquireGpu();
        const fitter = wd.LandmarkFitter.create(ctx, await wd.fetchClmModel('/models/clm/clmtrackr-pca-20-svm.clm.json'));
        const images = await Promise.all(sizes.map(async ([width, height], i) => ({ width, height, data: new Uint8Array(await (await fetch(`/raw/${i}.rgb`)).arrayBuffer()) })));
        const t0 = performance.now();
        const result = await fitter.fit(images, faces);
        return { adapter: ctx.adapter, ms: performance.now() - t0, stats: result.stats, fits: result.images };
      },
      { sizes: images.map((im) => [im.width, im.height] as [number, number]), faces },
    );
    console.log(`chromium (${inBrowser.adapter.architecture || inBrowser.adapter.vendor}): ${inBrowser.ms.toFixed(0)} ms for ${faces.length} faces, ${inBrowser.stats.submits} submit, ${inBrowser.stats.readbacks} readback`);
    expect(inBrowser.stats.submits).toBe(1);
    expect(inBrowser.stats.readbacks).toBe(1);
    (inBrowser.fits as ClmFit[]).forEach((fit, k) => {
      const other = node.images[k]!;
      const worst = Math.max(...fit.points.map((p, j) => Math.hypot(p[0] - other.points[j]![0], p[1] - other.points[j]![1])));
      console.log(`face ${k}: chromium ${fit.iterations} iterations, node ${other.iterations}; points within ${worst.toExponential(2)} px`);
      expect(fit.points).toHaveLength(71);
      expect(fit.iterations).toBe(other.iterations);
      expect(worst).toBeLessThan(0.01);
    });
  });
});
