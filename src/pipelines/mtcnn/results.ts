// The one readback of an MTCNN batch -> typed detections per image.
import { decodeCandidates, type CandidateRecord } from './candidates.js';
import type { BatchPlan } from './plan.js';
import type { BatchBuffers } from './stages.js';
import { toXywh, type ImageDetections, type StageCandidate } from './types.js';

/** With `stages`: the lists a stage diagnosis reads back besides the final ones. */
export interface StageLists {
  /** PNet cells at or over the threshold, per (image, level) segment, before any NMS. */
  raw: ArrayBuffer;
  rnetBatch: ArrayBuffer;
  onetBatch: ArrayBuffer;
  onetPassed: ArrayBuffer;
  /** Score and logit margin of every RNet / ONet input, in batch order. */
  rnetScores: Float32Array;
  onetScores: Float32Array;
}

/** The buffers behind StageLists, in its order. */
export function stageBuffers(buf: BatchBuffers): GPUBuffer[] {
  return [buf.raw, buf.rnetBatch, buf.onetBatch, buf.onetPassed, buf.rnetScores!, buf.onetScores!];
}

export function stageLists(data: readonly ArrayBuffer[]): StageLists {
  const [raw, rnetBatch, onetBatch, onetPassed, rnetScores, onetScores] = data as [ArrayBuffer, ArrayBuffer, ArrayBuffer, ArrayBuffer, ArrayBuffer, ArrayBuffer];
  return { raw, rnetBatch, onetBatch, onetPassed, rnetScores: new Float32Array(rnetScores), onetScores: new Float32Array(onetScores) };
}

export interface BatchReadback {
  counts: Uint32Array;
  final: ArrayBuffer;
  landmarks: Float32Array;
  stageLists?: StageLists;
}

const asStage = (list: CandidateRecord[]): StageCandidate[] => list.map((k) => ({ box: k.box, score: k.score, rank: k.rank, key: k.key }));

/** A stage's inputs with the scores the stage's network gave them. */
const scoredBy = (list: CandidateRecord[], first: number, scores: Float32Array): StageCandidate[] =>
  list.map((k, i) => ({ box: k.box, score: scores[2 * (first + i)]!, rank: scores[2 * (first + i) + 1]!, key: k.key }));

export function decodeBatch(plan: BatchPlan, sizes: ReadonlyArray<{ width: number; height: number }>, data: BatchReadback, boxes: 'facenet' | 'face-api' = 'facenet'): ImageDetections[] {
  const c = plan.counters;
  const cnt = data.counts;
  const oCap = plan.caps.onet;
  return sizes.map((size, i): ImageDetections => {
    const final = decodeCandidates(data.final, i * oCap, cnt[c.final + i]!);
    const result: ImageDetections = {
      width: size.width,
      height: size.height,
      faces: final.map((k) => ({
        box: toXywh(k.box, boxes),
        score: k.score,
        landmarks: Array.from({ length: 5 }, (_, j) => [data.landmarks[10 * k.aux + j]!, data.landmarks[10 * k.aux + 5 + j]!] as [number, number]),
      })),
      stages: { pnet: cnt[c.pnet + i]!, rnet: cnt[c.rnet + i]!, onet: cnt[c.onetPassed + i]!, final: cnt[c.final + i]! },
    };
    if (data.stageLists) {
      const l = data.stageLists;
      const rnetInputs = decodeCandidates(l.rnetBatch, cnt[c.rnetStart + i]!, cnt[c.pnet + i]!);
      const onetInputs = decodeCandidates(l.onetBatch, cnt[c.onetStart + i]!, cnt[c.rnet + i]!);
      result.candidates = {
        pnet: asStage(rnetInputs),
        rnet: asStage(onetInputs),
        onet: asStage(decodeCandidates(l.onetPassed, i * oCap, cnt[c.onetPassed + i]!)),
        final: asStage(final),
        pnetRaw: plan.segments.flatMap((s, si) => (s.image === i ? asStage(decodeCandidates(l.raw, s.offset, Math.min(cnt[c.raw + si]!, s.capacity))) : [])),
        rnetScored: scoredBy(rnetInputs, cnt[c.rnetStart + i]!, l.rnetScores),
        onetScored: scoredBy(onetInputs, cnt[c.onetStart + i]!, l.onetScores),
      };
    }
    return result;
  });
}
