// MTCNN face detection with every step on the GPU. A batch of images is encoded into ONE command
// buffer: per image and pyramid scale, area resampling -> PNet -> box generation; then segmented NMS
// (per scale, then across scales), regression + squaring + packing into RNet's batch; RNet on crops
// in chunks whose size the GPU's own candidate count decides (indirect dispatch); threshold, NMS,
// regression, packing; ONet likewise with landmarks; final 'Min' NMS. Only the final lists (and the
// counters) are read back: one readback per batch. If a candidate list overflows its capacity, the
// counters say so and the batch is run again with room for what was counted (reported as a retry).
import type { GpuContext } from '../../gpu/context.js';
import { BatchResources } from '../../gpu/batch-resources.js';
import type { BoundKernel } from '../../gpu/kernel.js';
import { PassRecorder, type TimingMode, type TimingReport } from '../../gpu/pass-recorder.js';
import { ImagePlans } from '../../graph/image-plans.js';
import { BatchLauncher } from '../../graph/batch-launcher.js';
import { compileGraph, type CompiledGraph } from '../../graph/compiled-graph.js';
import { foldDispatch } from '../../graph/compiled-graph-util.js';
import { LAUNCH_FLAT, type LaunchEntry } from '../../graph/dynamic-batch.js';
import { optimizeGraph } from '../../graph/optimize.js';
import { GraphError, type Graph } from '../../graph/types.js';
import { CANDIDATE_BYTES, decodeCandidates, type CandidateRecord, type NmsSegment } from './candidates.js';
import * as K from './kernels.js';
import { resolveMtcnnOptions, type MtcnnOptions, type MtcnnOptionsInput } from './options.js';
import { cellCorners, pnetKey, pnetOutputSize, pyramid, type PyramidLevel } from './pyramid.js';
import type { MtcnnGraphs } from './reference.js';
import { toXywh, type ImageDetections, type RgbImage, type StageCandidate } from './types.js';
import { packImages } from './upload.js';

export interface DetectorConfig {
  /** RNet / ONet samples per chunk (the compiled batch of those graphs). */
  rnetChunk: number;
  onetChunk: number;
  /** Initial per-image capacities of the candidate lists (grown and retried when exceeded). */
  pnetCapacity: number;
  rnetCapacity: number;
  onetCapacity: number;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = { rnetChunk: 128, onetChunk: 32, pnetCapacity: 4096, rnetCapacity: 512, onetCapacity: 128 };

export interface DetectOptions {
  options?: MtcnnOptionsInput;
  /** Also return every candidate at every stage. */
  stages?: boolean;
  /** GPU time with timestamp queries (when the adapter has them): per stage, or per dispatch. */
  timing?: boolean | TimingMode;
}

export interface BatchStats {
  images: number;
  submits: number;
  readbacks: number;
  /** Runs repeated because a candidate list overflowed. */
  retries: number;
  dispatches: number;
  /** Bytes of GPU buffers this batch allocated (lists, scratch, images) plus the PNet arena. */
  gpuBytes: number;
  /** Per-stage GPU milliseconds (timestamp queries), when asked for and available. */
  gpuMs?: { pnet: number; rnet: number; onet: number };
  /** timing 'dispatches': every dispatch with its GPU milliseconds. */
  profile?: TimingReport['dispatches'];
}

export interface BatchResult {
  images: ImageDetections[];
  stats: BatchStats;
}

interface Capacities {
  pnet: number;
  rnet: number;
  onet: number;
}

/** Finds a network output by the TFLite tensor name it ends with. */
function output(graph: Graph, suffix: string): string {
  const name = graph.outputs.find((o) => o.endsWith(suffix));
  if (!name) throw new GraphError(`graph '${graph.name}' has no output ending in '${suffix}' (outputs: ${graph.outputs.join(', ')}); is this an MTCNN network?`);
  return name;
}

export class MtcnnDetector {
  private readonly pnetPlans: ImagePlans;

  private constructor(
    readonly ctx: GpuContext,
    readonly graphs: MtcnnGraphs,
    private readonly rnet: CompiledGraph,
    private readonly onet: CompiledGraph,
    readonly config: DetectorConfig,
  ) {
    this.pnetPlans = new ImagePlans(ctx, graphs.pnet, 'mtcnn pnet');
  }

  static async create(ctx: GpuContext, graphs: MtcnnGraphs, config: Partial<DetectorConfig> = {}): Promise<MtcnnDetector> {
    const c = { ...DEFAULT_DETECTOR_CONFIG, ...config };
    // The logits feeding each softmax become outputs too: their margin is the NMS order key.
    const withLogits = (g: Graph): Graph => {
      const softmax = g.nodes.find((node) => node.op === 'Softmax');
      if (!softmax) throw new GraphError(`graph '${g.name}' has no Softmax; is this an MTCNN network?`);
      return { ...g, outputs: [...g.outputs, softmax.inputs[0]!] };
    };
    const optimized: MtcnnGraphs = { pnet: optimizeGraph(withLogits(graphs.pnet)).graph, rnet: optimizeGraph(withLogits(graphs.rnet)).graph, onet: optimizeGraph(withLogits(graphs.onet)).graph };
    for (const [g, outs] of [[optimized.pnet, ['prob1', 'conv4-2/BiasAdd', 'conv4-1/BiasAdd']], [optimized.rnet, ['prob1', 'conv5-2', 'conv5-1']], [optimized.onet, ['prob1', 'conv6-2', 'conv6-3', 'conv6-1']]] as const) outs.forEach((o) => output(g, o));
    const rnet = await compileGraph(ctx, optimized.rnet, { inputShapes: { [optimized.rnet.inputs[0]!.name]: [c.rnetChunk, 3, 24, 24] }, dynamicBatch: true });
    const onet = await compileGraph(ctx, optimized.onet, { inputShapes: { [optimized.onet.inputs[0]!.name]: [c.onetChunk, 3, 48, 48] }, dynamicBatch: true });
    return new MtcnnDetector(ctx, optimized, rnet, onet, c);
  }

  /** Detects faces in `images` (any sizes) as one GPU batch. */
  async detect(images: readonly RgbImage[], opts: DetectOptions = {}): Promise<BatchResult> {
    const options = resolveMtcnnOptions(opts.options);
    images.forEach((im, i) => {
      if (!(im.width >= 1 && im.height >= 1) || im.data.length !== im.width * im.height * 3) {
        throw new RangeError(`image ${i}: ${im.width}x${im.height} with ${im.data.length} bytes is not an RGB image`);
      }
    });
    if (images.length === 0) return { images: [], stats: { images: 0, submits: 0, readbacks: 0, retries: 0, dispatches: 0, gpuBytes: 0 } };
    const before = { ...this.ctx.stats };
    let caps: Capacities = { pnet: this.config.pnetCapacity, rnet: this.config.rnetCapacity, onet: this.config.onetCapacity };
    for (let retries = 0; ; retries++) {
      const run = await this.ctx.scoped('mtcnn batch', () => this.runBatch(images, options, caps, opts));
      if (!run.needs) {
        run.result.stats.retries = retries;
        run.result.stats.submits = this.ctx.stats.submits - before.submits;
        run.result.stats.readbacks = this.ctx.stats.readbacks - before.readbacks;
        return run.result;
      }
      if (retries >= 4) throw new Error(`mtcnn: candidate lists still overflow after ${retries} retries (needed ${JSON.stringify(run.needs)})`);
      caps = { pnet: Math.max(caps.pnet, run.needs.pnet), rnet: Math.max(caps.rnet, run.needs.rnet), onet: Math.max(caps.onet, run.needs.onet) };
    }
  }

  private async runBatch(images: readonly RgbImage[], options: MtcnnOptions, caps: Capacities, opts: DetectOptions): Promise<{ result: BatchResult; needs?: Capacities }> {
    const { ctx } = this;
    const { device } = ctx;
    const n = images.length;
    const [t1, t2, t3] = options.thresholds;
    const res = new BatchResources(ctx, 'mtcnn');
    const storage = (label: string, bytes: number) => res.storage(label, bytes);
    const upload = (label: string, data: Uint32Array | Float32Array) => res.upload(label, data);

    // --- CPU planning: pyramid levels, list segments, counter slots (sizes only, no pixel data).
    const levels = images.map((im) => pyramid(im.width, im.height, options.minFaceSize, options.factor));
    const segments: Array<{ image: number; level: PyramidLevel; outW: number; outH: number; offset: number; table: number }> = [];
    let rawTotal = 0;
    let tableFloats = 0;
    const cellsPerImage = images.map(() => 0);
    levels.forEach((ls, image) =>
      ls.forEach((level) => {
        const outW = pnetOutputSize(level.width);
        const outH = pnetOutputSize(level.height);
        segments.push({ image, level, outW, outH, offset: rawTotal, table: tableFloats });
        rawTotal += outW * outH;
        tableFloats += 2 * (outW + outH);
        cellsPerImage[image]! += outW * outH;
      }),
    );
    const lCap = Math.max(1, Math.min(caps.pnet, Math.max(...cellsPerImage, 1)));
    const rCap = caps.rnet;
    const oCap = caps.onet;
    let slots = 0;
    const alloc = (count: number) => ((slots += count), slots - count);
    const c = {
      raw: alloc(segments.length), l1: alloc(n), l2: alloc(n),
      rTotal: alloc(1), rStart: alloc(n), d: alloc(n), e: alloc(n),
      oTotal: alloc(1), oStart: alloc(n), f: alloc(n), g: alloc(n),
      over: { l1: alloc(1), l2: alloc(1), r: alloc(1), d: alloc(1), e: alloc(1), o: alloc(1), f: alloc(1), g: alloc(1) },
    };
    const rPacked = rCap * n;
    const oPacked = oCap * n;

    // --- Buffers.
    const packed = packImages(images);
    const pixels = upload('pixels', packed.pixels);
    const imageTable = upload('image table', packed.table);
    const boxTable = new Float32Array(Math.max(1, tableFloats));
    segments.forEach((s) => {
      boxTable.set(cellCorners(s.outW, s.level.scale), s.table);
      boxTable.set(cellCorners(s.outH, s.level.scale), s.table + 2 * s.outW);
    });
    const boxTableBuffer = upload('cell box table', boxTable);
    const counts = upload('counters', new Uint32Array(slots));
    const raw = storage('pnet candidates', Math.max(1, rawTotal) * CANDIDATE_BYTES);
    const l1 = storage('pnet per-scale nms', n * lCap * CANDIDATE_BYTES);
    const l2 = storage('pnet nms', n * lCap * CANDIDATE_BYTES);
    const pr = storage('rnet batch', rPacked * CANDIDATE_BYTES);
    const d = storage('rnet passed', n * rCap * CANDIDATE_BYTES);
    const e = storage('rnet nms', n * rCap * CANDIDATE_BYTES);
    const po = storage('onet batch', oPacked * CANDIDATE_BYTES);
    const f = storage('onet passed', n * oCap * CANDIDATE_BYTES);
    const g = storage('final', n * oCap * CANDIDATE_BYTES);
    const landmarks = storage('landmarks', oPacked * 10 * 4);
    const scratchWords = Math.max(rawTotal, n * lCap, n * rCap, n * oCap, 1);
    const order = storage('nms order', scratchWords * 4);
    const suppressed = storage('nms suppressed', scratchWords * 4);

    // --- PNet plans for every level size (compiled once per size, sharing one arena), then kernels.
    const plans = await Promise.all(segments.map((s) => this.pnetPlans.get(s.level.width, s.level.height)));
    const pnetIn = this.graphs.pnet.inputs[0]!.name;
    const pnetProb = output(this.graphs.pnet, 'prob1');
    const pnetReg = output(this.graphs.pnet, 'conv4-2/BiasAdd');
    const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
    const flat = (invocations: number) => foldDispatch(invocations, 64, maxPerDim);
    const stage1 = await Promise.all(
      segments.map(async (s, i) => {
        const plan = plans[i]!;
        const label = `mtcnn image ${s.image} scale ${s.level.index}`;
        const resample = await K.pyramidResample(ctx, `${label} resample`, { image: s.image, width: s.level.width, height: s.level.height, scaleX: images[s.image]!.width / s.level.width, scaleY: images[s.image]!.height / s.level.height }, { pixels, imageTable, output: plan.bufferOf(pnetIn) });
        const boxes = await K.pnetCandidates(ctx, `${label} boxes`, {
          outWidth: s.outW, outHeight: s.outH, threshold: t1, segmentOffset: s.offset, countIndex: c.raw + i, keyBase: pnetKey(s.level.index, 0), image: s.image, xTable: s.table, yTable: s.table + 2 * s.outW,
        }, { prob: plan.bufferOf(pnetProb), logits: plan.bufferOf(output(this.graphs.pnet, 'conv4-1/BiasAdd')), regression: plan.bufferOf(pnetReg), boxTable: boxTableBuffer, counts, candidates: raw });
        res.keep(resample, boxes);
        return { plan, resample, boxes, s };
      }),
    );
    const nmsBuffers = { counts, order, suppressed };
    const perScale = await K.nms(ctx, 'mtcnn pnet nms per scale', {
      threshold: options.nms.pnetScale, mode: 'union',
      segments: segments.map((s, i): NmsSegment => ({ inOffset: s.offset, inCount: c.raw + i, inCapacity: s.outW * s.outH, outOffset: s.image * lCap, outCount: c.l1 + s.image, outCapacity: lCap, overflow: c.over.l1 })),
    }, { ...nmsBuffers, input: raw, output: l1 });
    const perImage = (input: GPUBuffer, output: GPUBuffer, inCount: number, outCount: number, stride: number, overflow: number): NmsSegment[] =>
      images.map((_, i) => ({ inOffset: i * stride, inCount: inCount + i, inCapacity: stride, outOffset: i * stride, outCount: outCount + i, outCapacity: stride, overflow }));
    const acrossScales = await K.nms(ctx, 'mtcnn pnet nms', { threshold: options.nms.pnetAll, mode: 'union', segments: perImage(l1, l2, c.l1, c.l2, lCap, c.over.l2) }, { ...nmsBuffers, input: l1, output: l2 });
    const packR = await K.refinePack(ctx, 'mtcnn pnet regression', { images: n, inStride: lCap, inCountBase: c.l2, outCapacity: rPacked, outCount: c.rTotal, outImageBase: c.rStart, overflow: c.over.r, flags: { regression: 'pnet', square: true, fix: true } }, { input: l2, output: pr, counts });

    const cascade = async (plan: CompiledGraph, graph: Graph, size: number, chunkSize: number, packedCap: number, packedList: GPUBuffer, total: number, stride: number, threshold: number, out: GPUBuffer, outBase: number, overflow: number, name: string) => {
      const chunks = Math.ceil(packedCap / chunkSize);
      const extra: LaunchEntry[] = [
        { mode: LAUNCH_FLAT, axis: 0, perSample: size * size, workgroupSize: 64, grid: [0, 0, 0] },
        { mode: LAUNCH_FLAT, axis: 0, perSample: 1, workgroupSize: 64, grid: [0, 0, 0] },
      ];
      const launcher = await BatchLauncher.create(ctx, plan, counts, total, chunks, `mtcnn ${name}`, extra);
      res.own(launcher.args);
      const isOnet = name === 'onet';
      const perChunk = await Promise.all(
        Array.from({ length: chunks }, async (_, k) => {
          const crop = await K.cropResample(ctx, `mtcnn ${name} crops chunk ${k}`, { size, first: k * chunkSize, capacity: chunkSize, countIndex: total }, { pixels, imageTable, candidates: packedList, counts, output: plan.bufferOf(graph.inputs[0]!.name) });
          const filter = await K.scoreFilter(ctx, `mtcnn ${name} threshold chunk ${k}`, { first: k * chunkSize, capacity: chunkSize, totalCount: total, threshold, outStride: stride, outCountBase: outBase, overflow, landmarks: isOnet }, {
            packed: packedList, prob: plan.bufferOf(output(graph, 'prob1')), logits: plan.bufferOf(output(graph, isOnet ? 'conv6-1' : 'conv5-1')), regression: plan.bufferOf(output(graph, isOnet ? 'conv6-2' : 'conv5-2')), counts, output: out,
            ...(isOnet ? { points: plan.bufferOf(output(graph, 'conv6-3')), landmarks } : {}),
          });
          res.keep(crop, filter);
          return { crop, filter };
        }),
      );
      return { launcher, perChunk };
    };
    const rnetStage = await cascade(this.rnet, this.graphs.rnet, 24, this.config.rnetChunk, rPacked, pr, c.rTotal, rCap, t2, d, c.d, c.over.d, 'rnet');
    const rnetNms = await K.nms(ctx, 'mtcnn rnet nms', { threshold: options.nms.rnet, mode: 'union', segments: perImage(d, e, c.d, c.e, rCap, c.over.e) }, { ...nmsBuffers, input: d, output: e });
    const packO = await K.refinePack(ctx, 'mtcnn rnet regression', { images: n, inStride: rCap, inCountBase: c.e, outCapacity: oPacked, outCount: c.oTotal, outImageBase: c.oStart, overflow: c.over.o, flags: { regression: 'bbreg', square: true, fix: true } }, { input: e, output: po, counts });
    const onetStage = await cascade(this.onet, this.graphs.onet, 48, this.config.onetChunk, oPacked, po, c.oTotal, oCap, t3, f, c.f, c.over.f, 'onet');
    const onetNms = await K.nms(ctx, 'mtcnn onet nms', { threshold: options.nms.onet, mode: 'min', segments: perImage(f, g, c.f, c.g, oCap, c.over.g) }, { ...nmsBuffers, input: f, output: g });
    res.keep(perScale.kernel, acrossScales.kernel, packR, rnetNms.kernel, packO, onetNms.kernel);

    // --- Encode the whole batch: three compute passes (one per network stage) in one command buffer.
    const encoder = device.createCommandEncoder({ label: 'mtcnn batch' });
    const timingMode: TimingMode = opts.timing === true ? 'stages' : opts.timing || 'none';
    const rec = new PassRecorder(ctx, encoder, timingMode);
    let dispatches = 0;
    rec.beginStage('pnet');
    for (const { plan, resample, boxes, s } of stage1) {
      const at = `image ${s.image} scale ${s.level.index}`;
      rec.dispatch(`${at} resample`, (p) => resample.dispatch(p, flat(s.level.width * s.level.height)));
      for (const step of plan.steps()) rec.dispatch(`${at} pnet ${step.label}`, step.encode);
      rec.dispatch(`${at} boxes`, (p) => boxes.dispatch(p, flat(s.outW * s.outH)));
      dispatches += 2 + plan.stats.dispatches;
    }
    rec.dispatch('nms per scale', (p) => perScale.kernel.dispatch(p, perScale.grid));
    rec.dispatch('nms all scales', (p) => acrossScales.kernel.dispatch(p, acrossScales.grid));
    rec.dispatch('regression + pack', (p) => packR.dispatch(p, [n, 1, 1]));
    dispatches += 3;
    rec.endStage();
    const runCascade = (name: string, stage: typeof rnetStage, plan: CompiledGraph, nmsStep: { kernel: BoundKernel; grid: [number, number, number] }, pack?: BoundKernel) => {
      rec.beginStage(name);
      rec.dispatch('batch args', (p) => stage.launcher.encodeArgs(p));
      stage.perChunk.forEach(({ crop, filter }, k) => {
        rec.dispatch(`chunk ${k} crops`, (p) => crop.dispatchIndirect(p, stage.launcher.args, stage.launcher.extraArgs(k, 0)));
        for (const step of stage.launcher.chunkSteps(k)) rec.dispatch(`chunk ${k} ${name} ${step.label}`, step.encode);
        rec.dispatch(`chunk ${k} threshold`, (p) => filter.dispatchIndirect(p, stage.launcher.args, stage.launcher.extraArgs(k, 1)));
        dispatches += 2 + plan.stats.dispatches;
      });
      rec.dispatch('nms', (p) => nmsStep.kernel.dispatch(p, nmsStep.grid));
      if (pack) rec.dispatch('regression + pack', (p) => pack.dispatch(p, [n, 1, 1]));
      dispatches += 2 + (pack ? 1 : 0);
      rec.endStage();
    };
    runCascade('rnet', rnetStage, this.rnet, rnetNms, packO);
    runCascade('onet', onetStage, this.onet, onetNms);
    const times = rec.finish();

    // --- One readback: counters, final lists, landmarks (+ stage lists, + timestamps).
    const regions = [
      { buffer: counts, size: slots * 4 },
      { buffer: g, size: g.size },
      { buffer: landmarks, size: landmarks.size },
      ...(opts.stages ? [{ buffer: pr, size: pr.size }, { buffer: po, size: po.size }, { buffer: f, size: f.size }] : []),
      ...(times ? [times] : []),
    ];
    const data = await ctx.readback(regions, 'mtcnn batch', encoder);
    const timing = rec.report(times ? data[data.length - 1] : undefined);
    const gpuBytes = res.bytes + this.pnetPlans.arena.totalBytes;
    res.release();

    const cnt = new Uint32Array(data[0]!);
    const over = Object.values(c.over).some((i) => cnt[i]! > 0);
    if (over) {
      const max = (base: number) => Math.max(0, ...images.map((_, i) => cnt[base + i]!));
      return {
        result: undefined as unknown as BatchResult,
        needs: { pnet: Math.max(max(c.l1), max(c.l2)), rnet: Math.max(max(c.d), max(c.e), max(c.l2)), onet: Math.max(max(c.f), max(c.g), max(c.e)) },
      };
    }
    const finals = data[1]!;
    const lm = new Float32Array(data[2]!);
    const stageLists = opts.stages ? data.slice(3, 6) : undefined;
    const asStage = (list: CandidateRecord[]): StageCandidate[] => list.map((k) => ({ box: k.box, score: k.score, rank: k.rank, key: k.key }));
    const results = images.map((im, i): ImageDetections => {
      const final = decodeCandidates(finals, i * oCap, cnt[c.g + i]!);
      const result: ImageDetections = {
        width: im.width,
        height: im.height,
        faces: final.map((k) => ({
          box: toXywh(k.box),
          score: k.score,
          landmarks: Array.from({ length: 5 }, (_, j) => [lm[10 * k.aux + j]!, lm[10 * k.aux + 5 + j]!] as [number, number]),
        })),
        stages: { pnet: cnt[c.l2 + i]!, rnet: cnt[c.e + i]!, onet: cnt[c.f + i]!, final: cnt[c.g + i]! },
      };
      if (stageLists) {
        result.candidates = {
          pnet: asStage(decodeCandidates(stageLists[0]!, cnt[c.rStart + i]!, cnt[c.l2 + i]!)),
          rnet: asStage(decodeCandidates(stageLists[1]!, cnt[c.oStart + i]!, cnt[c.e + i]!)),
          onet: asStage(decodeCandidates(stageLists[2]!, i * oCap, cnt[c.f + i]!)),
          final: asStage(final),
        };
      }
      return result;
    });
    return {
      result: {
        images: results,
        stats: {
          images: n, submits: 0, readbacks: 0, retries: 0, dispatches, gpuBytes,
          ...(timing ? { gpuMs: { pnet: timing.stages.pnet ?? 0, rnet: timing.stages.rnet ?? 0, onet: timing.stages.onet ?? 0 } } : {}),
          ...(timing?.dispatches.length ? { profile: timing.dispatches } : {}),
        },
      },
    };
  }
}
