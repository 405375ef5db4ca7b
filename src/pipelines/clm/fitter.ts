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
import { packImages, uploadPixels } from '../floor/pixels.js';
import { initFromBox, initFromLandmarks, type Similarity } from './init.js';
import * as K from './kernels.js';
import type { ClmModel } from './model.js';
import { resolveClmOptions, type ClmFitOptions, type ClmOptions } from './options.js';
import type { ClmFaceInput, ClmFit } from './types.js';

export interface ClmFitRequest extends ClmFitOptions {
  /** Also return every iteration's statistics. */
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
    const F = faces.length;
    const l = K.clmLayout(model, o);
    const res = new BatchResources(ctx, `clm ${model.name}`);
    try {
      const b: K.BatchBuffers = {
        pixels: uploadPixels(ctx, packImages(images), 'clm', (x) => res.own(x)),
        faces: res.upload('faces', Uint32Array.from(faces.map((f) => f.image))),
        state: res.upload('state', K.initialState(l, faces.map((f) => this.initOf(f)))),
        aoi: res.storage('areas of interest', F * l.points * l.aoiStride * 4),
        responses: res.storage('responses', F * l.points * l.maxWindow * l.maxWindow * 4),
        trace: res.storage('trace', F * l.iterations * K.TRACE_FIELDS * 4),
        output: res.storage('fits', F * (2 * l.points + K.OUTPUT_EXTRA) * 4),
      };
      const plan = await K.schedule(ctx, `clm ${model.name}`, model, o, l, F, this.buffers, b);
      res.keep(...plan.stages.flatMap((s) => [s.anchor, s.patches, s.response, ...s.iterations]), plan.finish);
      const encoder = ctx.device.createCommandEncoder({ label: `clm ${model.name} batch` });
      const rec = new PassRecorder(ctx, encoder, timingMode(opts.timing));
      plan.stages.forEach((s, k) => {
        rec.beginStage(`stage ${k} ws ${o.stages[k]!.windowSize}`);
        rec.run(s.anchor, s.patches, s.response, ...s.iterations);
        rec.endStage();
      });
      rec.beginStage('finish');
      rec.run(plan.finish);
      rec.endStage();
      const times = rec.finish();
      const data = await ctx.readback([{ buffer: b.output, size: b.output.size }, { buffer: b.trace, size: b.trace.size }, ...(times ? [times] : [])], `clm ${model.name} batch`, encoder);
      const timing = rec.report(times ? data[data.length - 1] : undefined);
      const out = new Float32Array(data[0]!);
      const trace = new Float32Array(data[1]!);
      const stride = 2 * l.points + K.OUTPUT_EXTRA;
      const slots = o.stages.flatMap((s, k) => s.iterations.map((_, j) => ({ stage: k, iteration: j })));
      const fits = faces.map((_, f): ClmFit => {
        const at = f * stride;
        const n = l.points;
        return {
          model: model.name,
          points: Array.from({ length: n }, (_, i) => [out[at + 2 * i]!, out[at + 2 * i + 1]!] as [number, number]),
          converged: out[at + 2 * n]! > 0.5,
          iterations: out[at + 2 * n + 1]!,
          likelihood: out[at + 2 * n + 2]!,
          lastMove: out[at + 2 * n + 3]!,
          ...(opts.diagnostics
            ? {
                trace: slots.flatMap((s, k) => {
                  const t = (f * l.iterations + k) * K.TRACE_FIELDS;
                  return trace[t + 5] === 1 ? [{ ...s, meanShift: trace[t]!, maxShift: trace[t + 1]!, stepNorm: trace[t + 2]!, move: trace[t + 3]!, clamped: trace[t + 4]! }] : [];
                }),
              }
            : {}),
        };
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
