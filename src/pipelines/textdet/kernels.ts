// Bound instances of the text detection kernels (resize, labelling, numbering, boxes).
import type { GpuContext } from '../../gpu/context.js';
import { BoundKernel } from '../../gpu/kernel.js';
import type { TextDetOptions } from './options.js';

const INDEXING = 'common/indexing.wgsl';

export function resizeNormalize(ctx: GpuContext, label: string, p: { image: number; width: number; height: number; scaleX: number; scaleY: number; o: TextDetOptions }, b: { pixels: GPUBuffer; imageTable: GPUBuffer; output: GPUBuffer }) {
  return BoundKernel.create(
    ctx,
    { label, files: [INDEXING, 'image/resize_bilinear.wgsl'], defines: { BGR: p.o.channelOrder === 'bgr' } },
    { image_index: p.image, out_width: p.width, out_height: p.height, scale_x: p.scaleX, scale_y: p.scaleY, mean: [...p.o.mean, 0], inv_std: [...p.o.std.map((s) => 1 / s), 0] },
    { pixels: b.pixels, image_table: b.imageTable, output_0: b.output },
  );
}

export async function labelling(ctx: GpuContext, label: string, p: { width: number; height: number; threshold: number; dilation: number }, b: { prob: GPUBuffer; parent: GPUBuffer }) {
  const make = (entry: string) =>
    BoundKernel.create(ctx, { label: `${label} ${entry}`, files: [INDEXING, 'postprocess/ccl.wgsl'], entry }, { width: p.width, height: p.height, threshold: p.threshold, dilation: p.dilation }, { prob: b.prob, parent: b.parent });
  return { init: await make('init'), merge: await make('merge'), flatten: await make('flatten') };
}

// The numbering scan's block: 64 invocations (its workgroup size) x SCAN_PER_THREAD pixels.
const SCAN_PER_THREAD = 16;
export const SCAN_BLOCK = 64 * SCAN_PER_THREAD;

export async function numbering(ctx: GpuContext, label: string, p: { pixels: number; capacity: number; totalIndex: number }, b: { parent: GPUBuffer; ids: GPUBuffer; blockSums: GPUBuffer; rootOf: GPUBuffer; counts: GPUBuffer }) {
  const blocks = Math.ceil(p.pixels / SCAN_BLOCK);
  const make = (entry: string) =>
    BoundKernel.create(ctx, { label: `${label} ${entry}`, files: ['postprocess/scan.wgsl'], defines: { PER_THREAD: SCAN_PER_THREAD }, entry }, { pixels: p.pixels, blocks, capacity: p.capacity, total_index: p.totalIndex }, {
      parent: b.parent, ids: b.ids, block_sums: b.blockSums, root_of: b.rootOf, counts: b.counts,
    });
  return { blocks, blocksKernel: await make('blocks'), totals: await make('totals'), offsets: await make('offsets') };
}

export async function boxes(
  ctx: GpuContext,
  label: string,
  p: { width: number; height: number; capacity: number; totalIndex: number; o: TextDetOptions; destWidth: number; destHeight: number },
  b: { prob: GPUBuffer; parent: GPUBuffer; ids: GPUBuffer; rootOf: GPUBuffer; counts: GPUBuffer; bounds: GPUBuffer; points: GPUBuffer; boxes: GPUBuffer },
) {
  const params = {
    width: p.width, height: p.height, capacity: p.capacity, total_index: p.totalIndex, min_size: p.o.minSize, box_threshold: p.o.boxThreshold,
    unclip_ratio: p.o.unclipRatio, dest_width: p.destWidth, dest_height: p.destHeight,
  };
  const buffers = { prob: b.prob, parent: b.parent, ids: b.ids, root_of: b.rootOf, counts: b.counts, bounds: b.bounds, points: b.points, boxes: b.boxes };
  const make = (entry: string) => BoundKernel.create(ctx, { label: `${label} ${entry}`, files: [INDEXING, 'postprocess/db_boxes.wgsl'], entry }, params, buffers);
  return { init: await make('bounds_init'), gather: await make('bounds_gather'), main: await make('boxes_main') };
}
