// A user's YOLO-like grid detector as torch.onnx.export writes it (harness/torch-style-onnx.ts, no
// PyTorch here): import at opsets 11, 13 and 17 with the size arithmetic folded at load, parity
// with onnxruntime-node, and decode + NMS on the GPU against the CPU pipeline reference.
import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { torchStyleGridModel } from '../../harness/torch-style-onnx.js';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { optimizeGraph } from '../../src/graph/optimize.js';
import { readOnnx } from '../../src/import/onnx/reader.js';
import { onnxToGraph } from '../../src/import/onnx/to-graph.js';
import { decodeImage } from '../../src/io/node-image.js';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { resizeReference } from '../../src/pipelines/floor/resize.js';
import { GridDetector, gridInputPlan, gridNormalization } from '../../src/pipelines/grid/detector.js';
import { userGridModel } from '../../src/pipelines/grid/models/user.js';
import { detectGridReference } from '../../src/pipelines/grid/pipeline-reference.js';
import { freshSeed, gpu, randomData, relativeError, rng } from '../helpers/gpu.js';
import { iou } from '../helpers/mtcnn.js';

describe('torch.onnx.export-style grid detector', () => {
  const forms = [
    { opset: 11, grid: 13, form: 'sizes' as const },
    { opset: 13, grid: 26, form: 'sizes' as const },
    { opset: 17, grid: 52, form: 'scales' as const },
  ];
  for (const f of forms) {
    it(`opset ${f.opset}, Resize to ${f.grid}x${f.grid} by ${f.form}: imports, equals onnxruntime-node within 1e-4`, async () => {
      const ctx = await gpu();
      const seed = freshSeed();
      const bytes = torchStyleGridModel({ ...f, seed: 7 });
      const model = readOnnx(bytes, `user-opset${f.opset}.onnx`);
      const { graph, notes } = onnxToGraph(model);
      const ops = new Set(graph.nodes.map((n) => n.op));
      expect([...ops].sort()).toEqual(['BatchNormalization', 'Conv', 'LeakyRelu', 'Resize', 'Sigmoid']);
      const resize = graph.nodes.find((n) => n.op === 'Resize')!;
      expect(resize.attrs!.coordinate_transformation_mode).toBe('pytorch_half_pixel');
      const input = randomData(3 * 416 * 416, rng(seed), 0, 1);
      const plan = await compileGraph(ctx, optimizeGraph(graph).graph, {});
      plan.poison();
      const ours = (await plan.run({ input })).output!;
      const session = await ort.InferenceSession.create(bytes);
      const theirs = (await session.run({ input: new ort.Tensor('float32', input, [1, 3, 416, 416]) })).output!;
      expect(ours.shape).toEqual([...theirs.dims]);
      const err = relativeError(ours.data, theirs.data as Float32Array);
      console.log(`[${ctx.adapter.name}] opset ${f.opset} ${f.form} -> [${ours.shape}]: ${notes[0]}; ||ours - ORT|| / ||ORT|| = ${err.toExponential(2)} (seed ${seed})`);
      expect(err).toBeLessThanOrEqual(1e-4);
    });
  }

  it('decode (direct form, head resampled 26 -> S) and NMS on the GPU equal the CPU pipeline reference', async () => {
    const ctx = await gpu();
    const bytes = torchStyleGridModel({ opset: 13, grid: 26, form: 'sizes', seed: 7 });
    const { graph } = onnxToGraph(readOnnx(bytes, 'user.onnx'));
    const model = userGridModel(graph, { decode: 'yolo-direct', classes: 0 }, { width: 416, height: 416 }, 'user.onnx');
    const detector = GridDetector.create(ctx, model);
    const files = clmtrackrSamples().filter((f) => ['cage.jpg', 'audrey.jpg'].includes(basename(f)));
    const images = await Promise.all(files.map((f) => decodeImage(f)));
    // The reference's network is onnxruntime-node (the CPU references of 2.8 GMAC would take minutes);
    // preprocessing, decoding and NMS are the CPU references.
    const session = await ort.InferenceSession.create(bytes);
    const heads = new Map<number, Map<string, { shape: number[]; data: Float32Array }>>();
    for (const [k, image] of images.entries()) {
      const input = resizeReference(image, gridInputPlan(image.width, image.height, detector.resolve()), gridNormalization(detector.resolve()));
      const out = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(input), [1, 3, 416, 416]) })).output!;
      heads.set(k, new Map([['output', { shape: [...out.dims], data: out.data as Float32Array }]]));
    }
    const separate: Array<Awaited<ReturnType<GridDetector['detect']>>['images']> = [];
    const settings = [[26, 0.5, 0.45], [13, 0.3, 0.6], [52, 0.5, 0.3]] as const;
    for (const [grid, conf, iouThreshold] of settings) {
      const options = detector.resolve({ grid, conf, iou: iouThreshold });
      const result = await detector.detect(images, options);
      separate.push(result.images);
      images.forEach((image, k) => {
        const ref = detectGridReference(image, model, options, 'f32', () => heads.get(k)!);
        const ours = result.images[k]!;
        expect(Math.abs(ours.candidates - ref.candidates.length), `${basename(files[k]!)} S=${grid}: candidates`).toBeLessThanOrEqual(ref.candidates.filter((c) => Math.abs(c.score - conf) < 1e-4).length);
        expect(ours.detections.length, `${basename(files[k]!)} S=${grid}: kept`).toBe(ref.kept.length);
        ours.detections.forEach((d, i) => {
          const c = ref.kept[i]!;
          expect(iou(d.box, [c.box[0], c.box[1], c.box[2] - c.box[0], c.box[3] - c.box[1]])).toBeGreaterThanOrEqual(0.999);
          expect(Math.abs(d.score - c.score)).toBeLessThanOrEqual(1e-4);
        });
        if (k === 0) console.log(`S=${grid} conf ${conf} IoU ${iouThreshold}: ${basename(files[k]!)} ${ours.candidates} candidates -> ${ours.detections.length} kept (reference ${ref.candidates.length} -> ${ref.kept.length})`);
      });
    }
    // The sweep's path: the network once, the three settings' decode + NMS after it, one submit.
    // Plus two settings decoding like the first (S 26, conf 0.5): they share its decode and sort.
    const shared = [{ grid: 26, conf: 0.5, iou: 0.3 }, { grid: 26, conf: 0.5, iou: 0.45, nms: 'soft' as const }];
    for (const v of shared) separate.push((await detector.detect(images, v)).images);
    const swept = await detector.detectSettings(images, {}, [...settings.map(([grid, conf, iouThreshold]) => ({ grid, conf, iou: iouThreshold })), ...shared]);
    expect(swept.settings).toEqual(separate);
    expect([swept.stats.submits, swept.stats.readbacks]).toEqual([1, 1]);
    await expect(detector.detectSettings(images, {}, [{ inputWidth: 320 } as never])).rejects.toThrow(/a setting may change only grid, conf/);
  });

  it('import errors: an op outside the set names the node; symbolic sizes ask for the input size', () => {
    const bytes = torchStyleGridModel({ opset: 13, grid: 26, form: 'sizes', seed: 7 });
    const model = readOnnx(bytes, 'user.onnx');
    const sig = model.nodes.find((n) => n.opType === 'Sigmoid')!;
    sig.opType = 'Softplus';
    expect(() => onnxToGraph(model)).toThrow(/user\.onnx: node '.*' \(Softplus\): op Softplus is not supported by the ONNX importer/);
    const symbolic = readOnnx(bytes, 'user.onnx');
    symbolic.inputs[0]!.dims = ['batch', 3, 'height', 'width'];
    expect(() => onnxToGraph(symbolic)).toThrow(/shape of '.*' is not known at load .*--input WxH/);
    const given = onnxToGraph(symbolic, { inputShapes: { input: [1, 3, 416, 416] } });
    expect(given.graph.nodes.find((n) => n.op === 'Resize')!.attrs!.sizes).toEqual([1, 5, 26, 26]);
  });
});
