// The tfjs graph-model importer against tfjs itself: a hand-built graph model with every op the
// importer maps (TF 'SAME' convolutions with stride 2 on odd sizes, where the padding is
// asymmetric; fused bias + Relu/Relu6; depthwise with a channel multiplier; scalar and per-channel
// constants; Mean over H, W; ResizeBilinear in its three coordinate modes; ConcatV2; MaxPool;
// Identity outputs) is run by tfjs (CPU backend) and by our float64 reference of the imported
// graph, and on the GPU. Random weights and inputs, fresh per run.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { runReference } from '../../src/graph/reference.js';
import { tfjsGraphToGraph, TfjsGraphImportError } from '../../src/import/tfjs/graph-model.js';
import type { TfjsTensor } from '../../src/import/tfjs/weights.js';
import { freshSeed, gpu, randomData, relativeError, rng } from '../helpers/gpu.js';

type Attr = Record<string, unknown>;
const s = (v: string): Attr => ({ s: Buffer.from(v).toString('base64') });
const ints = (...v: number[]): Attr => ({ list: { i: v.map(String) } });
const strs = (...v: string[]): Attr => ({ list: { s: v.map((x) => Buffer.from(x).toString('base64')) } });
const f32: Attr = { type: 'DT_FLOAT' };

interface Built {
  json: { format: string; modelTopology: { node: unknown[]; versions?: unknown }; signature: unknown; weightsManifest: Array<{ paths: string[]; weights: unknown[] }> };
  constants: Map<string, TfjsTensor>;
  weightData: ArrayBuffer;
}

/** A graph model: nodes plus constants (float32 or int32), written as tfjs-converter writes them. */
function build(nodes: Array<{ name: string; op: string; input?: string[]; attr?: Record<string, unknown> }>, consts: Array<{ name: string; shape: number[]; data: number[] | Float32Array; int?: boolean }>, outputs: string[]): Built {
  const buffers: ArrayBuffer[] = [];
  const constants = new Map<string, TfjsTensor>();
  const specs = consts.map((c) => {
    buffers.push((c.int ? Int32Array.from(c.data) : Float32Array.from(c.data)).buffer);
    constants.set(c.name, { shape: c.shape, data: Float32Array.from(c.data) });
    return { name: c.name, shape: c.shape, dtype: c.int ? 'int32' : 'float32' };
  });
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    all.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  const constNodes = consts.map((c) => ({ name: c.name, op: 'Const', attr: { dtype: { type: c.int ? 'DT_INT32' : 'DT_FLOAT' } } }));
  return {
    json: {
      format: 'graph-model',
      modelTopology: { node: [...constNodes, ...nodes], versions: { producer: 1 } },
      signature: { outputs: Object.fromEntries(outputs.map((o) => [o, { name: o }])) },
      weightsManifest: [{ paths: ['w.bin'], weights: specs }],
    },
    constants,
    weightData: all.buffer,
  };
}

const conv = (name: string, x: string, w: string, b: string | undefined, stride: number, padding: string, fused?: string[], op = '_FusedConv2D') => ({
  name,
  op,
  input: b ? [x, w, b] : [x, w],
  attr: {
    T: f32,
    strides: ints(1, stride, stride, 1),
    dilations: ints(1, 1, 1, 1),
    padding: s(padding),
    data_format: s('NHWC'),
    ...(fused ? { fused_ops: strs(...fused), num_args: { i: '1' } } : {}),
  },
});

function testModel(random: () => number): Built {
  const r = (n: number, scale = 0.5) => Array.from(randomData(n, random, -scale, scale));
  const nodes = [
    { name: 'image', op: 'Placeholder', attr: { dtype: f32, shape: { shape: { dim: [{ size: '-1' }, { size: '13' }, { size: '11' }, { size: '3' }] } } } },
    conv('c1', 'image', 'c1/w', 'c1/b', 2, 'SAME', ['BiasAdd', 'Relu6']), // 13x11 -> 7x6, SAME stride 2: pads (0,1) x (1,1)... asymmetric
    { name: 'hs/mul', op: 'Mul', input: ['hs/k', 'c1'] }, // scalar constant first
    { name: 'hs/add', op: 'AddV2', input: ['hs/mul', 'hs/three'] },
    conv('dw1', 'hs/add', 'dw1/w', 'dw1/b', 2, 'SAME', ['BiasAdd', 'Relu'], 'FusedDepthwiseConv2dNative'), // 7x6 -> 4x3, multiplier 2: 8 -> 16
    conv('dw2', 'dw1', 'dw2/w', undefined, 1, 'SAME', undefined, 'DepthwiseConv2dNative'),
    { name: 'se/mean', op: 'Mean', input: ['dw2', 'se/axes'], attr: { keep_dims: { b: true } } },
    { name: 'se/sig', op: 'Sigmoid', input: ['se/mean'] },
    { name: 'se/mul', op: 'Mul', input: ['dw2', 'se/sig'] },
    { name: 'shift', op: 'Sub', input: ['se/mul', 'shift/c'] }, // per-channel [16]
    { name: 'bias', op: 'BiasAdd', input: ['shift', 'bias/c'], attr: { data_format: s('NHWC') } },
    { name: 'up_asym', op: 'ResizeBilinear', input: ['bias', 'size'], attr: { align_corners: { b: false }, half_pixel_centers: { b: false } } },
    { name: 'up_half', op: 'ResizeBilinear', input: ['bias', 'size'], attr: { align_corners: { b: false }, half_pixel_centers: { b: true } } },
    { name: 'up_align', op: 'ResizeBilinear', input: ['bias', 'size'], attr: { align_corners: { b: true }, half_pixel_centers: { b: false } } },
    { name: 'cat', op: 'ConcatV2', input: ['up_asym', 'up_half', 'up_align', 'cat/axis'], attr: { N: { i: '3' } } },
    { name: 'relu', op: 'Relu', input: ['cat'] },
    conv('head', 'relu', 'head/w', undefined, 1, 'VALID', undefined, 'Conv2D'),
    { name: 'pool', op: 'MaxPool', input: ['head'], attr: { ksize: ints(1, 3, 3, 1), strides: ints(1, 2, 2, 1), padding: s('SAME'), data_format: s('NHWC') } },
    { name: 'out/pool', op: 'Identity', input: ['pool'] },
    { name: 'out/six', op: 'Relu6', input: ['head'] },
  ];
  const consts = [
    { name: 'c1/w', shape: [3, 3, 3, 8], data: r(3 * 3 * 3 * 8) },
    { name: 'c1/b', shape: [8], data: r(8) },
    { name: 'hs/k', shape: [], data: [0.75] },
    { name: 'hs/three', shape: [], data: [3] },
    { name: 'dw1/w', shape: [3, 3, 8, 2], data: r(3 * 3 * 8 * 2) },
    { name: 'dw1/b', shape: [16], data: r(16) },
    { name: 'dw2/w', shape: [3, 3, 16, 1], data: r(3 * 3 * 16) },
    { name: 'se/axes', shape: [2], data: [1, 2], int: true },
    { name: 'shift/c', shape: [16], data: r(16) },
    { name: 'bias/c', shape: [16], data: r(16) },
    { name: 'size', shape: [2], data: [9, 7], int: true },
    { name: 'cat/axis', shape: [], data: [3], int: true },
    { name: 'head/w', shape: [2, 2, 48, 5], data: r(2 * 2 * 48 * 5, 0.3) },
  ];
  return build(nodes, consts, ['out/pool', 'out/six']);
}

/** tfjs NHWC -> NCHW. */
function toNchw(data: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n!; b++) for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++) for (let k = 0; k < c!; k++) out[((b * c! + k) * h! + y) * w! + x] = data[((b * h! + y) * w! + x) * c! + k]!;
  return out;
}

describe('tfjs graph-model importer', () => {
  it('a hand-built graph model: our import (float64 reference and GPU) equals tfjs itself', async () => {
    const seed = freshSeed();
    const random = rng(seed);
    const m = testModel(random);
    const graph = tfjsGraphToGraph(m.json, m.constants, 'test.json');
    expect(graph.inputs).toEqual([{ name: 'image', shape: ['batch', 3, 13, 11] }]);
    expect(graph.outputs).toEqual(['out/pool', 'out/six']);
    // Two images, NHWC for tfjs.
    const input = randomData(2 * 13 * 11 * 3, random, -2, 2);
    await tf.setBackend('cpu');
    const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: m.json.modelTopology, weightSpecs: m.json.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[], weightData: m.weightData }));
    const theirs = model.execute(tf.tensor4d(input, [2, 13, 11, 3]), ['out/pool', 'out/six']) as tf.Tensor[];
    const expected = await Promise.all(theirs.map(async (t) => ({ shape: t.shape, data: toNchw((await t.data()) as Float32Array, t.shape) })));
    expect(expected[0]!.shape).toEqual([2, 4, 3, 5]);
    const ours = runReference(graph, { image: { shape: [2, 3, 13, 11], data: toNchw(input, [2, 13, 11, 3]) } });
    const ctx = await gpu();
    const compiled = await compileGraph(ctx, graph, { inputShapes: { image: [2, 3, 13, 11] } });
    const gpuOut = await compiled.run({ image: toNchw(input, [2, 13, 11, 3]) });
    for (const [k, name] of ['out/pool', 'out/six'].entries()) {
      const ref = ours.get(name)!;
      expect(ref.shape).toEqual([2, expected[k]!.shape[3], expected[k]!.shape[1], expected[k]!.shape[2]]);
      const errRef = relativeError(ref.data, expected[k]!.data);
      const errGpu = relativeError(gpuOut[name]!.data, expected[k]!.data);
      console.log(`${name} [${ref.shape}]: ||ours f64 - tfjs|| / ||tfjs|| = ${errRef.toExponential(2)}, GPU (${ctx.adapter.name}) ${errGpu.toExponential(2)} (seed ${seed})`);
      expect(errRef).toBeLessThan(1e-5);
      expect(errGpu).toBeLessThan(1e-5);
    }
  });

  it('errors name the node, the op and the file', () => {
    const m = testModel(rng(1));
    const withOp = (op: string) => ({ ...m.json, modelTopology: { node: m.json.modelTopology.node.map((n) => ((n as { name: string }).name === 'se/sig' ? { ...(n as object), op } : n)) } });
    expect(() => tfjsGraphToGraph(withOp('Tanh'), m.constants, 'm.json')).toThrow(TfjsGraphImportError);
    expect(() => tfjsGraphToGraph(withOp('Tanh'), m.constants, 'm.json')).toThrow(/m\.json: node 'se\/sig' \(Tanh\): op not supported/);
    expect(() => tfjsGraphToGraph(m.json, m.constants, 'm.json', { outputs: ['nope'] })).toThrow(/'nope' \(an output asked for\) is not a node/);
    const noBias = new Map(m.constants);
    noBias.delete('c1/b');
    expect(() => tfjsGraphToGraph(m.json, noBias, 'm.json')).toThrow(/constant 'c1\/b' has no values|bias 'c1\/b' must be a constant/);
    expect(() => tfjsGraphToGraph({ format: 'layers-model' }, m.constants, 'm.json')).toThrow(/not a tfjs graph model/);
    // Cut: only what 'out/six' needs (no MaxPool node).
    const cut = tfjsGraphToGraph(m.json, m.constants, 'm.json', { outputs: ['out/six'] });
    expect(cut.nodes.some((n) => n.op === 'MaxPool')).toBe(false);
  });
});
