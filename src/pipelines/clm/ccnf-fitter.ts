// Landmark fitting with an OpenFace CLNF model (3-D PDM, CCNF experts per scale and view) on the
// GPU: the same create / fit shape and the same one-submit, one-readback batch as LandmarkFitter.
// The schedule is checked against the model's sigma components before anything runs (a missing
// window is a MissingSigmaError unless missingSigma is 'diagonal'); Sigma sets are built in float64
// per (scale, window) on first use and stay on the GPU for the fitter's lifetime.
import type { GpuContext } from '../../gpu/context.js';
import { BatchResources } from '../../gpu/batch-resources.js';
import { PassRecorder } from '../../gpu/pass-recorder.js';
import { emptyStats, measuredBatch, timingMode, type CommonDetectOptions, type DetectionBatch } from '../floor/batch.js';
import type { RgbImage } from '../floor/image.js';
import { createBatchBuffers, encodeClmBatch, keepSchedule } from './batch.js';
import type { CcnfModel } from './ccnf-model.js';
import { checkSchedule, resolveCcnfOptions, type CcnfOptions } from './ccnf-options.js';
import { initCcnfFromBox, initCcnfFromLandmarks } from './init.js';
import * as KC from './kernels-ccnf.js';
import { prewarmKernels } from './kernels.js';
import { decodeFits } from './results.js';
import { SigmaCache } from './sigma.js';
import type { ClmFaceInput, ClmFit } from './types.js';

export interface CcnfFitRequest extends Partial<CcnfOptions>, CommonDetectOptions {
  diagnostics?: boolean;
}

export class CcnfFitter {
  private readonly sigmaCache: SigmaCache;
  private readonly sigmas: KC.SigmaBuffers;

  private constructor(
    readonly ctx: GpuContext,
    readonly model: CcnfModel,
    private readonly buffers: KC.CcnfModelBuffers,
  ) {
    this.sigmaCache = new SigmaCache(model);
    this.sigmas = new KC.SigmaBuffers(ctx, this.sigmaCache, `ccnf ${model.name}`);
  }

  /**
   * `check`: the schedule to validate now (load time), e.g. the one the fitter will run with: a
   * window without sigma components fails here, and that schedule's Sigma sets are built (float64
   * Cholesky of every view's patches: a system that is not positive definite fails here too).
   */
  static create(ctx: GpuContext, model: CcnfModel, check: Partial<CcnfOptions> = {}): CcnfFitter {
    const o = resolveCcnfOptions(model, check);
    const modes = checkSchedule(model, o);
    const fitter = new CcnfFitter(ctx, model, KC.uploadCcnfModel(ctx, model, `ccnf ${model.name}`));
    try {
      o.stages.forEach((s, k) => fitter.sigmas.get(s.scale, s.windowSize, modes[k]!));
    } catch (err) {
      fitter.destroy();
      throw err;
    }
    return fitter;
  }

  /**
   * Has lavapipe compile this fitter's pipelines for `request` on a helper device now, while the
   * main device detects faces (gpu/jit-warmer.ts; a no-op on other adapters).
   */
  prewarm(request: CcnfFitRequest = {}): void {
    const layout = KC.ccnfLayout(this.model, resolveCcnfOptions(this.model, request));
    prewarmKernels(this.ctx, `ccnf ${this.model.name}`, (pixels) => KC.ccnfKernelSources(layout, pixels), request.diagnostics === true);
  }

  /** The initial pose [s, pitch, yaw, roll, tx, ty] of a face (from its 5 landmarks, else its box). */
  initOf(face: ClmFaceInput): number[] {
    if (face.landmarks) return initCcnfFromLandmarks(this.model, face.landmarks);
    if (face.box) return initCcnfFromBox(this.model, face.box);
    throw new RangeError('a face to fit needs landmarks (MTCNN) or a box');
  }

  async fit(images: readonly RgbImage[], faces: ReadonlyArray<ClmFaceInput & { init?: readonly number[] }>, request: CcnfFitRequest = {}): Promise<DetectionBatch<ClmFit>> {
    const o = resolveCcnfOptions(this.model, request);
    const modes = checkSchedule(this.model, o);
    faces.forEach((f, i) => {
      if (!(Number.isInteger(f.image) && f.image >= 0 && f.image < images.length)) throw new RangeError(`face ${i}: image ${f.image} is not in the batch of ${images.length}`);
    });
    return measuredBatch(this.ctx, images, async () => {
      if (faces.length === 0) return { images: [], stats: { ...emptyStats(), images: images.length } };
      return this.ctx.scoped(`ccnf ${this.model.name} batch`, () => this.run(images, faces, o, modes, request));
    });
  }

  private async run(images: readonly RgbImage[], faces: ReadonlyArray<ClmFaceInput & { init?: readonly number[] }>, o: CcnfOptions, modes: ReturnType<typeof checkSchedule>, request: CcnfFitRequest): Promise<DetectionBatch<ClmFit>> {
    const { ctx, model } = this;
    const label = `ccnf ${model.name}`;
    const res = new BatchResources(ctx, label);
    try {
      const layout = KC.ccnfLayout(model, o);
      const input = { images, faces: faces.map((f) => ({ image: f.image, init: f.init ?? this.initOf(f) })), diagnostics: request.diagnostics === true };
      const batch = createBatchBuffers(ctx, label, layout, o.stages.length, input, res);
      const plan = await KC.ccnfSchedule(ctx, label, { model, options: o, sigmaModes: modes, layout, faces: faces.length, modelBuffers: this.buffers, sigmas: this.sigmas, batch });
      keepSchedule(res, plan);
      const encoder = ctx.device.createCommandEncoder({ label: `${label} batch` });
      const rec = new PassRecorder(ctx, encoder, timingMode(request.timing));
      encodeClmBatch(rec, { layout, buffers: batch, plan, faces: faces.length }, o);
      const times = rec.finish();
      const reads = [batch.output, batch.trace, ...(batch.stats ? [batch.stats] : [])].map((buffer) => ({ buffer, size: buffer.size }));
      const data = await ctx.readback([...reads, ...(times ? [times] : [])], `${label} batch`, encoder);
      const timing = rec.report(times ? data[data.length - 1] : undefined);
      const shape = { stages: o.stages.map((s, k) => ({ windowSize: s.windowSize, sigma: modes[k]!, iterations: s.rigidIterations + s.iterations })) };
      const fits = decodeFits(model.name, shape, layout, faces.length, {
        output: new Float32Array(data[0]!),
        trace: new Float32Array(data[1]!),
        ...(batch.stats ? { stats: new Float32Array(data[2]!) } : {}),
      });
      return {
        images: fits,
        stats: { ...emptyStats(images.length), parts: 1, dispatches: rec.dispatches, gpuBytes: res.bytes, ...(timing ? { gpuMs: timing.stages } : {}), ...(timing?.dispatches.length ? { profile: timing.dispatches } : {}) },
      };
    } finally {
      res.release();
    }
  }

  destroy(): void {
    this.sigmas.destroy();
    this.buffers.destroy();
  }
}
