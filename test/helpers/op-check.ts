// Runs one op as a single-node graph on the GPU (outputs poisoned with NaN first) and compares it
// with the op's float64 reference on the same fresh random inputs.
import { expect } from 'vitest';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { runReference } from '../../src/graph/reference.js';
import type { Graph } from '../../src/graph/types.js';
import type { AdapterClass } from '../../src/ops/types.js';
import { sizeOf } from '../../src/ops/tensor-utils.js';
import { countNaN, freshSeed, gpu, randomData, relativeError, rng } from './gpu.js';

/** ‖gpu−ref‖/‖ref‖ bound for float32 ops (see the issue: a larger bound needs a written reason). */
export const F32_TOLERANCE = 1e-5;

export interface OpCase {
  op: string;
  attrs?: Record<string, unknown>;
  /** Input shapes; null = absent optional input. */
  inputs: Array<number[] | null>;
  /** Value range per input (default [-1, 1]). */
  ranges?: Array<[number, number] | undefined>;
  /** Fixed values for some inputs (e.g. a BatchNorm variance must be > 0). */
  values?: Array<Float32Array | undefined>;
  /** Inputs given as graph weights (constants) instead of graph inputs: kernels may pack them. */
  constants?: number[];
  tolerance?: number;
  /** Compile with this kernel family instead of the adapter's (e.g. 'gpu': the workgroup-memory variants). */
  kernels?: AdapterClass;
}

export async function checkOp(c: OpCase): Promise<number> {
  const ctx = await gpu();
  const seed = freshSeed();
  const random = rng(seed);
  const names = c.inputs.map((s, i) => (s ? `in${i}` : ''));
  const data: Record<string, Float32Array> = {};
  const shapes: Record<string, number[]> = {};
  c.inputs.forEach((shape, i) => {
    if (!shape) return;
    const [lo, hi] = c.ranges?.[i] ?? [-1, 1];
    data[names[i]!] = c.values?.[i] ?? randomData(sizeOf(shape), random, lo, hi);
    shapes[names[i]!] = shape;
  });
  // Trailing absent inputs are dropped; inner ones stay as ''.
  while (names.length && names[names.length - 1] === '') names.pop();
  const constant = (n: string) => c.constants?.includes(names.indexOf(n)) ?? false;
  const graph: Graph = {
    name: `${c.op} test`,
    inputs: names.filter((n) => n && !constant(n)).map((n) => ({ name: n, shape: shapes[n]! })),
    outputs: ['out'],
    nodes: [{ name: c.op.toLowerCase(), op: c.op, inputs: names, outputs: ['out'], attrs: c.attrs }],
    weights: Object.fromEntries(names.filter((n) => n && constant(n)).map((n) => [n, { shape: shapes[n]!, data: data[n]! }])),
  };
  const ownClass = ctx.kernelClass;
  if (c.kernels) ctx.kernelClass = c.kernels;
  const plan = await compileGraph(ctx, graph).finally(() => (ctx.kernelClass = ownClass));
  plan.poison();
  const result = (await plan.run(Object.fromEntries(Object.entries(data).filter(([n]) => !constant(n))))).out!;
  const reference = runReference(graph, Object.fromEntries(Object.entries(data).filter(([k]) => !constant(k)).map(([k, v]) => [k, { shape: shapes[k]!, data: v }]))).get("out")!;
  expect(result.shape).toEqual(reference.shape);
  expect(countNaN(result.data), 'unwritten (NaN-poisoned) outputs').toBe(countNaN(reference.data));
  const error = relativeError(result.data, reference.data);
  const tolerance = c.tolerance ?? F32_TOLERANCE;
  const inputs = c.inputs.map((s) => (s ? `[${s}]` : '-')).join(' ');
  console.log(`[${ctx.adapter.name}${c.kernels ? `, ${c.kernels} kernels` : ''}] ${c.op} ${inputs} ${JSON.stringify(c.attrs ?? {})} rel.err ${error.toExponential(2)} (seed ${seed})`);
  expect(error, `relative error of ${c.op} (seed ${seed})`).toBeLessThanOrEqual(tolerance);
  return error;
}
