// Shared test helpers: the process's GPU context, seeded random tensors, relative error.
import { seededRandom } from '../../src/graph/sample-graphs.js';
import { expect } from 'vitest';
import { acquireGpu } from '../../src/gpu/device.js';
import type { GpuContext } from '../../src/gpu/context.js';

export function gpu(): Promise<GpuContext> {
  return acquireGpu();
}

/** mulberry32 (seededRandom): a failing random case can be replayed from its printed seed. */
export const rng = seededRandom;

/** A fresh seed per run (printed by the caller), overridable with TEST_SEED to replay. */
export function freshSeed(): number {
  return process.env.TEST_SEED ? Number(process.env.TEST_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
}

/** Uniform values in [lo, hi), never all zero. */
export function randomData(n: number, random: () => number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random();
  return out;
}

export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = actual[i]! - expected[i]!;
    num += d * d;
    den += expected[i]! * expected[i]!;
  }
  if (Number.isNaN(num)) return Number.NaN;
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

export function countNaN(data: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i]!)) n++;
  return n;
}
