// The threshold / grid sweep's evaluation (browser-safe): for every decode setting (grid S, NMS
// IoU) the detector ran once at the lowest confidence, and every confidence threshold, COCO AP
// (pycocotools' rules, coco.ts) and the crowd metrics (crowd.ts) of the detections that pass it.
// Greedy NMS keeps a candidate only because of higher-scoring ones, so the result at a higher
// threshold is the prefix of the lowest threshold's list: no re-run is needed (also under a
// maxDet cut, which takes the same prefix).
import { evaluateCoco, meanOf, type CocoDataset, type CocoResult } from './coco.js';
import { evaluateCrowd } from './crowd.js';

/** One decode setting's detections: per GT image id, in the detector's (score) order. */
export interface SweepSettingResult {
  grid?: number;
  iou: number;
  detections: ReadonlyMap<number, readonly CocoResult[]>;
  /** GPU milliseconds of this setting's decode + sort + NMS, per image (when timed). */
  gpuMsPerImage?: number;
}

export interface SweepRow {
  grid?: number;
  conf: number;
  iou: number;
  /** COCO AP .50:.95 (stats[0]), AP at IoU .50 (stats[1]), AR at the largest maxDets (area all). */
  ap: number;
  ap50: number;
  ar: number;
  /** Crowd metrics at this threshold, IoU 0.5 one-to-one: precision, recall, F1. */
  precision: number;
  recall: number;
  f1: number;
  duplicates: number;
  groupBoxes: number;
  nearDuplicatePairs: number;
  detectionsPerImage: number;
  gpuMsPerImage?: number;
}

export interface SweepOptions {
  confs: readonly number[];
  /** Keep scores equal to the threshold (>=) or only above it (>), as the model does. */
  inclusive: boolean;
  maxDets: readonly number[];
}

/** Rows in (setting, conf) order. */
export function sweepRows(gt: CocoDataset, settings: readonly SweepSettingResult[], o: SweepOptions): SweepRow[] {
  const passes = (score: number, conf: number) => (o.inclusive ? score >= conf : score > conf);
  const rows: SweepRow[] = [];
  for (const s of settings) {
    for (const conf of [...o.confs].sort((a, b) => a - b)) {
      const results: CocoResult[] = [];
      for (const list of s.detections.values()) {
        // The kept list is in score order: the detections passing `conf` are its prefix.
        let end = 0;
        while (end < list.length && passes(list[end]!.score, conf)) end++;
        for (let i = end; i < list.length; i++) if (passes(list[i]!.score, conf)) throw new Error(`sweep: detections of image ${list[i]!.image_id} are not in score order`);
        results.push(...list.slice(0, end));
      }
      const coco = evaluateCoco(gt, results, { maxDets: o.maxDets });
      const crowd = evaluateCrowd(gt, results, { scoreThreshold: 0, iou: 0.5 }).overall;
      rows.push({
        ...(s.grid !== undefined ? { grid: s.grid } : {}),
        conf,
        iou: s.iou,
        ap: coco.stats[0]!,
        ap50: coco.stats[1]!,
        ar: meanOf(coco, 'recall', { a: 0, m: o.maxDets.length - 1 }),
        precision: crowd.precision,
        recall: crowd.recall,
        f1: crowd.f1,
        duplicates: crowd.duplicates,
        groupBoxes: crowd.groupBoxes,
        nearDuplicatePairs: crowd.nearDuplicatePairs,
        detectionsPerImage: results.length / Math.max(1, gt.images.length),
        ...(s.gpuMsPerImage !== undefined ? { gpuMsPerImage: s.gpuMsPerImage } : {}),
      });
    }
  }
  return rows;
}

const fixed = (v: number, d = 3) => (v < 0 ? '-1' : v.toFixed(d));

/** The rows as a Markdown table; the best AP and the best F1 in bold. */
export function sweepTable(rows: readonly SweepRow[], maxDet: number): string {
  const hasGrid = rows.some((r) => r.grid !== undefined);
  const bestAp = Math.max(...rows.map((r) => r.ap));
  const bestF1 = Math.max(...rows.map((r) => r.f1));
  const bold = (text: string, on: boolean) => (on ? `**${text}**` : text);
  // (Nothing is marked when the best is 0: every row ties.)
  const head = `| ${hasGrid ? 'S | ' : ''}conf | IoU | AP | AP50 | AR@${maxDet} | P | R | F1 | dupes | groups | near-dup pairs | dets/img | GPU ms/img |`;
  const rule = `|${hasGrid ? '---:|' : ''}---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`;
  const lines = rows.map(
    (r) =>
      `| ${hasGrid ? `${r.grid ?? '-'} | ` : ''}${r.conf} | ${r.iou} | ${bold(fixed(r.ap), r.ap === bestAp && bestAp > 0)} | ${fixed(r.ap50)} | ${fixed(r.ar)} | ${fixed(r.precision)} | ${fixed(r.recall)} | ${bold(fixed(r.f1), r.f1 === bestF1 && bestF1 > 0)} | ${r.duplicates} | ${r.groupBoxes} | ${r.nearDuplicatePairs} | ${r.detectionsPerImage.toFixed(1)} | ${r.gpuMsPerImage !== undefined ? r.gpuMsPerImage.toFixed(2) : '-'} |`,
  );
  return [head, rule, ...lines].join('\n');
}
