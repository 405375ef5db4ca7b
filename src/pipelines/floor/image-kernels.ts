// Kernel factories for the image kernels every pipeline starts with (shaders/image/): area
// resampling of a pyramid level (or a tile of one) and of candidate crops, and table-driven
// bilinear resizing into a network input. Each returns a KernelStep: the bound kernel with its
// launch, sized from the reflected workgroup size.
import type { GpuContext } from '../../gpu/context.js';
import { BoundKernel, type KernelStep } from '../../gpu/kernel.js';
import { DEFAULT_WORKGROUP_SIZE } from '../../gpu/launch.js';
import type { PixelBindings } from './pixels.js';
import type { Normalization } from './resize.js';

const INDEXING = 'common/indexing.wgsl';
const PIXELS = 'image/pixels.wgsl';
const CANDIDATE = 'postprocess/candidate.wgsl';

export interface AreaNormalization {
  mean: number;
  invStd: number;
}

/** A pyramid level of image `image` (level size levelWidth x levelHeight), or its tile at (x, y). */
export async function areaLevel(
  ctx: GpuContext,
  label: string,
  p: { image: number; imageWidth: number; imageHeight: number; levelWidth: number; levelHeight: number; tile: { x: number; y: number; width: number; height: number }; norm: AreaNormalization },
  b: { pixels: PixelBindings; output: GPUBuffer },
): Promise<KernelStep> {
  const kernel = await BoundKernel.create(
    ctx,
    { label, files: [INDEXING, PIXELS, CANDIDATE, 'image/resample_area.wgsl'], defines: { CROP: false, WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, ...b.pixels.defines } },
    {
      image_index: p.image, out_width: p.tile.width, out_height: p.tile.height, tile_x: p.tile.x, tile_y: p.tile.y,
      scale_x: p.imageWidth / p.levelWidth, scale_y: p.imageHeight / p.levelHeight, mean: p.norm.mean, inv_std: p.norm.invStd, first: 0, capacity: 0, count_index: 0,
    },
    { ...b.pixels.buffers, output_0: b.output },
  );
  return kernel.over(p.tile.width * p.tile.height);
}

/**
 * Square crops of `capacity` candidates from candidates[first..] (as many as counts[countIndex]
 * says), size x size each; launched indirectly (its grid comes from a GPU count).
 */
export function areaCrops(
  ctx: GpuContext,
  label: string,
  p: { size: number; first: number; capacity: number; countIndex: number; norm: AreaNormalization },
  b: { pixels: PixelBindings; candidates: GPUBuffer; counts: GPUBuffer; output: GPUBuffer },
): Promise<BoundKernel> {
  return BoundKernel.create(
    ctx,
    { label, files: [INDEXING, PIXELS, CANDIDATE, 'image/resample_area.wgsl'], defines: { CROP: true, WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, ...b.pixels.defines } },
    {
      image_index: 0, out_width: p.size, out_height: p.size, tile_x: 0, tile_y: 0, scale_x: 0, scale_y: 0, mean: p.norm.mean, inv_std: p.norm.invStd,
      first: p.first, capacity: p.capacity, count_index: p.countIndex,
    },
    { ...b.pixels.buffers, candidates: b.candidates, counts: b.counts, output_0: b.output },
  );
}

/**
 * Entry `image` of the packed batch resized into output[outOffset ..] as [3, height, width], per the
 * axis tables at xTable / yTable (entries) of `tables` (see floor/resize.ts).
 */
export async function bilinearResize(
  ctx: GpuContext,
  label: string,
  p: { image: number; width: number; height: number; xTable: number; yTable: number; outOffset: number; norm: Normalization },
  b: { pixels: PixelBindings; tables: GPUBuffer; output: GPUBuffer },
): Promise<KernelStep> {
  const n = p.norm;
  const kernel = await BoundKernel.create(
    ctx,
    { label, files: [INDEXING, PIXELS, 'image/resize_bilinear.wgsl'], defines: { BGR: n.channelOrder === 'bgr', WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, ...b.pixels.defines } },
    {
      image_index: p.image, out_width: p.width, out_height: p.height, x_table: p.xTable, y_table: p.yTable, out_offset: p.outOffset,
      scale: n.scale, mean: [...n.mean, 0], inv_std: [...n.invStd, 0], pad: [...n.pad, 0],
    },
    { ...b.pixels.buffers, axis_table: b.tables, output_0: b.output },
  );
  return kernel.over(p.width * p.height);
}
