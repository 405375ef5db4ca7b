// Micro-benchmark (not a test): per-op GFLOP/s and GB/s on one adapter, each also as a fraction of
// the adapter's own FMA peak and copy bandwidth, measured here by the same timing method.
// Median of --runs runs after 2 warm-up runs. Writes harness/reports/bench-ops-<adapter>.{json,md}.
//
//   npm run bench:ops -- --adapter lavapipe
//   npm run bench:ops -- --adapter swiftshader
//   WEBGPU_DETECT_KERNELS=gpu npm run bench:ops -- --adapter lavapipe --tag gpu-kernels
//   (--only <text>: just the cases whose name contains it, no report written)
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { acquireGpu, finishBackgroundGpuWork } from '../src/gpu/device.js';
import type { GpuContext } from '../src/gpu/context.js';
import { BufferUsage } from '../src/gpu/flags.js';
import { packParams } from '../src/gpu/wgsl-reflect.js';
import { timePass } from '../src/gpu/timing.js';
import { compileGraph } from '../src/graph/compiled-graph.js';
import { seededRandom } from '../src/graph/sample-graphs.js';
import type { Graph } from '../src/graph/types.js';

const { values: args } = parseArgs({ options: { adapter: { type: 'string' }, runs: { type: 'string', default: '10' }, only: { type: 'string' }, tag: { type: 'string' } } });
const RUNS = Number(args.runs);

function random(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * r() - 1;
  return out;
}

interface Row {
  name: string;
  ms: number;
  gflops: number;
  gbps: number;
  peakFraction: number;
  bandwidthFraction: number;
}

/** One compute kernel outside any graph (peak and bandwidth probes). */
async function rawKernel(ctx: GpuContext, file: string, params: Record<string, number>, buffers: GPUBuffer[], invocations: number, defines: Record<string, number> = {}) {
  const kernel = await ctx.pipelines.get({ files: file === 'bench/copy.wgsl' ? ['common/indexing.wgsl', file] : [file], defines: { WORKGROUP_SIZE: 64, ...defines } }, file);
  const uniforms = ctx.createBuffer(`${file} params`, kernel.params!.size, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
  ctx.device.queue.writeBuffer(uniforms, 0, packParams(kernel.params!, params, file));
  const bindGroup = ctx.device.createBindGroup({
    label: file,
    layout: kernel.bindGroupLayout,
    entries: kernel.bindings.map((b, i) => ({ binding: b.binding, resource: { buffer: b.kind === 'uniform' ? uniforms : buffers[i]! } })),
  });
  const groups = Math.ceil(invocations / 64);
  const x = Math.min(groups, 65535);
  return (pass: GPUComputePassEncoder) => {
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
  };
}

async function fmaPeak(ctx: GpuContext): Promise<{ gflops: number; ms: number }> {
  const invocations = 65536;
  const iterations = 2048;
  const out = ctx.storageBuffer('fma peak output', invocations * 16);
  const encode = await rawKernel(ctx, 'bench/fma_peak.wgsl', { iterations, seed: 0.001 }, [out], invocations);
  const t = await timePass(ctx, 'fma peak', encode, { runs: RUNS });
  const flops = invocations * iterations * 8 * 4 * 2;
  return { gflops: flops / t.median / 1e6, ms: t.median };
}

/** The higher of two copy kernels (4 and 8 vec4 per invocation: each adapter prefers one). */
async function copyBandwidth(ctx: GpuContext): Promise<{ gbps: number; ms: number; readings: Record<number, number> }> {
  const bytes = 32 << 20;
  const a = ctx.uploadBuffer('copy source', random(bytes / 4, 1));
  const b = ctx.storageBuffer('copy destination', bytes);
  let best = { gbps: 0, ms: 0 };
  const readings: Record<number, number> = {};
  for (const perInvocation of [4, 8]) {
    const encode = await rawKernel(ctx, 'bench/copy.wgsl', { count: bytes / 16 }, [a, b], bytes / 16 / perInvocation, { PER_INVOCATION: perInvocation });
    const t = await timePass(ctx, 'copy', encode, { runs: RUNS });
    readings[perInvocation] = (2 * bytes) / t.median / 1e6;
    if (readings[perInvocation]! > best.gbps) best = { gbps: readings[perInvocation]!, ms: t.median };
  }
  return { ...best, readings };
}

interface OpCase {
  name: string;
  graph: Graph;
  input: number[];
  flops: number;
  bytes: number;
}

function convCase(name: string, c: number, m: number, k: number, hw: number, group: number): OpCase {
  const pad = (k - 1) / 2;
  const wShape = [m, c / group, k, k];
  const wCount = m * (c / group) * k * k;
  return {
    name,
    input: [1, c, hw, hw],
    flops: 2 * m * (c / group) * k * k * hw * hw,
    bytes: 4 * (c * hw * hw + wCount + m + m * hw * hw),
    graph: {
      name,
      inputs: [{ name: 'x', shape: [1, c, hw, hw] }],
      outputs: ['y'],
      nodes: [{ name, op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { pads: [pad, pad, pad, pad], group } }],
      weights: { w: { shape: wShape, data: random(wCount, 2) }, b: { shape: [m], data: random(m, 3) } },
    },
  };
}

const cases: OpCase[] = [
  convCase('conv 3x3 64->64 @128x128', 64, 64, 3, 128, 1),
  convCase('conv 1x1 256->256 @64x64', 256, 256, 1, 64, 1),
  convCase('depthwise 3x3 x128 @128x128', 128, 128, 3, 128, 128),
  {
    name: 'matmul 1024^3 (Gemm)',
    input: [1024, 1024],
    flops: 2 * 1024 ** 3,
    bytes: 4 * 3 * 1024 * 1024,
    graph: {
      name: 'matmul',
      inputs: [{ name: 'x', shape: [1024, 1024] }],
      outputs: ['y'],
      nodes: [{ name: 'matmul', op: 'Gemm', inputs: ['x', 'w'], outputs: ['y'] }],
      weights: { w: { shape: [1024, 1024], data: random(1024 * 1024, 4) } },
    },
  },
  {
    name: 'add 4M elements (memory-bound)',
    input: [1, 16, 512, 512],
    flops: 16 * 512 * 512,
    bytes: 4 * 3 * 16 * 512 * 512,
    graph: {
      name: 'add',
      inputs: [{ name: 'x', shape: [1, 16, 512, 512] }],
      outputs: ['y'],
      nodes: [{ name: 'add', op: 'Add', inputs: ['x', 'k'], outputs: ['y'] }],
      weights: { k: { shape: [1, 16, 512, 512], data: random(16 * 512 * 512, 5) } },
    },
  },
];

const ctx = await acquireGpu({ adapter: args.adapter });
console.log(`adapter: ${ctx.adapter.name} (${ctx.adapter.source}); kernels: ${ctx.kernelClass}; timing: ${ctx.hasTimestamps ? 'timestamp-query' : 'wall-clock'}; median of ${RUNS} runs after 2 warm-up`);
const peakBefore = await fmaPeak(ctx);
const copy = await copyBandwidth(ctx);
console.log(`FMA peak ${peakBefore.gflops.toFixed(2)} GFLOP/s, copy bandwidth ${copy.gbps.toFixed(2)} GB/s (4 / 8 vec4 per invocation: ${copy.readings[4]!.toFixed(2)} / ${copy.readings[8]!.toFixed(2)})`);

const rows: Row[] = [];
for (const c of cases.filter((k) => !args.only || k.name.includes(args.only))) {
  const plan = await compileGraph(ctx, c.graph);
  plan.writeInputs({ x: random(c.input.reduce((a, b) => a * b, 1), 6) });
  const t = await timePass(ctx, c.name, (pass) => plan.encode(pass), { runs: RUNS });
  const row: Row = {
    name: c.name,
    ms: t.median,
    gflops: c.flops / t.median / 1e6,
    gbps: c.bytes / t.median / 1e6,
    peakFraction: c.flops / t.median / 1e6 / peakBefore.gflops,
    bandwidthFraction: c.bytes / t.median / 1e6 / copy.gbps,
  };
  rows.push(row);
  console.log(`${row.name.padEnd(32)} ${row.ms.toFixed(2).padStart(9)} ms ${row.gflops.toFixed(2).padStart(7)} GFLOP/s (${(100 * row.peakFraction).toFixed(0).padStart(3)}% of peak) ${row.gbps.toFixed(2).padStart(7)} GB/s (${(100 * row.bandwidthFraction).toFixed(0).padStart(3)}% of copy)`);
}

// The peak once more, after the ops: on SwiftShader one reading varied from 7.4 to 9.5 GFLOP/s
// between runs, and a low one inflates every '% of peak'. The higher reading is the peak.
const peakAfter = await fmaPeak(ctx);
const peak = peakAfter.gflops > peakBefore.gflops ? peakAfter : peakBefore;
for (const row of rows) row.peakFraction = row.gflops / peak.gflops;
console.log(`FMA peak again after the ops: ${peakAfter.gflops.toFixed(2)} GFLOP/s; % of peak against ${peak.gflops.toFixed(2)}: ${rows.map((r) => `${r.name.split(' ').slice(0, 2).join(' ')} ${(100 * r.peakFraction).toFixed(0)}%`).join(', ')}`);

if (args.only) {
  // A partial run writes no report.
  await finishBackgroundGpuWork();
  process.exit(0);
}
const slug = (ctx.adapter.architecture || ctx.adapter.vendor || 'adapter').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
const name = `${slug === 'software' ? 'lavapipe' : slug}${args.tag ? `-${args.tag}` : ''}`;
mkdirSync('harness/reports', { recursive: true });
const report = { date: new Date().toISOString(), adapter: ctx.adapter.name, kernels: ctx.kernelClass, source: ctx.adapter.source, runs: RUNS, timing: ctx.hasTimestamps ? 'timestamp-query' : 'wall-clock', fmaPeakGflops: peak.gflops, fmaPeakReadings: [peakBefore.gflops, peakAfter.gflops], copyGbps: copy.gbps, copyReadings: copy.readings, rows };
writeFileSync(`harness/reports/bench-ops-${name}.json`, JSON.stringify(report, null, 2) + '\n');
const md = [
  `# Op micro-benchmark: ${ctx.adapter.name}`,
  '',
  `${report.date}, ${ctx.kernelClass} kernels, ${report.timing}, median of ${RUNS} runs after 2 warm-up. FMA peak ${peak.gflops.toFixed(2)} GFLOP/s (the higher of ${peakBefore.gflops.toFixed(2)} before the ops and ${peakAfter.gflops.toFixed(2)} after), copy bandwidth ${copy.gbps.toFixed(2)} GB/s (the higher of ${copy.readings[4]!.toFixed(2)} and ${copy.readings[8]!.toFixed(2)}: 4 and 8 vec4 copied per invocation; both measured by this harness).`,
  '',
  '| op | ms | GFLOP/s | % of FMA peak | GB/s (min. traffic) | % of copy bandwidth |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.ms.toFixed(2)} | ${r.gflops.toFixed(2)} | ${(100 * r.peakFraction).toFixed(0)}% | ${r.gbps.toFixed(2)} | ${(100 * r.bandwidthFraction).toFixed(0)}% |`),
  '',
].join('\n');
writeFileSync(`harness/reports/bench-ops-${name}.md`, md);
console.log(`wrote harness/reports/bench-ops-${name}.{json,md}`);
await finishBackgroundGpuWork(); // the helper device's compiles: exiting under one can crash Dawn
process.exit(0);
