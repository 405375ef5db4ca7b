// Dynamic (GPU-sized) batches and shared arenas, on the real MTCNN RNet graph.
import { describe, expect, it } from 'vitest';
import { MapMode, BufferUsage } from '../../src/gpu/flags.js';
import { BatchLauncher } from '../../src/graph/batch-launcher.js';
import { encodeStep } from '../../src/gpu/kernel.js';
import { BufferArena } from '../../src/graph/arena.js';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { LAUNCH_AXIS, LAUNCH_CEIL, LAUNCH_FLAT, launchGrid } from '../../src/graph/dynamic-batch.js';
import { optimizeGraph } from '../../src/graph/optimize.js';
import { runReference } from '../../src/graph/reference.js';
import { pnetLikeGraph, sampleInput } from '../../src/graph/sample-graphs.js';
import { loadPackagedGraph } from '../../src/io/node-models.js';
import { countNaN, freshSeed, gpu, randomData, relativeError, rng } from '../helpers/gpu.js';
import { F32_TOLERANCE } from '../helpers/op-check.js';

async function readU32(buffer: GPUBuffer, bytes: number): Promise<Uint32Array> {
  const ctx = await gpu();
  const [data] = await ctx.readback([{ buffer, size: bytes }], 'test read');
  return new Uint32Array(data!);
}

describe('dynamic batch', () => {
  it('RNet compiled for 8 samples runs exactly as many as a GPU count says, in chunks', async () => {
    const ctx = await gpu();
    const { graph } = optimizeGraph(await loadPackagedGraph('mtcnn', 'rnet'));
    const capacity = 8;
    const input = graph.inputs[0]!.name;
    const plan = await compileGraph(ctx, graph, { inputShapes: { [input]: [capacity, 3, 24, 24] }, dynamicBatch: true });
    const modes = plan.launchTable!.map((e) => e.mode);
    console.log(`launch table: ${plan.launchTable!.map((e, i) => `${i}:${['whole', 'flat', 'axis', 'ceil'][e.mode]}`).join(' ')}`);
    // Convolutions run per sample along grid z (conv1) or images x pixels along x (the small conv2,
    // conv3: declared 'ceil' and confirmed), the pools/softmax flat; none of them runs whole.
    expect(modes[0]).toBe(LAUNCH_AXIS);
    expect(modes.filter((m) => m === LAUNCH_CEIL).length).toBe(2);
    expect(modes).toContain(LAUNCH_FLAT);

    const chunks = 3;
    const counts = ctx.uploadBuffer('test counts', Uint32Array.of(0, 0));
    const launcher = await BatchLauncher.create(ctx, plan, counts, 1, chunks, 'rnet test');
    const seed = freshSeed();
    const random = rng(seed);
    const samples = randomData(chunks * capacity * 3 * 24 * 24, random);
    const sampleSize = 3 * 24 * 24;
    for (const count of [0, 1, 5, 8, 13, 30]) {
      ctx.device.queue.writeBuffer(counts, 0, Uint32Array.of(7, count));
      // Args for every chunk, checked against the CPU model of the kernel.
      const encoder = ctx.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      encodeStep(pass, launcher.argsStep());
      pass.end();
      ctx.submit([encoder.finish()]);
      const args = await readU32(launcher.args, launcher.args.size);
      const maxPerDim = ctx.device.limits.maxComputeWorkgroupsPerDimension;
      for (let k = 0; k < chunks; k++) {
        plan.launchTable!.forEach((e, i) => {
          const n = Math.max(0, Math.min(count - k * capacity, capacity));
          expect([...args.slice((k * plan.launchTable!.length + i) * 3, (k * plan.launchTable!.length + i) * 3 + 3)], `count ${count} chunk ${k} dispatch ${i}`).toEqual(launchGrid(e, n, capacity, maxPerDim));
        });
      }
      // Each chunk: write its samples into the plan input, run indirectly, read outputs.
      for (let k = 0; k < chunks; k++) {
        const n = Math.max(0, Math.min(count - k * capacity, capacity));
        plan.poison();
        ctx.device.queue.writeBuffer(plan.bufferOf(input), 0, samples.buffer as ArrayBuffer, k * capacity * sampleSize * 4, capacity * sampleSize * 4);
        const enc = ctx.device.createCommandEncoder();
        const p = enc.beginComputePass();
        launcher.encodeChunk(p, k);
        p.end();
        const [prob] = await ctx.readback([{ buffer: plan.bufferOf(graph.outputs[0]!), size: capacity * 2 * 4 }], 'test', enc);
        const got = new Float32Array(prob!);
        if (n === 0) {
          expect(countNaN(got), `count ${count} chunk ${k}: nothing may run`).toBe(got.length);
          continue;
        }
        const ref = runReference(graph, { [input]: { shape: [n, 3, 24, 24], data: samples.subarray(k * capacity * sampleSize, (k * capacity + n) * sampleSize) } });
        const err = relativeError(got.subarray(0, 2 * n), ref.get(graph.outputs[0]!)!.data);
        expect(err, `count ${count} chunk ${k} (seed ${seed})`).toBeLessThanOrEqual(F32_TOLERANCE);
      }
    }
  });
});

describe('shared arena', () => {
  it('two graphs of different sizes share buffers and are encoded into one command buffer', async () => {
    const ctx = await gpu();
    const graph = pnetLikeGraph();
    const arena = new BufferArena(ctx, 'test arena');
    const shapes: Array<[number, number, number, number]> = [[1, 3, 20, 17], [1, 3, 41, 33], [1, 3, 12, 12]];
    const plans = await Promise.all(shapes.map((s) => compileGraph(ctx, graph, { inputShapes: { image: s }, arena })));
    // A separate result buffer per plan: the arena buffers are reused by the next graph.
    const results = plans.map((p, i) => ctx.storageBuffer(`result ${i}`, p.shapeOf('prob').reduce((a, b) => a * b, 1) * 4));
    const inputs = shapes.map((s, i) => sampleInput(s, 40 + i));
    const staging = inputs.map((data, i) => ctx.uploadBuffer(`input ${i}`, data));
    const encoder = ctx.device.createCommandEncoder();
    plans.forEach((p, i) => {
      encoder.copyBufferToBuffer(staging[i]!, 0, p.bufferOf('image'), 0, inputs[i]!.byteLength);
      const pass = encoder.beginComputePass();
      p.encode(pass);
      pass.end();
      encoder.copyBufferToBuffer(p.bufferOf('prob'), 0, results[i]!, 0, results[i]!.size);
    });
    const data = await ctx.readback(results.map((b) => ({ buffer: b, size: b.size })), 'arena test', encoder);
    console.log(`arena: ${arena.slots} buffers, ${arena.totalBytes} B for 3 graphs (each alone: ${plans.map((p) => p.stats.peakBytes + p.stats.inputBytes).join(', ')} B)`);
    expect(arena.totalBytes).toBeLessThan(plans.reduce((s, p) => s + p.stats.peakBytes + p.stats.inputBytes, 0));
    shapes.forEach((s, i) => {
      const ref = runReference(graph, { image: { shape: s, data: inputs[i]! } }).get('prob')!;
      expect(relativeError(new Float32Array(data[i]!), ref.data)).toBeLessThanOrEqual(F32_TOLERANCE);
    });
  });
});
