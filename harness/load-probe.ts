// What a load costs on this adapter, in FMAs' time (a probe, not a test): shaders/probe/load_probe.wgsl
// runs 8 vec4 FMA chains per iteration with no load, with per-invocation (lane) loads, with loads
// every invocation of the workgroup shares (uniform), from a uniform buffer, from workgroup memory,
// and through subgroupBroadcast. On lavapipe (2026-11-30) a lane vec4 load cost ~16 ns per 8
// invocations and a shared one ~15 ns, against ~0.3 ns per 8-wide FMA: the evidence behind the
// subgroup-shared operands of gemm.wgsl and conv2d.wgsl.
//
//   node --import tsx --import ./scripts/wgsl-hook.mjs harness/load-probe.ts lavapipe|swiftshader
import { acquireGpu, finishBackgroundGpuWork } from '../src/gpu/device.js';
import { BufferUsage } from '../src/gpu/flags.js';
import { packParams } from '../src/gpu/wgsl-reflect.js';
import { timePass } from '../src/gpu/timing.js';
const ctx = await acquireGpu({ adapter: process.argv[2] ?? 'lavapipe' });
const modes = ['MODE_NONE', 'MODE_LANE_SCALAR', 'MODE_LANE_VEC4', 'MODE_UNIFORM_SCALAR', 'MODE_UNIFORM_VEC4', 'MODE_UBO', 'MODE_WG_UNIFORM', 'MODE_WG_LANE', 'MODE_LANE_MAT4', 'MODE_SG', 'MODE_SG_LOAD'];
const combos = [['MODE_NONE', 'MODE_SG'], ['MODE_NONE', 'MODE_SG_LOAD'], ['MODE_LANE_VEC4', 'MODE_SG'], ['MODE_NONE'], ['MODE_LANE_SCALAR'], ['MODE_LANE_VEC4'], ['MODE_NONE', 'MODE_UNIFORM_SCALAR'], ['MODE_NONE', 'MODE_UNIFORM_VEC4'], ['MODE_LANE_VEC4', 'MODE_UNIFORM_VEC4'], ['MODE_NONE', 'MODE_UBO'], ['MODE_NONE', 'MODE_WG_UNIFORM'], ['MODE_WG_LANE'], ['MODE_LANE_VEC4', 'MODE_UBO']];
const n = 1 << 20;
const s = ctx.uploadBuffer('s', new Float32Array(n).fill(0.5));
const v = ctx.uploadBuffer('v', new Float32Array(n).fill(0.5));
const invocations = 65536, iterations = 512;
const out = ctx.storageBuffer('o', invocations * 16);
const ubo = ctx.createBuffer('ubo', 16384, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
for (const wgs of [64]) for (const combo of combos) { const mode = combo.join('+');
  const defines: Record<string, unknown> = { WORKGROUP_SIZE: wgs };
  for (const m of modes) defines[m] = combo.includes(m);
  defines.USE_WG = mode.includes('WG');
  const k = await ctx.pipelines.get({ files: ['probe/load_probe.wgsl'], defines } as never, 'probe');
  const u = ctx.createBuffer('p', k.params!.size, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
  ctx.device.queue.writeBuffer(u, 0, packParams(k.params!, { iterations, n }, 'p'));
  const bufs: Record<number, GPUBuffer> = { 0: s, 1: v, 2: out };
  const bg = ctx.device.createBindGroup({ layout: k.bindGroupLayout, entries: k.bindings.map((b, i) => ({ binding: b.binding, resource: { buffer: b.name === 'params' ? u : b.name === 'ubuf' ? ubo : bufs[b.binding]! } })) });
  const t = await timePass(ctx, mode, (p) => { p.setPipeline(k.pipeline); p.setBindGroup(0, bg); p.dispatchWorkgroups(invocations / wgs); }, { runs: 5 });
  const fl = invocations * iterations * 32 * 2;
  console.log(wgs, mode.padEnd(22), t.median.toFixed(1), 'ms', (fl / t.median / 1e6).toFixed(1), 'GFLOP/s', ((t.median * 1e6) / (invocations / 8 * iterations)).toFixed(2), 'ns per 8-lane iteration');
}
await finishBackgroundGpuWork(); // the helper device's compiles: exiting under one can crash Dawn
process.exit(0);
