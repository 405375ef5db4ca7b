// `webgpu-detect eval --gt <dir|file> <results.jsonl>`: ICDAR-2015 precision, recall, H-mean and
// group boxes of text detection results; `--format coco`: COCO box AP/AR as pycocotools computes
// them (src/eval/coco.ts). Prints a table or the summary, optionally writes JSON.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { evaluateCoco, meanOf, summaryLine, type CocoEvaluation } from '../eval/coco.js';
import { bestJi, evaluateCrowd } from '../eval/crowd.js';
import { evaluateImage, summarize } from '../eval/icdar.js';
import { readCocoGroundTruth, readCocoResults } from '../io/coco-files.js';
import { writeMonitorDumps } from '../io/monitor-dump.js';
import { readDetections, readGroundTruth } from '../io/ground-truth.js';
import { ExitCode, UsageError } from './exit-codes.js';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(
      'evaluate detection results against ground truth. --format icdar (default): text detection JSON Lines (detect --model ppocr-det), ICDAR-2015 precision / recall / H-mean, IoU > 0.5 one-to-one, plus group boxes (one prediction over 2+ lines). --format coco: boxes, COCO AP/AR exactly as pycocotools COCOeval computes them, the 12-line summary',
    )
    .argument('<results>', 'detection results: JSON Lines from detect, or (coco) a COCO results list [{image_id, category_id, bbox, score}]')
    .requiredOption('--gt <path>', 'ground truth: icdar: JSON Lines {file, lines:[{polygon, text}]} or a directory of ICDAR gt_*.txt files; coco: instances.json')
    .option('--format <icdar|coco>', 'evaluation', 'icdar')
    .option('--iou <t>', 'icdar: IoU a match must exceed', '0.5')
    .option('--max-dets <list>', 'coco: detections per image considered (pycocotools maxDets; stats[0] is defined at 100, so dense scenes use e.g. 1,10,100,300)', '1,10,100')
    .option('--score-threshold <t>', 'coco: crowd metrics (P/R/F1 at IoU 0.5, duplicates, group boxes, near-duplicate pairs, JI) count detections scoring at least this', '0.5')
    .option('--dump <dir>', 'coco: monitor dumps: per image a PNG with GT, matches, false positives, misses, duplicates and group boxes, and a contact sheet')
    .option('--images <dir>', '--dump: where the pictures are (by the GT file_name); without them, boxes on a blank canvas')
    .option('--ids <list>', '--dump: image ids to draw (default: the first 8 ids; the same on every run)')
    .option('--compare <results>', '--dump: a second result set drawn beside the first')
    .option('--out <file.json>', 'write the evaluation as JSON')
    .action(async (results: string, o: CocoFlags & { iou: string; format: string }) => {
      if (o.format === 'coco') return cocoEval(results, o);
      if (o.format !== 'icdar') throw new UsageError(`--format must be icdar or coco, got '${o.format}'`);
      const iouThreshold = Number(o.iou);
      if (!(iouThreshold > 0 && iouThreshold < 1)) throw new UsageError(`--iou must be in (0, 1), got ${o.iou}`);
      const gt = readGroundTruth(o.gt);
      const det = readDetections(results);
      const missing = [...gt.keys()].filter((k) => !det.has(k) || det.get(k)!.error);
      const evals = [...gt].map(([file, lines]) => evaluateImage(file, lines, det.get(file)?.polygons ?? [], iouThreshold));
      const summary = summarize(evals, iouThreshold);
      const extra = [...det.keys()].filter((k) => !gt.has(k));
      console.log('| image | gt | detections | matched | group boxes | precision | recall | H-mean |');
      console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
      for (const e of evals) console.log(`| ${e.file} | ${e.gt} | ${e.detections} | ${e.matched} | ${e.groupBoxes} | ${e.precision.toFixed(3)} | ${e.recall.toFixed(3)} | ${e.hmean.toFixed(3)} |`);
      console.log(`| **all (${evals.length})** | ${summary.gt} | ${summary.detections} | ${summary.matched} | ${summary.groupBoxes} | ${summary.precision.toFixed(4)} | ${summary.recall.toFixed(4)} | ${summary.hmean.toFixed(4)} |`);
      if (missing.length) console.error(`webgpu-detect: ${missing.length} ground-truth images have no result (counted as all missed): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
      if (extra.length) console.error(`webgpu-detect: ${extra.length} results have no ground truth and were ignored`);
      if (o.out) writeFileSync(o.out, JSON.stringify({ ...summary, missing, ignored: extra }, null, 2) + '\n');
      if (missing.length) process.exitCode = ExitCode.SOME_INPUTS_FAILED;
    });
}

/** Per category: AP, AP50, AP75 (at maxDets[2]) and AR at the largest maxDets, area 'all'. */
function perCategory(e: CocoEvaluation, names: ReadonlyMap<number, string>): Record<string, { name: string; AP: number; AP50: number; AP75: number; AR: number }> {
  const p = e.params;
  const m = Math.min(2, p.maxDets.length - 1);
  const t50 = p.iouThrs.indexOf(0.5);
  const t75 = p.iouThrs.indexOf(0.75);
  return Object.fromEntries(
    p.catIds.map((id, k) => [
      String(id),
      { name: names.get(id) ?? String(id), AP: meanOf(e, 'precision', { k, a: 0, m }), AP50: meanOf(e, 'precision', { k, t: t50, a: 0, m }), AP75: meanOf(e, 'precision', { k, t: t75, a: 0, m }), AR: meanOf(e, 'recall', { k, a: 0, m: p.maxDets.length - 1 }) },
    ]),
  );
}

interface CocoFlags {
  gt: string;
  out?: string;
  maxDets: string;
  scoreThreshold: string;
  dump?: string;
  images?: string;
  ids?: string;
  compare?: string;
}

async function cocoEval(resultsPath: string, o: CocoFlags): Promise<void> {
  const scoreThreshold = Number(o.scoreThreshold);
  if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) throw new UsageError(`--score-threshold must be in [0, 1], got ${o.scoreThreshold}`);
  const maxDets = o.maxDets.split(',').map(Number);
  if (maxDets.length < 3 || maxDets.some((m) => !Number.isInteger(m) || m < 1)) throw new UsageError(`--max-dets needs at least 3 positive integers (pycocotools reads maxDets[0..2]), got '${o.maxDets}'`);
  let gt;
  let read;
  try {
    gt = readCocoGroundTruth(o.gt);
    read = readCocoResults(resultsPath, gt);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const e = evaluateCoco(gt, read.results, { maxDets });
  const lines = [...e.summary];
  // pycocotools' summary never reports a maxDets beyond the third; dense scenes want it.
  const largest = e.params.maxDets[e.params.maxDets.length - 1]!;
  if (e.params.maxDets.length > 3 && largest !== e.params.maxDets[2]) {
    const m = e.params.maxDets.length - 1;
    lines.push(`(beyond pycocotools' summary, at the largest maxDets)`);
    lines.push(summaryLine(true, `${e.params.iouThrs[0]!.toFixed(2)}:${e.params.iouThrs.at(-1)!.toFixed(2)}`, 'all', largest, meanOf(e, 'precision', { a: 0, m })));
    lines.push(summaryLine(false, `${e.params.iouThrs[0]!.toFixed(2)}:${e.params.iouThrs.at(-1)!.toFixed(2)}`, 'all', largest, meanOf(e, 'recall', { a: 0, m })));
  }
  const crowd = evaluateCrowd(gt, read.results, { scoreThreshold });
  const c = crowd.overall;
  const ji = bestJi(gt, read.results);
  lines.push(
    '',
    `Crowd metrics at score >= ${scoreThreshold}, IoU 0.5 (one-to-one, greedy by score, same class):`,
    `  gt ${c.gt}  pred ${c.pred}  matched ${c.matched}  P ${c.precision.toFixed(4)}  R ${c.recall.toFixed(4)}  F1 ${c.f1.toFixed(4)}`,
    `  duplicates ${c.duplicates} (rate ${c.duplicateRate.toFixed(4)})  group boxes ${c.groupBoxes} (rate ${c.groupRate.toFixed(4)}, ${c.swallowed} GT boxes swallowed)  near-duplicate pairs ${c.nearDuplicatePairs}  ignored in crowd regions ${c.ignored}`,
    `  JI ${c.ji.toFixed(4)} (best over score 0.0..0.9: ${ji.ji.toFixed(4)} at ${ji.scoreThreshold.toFixed(1)})  GT pairs with IoU > 0.5 per image ${c.crowdPairsPerImage.toFixed(3)}`,
  );
  console.log(lines.join('\n'));
  if (read.unmatched.length) console.error(`webgpu-detect: ${read.unmatched.length} result files name no ground-truth image and were ignored: ${read.unmatched.slice(0, 5).join(', ')}`);
  if (read.otherLabels.size) {
    const list = [...read.otherLabels].sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`);
    console.error(`webgpu-detect: ${[...read.otherLabels.values()].reduce((a, b) => a + b, 0)} detections of labels the ground truth does not annotate were left out: ${list.slice(0, 8).join(', ')}${list.length > 8 ? ', ...' : ''}`);
  }
  if (read.missing.length) console.error(`webgpu-detect: ${read.missing.length} ground-truth images have no result line (their objects count as missed): ${read.missing.slice(0, 5).join(', ')}`);
  if (o.out) {
    const names = new Map(gt.categories.map((c) => [c.id, c.name]));
    const crowdImages = crowd.images.map(({ detections: _d, groundTruth: _g, ...counts }) => counts);
    writeFileSync(o.out, JSON.stringify({ stats: e.stats, perCategory: perCategory(e, names), params: { ...e.params }, crowd: { options: crowd.options, overall: c, bestJi: ji, images: crowdImages }, summary: lines }, null, 2) + '\n');
  }
  if (o.dump) {
    const ids = o.ids?.split(',').map(Number);
    if (ids?.some((id) => !Number.isInteger(id))) throw new UsageError(`--ids must be integers, got '${o.ids}'`);
    const runs = [{ title: basename(resultsPath), images: crowd.images }];
    if (o.compare) {
      let other;
      try {
        other = readCocoResults(o.compare, gt);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      runs.push({ title: basename(o.compare), images: evaluateCrowd(gt, other.results, { scoreThreshold }).images });
    }
    try {
      const written = await writeMonitorDumps(o.dump, gt.images, runs, { ...(ids ? { ids } : {}), ...(o.images ? { imagesDir: o.images } : {}) });
      console.error(`webgpu-detect: ${written.length} monitor dumps in ${o.dump}`);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (read.missing.length) process.exitCode = ExitCode.SOME_INPUTS_FAILED;
}
