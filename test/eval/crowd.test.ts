// Crowd metrics (src/eval/crowd.ts) on hand-made scenes; every number derived in the comments.
import { describe, expect, it } from 'vitest';
import type { CocoDataset, CocoResult } from '../../src/eval/coco.js';
import { bestJi, evaluateCrowd, maximumMatching } from '../../src/eval/crowd.js';

type Box = [number, number, number, number];
const scene = (boxes: Array<{ bbox: Box; category_id?: number; iscrowd?: number }>): CocoDataset => ({
  images: [{ id: 1, file_name: 'shelf.png', width: 200, height: 100 }],
  categories: [{ id: 1, name: 'book' }, { id: 2, name: 'person' }],
  annotations: boxes.map((b, i) => ({ id: i + 1, image_id: 1, category_id: b.category_id ?? 1, bbox: b.bbox, area: b.bbox[2] * b.bbox[3], iscrowd: b.iscrowd ?? 0 })),
});
const det = (bbox: Box, score: number, category_id = 1): CocoResult => ({ image_id: 1, category_id, bbox, score });

// Three books side by side, 20 x 80 each.
const SHELF = scene([{ bbox: [0, 0, 20, 80] }, { bbox: [20, 0, 20, 80] }, { bbox: [40, 0, 20, 80] }]);
const SHELF_DETS = [
  det([0, 0, 20, 80], 0.9), // TP on book 1
  det([2, 0, 20, 80], 0.8), // book 1 again: IoU 18*80 / (1600 + 1600 - 1440) = 1440/1760 = 0.818 -> duplicate
  det([0, 0, 60, 80], 0.7), // over all three: IoU with each 1600/4800 = 0.33 (no TP), covers 100 % of 3 books -> group box
  det([150, 10, 20, 20], 0.6), // nothing there -> plain FP
];

describe('crowd metrics', () => {
  it('a bookshelf: TP, duplicate, group box, plain FP; P/R/F1, rates, swallowed books, near-duplicate pairs, JI', () => {
    const e = evaluateCrowd(SHELF, SHELF_DETS, { scoreThreshold: 0.5 });
    const im = e.images[0]!;
    expect(im.detections.map((d) => d.kind)).toEqual(['tp', 'dupe', 'group', 'fp']);
    expect([im.gt, im.pred, im.matched, im.duplicates, im.groupBoxes]).toEqual([3, 4, 1, 1, 1]);
    // Books 2 and 3: no TP, covered by the group box.
    expect(im.swallowed).toBe(2);
    expect(im.groundTruth.map((g) => g.kind)).toEqual(['matched', 'swallowed', 'swallowed']);
    // P = 1/4, R = 1/3, F1 = 2 (1/4)(1/3) / (1/4 + 1/3) = (1/6) / (7/12) = 2/7.
    expect(im.precision).toBe(0.25);
    expect(im.recall).toBeCloseTo(1 / 3, 15);
    expect(im.f1).toBeCloseTo(2 / 7, 15);
    expect(e.overall.duplicateRate).toBe(0.25);
    expect(e.overall.groupRate).toBe(0.25);
    // Pairs of detections with IoU >= 0.5: only (TP, duplicate) at 0.818; the group box has 0.33
    // with the TP, 1440/(4800+1600-1440)=0.29 with the duplicate.
    expect(im.nearDuplicatePairs).toBe(1);
    // No two books overlap.
    expect(im.crowdPairs).toBe(0);
    // JI: edges TP->book1, duplicate->book1; maximum matching k = 1; JI = 1 / (4 + 3 - 1) = 1/6.
    expect(im.ji).toBeCloseTo(1 / 6, 15);
  });

  it('the score threshold drops detections before anything is counted', () => {
    // At 0.75 only the TP (0.9) and the duplicate (0.8) remain: P = 1/2, JI = 1 / (2 + 3 - 1) = 1/4.
    const im = evaluateCrowd(SHELF, SHELF_DETS, { scoreThreshold: 0.75 }).images[0]!;
    expect([im.pred, im.matched, im.duplicates, im.groupBoxes, im.swallowed]).toEqual([2, 1, 1, 0, 0]);
    expect(im.precision).toBe(0.5);
    expect(im.ji).toBe(0.25);
  });

  it('classes: a box of another class is neither a match, a duplicate nor a group box', () => {
    const e = evaluateCrowd(SHELF, [det([0, 0, 20, 80], 0.9, 2), det([0, 0, 60, 80], 0.8, 2)]);
    const im = e.images[0]!;
    expect(im.detections.map((d) => d.kind)).toEqual(['fp', 'fp']);
    expect([im.matched, im.duplicates, im.groupBoxes, im.swallowed]).toEqual([0, 0, 0, 0]);
    expect(im.groundTruth.map((g) => g.kind)).toEqual(['missed', 'missed', 'missed']);
  });

  it('a crowd region is not a GT box, and a detection inside it is left out of pred', () => {
    // Person GT [0,0,20,40]; crowd region [100,0,100,100]. d1 hits the person; d2 lies inside the
    // crowd (its area 400, all of it inside: 1 > 0.5): ignored. gt 1, pred 1, P = R = 1.
    const gt = scene([{ bbox: [0, 0, 20, 40], category_id: 2 }, { bbox: [100, 0, 100, 100], category_id: 2, iscrowd: 1 }]);
    const im = evaluateCrowd(gt, [det([0, 0, 20, 40], 0.9, 2), det([120, 20, 20, 20], 0.8, 2)]).images[0]!;
    expect(im.detections.map((d) => d.kind)).toEqual(['tp', 'ignored']);
    expect([im.gt, im.pred, im.matched, im.ignored, im.precision, im.recall]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('crowdedness counts GT pairs of one class with IoU > 0.5', () => {
    // [0,0,20,40] and [2,0,20,40]: IoU 720/880 = 0.818 -> a pair; the third is far away.
    const gt = scene([{ bbox: [0, 0, 20, 40], category_id: 2 }, { bbox: [2, 0, 20, 40], category_id: 2 }, { bbox: [100, 0, 20, 40], category_id: 2 }]);
    const e = evaluateCrowd(gt, []);
    expect(e.images[0]!.crowdPairs).toBe(1);
    expect(e.overall.crowdPairsPerImage).toBe(1);
  });

  it('JI takes the maximum bipartite matching, which a greedy pass can miss; the best threshold is reported', () => {
    // Detection 0 may take GT 0 or 1, detection 1 only GT 0: greedy (0 takes 0) matches 1, the
    // maximum matching (0-1, 1-0) matches 2.
    expect(maximumMatching([[0, 1], [0]], 2)).toBe(2);
    expect(maximumMatching([[0], [0]], 2)).toBe(1);
    // On the shelf, thresholds 0.0 .. 0.9: the JI is 1/6 at <= 0.6 (4 detections), 1/5 at 0.7
    // (3: 1 / (3 + 3 - 1)), 1/4 at 0.8 (2), 1/3 at 0.9 (the TP alone: 1 / (1 + 3 - 1)): best 0.9.
    expect(bestJi(SHELF, SHELF_DETS)).toEqual({ ji: 1 / 3, scoreThreshold: 0.9 });
  });
});
