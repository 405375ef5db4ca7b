// The batch's readback -> one ClmFit per face (points, flags, likelihood) and, with diagnostics,
// the per-stage response statistics and per-iteration statistics.
import { fitSimilarity } from './init.js';
import * as K from './kernels.js';

/** What decoding needs of a schedule: per stage its window, Sigma mode and iteration slots. */
export interface ScheduleShape {
  stages: Array<{ windowSize: number; sigma: ClmStageDiagnostics['sigma']; iterations: number }>;
}
import type { ClmDiagnostics, ClmFit, ClmIterationStats, ClmStageDiagnostics, LandmarkResponseStats } from './types.js';

export interface ClmReadback {
  output: Float32Array;
  trace: Float32Array;
  stats?: Float32Array;
}

export function decodeFits(modelName: string, o: ScheduleShape, l: K.ClmLayout, faces: number, data: ClmReadback): ClmFit[] {
  const n = l.points;
  const stride = 2 * n + K.OUTPUT_EXTRA;
  return Array.from({ length: faces }, (_, f): ClmFit => {
    const at = f * stride;
    const out = data.output;
    return {
      model: modelName,
      points: Array.from({ length: n }, (_, i) => [out[at + 2 * i]!, out[at + 2 * i + 1]!] as [number, number]),
      converged: out[at + 2 * n]! > 0.5,
      iterations: out[at + 2 * n + 1]!,
      likelihood: out[at + 2 * n + 2]!,
      lastMove: out[at + 2 * n + 3]!,
      ...(data.stats ? { diagnostics: decodeDiagnostics(o, l, f, data.trace, data.stats) } : {}),
    };
  });
}

function decodeIterations(o: ScheduleShape, l: K.ClmLayout, face: number, trace: Float32Array): ClmIterationStats[] {
  const slots = o.stages.flatMap((s, k) => Array.from({ length: s.iterations }, (_, j) => ({ stage: k, iteration: j })));
  return slots.flatMap((s, k) => {
    const t = (face * l.iterations + k) * K.TRACE_FIELDS;
    return trace[t + 5] === 1 ? [{ ...s, meanShift: trace[t]!, maxShift: trace[t + 1]!, stepNorm: trace[t + 2]!, move: trace[t + 3]!, clamped: trace[t + 4]! }] : [];
  });
}

function decodeDiagnostics(o: ScheduleShape, l: K.ClmLayout, face: number, trace: Float32Array, stats: Float32Array): ClmDiagnostics {
  const n = l.points;
  const F = K.STATS_FIELDS;
  // Stages a face skipped (converged before them) are left out.
  const stages = o.stages.flatMap((stage, k): ClmStageDiagnostics[] => {
    const row = (face * o.stages.length + k) * (n + 1);
    const h = (row + n) * F;
    const [a, b] = [stats[h]!, stats[h + 1]!];
    if (stats[h + 3] !== 1) return [];
    const landmarks = Array.from({ length: n }, (_, i): LandmarkResponseStats => {
      const s = (row + i) * F;
      const peak: [number, number] = [stats[s + 5]!, stats[s + 6]!];
      return { min: stats[s]!, max: stats[s + 1]!, mean: stats[s + 2]!, sum: stats[s + 3]!, nonFinite: stats[s + 4]!, peak, peakPx: [a * peak[0] - b * peak[1], b * peak[0] + a * peak[1]] };
    });
    const anchors = landmarks.map((_, i) => [stats[(row + i) * F + 7]!, stats[(row + i) * F + 8]!] as [number, number]);
    return [{
      stage: k,
      windowSize: stage.windowSize,
      sigma: stage.sigma,
      scale: Math.hypot(a, b),
      rotationDeg: (Math.atan2(b, a) * 180) / Math.PI,
      responses: aggregate(landmarks),
      landmarks,
      peakBias: peakBias(anchors, landmarks),
    }];
  });
  return { stages, iterations: decodeIterations(o, l, face, trace) };
}

function aggregate(landmarks: readonly LandmarkResponseStats[]): ClmStageDiagnostics['responses'] {
  return {
    min: Math.min(...landmarks.map((x) => x.min)),
    max: Math.max(...landmarks.map((x) => x.max)),
    mean: landmarks.reduce((s, x) => s + x.mean, 0) / landmarks.length,
    sum: landmarks.reduce((s, x) => s + x.sum, 0),
    nonFinite: landmarks.reduce((s, x) => s + x.nonFinite, 0),
  };
}

/** The similarity anchors -> anchors + peak offsets (least squares, gl-matrix Procrustes). */
function peakBias(anchors: ReadonlyArray<[number, number]>, landmarks: readonly LandmarkResponseStats[]): ClmStageDiagnostics['peakBias'] {
  if (landmarks.length < 2) return { meanOffsetPx: [0, 0], scale: 1, rotationDeg: 0 };
  const moved = anchors.map(([x, y], i) => [x + landmarks[i]!.peakPx[0], y + landmarks[i]!.peakPx[1]] as [number, number]);
  const m = fitSimilarity(anchors, moved);
  const mean = (c: 0 | 1) => landmarks.reduce((s, x) => s + x.peakPx[c], 0) / landmarks.length;
  return { meanOffsetPx: [mean(0), mean(1)], scale: Math.hypot(m[0], m[1]), rotationDeg: (Math.atan2(m[1], m[0]) * 180) / Math.PI };
}
