// Factories of the text detection post-processing kernels (binarization + labelling, numbering,
// boxes). Each returns its kernel steps with their launches (see gpu/kernel.ts).
import type { GpuContext } from '../../gpu/context.js';
import { BoundKernel, type KernelStep } from '../../gpu/kernel.js';
import { DEFAULT_WORKGROUP_SIZE } from '../../gpu/launch.js';
import type { TextDetOptions } from './options.js';

const INDEXING = 'common/indexing.wgsl';
const WG = { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE };

/** Binarization + connected components: init, merge, flatten; one invocation per pixel each. */
export async function labelling(ctx: GpuContext, label: string, p: { width: number; height: number; threshold: number; dilation: number }, b: { prob: GPUBuffer; parent: GPUBuffer }): Promise<KernelStep[]> {
  const make = async (entry: string) => {
    const kernel = await BoundKernel.create(ctx, { label: `${label} ${entry}`, files: [INDEXING, 'postprocess/ccl.wgsl'], entry, defines: WG }, { width: p.width, height: p.height, threshold: p.threshold, dilation: p.dilation }, { prob: b.prob, parent: b.parent });
    return kernel.over(p.width * p.height);
  };
  return [await make('init'), await make('merge'), await make('flatten')];
}

// The numbering scan's block: WORKGROUP_SIZE invocations x SCAN_PER_THREAD pixels.
const SCAN_PER_THREAD = 16;
const SCAN_BLOCK = DEFAULT_WORKGROUP_SIZE * SCAN_PER_THREAD;

/** Blocks of the numbering scan for a map of `pixels` (sizes the block-sums buffer). */
export function scanBlocks(pixels: number): number {
  return Math.ceil(pixels / SCAN_BLOCK);
}

/** Numbering of the components in raster order: per-block counts, block totals, offsets. */
export async function numbering(ctx: GpuContext, label: string, p: { pixels: number; capacity: number; totalIndex: number }, b: { parent: GPUBuffer; ids: GPUBuffer; blockSums: GPUBuffer; rootOf: GPUBuffer; counts: GPUBuffer }): Promise<KernelStep[]> {
  const blocks = scanBlocks(p.pixels);
  const make = (entry: string) =>
    BoundKernel.create(ctx, { label: `${label} ${entry}`, files: ['postprocess/scan.wgsl'], defines: { PER_THREAD: SCAN_PER_THREAD, ...WG }, entry }, { pixels: p.pixels, blocks, capacity: p.capacity, total_index: p.totalIndex }, {
      parent: b.parent, ids: b.ids, block_sums: b.blockSums, root_of: b.rootOf, counts: b.counts,
    });
  // 'blocks' and 'offsets' run one workgroup per block, 'totals' one invocation.
  return [(await make('blocks')).overGroups(blocks), (await make('totals')).groups([1, 1, 1]), (await make('offsets')).overGroups(blocks)];
}

/** Per component: bounds (init, gather over pixels), then hull -> rectangle -> score -> unclip. */
export async function boxes(
  ctx: GpuContext,
  label: string,
  p: { width: number; height: number; capacity: number; totalIndex: number; o: TextDetOptions; destWidth: number; destHeight: number },
  b: { prob: GPUBuffer; parent: GPUBuffer; ids: GPUBuffer; rootOf: GPUBuffer; counts: GPUBuffer; bounds: GPUBuffer; points: GPUBuffer; boxes: GPUBuffer },
): Promise<KernelStep[]> {
  const params = {
    width: p.width, height: p.height, capacity: p.capacity, total_index: p.totalIndex, min_size: p.o.minSize, box_threshold: p.o.boxThreshold,
    unclip_ratio: p.o.unclipRatio, dest_width: p.destWidth, dest_height: p.destHeight,
  };
  const buffers = { prob: b.prob, parent: b.parent, ids: b.ids, root_of: b.rootOf, counts: b.counts, bounds: b.bounds, points: b.points, boxes: b.boxes };
  const make = (entry: string) => BoundKernel.create(ctx, { label: `${label} ${entry}`, files: [INDEXING, 'postprocess/db_boxes.wgsl'], entry, defines: WG }, params, buffers);
  // One workgroup per candidate component in boxes_main.
  return [(await make('bounds_init')).over(p.capacity), (await make('bounds_gather')).over(p.width * p.height), (await make('boxes_main')).groups([p.capacity, 1, 1])];
}
