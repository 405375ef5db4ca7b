// ICDAR 2015 (Robust Reading, incidental text) detection evaluation: one-to-one matching of
// predicted and ground-truth polygons with IoU > 0.5 (ground truth in order, first free detection
// wins, as the official script does), precision, recall and H-mean over the whole set; plus a count
// of "group boxes": predictions covering at least half of the area of two or more ground-truth
// lines (text lines detected as one merged cluster).
import { area, intersectionArea, iou, isConvex, type Polygon } from './polygon.js';

export interface GroundTruthLine {
  polygon: Polygon;
  /** '###' in ICDAR: a region that neither counts as missed nor makes a detection wrong. */
  ignore?: boolean;
}

/** Counts and scores, of one image or of a whole set. */
export interface Scores {
  /** Ground-truth lines that count (not don't-care). */
  gt: number;
  detections: number;
  matched: number;
  groupBoxes: number;
  precision: number;
  recall: number;
  hmean: number;
}

export interface ImageEvaluation extends Scores {
  file: string;
}

export interface Evaluation extends Scores {
  images: ImageEvaluation[];
  iouThreshold: number;
}

const hmean = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

export function evaluateImage(file: string, gtLines: readonly GroundTruthLine[], detections: readonly Polygon[], iouThreshold = 0.5): ImageEvaluation {
  const care = gtLines.filter((g) => !g.ignore);
  const ignored = gtLines.filter((g) => g.ignore);
  // Detections mostly inside an ignored region are not counted (official: area ratio > 0.5).
  const counted = detections.filter((d) => !ignored.some((g) => area(d) > 0 && overlapOf(d, g.polygon) / area(d) > 0.5));
  const gtUsed = new Array<boolean>(care.length).fill(false);
  const detUsed = new Array<boolean>(counted.length).fill(false);
  let matched = 0;
  care.forEach((g, i) => {
    counted.forEach((d, j) => {
      if (gtUsed[i] || detUsed[j]) return;
      if (iou(g.polygon, d) > iouThreshold) {
        gtUsed[i] = detUsed[j] = true;
        matched++;
      }
    });
  });
  const groupBoxes = counted.filter((d) => care.filter((g) => area(g.polygon) > 0 && overlapOf(g.polygon, d) / area(g.polygon) >= 0.5).length >= 2).length;
  const precision = counted.length ? matched / counted.length : care.length ? 0 : 1;
  const recall = care.length ? matched / care.length : 1;
  return { file, gt: care.length, detections: counted.length, matched, groupBoxes, precision, recall, hmean: hmean(precision, recall) };
}

/** Area of a ∩ b where at least one is convex. */
function overlapOf(a: Polygon, b: Polygon): number {
  return isConvex(b) ? intersectionArea(a, b) : intersectionArea(b, a);
}

export function summarize(images: ImageEvaluation[], iouThreshold = 0.5): Evaluation {
  const sum = (k: 'gt' | 'detections' | 'matched' | 'groupBoxes') => images.reduce((s, e) => s + e[k], 0);
  const gt = sum('gt');
  const detections = sum('detections');
  const matched = sum('matched');
  const precision = detections ? matched / detections : 0;
  const recall = gt ? matched / gt : 0;
  return { images, gt, detections, matched, groupBoxes: sum('groupBoxes'), precision, recall, hmean: hmean(precision, recall), iouThreshold };
}
