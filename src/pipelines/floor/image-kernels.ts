// Kernel factories for the image kernels every pipeline starts with (shaders/image/): resampling
// of a pyramid level (or a tile of one) and of candidate crops (area or bilinear), and
// table-driven bilinear resizing into a network input. Each returns a KernelStep: the bound kernel with its
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

/**
 * How a pyramid level or a crop is resampled: 'area' (exact box filter, OpenCV INTER_AREA: facenet),
 * 'bilinear-tfjs' (tf.image.resizeBilinear: asymmetric, float result: face-api.js's pyramid),
 * 'bilinear-opencv' (cv::resize INTER_LINEAR of a float image: half-pixel, clamped, float) or
 * 'bilinear-canvas' (Chromium's canvas drawImage, Skia's bilinear: half-pixel, 1/16 weights, 8-bit
 * truncated result, which face-api.js crops with).
 */
export type ImageResampling = 'area' | 'bilinear-tfjs' | 'bilinear-opencv' | 'bilinear-canvas';
export const IMAGE_RESAMPLINGS: readonly ImageResampling[] = ['area', 'bilinear-tfjs', 'bilinear-opencv', 'bilinear-canvas'];

/** Skia's inverse scale of `out` pixels over `region` (both divisions rounded to float32). */
export function skiaInverseScale(out: number, region: number): number {
  return Math.fround(1 / Math.fround(out / region));
}

/** The shader file and defines of a resampling (both files take the same parameters and bindings). */
function resampler(resampling: ImageResampling): { file: string; defines: Record<string, boolean> } {
  if (resampling === 'area') return { file: 'image/resample_area.wgsl', defines: {} };
  return { file: 'image/resample_bilinear.wgsl', defines: { CANVAS: resampling === 'bilinear-canvas', OPENCV: resampling === 'bilinear-opencv' } };
}

/** A pyramid level of image `image` (level size levelWidth x levelHeight), or its tile at (x, y). */
export async function resampleLevel(
  ctx: GpuContext,
  label: string,
  p: { image: number; imageWidth: number; imageHeight: number; levelWidth: number; levelHeight: number; tile: { x: number; y: number; width: number; height: number }; norm: AreaNormalization; resampling?: ImageResampling },
  b: { pixels: PixelBindings; output: GPUBuffer },
): Promise<KernelStep> {
  const r = resampler(p.resampling ?? 'area');
  const kernel = await BoundKernel.create(
    ctx,
    { label, files: [INDEXING, PIXELS, CANDIDATE, r.file], defines: { CROP: false, STRETCH: false, ...r.defines, WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, ...b.pixels.defines } },
    {
      image_index: p.image, out_width: p.tile.width, out_height: p.tile.height, tile_x: p.tile.x, tile_y: p.tile.y,
      // The canvas convention takes Skia's inverse scale, f32(1 / f32(level / image)).
      ...(p.resampling === 'bilinear-canvas'
        ? { scale_x: skiaInverseScale(p.levelWidth, p.imageWidth), scale_y: skiaInverseScale(p.levelHeight, p.imageHeight) }
        : { scale_x: p.imageWidth / p.levelWidth, scale_y: p.imageHeight / p.levelHeight }), mean: p.norm.mean, inv_std: p.norm.invStd, first: 0, capacity: 0, count_index: 0,
    },
    { ...b.pixels.buffers, output_0: b.output },
  );
  return kernel.over(p.tile.width * p.tile.height);
}

/**
 * Square crops of `capacity` candidates from candidates[first..] (as many as counts[countIndex]
 * says), size x size each; launched indirectly (its grid comes from a GPU count). Past the image
 * border a crop is zero-padded, or with `stretch` the box is clipped to the image first.
 */
export function resampleCrops(
  ctx: GpuContext,
  label: string,
  p: { size: number; first: number; capacity: number; countIndex: number; norm: AreaNormalization; resampling?: ImageResampling; stretch?: boolean },
  b: { pixels: PixelBindings; candidates: GPUBuffer; counts: GPUBuffer; output: GPUBuffer },
): Promise<BoundKernel> {
  const r = resampler(p.resampling ?? 'area');
  return BoundKernel.create(
    ctx,
    { label, files: [INDEXING, PIXELS, CANDIDATE, r.file], defines: { CROP: true, STRETCH: !!p.stretch, ...r.defines, WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, ...b.pixels.defines } },
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
