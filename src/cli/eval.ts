// `webgpu-detect eval --gt <dir|file> <results.jsonl>`: ICDAR-2015 precision, recall, H-mean and
// group boxes of text detection results; prints a table, optionally writes JSON.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { evaluateImage, summarize } from '../eval/icdar.js';
import { readDetections, readGroundTruth } from '../io/ground-truth.js';
import { ExitCode, UsageError } from './exit-codes.js';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate text detection results (JSON Lines from detect --model ppocr-det) against ground truth: ICDAR-2015 precision / recall / H-mean, IoU > 0.5 one-to-one, plus group boxes (one prediction over 2+ lines)')
    .argument('<results.jsonl>', 'detection results')
    .requiredOption('--gt <dir|file>', 'ground truth: JSON Lines {file, lines:[{polygon, text}]} or a directory of ICDAR gt_*.txt files')
    .option('--iou <t>', 'IoU a match must exceed', '0.5')
    .option('--out <file.json>', 'write the evaluation as JSON')
    .action((results: string, o: { gt: string; iou: string; out?: string }) => {
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
