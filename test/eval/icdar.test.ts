// ICDAR-2015 evaluation on hand-made cases (no GPU).
import { describe, expect, it } from 'vitest';
import { evaluateImage, summarize } from '../../src/eval/icdar.js';
import { area, clipPolygon, iou, type Polygon } from '../../src/eval/polygon.js';

const rect = (x: number, y: number, w: number, h: number): Polygon => [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
const rotated = (cx: number, cy: number, w: number, h: number, deg: number): Polygon => {
  const a = (deg * Math.PI) / 180;
  return ([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]] as Array<[number, number]>).map(([x, y]) => [cx + x * Math.cos(a) - y * Math.sin(a), cy + x * Math.sin(a) + y * Math.cos(a)] as [number, number]);
};

describe('polygon geometry', () => {
  it('areas and intersections of rectangles, rotated and not, in either orientation', () => {
    expect(area(rect(0, 0, 10, 4))).toBe(40);
    expect(area(clipPolygon(rect(0, 0, 10, 10), rect(5, 5, 10, 10)))).toBeCloseTo(25, 10);
    expect(area(clipPolygon(rect(0, 0, 10, 10), [...rect(5, 5, 10, 10)].reverse()))).toBeCloseTo(25, 10);
    expect(iou(rect(0, 0, 10, 10), rect(20, 20, 5, 5))).toBe(0);
    expect(iou(rect(0, 0, 10, 10), rect(0, 0, 10, 10))).toBeCloseTo(1, 12);
    // A square and itself rotated 45 degrees about the centre: intersection is the regular octagon.
    const octagon = 2 * (1 + Math.SQRT2) * (10 / (1 + Math.SQRT2)) ** 2;
    expect(iou(rotated(0, 0, 10, 10, 0), rotated(0, 0, 10, 10, 45))).toBeCloseTo(octagon / (200 - octagon), 10);
  });
});

describe('ICDAR-2015 matching', () => {
  const lines = [rect(10, 10, 200, 20), rect(10, 34, 200, 20), rect(10, 58, 150, 20)];
  it('exact detections: P = R = H = 1', () => {
    const e = evaluateImage('a', lines.map((polygon) => ({ polygon })), lines);
    expect([e.matched, e.precision, e.recall, e.hmean, e.groupBoxes]).toEqual([3, 1, 1, 1, 0]);
  });
  it('one prediction merging two lines: at most one match and one group box', () => {
    const merged = rect(8, 8, 204, 48); // covers lines 0 and 1
    const e = evaluateImage('b', lines.map((polygon) => ({ polygon })), [merged, lines[2]!]);
    expect(e.matched).toBeLessThanOrEqual(2);
    expect(e.matched).toBe(1); // IoU of the merged box with either line is < 0.5
    expect(e.groupBoxes).toBe(1);
    expect(e.precision).toBe(0.5);
    expect(e.recall).toBeCloseTo(1 / 3, 12);
  });
  it('one-to-one: two detections on one line match once; IoU must exceed 0.5', () => {
    const e = evaluateImage('c', [{ polygon: lines[0]! }], [lines[0]!, rect(12, 10, 200, 20)]);
    expect([e.matched, e.detections]).toEqual([1, 2]);
    const half = evaluateImage('d', [{ polygon: rect(0, 0, 100, 10) }], [rect(0, 0, 100, 20)]); // IoU exactly 0.5
    expect(half.matched).toBe(0);
  });
  it("don't-care regions neither count as missed nor make their detections false", () => {
    const e = evaluateImage('e', [{ polygon: lines[0]! }, { polygon: lines[1]!, ignore: true }], [lines[0]!, lines[1]!]);
    expect([e.gt, e.detections, e.matched, e.precision, e.recall]).toEqual([1, 1, 1, 1, 1]);
  });
  it('the set totals are summed over images before dividing', () => {
    const s = summarize([evaluateImage('a', lines.map((polygon) => ({ polygon })), lines), evaluateImage('f', [{ polygon: lines[0]! }], [])]);
    expect([s.gt, s.detections, s.matched]).toEqual([4, 3, 3]);
    expect(s.recall).toBe(0.75);
    expect(s.precision).toBe(1);
    expect(s.hmean).toBeCloseTo((2 * 0.75) / 1.75, 12);
  });
});
