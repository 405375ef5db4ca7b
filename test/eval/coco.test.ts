// The COCO evaluator (src/eval/coco.ts, a port of pycocotools' COCOeval) on hand-made cases, one
// rule each; every expected number is derived in the comments from pycocotools' code.
import { describe, expect, it } from 'vitest';
import { boxIou, evaluateCoco, linspace, pyFixed, type CocoAnnotation, type CocoDataset, type CocoResult } from '../../src/eval/coco.js';

type Box = [number, number, number, number];

// pycocotools' precision is tp / (fp + tp + np.spacing(1)): a perfect curve is 1 / (1 + 2^-52) =
// 0.9999999999999998, not 1; means of it print as 1.000. Derived values are compared to 1e-12.
const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(1e-12);
const nearAll = (actual: number[], expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => (expected[i] === -1 ? expect(v).toBe(-1) : near(v, expected[i]!)));
};

function dataset(annotations: Array<Partial<CocoAnnotation> & { image_id: number; bbox: Box }>, images = [1], categories = [1]): CocoDataset {
  return {
    images: images.map((id) => ({ id, file_name: `${id}.jpg`, width: 640, height: 480 })),
    categories: categories.map((id) => ({ id, name: `c${id}` })),
    annotations: annotations.map((a, i) => ({ id: i + 1, category_id: 1, area: a.bbox[2] * a.bbox[3], iscrowd: 0, ...a })),
  };
}
const det = (image_id: number, bbox: Box, score: number, category_id = 1): CocoResult => ({ image_id, category_id, bbox, score });

describe('COCO evaluation (pycocotools COCOeval, boxes)', () => {
  it('thresholds as np.linspace makes them; IoU without +1; crowd IoU over the detection area', () => {
    const t = linspace(0.5, 0.95, 10);
    expect(t[0]).toBe(0.5);
    expect(t[5]).toBe(0.75); // 5 * (0.45 / 9) + 0.5, exactly 0.75: stats[2] finds it
    expect(t[9]).toBe(0.95);
    expect(linspace(0, 1, 101)[7]).toBe(7 * 0.01);
    // [0,0,10,10] vs [5,0,10,10]: intersection 5 * 10 = 50, union 100 + 100 - 50 = 150.
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10], false)).toBeCloseTo(1 / 3, 15);
    // The same pair with the GT a crowd region: 50 / area(detection) = 50 / 100.
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10], true)).toBe(0.5);
    // Touching boxes (w = 0) do not overlap.
    expect(boxIou([0, 0, 10, 10], [10, 0, 10, 10], false)).toBe(0);
  });

  it('one perfect detection of one medium GT: 1 where defined, -1 for empty area ranges, the summary in pycocotools wording', () => {
    // GT 50 x 50: area 2500 is medium (32^2 = 1024 <= 2500 <= 96^2 = 9216): small and large have no
    // GT, so their precision stays -1 and their stats are -1.
    const e = evaluateCoco(dataset([{ image_id: 1, bbox: [10, 10, 50, 50] }]), [det(1, [10, 10, 50, 50], 0.9)]);
    nearAll(e.stats, [1, 1, 1, -1, 1, -1, 1, 1, 1, -1, 1, -1]);
    expect(e.summary[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000');
    expect(e.summary[3]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000');
    expect(e.summary[6]).toBe(' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 1.000');
    expect(e.summary[1]).toBe(' Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 1.000');
  });

  it('an IoU equal to the threshold matches (ious < iou: continue)', () => {
    // GT [0,0,10,10], detection [0,0,10,5]: IoU = 50 / 100 = 0.5 exactly. At t = 0.5 it is a TP:
    // rc = [1], pr = [1], all 101 recall points 1. At t >= 0.55 it is an FP: rc = [0], pr = [0];
    // recall point 0 -> searchsorted gives 0 -> q[0] = 0, point 0.01 -> index 1 = nd: stop; q = 0.
    // AP@[.5:.95] = (101 * 1 + 9 * 101 * 0) / 1010 = 0.1; AP50 = 1; AP75 = 0.
    const e = evaluateCoco(dataset([{ image_id: 1, bbox: [0, 0, 10, 10] }]), [det(1, [0, 0, 10, 5], 0.8)]);
    near(e.stats[0]!, 0.1);
    near(e.stats[1]!, 1);
    expect(e.stats[2]).toBe(0);
    // Recall: 1 at t = 0.5, 0 at the other nine: AR = 0.1 (recall has no eps: exactly 1 / 10).
    expect(e.stats[8]).toBe(0.1);
  });

  it('equal scores keep the results-list order (stable sort): an FP listed first costs half the AP', () => {
    // d1 misses (no overlap), d2 hits; both score 0.9. Stable order [d1, d2]: FP then TP: rc = [0, 1],
    // pr = [0, 0.5] -> right-running max [0.5, 0.5]; every recall point 0..1 maps to index 0 or 1:
    // q = 0.5 everywhere at every threshold: AP = 0.5. Listed the other way round: [TP, FP], rc =
    // [1, 1], pr = [1, 0.5] -> q = pr[0] = 1 everywhere: AP = 1.
    const gt = dataset([{ image_id: 1, bbox: [0, 0, 10, 10] }]);
    const miss = det(1, [20, 20, 10, 10], 0.9);
    const hit = det(1, [0, 0, 10, 10], 0.9);
    near(evaluateCoco(gt, [miss, hit]).stats[0]!, 0.5);
    near(evaluateCoco(gt, [hit, miss]).stats[0]!, 1);
  });

  it('a crowd GT absorbs any number of detections, which are then ignored; it is not counted as a GT', () => {
    // GT 1 regular [0,0,10,10]; GT 2 crowd [50,0,40,40]. d1 hits GT 1; d2 and d3 lie inside the crowd
    // region: IoU = intersection / area(d) = 1, matched to the crowd GT again and again (a matched
    // crowd GT is not skipped), dtIg = gtIg = 1: neither TP nor FP. npig = 1 (the crowd is ignored).
    // Order by score [d2 (.95), d1 (.9), d3 (.8)]: tp cumsum [0, 1, 1], fp [0, 0, 0] -> rc [0, 1, 1],
    // pr [0, 1, 1] -> max from the right [1, 1, 1]: AP = 1, AR = 1.
    const gt = dataset([
      { image_id: 1, bbox: [0, 0, 10, 10] },
      { image_id: 1, bbox: [50, 0, 40, 40], iscrowd: 1 },
    ]);
    const e = evaluateCoco(gt, [det(1, [55, 5, 10, 10], 0.95), det(1, [0, 0, 10, 10], 0.9), det(1, [60, 20, 10, 10], 0.8)]);
    near(e.stats[0]!, 1);
    expect(e.stats[8]).toBe(1);
    // The same detections with the region not a crowd: d2 matches it (IoU 100/1600 < 0.5: no), so
    // d2 and d3 are FPs: order [FP, TP, FP]: rc [0, 0.5, 0.5] (2 GTs now), pr [0, 0.5, 1/3] ->
    // [0.5, 0.5, 1/3]; recall points 0..0.5 -> index 0 or 1 -> 0.5, above 0.5 -> index 3 = nd: 0.
    // 51 of 101 points are 0.5: AP = 51 * 0.5 / 101 at every threshold.
    const plain = evaluateCoco(dataset([
      { image_id: 1, bbox: [0, 0, 10, 10] },
      { image_id: 1, bbox: [50, 0, 40, 40] },
    ]), [det(1, [55, 5, 10, 10], 0.95), det(1, [0, 0, 10, 10], 0.9), det(1, [60, 20, 10, 10], 0.8)]);
    near(plain.stats[0]!, (51 * 0.5) / 101);
  });

  it('a detection matched to a regular GT stops at the ignored ones (break), even when a crowd fits better', () => {
    // GTs sorted ignore-last: [regular [0,0,10,10], crowd [0,0,10,10]]. d [0,0,10,8]: IoU with the
    // regular GT 80/100 = 0.8 (>= t up to 0.8), so m = 0; the next GT is ignored and m is regular:
    // break. It stays a TP for t <= 0.8 (t = .5 .. .8: 7 thresholds) and for t > 0.8 it matches the
    // crowd (IoU 80/80 = 1): ignored, neither TP nor FP, and with no other detection the curve is
    // empty: rc = [0] -> q = [0, 0, ...] (point 0 -> index 0 -> pr 0... pr = tp/(fp+tp+eps) = 0).
    // AP = 7 / 10 = 0.7.
    const gt = dataset([
      { image_id: 1, bbox: [0, 0, 10, 10], iscrowd: 1 },
      { image_id: 1, bbox: [0, 0, 10, 10] },
    ]);
    const e = evaluateCoco(gt, [det(1, [0, 0, 10, 8], 0.9)]);
    near(e.stats[0]!, 0.7);
  });

  it('area ranges read the GT area field, not w * h', () => {
    // A 50 x 50 box (w * h = 2500, medium) whose area field says 500 (small, as a mask area would).
    const e = evaluateCoco(dataset([{ image_id: 1, bbox: [10, 10, 50, 50], area: 500 }]), [det(1, [10, 10, 50, 50], 0.9)]);
    near(e.stats[3]!, 1); // small
    expect(e.stats[4]).toBe(-1); // medium: no GT
  });

  it('maxDets: AR@1 sees the best detection only; stats[0] is defined at maxDets 100 only', () => {
    // Three GTs, three perfect detections scored .9 .8 .7: AR@1 = 1/3, AR@10 = AR@100 = 1.
    const gt = dataset([{ image_id: 1, bbox: [0, 0, 10, 10] }, { image_id: 1, bbox: [20, 0, 10, 10] }, { image_id: 1, bbox: [40, 0, 10, 10] }]);
    const dts = [det(1, [0, 0, 10, 10], 0.9), det(1, [20, 0, 10, 10], 0.8), det(1, [40, 0, 10, 10], 0.7)];
    const e = evaluateCoco(gt, dts);
    near(e.stats[6]!, 1 / 3);
    expect(e.stats[7]).toBe(1);
    // Dense-scene maxDets with 100 kept: the same stats; without 100, stats[0] reads -1 (pycocotools
    // hard-codes maxDets=100 there) while stats[1..] use maxDets[2].
    expect(evaluateCoco(gt, dts, { maxDets: [1, 10, 100, 300] }).stats).toEqual(e.stats);
    const no100 = evaluateCoco(gt, dts, { maxDets: [1, 10, 300] });
    expect(no100.stats[0]).toBe(-1);
    near(no100.stats[1]!, 1);
    expect(no100.summary[1]).toContain('maxDets=300');
  });

  it('detections on an image without GT are false positives; categories without GT or without detections', () => {
    // Image 1: a GT and a detection scored .5; image 2: no GT, a detection scored .9. Category 1:
    // order [FP (.9), TP (.5)]: rc [0, 1], pr [0, .5] -> [.5, .5]: AP = 0.5.
    const one = evaluateCoco(dataset([{ image_id: 1, bbox: [0, 0, 10, 10] }], [1, 2]), [det(1, [0, 0, 10, 10], 0.5), det(2, [0, 0, 10, 10], 0.9)]);
    near(one.stats[0]!, 0.5);
    // Categories 1, 2, 3: category 1 perfect (AP 1); category 2 has a GT and no detection (nd = 0:
    // recall 0, q all 0: AP 0); category 3 has a detection and no GT (npig = 0: stays -1, left out of
    // the mean). Mean AP = (1 + 0) / 2 = 0.5; AR = (1 + 0) / 2.
    const gt = dataset([{ image_id: 1, bbox: [0, 0, 10, 10] }, { image_id: 1, bbox: [30, 0, 10, 10], category_id: 2 }], [1], [1, 2, 3]);
    const e = evaluateCoco(gt, [det(1, [0, 0, 10, 10], 0.9, 1), det(1, [60, 0, 10, 10], 0.9, 3)]);
    near(e.stats[0]!, 0.5);
    expect(e.stats[8]).toBe(0.5);
    // No detections at all: every defined entry is 0.
    expect(evaluateCoco(gt, []).stats[0]).toBe(0);
  });

  it('results for an image the GT does not have are refused, as loadRes asserts', () => {
    expect(() => evaluateCoco(dataset([{ image_id: 1, bbox: [0, 0, 10, 10] }]), [det(7, [0, 0, 10, 10], 0.9)])).toThrow(/image_id 7 is not in the ground truth/);
  });

  it("prints means as Python's '{:0.3f}' (exact ties to even)", () => {
    expect(pyFixed(0.5625, 3)).toBe('0.562');
    expect(pyFixed(0.6875, 3)).toBe('0.688');
    expect(pyFixed(0.0005, 3)).toBe('0.001'); // the double is a hair above 0.0005
    expect(pyFixed(-1, 3)).toBe('-1.000');
  });
});
