// Factories of the MTCNN post-processing kernels (shaders/postprocess/): each binds its buffers by
// the shader's binding names and returns its launch (KernelStep) or, for kernels whose grid comes
// from a GPU count, the bound kernel for an indirect launch. The detector and the kernel tests both
// build them here.
import type { GpuContext } from '../../gpu/context.js';
import { BoundKernel, type KernelStep } from '../../gpu/kernel.js';
import { DEFAULT_WORKGROUP_SIZE } from '../../gpu/launch.js';
import { encodeSegments, type NmsSegment } from './candidates.js';
import { refineFlags, type RefineFlags } from './options.js';

export { refineFlags, type RefineFlags };

export const NORM = { mean: 127.5, invStd: 0.0078125 };

const CANDIDATE = 'postprocess/candidate.wgsl';
const INDEXING = 'common/indexing.wgsl';
const WG = { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE };

export interface PnetCandidatesParams {
  /** PNet output of the tile (or whole level) and its first cell in the level. */
  outWidth: number;
  outHeight: number;
  cellX: number;
  cellY: number;
  /** Cells per row of the whole level (keys are level cells). */
  levelWidth: number;
  threshold: number;
  /** NMS order key: the score instead of the logit margin (MtcnnOptions.nmsOrder 'probability'). */
  rankByScore?: boolean;
  segmentOffset: number;
  segmentCapacity: number;
  countIndex: number;
  keyBase: number;
  image: number;
  xTable: number;
  yTable: number;
}

export async function pnetCandidates(
  ctx: GpuContext,
  label: string,
  p: PnetCandidatesParams,
  b: { prob: GPUBuffer; logits: GPUBuffer; regression: GPUBuffer; boxTable: GPUBuffer; counts: GPUBuffer; candidates: GPUBuffer },
): Promise<KernelStep> {
  const kernel = await BoundKernel.create(
    ctx,
    { label, files: [INDEXING, CANDIDATE, 'postprocess/pnet_candidates.wgsl'], defines: { RANK_BY_SCORE: !!p.rankByScore, ...WG } },
    {
      out_width: p.outWidth, out_height: p.outHeight, cell_x: p.cellX, cell_y: p.cellY, level_width: p.levelWidth, threshold: p.threshold,
      segment_offset: p.segmentOffset, segment_capacity: p.segmentCapacity, count_index: p.countIndex, key_base: p.keyBase, image_index: p.image, x_table: p.xTable, y_table: p.yTable,
    },
    { prob: b.prob, logits: b.logits, regression: b.regression, box_table: b.boxTable, counts: b.counts, candidates: b.candidates },
  );
  return kernel.over(p.outWidth * p.outHeight);
}

/** Greedy NMS over many candidate lists at once: one workgroup per segment. */
export async function nms(
  ctx: GpuContext,
  label: string,
  p: { threshold: number; mode: 'union' | 'min'; segments: readonly NmsSegment[]; /** Areas without the +1 (face-api.js). */ exclusive?: boolean },
  b: { input: GPUBuffer; output: GPUBuffer; counts: GPUBuffer; order: GPUBuffer; suppressed: GPUBuffer },
): Promise<KernelStep> {
  const table = ctx.uploadBuffer(`${label} segments`, encodeSegments(p.segments));
  const kernel = await BoundKernel.create(
    ctx,
    { label, files: [CANDIDATE, 'postprocess/nms.wgsl'], defines: WG },
    { threshold: p.threshold, segments: p.segments.length, min_mode: p.mode === 'min' ? 1 : 0, edge: p.exclusive ? 0 : 1 },
    { input_list: b.input, output_list: b.output, counts: b.counts, segments: table, order: b.order, suppressed: b.suppressed },
  );
  kernel.own(table);
  return kernel.groups([p.segments.length, 1, 1]);
}

/** Regression/squaring/truncation and packing of every image's list: one workgroup per image. */
export async function refinePack(
  ctx: GpuContext,
  label: string,
  p: { images: number; inStride: number; inCountBase: number; outCapacity: number; outCount: number; outImageBase: number; overflow: number; flags: RefineFlags },
  b: { input: GPUBuffer; output: GPUBuffer; counts: GPUBuffer },
): Promise<KernelStep> {
  const kernel = await BoundKernel.create(
    ctx,
    {
      label,
      files: [CANDIDATE, 'postprocess/refine_pack.wgsl'],
      defines: WG,
    },
    {
      images: p.images, in_stride: p.inStride, in_count_base: p.inCountBase, out_capacity: p.outCapacity, out_count: p.outCount, out_image_base: p.outImageBase, overflow: p.overflow,
      regress: p.flags.regression ? 1 : 0, reg_edge: p.flags.regression === 'inclusive' ? 1 : 0, square: p.flags.square ? 1 : 0, fix: p.flags.fix ? 1 : 0, round: p.flags.round ? 1 : 0,
    },
    { input_list: b.input, output_list: b.output, counts: b.counts },
  );
  return kernel.groups([p.images, 1, 1]);
}

/**
 * RNet/ONet thresholding of one chunk of the packed list; one invocation per sample, launched
 * indirectly (the chunk's sample count is on the GPU).
 */
export function scoreFilter(
  ctx: GpuContext,
  label: string,
  p: { first: number; capacity: number; totalCount: number; threshold: number; outStride: number; outCountBase: number; overflow: number; landmarks: boolean; rankByScore?: boolean; faceApiBoxes?: boolean },
  b: { packed: GPUBuffer; prob: GPUBuffer; logits: GPUBuffer; regression: GPUBuffer; counts: GPUBuffer; output: GPUBuffer; points?: GPUBuffer; landmarks?: GPUBuffer; scores?: GPUBuffer },
): Promise<BoundKernel> {
  if (p.landmarks && !(b.points && b.landmarks)) return Promise.reject(new Error(`${label}: landmarks need the points and landmarks buffers`));
  // RNet (no landmarks) shares ONet's pipeline: its points and landmark bindings get stand-ins the
  // shader never touches (the probabilities, read-only, and a small buffer of its own).
  const standIn = p.landmarks ? undefined : ctx.storageBuffer(`${label} no landmarks`, 16);
  const kernel = BoundKernel.create(
    ctx,
    { label, files: [INDEXING, CANDIDATE, 'postprocess/score_filter.wgsl'], defines: { SCORES: !!b.scores, RANK_BY_SCORE: !!p.rankByScore, FACE_API_BOXES: !!p.faceApiBoxes, ...WG } },
    { first: p.first, capacity: p.capacity, total_count: p.totalCount, threshold: p.threshold, out_stride: p.outStride, out_count_base: p.outCountBase, overflow: p.overflow, landmarks: p.landmarks ? 1 : 0 },
    {
      packed: b.packed, prob: b.prob, logits: b.logits, regression: b.regression, counts: b.counts, output_list: b.output,
      points: p.landmarks ? b.points! : b.prob,
      landmarks: p.landmarks ? b.landmarks! : standIn!,
      ...(b.scores ? { stage_scores: b.scores } : {}),
    },
  );
  if (!standIn) return kernel;
  return kernel.then(
    (k) => k.own(standIn),
    (err: unknown) => {
      standIn.destroy();
      throw err;
    },
  );
}
