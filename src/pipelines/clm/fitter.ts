// Facial landmark fitting with a constrained local model, every step on the GPU: a batch of faces
// (from any number of images) is one command buffer and one readback. Per stage of the schedule:
// the round's anchor, the areas of interest, the patch-expert responses, then the regularised
// mean-shift iterations; a face that stopped moving is skipped by every later dispatch. The same
// create / fit shape as the detectors: create once from a model, fit(images, faces, options).
import type { GpuContext } from '../../gpu/context.js';
import { BatchResources } from '../../gpu/batch-resources.js';
import { PassRecorder } from '../../gpu/pass-recorder.js';
import { emptyStats, measuredBatch, timingMode, type DetectionBatch } from '../floor/batch.js';
import type { RgbImage } from '../floor/image.js';
import { initFromBox, initFromLandmarks, type Similarity } from './init.js';
import { encodeClmBatch, prepareClmBatch } from './batch.js';
import * as K from './kernels.js';
import { decodeFits } from './results.js';
import type { ClmModel } from './model.js';
import { resolveClmOptions, type ClmFitOptions, type ClmOptions } from './options.js';
import type { ClmFaceInput, ClmFit } from './types.js';

export interface ClmFitRequest extends ClmFitOptions {
  /** Also return per stage response statistics and every iteration's statistics. */
  diagnostics?: boolean;
}

export class LandmarkFitter {
  private constructor(
    readonly ctx: GpuContext,
    readonly model: ClmModel,
    private readonly buffers: K.ModelBuffers,
  ) {}

  static create(ctx: GpuContext, model: ClmModel): LandmarkFitter {
    return new LandmarkFitter(ctx, model, K.uploadModel(ctx, model, `clm ${model.name}`));
  }

  /**
   * Has lavapipe compile this fitter's pipelines for `options` on a helper device now, while the
   * main device detects faces (gpu/jit-warmer.ts; a no-op on other adapters). Later fits with these
   * options then find them in Mesa's shader cache.
   */
  prewarm(options: ClmFitRequest = {}): void {
    const resolved = resolveClmOptions(options);
    const layout = K.clmLayout(this.model, resolved);
    const blocks = K.responseBlocks(this.model, resolved);
    K.prewarmKernels(this.ctx, `clm ${this.model.name}`, (pixels) => K.kernelSources(layout, pixels, blocks), options.diagnostics === true);
  }

  /** The initial similarity of a face (from its 5 landmarks, else its box). */
  initOf(face: ClmFaceInput): Similarity {
    if (face.landmarks) return initFromLandmarks(this.model, face.landmarks);
    if (face.box) return initFromBox(this.model, face.box);
    throw new RangeError('a face to fit needs landmarks (MTCNN) or a box');
  }

  /** Fits every face; results in the order of `faces`. */
  async fit(images: readonly RgbImage[], faces: readonly ClmFaceInput[], options: ClmFitRequest = {}): Promise<DetectionBatch<ClmFit>> {
    const o = resolveClmOptions(options);
    faces.forEach((f, i) => {
      if (!(Number.isInteger(f.image) && f.image >= 0 && f.image < images.length)) throw new RangeError(`face ${i}: image ${f.image} is not in the batch of ${images.length}`);
    });
    return measuredBatch(this.ctx, images, async () => {
      if (faces.length === 0) return { images: [], stats: { ...emptyStats(), images: images.length } };
      return this.ctx.scoped(`clm ${this.model.name} batch`, () => this.run(images, faces, o, options));
    });
  }

  private async run(images: readonly RgbImage[], faces: readonly ClmFaceInput[], o: ClmOptions, opts: ClmFitRequest): Promise<DetectionBatch<ClmFit>> {
    const { ctx, model } = this;
    const label = `clm ${model.name}`;
    const res = new BatchResources(ctx, label);
    try {
      const diagnostics = opts.diagnostics === true;
      const batch = await prepareClmBatch(ctx, label, model, this.buffers, o, { images, faces: faces.map((f) => ({ image: f.image, init: this.initOf(f) })), diagnostics }, res);
      const encoder = ctx.device.createCommandEncoder({ label: `${label} batch` });
      const rec = new PassRecorder(ctx, encoder, timingMode(opts.timing));
      encodeClmBatch(rec, batch, o);
      const times = rec.finish();
      const { output, trace, stats } = batch.buffers;
      const reads = [output, trace, ...(stats ? [stats] : [])].map((buffer) => ({ buffer, size: buffer.size }));
      const data = await ctx.readback([...reads, ...(times ? [times] : [])], `${label} batch`, encoder);
      const timing = rec.report(times ? data[data.length - 1] : undefined);
      const shape = { stages: o.stages.map((s) => ({ windowSize: s.windowSize, sigma: 'n.a.' as const, iterations: s.iterations.length })) };
      const fits = decodeFits(model.name, shape, batch.layout, faces.length, {
        output: new Float32Array(data[0]!),
        trace: new Float32Array(data[1]!),
        ...(stats ? { stats: new Float32Array(data[2]!) } : {}),
      });
      return {
        images: fits,
        stats: {
          ...emptyStats(images.length),
          parts: 1,
          dispatches: rec.dispatches,
          gpuBytes: res.bytes,
          ...(timing ? { gpuMs: timing.stages } : {}),
          ...(timing?.dispatches.length ? { profile: timing.dispatches } : {}),
        },
      };
    } finally {
      res.release();
    }
  }
}
