// What every detector reports about a batch, and the skeleton around a batch: image checks, the
// empty batch, GPU submits/readbacks counted from the context, and the timing mode.
import type { GpuContext } from '../../gpu/context.js';
import type { TimingMode, TimingReport } from '../../gpu/pass-recorder.js';
import { checkImages, type RgbImage } from './image.js';

export interface BatchStats {
  images: number;
  /** queue.submit calls and GPU->CPU readbacks this batch cost. */
  submits: number;
  readbacks: number;
  /** Runs repeated because a GPU candidate list overflowed (sized again from the GPU's counts). */
  retries: number;
  /** Sub-batches the batch was split into to fit the adapter's buffer limits (1 normally). */
  parts: number;
  dispatches: number;
  /** Bytes of GPU buffers the batch allocated, plus the shared arenas it used. */
  gpuBytes: number;
  /** Per-stage GPU milliseconds (timestamp queries), when asked for and available. */
  gpuMs?: Record<string, number>;
  /** timing 'dispatches': every dispatch with its GPU milliseconds. */
  profile?: TimingReport['dispatches'];
}

export interface DetectionBatch<R> {
  images: R[];
  stats: BatchStats;
}

/** Options every detector takes besides its own. */
export interface CommonDetectOptions {
  /** GPU time with timestamp queries (when the adapter has them): per stage, or per dispatch. */
  timing?: boolean | TimingMode;
}

export function timingMode(timing: CommonDetectOptions['timing']): TimingMode {
  return timing === true ? 'stages' : timing || 'none';
}

export function emptyStats(images = 0): BatchStats {
  return { images, submits: 0, readbacks: 0, retries: 0, parts: 0, dispatches: 0, gpuBytes: 0 };
}

/** Adds b's counters to a (sub-batches of one batch). */
export function mergeStats(a: BatchStats, b: BatchStats): BatchStats {
  const gpuMs = a.gpuMs || b.gpuMs ? { ...a.gpuMs } : undefined;
  if (gpuMs && b.gpuMs) for (const [k, v] of Object.entries(b.gpuMs)) gpuMs[k] = (gpuMs[k] ?? 0) + v;
  return {
    images: a.images + b.images,
    submits: a.submits + b.submits,
    readbacks: a.readbacks + b.readbacks,
    retries: a.retries + b.retries,
    parts: a.parts + b.parts,
    dispatches: a.dispatches + b.dispatches,
    gpuBytes: Math.max(a.gpuBytes, b.gpuBytes),
    ...(gpuMs ? { gpuMs } : {}),
    ...(a.profile || b.profile ? { profile: [...(a.profile ?? []), ...(b.profile ?? [])] } : {}),
  };
}

/**
 * Runs `work` for a checked, non-empty batch and fills in the submits and readbacks it cost (read
 * from the context's counters, so nothing is counted by hand).
 */
export async function measuredBatch<R>(ctx: GpuContext, images: readonly RgbImage[], work: () => Promise<DetectionBatch<R>>): Promise<DetectionBatch<R>> {
  checkImages(images);
  if (images.length === 0) return { images: [], stats: emptyStats() };
  const before = { ...ctx.stats };
  const result = await work();
  result.stats.submits = ctx.stats.submits - before.submits;
  result.stats.readbacks = ctx.stats.readbacks - before.readbacks;
  return result;
}
