// DB text detection with every step on the GPU: per image, bilinear resize + normalization into the
// network input, the network (compiled once per input size), then binarization, connected
// components (union-find), their numbering in raster order (prefix sum), bounds, and per component
// hull -> minimum-area rectangle -> score -> unclip -> scaling. A batch is ONE command buffer and ONE
// readback (the box records and the counters). Post-processing buffers are shared by the images of
// a batch (their work runs one after another), the box records are per image. A large image is
// never uploaded whole: only the rows and columns the resize samples (floor/resize.ts), so an
// 8000 x 8000 photo costs no more GPU memory than its 960-pixel network input.
import type { GpuContext } from '../../gpu/context.js';
import { BatchResources } from '../../gpu/batch-resources.js';
import type { KernelStep } from '../../gpu/kernel.js';
import { PassRecorder } from '../../gpu/pass-recorder.js';
import type { CompiledGraph } from '../../graph/compiled-graph.js';
import type { Storage } from '../../graph/half-storage.js';
import { BufferArena } from '../../graph/arena.js';
import { ImagePlans } from '../../graph/image-plans.js';
import { optimizeGraph } from '../../graph/optimize.js';
import type { Graph } from '../../graph/types.js';
import { emptyStats, measuredBatch, timingMode, type CommonDetectOptions, type DetectionBatch } from '../floor/batch.js';
import type { Detector } from '../floor/detector.js';
import { bilinearResize } from '../floor/image-kernels.js';
import type { RgbImage } from '../floor/image.js';
import { packSources, uploadPixels, wholeImage, type PixelBindings, type PixelSource } from '../floor/pixels.js';
import { gather, packAxisTables, planResize, worthGathering, type Normalization, type ResizePlan } from '../floor/resize.js';
import * as K from './kernels.js';
import { networkSize, resolveTextDetOptions, type TextDetOptions } from './options.js';
import { BOX_BYTES, decodeBoxes } from './records.js';
import type { TextDetections } from './types.js';

export interface TextDetectOptions extends Partial<TextDetOptions>, CommonDetectOptions {
  /** Also read back each image's probability map (tests compare the CPU post-processing on it). */
  probabilityMaps?: boolean;
}

export type TextResult = TextDetections & { probability?: Float32Array };

/** The network input of an image: PaddleOCR's size rule and OpenCV's INTER_LINEAR geometry. */
export function textInputPlan(width: number, height: number, o: TextDetOptions): ResizePlan {
  const size = networkSize(width, height, o.limitSideLen);
  // float32Coordinates: the coordinates as the shader computed them before the tables existed.
  return planResize(width, height, { outWidth: size.width, outHeight: size.height, placement: 'stretch', sampling: 'half-pixel', float32Coordinates: true });
}

export function textNormalization(o: TextDetOptions): Normalization {
  return { scale: 1 / 255, mean: o.mean, invStd: [1 / o.std[0], 1 / o.std[1], 1 / o.std[2]], channelOrder: o.channelOrder, pad: [0, 0, 0] };
}

/** A batch's GPU inputs and outputs, shared by its images' kernels. */
interface TextBatch {
  /** Each image's network input size. */
  sizes: Array<{ width: number; height: number }>;
  plans: CompiledGraph[];
  /** Box records per image (o.maxCandidates). */
  capacity: number;
  pixels: PixelBindings;
  tables: GPUBuffer;
  /** Where image i's resize tables start in `tables`, in vec4. */
  tableStart: number[];
  counts: GPUBuffer;
  shared: Record<'parent' | 'ids' | 'blockSums' | 'rootOf' | 'bounds' | 'points', GPUBuffer>;
  /** Probability map copies (only when asked for). */
  probs: GPUBuffer[];
  boxes: GPUBuffer[];
}

interface ImageWork {
  plan: CompiledGraph;
  width: number;
  height: number;
  prob: GPUBuffer;
  resize: KernelStep;
  post: KernelStep[];
}

export class TextDetector implements Detector<TextDetectOptions, TextResult> {
  readonly model = 'ppocr-det';
  private readonly plans: ImagePlans;
  /** Post-processing scratch (labels, numbering, bounds, hull points), kept across batches. */
  private readonly post: BufferArena;

  private constructor(
    readonly ctx: GpuContext,
    readonly graph: Graph,
    /** Load-time rewrites applied to the imported graph. */
    readonly rewrites: string[],
    storage: Storage,
  ) {
    this.plans = new ImagePlans(ctx, graph, 'text detection', storage);
    this.post = new BufferArena(ctx, 'text post-processing');
  }

  /** GPU bytes of the network's tensors: its arena, shared by every input size run so far. */
  networkBytes(): number {
    return this.plans.arena.totalBytes;
  }

  /** `storage` 'f16': intermediate activations stored as f16 (graph/half-storage.ts). */
  static create(ctx: GpuContext, graph: Graph, config: { storage?: Storage } = {}): TextDetector {
    const { graph: optimized, rewrites } = optimizeGraph(graph);
    if (optimized.inputs.length !== 1 || optimized.outputs.length !== 1) throw new Error(`text detector: graph '${graph.name}' must have one input and one output (a probability map)`);
    return new TextDetector(ctx, optimized, rewrites, config.storage ?? 'f32');
  }

  /** The compiled network for an input size (cached). */
  plan(width: number, height: number): Promise<CompiledGraph> {
    return this.plans.get(width, height);
  }

  async detect(images: readonly RgbImage[], options: TextDetectOptions = {}): Promise<DetectionBatch<TextResult>> {
    const o = resolveTextDetOptions(options);
    return measuredBatch(this.ctx, images, async () => {
      try {
        return await this.ctx.scoped('text detection batch', () => this.run(images, o, options));
      } catch (err) {
        this.plans.reset();
        this.post.destroy();
        throw err;
      }
    });
  }

  private async run(images: readonly RgbImage[], o: TextDetOptions, opts: TextDetectOptions): Promise<DetectionBatch<TextResult>> {
    const res = new BatchResources(this.ctx, 'text');
    try {
      const batch = await this.batchBuffers(images, o, opts, res);
      const work = await Promise.all(images.map((im, i) => this.imageWork(im, i, o, batch, res)));
      const { data, timing, dispatches } = await this.encodeAndRead(work, batch, opts.timing);
      const counts = new Uint32Array(data[0]!);
      const results = images.map((im, i): TextResult => ({
        width: im.width,
        height: im.height,
        networkWidth: batch.sizes[i]!.width,
        networkHeight: batch.sizes[i]!.height,
        boxes: decodeBoxes(data[1 + i]!, Math.min(counts[i]!, batch.capacity)),
        components: counts[i]!,
        ...(batch.probs.length ? { probability: new Float32Array(data[1 + images.length + i]!) } : {}),
      }));
      return {
        images: results,
        stats: {
          ...emptyStats(images.length),
          parts: 1,
          dispatches,
          gpuBytes: res.bytes + this.plans.arena.totalBytes + this.post.totalBytes,
          ...(timing ? { gpuMs: { network: timing.stages.network ?? 0, postprocess: timing.stages.postprocess ?? 0 } } : {}),
          ...(timing?.dispatches.length ? { profile: timing.dispatches } : {}),
        },
      };
    } finally {
      res.release();
    }
  }

  /** The batch's inputs on the GPU (pixels, resize tables), its counters, scratch and output buffers, and each image's compiled network. */
  private async batchBuffers(images: readonly RgbImage[], o: TextDetOptions, opts: TextDetectOptions, res: BatchResources): Promise<TextBatch> {
    const { ctx } = this;
    // Per image: the resize plan, gathered (only the sampled rows/columns) when that is smaller.
    const prepared = images.map((im) => {
      const plan = textInputPlan(im.width, im.height, o);
      return worthGathering(plan, im.width, im.height) ? gather(im, plan) : { source: wholeImage(im) as PixelSource, plan };
    });
    const sizes = prepared.map((p) => ({ width: p.plan.outWidth, height: p.plan.outHeight }));
    const plans = await Promise.all(sizes.map((s) => this.plan(s.width, s.height)));
    const maxPixels = Math.max(...sizes.map((s) => s.width * s.height));
    const maxHeight = Math.max(...sizes.map((s) => s.height));
    const cap = o.maxCandidates;
    const tableData = prepared.map((p) => packAxisTables(p.plan));
    // Shared by the images of the batch (their post-processing runs one after another) and kept
    // across batches: every kernel writes them before reading. A fresh buffer costs its lazy zero
    // fill on first use (Dawn), ~90 ms for the 20 MB hull scratch at 640x640 on lavapipe.
    const shared = this.post.take(
      { parent: maxPixels * 4, ids: maxPixels * 4, blockSums: K.scanBlocks(maxPixels) * 4, rootOf: cap * 4, bounds: cap * 16, points: cap * (4 * maxHeight + 2) * 8 },
      { parent: 'parent', ids: 'component ids', blockSums: 'scan blocks', rootOf: 'component roots', bounds: 'component bounds', points: 'hull scratch' },
    );
    return {
      sizes,
      plans,
      capacity: cap,
      pixels: uploadPixels(ctx, packSources(prepared.map((p) => p.source)), 'text', (b) => res.own(b)),
      tables: res.upload('resize tables', concat(tableData)),
      tableStart: tableData.map((_, i) => tableData.slice(0, i).reduce((sum, t) => sum + t.length / 4, 0)),
      counts: res.upload('counters', new Uint32Array(images.length)),
      shared,
      probs: opts.probabilityMaps ? sizes.map((sz, i) => res.storage(`probability ${i}`, sz.width * sz.height * 4)) : [],
      boxes: images.map((_, i) => res.storage(`boxes ${i}`, cap * BOX_BYTES)),
    };
  }

  /** Image i's kernels: its resize into the network input, then labelling, numbering and boxes on its probability map. */
  private async imageWork(im: RgbImage, i: number, o: TextDetOptions, b: TextBatch, res: BatchResources): Promise<ImageWork> {
    const { ctx } = this;
    const { width, height } = b.sizes[i]!;
    const plan = b.plans[i]!;
    const label = `text image ${i}`;
    const prob = plan.bufferOf(this.graph.outputs[0]!);
    const norm = textNormalization(o);
    const resize = await bilinearResize(ctx, `${label} resize`, { image: i, width, height, xTable: b.tableStart[i]!, yTable: b.tableStart[i]! + width, outOffset: 0, norm }, { pixels: b.pixels, tables: b.tables, output: plan.bufferOf(this.graph.inputs[0]!.name) });
    const cap = b.capacity;
    const post = [
      ...(await K.labelling(ctx, `${label} labels`, { width, height, threshold: o.threshold, dilation: o.dilation }, { prob, parent: b.shared.parent })),
      ...(await K.numbering(ctx, `${label} numbering`, { pixels: width * height, capacity: cap, totalIndex: i }, { ...b.shared, counts: b.counts })),
      ...(await K.boxes(ctx, `${label} boxes`, { width, height, capacity: cap, totalIndex: i, o, destWidth: im.width, destHeight: im.height }, { ...b.shared, prob, counts: b.counts, boxes: b.boxes[i]! })),
    ];
    res.keep(resize, ...post);
    return { plan, width, height, prob, resize, post };
  }

  /** The whole batch in one command buffer and one readback: counters, box records, probability maps (if asked), timestamps. */
  private async encodeAndRead(work: readonly ImageWork[], b: TextBatch, timing: CommonDetectOptions['timing']) {
    const { ctx } = this;
    const encoder = ctx.device.createCommandEncoder({ label: 'text detection batch' });
    const rec = new PassRecorder(ctx, encoder, timingMode(timing));
    work.forEach((w, i) => {
      rec.beginStage('network');
      rec.run(w.resize);
      rec.graph(`image ${i}`, w.plan.steps());
      rec.endStage();
      if (b.probs[i]) encoder.copyBufferToBuffer(w.prob, 0, b.probs[i]!, 0, w.width * w.height * 4);
      rec.beginStage('postprocess');
      rec.run(...w.post);
      rec.endStage();
    });
    const times = rec.finish();
    const regions = [
      { buffer: b.counts, size: work.length * 4 },
      ...b.boxes.map((buffer) => ({ buffer, size: buffer.size })),
      ...b.probs.map((buffer) => ({ buffer, size: buffer.size })),
      ...(times ? [times] : []),
    ];
    const data = await ctx.readback(regions, 'text detection batch', encoder);
    return { data, timing: rec.report(times ? data[data.length - 1] : undefined), dispatches: rec.dispatches };
  }
}

function concat(parts: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(Math.max(4, parts.reduce((s, p) => s + p.length, 0)));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
