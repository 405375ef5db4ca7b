// The CCNF (OpenFace CLNF) path on the GPU against the float64 reference (reference-ccnf.ts), with
// synthetic OpenFace files (the real ones are non-commercial and never here): responses with Sigma
// from components and the diagonal fallback, hidden landmarks; the anchor's Procrustes frame and
// view; rigid and non-rigid iterations; whole fits; a delta neuron's peak at rotations and scales;
// RLMS recovering a known 3-D pose and shape from Gaussian responses.
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.js';
import { BatchResources } from '../../src/gpu/batch-resources.js';
import { encodeStep, type KernelStep } from '../../src/gpu/kernel.js';
import { loadOpenFaceModel } from '../../src/io/clm-models.js';
import { createBatchBuffers } from '../../src/pipelines/clm/batch.js';
import { CcnfFitter } from '../../src/pipelines/clm/ccnf-fitter.js';
import type { CcnfModel } from '../../src/pipelines/clm/ccnf-model.js';
import { checkSchedule, resolveCcnfOptions, type CcnfOptions, type CcnfStage } from '../../src/pipelines/clm/ccnf-options.js';
import * as K from '../../src/pipelines/clm/kernels.js';
import * as KC from '../../src/pipelines/clm/kernels-ccnf.js';
import { applySigma, ccnfRaw, chooseView, fitReferenceCcnf, imageShape3d, procrustesA, referenceShape3d, rlmsIteration3d } from '../../src/pipelines/clm/reference-ccnf.js';
import { MissingSigmaError, SigmaCache } from '../../src/pipelines/clm/sigma.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';
import { randomImage } from '../helpers/clm.js';
import { freshSeed, gpu, relativeError, rng } from '../helpers/gpu.js';
import { smallSynthModel, writeOpenFaceModel, type SynthModel } from '../helpers/openface-writer.js';

const seed = freshSeed();
const random = rng(seed);
console.log(`clm ccnf seed ${seed} (TEST_SEED=${seed} replays)`);

const FIVE = [[0], [1], [2], [3], [4]];

async function synthModel(synth: SynthModel): Promise<CcnfModel> {
  return loadOpenFaceModel(writeOpenFaceModel(synth).main, { fivePoints: synth.mean.length >= 5 ? FIVE : [[0], [1], [2], [0], [1]] });
}

/** 8 landmarks (depth up to 25 units, like a face's), 5 x 5 patches, windows [5, 7]; view 1 (yaw 30 deg) hides the last landmark. */
function synth(): SynthModel {
  return smallSynthModel(1 + Math.floor(random() * 1000), { landmarks: 8, patchSize: 5, windows: [5, 7], depth: 25 });
}

function stages(...list: Array<Partial<CcnfStage> & { scale: number; windowSize: number }>): CcnfStage[] {
  return list.map((s) => ({ sigma2: 1.5 + random(), reg: 5 + 20 * random(), rigidIterations: 2, iterations: 2, ...s }));
}

interface Stepped {
  layout: K.ClmLayout;
  buffers: K.BatchBuffers;
  plan: K.ClmSchedule;
  run(steps: KernelStep[], read?: GPUBuffer[]): Promise<Float32Array[]>;
  write(buffer: GPUBuffer, data: Float32Array<ArrayBuffer>): void;
  release(): void;
}

async function stepped(ctx: GpuContext, model: CcnfModel, o: CcnfOptions, images: RgbImage[], inits: number[][]): Promise<Stepped> {
  const modes = checkSchedule(model, o);
  const res = new BatchResources(ctx, 'ccnf test');
  const mb = KC.uploadCcnfModel(ctx, model, 'ccnf test');
  const sigmas = new KC.SigmaBuffers(ctx, new SigmaCache(model), 'ccnf test');
  const layout = KC.ccnfLayout(model, o);
  const buffers = createBatchBuffers(ctx, 'ccnf test', layout, o.stages.length, { images, faces: inits.map((init, f) => ({ image: f % images.length, init })), diagnostics: false }, res);
  for (const b of [buffers.aoi, buffers.responses]) ctx.device.queue.writeBuffer(b, 0, new Float32Array(b.size / 4).fill(Number.NaN));
  const plan = await KC.ccnfSchedule(ctx, 'ccnf test', { model, options: o, sigmaModes: modes, layout, faces: inits.length, modelBuffers: mb, sigmas, batch: buffers });
  res.keep(...plan.stages.flatMap((s) => [s.anchor, s.patches, ...s.responses, ...s.iterations]), plan.finish);
  return {
    layout,
    buffers,
    plan,
    async run(steps, read = []) {
      const encoder = ctx.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      for (const s of steps) encodeStep(pass, s);
      pass.end();
      return (await ctx.readback(read.map((buffer) => ({ buffer, size: buffer.size })), 'ccnf test', encoder)).map((d) => new Float32Array(d));
    },
    write(buffer, data) {
      ctx.device.queue.writeBuffer(buffer, 0, data);
    },
    release() {
      res.release();
      mb.destroy();
      sigmas.destroy();
    },
  };
}

const paramsOf = (state: Float32Array, l: K.ClmLayout, f: number) => Float64Array.from(state.subarray(f * l.stateStride, f * l.stateStride + l.params));
const anchorOf = (state: Float32Array, l: K.ClmLayout, f: number) => Float64Array.from(state.subarray(f * l.stateStride + l.params, f * l.stateStride + l.params + 2 * l.points));
const extraOf = (state: Float32Array, l: K.ClmLayout, f: number, slot: number) => state[f * l.stateStride + l.params + 2 * l.points + slot]!;

describe('CCNF kernels against the float64 reference', () => {
  for (const missing of ['components', 'diagonal'] as const) {
    it(`anchor (Procrustes frame, view) and responses (Sigma from ${missing === 'components' ? 'its components' : 'the diagonal fallback'}; hidden landmarks 0)`, async () => {
      const ctx = await gpu();
      const model = await synthModel(synth());
      // The file has sigma components for windows 5 and 7: ws 9 runs on the diagonal fallback.
      const ws = missing === 'components' ? 7 : 9;
      const o = resolveCcnfOptions(model, { stages: stages({ scale: 1, windowSize: ws }), missingSigma: missing === 'diagonal' ? 'diagonal' : 'error' });
      expect(checkSchedule(model, o)).toEqual([missing]);
      const images = [randomImage(random, 170, 150)];
      // Face 0 frontal, face 1 turned (yaw 28 deg: view 1, which hides the last landmark).
      const inits = [
        [2 + random(), 0.1 * (random() - 0.5), 0.1 * (random() - 0.5), 0.4 * (random() - 0.5), 80 + 10 * random(), 75 + 10 * random()],
        [2 + random(), 0, (28 * Math.PI) / 180, 0.2, 85, 70],
      ];
      const b = await stepped(ctx, model, o, images, inits);
      try {
        const s = b.plan.stages[0]!;
        const [state, aoi, responses] = await b.run([s.anchor, s.patches, ...s.responses], [b.buffers.state, b.buffers.aoi, b.buffers.responses]);
        const l = b.layout;
        const scale = model.scales[1]!;
        const sigmas = new SigmaCache(model).get(1, ws, missing);
        for (const f of [0, 1]) {
          const p = paramsOf(state!, l, f);
          const anchor = anchorOf(state!, l, f);
          const refAnchor = imageShape3d(model.pdm, p);
          expect(relativeError(anchor, refAnchor)).toBeLessThan(1e-6);
          const A = procrustesA(referenceShape3d(model.pdm, p, scale.patchScaling), refAnchor);
          const gpuA = [extraOf(state!, l, f, 0), extraOf(state!, l, f, 1)];
          expect(relativeError(gpuA, A)).toBeLessThan(1e-5);
          const view = chooseView(scale, p);
          expect(extraOf(state!, l, f, 9)).toBe(view);
          expect(view).toBe(f);
          const side = ws + scale.patchSize + 1;
          const w = side - 2;
          const gpuAll: number[] = [];
          const refAll: number[] = [];
          for (let i = 0; i < l.points; i++) {
            const map = responses!.subarray((f * l.points + i) * l.maxWindow ** 2, (f * l.points + i) * l.maxWindow ** 2 + ws * ws);
            if (!scale.views[view]!.visible[i]) {
              expect([...map].every((v) => v === 0), `hidden landmark ${i}`).toBe(true);
              continue;
            }
            const at = (f * l.points + i) * l.aoiStride;
            const area = Float64Array.from({ length: w * w }, (_, t) => aoi![at + (Math.floor(t / w) + 1) * side + (t % w) + 1]!);
            const raw = ccnfRaw(area, w, scale.views[view]!.patches[i]!, ws, scale.patchSize);
            const ref = applySigma(raw, sigmas.views[view]!.subarray(i * ws ** 4, (i + 1) * ws ** 4), ws);
            gpuAll.push(...map);
            refAll.push(...ref);
          }
          const err = relativeError(gpuAll, refAll);
          console.log(`${missing}, face ${f} (view ${view}): A ${gpuA.map((v) => v.toFixed(4))}, responses ||gpu - ref|| / ||ref|| = ${err.toExponential(2)}, max ${Math.max(...refAll).toFixed(3)}`);
          expect(err).toBeLessThan(1e-5);
        }
      } finally {
        b.release();
      }
    });
  }

  for (const rigid of [true, false]) {
    it(`${rigid ? 'rigid' : 'non-rigid'} iteration from the GPU responses equals the reference update (hidden landmarks left out)`, async () => {
      const ctx = await gpu();
      const model = await synthModel(synth());
      const o = resolveCcnfOptions(model, { stages: stages({ scale: 0, windowSize: 5, rigidIterations: rigid ? 1 : 0, iterations: rigid ? 0 : 1 }) });
      const inits = [
        [2.5, 0.05, -0.05, 0.3, 80, 75],
        [2.2, 0, 0.5, -0.1, 85, 70],
      ];
      const b = await stepped(ctx, model, o, [randomImage(random, 170, 150)], inits);
      try {
        const l = b.layout;
        // Non-zero modes so the prior acts.
        const state0 = K.initialState(l, inits);
        for (let f = 0; f < 2; f++) for (let k = 0; k < l.modes; k++) state0[f * l.stateStride + 6 + k] = (random() - 0.5) * Math.sqrt(model.pdm.eigenValues[k]!);
        b.write(b.buffers.state, state0);
        const s = b.plan.stages[0]!;
        const [before, responses] = await b.run([s.anchor, s.patches, ...s.responses], [b.buffers.state, b.buffers.responses]);
        const [after, trace, output] = await b.run([s.iterations[0]!, b.plan.finish], [b.buffers.state, b.buffers.trace, b.buffers.output]);
        for (const f of [0, 1]) {
          const p = paramsOf(before!, l, f);
          const p0 = p.slice();
          const view = extraOf(before!, l, f, 9);
          const A: [number, number] = [extraOf(before!, l, f, 0), extraOf(before!, l, f, 1)];
          const maps = Array.from({ length: l.points }, (_, i) => responses!.subarray((f * l.points + i) * l.maxWindow ** 2, (f * l.points + i) * l.maxWindow ** 2 + 25));
          const t = rlmsIteration3d(model.pdm, p, maps, anchorOf(before!, l, f), A, 5, model.scales[0]!.views[view]!.visible, { sigma2: o.stages[0]!.sigma2, reg: o.stages[0]!.reg, rigid });
          const gpuP = paramsOf(after!, l, f);
          // dp, and the points after the update (the GPU's own, from its rotation matrix): their difference
          // relative to how far the update moved them, plus the float32 spacing at ~100 px.
          const gpuPts = Float64Array.from(output!.subarray(f * (2 * l.points + K.OUTPUT_EXTRA), f * (2 * l.points + K.OUTPUT_EXTRA) + 2 * l.points));
          const refPts = imageShape3d(model.pdm, p);
          const fromPts = imageShape3d(model.pdm, p0);
          const rms = (a: Float64Array, b: Float64Array) => Math.sqrt(a.reduce((acc, v, k) => acc + (v - b[k]!) ** 2, 0) / l.points);
          const err = rms(gpuPts, refPts);
          const bound = 2e-5 * rms(refPts, fromPts) + 2e-5;
          // dp without the angles, and the angles (Euler angles of the GPU's rotation) absolutely.
          const plain = (q: Float64Array) => Array.from(q, (v, k) => v - p0[k]!).filter((_, k) => k < 1 || k > 3);
          const dpErr = relativeError(plain(gpuP), plain(p));
          const angleErr = Math.max(...[1, 2, 3].map((k) => Math.abs(gpuP[k]! - p[k]!)));
          const tr = trace!.subarray(f * l.iterations * K.TRACE_FIELDS, (f * l.iterations + 1) * K.TRACE_FIELDS);
          console.log(`${rigid ? 'rigid' : 'non-rigid'} face ${f} (view ${view}): points after the update differ by ${err.toExponential(2)} px RMS (bound ${bound.toExponential(2)}), dp (s, t, q) ||gpu - ref|| / ||ref|| = ${dpErr.toExponential(2)}, angles within ${angleErr.toExponential(1)} rad, mean-shift ${tr[0]!.toFixed(4)} / ${t.meanShift.toFixed(4)} px`);
          expect(err).toBeLessThan(bound);
          expect(dpErr).toBeLessThan(1e-4);
          expect(angleErr).toBeLessThan(2e-6);
          expect(tr[0]).toBeCloseTo(t.meanShift, 4);
          if (rigid) for (let k = 6; k < l.params; k++) expect(gpuP[k]).toBe(Math.fround(p0[k]!));
        }
      } finally {
        b.release();
      }
    });
  }

  it('whole fits (two stages, rigid and non-rigid, two views) equal the reference fit; a window without components is refused at create', async () => {
    const ctx = await gpu();
    const model = await synthModel(synth());
    const o = resolveCcnfOptions(model, { stages: stages({ scale: 0, windowSize: 5 }, { scale: 1, windowSize: 7 }) });
    const modes = checkSchedule(model, o);
    const fitter = CcnfFitter.create(ctx, model, o);
    const images = [randomImage(random, 170, 150), randomImage(random, 150, 160)];
    const inits = [
      [2.5, 0.05, -0.1, 0.2, 80, 70],
      [2.2, 0, 0.45, -0.1, 75, 80],
    ];
    const result = await fitter.fit(images, inits.map((init, f) => ({ image: f, init })), { ...o, diagnostics: true });
    expect(result.stats.submits).toBe(1);
    expect(result.stats.readbacks).toBe(1);
    inits.forEach((init, f) => {
      const ref = fitReferenceCcnf(images[f]!, model, init, o, new SigmaCache(model), modes);
      const fit = result.images[f]!;
      const d = Math.max(...fit.points.map((p, i) => Math.hypot(p[0] - ref.points[i]![0], p[1] - ref.points[i]![1])));
      console.log(`fit ${f}: views ${ref.views}, ${fit.iterations} / ${ref.iterations} iterations, largest point difference ${d.toExponential(2)} px`);
      expect(fit.iterations).toBe(ref.iterations);
      expect(d).toBeLessThan(1e-3);
      expect(fit.diagnostics!.stages.map((s) => s.sigma)).toEqual(['components', 'components']);
    });
    expect(() => CcnfFitter.create(ctx, model, { stages: stages({ scale: 0, windowSize: 9 }) })).toThrow(MissingSigmaError);
    // A corrupt Sigma system is refused at create too (the schedule's Sigma sets are built there).
    const corrupt = await synthModel({ ...synth(), scales: synth().scales.map((s) => ({ ...s, patches: s.patches.map((v) => v.map((p) => ({ ...p, betas: p.betas.map(() => -50) }))) })) });
    expect(() => CcnfFitter.create(ctx, corrupt, { stages: stages({ scale: 0, windowSize: 5 }) })).toThrow(/view 0 landmark 0, ws 5: 2 \(sum alpha I \+ sum beta S\) is not positive definite/);
    await expect(fitter.fit(images, [{ image: 0, init: inits[0]! }], { stages: stages({ scale: 1, windowSize: 3 }) })).rejects.toThrow(/stage 0 requests ws 3/);
    fitter.destroy();
  });
});

describe('CCNF conventions', () => {
  it('a delta neuron puts the response peak on the spot at rotations (roll) and scales', async () => {
    const ctx = await gpu();
    const WS = 7;
    const PS = 5;
    // Tap at column 3, row 1 ((+1, -1) from the patch centre); spot at (2, -1) reference px.
    const tap = [3, 1];
    const spot = [2, -1];
    const peak = [spot[0]! - (tap[0]! - 2), spot[1]! - (tap[1]! - 2)];
    for (const [s, rollDeg] of [
      [2, 0],
      [2, 30],
      [1, -30],
      [4, 20],
    ] as const) {
      const roll = (rollDeg * Math.PI) / 180;
      const patchScaling = 0.5;
      const a = (s / patchScaling) * Math.cos(roll);
      const b = (s / patchScaling) * Math.sin(roll);
      const det = a * a + b * b;
      // Mean-shape points at A^-1 k (integer image offsets k), so the spot lands on a pixel.
      const ks = [
        [-40, -20],
        [40, -20],
        [0, 40],
      ];
      const inv = (x: number, y: number) => [((a * x + b * y) / det) / patchScaling, ((-b * x + a * y) / det) / patchScaling];
      const base = smallSynthModel(11, { landmarks: 3, patchSize: PS, windows: [WS] });
      const weights = Array.from({ length: PS * PS }, (_, k) => (k === tap[1]! * PS + tap[0]! ? 1 : 0) - 1 / (PS * PS));
      const norm = Math.hypot(...weights);
      const synthModelDelta: SynthModel = {
        ...base,
        mean: ks.map(([x, y]) => [...inv(x!, y!), 0] as [number, number, number]),
        components: ks.flatMap(() => [
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
        scales: [
          {
            ...base.scales[0]!,
            patchScaling,
            centresDeg: [[0, 0, 0]],
            visibility: [[1, 1, 1]],
            patches: [ks.map(() => ({ neurons: [{ normWeights: 20, bias: -10, alpha: 1, weights: weights.map((w) => w / norm) }], betas: [0, 1], confidence: 1 }))],
          },
        ],
      };
      const model = await synthModel(synthModelDelta);
      const spotPx = [a * spot[0]! - b * spot[1]!, b * spot[0]! + a * spot[1]!];
      const z = [100, 100];
      const init = [s, 0, 0, roll, z[0]! - spotPx[0]!, z[1]! - spotPx[1]!];
      const image: RgbImage = { width: 200, height: 200, data: new Uint8Array(200 * 200 * 3).fill(10) };
      for (const [kx, ky] of ks) image.data.fill(250, 3 * ((z[1]! + ky!) * 200 + z[0]! + kx!), 3 * ((z[1]! + ky!) * 200 + z[0]! + kx!) + 3);
      const o = resolveCcnfOptions(model, { stages: [{ scale: 0, windowSize: WS, sigma2: 1, reg: 1, rigidIterations: 1, iterations: 0 }] });
      const st = await stepped(ctx, model, o, [image], [init]);
      try {
        const stage = st.plan.stages[0]!;
        const [state, responses] = await st.run([stage.anchor, stage.patches, ...stage.responses], [st.buffers.state, st.buffers.responses]);
        const A = [extraOf(state!, st.layout, 0, 0), extraOf(state!, st.layout, 0, 1)];
        expect(A[0]).toBeCloseTo(a, 3);
        expect(A[1]).toBeCloseTo(b, 3);
        for (let i = 0; i < 3; i++) {
          const map = [...responses!.subarray(i * st.layout.maxWindow ** 2, i * st.layout.maxWindow ** 2 + WS * WS)];
          const best = map.indexOf(Math.max(...map));
          const c = (WS - 1) / 2;
          expect([(best % WS) - c, Math.floor(best / WS) - c], `scale ${s}, roll ${rollDeg}, landmark ${i}`).toEqual(peak);
        }
      } finally {
        st.release();
      }
    }
  });

  it('RLMS recovers a known 3-D pose and shape from Gaussian responses at the true points', async () => {
    const ctx = await gpu();
    const model = await synthModel(smallSynthModel(21, { landmarks: 12, patchSize: 3, windows: [11] }));
    const { pdm } = model;
    const WS = 11;
    const truth = Float64Array.from([3, 0.1, -0.15, 0.2, 100, 90, ...Array.from({ length: pdm.modes }, (_, k) => 0.4 * (random() - 0.5) * Math.sqrt(pdm.eigenValues[k]!))]);
    const start = Float64Array.from([3 * 1.02, 0.08, -0.12, 0.21, 100.8, 89.5, ...new Array(pdm.modes).fill(0)]);
    const scale = model.scales[0]!;
    const anchor = imageShape3d(pdm, start);
    const A = procrustesA(referenceShape3d(pdm, start, scale.patchScaling), anchor);
    const target = imageShape3d(pdm, truth);
    const det = A[0] ** 2 + A[1] ** 2;
    const c = (WS - 1) / 2;
    const maps = Array.from({ length: pdm.points }, (_, i) => {
      const ex = target[2 * i]! - anchor[2 * i]!;
      const ey = target[2 * i + 1]! - anchor[2 * i + 1]!;
      const d = [(A[0] * ex + A[1] * ey) / det, (-A[1] * ex + A[0] * ey) / det];
      expect(Math.hypot(d[0]!, d[1]!)).toBeLessThan(2.5);
      return Float32Array.from({ length: WS * WS }, (_, t) => Math.exp(-(((t % WS) - c - d[0]!) ** 2 + (Math.floor(t / WS) - c - d[1]!) ** 2) / 4));
    });
    const o = resolveCcnfOptions(model, { convergence: 0, stages: [{ scale: 0, windowSize: WS, sigma2: 2, reg: 1e-6, rigidIterations: 10, iterations: 40 }], missingSigma: 'diagonal' });
    const st = await stepped(ctx, model, o, [{ width: 8, height: 8, data: new Uint8Array(192).fill(1) }], [Array.from(start.subarray(0, 6))]);
    try {
      const l = st.layout;
      const stage = st.plan.stages[0]!;
      await st.run([stage.anchor]);
      const responses = new Float32Array(l.points * l.maxWindow ** 2);
      maps.forEach((mp, i) => responses.set(mp, i * l.maxWindow ** 2));
      st.write(st.buffers.responses, responses);
      const [state] = await st.run(stage.iterations, [st.buffers.state]);
      const gpuP = paramsOf(state!, l, 0);
      const cpuP = start.slice();
      const visible = new Uint8Array(pdm.points).fill(1);
      for (let k = 0; k < 50; k++) rlmsIteration3d(pdm, cpuP, maps, anchor, A, WS, visible, { sigma2: 2, reg: 1e-6, rigid: k < 10 });
      for (const [name, p] of [
        ['GPU', gpuP],
        ['reference', cpuP],
      ] as const) {
        const pts = imageShape3d(pdm, p);
        const rms = Math.sqrt(pts.reduce((acc, v, i) => acc + (v - target[i]!) ** 2, 0) / pdm.points);
        const pose = [0, 1, 2, 3, 4, 5].map((k) => Math.abs(p[k]! - truth[k]!));
        console.log(`${name}: point RMS error ${rms.toExponential(2)} px; pose error s ${pose[0]!.toExponential(1)}, angles ${pose.slice(1, 4).map((v) => v.toExponential(1))}, t ${pose.slice(4).map((v) => v.toExponential(1))}`);
        expect(rms).toBeLessThan(2e-3);
        expect(Math.max(...pose.slice(1, 4))).toBeLessThan(1e-3);
      }
    } finally {
      st.release();
    }
  });
});
