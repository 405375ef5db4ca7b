// Node-only: Chromium's 2D canvas as an oracle of the 'bilinear-canvas' resampling convention
// (shaders/image/resample_bilinear.wgsl CANVAS): draws an RGB image scaled to width x height with
// drawImage (default imageSmoothingQuality 'low'), the way face-api.js crops RNet/ONet inputs
// (ImageData -> createImageBitmap -> drawImage), and returns the RGB result.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RgbImage } from '../pipelines/floor/image.js';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium-backend.js';

export interface CanvasOracle {
  device: string;
  draw(image: RgbImage, width: number, height: number): Promise<RgbImage>;
  close(): Promise<void>;
}

export async function openCanvasOracle(): Promise<CanvasOracle> {
  const server = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><head><link rel="icon" href="data:,"></head><body></body></html>'));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return {
    device: `Chromium ${browser.version()} canvas 2D`,
    async draw(image, width, height) {
      const rgba = await page.evaluate(
        async ({ w, h, data, width, height }) => {
          const px = new Uint8ClampedArray(w * h * 4);
          for (let p = 0; p < w * h; p++) {
            px[4 * p] = data[3 * p]!;
            px[4 * p + 1] = data[3 * p + 1]!;
            px[4 * p + 2] = data[3 * p + 2]!;
            px[4 * p + 3] = 255;
          }
          const bitmap = await createImageBitmap(new ImageData(px, w, h));
          const canvas = document.createElement('canvas');
          canvas.width = width;
          canvas.height = height;
          const ctx = canvas.getContext('2d')!;
          ctx.drawImage(bitmap, 0, 0, width, height);
          return Array.from(ctx.getImageData(0, 0, width, height).data);
        },
        { w: image.width, h: image.height, data: Array.from(image.data), width, height },
      );
      const data = new Uint8Array(width * height * 3);
      for (let p = 0; p < width * height; p++) data.set([rgba[4 * p]!, rgba[4 * p + 1]!, rgba[4 * p + 2]!], 3 * p);
      return { width, height, data };
    },
    async close() {
      await browser.close();
      server.close();
    },
  };
}
