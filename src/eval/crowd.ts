// Crowd metrics beside COCO mAP, per image and overall, at one score threshold (definitions and
// sources: ../shared/design/grid-dense.md section 4):
// - gt, pred, matched; P, R, F1 at IoU >= 0.5, one-to-one, greedy by score (stable), same class,
//   each detection taking the free GT it overlaps most;
// - duplicates (TIDE's "Dupe"): a false positive whose best same-class GT (IoU >= 0.5) was already
//   matched by a higher-scoring detection; duplicate rate = duplicates / pred;
// - group boxes: a detection that is not a true positive and covers >= 50 % of the area of >= 2
//   same-class GT boxes (the text evaluator's rule, made class-aware); swallowed: GT boxes no true
//   positive matched that a group box covers (>= 50 %);
// - near-duplicate pairs: pairs of detections of one class with IoU >= 0.5 (needs no GT);
// - crowdedness: pairs of GT boxes of one class with IoU > 0.5 (CrowdDet's statistic);
// - JI (CrowdDet): k / (m + n - k) with k the maximum bipartite matching at IoU >= 0.5 between the
//   image's m detections and n GT boxes; averaged over images (and, in `bestJi`, maximised over
//   score thresholds 0.0 .. 0.9).
// Crowd GT regions (iscrowd) are not GT boxes; a detection that is not a true positive and lies
// mostly inside one (intersection over its own area > 0.5) is left out of pred, as CrowdHuman's
// evaluation ignores it. Boxes are [x, y, w, h]; IoU without +1 (as COCO). Browser-safe.
import { boxIou, type CocoDataset, type CocoResult } from './coco.js';

export interface CrowdOptions {
  /** Detections scoring below this are dropped first. */
  scoreThreshold: number;
  /** IoU a match needs (>=). */
  iou: number;
}

export interface CrowdCounts {
  gt: number;
  pred: number;
  matched: number;
  duplicates: number;
  groupBoxes: number;
  swallowed: number;
  nearDuplicatePairs: number;
  crowdPairs: number;
  /** Detections left out for lying inside a crowd region. */
  ignored: number;
}

export interface CrowdImage extends CrowdCounts {
  imageId: number;
  file?: string;
  precision: number;
  recall: number;
  f1: number;
  ji: number;
  /** Per detection kept (score order): 'tp' | 'fp' | 'dupe' | 'group' | 'ignored'; for dumps. */
  detections: Array<{ bbox: number[]; score: number; category: number; kind: 'tp' | 'fp' | 'dupe' | 'group' | 'ignored'; gtIndex?: number }>;
  /** Per GT box (non-crowd): matched, swallowed by a group box, or missed. */
  groundTruth: Array<{ bbox: number[]; category: number; kind: 'matched' | 'swallowed' | 'missed' }>;
}

export interface CrowdEvaluation {
  options: CrowdOptions;
  images: CrowdImage[];
  overall: CrowdCounts & { precision: number; recall: number; f1: number; duplicateRate: number; groupRate: number; ji: number; crowdPairsPerImage: number };
}

/** Intersection of a and b over the area of `of`. */
function coverage(a: readonly number[], b: readonly number[], of: readonly number[]): number {
  const w = Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!);
  const h = Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (of[2]! * of[3]!);
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
const f1Of = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

/** Size of a maximum bipartite matching (Kuhn's augmenting paths); edges[i] = GT indices of detection i. */
export function maximumMatching(edges: readonly number[][], gtCount: number): number {
  const owner = new Array<number>(gtCount).fill(-1);
  const augment = (d: number, seen: boolean[]): boolean => {
    for (const g of edges[d]!) {
      if (seen[g]) continue;
      seen[g] = true;
      if (owner[g] === -1 || augment(owner[g]!, seen)) {
        owner[g] = d;
        return true;
      }
    }
    return false;
  };
  let k = 0;
  for (let d = 0; d < edges.length; d++) if (augment(d, new Array<boolean>(gtCount).fill(false))) k++;
  return k;
}

/** JI of one image: detections and GT boxes of all classes, edges only within a class. */
function jaccardIndex(dets: ReadonlyArray<{ bbox: number[]; category: number }>, gts: ReadonlyArray<{ bbox: number[]; category: number }>, iou: number): number {
  const edges = dets.map((d) => gts.flatMap((g, j) => (g.category === d.category && boxIou(d.bbox, g.bbox, false) >= iou ? [j] : [])));
  const k = maximumMatching(edges, gts.length);
  const denominator = dets.length + gts.length - k;
  return denominator === 0 ? 1 : k / denominator;
}

export function evaluateImageCrowd(imageId: number, gtAll: ReadonlyArray<{ bbox: number[]; category_id: number; iscrowd?: number | boolean }>, detsAll: readonly CocoResult[], o: CrowdOptions): CrowdImage {
  const gts = gtAll.filter((g) => !g.iscrowd).map((g) => ({ bbox: [...g.bbox], category: g.category_id }));
  const crowds = gtAll.filter((g) => g.iscrowd).map((g) => ({ bbox: [...g.bbox], category: g.category_id }));
  const kept = detsAll
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => d.score >= o.scoreThreshold)
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .map(({ d }) => ({ bbox: [...d.bbox], score: d.score, category: d.category_id }));
  const matchedBy = new Array<number>(gts.length).fill(-1);
  const detections: CrowdImage['detections'] = kept.map((d, di) => {
    let best = -1;
    let bestIou = o.iou;
    gts.forEach((g, gi) => {
      if (g.category !== d.category || matchedBy[gi] !== -1) return;
      const v = boxIou(d.bbox, g.bbox, false);
      if (v >= bestIou) [best, bestIou] = [gi, v];
    });
    if (best >= 0) {
      matchedBy[best] = di;
      return { ...d, kind: 'tp', gtIndex: best };
    }
    return { ...d, kind: 'fp' };
  });
  for (const d of detections) {
    if (d.kind !== 'fp') continue;
    // Its best same-class GT, matched or not.
    let best = -1;
    let bestIou = -1;
    gts.forEach((g, gi) => {
      if (g.category !== d.category) return;
      const v = boxIou(d.bbox, g.bbox, false);
      if (v > bestIou) [best, bestIou] = [gi, v];
    });
    const covered = gts.filter((g) => g.category === d.category && coverage(d.bbox, g.bbox, g.bbox) >= 0.5).length;
    if (best >= 0 && bestIou >= o.iou && matchedBy[best] !== -1) d.kind = 'dupe';
    else if (covered >= 2) d.kind = 'group';
    else if (crowds.some((c) => coverage(d.bbox, c.bbox, d.bbox) > 0.5)) d.kind = 'ignored';
  }
  const counted = detections.filter((d) => d.kind !== 'ignored');
  const groundTruth: CrowdImage['groundTruth'] = gts.map((g, gi) => {
    if (matchedBy[gi] !== -1) return { ...g, kind: 'matched' };
    const swallowed = detections.some((d) => d.kind === 'group' && d.category === g.category && coverage(d.bbox, g.bbox, g.bbox) >= 0.5);
    return { ...g, kind: swallowed ? 'swallowed' : 'missed' };
  });
  let nearDuplicatePairs = 0;
  for (let a = 0; a < counted.length; a++) for (let b = a + 1; b < counted.length; b++) if (counted[a]!.category === counted[b]!.category && boxIou(counted[a]!.bbox, counted[b]!.bbox, false) >= o.iou) nearDuplicatePairs++;
  let crowdPairs = 0;
  for (let a = 0; a < gts.length; a++) for (let b = a + 1; b < gts.length; b++) if (gts[a]!.category === gts[b]!.category && boxIou(gts[a]!.bbox, gts[b]!.bbox, false) > 0.5) crowdPairs++;
  const matched = detections.filter((d) => d.kind === 'tp').length;
  const precision = ratio(matched, counted.length);
  const recall = ratio(matched, gts.length);
  return {
    imageId,
    gt: gts.length,
    pred: counted.length,
    matched,
    duplicates: detections.filter((d) => d.kind === 'dupe').length,
    groupBoxes: detections.filter((d) => d.kind === 'group').length,
    swallowed: groundTruth.filter((g) => g.kind === 'swallowed').length,
    nearDuplicatePairs,
    crowdPairs,
    ignored: detections.length - counted.length,
    precision,
    recall,
    f1: f1Of(precision, recall),
    ji: jaccardIndex(counted, gts, o.iou),
    detections,
    groundTruth,
  };
}

export function evaluateCrowd(gt: CocoDataset, results: readonly CocoResult[], options: Partial<CrowdOptions> = {}): CrowdEvaluation {
  const o: CrowdOptions = { scoreThreshold: options.scoreThreshold ?? 0.5, iou: options.iou ?? 0.5 };
  const group = <T extends { image_id: number }>(list: readonly T[]) => {
    const by = new Map<number, T[]>();
    for (const x of list) {
      const l = by.get(x.image_id);
      if (l) l.push(x);
      else by.set(x.image_id, [x]);
    }
    return by;
  };
  const gtBy = group(gt.annotations);
  const dtBy = group(results);
  const images = [...gt.images].sort((a, b) => a.id - b.id).map((im) => ({
    ...evaluateImageCrowd(im.id, gtBy.get(im.id) ?? [], dtBy.get(im.id) ?? [], o),
    ...(im.file_name ? { file: im.file_name } : {}),
  }));
  const sum = (k: keyof CrowdCounts) => images.reduce((s, im) => s + im[k], 0);
  const counts: CrowdCounts = {
    gt: sum('gt'), pred: sum('pred'), matched: sum('matched'), duplicates: sum('duplicates'), groupBoxes: sum('groupBoxes'),
    swallowed: sum('swallowed'), nearDuplicatePairs: sum('nearDuplicatePairs'), crowdPairs: sum('crowdPairs'), ignored: sum('ignored'),
  };
  const precision = ratio(counts.matched, counts.pred);
  const recall = ratio(counts.matched, counts.gt);
  return {
    options: o,
    images,
    overall: {
      ...counts,
      precision,
      recall,
      f1: f1Of(precision, recall),
      duplicateRate: ratio(counts.duplicates, counts.pred),
      groupRate: ratio(counts.groupBoxes, counts.pred),
      ji: ratio(images.reduce((s, im) => s + im.ji, 0), images.length),
      crowdPairsPerImage: ratio(counts.crowdPairs, images.length),
    },
  };
}

/** CrowdDet's reported JI: the mean over images, maximised over score thresholds 0.0, 0.1, ..., 0.9. */
export function bestJi(gt: CocoDataset, results: readonly CocoResult[], iou = 0.5): { ji: number; scoreThreshold: number } {
  let best = { ji: -1, scoreThreshold: 0 };
  for (let t = 0; t < 10; t++) {
    const scoreThreshold = t / 10;
    const ji = evaluateCrowd(gt, results, { scoreThreshold, iou }).overall.ji;
    if (ji > best.ji) best = { ji, scoreThreshold };
  }
  return best;
}
