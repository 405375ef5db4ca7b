// Grid/anchor object detection with every step on the GPU: per image, a bilinear resize into the
// network input (stretch, letterbox or pad, only the sampled pixels uploaded for large images); the
// network on chunks of images (as many per compiled batch as the adapter's buffers allow); head
// decoding with the threshold and an atomic append into each image's candidate list; a
// deterministic sort; NMS (greedy via an IoU bitmask, weighted or soft); the kept detections to an
// output list. One command buffer and one readback per batch; candidate lists that overflow are
// sized again from the GPU's counts and the batch re-run.
import type { GpuContext } from '../../gpu/context.js';
import { BatchResources } from '../../gpu/batch-resources.js';
import type { KernelStep } from '../../gpu/kernel.js';
import { PassRecorder } from '../../gpu/pass-recorder.js';
import { analyzeGraph } from '../../graph/analyze.js';
import type { CompiledGraph } from '../../graph/compiled-graph.js';
import type { Storage } from '../../graph/half-storage.js';
import { BufferArena } from '../../graph/arena.js';
import { ImagePlans } from '../../graph/image-plans.js';
import { optimizeGraph } from '../../graph/optimize.js';
import { GraphError } from '../../graph/types.js';
import { sizeOf } from '../../ops/tensor-utils.js';
import { emptyStats, measuredBatch, timingMode, type DetectionBatch } from '../floor/batch.js';
import type { Detector } from '../floor/detector.js';
import { bilinearResize } from '../floor/image-kernels.js';
import type { RgbImage } from '../floor/image.js';
import { packSources, uploadPixels, wholeImage, type PixelBindings, type PixelSource } from '../floor/pixels.js';
import { gather, packAxisTables, planResize, worthGathering, type Normalization, type ResizePlan } from '../floor/resize.js';
import * as K from './kernels.js';
import { MAX_CANDIDATES, resolveGridOptions, type GridDetectOptions, type GridOptions } from './options.js';
import type { GridDetections, GridModel, ObjectDetection } from './types.js';

/** Bytes the network's buffers may take per compiled chunk (the chunk size follows from it). */
const CHUNK_BYTES = 512 * 1024 * 1024;
/** Bytes of IoU masks built at once (images beyond are processed in groups). */
const MASK_BYTES = 64 * 1024 * 1024;
const MAX_RETRIES = 3;

export function gridNormalization(o: GridOptions): Normalization {
  return { scale: o.scale, mean: o.mean, invStd: [1 / o.std[0], 1 / o.std[1], 1 / o.std[2]], channelOrder: o.channelOrder, pad: o.pad };
}

export function gridInputPlan(width: number, height: number, o: GridOptions): ResizePlan {
  return planResize(width, height, { outWidth: o.inputWidth, outHeight: o.inputHeight, placement: o.placement, sampling: o.sampling });
}

/** The options a setting of detectSettings may change (decoding and NMS; the network input is shared). */
export const DECODE_SETTING_KEYS = ['grid', 'conf', 'inclusive', 'iou', 'nms', 'softMethod', 'sigma', 'maxDet', 'agnostic', 'multiLabel'] as const;
export type DecodeSettings = Partial<Pick<GridOptions, (typeof DECODE_SETTING_KEYS)[number]>>;

/** detectSettings' result: per setting, per image; `settingMs` (timed runs): each setting's GPU ms (its NMS plus its share of the decode and sort it shares with settings that decode alike). */
export interface SettingsRun {
  settings: GridDetections[][];
  stats: DetectionBatch<GridDetections>['stats'];
  settingMs?: number[];
}

interface Setting {
  o: GridOptions;
  g: Geometry;
}

interface UploadedInputs {
  pixels: PixelBindings;
  tables: GPUBuffer;
  affine: GPUBuffer;
  anchors: GPUBuffer;
}

/** A decode group's buffers and steps: one decode per chunk, one sort, an NMS per member setting. */
interface DecodeGroup {
  lists: Pick<K.NmsBuffers, 'candidates' | 'counts'>;
  decodes: KernelStep[];
  sort: KernelStep[];
  nms: Array<{ k: number; output: GPUBuffer; steps: KernelStep[]; stage: string }>;
  stage: string;
}

interface NetworkChunk {
  plan: CompiledGraph;
  resize: KernelStep[];
  first: number;
  count: number;
}

interface Geometry {
  /** Head grid (YOLO, direct) and the decode grid S. */
  headWidth: number;
  headHeight: number;
  grid: number;
  /** Candidates one image can produce at most. */
  possible: number;
  /** Images per compiled network run. */
  chunk: number;
}

export class GridDetector implements Detector<GridDetectOptions, GridDetections> {
  private readonly plans: ImagePlans;
  /** Sort keys, sorted list, IoU mask and NMS scratch, kept across batches (see allocateScratch). */
  private readonly scratchArena: BufferArena;

  private constructor(
    readonly ctx: GpuContext,
    readonly spec: GridModel,
    private readonly anchors: Float32Array,
    storage: Storage,
  ) {
    this.plans = new ImagePlans(ctx, spec.graph, `${spec.name} network`, storage);
    this.scratchArena = new BufferArena(ctx, `${spec.name} nms scratch`);
  }

  get model(): string {
    return this.spec.name;
  }

  /** `storage` 'f16': intermediate activations stored as f16 (graph/half-storage.ts). */
  static create(ctx: GpuContext, model: GridModel, config: { storage?: Storage } = {}): GridDetector {
    const graph = optimizeGraph(model.graph).graph;
    for (const t of [model.head, model.logits, model.sizes].filter(Boolean) as string[]) {
      if (!graph.outputs.includes(t)) throw new GraphError(`${model.name}: graph '${graph.name}' has no output '${t}' (outputs: ${graph.outputs.join(', ')})`);
    }
    const s = model.spec;
    const anchors = s.kind === 'ssd' ? s.anchors : s.kind === 'yolo' ? Float32Array.from(s.anchors.flat()) : new Float32Array(4);
    return new GridDetector(ctx, { ...model, graph }, anchors, config.storage ?? 'f32');
  }

  /** Options with this model's defaults filled in and checked. */
  resolve(options: Partial<GridOptions> = {}): GridOptions {
    const o = resolveGridOptions(this.spec.name, this.spec.defaults, options);
    const problem = this.spec.checkInput?.(o.inputWidth, o.inputHeight);
    if (problem) throw new RangeError(`${this.spec.name}: ${problem}`);
    const limit = this.ctx.device.limits.maxStorageBufferBindingSize;
    if ((o.nms === 'greedy' || o.nms === 'weighted') && K.maskBytes(K.sortLength(o.maxCandidates)) > limit) {
      throw new RangeError(`${this.spec.name}: ${o.nms} NMS of up to ${o.maxCandidates} candidates needs a ${K.maskBytes(K.sortLength(o.maxCandidates)) / 2 ** 20} MiB IoU mask per image, more than one storage binding holds here (${limit / 2 ** 20} MiB): lower maxCandidates, or use nms 'soft' or 'none'`);
    }
    return o;
  }

  async detect(images: readonly RgbImage[], options: GridDetectOptions = {}): Promise<DetectionBatch<GridDetections>> {
    const run = await this.detectSettings(images, options, [{}]);
    return { images: run.settings[0]!, stats: run.stats };
  }

  /**
   * The network once per image, then decode + sort + NMS once per setting (another grid, IoU,
   * NMS method, threshold ...: only the fields of DecodeSettings may vary), all in one submit and
   * one readback. Settings that decode alike (same grid and threshold) share the decode and the
   * sort; each runs its own NMS. Results per setting, per image; when timed, stats.gpuMs has
   * 'network', 'decode g' (a group's decode and sort) and 'setting k' (its NMS), a single setting
   * 'network' and 'nms'; `settingMs` splits the time per setting.
   */
  async detectSettings(images: readonly RgbImage[], options: GridDetectOptions, variants: readonly DecodeSettings[]): Promise<SettingsRun> {
    if (variants.length === 0) throw new RangeError(`${this.spec.name}: no settings to run`);
    const settings = variants.map((v): Setting => {
      const extra = Object.keys(v).filter((k) => !(DECODE_SETTING_KEYS as readonly string[]).includes(k));
      if (extra.length) throw new RangeError(`${this.spec.name}: a setting may change only ${DECODE_SETTING_KEYS.join(', ')}; got ${extra.join(', ')}`);
      const o = this.resolve({ ...options, ...v });
      return { o, g: this.geometry(o, images.length) };
    });
    const maxCandidates = settings[0]!.o.maxCandidates;
    let wrapped: SettingsRun | undefined;
    const batch = await measuredBatch(this.ctx, images, async () => {
      let capacity = Math.min(Math.max(...settings.map((s) => s.g.possible)), maxCandidates);
      for (let retries = 0; ; retries++) {
        let run: SettingsRun | { needs: number };
        try {
          run = await this.ctx.scoped(`${this.spec.name} batch`, () => this.runOnce(images, settings, capacity, options));
        } catch (err) {
          this.plans.reset();
          this.scratchArena.destroy();
          throw err;
        }
        if (!('needs' in run)) {
          run.stats.retries = retries;
          wrapped = run;
          return { images: run.settings[0]!, stats: run.stats };
        }
        if (retries >= MAX_RETRIES || capacity >= maxCandidates) throw new Error(`${this.spec.name}: ${run.needs} candidates in one image exceed maxCandidates ${maxCandidates}`);
        capacity = Math.min(maxCandidates, Math.max(...settings.map((s) => s.g.possible)), 2 ** Math.ceil(Math.log2(run.needs)));
      }
    });
    return { ...wrapped!, stats: batch.stats };
  }

  private geometry(o: GridOptions, images: number): Geometry {
    const { graph } = this.spec;
    const input = graph.inputs[0]!;
    const one = analyzeGraph(graph, { [input.name]: [1, 3, o.inputHeight, o.inputWidth] });
    const head = one.shapes.get(this.spec.head)!;
    const s = this.spec.spec;
    let headWidth = 1;
    let headHeight = 1;
    let grid = 1;
    let possible: number;
    if (s.kind === 'ssd') {
      const count = s.anchors.length / 4;
      if (head[1] !== count || head[2] !== 4) throw new GraphError(`${this.spec.name}: box encodings ${JSON.stringify(head)} do not match ${count} anchors x 4`);
      possible = count * (o.multiLabel ? s.classes : 1);
    } else if (s.kind === 'centernet') {
      const sizes = one.shapes.get(this.spec.sizes!)!;
      if (head.length !== 4 || head[1] !== s.classes) throw new GraphError(`${this.spec.name}: heatmap ${JSON.stringify(head)} is not [N, ${s.classes}, H, W]`);
      if (sizes.length !== 4 || sizes[1] !== 4 || sizes[2] !== head[2] || sizes[3] !== head[3]) throw new GraphError(`${this.spec.name}: box extents ${JSON.stringify(sizes)} are not [N, 4, ${head[2]}, ${head[3]}]`);
      headHeight = head[2]!;
      headWidth = head[3]!;
      possible = headWidth * headHeight * s.classes;
    } else {
      const anchors = s.kind === 'yolo' ? s.anchors.length : 1;
      if (head.length !== 4 || head[1] !== anchors * (5 + s.classes)) throw new GraphError(`${this.spec.name}: head ${JSON.stringify(head)} is not [N, ${anchors} x (5 + ${s.classes}), H, W]`);
      headHeight = head[2]!;
      headWidth = head[3]!;
      grid = o.grid ?? headWidth;
      possible = grid * grid * anchors * (o.multiLabel ? Math.max(1, s.classes) : 1);
    }
    // Images per network run: fixed when the graph's batch is fixed, else what fits one binding
    // per tensor and CHUNK_BYTES for all of them.
    const fixedBatch = typeof input.shape[0] === 'number' ? (input.shape[0] as number) : undefined;
    let chunk = fixedBatch ?? 1;
    if (!fixedBatch) {
      const tensors = [...one.shapes.entries()].filter(([name]) => !(name in graph.weights)).map(([, shape]) => sizeOf(shape) * 4);
      const largest = Math.max(...tensors);
      const total = tensors.reduce((a, b) => a + b, 0);
      const limit = this.ctx.device.limits.maxStorageBufferBindingSize;
      chunk = Math.max(1, Math.min(images, Math.floor(limit / largest), Math.floor(CHUNK_BYTES / total)));
    }
    return { headWidth, headHeight, grid, possible: Math.min(possible, MAX_CANDIDATES), chunk };
  }

  private async runOnce(images: readonly RgbImage[], settings: readonly Setting[], capacity: number, opts: GridDetectOptions): Promise<SettingsRun | { needs: number }> {
    const { ctx } = this;
    const n = images.length;
    const res = new BatchResources(ctx, this.spec.name);
    try {
      const inputs = this.uploadInputs(res, images, settings[0]!.o);
      const scratch = this.allocateScratch(n, capacity, settings);
      const chunks = await this.networkChunks(res, inputs, settings[0]!.o, settings[0]!.g, n);
      const groups = await this.decodeGroupSteps(res, inputs, scratch, chunks, settings, n, capacity);
      const encoder = ctx.device.createCommandEncoder({ label: `${this.spec.name} batch` });
      const rec = new PassRecorder(ctx, encoder, timingMode(opts.timing));
      encodeBatch(rec, chunks, groups);
      const times = rec.finish();
      const regions = [...groups.map((r) => ({ buffer: r.lists.counts, size: r.lists.counts.size })), ...groups.flatMap((r) => r.nms.map((m) => ({ buffer: m.output, size: m.output.size })))];
      // --stages (one setting): its sorted candidates.
      if (opts.stages) regions.push({ buffer: scratch.sorted, size: n * K.sortLength(capacity) * K.DETECTION_BYTES });
      if (times) regions.push(times);
      const data = await ctx.readback(regions, `${this.spec.name} batch`, encoder);
      const timing = rec.report(times ? data[data.length - 1] : undefined);
      const counts = groups.map((_, g) => new Uint32Array(data[g]!));
      const most = Math.max(...counts.flatMap((cnt) => Array.from({ length: n }, (_, i) => cnt[i]!)));
      if (most > capacity) return { needs: most };
      const sorted = opts.stages && settings.length === 1 ? data[data.length - (times ? 2 : 1)] : undefined;
      const results = this.readSettings(images, settings, groups, counts, data.slice(groups.length), sorted, K.sortLength(capacity));
      const stats = {
        ...emptyStats(n),
        parts: 1,
        dispatches: rec.dispatches,
        gpuBytes: res.bytes + this.plans.arena.totalBytes + this.scratchArena.totalBytes,
        ...(timing ? { gpuMs: timing.stages } : {}),
        ...(timing?.dispatches.length ? { profile: timing.dispatches } : {}),
      };
      return { settings: results, stats, ...(timing ? { settingMs: settingTimes(timing.stages, groups, settings.length) } : {}) };
    } finally {
      res.release();
    }
  }

  /**
   * Settings that decode alike (same grid, threshold, labels) share one decode and one sort; each
   * runs its own NMS on the sorted list, its kept count at counts[n (1 + j) + image].
   */
  private decodeGroupSteps(res: BatchResources, inputs: UploadedInputs, scratch: Omit<K.NmsBuffers, 'candidates' | 'counts' | 'output'>, chunks: NetworkChunk[], settings: readonly Setting[], n: number, capacity: number): Promise<DecodeGroup[]> {
    const single = settings.length === 1;
    return Promise.all(
      decodeGroups(settings).map(async (members, g) => {
        const lists = { candidates: res.storage(`group ${g} candidates`, n * capacity * K.DETECTION_BYTES), counts: res.upload(`group ${g} counters`, new Uint32Array(n * (1 + members.length))) };
        const decodes = await Promise.all(chunks.map((c) => this.decodeStep(c, inputs, lists, settings[members[0]!]!, capacity)));
        const sort = await K.sort(this.ctx, `${this.spec.name} sort`, { images: n, length: K.sortLength(capacity), capacity, countBase: 0 }, { candidates: lists.candidates, counts: lists.counts, keys: scratch.keys });
        const nms = await Promise.all(
          members.map(async (k, j) => {
            const output = res.storage(`setting ${k} detections`, n * settings[k]!.o.maxDet * K.DETECTION_BYTES);
            const steps = await this.nmsSteps({ ...scratch, ...lists, output }, settings[k]!.o, n, capacity, n * (1 + j));
            res.keep(...steps);
            return { k, output, steps, stage: single ? 'nms' : `setting ${k}` };
          }),
        );
        res.keep(...decodes, ...sort);
        return { lists, decodes, sort, nms, stage: single ? 'nms' : `decode ${g}` };
      }),
    );
  }

  /** Per setting, per image: the kept detections (and with --stages the sorted candidates). */
  private readSettings(images: readonly RgbImage[], settings: readonly Setting[], groups: readonly DecodeGroup[], counts: readonly Uint32Array[], outputs: readonly ArrayBuffer[], sorted: ArrayBuffer | undefined, length: number): GridDetections[][] {
    const n = images.length;
    const results: GridDetections[][] = new Array(settings.length);
    let region = 0;
    groups.forEach((r, g) =>
      r.nms.forEach((m, j) => {
        const bytes = outputs[region++]!;
        results[m.k] = images.map((im, i): GridDetections => ({
          width: im.width,
          height: im.height,
          detections: this.decodeList(bytes, i * settings[m.k]!.o.maxDet, counts[g]![n * (1 + j) + i]!),
          candidates: counts[g]![i]!,
          ...(sorted ? { candidateList: this.decodeList(sorted, i * length, counts[g]![i]!) } : {}),
        }));
      }),
    );
    return results;
  }

  /** One setting's NMS over its group's sorted candidates, the kept count at counts[keptBase + image]. */
  private nmsSteps(buffers: K.NmsBuffers, o: GridOptions, n: number, capacity: number, keptBase: number): Promise<KernelStep[]> {
    const length = K.sortLength(capacity);
    const method: K.NmsMethod = o.nms === 'soft' ? (o.softMethod === 'gaussian' ? 'soft-gaussian' : 'soft-linear') : o.nms;
    return K.nms(
      this.ctx,
      `${this.spec.name} nms`,
      { images: n, length, capacity, countBase: 0, keptBase, maxDet: o.maxDet, iou: o.iou, scoreThreshold: o.conf, sigma: o.sigma, method, agnostic: o.agnostic, inclusive: false, group: this.maskGroup(n, length) },
      buffers,
    );
  }

  /** Resize plans, the pixels (gathered for images much larger than the input), tables, affines. */
  private uploadInputs(res: BatchResources, images: readonly RgbImage[], o: GridOptions): UploadedInputs {
    const prepared = images.map((im) => {
      const plan = gridInputPlan(im.width, im.height, o);
      return worthGathering(plan, im.width, im.height) ? { ...gather(im, plan), toImage: plan.toImage } : { source: wholeImage(im) as PixelSource, plan, toImage: plan.toImage };
    });
    const affine = prepared.flatMap((p, i) => [p.toImage.scaleX * images[i]!.width, p.toImage.offsetX * images[i]!.width, p.toImage.scaleY * images[i]!.height, p.toImage.offsetY * images[i]!.height]);
    return {
      pixels: uploadPixels(this.ctx, packSources(prepared.map((p) => p.source)), this.spec.name, (b) => res.own(b)),
      tables: res.upload('resize tables', concatTables(prepared.map((p) => packAxisTables(p.plan)))),
      affine: res.upload('image affine', Float32Array.from(affine)),
      anchors: res.upload('anchors', this.anchors),
    };
  }

  /** Images whose IoU masks are built at once (each is length^2 bits). */
  private maskGroup(images: number, length: number): number {
    return Math.max(1, Math.min(images, Math.floor(Math.min(MASK_BYTES, this.ctx.device.limits.maxStorageBufferBindingSize) / K.maskBytes(length))));
  }

  /**
   * Sort keys and NMS scratch, shared by every decode group and setting (they run one after
   * another) and kept across batches: the kernels write them before reading them. A fresh buffer
   * costs Dawn's zero fill at its first use (the IoU mask is 8 MiB per image at 8192 candidates).
   */
  private allocateScratch(n: number, capacity: number, settings: readonly Setting[]): Omit<K.NmsBuffers, 'candidates' | 'counts' | 'output'> {
    const length = K.sortLength(capacity);
    const masked = settings.some((s) => s.o.nms === 'greedy' || s.o.nms === 'weighted');
    return this.scratchArena.take(
      {
        keys: n * length * 16,
        sorted: n * length * K.DETECTION_BYTES,
        mask: masked ? this.maskGroup(n, length) * K.maskBytes(length) : 4,
        kept: n * Math.max(...settings.map((s) => s.o.maxDet)) * 4,
        scratch: n * length * 4,
      },
      { keys: 'sort keys', sorted: 'sorted candidates', mask: 'iou mask', kept: 'kept', scratch: 'nms scratch' },
    );
  }

  /** Per chunk of images: resize each into its slot of the chunk's input, then the network. */
  private async networkChunks(res: BatchResources, inputs: UploadedInputs, o: GridOptions, g: Geometry, n: number): Promise<NetworkChunk[]> {
    const { ctx } = this;
    const norm = gridNormalization(o);
    const tableRows = o.inputWidth + o.inputHeight;
    // Every chunk size is compiled before a kernel binds a plan buffer (compiling may grow the arena).
    const firsts = Array.from({ length: Math.ceil(n / g.chunk) }, (_, c) => c * g.chunk);
    const plans = await Promise.all(firsts.map((first) => this.plans.get(o.inputWidth, o.inputHeight, Math.min(g.chunk, n - first))));
    return Promise.all(
      firsts.map(async (first, c) => {
        const plan = plans[c]!;
        const count = Math.min(g.chunk, n - first);
        const input = plan.bufferOf(this.spec.graph.inputs[0]!.name);
        const resize = await Promise.all(
          Array.from({ length: count }, (_, k) =>
            bilinearResize(ctx, `${this.spec.name} image ${first + k} resize`, { image: first + k, width: o.inputWidth, height: o.inputHeight, xTable: (first + k) * tableRows, yTable: (first + k) * tableRows + o.inputWidth, outOffset: k * 3 * o.inputWidth * o.inputHeight, norm }, { pixels: inputs.pixels, tables: inputs.tables, output: input }),
          ),
        );
        res.keep(...resize);
        return { plan, resize, first, count };
      }),
    );
  }

  /** The head decoder of one chunk for one setting, appending to that setting's candidate lists. */
  private decodeStep(chunk: NetworkChunk, inputs: UploadedInputs, buffers: Pick<K.NmsBuffers, 'counts' | 'candidates'>, setting: Setting, capacity: number): Promise<KernelStep> {
    const { o, g } = setting;
    const s = this.spec.spec;
    const spec: K.DecodeKernelSpec =
      s.kind === 'ssd'
        ? { kind: 'ssd', anchors: s.anchors.length / 4, classes: s.classes, ignoreFirst: s.ignoreFirst, scales: s.scales }
        : s.kind === 'centernet'
        ? { kind: 'centernet', classes: s.classes, headWidth: g.headWidth, headHeight: g.headHeight, stride: s.stride, inputWidth: o.inputWidth, inputHeight: o.inputHeight }
        : { kind: s.kind, grid: g.grid, anchors: s.kind === 'yolo' ? s.anchors.length : 1, classes: s.classes, headWidth: g.headWidth, headHeight: g.headHeight };
    const second = this.spec.logits ?? this.spec.sizes;
    return K.decode(
      this.ctx,
      `${this.spec.name} decode images ${chunk.first}..${chunk.first + chunk.count - 1}`,
      { spec, images: chunk.count, imageBase: chunk.first, threshold: o.conf, inclusive: o.inclusive, multiLabel: o.multiLabel, capacity, countBase: 0 },
      { head: chunk.plan.bufferOf(this.spec.head), ...(second ? { second: chunk.plan.bufferOf(second) } : {}), anchors: inputs.anchors, affine: inputs.affine, counts: buffers.counts, candidates: buffers.candidates },
    );
  }

  private decodeList(bytes: ArrayBuffer, first: number, count: number): ObjectDetection[] {
    const f = new Float32Array(bytes);
    const u = new Uint32Array(bytes);
    return Array.from({ length: count }, (_, i) => {
      const w = (first + i) * (K.DETECTION_BYTES / 4);
      const cls = u[w + 5]!;
      const label = this.spec.labels?.[cls];
      return { box: [f[w]!, f[w + 1]!, f[w + 2]! - f[w]!, f[w + 3]! - f[w + 1]!], score: f[w + 4]!, class: cls, ...(label !== undefined ? { label } : {}) };
    });
  }
}

/** The network per chunk, each chunk's decodes right after it (before the next chunk overwrites its outputs), then per group its sort and its settings' NMS. */
function encodeBatch(rec: PassRecorder, chunks: readonly NetworkChunk[], groups: readonly DecodeGroup[]): void {
  const stage = (name: string, steps: KernelStep[]) => {
    rec.beginStage(name);
    rec.run(...steps);
    rec.endStage();
  };
  chunks.forEach((chunk, c) => {
    rec.beginStage('network');
    rec.run(...chunk.resize);
    rec.graph(`images ${chunk.first}..`, chunk.plan.steps());
    rec.endStage();
    for (const r of groups) stage(r.stage, [r.decodes[c]!]);
  });
  for (const r of groups) {
    stage(r.stage, r.sort);
    for (const m of r.nms) stage(m.stage, m.steps);
  }
}

/** A setting's GPU time: its NMS plus its share of its group's decode and sort (one setting: 'nms'). */
function settingTimes(stages: Record<string, number>, groups: readonly DecodeGroup[], settings: number): number[] {
  if (settings === 1) return [stages.nms ?? 0];
  const ms = new Array<number>(settings).fill(0);
  for (const r of groups) for (const m of r.nms) ms[m.k] = (stages[m.stage] ?? 0) + (stages[r.stage] ?? 0) / r.nms.length;
  return ms;
}

/** Indices of settings grouped by what their decode depends on (grid, threshold, labels), in first-seen order. */
function decodeGroups(settings: readonly Setting[]): number[][] {
  const groups = new Map<string, number[]>();
  settings.forEach((s, k) => {
    const key = JSON.stringify([s.g.grid, s.o.conf, s.o.inclusive, s.o.multiLabel]);
    const list = groups.get(key);
    if (list) list.push(k);
    else groups.set(key, [k]);
  });
  return [...groups.values()];
}

function concatTables(parts: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(Math.max(4, parts.reduce((s, p) => s + p.length, 0)));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
