// Bound instances of the MTCNN post-processing shaders (one per use in a batch). Each function names
// its buffers by the shader's binding names; the detector and the kernel tests both build them here.
import type { GpuContext } from '../../gpu/context.js';
import { BoundKernel } from '../../gpu/kernel.js';
import { encodeSegments, type NmsSegment } from './candidates.js';

export const NORM_MEAN = 127.5;
export const NORM_INV_STD = 0.0078125;

const CANDIDATE = 'postprocess/candidate.wgsl';
const INDEXING = 'common/indexing.wgsl';

export function pyramidResample(ctx: GpuContext, label: string, p: { image: number; width: number; height: number; scaleX: number; scaleY: number }, b: { pixels: GPUBuffer; imageTable: GPUBuffer; output: GPUBuffer }) {
  return BoundKernel.create(
    ctx,
    { label, files: [INDEXING, CANDIDATE, 'image/resample_area.wgsl'], defines: { CROP: false } },
    { image_index: p.image, out_width: p.width, out_height: p.height, scale_x: p.scaleX, scale_y: p.scaleY, mean: NORM_MEAN, inv_std: NORM_INV_STD, first: 0, capacity: 0, count_index: 0 },
    { pixels: b.pixels, image_table: b.imageTable, output_0: b.output },
  );
}

export function cropResample(ctx: GpuContext, label: string, p: { size: number; first: number; capacity: number; countIndex: number }, b: { pixels: GPUBuffer; imageTable: GPUBuffer; candidates: GPUBuffer; counts: GPUBuffer; output: GPUBuffer }) {
  return BoundKernel.create(
    ctx,
    { label, files: [INDEXING, CANDIDATE, 'image/resample_area.wgsl'], defines: { CROP: true } },
    { image_index: 0, out_width: p.size, out_height: p.size, scale_x: 0, scale_y: 0, mean: NORM_MEAN, inv_std: NORM_INV_STD, first: p.first, capacity: p.capacity, count_index: p.countIndex },
    { pixels: b.pixels, image_table: b.imageTable, candidates: b.candidates, counts: b.counts, output_0: b.output },
  );
}

export function pnetCandidates(
  ctx: GpuContext,
  label: string,
  p: { outWidth: number; outHeight: number; threshold: number; segmentOffset: number; countIndex: number; keyBase: number; image: number; xTable: number; yTable: number },
  b: { prob: GPUBuffer; logits: GPUBuffer; regression: GPUBuffer; boxTable: GPUBuffer; counts: GPUBuffer; candidates: GPUBuffer },
) {
  return BoundKernel.create(
    ctx,
    { label, files: [INDEXING, CANDIDATE, 'postprocess/pnet_candidates.wgsl'] },
    { out_width: p.outWidth, out_height: p.outHeight, threshold: p.threshold, segment_offset: p.segmentOffset, count_index: p.countIndex, key_base: p.keyBase, image_index: p.image, x_table: p.xTable, y_table: p.yTable },
    { prob: b.prob, logits: b.logits, regression: b.regression, box_table: b.boxTable, counts: b.counts, candidates: b.candidates },
  );
}

export async function nms(
  ctx: GpuContext,
  label: string,
  p: { threshold: number; mode: 'union' | 'min'; segments: readonly NmsSegment[] },
  b: { input: GPUBuffer; output: GPUBuffer; counts: GPUBuffer; order: GPUBuffer; suppressed: GPUBuffer },
) {
  const table = ctx.uploadBuffer(`${label} segments`, encodeSegments(p.segments));
  const kernel = await BoundKernel.create(
    ctx,
    { label, files: [CANDIDATE, 'postprocess/nms.wgsl'], defines: { MIN: p.mode === 'min' } },
    { threshold: p.threshold, segments: p.segments.length },
    { input_list: b.input, output_list: b.output, counts: b.counts, segments: table, order: b.order, suppressed: b.suppressed },
  );
  kernel.own(table);
  return { kernel, grid: [p.segments.length, 1, 1] as [number, number, number] };
}

export interface RefineFlags {
  regression?: 'pnet' | 'bbreg';
  square?: boolean;
  fix?: boolean;
}

export function refinePack(
  ctx: GpuContext,
  label: string,
  p: { images: number; inStride: number; inCountBase: number; outCapacity: number; outCount: number; outImageBase: number; overflow: number; flags: RefineFlags },
  b: { input: GPUBuffer; output: GPUBuffer; counts: GPUBuffer },
) {
  return BoundKernel.create(
    ctx,
    {
      label,
      files: [CANDIDATE, 'postprocess/refine_pack.wgsl'],
      defines: { PNET_REGRESSION: p.flags.regression === 'pnet', BBREG: p.flags.regression === 'bbreg', SQUARE: !!p.flags.square, FIX: !!p.flags.fix },
    },
    { images: p.images, in_stride: p.inStride, in_count_base: p.inCountBase, out_capacity: p.outCapacity, out_count: p.outCount, out_image_base: p.outImageBase, overflow: p.overflow },
    { input_list: b.input, output_list: b.output, counts: b.counts },
  );
}

export function scoreFilter(
  ctx: GpuContext,
  label: string,
  p: { first: number; capacity: number; totalCount: number; threshold: number; outStride: number; outCountBase: number; overflow: number; landmarks: boolean },
  b: { packed: GPUBuffer; prob: GPUBuffer; logits: GPUBuffer; regression: GPUBuffer; counts: GPUBuffer; output: GPUBuffer; points?: GPUBuffer; landmarks?: GPUBuffer },
) {
  return BoundKernel.create(
    ctx,
    { label, files: [INDEXING, CANDIDATE, 'postprocess/score_filter.wgsl'], defines: { LANDMARKS: p.landmarks } },
    { first: p.first, capacity: p.capacity, total_count: p.totalCount, threshold: p.threshold, out_stride: p.outStride, out_count_base: p.outCountBase, overflow: p.overflow },
    {
      packed: b.packed, prob: b.prob, logits: b.logits, regression: b.regression, counts: b.counts, output_list: b.output,
      ...(p.landmarks ? { points: b.points!, landmarks: b.landmarks! } : {}),
    },
  );
}
