// Stage-by-stage comparison of detector runs: MTCNN's candidate lists (types.ts StageLists) from two
// runs (two backends, or one backend under two conventions) -> counts per stage, the flips with
// their cause (flips.ts), final-box IoU, and how many candidates lie near each threshold. Runs are
// plain JSON (a GPU run comes from a worker process). Browser-safe.
import { MTCNN_CONVENTIONS } from '../../pipelines/mtcnn/conventions.js';
import type { MtcnnOptions } from '../../pipelines/mtcnn/options.js';
import type { StageCandidate, StageCounts, StageLists } from '../../pipelines/mtcnn/types.js';
import { findFlips, matchBoxes, nearThreshold, type Box, type Flip, type FlipCause, type StageDefinition, type StageRun } from './flips.js';

export interface ImageRun {
  file: string;
  counts: StageCounts;
  lists: StageLists;
  /** Final boxes [x, y, w, h]. */
  faces: Box[];
}

export interface DetectorRun {
  /** e.g. 'lavapipe', 'cpu-f64'. */
  backend: string;
  device: string;
  /** The convention set's name (conventions.ts). */
  convention: string;
  images: ImageRun[];
  /** The same run repeated gave identical lists (GPU backends). */
  deterministic?: boolean;
  /** Where the repeat first differed ('file stage key'). */
  nondeterminism?: string;
  /** The repeat listed some stage's candidates in another order (same values). */
  orderDiffers?: boolean;
}

export const runLabel = (r: Pick<DetectorRun, 'backend' | 'convention'>): string => `${r.backend}/${r.convention}`;

/** MTCNN's stages as flip definitions: PNet lists only passing cells; RNet/ONet pass on score > t. */
export function mtcnnStages(o: Pick<MtcnnOptions, 'thresholds'>): StageDefinition[] {
  const [t1, t2, t3] = o.thresholds;
  return [
    { name: 'pnet', threshold: t1, unscoredBelow: true },
    { name: 'rnet', threshold: t2, strict: true },
    { name: 'onet', threshold: t3, strict: true },
    // The final NMS has no threshold of its own: its inputs all passed ONet's, so a flip there is NMS's.
    { name: 'final', threshold: t3, strict: true },
  ];
}

/** The logit margin of a softmax score (2 classes): log(p / (1 - p)); undefined once p rounds to 1. */
const marginOf = (p: number) => (p < 1 && p > 0 ? Math.log(p / (1 - p)) : undefined);

/**
 * `rankIsMargin`: the lists' NMS order key is the logit margin (nmsOrder 'margin'); otherwise it is
 * the score and the margin is derived from it. The *Scored lists always carry the margin.
 */
function scoredMap(list: readonly StageCandidate[], rankIsMargin: boolean) {
  return new Map(list.map((c) => [c.key, { score: c.score, ...(rankIsMargin ? { margin: c.rank } : marginOf(c.score) !== undefined ? { margin: marginOf(c.score)! } : {}) }]));
}
const keys = (list: readonly StageCandidate[]) => new Set(list.map((c) => c.key));

/** The four stage runs of an image: what each stage scored and what it kept. */
export function mtcnnStageRuns(l: StageLists, rankIsMargin = true): StageRun[] {
  return [
    { scored: scoredMap(l.pnetRaw, rankIsMargin), kept: keys(l.pnet) },
    { scored: scoredMap(l.rnetScored, true), kept: keys(l.rnet) },
    { scored: scoredMap(l.onetScored, true), kept: keys(l.onet) },
    { scored: scoredMap(l.onet, rankIsMargin), kept: keys(l.final) },
  ];
}

const rankIsMargin = (run: DetectorRun) => (MTCNN_CONVENTIONS[run.convention]?.options.nmsOrder ?? 'margin') === 'margin';

/** A flip with the box of the candidate (as the run that kept it had it), for pictures. */
export interface LocatedFlip extends Flip {
  file: string;
  /** [x1, y1, x2, y2], facenet's 1-based inclusive coordinates. */
  box: [number, number, number, number];
}

export interface ImageComparison {
  file: string;
  countsA: StageCounts;
  countsB: StageCounts;
  flips: LocatedFlip[];
  /** Final boxes: mean IoU of the matched pairs (IoU >= 0.5) and the unmatched on each side. */
  finalIou: number;
  onlyA: number;
  onlyB: number;
}

export interface RunComparison {
  a: string;
  b: string;
  /** The runs used different conventions (then first flips are 'convention'). */
  conventionsDiffer: boolean;
  images: ImageComparison[];
  causes: Record<FlipCause, number>;
}

function boxOf(l: StageLists, stage: number, key: number): [number, number, number, number] {
  const lists = [l.pnetRaw, l.rnetScored, l.onetScored, l.onet];
  const found = lists[stage]!.find((c) => c.key === key) ?? [l.pnet, l.rnet, l.onet, l.final][stage]!.find((c) => c.key === key);
  return found ? ([...found.box] as [number, number, number, number]) : [0, 0, 0, 0];
}

export function compareRuns(stages: readonly StageDefinition[], a: DetectorRun, b: DetectorRun): RunComparison {
  const conventionsDiffer = a.convention !== b.convention;
  const causes: Record<FlipCause, number> = { precision: 0, ordering: 0, convention: 0, cascade: 0, missing: 0 };
  const images = a.images.map((ia, i): ImageComparison => {
    const ib = b.images[i]!;
    if (ib.file !== ia.file) throw new Error(`runs ${runLabel(a)} and ${runLabel(b)} list different images (${ia.file} vs ${ib.file})`);
    const flips = findFlips(stages, mtcnnStageRuns(ia.lists, rankIsMargin(a)), mtcnnStageRuns(ib.lists, rankIsMargin(b)), conventionsDiffer).map((f): LocatedFlip => {
      const s = stages.findIndex((d) => d.name === f.stage);
      return { ...f, file: ia.file, box: boxOf(f.keptBy === 'a' ? ia.lists : ib.lists, s, f.key) };
    });
    flips.forEach((f) => causes[f.cause]++);
    const m = matchBoxes(ia.faces, ib.faces);
    return { file: ia.file, countsA: ia.counts, countsB: ib.counts, flips, finalIou: m.meanIou, onlyA: m.onlyA.length, onlyB: m.onlyB.length };
  });
  return { a: runLabel(a), b: runLabel(b), conventionsDiffer, images, causes };
}

export const DELTAS = [1e-4, 1e-3, 1e-2] as const;

export interface StageSensitivity {
  stage: string;
  threshold: number;
  /** Candidates within +-delta of the threshold, summed over the images, per delta. */
  near: Record<string, number>;
  /** PNet lists only cells at or over its threshold: the window there is [t, t + delta]. */
  oneSided: boolean;
}

/** Per stage of one run: how many scored candidates lie near the threshold. */
export function sensitivity(stages: readonly StageDefinition[], run: DetectorRun): StageSensitivity[] {
  return stages.slice(0, 3).map((stage, s) => {
    const near: Record<string, number> = Object.fromEntries(DELTAS.map((d) => [String(d), 0]));
    for (const image of run.images) {
      const scores = [...mtcnnStageRuns(image.lists)[s]!.scored.values()].map((v) => v.score);
      for (const [d, n] of Object.entries(nearThreshold(scores, stage.threshold, DELTAS))) near[d]! += n;
    }
    return { stage: stage.name, threshold: stage.threshold, near, oneSided: !!stage.unscoredBelow };
  });
}

/** A float as its bits tell it: -0 is shown (it differs from 0 bit for bit). */
const exact = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

const byKey = (list: readonly StageCandidate[]) => [...list].sort((x, y) => x.key - y.key);

/**
 * Where two runs of the same thing first differ (undefined when identical): every list compared as
 * a set of candidates by key, each value bit for bit. Lists filled by atomic appends (PNet's cells,
 * a stage's passes) may come in another order on a multi-threaded adapter (SwiftShader does this);
 * `orderDiffers` says whether any did.
 */
export function firstDifference(a: DetectorRun, b: DetectorRun): { where?: string; orderDiffers: boolean } {
  let orderDiffers = false;
  for (const [i, ia] of a.images.entries()) {
    const ib = b.images[i]!;
    for (const stage of Object.keys(ia.lists) as Array<keyof StageLists>) {
      if (ia.lists[stage].length !== ib.lists[stage].length) return { where: `${ia.file} ${stage}: ${ia.lists[stage].length} vs ${ib.lists[stage].length} candidates`, orderDiffers };
      if (ia.lists[stage].some((c, k) => c.key !== ib.lists[stage][k]!.key)) orderDiffers = true;
      const la = byKey(ia.lists[stage]);
      const lb = byKey(ib.lists[stage]);
      for (const [k, ca] of la.entries()) {
        const cb = lb[k]!;
        if (ca.key !== cb.key) return { where: `${ia.file} ${stage}: key ${ca.key} vs ${cb.key}`, orderDiffers };
        const field = !Object.is(ca.score, cb.score) ? `score ${exact(ca.score)} vs ${exact(cb.score)}` : !Object.is(ca.rank, cb.rank) ? `logit margin ${exact(ca.rank)} vs ${exact(cb.rank)}` : ca.box.some((v, j) => !Object.is(v, cb.box[j])) ? `box ${ca.box.map(exact).join(',')} vs ${cb.box.map(exact).join(',')}` : undefined;
        const signOfZero = ca.score === cb.score && ca.rank === cb.rank && ca.box.every((v, j) => v === cb.box[j]);
        if (field) return { where: `${ia.file} ${stage} key ${ca.key}: ${field}${signOfZero ? ' (the sign of a zero: equal values, different bits)' : ''}`, orderDiffers };
      }
    }
    if (ia.faces.some((f, k) => f.some((v, j) => !Object.is(v, ib.faces[k]?.[j])))) return { where: `${ia.file} final boxes`, orderDiffers };
  }
  return { orderDiffers };
}
