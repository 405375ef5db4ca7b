import { describe, expect, it } from 'vitest';
import { GpuValidationError } from '../../src/gpu/errors.js';
import { BufferUsage } from '../../src/gpu/flags.js';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { optimizeGraph } from '../../src/graph/optimize.js';
import { runReference } from '../../src/graph/reference.js';
import { pnetLikeGraph, sampleInput } from '../../src/graph/sample-graphs.js';
import type { Graph } from '../../src/graph/types.js';
import { F32_TOLERANCE } from '../helpers/op-check.js';
import { countNaN, freshSeed, gpu, randomData, relativeError, rng } from '../helpers/gpu.js';

const SHAPE: [number, number, number, number] = [2, 3, 23, 31];

describe('compiled graph: PNet-shaped network', () => {
  it('matches the float64 reference, in one submit and one readback, with buffers shared', async () => {
    const ctx = await gpu();
    const graph = pnetLikeGraph();
    const plan = await compileGraph(ctx, graph, { inputShapes: { image: SHAPE } });
    const image = sampleInput(SHAPE);
    plan.poison();
    const before = { ...ctx.stats };
    const out = await plan.run({ image });
    expect(ctx.stats.submits - before.submits).toBe(1);
    expect(ctx.stats.readbacks - before.readbacks).toBe(1);
    const ref = runReference(graph, { image: { shape: SHAPE, data: image } });
    for (const name of ['prob', 'box']) {
      expect(out[name]!.shape).toEqual(ref.get(name)!.shape);
      expect(countNaN(out[name]!.data)).toBe(0);
      const err = relativeError(out[name]!.data, ref.get(name)!.data);
      console.log(`pnet-like ${name} ${JSON.stringify(out[name]!.shape)} rel.err ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(F32_TOLERANCE);
    }
    // Liveness: 10 intermediates/outputs share fewer buffers than one each.
    console.log(`peak ${plan.stats.peakBytes} B vs naive ${plan.stats.naiveBytes} B over ${plan.stats.dispatches} dispatches`);
    expect(plan.stats.peakBytes).toBeLessThan(plan.stats.naiveBytes);
    expect(plan.buffers.slotBytes.length).toBeLessThan(plan.analysis.steps.length);
    // Running twice gives the same result (shared buffers are fully rewritten).
    const again = await plan.run({ image });
    expect(again.prob!.data).toEqual(out.prob!.data);
  });

  it('debug mode returns every intermediate, each matching the reference', async () => {
    const ctx = await gpu();
    const graph = pnetLikeGraph();
    const plan = await compileGraph(ctx, graph, { inputShapes: { image: SHAPE }, debug: true });
    expect(plan.stats.peakBytes).toBe(plan.stats.naiveBytes);
    const image = sampleInput(SHAPE, 99);
    plan.poison();
    const before = ctx.stats.readbacks;
    const all = await plan.run({ image });
    expect(ctx.stats.readbacks - before).toBe(1);
    const ref = runReference(graph, { image: { shape: SHAPE, data: image } });
    for (const name of ['c1', 'p1', 'm1', 'c2', 'p2', 'c3', 'p3', 'logits', 'prob', 'box']) {
      expect(all[name], name).toBeDefined();
      expect(relativeError(all[name]!.data, ref.get(name)!.data), name).toBeLessThanOrEqual(F32_TOLERANCE);
    }
  });

  it('reading an intermediate without debug mode is refused', async () => {
    const plan = await compileGraph(await gpu(), pnetLikeGraph(), { inputShapes: { image: [1, 3, 12, 12] } });
    await expect(plan.run({ image: sampleInput([1, 3, 12, 12]) }, { outputs: ['c2'] })).rejects.toThrow(/c2 are intermediates; compile with debug/);
  });

  it('one graph compiled for several input sizes shares its weight buffers', async () => {
    const ctx = await gpu();
    const graph = pnetLikeGraph();
    const small = await compileGraph(ctx, graph, { inputShapes: { image: [1, 3, 12, 12] } });
    const large = await compileGraph(ctx, graph, { inputShapes: { image: [1, 3, 40, 33] } });
    expect(large.bufferOf('conv1.w')).toBe(small.bufferOf('conv1.w'));
    expect(large.shapeOf('prob')).toEqual([1, 2, 15, 12]);
    expect(small.shapeOf('prob')).toEqual([1, 2, 1, 1]);
  });
});

describe('buffer reuse does not corrupt results', () => {
  it('a long chain with a skip connection (storage kept alive across reuse)', async () => {
    const ctx = await gpu();
    const seed = freshSeed();
    const r = rng(seed);
    const shape = [1, 4, 9, 7];
    // x -> relu -> sigmoid -> ... (8 steps) -> add(skip from step 1) -> concat with reshape view
    const nodes: Graph['nodes'] = [{ name: 'n0', op: 'Mul', inputs: ['x', 'k'], outputs: ['t0'] }];
    const ops = ['Sigmoid', 'HardSwish', 'Relu', 'Sigmoid', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'Sigmoid'];
    ops.forEach((op, i) => nodes.push({ name: `n${i + 1}`, op, inputs: [`t${i}`], outputs: [`t${i + 1}`] }));
    nodes.push({ name: 'skip', op: 'Add', inputs: ['t8', 't1'], outputs: ['sum'] });
    nodes.push({ name: 'view', op: 'Flatten', inputs: ['t2'], outputs: ['t2flat'] });
    nodes.push({ name: 'view2', op: 'Flatten', inputs: ['sum'], outputs: ['sumflat'] });
    nodes.push({ name: 'cat', op: 'Concat', inputs: ['sumflat', 't2flat'], outputs: ['y'], attrs: { axis: 1 } });
    const graph: Graph = {
      name: 'chain',
      inputs: [{ name: 'x', shape }],
      outputs: ['y'],
      nodes,
      weights: { k: { shape: [1, 4, 1, 1], data: randomData(4, r, 0.5, 2) } },
    };
    const plan = await compileGraph(ctx, graph);
    const x = randomData(4 * 9 * 7, r, -3, 3);
    plan.poison();
    const out = await plan.run({ x });
    const ref = runReference(graph, { x: { shape, data: x } }).get('y')!;
    const err = relativeError(out.y!.data, ref.data);
    console.log(`chain: ${plan.buffers.slotBytes.length} pool buffers for ${plan.analysis.steps.length} steps, rel.err ${err.toExponential(2)} (seed ${seed})`);
    expect(plan.buffers.slotBytes.length).toBeLessThanOrEqual(4);
    expect(err).toBeLessThanOrEqual(F32_TOLERANCE);
  });
});

describe('graph validation errors name the node', () => {
  const base = (): Graph => ({
    name: 'tiny',
    inputs: [{ name: 'x', shape: [1, 3, 8, 8] }],
    outputs: ['y'],
    nodes: [{ name: 'conv_a', op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] }],
    weights: { w: { shape: [4, 3, 3, 3], data: new Float32Array(108).fill(0.5) } },
  });

  it('unknown op', async () => {
    const g = base();
    g.nodes[0]!.op = 'Convolve';
    await expect(compileGraph(await gpu(), g)).rejects.toThrow(/node 'conv_a' \(Convolve\): unknown op 'Convolve' \(supported: .*Conv.*\)/);
  });

  it('shape mismatch', async () => {
    const g = base();
    g.weights.w = { shape: [4, 5, 3, 3], data: new Float32Array(180).fill(0.5) };
    await expect(compileGraph(await gpu(), g)).rejects.toThrow(/node 'conv_a' \(Conv\): Conv: weight \[4, 5, 3, 3\] has 5 input channels per group.*needs 3/);
  });

  it('missing weight', async () => {
    const g = base();
    delete (g.weights as Record<string, unknown>).w;
    await expect(compileGraph(await gpu(), g)).rejects.toThrow(/node 'conv_a' \(Conv\): input 'w' is missing/);
  });

  it('bad attribute', async () => {
    const g = base();
    g.nodes[0]!.attrs = { strides: [2] };
    await expect(compileGraph(await gpu(), g)).rejects.toThrow(/node 'conv_a' \(Conv\): attribute 'strides' must have 2 values/);
  });

  it('cycle', async () => {
    const g = base();
    g.nodes = [
      { name: 'a', op: 'Relu', inputs: ['z'], outputs: ['y'] },
      { name: 'b', op: 'Relu', inputs: ['y'], outputs: ['z'] },
    ];
    await expect(compileGraph(await gpu(), g)).rejects.toThrow(/cycle through node 'a' \(Relu\), node 'b' \(Relu\)/);
  });

  it('wrong input size at run time', async () => {
    const plan = await compileGraph(await gpu(), base());
    await expect(plan.run({ x: new Float32Array(10) })).rejects.toThrow(/input 'x' has 10 values, shape \[1, 3, 8, 8\] needs 192/);
  });
});

describe('load-time rewrites keep results', () => {
  it('BatchNorm folded into Conv and activations fused give the unoptimized outputs', async () => {
    const ctx = await gpu();
    const seed = freshSeed();
    const r = rng(seed);
    const graph: Graph = {
      name: 'bn-act',
      inputs: [{ name: 'x', shape: [2, 3, 11, 10] }],
      outputs: ['y', 'z'],
      nodes: [
        { name: 'conv', op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { name: 'bn', op: 'BatchNormalization', inputs: ['c', 'g', 'beta', 'mean', 'var'], outputs: ['n'], attrs: { epsilon: 1e-3 } },
        { name: 'act', op: 'HardSwish', inputs: ['n'], outputs: ['y'] },
        { name: 'fc', op: 'Gemm', inputs: ['flat', 'fw', 'fb'], outputs: ['f'], attrs: { transB: 1 } },
        { name: 'flatten', op: 'Flatten', inputs: ['y'], outputs: ['flat'] },
        { name: 'prelu', op: 'PRelu', inputs: ['f', 'slope'], outputs: ['z'] },
      ],
      weights: {
        w: { shape: [8, 3, 3, 3], data: randomData(216, r) },
        b: { shape: [8], data: randomData(8, r) },
        g: { shape: [8], data: randomData(8, r, 0.5, 1.5) },
        beta: { shape: [8], data: randomData(8, r) },
        mean: { shape: [8], data: randomData(8, r) },
        var: { shape: [8], data: randomData(8, r, 0.2, 2) },
        fw: { shape: [5, 880], data: randomData(4400, r, -0.05, 0.05) },
        fb: { shape: [5], data: randomData(5, r) },
        slope: { shape: [5], data: randomData(5, r, 0, 0.5) },
      },
    };
    const { graph: optimized, rewrites } = optimizeGraph(graph);
    console.log(rewrites.join('\n'));
    expect(rewrites).toEqual([
      "folded BatchNormalization 'bn' into Conv 'conv'",
      "fused HardSwish 'act' into Conv 'conv'",
      "fused PRelu 'prelu' into Gemm 'fc'",
    ]);
    expect(optimized.nodes.map((n) => n.op)).toEqual(['Conv', 'Gemm', 'Flatten']);
    const x = randomData(2 * 3 * 11 * 10, r);
    const ref = runReference(graph, { x: { shape: [2, 3, 11, 10], data: x } });
    const plan = await compileGraph(ctx, optimized);
    plan.poison();
    const out = await plan.run({ x });
    for (const t of ['y', 'z']) {
      const err = relativeError(out[t]!.data, ref.get(t)!.data);
      console.log(`optimized ${t} rel.err vs unoptimized float64 reference ${err.toExponential(2)} (seed ${seed})`);
      expect(err).toBeLessThanOrEqual(F32_TOLERANCE);
    }
  });
});

describe('GPU errors are reported with their label, never swallowed', () => {
  it('a validation error inside a scoped region names the region and the object', async () => {
    const ctx = await gpu();
    const err = await ctx
      .scoped("node 'bad' (Test)", () => {
        ctx.device.createBuffer({ label: 'bad buffer', size: 16, usage: BufferUsage.MAP_READ | BufferUsage.STORAGE });
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(GpuValidationError);
    expect(err.message).toContain("node 'bad' (Test)");
    expect(err.message).toContain('bad buffer');
  });
});
