// CenterNet (COCO-80, from @vladmandic/human) on the GPU against the model run by tfjs itself (CPU
// backend): the photo resized as Human does (tf.image.resizeBilinear to 512 x 512), the graph
// executed to its own decode output `tower_0/detections` (top-100 peaks of the heatmap, boxes
// from the extents). Ours: the imported network, our resize and the GPU peak decode, no NMS,
// maxDet 100. Same top-100 (class and cell at every rank), boxes within 0.5 px, scores within
// 1e-4; the heatmaps compared as ||ours - tfjs|| / ||tfjs||.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { findPackageDir, loadCenterNetModel, provenanceOf } from '../../src/io/model-catalog.js';
import { decodeImage } from '../../src/io/node-image.js';
import { GridDetector } from '../../src/pipelines/grid/detector.js';
import { COCO80_IDS, COCO80_NAMES } from '../../src/pipelines/grid/models/centernet.js';
import { gpu, relativeError } from '../helpers/gpu.js';

async function tfjsCenterNet(): Promise<tf.GraphModel> {
  const dir = findPackageDir('@vladmandic/human')!;
  const json = JSON.parse(readFileSync(join(dir, 'models/centernet.json'), 'utf8'));
  const bin = readFileSync(join(dir, 'models/centernet.bin'));
  await tf.setBackend('cpu');
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }));
}

/** tfjs NHWC [1, H, W, C] -> NCHW. */
function toNchw(data: Float32Array, [, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++) for (let k = 0; k < c!; k++) out[(k * h! + y) * w! + x] = data[(y * w! + x) * c! + k]!;
  return out;
}

describe('centernet: the GPU pipeline against the model run by tfjs', () => {
  it('labels are COCO 2017 names in Human order, ids 1..90 with the dataset gaps', () => {
    const text = readFileSync(join(findPackageDir('@vladmandic/human')!, 'src/object/labels.ts'), 'utf8');
    const human = [...text.matchAll(/label: '([^']+)'/g)].map((m) => m[1]);
    expect(human).toEqual(COCO80_NAMES);
    expect(COCO80_IDS.length).toBe(80);
    expect(COCO80_IDS[COCO80_NAMES.indexOf('book')]).toBe(84);
    expect(COCO80_IDS[COCO80_NAMES.indexOf('stop sign')]).toBe(13);
    expect(COCO80_IDS[COCO80_NAMES.indexOf('toothbrush')]).toBe(90);
  });

  it('photos: same top-100 peaks as tfjs, boxes within 0.5 px, one submit and one readback', async () => {
    const ctx = await gpu();
    const model = loadCenterNetModel();
    const detector = GridDetector.create(ctx, model);
    const theirs = await tfjsCenterNet();
    const faceApi = findPackageDir('@vladmandic/face-api')!;
    // SwiftShader takes one photo (its run of this 512 x 512 network is ~3x lavapipe's; the test
    // suite's time budget), lavapipe both.
    const photos = ctx.adapter.name.startsWith('SwiftShader') ? ['sample1.jpg'] : ['sample1.jpg', 'sample5.jpg'];
    const files = photos.map((p) => join(faceApi, 'demo', p));
    const images = await Promise.all(files.map((f) => decodeImage(f)));
    const batch = await detector.detect(images, { conf: 0.001, nms: 'none', maxDet: 100, maxCandidates: 65536 });
    expect(batch.stats.readbacks).toBe(1);
    // The heatmap itself, through a compiled plan of the imported graph on tfjs's resized input.
    const plan = await compileGraph(ctx, model.graph, { inputShapes: { [model.graph.inputs[0]!.name]: [1, 3, 512, 512] } });
    const rows: string[] = [];
    for (const [k, image] of images.entries()) {
      const resized = tf.image.resizeBilinear(tf.tensor4d(Float32Array.from(image.data), [1, image.height, image.width, 3]), [512, 512]);
      const [heat, detections] = theirs.execute(resized, ['tower_0/keypoints', 'tower_0/detections']) as tf.Tensor[];
      const top = ((await detections!.array()) as number[][][])[0]!;
      const tfHeat = toNchw((await heat!.data()) as Float32Array, heat!.shape);
      const ourHeat = (await plan.run({ [model.graph.inputs[0]!.name]: toNchw((await resized.data()) as Float32Array, resized.shape) }))['tower_0/keypoints']!.data;
      const heatErr = relativeError(ourHeat, tfHeat);
      const ours = batch.images[k]!.detections;
      expect(ours.length).toBe(100);
      const sx = image.width / 512;
      const sy = image.height / 512;
      let worstBox = 0;
      let worstScore = 0;
      let sameRank = 0;
      top.forEach((t, rank) => {
        const o = ours[rank]!;
        // Same class and same cell (the box centre 4 (x, y) is the cell; compare the boxes then).
        if (o.class === t[5] && Math.abs(o.score - t[4]!) <= 1e-4) sameRank++;
        const box = [o.box[0], o.box[1], o.box[0] + o.box[2], o.box[1] + o.box[3]];
        const theirBox = [t[0]! * sx, t[1]! * sy, t[2]! * sx, t[3]! * sy];
        worstBox = Math.max(worstBox, ...box.map((v, j) => Math.abs(v - theirBox[j]!)));
        worstScore = Math.max(worstScore, Math.abs(o.score - t[4]!));
      });
      const labels = ours.slice(0, 3).map((o) => `${o.label} ${o.score.toFixed(3)}`).join(', ');
      rows.push(`| ${basename(files[k]!)} | ${image.width}x${image.height} | ${batch.images[k]!.candidates} | ${sameRank}/100 | ${worstBox.toFixed(4)} | ${worstScore.toExponential(1)} | ${heatErr.toExponential(2)} | ${labels} |`);
      expect(sameRank, `${basename(files[k]!)}: ranks with the same class and score`).toBe(100);
      expect(worstBox).toBeLessThanOrEqual(0.5);
      expect(heatErr).toBeLessThan(1e-4);
      tf.dispose([resized, heat!, detections!]);
    }
    console.log(
      `[${ctx.adapter.name}] centernet (${provenanceOf('centernet').package}@${provenanceOf('centernet').version}) vs tfjs ${tf.version.tfjs} CPU:\n| image | size | peaks >= 0.001 | same top-100 | max box diff px | max score diff | heatmap rel. err | best three |\n|---|---|---:|---:|---:|---:|---:|---|\n${rows.join('\n')}`,
    );
  });

  it('defaults: Human conventions (512 stretch, asymmetric sampling, conf 0.2, NMS 0.4) and a readable error for other sizes', async () => {
    const ctx = await gpu();
    const detector = GridDetector.create(ctx, loadCenterNetModel());
    const o = detector.resolve();
    expect([o.inputWidth, o.inputHeight, o.sampling, o.conf, o.iou, o.maxDet]).toEqual([512, 512, 'asymmetric', 0.2, 0.4, 100]);
    expect(() => detector.resolve({ inputWidth: 416, inputHeight: 416 })).toThrow(/512x512/);
    // Greedy NMS of 65536 candidates needs a 512 MiB IoU mask per image: refused where one binding
    // holds less (lavapipe: 128 MiB as requested), accepted where it fits.
    if (2 ** 29 > ctx.device.limits.maxStorageBufferBindingSize) expect(() => detector.resolve({ maxCandidates: 65536 })).toThrow(/512 MiB IoU mask .* use nms 'soft' or 'none'/);
    else expect(detector.resolve({ maxCandidates: 65536 }).maxCandidates).toBe(65536);
    expect(detector.resolve({ maxCandidates: 65536, nms: 'none' }).nms).toBe('none');
  });
});
