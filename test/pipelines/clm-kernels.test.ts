// Each CLM kernel against the float64 CPU reference (src/pipelines/clm/reference.ts), on fresh
// random images and poses, outputs poisoned first: areas of interest, SVM responses (raw, sobel,
// lbp, blended), response statistics, one RLMS iteration; then the whole schedule.
import { describe, expect, it } from 'vitest';
import { loadClmModel } from '../../src/io/clm-models.js';
import * as K from '../../src/pipelines/clm/kernels.js';
import type { ClmModel, SvmResponse } from '../../src/pipelines/clm/model.js';
import { resolveClmOptions, type ClmOptions } from '../../src/pipelines/clm/options.js';
import { normalizeMap, rlmsIteration, sampleAoi, shapePositions, svmResponse, transformAoi } from '../../src/pipelines/clm/reference.js';
import type { Similarity } from '../../src/pipelines/clm/init.js';
import { randomImage, similarity, steppedBatch } from '../helpers/clm.js';
import { freshSeed, gpu, relativeError, rng } from '../helpers/gpu.js';

const seed = freshSeed();
const random = rng(seed);
console.log(`clm kernels seed ${seed} (TEST_SEED=${seed} replays)`);

let model: ClmModel;
async function clmtrackr(): Promise<ClmModel> {
  model ??= await loadClmModel();
  return model;
}

/** Two faces in two images: random scale 1.5-3, rotation +-30 deg; one near a border (samples outside the image are 0). */
function randomFaces(): { images: ReturnType<typeof randomImage>[]; faces: Array<{ image: number; init: Similarity }> } {
  const images = [randomImage(random, 200, 170), randomImage(random, 150, 190)];
  const faces = [
    { image: 0, init: similarity(1.5 + random() * 1.5, random() * 60 - 30, 90 + random() * 20, 80 + random() * 20) },
    { image: 1, init: similarity(1.5 + random() * 1.5, random() * 60 - 30, 20 + random() * 10, 100 + random() * 20) },
  ];
  return { images, faces };
}

function withoutRawExperts(m: ClmModel): ClmModel {
  const { raw: _w, ...weights } = m.experts.weights;
  const { raw: _b, ...bias } = m.experts.bias;
  return { ...m, experts: { ...m.experts, weights, bias } };
}

function stage(o: ClmOptions, ws: number): ClmOptions {
  return { ...o, stages: [{ windowSize: ws, iterations: [{ sigma2: 1 + random() * 9, reg: random() * 10 }] }] };
}

describe('CLM kernels against the float64 reference', () => {
  it('patches: every area of interest equals the bilinear reference (pixel centres, 0 outside the image)', async () => {
    const ctx = await gpu();
    const m = await clmtrackr();
    const { images, faces } = randomFaces();
    const o = stage(resolveClmOptions(), 11);
    const b = await steppedBatch(ctx, m, o, images, faces);
    try {
      const s = b.batch.plan.stages[0]!;
      const [aoi] = await b.run([s.anchor, s.patches], [b.batch.buffers.aoi]);
      const l = b.batch.layout;
      const side = 11 + m.experts.patchSize + 1;
      faces.forEach((f, fi) => {
        const anchor = shapePositions(m, [...f.init, ...new Array(m.pdm.modes).fill(0)]);
        const A: [number, number] = [1 + f.init[0], f.init[1]];
        const gpuAll: number[] = [];
        const refAll: number[] = [];
        for (let k = 0; k < m.pdm.points; k++) {
          const at = (fi * l.points + k) * l.aoiStride;
          gpuAll.push(...aoi!.subarray(at, at + side * side));
          refAll.push(...sampleAoi(images[f.image]!, [anchor[2 * k]!, anchor[2 * k + 1]!], A, side));
        }
        const err = relativeError(gpuAll, refAll);
        console.log(`face ${fi}: AOI ||gpu - ref|| / ||ref|| = ${err.toExponential(2)} over ${refAll.length} samples`);
        expect(err).toBeLessThan(1e-5);
      });
    } finally {
      b.release();
    }
  });

  // The last case's model has no raw experts: its lbp filters are its second block, not its third.
  for (const [types, withoutRaw] of [[['raw']], [['sobel']], [['lbp']], [['raw', 'sobel', 'lbp']], [['lbp'], true]] as Array<[SvmResponse[], boolean?]>) {
    it(`responses (${types.join(' + ')}${withoutRaw ? ', a model without raw experts' : ''}): the GPU's areas through the reference SVM give the GPU's maps; statistics match`, async () => {
      const ctx = await gpu();
      const m = withoutRaw ? withoutRawExperts(await clmtrackr()) : await clmtrackr();
      const { images, faces } = randomFaces();
      const ws = [7, 9, 11][Math.floor(random() * 3)]!;
      const o = { ...stage(resolveClmOptions(), ws), responses: types };
      const b = await steppedBatch(ctx, m, o, images, faces, true);
      try {
        const s = b.batch.plan.stages[0]!;
        const [aoi, responses, stats] = await b.run([s.anchor, s.patches, ...s.responses, s.stats!], [b.batch.buffers.aoi, b.batch.buffers.responses, b.batch.buffers.stats!]);
        const l = b.batch.layout;
        const ps = m.experts.patchSize;
        const side = ws + ps + 1;
        for (const fi of faces.keys()) {
          const gpuAll: number[] = [];
          const refAll: number[] = [];
          let worst = 0;
          for (let k = 0; k < m.pdm.points; k++) {
            const at = (fi * l.points + k) * l.aoiStride;
            const area = Float64Array.from(aoi!.subarray(at, at + side * side));
            const raws = types.map((t) => svmResponse(transformAoi(area, side, t), side - 2, m.experts.weights[t]!.subarray(k * ps * ps, (k + 1) * ps * ps), m.experts.bias[t]![k]!, ws, ps));
            const maps = raws.map(normalizeMap);
            const ref = maps.reduce((acc, x) => acc.map((v, i) => v + x[i]! / maps.length), new Float64Array(ws * ws));
            const map = responses!.subarray((fi * l.points + k) * l.maxWindow * l.maxWindow, (fi * l.points + k) * l.maxWindow * l.maxWindow + ws * ws);
            gpuAll.push(...map);
            refAll.push(...ref);
            // The per-landmark min-max divides float32 rounding in the sigmoid outputs (~1e-6) by
            // each map's range: a nearly flat map amplifies it, so the bound scales with 1 / range.
            const bound = raws.reduce((s, r) => s + 4e-6 / Math.max(1e-6, Math.max(...r) - Math.min(...r)), 0) / raws.length;
            const diff = Math.max(...ref.map((v, i) => Math.abs(v - map[i]!)));
            worst = Math.max(worst, diff / bound);
            expect(diff, `landmark ${k}`).toBeLessThanOrEqual(bound);
            // Statistics of the GPU map, computed here.
            const st = stats!.subarray((fi * (l.points + 1) + k) * K.STATS_FIELDS, (fi * (l.points + 1) + k + 1) * K.STATS_FIELDS);
            const values = [...map];
            const peak = values.indexOf(Math.max(...values));
            const c = (ws - 1) / 2;
            expect([st[0], st[1], st[4], st[5], st[6], st[9]]).toEqual([Math.min(...values), Math.max(...values), 0, (peak % ws) - c, Math.floor(peak / ws) - c, 1]);
            expect(st[3]).toBeCloseTo(values.reduce((x, y) => x + y, 0), 3);
          }
          const err = relativeError(gpuAll, refAll);
          console.log(`ws ${ws}, face ${fi}: responses ||gpu - ref|| / ||ref|| = ${err.toExponential(2)}; worst landmark at ${(100 * worst).toFixed(1)} % of its rounding bound`);
          expect(err).toBeLessThan(1e-4);
        }
      } finally {
        b.release();
      }
    });
  }

  it('iterate: one regularised mean-shift iteration from the GPU responses equals the reference update', async () => {
    const ctx = await gpu();
    const m = await clmtrackr();
    const { images, faces } = randomFaces();
    // Start with non-zero shape modes (the prior term acts), some at the clamp limit (the clamp acts).
    const P = 4 + m.pdm.modes;
    const o: ClmOptions = { ...resolveClmOptions(), stages: [{ windowSize: 11, iterations: [{ sigma2: 1 + random() * 9, reg: 0.01 + random() * 0.1 }] }] };
    const b = await steppedBatch(ctx, m, o, images, faces);
    try {
      const l = b.batch.layout;
      const state0 = K.initialState(l, faces.map((f) => f.init));
      const q = faces.map(() => Array.from({ length: m.pdm.modes }, (_, k) => (k % 3 === 0 ? Math.sign(random() - 0.5) * 3.5 : random() * 4 - 2) * Math.sqrt(m.pdm.eigenValues[k]!)));
      q.forEach((qs, fi) => state0.set(qs, fi * l.stateStride + 4));
      b.write(b.batch.buffers.state, state0);
      const s = b.batch.plan.stages[0]!;
      const [responses, before] = await b.run([s.anchor, s.patches, ...s.responses], [b.batch.buffers.responses, b.batch.buffers.state]);
      const [after, trace] = await b.run([s.iterations[0]!], [b.batch.buffers.state, b.batch.buffers.trace]);
      for (const fi of faces.keys()) {
        const p = Float64Array.from(before!.subarray(fi * l.stateStride, fi * l.stateStride + P));
        const anchor = Float64Array.from(before!.subarray(fi * l.stateStride + P, fi * l.stateStride + P + 2 * l.points));
        const maps = Array.from({ length: l.points }, (_, k) => responses!.subarray((fi * l.points + k) * l.maxWindow ** 2, (fi * l.points + k) * l.maxWindow ** 2 + 121));
        const p0 = p.slice();
        const t = rlmsIteration(m, p, maps, anchor, [1 + p[0]!, p[1]!], 11, o.stages[0]!.iterations[0]!);
        const dpRef = p.map((v, i) => v - p0[i]!);
        const dpGpu = Array.from({ length: P }, (_, i) => after![fi * l.stateStride + i]! - p0[i]!);
        const err = relativeError(dpGpu, dpRef);
        const tr = trace!.subarray(fi * l.iterations * K.TRACE_FIELDS, (fi * l.iterations + 1) * K.TRACE_FIELDS);
        console.log(`face ${fi}: dp ||gpu - ref|| / ||ref|| = ${err.toExponential(2)}; mean shift ${tr[0]!.toFixed(4)} / ${t.meanShift.toFixed(4)} px, clamped ${tr[4]} / ${t.clamped}`);
        expect(err).toBeLessThan(1e-3);
        expect(tr[0]).toBeCloseTo(t.meanShift, 4);
        expect(tr[1]).toBeCloseTo(t.maxShift, 4);
        expect(tr[3]! / t.move).toBeCloseTo(1, 3);
        expect(tr[4]).toBe(t.clamped);
        expect(t.clamped).toBeGreaterThan(0);
        expect(tr[5]).toBe(1);
      }
    } finally {
      b.release();
    }
  });
});
