// f16 storage (CompileOptions.storage 'f16'): the f16 conversion on hand-made values, which tensors
// are stored in f16, and the MTCNN networks on the GPU against the CPU reference that rounds the
// same tensors to f16 (and against plain f32 storage, to show what f16 costs).
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { analyzeGraph } from '../../src/graph/analyze.js';
import { halfBits, halfStorageTensors, halfValue, roundToHalf, storageOwners, unpackHalves } from '../../src/graph/half-storage.js';
import { optimizeGraph } from '../../src/graph/optimize.js';
import { runReference } from '../../src/graph/reference.js';
import { loadPackagedGraph } from '../../src/io/node-models.js';
import type { Graph } from '../../src/graph/types.js';
import { countNaN, freshSeed, gpu, randomData, relativeError, rng } from '../helpers/gpu.js';

describe('f16 conversion', () => {
  it('rounds to nearest even, keeps signed zero, subnormals, infinities and NaN', () => {
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to the even mantissa (1.0).
    expect(halfBits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): rounds up.
    expect(halfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(halfBits(65504)).toBe(0x7bff); // largest finite half
    expect(halfBits(65520)).toBe(0x7c00); // rounds to infinity
    expect(halfBits(-0)).toBe(0x8000);
    expect(halfBits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(halfBits(2 ** -25)).toBe(0x0000); // halfway to 0: ties to even (0)
    expect(halfBits(3 * 2 ** -25)).toBe(0x0002); // 1.5 subnormal steps: ties to even (2)
    expect(halfValue(0x0001)).toBe(2 ** -24);
    expect(Number.isNaN(halfValue(halfBits(Number.NaN)))).toBe(true);
    expect(roundToHalf(-Infinity)).toBe(-Infinity);
    expect(roundToHalf(0.1)).toBe(0.0999755859375);
    // Two halves per word, element 0 in the low half (pack2x16float's order).
    expect(Array.from(unpackHalves(Uint32Array.of((halfBits(-2) << 16) | halfBits(0.5)).buffer, 2))).toEqual([0.5, -2]);
  });
});

describe('f16 storage of MTCNN activations', () => {
  const shapes = { pnet: [2, 3, 61, 47], rnet: [5, 3, 24, 24], onet: [3, 3, 48, 48] } as const;
  for (const net of ['pnet', 'rnet', 'onet'] as const) {
    it(`${net}: activations between Conv/MaxPool/Gemm in f16, outputs f32; GPU = CPU reference with the same rounding`, async () => {
      const ctx = await gpu();
      const seed = freshSeed();
      const graph = optimizeGraph(await loadPackagedGraph('mtcnn', net)).graph;
      const inputName = graph.inputs[0]!.name;
      const shape = [...shapes[net]];
      const analysis = analyzeGraph(graph, { [inputName]: shape });
      const half = halfStorageTensors(analysis, storageOwners(analysis), graph.outputs);
      // Every Conv/MaxPool output but the ones feeding a Softmax or leaving the graph.
      expect(half.size).toBeGreaterThanOrEqual(net === 'pnet' ? 4 : 6);
      for (const out of graph.outputs) expect(half.has(out)).toBe(false);
      // Softmax has no f16 variant: its input (the logits) stays f32.
      expect(half.has(graph.nodes.find((n) => n.op === 'Softmax')!.inputs[0]!)).toBe(false);

      const image = randomData(shape.reduce((a, b) => a * b, 1), rng(seed), -1, 1);
      const f16 = await compileGraph(ctx, graph, { inputShapes: { [inputName]: shape }, storage: 'f16', debug: true });
      const f32 = await compileGraph(ctx, graph, { inputShapes: { [inputName]: shape } });
      f16.poison();
      const got = await f16.run({ [inputName]: image });
      const plain = await f32.run({ [inputName]: image });
      const refHalf = runReference(graph, { [inputName]: { shape, data: image } }, 'f32', 'f16');
      const ref64 = runReference(graph, { [inputName]: { shape, data: image } }, 'f64');
      const rows: string[] = [];
      for (const t of [...half, ...graph.outputs]) {
        expect(countNaN(got[t]!.data), t).toBe(0);
        // Against the reference with the same f16 rounding: what remains is f32 summation order
        // flipping an occasional f16 rounding (one half ulp, 2^-11 relative).
        const err = relativeError(got[t]!.data, refHalf.get(t)!.data);
        expect(err, `${t} (seed ${seed})`).toBeLessThanOrEqual(1e-3);
        rows.push(`${t}: vs f16-rounded reference ${err.toExponential(2)}`);
      }
      for (const t of graph.outputs) {
        const errF16 = relativeError(got[t]!.data, ref64.get(t)!.data);
        const errF32 = relativeError(plain[t]!.data, ref64.get(t)!.data);
        rows.push(`${t}: f16 storage vs f64 ${errF16.toExponential(2)}, f32 storage vs f64 ${errF32.toExponential(2)}`);
        // f16 storage costs precision (relative error of order 2^-11 per stored layer) ...
        expect(errF16).toBeGreaterThan(errF32);
        expect(errF16).toBeLessThan(1e-2);
      }
      // ... and saves memory: the f16 tensors take half the bytes.
      const f16Plan = await compileGraph(ctx, graph, { inputShapes: { [inputName]: shape }, storage: 'f16' });
      expect(f16Plan.stats.halfTensors).toBe(half.size);
      expect(f16Plan.stats.peakBytes).toBeLessThan(f32.stats.peakBytes);
      rows.push(`peak intermediate memory: f32 ${f32.stats.peakBytes} B, f16 ${f16Plan.stats.peakBytes} B (${half.size} tensors in f16)`);
      // f16 arithmetic (shader-f16: lavapipe has it, SwiftShader not, and says so).
      if (ctx.device.features.has('shader-f16')) {
        const math = await compileGraph(ctx, graph, { inputShapes: { [inputName]: shape }, storage: 'f16-math' });
        const out = await math.run({ [inputName]: image });
        for (const t of graph.outputs) {
          expect(countNaN(out[t]!.data), t).toBe(0);
          const err = relativeError(out[t]!.data, ref64.get(t)!.data);
          rows.push(`${t}: f16 arithmetic vs f64 ${err.toExponential(2)}`);
          // f16 products and sums over up to 1152 terms: about 2^-11 sqrt(n) relative.
          expect(err, `${t} (seed ${seed})`).toBeLessThan(3e-2);
        }
      } else {
        await expect(compileGraph(ctx, graph, { inputShapes: { [inputName]: shape }, storage: 'f16-math' })).rejects.toThrow(/needs the adapter's shader-f16 feature/);
        rows.push('f16 arithmetic: no shader-f16 on this adapter (refused with a readable error)');
      }
      console.log(`[${ctx.adapter.name}] ${net} ${JSON.stringify(shape)} (seed ${seed})\n${rows.join('\n')}`);
    });
  }
});

describe('f16 storage through the vec4-row convolutions', () => {
  it("3x3 'same' conv -> depthwise 3x3 -> 3x3 conv on rows of a multiple of 4 (ROW_VEC4 loads and stores in f16)", async () => {
    const ctx = await gpu();
    const seed = freshSeed();
    const random = rng(seed);
    const weight = (shape: number[]) => ({ shape, data: randomData(shape.reduce((a, b) => a * b, 1), random, -0.5, 0.5) });
    const same = { pads: [1, 1, 1, 1] };
    const shape = [2, 3, 9, 12];
    const graph: Graph = {
      name: 'row vec4 f16',
      inputs: [{ name: 'x', shape }],
      outputs: ['y'],
      nodes: [
        { name: 'c1', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['t1'], attrs: same },
        { name: 'dw', op: 'Conv', inputs: ['t1', 'wd', 'bd'], outputs: ['t2'], attrs: { ...same, group: 8 } },
        { name: 'c2', op: 'Conv', inputs: ['t2', 'w2', 'b2'], outputs: ['y'], attrs: same },
      ],
      weights: { w1: weight([8, 3, 3, 3]), b1: weight([8]), wd: weight([8, 1, 3, 3]), bd: weight([8]), w2: weight([5, 8, 3, 3]), b2: weight([5]) },
    };
    const x = randomData(shape.reduce((a, b) => a * b, 1), random);
    const plan = await compileGraph(ctx, graph, { storage: 'f16' });
    expect(plan.stats.halfTensors).toBe(2);
    plan.poison();
    const got = (await plan.run({ x })).y!;
    const refHalf = runReference(graph, { x: { shape, data: x } }, 'f32', 'f16').get('y')!;
    const ref64 = runReference(graph, { x: { shape, data: x } }, 'f64').get('y')!;
    expect(countNaN(got.data)).toBe(0);
    const err = relativeError(got.data, refHalf.data);
    const errF64 = relativeError(got.data, ref64.data);
    console.log(`[${ctx.adapter.name}] ROW_VEC4 convs, f16 storage: rel.err ${err.toExponential(2)} vs f16-rounded reference, ${errF64.toExponential(2)} vs f64 (seed ${seed})`);
    // The halves were really used (f16 rounding shows against f64) and match the same rounding.
    expect(errF64).toBeGreaterThan(1e-5);
    expect(err, `seed ${seed}`).toBeLessThanOrEqual(1e-3);
  });
});
