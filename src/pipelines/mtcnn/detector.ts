// MTCNN face detection with every step on the GPU. A batch of images is encoded into ONE command
// buffer (see stages.ts): per image and pyramid scale (in tiles when a level is too large for one
// binding: tiles.ts), area resampling -> PNet -> box generation; NMS per scale and across scales,
// regression + squaring + packing into RNet's batch; RNet on crops in chunks whose number the GPU's
// own candidate count decides (indirect dispatch); threshold, NMS, regression, packing; ONet likewise
// with landmarks; final 'Min' NMS. Only the final lists (and the counters) are read back: one
// readback per batch. If a candidate list overflows its capacity, the counters say by how much and
// the batch is run again with room for it (a retry). Batches whose pixels exceed what the adapter
// can bind are split (stats.parts), and an image larger than that alone is shrunk (shrink.ts).
import type { GpuContext } from '../../gpu/context.js';
import { BatchResources } from '../../gpu/batch-resources.js';
import { PassRecorder } from '../../gpu/pass-recorder.js';
import { BufferArena } from '../../graph/arena.js';
import { ImagePlans } from '../../graph/image-plans.js';
import { compileGraph, type CompiledGraph } from '../../graph/compiled-graph.js';
import type { Storage } from '../../graph/half-storage.js';
import { optimizeGraph } from '../../graph/optimize.js';
import { GraphError, type Graph } from '../../graph/types.js';
import { emptyStats, measuredBatch, mergeStats, timingMode, type BatchStats, type DetectionBatch } from '../floor/batch.js';
import type { Detector } from '../floor/detector.js';
import { inChannelOrder, type RgbImage } from '../floor/image.js';
import { packImages, pixelCapacity, splitByPixels, uploadPixels } from '../floor/pixels.js';
import { CANDIDATE_BYTES } from './candidates.js';
import { resolveMtcnnOptions, type MtcnnDetectOptions, type MtcnnOptions } from './options.js';
import { neededCapacities, planBatch, type BatchPlan, type Capacities } from './plan.js';
import { decodeBatch, stageBuffers, stageLists } from './results.js';
import { prepareImage, unshrink, type PreparedImage } from './shrink.js';
import { buildCascadeStage, buildPnetStage, encodeStages, stageKernels, type BatchBuffers, type MtcnnNets, type NetTensors } from './stages.js';
import { pnetTileSize } from './tiles.js';
import type { ImageDetections, MtcnnGraphs } from './types.js';

export type { MtcnnGraphs } from './types.js';

export interface DetectorConfig {
  /** RNet / ONet samples per chunk (the compiled batch of those graphs). */
  rnetChunk: number;
  onetChunk: number;
  /** Initial capacities of the candidate lists (grown and retried when exceeded). */
  pnetCapacity: number;
  rnetCapacity: number;
  onetCapacity: number;
  /**
   * Largest PNet tensor, in bytes, a level may need before it runs in tiles (never more than one
   * storage binding). 128 MiB: levels up to about 1830 x 1830 run whole.
   */
  pnetTileBytes: number;
  /** Pixels one GPU batch may hold; default: what the adapter can bind (floor/pixels.ts). */
  batchPixels?: number;
  /**
   * 'f16': the networks' intermediate activations stored as f16 (half the memory, f32 arithmetic;
   * graph/half-storage.ts); 'f32' (default).
   */
  storage?: Storage;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = { rnetChunk: 128, onetChunk: 32, pnetCapacity: 4096, rnetCapacity: 512, onetCapacity: 128, pnetTileBytes: 128 * 1024 * 1024 };

const MAX_RETRIES = 4;

/** A network's tensors by role: the TFLite output names of facenet's MTCNN, and the softmax's input. */
function netTensors(graph: Graph, regression: string, points?: string): NetTensors {
  const find = (suffix: string) => {
    const name = graph.outputs.find((o) => o.endsWith(suffix));
    if (!name) throw new GraphError(`graph '${graph.name}' has no output ending in '${suffix}' (outputs: ${graph.outputs.join(', ')}); is this an MTCNN network?`);
    return name;
  };
  const softmax = graph.nodes.find((node) => node.op === 'Softmax');
  if (!softmax) throw new GraphError(`graph '${graph.name}' has no Softmax; is this an MTCNN network?`);
  const logits = softmax.inputs[0]!;
  // The logits become an output too (kept by the buffer plan): their margin is the NMS order key.
  const withLogits = optimizeGraph({ ...graph, outputs: [...graph.outputs, logits] }).graph;
  return { graph: withLogits, input: withLogits.inputs[0]!.name, prob: find('prob1'), logits, regression: find(regression), ...(points ? { points: find(points) } : {}) };
}

type ListBytes = ReturnType<typeof listBytes>;

const LIST_NAMES: Record<keyof ListBytes, string> = {
  raw: 'pnet candidates', perScale: 'pnet per-scale nms', pnet: 'pnet nms', rnetBatch: 'rnet batch', rnetPassed: 'rnet passed', rnet: 'rnet nms',
  onetBatch: 'onet batch', onetPassed: 'onet passed', final: 'final', landmarks: 'landmarks', order: 'nms order', suppressed: 'nms suppressed',
};

/** Bytes of each candidate list, landmarks and NMS scratch of a batch (the arena may hold more). */
function listBytes(plan: BatchPlan) {
  const n = plan.images;
  const { pnet: lCap, rnet: rCap, onet: oCap } = plan.caps;
  const longest = Math.max(plan.rawTotal, n * lCap, n * rCap, n * oCap, 1);
  return {
    raw: plan.rawTotal * CANDIDATE_BYTES, perScale: n * lCap * CANDIDATE_BYTES, pnet: n * lCap * CANDIDATE_BYTES,
    rnetBatch: n * rCap * CANDIDATE_BYTES, rnetPassed: n * rCap * CANDIDATE_BYTES, rnet: n * rCap * CANDIDATE_BYTES,
    onetBatch: n * oCap * CANDIDATE_BYTES, onetPassed: n * oCap * CANDIDATE_BYTES, final: n * oCap * CANDIDATE_BYTES,
    landmarks: n * oCap * 10 * 4, order: longest * 4, suppressed: longest * 4,
  };
}

export class MtcnnDetector implements Detector<MtcnnDetectOptions, ImageDetections> {
  readonly model = 'mtcnn';
  private readonly pnetPlans: ImagePlans;
  /**
   * The candidate lists, landmarks and NMS scratch, kept across batches: every kernel writes what it
   * later reads (up to the counts). A fresh buffer costs Dawn's zero fill at its first use (the text
   * detector's 20 MB scratch: ~90 ms on lavapipe).
   */
  private readonly lists: BufferArena;

  private constructor(
    readonly ctx: GpuContext,
    readonly nets: MtcnnNets,
    private readonly rnet: CompiledGraph,
    private readonly onet: CompiledGraph,
    readonly config: DetectorConfig,
    /** PNet tile side (tiles.ts). */
    readonly tileSize: number,
  ) {
    this.pnetPlans = new ImagePlans(ctx, nets.pnet.graph, 'mtcnn pnet', config.storage);
    this.lists = new BufferArena(ctx, 'mtcnn candidate lists');
  }

  /**
   * GPU bytes of the networks' tensors: PNet's arena (shared by its level sizes, as large as the
   * largest level run so far, inputs included), RNet's and ONet's chunk plans (intermediates and
   * outputs). What --precision f16-storage halves, except the f32 inputs and outputs.
   */
  networkBytes(): { pnet: number; rnet: number; onet: number } {
    return { pnet: this.pnetPlans.arena.totalBytes, rnet: this.rnet.stats.peakBytes, onet: this.onet.stats.peakBytes };
  }

  static async create(ctx: GpuContext, graphs: MtcnnGraphs, config: Partial<DetectorConfig> = {}): Promise<MtcnnDetector> {
    const c = { ...DEFAULT_DETECTOR_CONFIG, ...config };
    const nets: MtcnnNets = { pnet: netTensors(graphs.pnet, 'conv4-2/BiasAdd'), rnet: netTensors(graphs.rnet, 'conv5-2'), onet: netTensors(graphs.onet, 'conv6-2', 'conv6-3') };
    const storage = c.storage ?? 'f32';
    const rnet = await compileGraph(ctx, nets.rnet.graph, { inputShapes: { [nets.rnet.input]: [c.rnetChunk, 3, 24, 24] }, dynamicBatch: true, storage });
    const onet = await compileGraph(ctx, nets.onet.graph, { inputShapes: { [nets.onet.input]: [c.onetChunk, 3, 48, 48] }, dynamicBatch: true, storage });
    const tileBytes = Math.min(c.pnetTileBytes, ctx.device.limits.maxStorageBufferBindingSize);
    return new MtcnnDetector(ctx, nets, rnet, onet, c, pnetTileSize(nets.pnet.graph, tileBytes));
  }

  /** Detects faces in `images` (any sizes): one GPU batch, or several when the pixels need it. */
  async detect(images: readonly RgbImage[], options: MtcnnDetectOptions = {}): Promise<DetectionBatch<ImageDetections>> {
    const o = resolveMtcnnOptions(options);
    return measuredBatch(this.ctx, images, async () => {
      const capacity = this.config.batchPixels ?? pixelCapacity(this.ctx);
      const prepared = images.map((im) => prepareImage(inChannelOrder(im, o.channelOrder), capacity, o.minFaceSize));
      const results: ImageDetections[] = [];
      let stats = emptyStats();
      for (const part of splitByPixels(prepared.map((p) => p.image.width * p.image.height), capacity)) {
        const run = await this.runPart(part.map((i) => prepared[i]!), o, options);
        part.forEach((i, k) => results.push(unshrink(run.images[k]!, images[i]!, prepared[i]!)));
        stats = mergeStats(stats, run.stats);
      }
      return { images: results, stats };
    });
  }

  /** One GPU batch, re-run with larger lists while the GPU reports an overflow. */
  private async runPart(prepared: readonly PreparedImage[], o: MtcnnOptions, opts: MtcnnDetectOptions): Promise<DetectionBatch<ImageDetections>> {
    const c = this.config;
    let caps: Capacities = { raw: c.pnetCapacity, pnet: c.pnetCapacity, rnet: c.rnetCapacity, onet: c.onetCapacity };
    for (let retries = 0; ; retries++) {
      let run: { done: DetectionBatch<ImageDetections> } | { needs: Capacities };
      try {
        run = await this.ctx.scoped('mtcnn batch', () => this.runOnce(prepared, o, caps, opts));
      } catch (err) {
        // Nothing a failed batch grew may change how the next one runs.
        this.pnetPlans.reset();
        this.lists.destroy();
        throw err;
      }
      if ('done' in run) {
        run.done.stats.retries = retries;
        return run.done;
      }
      if (retries >= MAX_RETRIES) throw new Error(`mtcnn: candidate lists still overflow after ${retries} retries (needed ${JSON.stringify(run.needs)})`);
      caps = run.needs;
    }
  }

  private allocate(res: BatchResources, plan: BatchPlan, bytes: ListBytes, images: readonly RgbImage[], stages: boolean): BatchBuffers {
    const n = plan.images;
    const { rnet: rCap, onet: oCap } = plan.caps;
    const kept = this.lists.take(bytes, LIST_NAMES);
    return {
      pixels: uploadPixels(this.ctx, packImages(images), 'mtcnn', (b) => res.own(b)),
      counts: res.upload('counters', new Uint32Array(plan.counters.total)),
      boxTable: res.upload('cell box table', plan.boxTable),
      ...kept,
      ...(stages ? { rnetScores: res.storage('rnet scores', n * rCap * 8), onetScores: res.storage('onet scores', n * oCap * 8) } : {}),
    };
  }

  private async runOnce(prepared: readonly PreparedImage[], o: MtcnnOptions, caps: Capacities, opts: MtcnnDetectOptions): Promise<{ done: DetectionBatch<ImageDetections> } | { needs: Capacities }> {
    const { ctx, config: cfg } = this;
    const images = prepared.map((p) => p.image);
    const n = images.length;
    const res = new BatchResources(ctx, 'mtcnn');
    try {
      const plan = planBatch(prepared.map((p) => ({ width: p.image.width, height: p.image.height, minFaceSize: p.minFaceSize })), o, caps, this.tileSize);
      const bytes = listBytes(plan);
      const buf = this.allocate(res, plan, bytes, images, !!opts.stages);
      const c = plan.counters;
      const { rnet: rCap, onet: oCap } = plan.caps;
      const pnet = await buildPnetStage(ctx, plan, buf, this.nets.pnet, this.pnetPlans, images, o);
      const rnet = await buildCascadeStage(ctx, buf, n, {
        name: 'rnet', net: this.nets.rnet, graph: this.rnet, size: 24, chunk: cfg.rnetChunk,
        input: buf.rnetBatch, inputCapacity: n * rCap, inputTotal: c.rnetBatch, threshold: o.thresholds[1],
        passed: { list: buf.rnetPassed, countBase: c.rnetPassed, overflow: c.overflow.rnetPassed },
        kept: { list: buf.rnet, countBase: c.rnet, overflow: c.overflow.rnet },
        stride: rCap, nms: { threshold: o.nms[2], mode: 'union' },
        packInto: { list: buf.onetBatch, capacity: n * oCap, total: c.onetBatch, start: c.onetStart, overflow: c.overflow.onetBatch },
        ...(buf.rnetScores ? { scores: buf.rnetScores } : {}),
        options: o,
      });
      const onet = await buildCascadeStage(ctx, buf, n, {
        name: 'onet', net: this.nets.onet, graph: this.onet, size: 48, chunk: cfg.onetChunk,
        input: buf.onetBatch, inputCapacity: n * oCap, inputTotal: c.onetBatch, threshold: o.thresholds[2],
        passed: { list: buf.onetPassed, countBase: c.onetPassed, overflow: c.overflow.onetPassed },
        kept: { list: buf.final, countBase: c.final, overflow: c.overflow.final },
        stride: oCap, nms: { threshold: o.nms[3], mode: 'min' }, landmarks: buf.landmarks,
        ...(buf.onetScores ? { scores: buf.onetScores } : {}),
        options: o,
      });
      res.keep(...stageKernels(pnet, [rnet, onet]));

      const encoder = ctx.device.createCommandEncoder({ label: 'mtcnn batch' });
      const rec = new PassRecorder(ctx, encoder, timingMode(opts.timing));
      encodeStages(rec, pnet, [rnet, onet]);
      const times = rec.finish();
      const regions = [
        { buffer: buf.counts, size: c.total * 4 },
        { buffer: buf.final, size: bytes.final },
        { buffer: buf.landmarks, size: bytes.landmarks },
        ...(opts.stages ? stageBuffers(buf).map((b, i) => ({ buffer: b, size: [bytes.raw, bytes.rnetBatch, bytes.onetBatch, bytes.onetPassed][i] ?? b.size })) : []),
        ...(times ? [times] : []),
      ];
      const data = await ctx.readback(regions, 'mtcnn batch', encoder);
      const timing = rec.report(times ? data[data.length - 1] : undefined);
      const counts = new Uint32Array(data[0]!);
      const needs = neededCapacities(plan, counts, caps);
      if (needs) return { needs };
      const detections = decodeBatch(plan, images, {
        counts,
        final: data[1]!,
        landmarks: new Float32Array(data[2]!),
        ...(opts.stages ? { stageLists: stageLists(data.slice(3)) } : {}),
      }, o.boxes);
      const stats: BatchStats = {
        ...emptyStats(n),
        parts: 1,
        dispatches: rec.dispatches,
        gpuBytes: res.bytes + this.pnetPlans.arena.totalBytes + this.lists.totalBytes,
        ...(timing ? { gpuMs: { pnet: timing.stages.pnet ?? 0, rnet: timing.stages.rnet ?? 0, onet: timing.stages.onet ?? 0 } } : {}),
        ...(timing?.dispatches.length ? { profile: timing.dispatches } : {}),
      };
      return { done: { images: detections, stats } };
    } finally {
      res.release();
    }
  }
}
