// `webgpu-detect sweep`: a grid detector's thresholds (and decode grid) against COCO ground truth.
// The network runs once per image; decode + sort + NMS run on the GPU once per (S, IoU) setting at
// the lowest confidence, all in the same submit (GridDetector.detectSettings); every higher
// confidence is the prefix of that list (src/eval/sweep.ts). Prints a table (COCO AP/AP50/AR, P/R/F1,
// duplicates, group boxes, detections per image, GPU ms per image of each setting), writes JSON.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { acquireGpu } from '../gpu/device.js';
import { categoryMatcher, type CategoryOf } from '../eval/coco-labels.js';
import type { CocoDataset, CocoResult } from '../eval/coco.js';
import { sweepRows, sweepTable, type SweepSettingResult } from '../eval/sweep.js';
import { readCocoGroundTruth } from '../io/coco-files.js';
import { resolveInputs } from '../io/inputs.js';
import { GridDetector, type DecodeSettings } from '../pipelines/grid/detector.js';
import type { GridOptions } from '../pipelines/grid/options.js';
import type { ObjectDetection } from '../pipelines/grid/types.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import { gridModelLoader, GRID_MODELS, usage, type DetectFlags } from './detect-models.js';
import { decodedBatches } from './decoded-batches.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { gridOptionFlags } from './grid-flags.js';

interface SweepFlags extends DetectFlags {
  model: string;
  gt: string;
  grid?: string;
  conf: string;
  iou: string;
  maxDets: string;
  batch: string;
  out?: string;
  adapter?: string;
  progress: boolean;
  category?: string;
}

function list(flag: string, value: string, ok: (v: number) => boolean, what: string): number[] {
  const values = value.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !ok(v))) throw new UsageError(`--${flag} expects comma-separated ${what}, got '${value}'`);
  return [...new Set(values)];
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description(
      'sweep a grid detector\'s confidence threshold, NMS IoU and (YOLO heads) decode grid against COCO ground truth: the network once per image, decode + NMS per (grid, IoU) on the GPU, every confidence from the lowest one\'s list. Prints COCO AP, AP50, AR, P/R/F1 at IoU 0.5, duplicates, group boxes, detections per image and GPU ms per image for every combination',
    )
    .argument('<images...>', 'image files, directories or globs; matched to the ground truth by file name')
    .requiredOption('--gt <instances.json>', 'COCO ground truth (its categories are matched to the model\'s labels by name)')
    .requiredOption('--model <name|file.onnx>', `grid model: ${Object.keys(GRID_MODELS).join(', ')}, or a user .onnx (with --decode, --anchors, --classes, --labels, --input)`)
    .option('--conf <list>', 'confidence thresholds', '0.3,0.4,0.5,0.6,0.7')
    .option('--iou <list>', 'NMS IoU thresholds', '0.3,0.4,0.5,0.6')
    .option('--grid <list>', 'yolo / yolo-direct heads: decode grids S (the head resampled to S x S)')
    .option('--max-dets <list>', 'COCO maxDets (AP is pycocotools\' stats[0], defined at the third; AR at the last)', '1,10,100')
    .option('--max-det <n>', 'detections kept per image by NMS (default: the model\'s)')
    .option('--nms <method>', 'greedy | soft | weighted (default: the model\'s)')
    .option('--batch <n>', 'images per GPU batch', '4')
    .option('--decode <kind>', 'a user .onnx model: yolo | yolo-direct | ssd')
    .option('--anchors <w,h,...>', 'a user yolo model: anchor sizes in grid cells')
    .option('--classes <n>', 'a user model: number of classes')
    .option('--labels <file>', 'a user model: class names, one per line')
    .option('--category <name>', 'the ground-truth category of unlabelled detections (a one-class model; default: the only category)')
    .option('--input <WxH>', 'network input size (where the model allows another)')
    .option('--out <file.json>', 'write the rows, settings and timings as JSON')
    .option('--adapter <name>', 'auto | lavapipe | swiftshader | path to a Vulkan ICD .json')
    .option('--no-progress', 'no progress bar')
    .action(async (inputs: string[], f: SweepFlags) => sweep(inputs, f));
}

/** The values a sweep crosses, from its flags (each a readable usage error when malformed). */
function sweepLists(f: SweepFlags) {
  return {
    confs: list('conf', f.conf, (v) => v >= 0 && v < 1, 'numbers in [0, 1)'),
    ious: list('iou', f.iou, (v) => v > 0 && v <= 1, 'numbers in (0, 1]'),
    grids: f.grid !== undefined ? list('grid', f.grid, (v) => Number.isInteger(v) && v >= 1, 'positive integers') : undefined,
    maxDets: list('max-dets', f.maxDets, (v) => Number.isInteger(v) && v >= 1, 'positive integers'),
    batchSize: list('batch', f.batch, (v) => Number.isInteger(v) && v >= 1, 'a positive integer')[0]!,
  };
}

function readGroundTruth(path: string): CocoDataset {
  try {
    return readCocoGroundTruth(path);
  } catch (err) {
    throw new UsageError(`--gt ${path}: ${(err as Error).message}`);
  }
}

/** What the detection pass over the images collected, per decode setting. */
interface SweepDetections {
  /** Per setting: each image's results, as COCO results. */
  perSetting: Array<Map<number, CocoResult[]>>;
  /** Per setting: decode + NMS GPU milliseconds, summed over the timed images. */
  gpuMs: number[];
  networkMs: number;
  timedImages: number;
  /** Labels the ground truth does not annotate, with their counts (first setting). */
  otherLabels: Map<string, number>;
  /** Images that could not be decoded, with the reason. */
  failed: Array<[string, string]>;
}

/** The network once per image and every decode setting on its output, batch by batch (decoding one batch ahead). */
async function detectAllSettings(
  detector: GridDetector,
  options: GridOptions,
  settings: readonly DecodeSettings[],
  images: { files: readonly string[]; idOf: (file: string) => number; categoryOf: CategoryOf; batchSize: number },
  bar: SingleBar | undefined,
): Promise<SweepDetections> {
  const found: SweepDetections = { perSetting: settings.map(() => new Map()), gpuMs: settings.map(() => 0), networkMs: 0, timedImages: 0, otherLabels: new Map(), failed: [] };
  let done = 0;
  for await (const decoded of decodedBatches(images.files, images.batchSize)) {
    const ok: Array<{ file: string; image: RgbImage }> = [];
    decoded.images.forEach((d, i) => (d.status === 'fulfilled' ? ok.push({ file: decoded.files[i]!, image: d.value }) : found.failed.push([decoded.files[i]!, (d.reason as Error).message])));
    if (ok.length) {
      const run = await detector.detectSettings(ok.map((x) => x.image), { ...options, timing: 'stages' }, settings);
      const ids = ok.map((x) => images.idOf(x.file));
      run.settings.forEach((perImage, k) => perImage.forEach((r, i) => found.perSetting[k]!.set(ids[i]!, cocoResults(r.detections, ids[i]!, images.categoryOf, k === 0 ? found.otherLabels : undefined))));
      if (run.stats.gpuMs && run.settingMs) {
        found.networkMs += run.stats.gpuMs.network ?? 0;
        run.settingMs.forEach((ms, k) => (found.gpuMs[k]! += ms));
        found.timedImages += ok.length;
      }
    }
    done += decoded.files.length;
    bar?.update(done);
  }
  return found;
}

/** One image's detections as COCO results; those of labels the ground truth lacks are counted in `others` instead. */
function cocoResults(detections: readonly ObjectDetection[], imageId: number, categoryOf: CategoryOf, others: Map<string, number> | undefined): CocoResult[] {
  const results: CocoResult[] = [];
  for (const d of detections) {
    const category = categoryOf(d.label);
    if (category === 'other') {
      if (others) others.set(d.label!, (others.get(d.label!) ?? 0) + 1);
      continue;
    }
    results.push({ image_id: imageId, category_id: category, bbox: d.box, score: d.score });
  }
  return results;
}

/** The summary a sweep prints on standard error: what ran, its timings, what was left out or failed. */
function summaryLines(r: { model: string; adapter: string; processed: number; gtImages: number; gtFile: string; settings: number; confs: number; rows: number; found: SweepDetections; detectSeconds: number; evalSeconds: number; strangers: string[]; failed: Array<[string, string]> }): string[] {
  const { networkMs, gpuMs, timedImages, otherLabels } = r.found;
  const lines = [
    `webgpu-detect sweep: ${r.model} on ${r.adapter}; ${r.processed} images of ${r.gtImages} in ${basename(r.gtFile)}, ${r.settings} decode settings x ${r.confs} thresholds = ${r.rows} rows`,
    `network GPU ${timedImages ? (networkMs / timedImages).toFixed(1) : '-'} ms/image, decode + NMS GPU ${timedImages ? (gpuMs.reduce((a, v) => a + v, 0) / timedImages).toFixed(2) : '-'} ms/image for all settings; detection ${r.detectSeconds.toFixed(1)} s (${(r.detectSeconds / Math.max(1, r.processed)).toFixed(2)} s/image wall), evaluation ${r.evalSeconds.toFixed(2)} s`,
  ];
  if (otherLabels.size) lines.push(`detections of labels the ground truth does not annotate, left out: ${[...otherLabels].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([l, n]) => `${l} ${n}`).join(', ')}`);
  if (r.strangers.length) lines.push(`${r.strangers.length} images are not in the ground truth and were skipped: ${r.strangers.slice(0, 3).map((s) => basename(s)).join(', ')}${r.strangers.length > 3 ? ', ...' : ''}`);
  const absent = r.gtImages - r.processed;
  if (absent > 0) lines.push(`${absent} ground-truth images were not processed (their objects count as missed)`);
  for (const [file, error] of r.failed) lines.push(`failed: ${file}: ${error}`);
  return lines;
}

async function sweep(inputs: string[], f: SweepFlags): Promise<void> {
  const { confs, ious, grids, maxDets, batchSize } = sweepLists(f);
  const load = gridModelLoader(f.model, f);
  if (!load) throw new UsageError(`--model must be a grid model (${Object.keys(GRID_MODELS).join(', ')}) or an .onnx file, got '${f.model}'`);
  const base = gridOptionFlags({ maxDet: f.maxDet, nms: f.nms, input: f.input });
  const gt = readGroundTruth(f.gt);
  const started = performance.now();
  const { files, missing } = await resolveInputs(inputs);
  const byName = new Map(gt.images.map((im) => [basename(im.file_name ?? String(im.id)), im.id]));
  const matched = files.filter((file) => byName.has(basename(file)));
  const strangers = files.filter((file) => !byName.has(basename(file)));
  if (matched.length === 0) throw new UsageError(`none of the ${files.length} images is named in ${f.gt} (file_name)`);

  const ctx = await acquireGpu({ adapter: f.adapter });
  const model = load();
  if (grids && model.spec.kind !== 'yolo' && model.spec.kind !== 'yolo-direct') throw new UsageError(`--grid applies to yolo / yolo-direct heads; ${model.name} decodes a ${model.spec.kind} head`);
  const detector = GridDetector.create(ctx, model);
  const settings: DecodeSettings[] = (grids ?? [undefined]).flatMap((grid) => ious.map((iou) => ({ ...(grid !== undefined ? { grid } : {}), iou })));
  const options = usage(() => detector.resolve({ ...base, conf: Math.min(...confs) }));
  for (const s of settings) usage(() => detector.resolve({ ...options, ...s }));
  const categoryOf = usage(() => categoryMatcher(gt, f.model, f.category));

  const bar = f.progress && process.stderr.isTTY ? new SingleBar({ format: 'sweep [{bar}] {value}/{total} images | {settings} settings | ETA {eta_formatted}', stream: process.stderr, hideCursor: true }) : undefined;
  bar?.start(matched.length, 0, { settings: settings.length });
  const found = await detectAllSettings(detector, options, settings, { files: matched, idOf: (file) => byName.get(basename(file))!, categoryOf, batchSize }, bar);
  bar?.stop();
  const failed: Array<[string, string]> = [...missing, ...found.failed];
  const { perSetting, gpuMs, networkMs, timedImages } = found;
  const detectSeconds = (performance.now() - started) / 1000;
  const results: SweepSettingResult[] = settings.map((s, k) => ({
    ...(s.grid !== undefined ? { grid: s.grid } : {}),
    iou: s.iou!,
    detections: perSetting[k]!,
    ...(timedImages ? { gpuMsPerImage: gpuMs[k]! / timedImages } : {}),
  }));
  const evalStarted = performance.now();
  const rows = sweepRows(gt, results, { confs, inclusive: options.inclusive, maxDets });
  const evalSeconds = (performance.now() - evalStarted) / 1000;
  console.log(sweepTable(rows, maxDets[maxDets.length - 1]!));
  const processed = matched.length - failed.filter(([file]) => matched.includes(file)).length;
  const report = summaryLines({ model: model.name, adapter: ctx.adapter.name, processed, gtImages: gt.images.length, gtFile: f.gt, settings: settings.length, confs: confs.length, rows: rows.length, found, detectSeconds, evalSeconds, strangers, failed });
  process.stderr.write(report.map((l) => `${l}\n`).join(''));
  if (f.out) {
    writeFileSync(
      f.out,
      JSON.stringify(
        {
          model: model.name,
          source: model.source,
          adapter: ctx.adapter.name,
          gt: f.gt,
          images: processed,
          options: { ...options, conf: confs, iou: ious, grid: grids, maxDets },
          timing: { networkGpuMsPerImage: timedImages ? networkMs / timedImages : null, detectSeconds, evalSeconds },
          rows,
          failed: failed.map(([file, error]) => ({ file, error })),
        },
        null,
        2,
      ) + '\n',
    );
  }
  if (failed.length) process.exitCode = ExitCode.SOME_INPUTS_FAILED;
}
