// The three stages of an MTCNN batch as kernel steps, built once the batch plan and its buffers
// exist, then encoded into one command buffer:
//   pnet: per image, level and tile: area resampling -> PNet -> box generation; NMS per scale,
//         NMS across scales, regression + squaring + packing into RNet's batch;
//   rnet/onet (cascade): in chunks whose count the GPU decides (indirect dispatch): crops ->
//         network -> threshold; NMS; for RNet, regression + packing into ONet's batch.
import type { GpuContext } from '../../gpu/context.js';
import type { KernelStep } from '../../gpu/kernel.js';
import type { PassRecorder } from '../../gpu/pass-recorder.js';
import { BatchLauncher } from '../../graph/batch-launcher.js';
import type { CompiledGraph } from '../../graph/compiled-graph.js';
import type { ImagePlans } from '../../graph/image-plans.js';
import type { Graph } from '../../graph/types.js';
import { resampleCrops, resampleLevel } from '../floor/image-kernels.js';
import type { PixelBindings } from '../floor/pixels.js';
import type { NmsSegment } from './candidates.js';
import * as K from './kernels.js';
import type { MtcnnOptions } from './options.js';
import type { BatchPlan } from './plan.js';

/** A network's tensors by role (resolved once when the detector is created). */
export interface NetTensors {
  graph: Graph;
  input: string;
  prob: string;
  /** The logits feeding the softmax: their margin orders NMS. */
  logits: string;
  regression: string;
  /** ONet: the 5 landmarks (x1..x5, y1..y5). */
  points?: string;
}

export interface MtcnnNets {
  pnet: NetTensors;
  rnet: NetTensors;
  onet: NetTensors;
}

/** The GPU buffers of one batch (lists of Candidate records, counters, scratch). */
export interface BatchBuffers {
  pixels: PixelBindings;
  counts: GPUBuffer;
  boxTable: GPUBuffer;
  raw: GPUBuffer;
  perScale: GPUBuffer;
  pnet: GPUBuffer;
  rnetBatch: GPUBuffer;
  rnetPassed: GPUBuffer;
  rnet: GPUBuffer;
  onetBatch: GPUBuffer;
  onetPassed: GPUBuffer;
  final: GPUBuffer;
  landmarks: GPUBuffer;
  /** With stage diagnostics: every RNet/ONet input's score and logit margin (2 floats, packed order). */
  rnetScores?: GPUBuffer;
  onetScores?: GPUBuffer;
  /** NMS scratch (order and suppression flags), as long as the longest list. */
  order: GPUBuffer;
  suppressed: GPUBuffer;
}

export interface PnetStage {
  tiles: Array<{ label: string; resample: KernelStep; plan: CompiledGraph; candidates: KernelStep }>;
  nmsPerScale: KernelStep;
  nmsAllScales: KernelStep;
  pack: KernelStep;
}

export async function buildPnetStage(ctx: GpuContext, plan: BatchPlan, buf: BatchBuffers, net: NetTensors, plans: ImagePlans, sizes: ReadonlyArray<{ width: number; height: number }>, o: MtcnnOptions): Promise<PnetStage> {
  const c = plan.counters;
  // Every tile size is compiled before any kernel binds a plan buffer: compiling may grow the
  // shared arena, which replaces its buffers.
  const compiled = await Promise.all(plan.tiles.map((t) => plans.get(t.tile.width, t.tile.height)));
  const tiles = await Promise.all(
    plan.tiles.map(async ({ segment: si, tile }, i) => {
      const s = plan.segments[si]!;
      const g = compiled[i]!;
      const label = `mtcnn image ${s.image} scale ${s.level.index}${tile.width < s.level.width || tile.height < s.level.height ? ` tile ${tile.x},${tile.y}` : ''}`;
      const size = sizes[s.image]!;
      const resample = await resampleLevel(
        ctx,
        `${label} resample`,
        { image: s.image, imageWidth: size.width, imageHeight: size.height, levelWidth: s.level.width, levelHeight: s.level.height, tile, norm: K.NORM, resampling: o.pyramidResampling },
        { pixels: buf.pixels, output: g.bufferOf(net.input) },
      );
      const candidates = await K.pnetCandidates(
        ctx,
        `${label} boxes`,
        {
          outWidth: tile.cellsX, outHeight: tile.cellsY, cellX: tile.x / 2, cellY: tile.y / 2, levelWidth: s.cellsX, threshold: o.thresholds[0], rankByScore: o.nmsOrder === 'probability',
          segmentOffset: s.offset, segmentCapacity: s.capacity, countIndex: c.raw + si, keyBase: s.keyBase, image: s.image, xTable: s.xTable, yTable: s.yTable,
        },
        { prob: g.bufferOf(net.prob), logits: g.bufferOf(net.logits), regression: g.bufferOf(net.regression), boxTable: buf.boxTable, counts: buf.counts, candidates: buf.raw },
      );
      return { label, resample, plan: g, candidates };
    }),
  );
  const scratch = { counts: buf.counts, order: buf.order, suppressed: buf.suppressed };
  const lCap = plan.caps.pnet;
  const nmsPerScale = await K.nms(
    ctx,
    'mtcnn pnet nms per scale',
    {
      threshold: o.nms[0],
      mode: 'union',
      exclusive: o.boxes === 'face-api',
      segments: plan.segments.map((s, i): NmsSegment => ({ inOffset: s.offset, inCount: c.raw + i, inCapacity: s.capacity, outOffset: s.image * lCap, outCount: c.perScale + s.image, outCapacity: lCap, overflow: c.overflow.perScale })),
    },
    { ...scratch, input: buf.raw, output: buf.perScale },
  );
  const nmsAllScales = await K.nms(ctx, 'mtcnn pnet nms', { threshold: o.nms[1], mode: 'union', exclusive: o.boxes === 'face-api', segments: perImageSegments(plan.images, lCap, c.perScale, c.pnet, c.overflow.pnet) }, { ...scratch, input: buf.perScale, output: buf.pnet });
  const pack = await K.refinePack(
    ctx,
    'mtcnn pnet regression',
    { images: plan.images, inStride: lCap, inCountBase: c.pnet, outCapacity: plan.caps.rnet * plan.images, outCount: c.rnetBatch, outImageBase: c.rnetStart, overflow: c.overflow.rnetBatch, flags: K.refineFlags(o.boxes, 'pnet') },
    { input: buf.pnet, output: buf.rnetBatch, counts: buf.counts },
  );
  return { tiles, nmsPerScale, nmsAllScales, pack };
}

/** One list segment per image, same stride in and out. */
function perImageSegments(images: number, stride: number, inCount: number, outCount: number, overflow: number): NmsSegment[] {
  return Array.from({ length: images }, (_, i) => ({ inOffset: i * stride, inCount: inCount + i, inCapacity: stride, outOffset: i * stride, outCount: outCount + i, outCapacity: stride, overflow }));
}

/** What distinguishes the RNet stage from the ONet stage. */
export interface CascadeSpec {
  name: 'rnet' | 'onet';
  net: NetTensors;
  graph: CompiledGraph;
  /** Crop side (24, 48) and samples per compiled chunk. */
  size: number;
  chunk: number;
  /** The packed list this stage scores, its capacity and its total counter. */
  input: GPUBuffer;
  inputCapacity: number;
  inputTotal: number;
  threshold: number;
  /** Per-image list of candidates that passed, then of those that survived NMS. */
  passed: { list: GPUBuffer; countBase: number; overflow: number };
  kept: { list: GPUBuffer; countBase: number; overflow: number };
  stride: number;
  nms: { threshold: number; mode: 'union' | 'min' };
  /** RNet: pack the survivors (regressed, squared, truncated) into the next stage's batch. */
  packInto?: { list: GPUBuffer; capacity: number; total: number; start: number; overflow: number };
  landmarks?: GPUBuffer;
  /** Stage diagnostics: where every input's score goes (see score_filter.wgsl SCORES). */
  scores?: GPUBuffer;
  /** The conventions of crops, NMS order and box arithmetic. */
  options: Pick<MtcnnOptions, 'nmsOrder' | 'cropResampling' | 'cropBorder' | 'boxes'>;
}

export interface CascadeStage {
  name: string;
  launcher: BatchLauncher;
  chunks: Array<{ crop: KernelStep; filter: KernelStep }>;
  nms: KernelStep;
  pack?: KernelStep;
}

export async function buildCascadeStage(ctx: GpuContext, buf: BatchBuffers, images: number, s: CascadeSpec): Promise<CascadeStage> {
  const chunks = Math.ceil(s.inputCapacity / s.chunk);
  const crops = await Promise.all(
    Array.from({ length: chunks }, (_, k) =>
      resampleCrops(
        ctx,
        `mtcnn ${s.name} crops chunk ${k}`,
        { size: s.size, first: k * s.chunk, capacity: s.chunk, countIndex: s.inputTotal, norm: K.NORM, resampling: s.options.cropResampling, stretch: s.options.cropBorder === 'stretch' }, { pixels: buf.pixels, candidates: s.input, counts: buf.counts, output: s.graph.bufferOf(s.net.input) }),
    ),
  );
  const filters = await Promise.all(
    Array.from({ length: chunks }, (_, k) =>
      K.scoreFilter(
        ctx,
        `mtcnn ${s.name} threshold chunk ${k}`,
        { first: k * s.chunk, capacity: s.chunk, totalCount: s.inputTotal, threshold: s.threshold, outStride: s.stride, outCountBase: s.passed.countBase, overflow: s.passed.overflow, landmarks: !!s.landmarks, rankByScore: s.options.nmsOrder === 'probability', faceApiBoxes: s.options.boxes === 'face-api' },
        {
          packed: s.input, prob: s.graph.bufferOf(s.net.prob), logits: s.graph.bufferOf(s.net.logits), regression: s.graph.bufferOf(s.net.regression), counts: buf.counts, output: s.passed.list,
          ...(s.landmarks ? { points: s.graph.bufferOf(s.net.points!), landmarks: s.landmarks } : {}),
          ...(s.scores ? { scores: s.scores } : {}),
        },
      ),
    ),
  );
  // The crop kernel runs one invocation per crop pixel, the threshold one per sample.
  const launcher = await BatchLauncher.create(ctx, s.graph, buf.counts, s.inputTotal, chunks, `mtcnn ${s.name}`, [
    { perSample: s.size * s.size, workgroupSize: crops[0]!.workgroupSize[0] },
    { perSample: 1, workgroupSize: filters[0]!.workgroupSize[0] },
  ]);
  const nms = await K.nms(
    ctx,
    `mtcnn ${s.name} nms`,
    { ...s.nms, exclusive: s.options.boxes === 'face-api', segments: perImageSegments(images, s.stride, s.passed.countBase, s.kept.countBase, s.kept.overflow) },
    { input: s.passed.list, output: s.kept.list, counts: buf.counts, order: buf.order, suppressed: buf.suppressed },
  );
  const pack = s.packInto
    ? await K.refinePack(
        ctx,
        `mtcnn ${s.name} regression`,
        { images, inStride: s.stride, inCountBase: s.kept.countBase, outCapacity: s.packInto.capacity, outCount: s.packInto.total, outImageBase: s.packInto.start, overflow: s.packInto.overflow, flags: K.refineFlags(s.options.boxes, 'rnet') },
        { input: s.kept.list, output: s.packInto.list, counts: buf.counts },
      )
    : undefined;
  return {
    name: s.name,
    launcher,
    chunks: crops.map((crop, k) => ({ crop: launcher.extraStep(crop, 0, k), filter: launcher.extraStep(filters[k]!, 1, k) })),
    nms,
    ...(pack ? { pack } : {}),
  };
}

/** Encodes the batch: one compute pass (or timed passes) per stage, in one command buffer. */
export function encodeStages(rec: PassRecorder, pnet: PnetStage, cascades: readonly CascadeStage[]): void {
  rec.beginStage('pnet');
  for (const t of pnet.tiles) {
    rec.run(t.resample);
    rec.graph(`${t.label} pnet`, t.plan.steps());
    rec.run(t.candidates);
  }
  rec.run(pnet.nmsPerScale, pnet.nmsAllScales, pnet.pack);
  rec.endStage();
  for (const stage of cascades) {
    rec.beginStage(stage.name);
    rec.run(stage.launcher.argsStep());
    stage.chunks.forEach(({ crop, filter }, k) => {
      rec.run(crop);
      rec.graph(`chunk ${k} ${stage.name}`, stage.launcher.chunkSteps(k));
      rec.run(filter);
    });
    rec.run(stage.nms, ...(stage.pack ? [stage.pack] : []));
    rec.endStage();
  }
}

/** Everything a stage created, to free with the batch. */
export function stageKernels(pnet: PnetStage, cascades: readonly CascadeStage[]): Array<KernelStep | BatchLauncher> {
  return [
    ...pnet.tiles.flatMap((t) => [t.resample, t.candidates]),
    pnet.nmsPerScale,
    pnet.nmsAllScales,
    pnet.pack,
    ...cascades.flatMap((s) => [s.launcher, ...s.chunks.flatMap((c) => [c.crop, c.filter]), s.nms, ...(s.pack ? [s.pack] : [])]),
  ];
}
