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
import { categoryMatcher } from '../eval/coco-labels.js';
import type { CocoResult } from '../eval/coco.js';
import { sweepRows, sweepTable, type SweepSettingResult } from '../eval/sweep.js';
import { readCocoGroundTruth } from '../io/coco-files.js';
import { resolveInputs } from '../io/inputs.js';
import { decodeImage } from '../io/node-image.js';
import { GridDetector, type DecodeSettings } from '../pipelines/grid/detector.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import { gridModelLoader, GRID_MODELS, usage, type DetectFlags } from './detect-models.js';
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

async function sweep(inputs: string[], f: SweepFlags): Promise<void> {
  const confs = list('conf', f.conf, (v) => v >= 0 && v < 1, 'numbers in [0, 1)');
  const ious = list('iou', f.iou, (v) => v > 0 && v <= 1, 'numbers in (0, 1]');
  const grids = f.grid !== undefined ? list('grid', f.grid, (v) => Number.isInteger(v) && v >= 1, 'positive integers') : undefined;
  const maxDets = list('max-dets', f.maxDets, (v) => Number.isInteger(v) && v >= 1, 'positive integers');
  const batchSize = list('batch', f.batch, (v) => Number.isInteger(v) && v >= 1, 'a positive integer')[0]!;
  const load = gridModelLoader(f.model, f);
  if (!load) throw new UsageError(`--model must be a grid model (${Object.keys(GRID_MODELS).join(', ')}) or an .onnx file, got '${f.model}'`);
  const base = gridOptionFlags({ maxDet: f.maxDet, nms: f.nms, input: f.input });
  let gt;
  try {
    gt = readCocoGroundTruth(f.gt);
  } catch (err) {
    throw new UsageError(`--gt ${f.gt}: ${(err as Error).message}`);
  }
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

  const perSetting = settings.map(() => new Map<number, CocoResult[]>());
  const gpuMs = settings.map(() => 0);
  let networkMs = 0;
  let timedImages = 0;
  const failed: Array<[string, string]> = [...missing];
  const otherLabels = new Map<string, number>();
  const bar = f.progress && process.stderr.isTTY ? new SingleBar({ format: 'sweep [{bar}] {value}/{total} images | {settings} settings | ETA {eta_formatted}', stream: process.stderr, hideCursor: true }) : undefined;
  bar?.start(matched.length, 0, { settings: settings.length });
  for (let b = 0; b < matched.length; b += batchSize) {
    const batch = matched.slice(b, b + batchSize);
    const decoded = await Promise.allSettled(batch.map((file) => decodeImage(file)));
    const ok: Array<{ file: string; image: RgbImage }> = [];
    decoded.forEach((d, i) => (d.status === 'fulfilled' ? ok.push({ file: batch[i]!, image: d.value }) : failed.push([batch[i]!, (d.reason as Error).message])));
    if (ok.length) {
      const run = await detector.detectSettings(ok.map((x) => x.image), { ...options, timing: 'stages' }, settings);
      run.settings.forEach((images, k) =>
        images.forEach((r, i) => {
          const imageId = byName.get(basename(ok[i]!.file))!;
          const results: CocoResult[] = [];
          for (const d of r.detections) {
            const category = categoryOf(d.label);
            if (category === 'other') {
              if (k === 0) otherLabels.set(d.label!, (otherLabels.get(d.label!) ?? 0) + 1);
              continue;
            }
            results.push({ image_id: imageId, category_id: category, bbox: d.box, score: d.score });
          }
          perSetting[k]!.set(imageId, results);
        }),
      );
      if (run.stats.gpuMs && run.settingMs) {
        networkMs += run.stats.gpuMs.network ?? 0;
        run.settingMs.forEach((ms, k) => (gpuMs[k]! += ms));
        timedImages += ok.length;
      }
    }
    bar?.update(Math.min(b + batchSize, matched.length));
  }
  bar?.stop();
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
  const report = [
    `webgpu-detect sweep: ${model.name} on ${ctx.adapter.name}; ${processed} images of ${gt.images.length} in ${basename(f.gt)}, ${settings.length} decode settings x ${confs.length} thresholds = ${rows.length} rows`,
    `network GPU ${timedImages ? (networkMs / timedImages).toFixed(1) : '-'} ms/image, decode + NMS GPU ${timedImages ? (gpuMs.reduce((a, v) => a + v, 0) / timedImages).toFixed(2) : '-'} ms/image for all settings; detection ${detectSeconds.toFixed(1)} s (${(detectSeconds / Math.max(1, processed)).toFixed(2)} s/image wall), evaluation ${evalSeconds.toFixed(2)} s`,
  ];
  if (otherLabels.size) report.push(`detections of labels the ground truth does not annotate, left out: ${[...otherLabels].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([l, n]) => `${l} ${n}`).join(', ')}`);
  if (strangers.length) report.push(`${strangers.length} images are not in the ground truth and were skipped: ${strangers.slice(0, 3).map((s) => basename(s)).join(', ')}${strangers.length > 3 ? ', ...' : ''}`);
  const absent = gt.images.length - processed;
  if (absent > 0) report.push(`${absent} ground-truth images were not processed (their objects count as missed)`);
  for (const [file, error] of failed) report.push(`failed: ${file}: ${error}`);
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
