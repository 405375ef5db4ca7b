import { loadPackagedGraph } from './src/io/node-models.ts';
import { layerTensors, referenceValues, compareNetwork } from './src/eval/precision/layers.ts';
import { onnxruntimeValues } from './src/io/onnxruntime-layers.ts';
for (const n of ['pnet', 'rnet', 'onet']) {
  const g = await loadPackagedGraph('mtcnn', n);
  const size = n === 'pnet' ? [1, 3, 40, 50] : n === 'rnet' ? [3, 3, 24, 24] : [2, 3, 48, 48];
  const data = Float32Array.from({ length: size.reduce((a, b) => a * b) }, () => Math.random() * 2 - 1);
  const inputs = { [g.inputs[0]!.name]: { shape: size, data } };
  const t = layerTensors(g, inputs);
  const r = compareNetwork(n, 'ort', t, await onnxruntimeValues(g, inputs, t), referenceValues(g, inputs, 'f64'), { relL2: 1e-5 });
  console.log(n, r.rows.map((x) => x.comparison.relL2.toExponential(1)).join(' '), r.firstDeparture);
}
