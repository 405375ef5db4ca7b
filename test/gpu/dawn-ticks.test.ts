// dawn.node spins the main thread while a GPU promise is pending (src/gpu/dawn-ticks.ts); the
// pacing turns that spin into a 1 ms timer after a wait's first 2 ms, and leaves every other
// setImmediate alone.
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dawnTickStats } from '../../src/gpu/dawn-ticks.js';
import { gpu, rng } from '../helpers/gpu.js';

describe('Dawn tick pacing', () => {
  it('a GPU wait of ~100 ms costs about one tick per millisecond, and the data arrives intact', async () => {
    const ctx = await gpu();
    const stats0 = dawnTickStats();
    expect(stats0.delayMs).toBe(1);
    const device = ctx.device;
    const bytes = 32 << 20;
    const words = new Uint32Array(bytes / 4);
    const random = rng(7);
    for (let i = 0; i < words.length; i += 997) words[i] = (random() * 0xffffffff) >>> 0;
    const a = device.createBuffer({ size: bytes, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const b = device.createBuffer({ size: bytes, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(a, 0, words);
    const encoder = device.createCommandEncoder();
    for (let i = 0; i < 16; i++) {
      encoder.copyBufferToBuffer(a, 0, b, 0, bytes);
      encoder.copyBufferToBuffer(b, 0, a, 0, bytes);
    }
    encoder.copyBufferToBuffer(a, 0, read, 0, bytes);
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const waitedMs = performance.now() - t0;
    const got = new Uint32Array(read.getMappedRange());
    let mismatches = 0;
    for (let i = 0; i < words.length; i += 997) if (got[i] !== words[i]) mismatches++;
    read.unmap();
    [a, b, read].forEach((buffer) => buffer.destroy());
    const stats = dawnTickStats();
    const paced = stats.paced - stats0.paced;
    const immediate = stats.immediate - stats0.immediate;
    console.log(`waited ${waitedMs.toFixed(1)} ms: ${paced} paced ticks, ${immediate} immediate`);
    expect(mismatches).toBe(0);
    // Unpaced, Dawn queues tens of thousands of ticks per second here (345,213 in a 7.4 s CLI run).
    expect(paced).toBeLessThanOrEqual(waitedMs + 2);
    expect(immediate).toBeLessThan(2000);
    if (waitedMs > 20) expect(paced).toBeGreaterThan(0);
  });

  it('leaves other setImmediate callbacks immediate, and util.promisify(setImmediate) working', async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      setTimeout(() => {
        order.push('timer');
        resolve();
      }, 1);
      setImmediate(() => order.push('immediate'));
    });
    expect(order).toEqual(['immediate', 'timer']);
    await expect(promisify(setImmediate)('value')).resolves.toBe('value');
  });
});
