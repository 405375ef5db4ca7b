// The helper device that compiles pipelines ahead for lavapipe (src/gpu/jit-warmer.ts): present on
// lavapipe only, compiles what it is given without touching the main device, survives a shader it
// cannot build, and the main device's results are the same whether or not the helper went first.
import { describe, expect, it } from 'vitest';
import { adapterClass } from '../../src/gpu/adapter-class.js';
import type { GpuContext } from '../../src/gpu/context.js';
import type { JitWarmer } from '../../src/gpu/jit-warmer.js';
import { reflectBindings } from '../../src/gpu/wgsl-reflect.js';
import { DEFAULT_WORKGROUP_SIZE } from '../../src/gpu/launch.js';
import { loadOpenFaceModel } from '../../src/io/clm-models.js';
import { CcnfFitter } from '../../src/pipelines/clm/ccnf-fitter.js';
import { LandmarkFitter } from '../../src/pipelines/clm/fitter.js';
import { randomImage, syntheticModel } from '../helpers/clm.js';
import { freshSeed, gpu, rng } from '../helpers/gpu.js';
import { smallSynthModel, writeOpenFaceModel } from '../helpers/openface-writer.js';
import { checkOp, F32_TOLERANCE } from '../helpers/op-check.js';

/** Waits until the helper has nothing queued or in progress. */
async function settle(warmer: JitWarmer): Promise<void> {
  for (let i = 0; i < 4000 && (warmer.queued > 0 || warmer.busy); i++) await new Promise((r) => setTimeout(r, 5));
}

/** The context and its helper; elsewhere than on lavapipe, checks there is none (undefined). */
async function lavapipeWarmer(): Promise<{ ctx: GpuContext; warmer: JitWarmer | undefined }> {
  const ctx = await gpu();
  const warmer = ctx.pipelines.warmer;
  if (!warmer) expect(adapterClass(ctx.adapter)).not.toBe('llvmpipe');
  return { ctx, warmer };
}

function seeded(): () => number {
  const seed = freshSeed();
  console.log(`seed ${seed}`);
  return rng(seed);
}

/**
 * Prewarms a fitter's `kernels` pipelines (anchor, patches, the response kernels, iterate, finish),
 * then fits: had prewarm sent other code than the fit compiles, the fit's pipelines would be new to
 * the helper. Returns the fit's points (flattened), all finite.
 */
async function prewarmThenFit(warmer: JitWarmer | undefined, kernels: number, prewarm: () => void, fit: () => Promise<ReadonlyArray<readonly number[]>>): Promise<number[]> {
  const before = { warmed: warmer?.warmed ?? 0, failed: warmer?.failed ?? 0 };
  prewarm();
  const queuedAhead = warmer?.queued ?? 0;
  if (warmer) {
    await settle(warmer);
    expect(warmer.warmed).toBe(before.warmed + kernels);
    expect(warmer.failed).toBe(before.failed);
  }
  const warmed = warmer?.warmed ?? 0;
  const points = (await fit()).flat();
  expect(points.every(Number.isFinite)).toBe(true);
  if (warmer) {
    expect(queuedAhead).toBeGreaterThan(0);
    await settle(warmer);
    expect(warmer.warmed).toBe(warmed);
  }
  return points;
}

describe('JIT warmer', () => {
  it('exists on lavapipe (Mesa cache on) and nowhere else', async () => {
    const ctx = await gpu();
    const lavapipe = adapterClass(ctx.adapter) === 'llvmpipe';
    expect(ctx.pipelines.warmer !== undefined).toBe(lavapipe);
    expect(ctx.pipelines.describe()).toMatch(lavapipe ? /also compiled on a helper device/ : /^\d+ pipelines created in [\d.]+ s$/);
  });

  it('compiles a kernel ahead; the main device then computes it exactly as without', async () => {
    const ctx = await gpu();
    const warmer = ctx.pipelines.warmer;
    // The kernel checkOp's Add below compiles on the main device (src/ops/binary.ts, vec4 path).
    const ops = { OP_ADD: true, OP_SUB: false, OP_MUL: false, OP_DIV: false };
    const source = { files: ['common/indexing.wgsl', 'elementwise/combine.wgsl', 'elementwise/binary_vec4.wgsl'], defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, BLOCK_A: false, BLOCK_B: false, ...ops } };
    const before = warmer?.warmed ?? 0;
    ctx.pipelines.prewarm(source, 'test prewarm add');
    ctx.pipelines.prewarm(source, 'test prewarm add again'); // the same code: compiled once
    if (warmer) {
      await settle(warmer);
      expect(warmer.warmed).toBe(before + 1);
    }
    const err = await checkOp({ op: 'Add', inputs: [[2, 3, 16, 20], [2, 3, 16, 20]] });
    expect(err).toBeLessThan(F32_TOLERANCE);
  });

  it('a shader the helper cannot build counts as failed and leaves the main device clean', async () => {
    const { ctx, warmer } = await lavapipeWarmer();
    if (!warmer) return;
    const failed = warmer.failed;
    const errors = ctx.uncapturedErrors.length;
    const code = '@group(0) @binding(0) var<storage, read_write> x: array<f32>;\n@compute @workgroup_size(1) fn main() { x[0] = undefined_name; }\n';
    warmer.warmSoon({ code, entry: 'main', bindings: reflectBindings(code), label: 'test broken' });
    await settle(warmer);
    expect(warmer.failed).toBe(failed + 1);
    expect(ctx.uncapturedErrors.length).toBe(errors);
    ctx.assertAlive();
  });

  it("the landmark fitter's prewarm sends exactly the pipelines its fit then uses", async () => {
    const ctx = await gpu();
    const random = seeded();
    const mean = Array.from({ length: 7 }, (_, i) => [20 * Math.cos(i), 20 * Math.sin(i)] as const);
    const fitter = LandmarkFitter.create(ctx, syntheticModel(mean, 5, (x, y) => Math.sin(x + 2 * y + random())));
    const options = { stages: [{ windowSize: 7, iterations: [{ sigma2: 1, reg: 0.1 }, { sigma2: 0.5, reg: 0.1 }] }] };
    // The SVM responses: one raw-map kernel (raw only), then the normalisation.
    const points = await prewarmThenFit(ctx.pipelines.warmer, 6, () => fitter.prewarm(options), async () => (await fitter.fit([randomImage(random, 96, 80)], [{ image: 0, box: [20, 15, 70, 65] }], options)).images[0]!.points);
    expect(points.length).toBe(14);
  });

  it("the OpenFace (CCNF) fitter's prewarm sends exactly the pipelines its fit then uses", async () => {
    const ctx = await gpu();
    const random = seeded();
    const synth = smallSynthModel(1 + Math.floor(random() * 1000), { landmarks: 8, patchSize: 5, windows: [5, 7], depth: 25 });
    const model = await loadOpenFaceModel(writeOpenFaceModel(synth).main, { fivePoints: [[0], [1], [2], [3], [4]] });
    const options = { stages: [{ scale: 0, windowSize: 5, sigma2: 2, reg: 10, rigidIterations: 1, iterations: 1 }] };
    const fitter = CcnfFitter.create(ctx, model, options);
    // The CCNF responses: raw map, Sigma, shift.
    const points = await prewarmThenFit(ctx.pipelines.warmer, 7, () => fitter.prewarm(options), async () => (await fitter.fit([randomImage(random, 170, 150)], [{ image: 0, init: [2.5, 0.05, -0.1, 0.2, 80, 70] }], options)).images[0]!.points);
    expect(points.length).toBe(16);
    fitter.destroy();
  });

  it('ready(): the main device waits for a pipeline the helper is compiling, and takes over one it has not started', async () => {
    const { warmer } = await lavapipeWarmer();
    if (!warmer) return;
    await settle(warmer);
    const before = warmer.warmed;
    const kernel = (op: string) => {
      const code = `@group(0) @binding(0) var<storage, read_write> x: array<f32>;\n@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { x[g.x] = ${op}(x[g.x] + ${Math.random()}); }\n`;
      return { code, entry: 'main', bindings: reflectBindings(code), label: `test ready ${op}` };
    };
    const a = kernel('sin');
    const b = kernel('cos');
    warmer.warmSoon(a); // started at once
    warmer.warmSoon(b); // queued behind it
    expect([warmer.busy, warmer.queued]).toEqual([true, 1]);
    await warmer.ready(b.code, b.entry); // not started: the main device will compile it
    expect(warmer.queued).toBe(0);
    await warmer.ready(a.code, a.entry); // in progress: waited for
    expect(warmer.warmed).toBe(before + 1);
    await settle(warmer);
    expect(warmer.warmed).toBe(before + 1);
  });

  // Last: it stops this process's helper.
  it('stop() drops what is queued, waits for the compile in progress, and the main device goes on alone', async () => {
    const { ctx, warmer } = await lavapipeWarmer();
    if (!warmer) return;
    await settle(warmer);
    const done = warmer.warmed + warmer.failed;
    const mean = Array.from({ length: 6 }, (_, i) => [18 * Math.cos(i), 18 * Math.sin(i)] as const);
    const fitter = LandmarkFitter.create(ctx, syntheticModel(mean, 5, (x, y) => Math.cos(3 * x - y)));
    fitter.prewarm({ stages: [{ windowSize: 9, iterations: [{ sigma2: 1, reg: 0.1 }] }] });
    expect([warmer.queued, warmer.busy]).toEqual([5, true]);
    await warmer.stop();
    // The compile in progress finished; the five queued behind it were dropped.
    expect([warmer.queued, warmer.busy, warmer.warmed + warmer.failed]).toEqual([0, false, done + 1]);
    ctx.pipelines.prewarm({ files: ['common/indexing.wgsl', 'elementwise/combine.wgsl', 'elementwise/binary_vec4.wgsl'], defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, BLOCK_A: false, BLOCK_B: false, OP_ADD: false, OP_SUB: false, OP_MUL: true, OP_DIV: false } }, 'after stop');
    expect([warmer.queued, warmer.busy]).toEqual([0, false]);
    expect(await checkOp({ op: 'Mul', inputs: [[2, 3, 16, 20], [2, 3, 16, 20]] })).toBeLessThan(F32_TOLERANCE);
    ctx.assertAlive();
  });
});
