// The whole CLM schedule on sample photos, initialised from our MTCNN: many faces from several
// images in one submit and one readback, every fit against the float64 reference fit, a face
// fitted alone equal to the same face in a batch, box-only initialisation, diagnostics, bad input.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClmModel } from '../../src/io/clm-models.js';
import { decodeImage } from '../../src/io/node-image.js';
import { clmtrackrSampleDir } from '../../src/io/samples.js';
import { LandmarkFitter } from '../../src/pipelines/clm/fitter.js';
import { resolveClmOptions } from '../../src/pipelines/clm/options.js';
import { fitReference } from '../../src/pipelines/clm/reference.js';
import type { ClmFaceInput } from '../../src/pipelines/clm/types.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';
import { gpu } from '../helpers/gpu.js';
import { mtcnnDetector } from '../helpers/mtcnn.js';

const PHOTOS = ['audrey.jpg', 'cage.jpg', 'franck_02045.jpg', 'clmtrackr01.jpg', 'joconde.jpg'];

async function samples(): Promise<{ images: RgbImage[]; faces: ClmFaceInput[] }> {
  const images = await Promise.all(PHOTOS.map((f) => decodeImage(join(clmtrackrSampleDir(), f))));
  const detections = await (await mtcnnDetector()).detect(images);
  const faces = detections.images.flatMap((d, image) => d.faces.map((f) => ({ image, landmarks: f.landmarks })));
  return { images, faces };
}

function maxDistance(a: ReadonlyArray<readonly [number, number]>, b: ReadonlyArray<readonly [number, number]>): number {
  return Math.max(...a.map((p, i) => Math.hypot(p[0] - b[i]![0], p[1] - b[i]![1])));
}

describe('LandmarkFitter on sample photos', () => {
  it('fits every MTCNN face of several images in one submit and one readback, equal to the float64 reference fit', async () => {
    const ctx = await gpu();
    const model = await loadClmModel();
    const fitter = LandmarkFitter.create(ctx, model);
    const { images, faces } = await samples();
    expect(faces.length).toBeGreaterThanOrEqual(PHOTOS.length);
    const batch = await fitter.fit(images, faces, { diagnostics: true });
    expect(batch.stats.submits).toBe(1);
    expect(batch.stats.readbacks).toBe(1);
    expect(batch.images).toHaveLength(faces.length);
    faces.forEach((face, i) => {
      const fit = batch.images[i]!;
      const ref = fitReference(images[face.image]!, model, fitter.initOf(face), resolveClmOptions());
      const d = maxDistance(fit.points, ref.points);
      console.log(`${PHOTOS[face.image]} face ${i}: GPU ${fit.converged ? 'converged' : 'not converged'} after ${fit.iterations} iterations, likelihood ${fit.likelihood.toFixed(4)}; reference ${ref.iterations}, ${ref.likelihood.toFixed(4)}; largest point difference ${d.toExponential(2)} px`);
      expect(d).toBeLessThan(0.01);
      expect(fit.converged).toBe(ref.converged);
      expect(fit.iterations).toBe(ref.iterations);
      expect(fit.likelihood).toBeCloseTo(ref.likelihood, 3);
      expect(fit.points).toHaveLength(71);
      // Diagnostics: one entry per iteration run, per stage run; maps in [0, 1], nothing non-finite.
      const diag = fit.diagnostics!;
      expect(diag.iterations).toHaveLength(fit.iterations);
      diag.iterations.forEach((t, k) => {
        expect(t.meanShift).toBeCloseTo(ref.trace[k]!.meanShift, 3);
        expect(t.stage).toBe(ref.trace[k]!.stage);
      });
      expect(diag.stages.map((s) => s.stage)).toEqual([...new Set(ref.trace.map((t) => t.stage))]);
      for (const s of diag.stages) {
        expect(s.responses.nonFinite).toBe(0);
        expect(s.responses.min).toBeGreaterThanOrEqual(0);
        expect(s.responses.max).toBeLessThanOrEqual(1);
        expect(s.landmarks).toHaveLength(71);
        expect(s.sigma).toBe('n.a.');
      }
    });
  });

  it('a face fitted alone equals the same face in a batch; a box-only face fits too', async () => {
    const ctx = await gpu();
    const model = await loadClmModel();
    const fitter = LandmarkFitter.create(ctx, model);
    const { images, faces } = await samples();
    const all = await fitter.fit(images, faces);
    const k = faces.length - 1;
    const alone = await fitter.fit([images[faces[k]!.image]!], [{ ...faces[k]!, image: 0 }]);
    expect(maxDistance(alone.images[0]!.points, all.images[k]!.points)).toBeLessThan(1e-4);
    // From the box alone (clmtrackr's initialiser), against the reference.
    const detections = await (await mtcnnDetector()).detect([images[0]!]);
    const box = detections.images[0]!.faces[0]!.box;
    const fromBox = await fitter.fit([images[0]!], [{ image: 0, box }]);
    const ref = fitReference(images[0]!, model, fitter.initOf({ image: 0, box }), resolveClmOptions());
    expect(maxDistance(fromBox.images[0]!.points, ref.points)).toBeLessThan(0.01);
  });

  it('refuses a face without landmarks or box, a face of an image not in the batch, an unknown response type', async () => {
    const ctx = await gpu();
    const fitter = LandmarkFitter.create(ctx, await loadClmModel());
    const image: RgbImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(90) };
    await expect(fitter.fit([image], [{ image: 0 }])).rejects.toThrow(/needs landmarks \(MTCNN\) or a box/);
    await expect(fitter.fit([image], [{ image: 1, box: [1, 1, 30, 30] }])).rejects.toThrow(/face 0: image 1 is not in the batch of 1/);
    await expect(fitter.fit([image], [{ image: 0, box: [1, 1, 30, 30] }], { stages: [{ windowSize: 10, iterations: [{ sigma2: 1, reg: 1 }] }] })).rejects.toThrow(/stages\[0\]\.windowSize/);
    const empty = await fitter.fit([image], []);
    expect(empty.images).toEqual([]);
  });
});
