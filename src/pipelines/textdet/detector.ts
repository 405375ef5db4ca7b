// DB text detection with every step on the GPU: per image, bilinear resize + normalization into the
// network input, the network (compiled once per input size), then binarization, connected
// components (union-find), their numbering in raster order (prefix sum), bounds, and per component
// hull -> minimum-area rectangle -> score -> unclip -> scaling. A batch is ONE command buffer and ONE
// readback (the box records and the counters). Post-processing buffers are shared by the images of
// a batch (their work runs one after another), the box records are per image.
import type { GpuContext } from '../../gpu/context.js';
import { BatchResources } from '../../gpu/batch-resources.js';
import { PassRecorder, type TimingMode, type TimingReport } from '../../gpu/pass-recorder.js';
import { ImagePlans } from '../../graph/image-plans.js';
import type { CompiledGraph } from '../../graph/compiled-graph.js';
import { foldDispatch } from '../../graph/compiled-graph-util.js';
import { optimizeGraph } from '../../graph/optimize.js';
import type { Graph } from '../../graph/types.js';
import type { RgbImage } from '../mtcnn/types.js';
import { packImages } from '../mtcnn/upload.js';
import * as K from './kernels.js';
import { networkSize, resolveTextDetOptions, type TextDetOptions } from './options.js';
import type { TextDetections } from './types.js';

const BOX_BYTES = 48;

export interface TextDetectOptions {
  options?: Partial<TextDetOptions>;
  /** Also read back each image's probability map (tests compare the CPU post-processing on it). */
  probabilityMaps?: boolean;
  timing?: boolean | TimingMode;
}

export interface TextBatchStats {
  images: number;
  submits: number;
  readbacks: number;
  dispatches: number;
  gpuBytes: number;
  gpuMs?: { network: number; postprocess: number };
  profile?: TimingReport['dispatches'];
}

export interface TextBatchResult {
  images: Array<TextDetections & { probability?: Float32Array }>;
  stats: TextBatchStats;
}

export class TextDetector {
  private readonly plans: ImagePlans;

  private constructor(
    readonly ctx: GpuContext,
    readonly graph: Graph,
    /** Load-time rewrites applied to the imported graph. */
    readonly rewrites: string[],
  ) {
    this.plans = new ImagePlans(ctx, graph, 'text detection');
  }

  static create(ctx: GpuContext, graph: Graph): TextDetector {
    const { graph: optimized, rewrites } = optimizeGraph(graph);
    if (optimized.inputs.length !== 1 || optimized.outputs.length !== 1) throw new Error(`text detector: graph '${graph.name}' must have one input and one output (a probability map)`);
    return new TextDetector(ctx, optimized, rewrites);
  }

  /** The compiled network for an input size (cached). */
  plan(width: number, height: number): Promise<CompiledGraph> {
    return this.plans.get(width, height);
  }

  async detect(images: readonly RgbImage[], opts: TextDetectOptions = {}): Promise<TextBatchResult> {
    const o = resolveTextDetOptions(opts.options);
    images.forEach((im, i) => {
      if (!(im.width >= 1 && im.height >= 1) || im.data.length !== im.width * im.height * 3) throw new RangeError(`image ${i}: ${im.width}x${im.height} with ${im.data.length} bytes is not an RGB image`);
    });
    if (images.length === 0) return { images: [], stats: { images: 0, submits: 0, readbacks: 0, dispatches: 0, gpuBytes: 0 } };
    const before = { ...this.ctx.stats };
    const result = await this.ctx.scoped('text detection batch', () => this.run(images, o, opts));
    result.stats.submits = this.ctx.stats.submits - before.submits;
    result.stats.readbacks = this.ctx.stats.readbacks - before.readbacks;
    return result;
  }

  private async run(images: readonly RgbImage[], o: TextDetOptions, opts: TextDetectOptions): Promise<TextBatchResult> {
    const { ctx } = this;
    const res = new BatchResources(ctx, 'text');
    const storage = (label: string, bytes: number) => res.storage(label, bytes);
    const sizes = images.map((im) => networkSize(im.width, im.height, o.limitSideLen));
    const plans = await Promise.all(sizes.map((s) => this.plan(s.width, s.height)));
    const maxPixels = Math.max(...sizes.map((s) => s.width * s.height));
    const maxHeight = Math.max(...sizes.map((s) => s.height));
    const cap = o.maxCandidates;

    const packed = packImages(images);
    const pixels = res.upload('pixels', packed.pixels);
    const imageTable = res.upload('image table', packed.table);
    const counts = res.upload('counters', new Uint32Array(images.length));
    // Shared by the images of the batch (their post-processing runs one after another).
    const parent = storage('parent', maxPixels * 4);
    const ids = storage('component ids', maxPixels * 4);
    const blockSums = storage('scan blocks', Math.ceil(maxPixels / K.SCAN_BLOCK) * 4);
    const rootOf = storage('component roots', cap * 4);
    const bounds = storage('component bounds', cap * 16);
    const points = storage('hull scratch', cap * (4 * maxHeight + 2) * 8);
    const probs = opts.probabilityMaps ? sizes.map((s, i) => storage(`probability ${i}`, s.width * s.height * 4)) : [];
    const boxes = images.map((_, i) => storage(`boxes ${i}`, cap * BOX_BYTES));

    const input = this.graph.inputs[0]!.name;
    const output = this.graph.outputs[0]!;
    const work = await Promise.all(
      images.map(async (im, i) => {
        const { width, height } = sizes[i]!;
        const plan = plans[i]!;
        const label = `text image ${i}`;
        const prob = plan.bufferOf(output);
        const resize = await K.resizeNormalize(ctx, `${label} resize`, { image: i, width, height, scaleX: im.width / width, scaleY: im.height / height, o }, { pixels, imageTable, output: plan.bufferOf(input) });
        const ccl = await K.labelling(ctx, `${label} labels`, { width, height, threshold: o.threshold, dilation: o.dilation }, { prob, parent });
        const scan = await K.numbering(ctx, `${label} numbering`, { pixels: width * height, capacity: cap, totalIndex: i }, { parent, ids, blockSums, rootOf, counts });
        const box = await K.boxes(ctx, `${label} boxes`, { width, height, capacity: cap, totalIndex: i, o, destWidth: im.width, destHeight: im.height }, { prob, parent, ids, rootOf, counts, bounds, points, boxes: boxes[i]! });
        res.keep(resize, ccl.init, ccl.merge, ccl.flatten, scan.blocksKernel, scan.totals, scan.offsets, box.init, box.gather, box.main);
        return { plan, resize, ccl, scan, box, width, height, prob };
      }),
    );

    const encoder = ctx.device.createCommandEncoder({ label: 'text detection batch' });
    const rec = new PassRecorder(ctx, encoder, opts.timing === true ? 'stages' : opts.timing || 'none');
    const maxPerDim = ctx.device.limits.maxComputeWorkgroupsPerDimension;
    const flat = (invocations: number, wg = 64) => foldDispatch(invocations, wg, maxPerDim);
    let dispatches = 0;
    work.forEach((w, i) => {
      const n = w.width * w.height;
      rec.beginStage('network');
      rec.dispatch(`image ${i} resize`, (p) => w.resize.dispatch(p, flat(n)));
      for (const step of w.plan.steps()) rec.dispatch(`image ${i} ${step.label}`, step.encode);
      rec.endStage();
      if (probs[i]) encoder.copyBufferToBuffer(w.prob, 0, probs[i]!, 0, n * 4);
      rec.beginStage('postprocess');
      rec.dispatch('labels init', (p) => w.ccl.init.dispatch(p, flat(n)));
      rec.dispatch('labels merge', (p) => w.ccl.merge.dispatch(p, flat(n)));
      rec.dispatch('labels flatten', (p) => w.ccl.flatten.dispatch(p, flat(n)));
      rec.dispatch('numbering blocks', (p) => w.scan.blocksKernel.dispatch(p, flat(w.scan.blocks, 1)));
      rec.dispatch('numbering totals', (p) => w.scan.totals.dispatch(p, [1, 1, 1]));
      rec.dispatch('numbering offsets', (p) => w.scan.offsets.dispatch(p, flat(w.scan.blocks, 1)));
      rec.dispatch('bounds init', (p) => w.box.init.dispatch(p, [Math.ceil(cap / 64), 1, 1]));
      rec.dispatch('bounds', (p) => w.box.gather.dispatch(p, flat(n)));
      rec.dispatch('boxes', (p) => w.box.main.dispatch(p, [cap, 1, 1]));
      rec.endStage();
      dispatches += 10 + w.plan.stats.dispatches;
    });
    const times = rec.finish();
    const regions = [
      { buffer: counts, size: images.length * 4 },
      ...boxes.map((b) => ({ buffer: b, size: b.size })),
      ...probs.map((b) => ({ buffer: b, size: b.size })),
      ...(times ? [times] : []),
    ];
    const data = await ctx.readback(regions, 'text detection batch', encoder);
    const timing = rec.report(times ? data[data.length - 1] : undefined);
    const gpuBytes = res.bytes + this.plans.arena.totalBytes;
    res.release();

    const cnt = new Uint32Array(data[0]!);
    const results = images.map((im, i) => {
      const raw = data[1 + i]!;
      const f = new Float32Array(raw);
      const u = new Uint32Array(raw);
      const list: TextDetections['boxes'] = [];
      for (let k = 0; k < Math.min(cnt[i]!, cap); k++) {
        const w = (k * BOX_BYTES) / 4;
        if (u[w] !== 1) continue;
        list.push({ polygon: [0, 1, 2, 3].map((j) => [f[w + 4 + 2 * j]!, f[w + 5 + 2 * j]!] as [number, number]), score: f[w + 1]! });
      }
      return {
        width: im.width,
        height: im.height,
        networkWidth: sizes[i]!.width,
        networkHeight: sizes[i]!.height,
        boxes: list,
        components: cnt[i]!,
        ...(opts.probabilityMaps ? { probability: new Float32Array(data[1 + images.length + i]!) } : {}),
      };
    });
    return {
      images: results,
      stats: {
        images: images.length, submits: 0, readbacks: 0, dispatches, gpuBytes,
        ...(timing ? { gpuMs: { network: timing.stages.network ?? 0, postprocess: timing.stages.postprocess ?? 0 } } : {}),
        ...(timing?.dispatches.length ? { profile: timing.dispatches } : {}),
      },
    };
  }
}
