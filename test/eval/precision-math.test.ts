// The precision-study math on hand-made cases: ULP distances (signs, +-0, subnormals, NaN,
// infinities), tensor statistics, the first departing layer, IoU matching, flip detection and
// attribution, threshold sensitivity.
import { describe, expect, it } from 'vitest';
import { compareTensors, firstDeparture, orderedBits, ulpBucket, ulpDistance } from '../../src/eval/precision/compare.js';
import { findFlips, iou, matchBoxes, nearThreshold, type StageRun } from '../../src/eval/precision/flips.js';
import { firstDifference, type DetectorRun } from '../../src/eval/precision/stages.js';

const MIN_SUBNORMAL = 2 ** -149;
const MIN_NORMAL = 2 ** -126;
const ONE_ULP_AT_1 = 2 ** -23;

describe('ULP distance', () => {
  it('counts float32 steps with a sign; +0 and -0 are equal; crossing zero counts the steps on both sides', () => {
    expect(ulpDistance(1, 1)).toBe(0);
    expect(ulpDistance(1 + ONE_ULP_AT_1, 1)).toBe(1);
    expect(ulpDistance(1, 1 + ONE_ULP_AT_1)).toBe(-1);
    expect(ulpDistance(1 + 3 * ONE_ULP_AT_1, 1)).toBe(3);
    expect(ulpDistance(0, -0)).toBe(0);
    expect(ulpDistance(MIN_SUBNORMAL, -MIN_SUBNORMAL)).toBe(2);
    expect(ulpDistance(MIN_SUBNORMAL, 0)).toBe(1);
    expect(ulpDistance(-MIN_SUBNORMAL, 0)).toBe(-1);
    // Subnormals are steps like any other: the largest subnormal is one step below the smallest normal.
    expect(ulpDistance(MIN_NORMAL, MIN_NORMAL - MIN_SUBNORMAL)).toBe(1);
    expect(ulpDistance(MIN_NORMAL, 0)).toBe(2 ** 23);
    // Below 1 the step halves: 1 - 2^-24 is one step below 1.
    expect(ulpDistance(1, 1 - 2 ** -24)).toBe(1);
    // float64 values are rounded to float32 first.
    expect(ulpDistance(1 + 1e-12, 1)).toBe(0);
  });

  it('NaN equals only NaN; infinities are the ends of the line', () => {
    expect(ulpDistance(Number.NaN, Number.NaN)).toBe(0);
    expect(ulpDistance(Number.NaN, 1)).toBe(Infinity);
    expect(ulpDistance(1, Number.NaN)).toBe(Infinity);
    expect(ulpDistance(Infinity, 3.4028234663852886e38)).toBe(1);
    expect(orderedBits(-Infinity)).toBe(-orderedBits(Infinity));
    expect(ulpBucket(Infinity)).toBe('NaN');
    expect(['0', '1', '2-3', '4-15', '16-255', '256-65535', '65536+'].map((_, k) => ulpBucket([0, 1, 3, 15, 255, 65535, 65536][k]!))).toEqual(['0', '1', '2-3', '4-15', '16-255', '256-65535', '65536+']);
    expect(ulpBucket(-2)).toBe('2-3');
  });
});

describe('tensor statistics', () => {
  it('max abs, max rel (ignoring tiny references), relative L2, ULP histogram and median, non-finite count', () => {
    const ref = [1, -2, 4, 1e-9, 0];
    const a = [1, -2 - 2 * 2 * ONE_ULP_AT_1, 4 + 0.5, 1e-9 + 1e-9, 0];
    const c = compareTensors(a, ref);
    expect(c.count).toBe(5);
    expect(c.maxAbs).toBeCloseTo(0.5, 12);
    expect(c.worst).toBe(2);
    // 1e-9 is below 1e-6 of max |ref|: its 100 % relative error is not counted.
    expect(c.maxRel).toBeCloseTo(0.125, 12);
    expect(c.relL2).toBeCloseTo(Math.hypot(0.5, 4 * ONE_ULP_AT_1, 1e-9) / Math.hypot(1, 2, 4, 1e-9), 12);
    expect(c.histogram['0']).toBe(2);
    expect(c.histogram['2-3']).toBe(1);
    expect(c.histogram['65536+']).toBe(2);
    expect(c.maxUlp).toBeGreaterThan(2 ** 20);
    expect(c.medianUlp).toBe(2);
    expect(c.nonFinite).toBe(0);
    const withNaN = compareTensors([1, Number.NaN, 2], [1, 1, Infinity]);
    expect(withNaN.nonFinite).toBe(2);
    expect(withNaN.histogram.NaN).toBe(1);
    expect(() => compareTensors([1], [1, 2])).toThrow(/1 values vs 2/);
  });

  it('the first departing layer is the first over tolerance, or the first with non-finite values', () => {
    const ok = compareTensors([1, 2], [1, 2]);
    const off = compareTensors([1, 2.01], [1, 2]);
    const nan = compareTensors([1, Number.NaN], [1, 2]);
    expect(firstDeparture([{ name: 'conv1', comparison: ok }, { name: 'prelu1', comparison: off }, { name: 'conv2', comparison: nan }], { relL2: 1e-3 })).toBe('prelu1');
    expect(firstDeparture([{ name: 'conv1', comparison: ok }, { name: 'conv2', comparison: nan }], { relL2: 1 })).toBe('conv2');
    expect(firstDeparture([{ name: 'conv1', comparison: ok }], { relL2: 1e-6 })).toBeUndefined();
    // A near-zero tensor flushed to 0: relL2 1 (||a - b|| = ||b||), every value within 1e-11.
    const flushed = compareTensors([0, 0], [1e-11, 2e-11]);
    expect(flushed.relL2).toBe(1);
    expect(firstDeparture([{ name: 'sigmoid', comparison: flushed }], { relL2: 1e-5 })).toBe('sigmoid');
    expect(firstDeparture([{ name: 'sigmoid', comparison: flushed }], { relL2: 1e-5, abs: 1e-6 })).toBeUndefined();
    // Both bounds must be exceeded: 2.01 vs 2 is 1e-2 off, over abs 1e-3.
    expect(firstDeparture([{ name: 'prelu1', comparison: off }], { relL2: 1e-3, abs: 1e-3 })).toBe('prelu1');
    expect(firstDeparture([{ name: 'prelu1', comparison: off }], { relL2: 1e-3, abs: 0.1 })).toBeUndefined();
  });
});

describe('boxes and flips', () => {
  it('IoU and greedy matching by IoU', () => {
    expect(iou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150, 12);
    expect(iou([0, 0, 10, 10], [20, 20, 5, 5])).toBe(0);
    const m = matchBoxes(
      [
        [0, 0, 10, 10],
        [100, 100, 10, 10],
        [50, 50, 10, 10],
      ],
      [
        [1, 0, 10, 10],
        [0, 1, 10, 10],
        [200, 200, 5, 5],
      ],
    );
    // (0, 1) and (0, 0) both overlap box 0 by 9/11; ties go to the lower index in b.
    expect(m.pairs.map((p) => [p[0], p[1]])).toEqual([[0, 0]]);
    expect(m.onlyA).toEqual([1, 2]);
    expect(m.onlyB).toEqual([1, 2]);
    expect(matchBoxes([], []).meanIou).toBe(1);
  });

  it('attributes flips: precision (scores straddle the threshold), ordering (NMS), cascade (an earlier flip), missing, convention', () => {
    const run = (scored: Array<[number, number]>, kept: number[]): StageRun => ({ scored: new Map(scored.map(([k, s]) => [k, { score: s, margin: Math.log(s / (1 - s)) }])), kept: new Set(kept) });
    const stages = [
      { name: 'pnet', threshold: 0.6 },
      { name: 'rnet', threshold: 0.7 },
    ];
    const a = [run([[1, 0.6000001], [2, 0.9], [3, 0.8], [4, 0.95]], [1, 2, 3, 4]), run([[1, 0.9], [2, 0.5], [3, 0.9], [4, 0.99]], [1, 3, 4])];
    // b: key 1 falls below PNet's threshold; key 3 is suppressed by NMS at PNet; key 4 never scored at RNet.
    const b = [run([[1, 0.5999999], [2, 0.9], [3, 0.8], [4, 0.95]], [2, 4]), run([[2, 0.5], [4, 0.99], [5, 0.8]], [5])];
    const flips = findFlips(stages, a, b, false);
    expect(flips.map((f) => [f.stage, f.key, f.keptBy, f.cause])).toEqual([
      ['pnet', 1, 'a', 'precision'],
      ['pnet', 3, 'a', 'ordering'],
      ['rnet', 1, 'a', 'cascade'],
      ['rnet', 3, 'a', 'cascade'],
      ['rnet', 4, 'a', 'ordering'],
      ['rnet', 5, 'b', 'missing'],
    ]);
    expect(flips[0]!.scoreA).toBe(0.6000001);
    expect(flips[0]!.scoreB).toBe(0.5999999);
    expect(flips[0]!.marginA).toBeCloseTo(Math.log(0.6000001 / 0.3999999), 12);
    // The same difference between two conventions: every first flip is 'convention'.
    expect(findFlips(stages, a, b, true).map((f) => f.cause)).toEqual(['convention', 'convention', 'cascade', 'cascade', 'convention', 'convention']);
    expect(findFlips(stages, a, a, false)).toEqual([]);
  });

  it('a stage listing only passing candidates: absence on one side is a precision flip with that side below the threshold; strict thresholds', () => {
    const run = (scored: Array<[number, number]>, kept: number[]): StageRun => ({ scored: new Map(scored.map(([k, s]) => [k, { score: s }])), kept: new Set(kept) });
    const pnet = { name: 'pnet', threshold: 0.6, unscoredBelow: true };
    // Key 7 passed in a only (b's list omits it: its score there was < 0.6).
    const flips = findFlips([pnet], [run([[7, 0.6000002], [8, 0.9]], [7, 8])], [run([[8, 0.9]], [8])], false);
    expect(flips).toEqual([{ stage: 'pnet', key: 7, keptBy: 'a', scoreA: 0.6000002, threshold: 0.6, cause: 'precision', belowThreshold: 'b' }]);
    // Without the flag the same lists say 'missing'.
    expect(findFlips([{ name: 'pnet', threshold: 0.6 }], [run([[7, 0.6000002]], [7])], [run([], [])], false)[0]!.cause).toBe('missing');
    // RNet passes score > 0.7: 0.7 exactly fails, so 0.7 vs 0.7000001 straddles it.
    const rnet = { name: 'rnet', threshold: 0.7, strict: true };
    expect(findFlips([rnet], [run([[1, 0.7000001]], [1])], [run([[1, 0.7]], [])], false)[0]!.cause).toBe('precision');
    // With >= the same pair would both pass: the difference is then NMS's.
    expect(findFlips([{ name: 'rnet', threshold: 0.7 }], [run([[1, 0.7000001]], [1])], [run([[1, 0.7]], [])], false)[0]!.cause).toBe('ordering');
  });

  it('counts candidates near a threshold per delta', () => {
    expect(nearThreshold([0.6, 0.60005, 0.6009, 0.605, 0.7, 0.5], 0.6)).toEqual({ '0.0001': 2, '0.001': 3, '0.01': 4 });
  });

  it('determinism: the same candidates in another order are identical (order noted); one bit of one score is not', () => {
    const c = (key: number, score: number) => ({ box: [1, 2, 30, 40] as [number, number, number, number], score, rank: 0.5, key });
    const lists = (raw: ReturnType<typeof c>[]) => ({ pnet: [], rnet: [], onet: [], final: [], pnetRaw: raw, rnetScored: [], onetScored: [] });
    const runOf = (raw: ReturnType<typeof c>[]): DetectorRun => ({ backend: 'x', device: 'x', convention: 'facenet', images: [{ file: 'a.jpg', counts: { pnet: 0, rnet: 0, onet: 0, final: 0 }, lists: lists(raw), faces: [[0, 0, 5, 5]] }] });
    const a = runOf([c(3, 0.7), c(9, 0.8)]);
    expect(firstDifference(a, runOf([c(3, 0.7), c(9, 0.8)]))).toEqual({ orderDiffers: false });
    expect(firstDifference(a, runOf([c(9, 0.8), c(3, 0.7)]))).toEqual({ orderDiffers: true });
    const nudged = Math.fround(0.8) + 2 ** -24; // the next float32 above 0.8's
    expect(firstDifference(a, runOf([c(3, 0.7), c(9, nudged)])).where).toBe(`a.jpg pnetRaw key 9: score 0.8 vs ${nudged}`);
    expect(firstDifference(a, runOf([c(3, 0.7)])).where).toBe('a.jpg pnetRaw: 2 vs 1 candidates');
    // -0 and 0 are equal values with different bits: a difference, named as such.
    const zero = runOf([{ ...c(3, 0.7), box: [0, 2, 30, 40] }]);
    const negativeZero = runOf([{ ...c(3, 0.7), box: [-0, 2, 30, 40] }]);
    expect(firstDifference(zero, negativeZero).where).toBe('a.jpg pnetRaw key 3: box 0,2,30,40 vs -0,2,30,40 (the sign of a zero: equal values, different bits)');
  });
});
