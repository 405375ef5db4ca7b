// Shared by the MTCNN pipeline tests: the packaged networks, one detector per process, and the
// comparison of GPU results with the float32 CPU reference.
import { basename } from 'node:path';
import { expect } from 'vitest';
import { loadPackagedGraph } from '../../src/io/node-models.js';
import { MtcnnDetector } from '../../src/pipelines/mtcnn/detector.js';
import type { ReferenceDetections } from '../../src/pipelines/mtcnn/reference.js';
import type { MtcnnGraphs } from '../../src/pipelines/mtcnn/types.js';
import type { ImageDetections, StageCandidate } from '../../src/pipelines/mtcnn/types.js';
import { gpu } from './gpu.js';

let graphs: Promise<MtcnnGraphs> | undefined;
let detector: Promise<MtcnnDetector> | undefined;

export function mtcnnGraphs(): Promise<MtcnnGraphs> {
  graphs ??= (async () => ({ pnet: await loadPackagedGraph('mtcnn', 'pnet'), rnet: await loadPackagedGraph('mtcnn', 'rnet'), onet: await loadPackagedGraph('mtcnn', 'onet') }))();
  return graphs;
}

export function mtcnnDetector(): Promise<MtcnnDetector> {
  detector ??= (async () => MtcnnDetector.create(await gpu(), await mtcnnGraphs()))();
  return detector;
}

export function iou(a: readonly number[], b: readonly number[]): number {
  const x1 = Math.max(a[0]!, b[0]!);
  const y1 = Math.max(a[1]!, b[1]!);
  const x2 = Math.min(a[0]! + a[2]!, b[0]! + b[2]!);
  const y2 = Math.min(a[1]! + a[3]!, b[1]! + b[3]!);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  return inter / (a[2]! * a[3]! + b[2]! * b[3]! - inter);
}

const STAGES = ['pnet', 'rnet', 'onet', 'final'] as const;
const NEAR = 1e-5;

export interface Comparison {
  file: string;
  gpu: ImageDetections['stages'];
  cpu: ImageDetections['stages'];
  /** Candidates whose presence differs at a stage, each with its score on both sides. */
  nearThreshold: string[];
  worstIou: number;
  worstLandmarkPx: number;
}

/**
 * Stage counts must be equal, unless a candidate's score lies within 1e-5 of the stage threshold
 * (named in the result); final boxes IoU >= 0.99 and landmarks within 0.5 px.
 */
export function compareWithReference(file: string, got: ImageDetections, ref: ReferenceDetections, thresholds: [number, number, number]): Comparison {
  const name = basename(file);
  const nearThreshold: string[] = [];
  let diverged = false;
  for (const [s, stage] of STAGES.entries()) {
    if (diverged) break;
    const mine = new Map((got.candidates?.[stage] ?? []).map((c) => [c.key, c]));
    const theirs = new Map(ref.candidates[stage].map((c) => [c.key, c]));
    const differing = [...new Set([...mine.keys(), ...theirs.keys()])].filter((k) => mine.has(k) !== theirs.has(k));
    if (differing.length === 0) {
      expect(got.stages[stage], `${name}: ${stage} count`).toBe(ref.stages[stage]);
      continue;
    }
    const threshold = thresholds[Math.min(s, 2)]!;
    const score = (c: StageCandidate | undefined) => (c ? c.score.toFixed(7) : 'absent');
    const near = differing.filter((k) => [mine.get(k), theirs.get(k)].some((c) => c && Math.abs(c.score - threshold) <= NEAR));
    for (const k of differing) nearThreshold.push(`${name} ${stage} candidate key ${k}: GPU ${score(mine.get(k))}, CPU f32 ${score(theirs.get(k))} (threshold ${threshold})`);
    expect(near.length, `${name}: ${stage} lists differ (${nearThreshold.join('; ')}) and no differing candidate is within ${NEAR} of the threshold`).toBeGreaterThan(0);
    // Everything downstream of a threshold flip may legitimately differ.
    diverged = true;
  }
  let worstIou = 1;
  let worstLandmarkPx = 0;
  if (!diverged) checkScoredLists(name, got, ref, thresholds[0]);
  if (!diverged) {
    expect(got.faces.length, `${name}: faces`).toBe(ref.faces.length);
    got.faces.forEach((f, i) => {
      const r = ref.faces[i]!;
      worstIou = Math.min(worstIou, iou(f.box, r.box));
      f.landmarks.forEach((p, j) => (worstLandmarkPx = Math.max(worstLandmarkPx, Math.hypot(p[0] - r.landmarks[j]![0], p[1] - r.landmarks[j]![1]))));
    });
    expect(worstIou, `${name}: final box IoU`).toBeGreaterThanOrEqual(0.99);
    expect(worstLandmarkPx, `${name}: landmark distance`).toBeLessThanOrEqual(0.5);
  }
  return { file: name, gpu: got.stages, cpu: ref.stages, nearThreshold, worstIou, worstLandmarkPx };
}

/**
 * The lists precision studies read: every PNet cell at or over the threshold (a cell present on one
 * side only must lie within 1e-5 of it) and every RNet / ONet input with that network's score, all
 * with scores within 1e-4 of the reference's.
 */
function checkScoredLists(name: string, got: ImageDetections, ref: ReferenceDetections, pnetThreshold: number): void {
  const c = got.candidates!;
  expect(c.rnetScored.map((k) => k.key), `${name}: RNet inputs`).toEqual(ref.candidates.rnetScored.map((k) => k.key));
  expect(c.onetScored.map((k) => k.key), `${name}: ONet inputs`).toEqual(ref.candidates.onetScored.map((k) => k.key));
  // Plain loops, one assertion per list: PNet lists of large photos hold thousands of cells.
  const lists = { pnetRaw: [c.pnetRaw, ref.candidates.pnetRaw], rnetScored: [c.rnetScored, ref.candidates.rnetScored], onetScored: [c.onetScored, ref.candidates.onetScored] } as const;
  for (const [list, [mine, refList]] of Object.entries(lists)) {
    const byKey = new Map(refList.map((k) => [k.key, k]));
    const mineKeys = new Set(mine.map((k) => k.key));
    const problems: string[] = [];
    for (const k of mine) {
      const r = byKey.get(k.key);
      if (!r) {
        if (Math.abs(k.score - pnetThreshold) > 1e-5) problems.push(`key ${k.key} only on the GPU (score ${k.score})`);
      } else if (Math.abs(k.score - r.score) > 1e-4) problems.push(`key ${k.key} score ${k.score} vs ${r.score}`);
    }
    for (const r of refList) if (!mineKeys.has(r.key) && Math.abs(r.score - pnetThreshold) > 1e-5) problems.push(`key ${r.key} only on the CPU (score ${r.score})`);
    expect(problems, `${name}: ${list} (${mine.length} candidates)`).toEqual([]);
  }
}

export function formatTable(rows: Comparison[]): string {
  const head = '| image | GPU pnet/rnet/onet/final | CPU f32 pnet/rnet/onet/final | worst IoU | worst landmark px |';
  const lines = rows.map((r) => `| ${r.file} | ${STAGES.map((s) => r.gpu[s]).join('/')} | ${STAGES.map((s) => r.cpu[s]).join('/')} | ${r.worstIou.toFixed(4)} | ${r.worstLandmarkPx.toFixed(3)} |`);
  return [head, '|---|---|---|---:|---:|', ...lines].join('\n');
}
