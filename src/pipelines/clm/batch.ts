// One batch of CLM fits on the GPU: its buffers (pixels, per-face state, areas of interest,
// responses, trace, output, diagnostics) and its schedule, then the encoding into one command
// buffer. Shared by the fitter and the kernel tests, which run the steps one by one.
import type { GpuContext } from '../../gpu/context.js';
import type { BatchResources } from '../../gpu/batch-resources.js';
import type { PassRecorder } from '../../gpu/pass-recorder.js';
import type { RgbImage } from '../floor/image.js';
import { packImages, uploadPixels } from '../floor/pixels.js';
import type { Similarity } from './init.js';
import * as K from './kernels.js';
import type { ClmModel } from './model.js';
import type { ClmOptions } from './options.js';

export interface ClmBatchInput {
  images: readonly RgbImage[];
  /** Per face: the index of its image and its initial similarity. */
  faces: ReadonlyArray<{ image: number; init: Similarity | readonly number[] }>;
  diagnostics: boolean;
}

export interface ClmBatch {
  layout: K.ClmLayout;
  buffers: K.BatchBuffers;
  plan: K.ClmSchedule;
  faces: number;
}

export async function prepareClmBatch(ctx: GpuContext, label: string, model: ClmModel, modelBuffers: K.ModelBuffers, o: ClmOptions, input: ClmBatchInput, res: BatchResources): Promise<ClmBatch> {
  const l = K.clmLayout(model, o);
  const buffers = createBatchBuffers(ctx, label, l, o.stages.length, input, res);
  const plan = await K.schedule(ctx, label, model, o, l, input.faces.length, modelBuffers, buffers);
  keepSchedule(res, plan);
  return { layout: l, buffers, plan, faces: input.faces.length };
}

export function keepSchedule(res: BatchResources, plan: K.ClmSchedule): void {
  res.keep(...plan.stages.flatMap((s) => [s.anchor, s.patches, ...s.responses, ...(s.stats ? [s.stats] : []), ...s.iterations]), plan.finish);
}

/** The buffers of a batch (any shape model and experts), sized from the layout. */
export function createBatchBuffers(ctx: GpuContext, label: string, l: K.ClmLayout, stages: number, input: ClmBatchInput, res: BatchResources): K.BatchBuffers {
  const F = input.faces.length;
  return {
    pixels: uploadPixels(ctx, packImages(input.images), label, (x) => res.own(x)),
    faces: res.upload('faces', Uint32Array.from(input.faces.map((f) => f.image))),
    state: res.upload('state', K.initialState(l, input.faces.map((f) => f.init))),
    aoi: res.storage('areas of interest', F * l.points * l.aoiStride * 4),
    responses: res.storage('responses', F * l.points * l.maxWindow * l.maxWindow * 4),
    // Zeroed: an iteration a face skipped keeps its "ran" field 0.
    trace: res.upload('trace', new Float32Array(F * l.iterations * K.TRACE_FIELDS)),
    output: res.storage('fits', F * (2 * l.points + K.OUTPUT_EXTRA) * 4),
    ...(input.diagnostics ? { stats: res.upload('response statistics', new Float32Array(F * stages * (l.points + 1) * K.STATS_FIELDS)) } : {}),
  };
}

/** Every step of the batch into the recorder, one timing stage per schedule stage. */
export function encodeClmBatch(rec: PassRecorder, batch: ClmBatch, o: { stages: ReadonlyArray<{ windowSize: number }> }): void {
  batch.plan.stages.forEach((s, k) => {
    rec.beginStage(`stage ${k} ws ${o.stages[k]!.windowSize}`);
    rec.run(s.anchor, s.patches, ...s.responses, ...(s.stats ? [s.stats] : []), ...s.iterations);
    rec.endStage();
  });
  rec.beginStage('finish');
  rec.run(batch.plan.finish);
  rec.endStage();
}
