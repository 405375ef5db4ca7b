// Stage-by-stage comparison of two detector runs (two backends, or one backend under two
// conventions): which candidates were kept by one run and not the other, and why. Candidates are
// identified by a key that survives the stages (MTCNN: the PNet cell). Attribution, first match wins:
//   cascade:    the key already flipped at an earlier stage;
//   convention: the runs differ in a convention (channel order, resampling, ...), not only precision;
//   precision:  both runs scored the candidate and the scores straddle the stage's threshold;
//   ordering:   both runs scored it above the threshold but NMS kept it in one only (a different
//               suppressor: an order or tie change);
//   missing:    one run never scored it (it was not among that run's inputs for another reason).
// A stage that lists only the candidates at or over its threshold (MTCNN's PNet: every cell is
// scored, the list holds those that passed) sets `unscoredBelow`: a candidate absent from one run's
// list scored below the threshold there, so a flip is 'precision' with that side's score unknown.
// Browser-safe.

/** [x, y, w, h] */
export type Box = readonly [number, number, number, number];

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

export interface BoxMatching {
  /** [index in a, index in b, IoU], greedy by IoU (highest first), IoU >= the threshold. */
  pairs: Array<[number, number, number]>;
  onlyA: number[];
  onlyB: number[];
  /** Mean IoU of the pairs (1 when both lists are empty). */
  meanIou: number;
}

/** Greedy one-to-one matching by IoU; `overlap` measures a pair (boxes by default, e.g. polygons). */
export function matchBoxes<T = Box>(a: readonly T[], b: readonly T[], threshold = 0.5, overlap: (x: T, y: T) => number = iou as unknown as (x: T, y: T) => number): BoxMatching {
  const candidates: Array<[number, number, number]> = [];
  a.forEach((x, i) => b.forEach((y, j) => candidates.push([i, j, overlap(x, y)])));
  candidates.sort((p, q) => q[2] - p[2] || p[0] - q[0] || p[1] - q[1]);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: Array<[number, number, number]> = [];
  for (const c of candidates) {
    if (c[2] < threshold || usedA.has(c[0]) || usedB.has(c[1])) continue;
    usedA.add(c[0]);
    usedB.add(c[1]);
    pairs.push(c);
  }
  return {
    pairs,
    onlyA: a.map((_, i) => i).filter((i) => !usedA.has(i)),
    onlyB: b.map((_, j) => j).filter((j) => !usedB.has(j)),
    meanIou: pairs.length ? pairs.reduce((s, p) => s + p[2], 0) / pairs.length : a.length || b.length ? 0 : 1,
  };
}

/** A stage of one run: every candidate it scored (key -> score, margin) and the keys it kept. */
export interface StageRun {
  scored: ReadonlyMap<number, { score: number; margin?: number }>;
  kept: ReadonlySet<number>;
}

export type FlipCause = 'cascade' | 'convention' | 'precision' | 'ordering' | 'missing';

export interface Flip {
  stage: string;
  key: number;
  /** Which run kept it. */
  keptBy: 'a' | 'b';
  scoreA?: number;
  scoreB?: number;
  marginA?: number;
  marginB?: number;
  threshold: number;
  cause: FlipCause;
  /** The run whose score is known only to be below the threshold (see `unscoredBelow`). */
  belowThreshold?: 'a' | 'b';
}

export interface StageDefinition {
  name: string;
  threshold: number;
  /** Passing is score > threshold (RNet, ONet) rather than >= (PNet). */
  strict?: boolean;
  /** Only candidates that passed are listed: absence means the score was below the threshold. */
  unscoredBelow?: boolean;
}

function passes(stage: StageDefinition, score: number): boolean {
  return stage.strict ? score > stage.threshold : score >= stage.threshold;
}

/**
 * The flips of every stage, in order, with their causes. `conventionsDiffer`: the two runs used
 * different conventions (their flips not explained by an earlier flip are then 'convention').
 */
export function findFlips(stages: readonly StageDefinition[], a: readonly StageRun[], b: readonly StageRun[], conventionsDiffer: boolean): Flip[] {
  const flipped = new Set<number>();
  const flips: Flip[] = [];
  stages.forEach((stage, s) => {
    const ra = a[s]!;
    const rb = b[s]!;
    const keys = [...new Set([...ra.kept, ...rb.kept])].sort((x, y) => x - y);
    const now: number[] = [];
    for (const key of keys) {
      const inA = ra.kept.has(key);
      const inB = rb.kept.has(key);
      if (inA === inB) continue;
      const sa = ra.scored.get(key);
      const sb = rb.scored.get(key);
      let cause: FlipCause;
      const below = stage.unscoredBelow && !!sa !== !!sb ? (sa ? 'b' : 'a') : undefined;
      if (flipped.has(key)) cause = 'cascade';
      else if (conventionsDiffer) cause = 'convention';
      else if (sa && sb && passes(stage, sa.score) !== passes(stage, sb.score)) cause = 'precision';
      else if (sa && sb) cause = 'ordering';
      else if (below) cause = 'precision';
      else cause = 'missing';
      flips.push({
        stage: stage.name,
        key,
        keptBy: inA ? 'a' : 'b',
        ...(sa ? { scoreA: sa.score, ...(sa.margin !== undefined ? { marginA: sa.margin } : {}) } : {}),
        ...(sb ? { scoreB: sb.score, ...(sb.margin !== undefined ? { marginB: sb.margin } : {}) } : {}),
        threshold: stage.threshold,
        cause,
        ...(below ? { belowThreshold: below } : {}),
      });
      now.push(key);
    }
    now.forEach((k) => flipped.add(k));
  });
  return flips;
}

/** How many scored candidates lie within +-delta of the threshold, per delta. */
export function nearThreshold(scores: Iterable<number>, threshold: number, deltas: readonly number[] = [1e-4, 1e-3, 1e-2]): Record<string, number> {
  const list = [...scores];
  return Object.fromEntries(deltas.map((d) => [String(d), list.filter((s) => Math.abs(s - threshold) <= d).length]));
}
