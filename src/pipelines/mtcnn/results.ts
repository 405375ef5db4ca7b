// The one readback of an MTCNN batch -> typed detections per image.
import { decodeCandidates, type CandidateRecord } from './candidates.js';
import type { BatchPlan } from './plan.js';
import { toXywh, type ImageDetections, type StageCandidate } from './types.js';

export interface BatchReadback {
  counts: Uint32Array;
  final: ArrayBuffer;
  landmarks: Float32Array;
  /** With `stages`: the RNet batch, the ONet batch and the ONet survivors. */
  stageLists?: [ArrayBuffer, ArrayBuffer, ArrayBuffer];
}

const asStage = (list: CandidateRecord[]): StageCandidate[] => list.map((k) => ({ box: k.box, score: k.score, rank: k.rank, key: k.key }));

export function decodeBatch(plan: BatchPlan, sizes: ReadonlyArray<{ width: number; height: number }>, data: BatchReadback): ImageDetections[] {
  const c = plan.counters;
  const cnt = data.counts;
  const oCap = plan.caps.onet;
  return sizes.map((size, i): ImageDetections => {
    const final = decodeCandidates(data.final, i * oCap, cnt[c.final + i]!);
    const result: ImageDetections = {
      width: size.width,
      height: size.height,
      faces: final.map((k) => ({
        box: toXywh(k.box),
        score: k.score,
        landmarks: Array.from({ length: 5 }, (_, j) => [data.landmarks[10 * k.aux + j]!, data.landmarks[10 * k.aux + 5 + j]!] as [number, number]),
      })),
      stages: { pnet: cnt[c.pnet + i]!, rnet: cnt[c.rnet + i]!, onet: cnt[c.onetPassed + i]!, final: cnt[c.final + i]! },
    };
    if (data.stageLists) {
      const [rnetBatch, onetBatch, onetPassed] = data.stageLists;
      result.candidates = {
        pnet: asStage(decodeCandidates(rnetBatch, cnt[c.rnetStart + i]!, cnt[c.pnet + i]!)),
        rnet: asStage(decodeCandidates(onetBatch, cnt[c.onetStart + i]!, cnt[c.rnet + i]!)),
        onet: asStage(decodeCandidates(onetPassed, i * oCap, cnt[c.onetPassed + i]!)),
        final: asStage(final),
      };
    }
    return result;
  });
}
