// Factories of the grid/anchor detector kernels: head decoding (grid_decode.wgsl), the per-image
// candidate sort (sort.wgsl) and NMS (grid_nms.wgsl). Each returns its steps with their launches;
// the sort and NMS schedules (which bitonic stages, which image groups) are planned here.
import type { GpuContext } from '../../gpu/context.js';
import { BoundKernel, type KernelStep } from '../../gpu/kernel.js';
import { DEFAULT_WORKGROUP_SIZE, foldDispatch } from '../../gpu/launch.js';

const INDEXING = 'common/indexing.wgsl';
const DETECTION = 'postprocess/detection.wgsl';

/** A Detection record (detection.wgsl): box (4 f32), score, class, source, image. */
export const DETECTION_BYTES = 32;

/** Workgroup size of the sort and NMS kernels (every WebGPU device allows 256 invocations). */
export const NMS_WORKGROUP_SIZE = 256;

/** Sorted segment length per image for a candidate capacity: a power of two, at least one sort block. */
export function sortLength(capacity: number): number {
  let n = 2 * NMS_WORKGROUP_SIZE;
  while (n < capacity) n *= 2;
  return n;
}

export type DecodeKernelSpec =
  | { kind: 'yolo' | 'yolo-direct'; grid: number; anchors: number; classes: number; headWidth: number; headHeight: number }
  | { kind: 'ssd'; anchors: number; classes: number; ignoreFirst: boolean; scales: [number, number] }
  | { kind: 'centernet'; classes: number; headWidth: number; headHeight: number; stride: number; inputWidth: number; inputHeight: number };

export interface DecodeParams {
  spec: DecodeKernelSpec;
  images: number;
  /** Index of the chunk's first image in the batch (lists and counters are per batch image). */
  imageBase: number;
  threshold: number;
  inclusive: boolean;
  multiLabel: boolean;
  capacity: number;
  countBase: number;
}

/** `second`: SSD's class logits or CenterNet's box sizes. */
export async function decode(
  ctx: GpuContext,
  label: string,
  p: DecodeParams,
  b: { head: GPUBuffer; second?: GPUBuffer; anchors: GPUBuffer; affine: GPUBuffer; counts: GPUBuffer; candidates: GPUBuffer },
): Promise<KernelStep> {
  const s = p.spec;
  const ssd = s.kind === 'ssd';
  const centernet = s.kind === 'centernet';
  const kernel = await BoundKernel.create(
    ctx,
    {
      label,
      files: [INDEXING, DETECTION, 'postprocess/grid_decode.wgsl'],
      defines: {
        SSD: ssd, CENTERNET: centernet, DIRECT: s.kind === 'yolo-direct', MULTI_LABEL: p.multiLabel, SCORE_GE: p.inclusive, IGNORE_FIRST: ssd && s.ignoreFirst,
        WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE,
      },
    },
    {
      images: p.images,
      image_base: p.imageBase,
      grid: ssd ? s.anchors : centernet ? 1 : s.grid,
      anchors: ssd || centernet ? 1 : s.anchors,
      classes: s.classes,
      head_width: ssd ? 1 : s.headWidth,
      head_height: ssd ? 1 : s.headHeight,
      threshold: p.threshold,
      capacity: p.capacity,
      count_base: p.countBase,
      scale_yx: ssd ? s.scales[0] : 1,
      scale_hw: ssd ? s.scales[1] : 1,
      cell_x: centernet ? s.stride / s.inputWidth : 0,
      cell_y: centernet ? s.stride / s.inputHeight : 0,
      inv_width: centernet ? 1 / s.inputWidth : 0,
      inv_height: centernet ? 1 / s.inputHeight : 0,
    },
    {
      head: b.head,
      image_affine: b.affine,
      counts: b.counts,
      candidates: b.candidates,
      ...(ssd ? { logits: b.second!, anchor_table: b.anchors } : centernet ? { sizes: b.second! } : { anchor_table: b.anchors }),
    },
  );
  const perImage = ssd ? s.anchors : centernet ? s.classes * s.headWidth * s.headHeight : s.grid * s.grid * s.anchors;
  return kernel.over(p.images * perImage);
}

export interface SortParams {
  images: number;
  length: number;
  capacity: number;
  countBase: number;
}

/**
 * The bitonic sort of every image's candidates: keys from the lists, each block sorted in
 * workgroup memory, then for every larger stage k its global steps (j >= block) and one merge of
 * the in-block steps.
 */
export async function sort(ctx: GpuContext, label: string, p: SortParams, b: { candidates: GPUBuffer; counts: GPUBuffer; keys: GPUBuffer }): Promise<KernelStep[]> {
  const wg = NMS_WORKGROUP_SIZE;
  const block = 2 * wg;
  const make = (entry: string, k: number, j: number) =>
    BoundKernel.create(
      ctx,
      { label: `${label} ${entry}${k ? ` k=${k}` : ''}${j ? ` j=${j}` : ''}`, files: [DETECTION, 'postprocess/sort.wgsl'], entry, defines: { WORKGROUP_SIZE: wg } },
      { length: p.length, capacity: p.capacity, count_base: p.countBase, k, j },
      { candidates: b.candidates, counts: b.counts, keys: b.keys },
    );
  const blocks = p.length / block;
  const steps: KernelStep[] = [(await make('sort_init', 0, 0)).groups([p.length / wg, p.images, 1]), (await make('sort_local', 0, 0)).groups([blocks, p.images, 1])];
  for (let k = 2 * block; k <= p.length; k *= 2) {
    for (let j = k / 2; j >= block; j /= 2) steps.push((await make('sort_global', k, j)).groups([p.length / 2 / wg, p.images, 1]));
    steps.push((await make('sort_merge', k, 0)).groups([blocks, p.images, 1]));
  }
  return steps;
}

/** 'none': the best max_det candidates, no suppression (CenterNet's peaks need none). */
export type NmsMethod = 'greedy' | 'weighted' | 'soft-linear' | 'soft-gaussian' | 'none';

export interface NmsParams {
  images: number;
  length: number;
  capacity: number;
  countBase: number;
  keptBase: number;
  maxDet: number;
  iou: number;
  scoreThreshold: number;
  sigma: number;
  method: NmsMethod;
  agnostic: boolean;
  inclusive: boolean;
  /** Images whose IoU masks are built at a time (the mask buffer holds this many). */
  group: number;
}

export interface NmsBuffers {
  candidates: GPUBuffer;
  keys: GPUBuffer;
  counts: GPUBuffer;
  sorted: GPUBuffer;
  mask: GPUBuffer;
  kept: GPUBuffer;
  scratch: GPUBuffer;
  output: GPUBuffer;
}

/** Bytes of the IoU mask of one image (length x length bits). */
export function maskBytes(length: number): number {
  return (length * length) / 8;
}

/** gather -> (mask -> keep per image group | soft) -> emit. */
export async function nms(ctx: GpuContext, label: string, p: NmsParams, b: NmsBuffers): Promise<KernelStep[]> {
  const wg = NMS_WORKGROUP_SIZE;
  const words = p.length / 32;
  const soft = p.method === 'soft-linear' || p.method === 'soft-gaussian';
  const defines = { WORKGROUP_SIZE: wg, WORDS: words, AGNOSTIC: p.agnostic, INCLUSIVE: p.inclusive, WEIGHTED: p.method === 'weighted', SOFT: soft, SOFT_GAUSSIAN: p.method === 'soft-gaussian', TOP: p.method === 'none' };
  const make = (entry: string, firstImage: number) =>
    BoundKernel.create(
      ctx,
      { label: `${label} ${entry}${firstImage ? ` from image ${firstImage}` : ''}`, files: [INDEXING, DETECTION, 'postprocess/grid_nms.wgsl'], entry, defines },
      {
        length: p.length, capacity: p.capacity, count_base: p.countBase, kept_base: p.keptBase, first_image: firstImage, max_det: p.maxDet,
        threshold: p.iou, score_threshold: p.scoreThreshold, sigma: p.sigma,
      },
      { candidates: b.candidates, keys: b.keys, counts: b.counts, sorted: b.sorted, mask: b.mask, kept: b.kept, scratch: b.scratch, output_list: b.output },
    );
  const steps: KernelStep[] = [(await make('nms_gather', 0)).groups([p.length / wg, p.images, 1])];
  if (soft) {
    steps.push((await make('nms_soft', 0)).groups([p.images, 1, 1]));
  } else if (p.method !== 'none') {
    const maxPerDim = ctx.device.limits.maxComputeWorkgroupsPerDimension;
    for (let first = 0; first < p.images; first += p.group) {
      const count = Math.min(p.group, p.images - first);
      const [x, y] = foldDispatch(p.length * words, wg, maxPerDim, `${label} mask`);
      steps.push((await make('nms_mask', first)).groups([x, y, count]));
      steps.push((await make('nms_keep', first)).groups([count, 1, 1]));
    }
  }
  steps.push((await make('nms_emit', 0)).groups([Math.ceil(p.maxDet / wg), p.images, 1]));
  return steps;
}
