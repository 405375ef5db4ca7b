// The workgroup-memory tiled kernels meant for real GPUs (src/ops/tiled-kernels.ts), forced on the
// software adapters with kernels: 'gpu' and checked against the float64 reference. Shapes are
// chosen to leave partial 64x64 tiles (and K steps of 16) everywhere.
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { runReference } from '../../src/graph/reference.js';
import type { Graph } from '../../src/graph/types.js';
import { TILED_LABEL } from '../../src/ops/tiled-kernels.js';
import { checkOp } from '../helpers/op-check.js';
import { countNaN, freshSeed, gpu, randomData, relativeError, rng } from '../helpers/gpu.js';

const gemm = (inputs: Array<number[] | null>, attrs: Record<string, unknown> = {}) => checkOp({ op: 'Gemm', inputs, attrs, kernels: 'gpu' });
const conv = (inputs: Array<number[] | null>, attrs: Record<string, unknown> = {}, extra: { constants?: number[]; ranges?: Array<[number, number]> } = {}) =>
  checkOp({ op: 'Conv', inputs, attrs, kernels: 'gpu', ...extra });

const zeros = (n: number) => new Float32Array(n);

/** The dispatch labels of a graph compiled with the GPU-class kernels. */
async function gpuClassLabels(graph: Graph, options: Parameters<typeof compileGraph>[2] = {}): Promise<string[]> {
  const ctx = await gpu();
  const own = ctx.kernelClass;
  ctx.kernelClass = 'gpu';
  const plan = await compileGraph(ctx, graph, options).finally(() => (ctx.kernelClass = own));
  return plan.steps().map((s) => s.label);
}

function convNode(name: string, x: string, w: string, b: string | undefined, out: string, attrs: Record<string, unknown> = {}) {
  return { name, op: 'Conv', inputs: b ? [x, w, b] : [x, w], outputs: [out], attrs };
}

describe('tiled kernels are the ones selected', () => {
  it('Gemm, 3x3 conv, depthwise conv and 1x1 conv (gemm path) each run one tiled dispatch', async () => {
    const graph: Graph = {
      name: 'tiled selection',
      inputs: [{ name: 'x', shape: [1, 4, 9, 9] }],
      outputs: ['y'],
      nodes: [
        convNode('c3', 'x', 'w3', 'b3', 't1', { pads: [1, 1, 1, 1] }),
        convNode('dw', 't1', 'wd', undefined, 't2', { group: 6, strides: [2, 2], pads: [1, 1, 1, 1] }),
        convNode('pw', 't2', 'wp', 'bp', 't3'),
        { name: 'flat', op: 'Flatten', inputs: ['t3'], outputs: ['t4'] },
        { name: 'fc', op: 'Gemm', inputs: ['t4', 'wf'], outputs: ['y'], attrs: { transB: 1 } },
      ],
      weights: {
        w3: { shape: [6, 4, 3, 3], data: zeros(216) }, b3: { shape: [6], data: zeros(6) },
        wd: { shape: [6, 1, 3, 3], data: zeros(54) },
        wp: { shape: [5, 6, 1, 1], data: zeros(30) }, bp: { shape: [5], data: zeros(5) },
        wf: { shape: [3, 125], data: zeros(375) },
      },
    };
    const labels = await gpuClassLabels(graph);
    expect(labels).toHaveLength(4);
    for (const label of labels) expect(label).toMatch(new RegExp(`\\) ${TILED_LABEL}$`));
  });
});

describe('tiled GEMM vs float64 reference', () => {
  it('odd sizes, not multiples of the tile', () => gemm([[67, 37], [37, 71]]));
  it('transA and transB, alpha/beta, full C', () => gemm([[41, 70], [66, 41], [70, 66]], { transA: 1, transB: 1, alpha: 0.5, beta: 2 }));
  it('transA, C broadcast [M, 1]', () => gemm([[19, 13], [19, 5], [13, 1]], { transA: 1, beta: -1.5 }));
  it('fully connected (transB), C broadcast [N], fused PReLU per column', () =>
    gemm([[3, 100], [130, 100], [130], [130]], { transB: 1, activation: { type: 'PRelu' } }));
  it('fused Relu, K = 1', () => gemm([[5, 1], [1, 6], [6]], { activation: { type: 'Relu' } }));
  it('PReLU without C, scalar affine after it', () =>
    gemm([[9, 33], [33, 10], null, [10]], { activation: { type: 'PRelu', scale: 0.7, shift: 0.1 } }));
  it('1x1 conv through gemmKernel: batch 2, PReLU per row (channel), bias', () =>
    conv([[2, 19, 9, 7], [70, 19, 1, 1], [70], [70]], { activation: { type: 'PRelu' } }));
  it('1x1 conv, constant weights, 64 -> 32', () => conv([[1, 64, 10, 10], [32, 64, 1, 1], [32]], {}, { constants: [1, 2] }));
});

describe('tiled implicit-GEMM conv vs float64 reference', () => {
  it('3x3 pad 1, bias, batch 2, odd sizes', () => conv([[2, 3, 13, 11], [8, 3, 3, 3], [8]], { pads: [1, 1, 1, 1] }));
  it('stride 2, asymmetric pads, 5 output channels', () => conv([[1, 4, 17, 9], [5, 4, 3, 3], [5]], { strides: [2, 2], pads: [0, 1, 1, 0] }));
  it('dilation 2, no bias', () => conv([[1, 3, 15, 15], [6, 3, 3, 3]], { dilations: [2, 2], pads: [2, 2, 2, 2] }));
  it('5x5, stride 2, constant weights and bias', () =>
    conv([[2, 4, 17, 15], [13, 4, 5, 5], [13]], { strides: [2, 2], pads: [2, 2, 2, 2] }, { constants: [1, 2] }));
  it('1x1 stride 2', () => conv([[1, 8, 9, 11], [12, 8, 1, 1], [12]], { strides: [2, 2] }));
  it('partial tiles both ways: 70 channels, 9x10 = 90 pixels, K = 7*9 = 63', () => conv([[1, 7, 9, 10], [70, 7, 3, 3], [70]], { pads: [1, 1, 1, 1] }));
  it('fused PReLU without bias, batch 2', () =>
    conv([[2, 3, 12, 12], [10, 3, 3, 3], null, [10]], { activation: { type: 'PRelu' } }));
  it('fused HardSwish with affine, rectangular 2x3 kernel, SAME_UPPER', () =>
    conv([[1, 3, 10, 9], [4, 3, 2, 3], [4]], { auto_pad: 'SAME_UPPER', strides: [2, 2], activation: { type: 'HardSwish', scale: 0.61, shift: -0.27 } }, { ranges: [[-4, 4]] }));
});

describe('tiled depthwise conv vs float64 reference', () => {
  it('3x3 stride 1, odd sizes, batch 2', () => conv([[2, 6, 11, 13], [6, 1, 3, 3], [6]], { group: 6, pads: [1, 1, 1, 1] }));
  it('3x3 stride 2, several tiles per plane', () => conv([[1, 3, 45, 71], [3, 1, 3, 3], [3]], { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] }));
  it('dilation 2, asymmetric pads, no bias', () => conv([[1, 5, 19, 23], [5, 1, 3, 3]], { group: 5, dilations: [2, 2], pads: [2, 1, 0, 2] }));
  it('5x5 stride 2, fused PReLU, constant weights', () =>
    conv([[2, 4, 33, 17], [4, 1, 5, 5], [4], [4]], { group: 4, strides: [2, 2], pads: [2, 2, 2, 2], activation: { type: 'PRelu' } }, { constants: [1, 2, 3] }));
  it('large dilation (smaller tile so the halo fits), fused ReLU6', () =>
    conv([[1, 2, 40, 40], [2, 1, 3, 3], [2]], { group: 2, dilations: [20, 20], pads: [20, 20, 20, 20], activation: { type: 'Clip', alpha: 0, beta: 6 } }));
});

describe('tiled kernels with f16 storage', () => {
  it('conv -> depthwise -> 1x1 conv -> Gemm with f16 activations between them', async () => {
    const ctx = await gpu();
    const seed = freshSeed();
    const random = rng(seed);
    const weight = (shape: number[]) => ({ shape, data: randomData(shape.reduce((a, b) => a * b, 1), random) });
    const graph: Graph = {
      name: 'tiled f16',
      inputs: [{ name: 'x', shape: [2, 3, 13, 11] }],
      outputs: ['y'],
      nodes: [
        convNode('c3', 'x', 'w3', 'b3', 't1', { pads: [1, 1, 1, 1], activation: { type: 'Relu' } }),
        convNode('dw', 't1', 'wd', 'bd', 't2', { group: 8, strides: [2, 2], pads: [1, 1, 1, 1] }),
        convNode('pw', 't2', 'wp', 'bp', 't3'),
        { name: 'flat', op: 'Flatten', inputs: ['t3'], outputs: ['t4'] },
        { name: 'fc', op: 'Gemm', inputs: ['t4', 'wf', 'bf'], outputs: ['y'], attrs: { transB: 1 } },
      ],
      weights: {
        w3: weight([8, 3, 3, 3]), b3: weight([8]), wd: weight([8, 1, 3, 3]), bd: weight([8]),
        wp: weight([5, 8, 1, 1]), bp: weight([5]), wf: weight([7, 5 * 7 * 6]), bf: weight([7]),
      },
    };
    const x = randomData(2 * 3 * 13 * 11, random);
    const own = ctx.kernelClass;
    ctx.kernelClass = 'gpu';
    const plan = await compileGraph(ctx, graph, { storage: 'f16' }).finally(() => (ctx.kernelClass = own));
    // t1, t2, t3 and its view t4: the Gemm reads A (input_0) and 1x1 conv reads B (input_1) in f16.
    expect(plan.stats.halfTensors).toBe(4);
    expect(plan.steps().every((s) => s.label.endsWith(` ${TILED_LABEL}`))).toBe(true);
    plan.poison();
    const got = (await plan.run({ x })).y!;
    const ref = runReference(graph, { x: { shape: [2, 3, 13, 11], data: x } }, 'f32', 'f16').get('y')!;
    expect(countNaN(got.data)).toBe(0);
    const err = relativeError(got.data, ref.data);
    // Against f64 the f16 rounding shows (about 2^-11 per stored layer): the halves were really used.
    const errF64 = relativeError(got.data, runReference(graph, { x: { shape: [2, 3, 13, 11], data: x } }, 'f64').get('y')!.data);
    expect(errF64).toBeGreaterThan(1e-5);
    console.log(`[${ctx.adapter.name}, gpu kernels] f16 storage conv/depthwise/pointwise/gemm rel.err ${err.toExponential(2)} vs f16-rounded reference, ${errF64.toExponential(2)} vs f64 (seed ${seed})`);
    // As test/graph/half-storage.test.ts: summation order may flip an occasional f16 rounding.
    expect(err, `seed ${seed}`).toBeLessThanOrEqual(1e-3);
  });
});
