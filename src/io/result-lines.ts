// The JSON line of one image's result, as `detect` writes it and the page downloads it (browser-
// safe: both produce their lines here, so they are the same bytes for the same results). Boxes
// and points to 0.01 px, scores to 6 digits.
import type { ClmDiagnostics, ClmFit } from '../pipelines/clm/types.js';
import type { GridDetections } from '../pipelines/grid/types.js';
import type { ImageDetections, StageCandidate } from '../pipelines/mtcnn/types.js';
import type { TextResult } from '../pipelines/textdet/detector.js';

export type Line = Record<string, unknown>;

export const round = (v: number, digits: number) => Number(v.toFixed(digits));
const r = round;

/** MTCNN's result of one image, with each face's fitted landmark shape under --landmarks clm. */
export type FaceResult = ImageDetections & { shapes?: ClmFit[] };

export function faceLine(file: string, r: FaceResult): Line {
  return {
    file,
    width: r.width,
    height: r.height,
    faces: r.faces.map((f, i) => ({
      box: f.box.map((v) => round(v, 2)),
      score: round(f.score, 6),
      landmarks: f.landmarks.map(([x, y]) => [round(x, 2), round(y, 2)]),
      ...(r.shapes?.[i] ? { shape: shapeLine(r.shapes[i]) } : {}),
    })),
    stages: r.stages,
    ...(r.shrunk ? { shrunk: r.shrunk } : {}),
    ...(r.candidates
      ? { candidates: Object.fromEntries((Object.entries(r.candidates) as Array<[string, StageCandidate[]]>).map(([stage, list]) => [stage, list.map((c) => ({ box: c.box.map((v) => round(v, 2)), score: round(c.score, 6), margin: round(c.rank, 4), key: c.key }))])) }
      : {}),
  };
}

export function textLine(file: string, r: TextResult): Line {
  return {
    file,
    width: r.width,
    height: r.height,
    polygons: r.boxes.map((b) => b.polygon),
    scores: r.boxes.map((b) => round(b.score, 6)),
    components: r.components,
    network: [r.networkWidth, r.networkHeight],
  };
}

export function gridLine(file: string, r: GridDetections): Line {
  return {
    file,
    width: r.width,
    height: r.height,
    detections: r.detections.map((d) => ({ box: d.box.map((v) => round(v, 2)), score: round(d.score, 6), class: d.class, ...(d.label !== undefined ? { label: d.label } : {}) })),
    ...(r.candidateList ? { candidates: r.candidateList.map((d) => ({ box: d.box.map((v) => round(v, 2)), score: round(d.score, 6), class: d.class })) } : {}),
  };
}


/** A fit as it goes into the JSON line (points to 0.01 px). */
export function shapeLine(fit: ClmFit): Record<string, unknown> {
  return {
    model: fit.model,
    points: fit.points.map(([x, y]) => [r(x, 2), r(y, 2)]),
    converged: fit.converged,
    iterations: fit.iterations,
    likelihood: r(fit.likelihood, 4),
    ...(fit.diagnostics ? { diagnostics: diagnosticsLine(fit.diagnostics) } : {}),
  };
}

function diagnosticsLine(d: ClmDiagnostics): Record<string, unknown> {
  const stats = (s: { min: number; max: number; mean: number; sum: number; nonFinite: number }) => ({ min: r(s.min, 4), max: r(s.max, 4), mean: r(s.mean, 4), sum: r(s.sum, 3), nonFinite: s.nonFinite });
  return {
    stages: d.stages.map((s) => ({
      stage: s.stage,
      windowSize: s.windowSize,
      sigma: s.sigma,
      scale: r(s.scale, 4),
      rotationDeg: r(s.rotationDeg, 2),
      responses: stats(s.responses),
      peakBias: { meanOffsetPx: s.peakBias.meanOffsetPx.map((v) => r(v, 3)), scale: r(s.peakBias.scale, 4), rotationDeg: r(s.peakBias.rotationDeg, 3) },
      landmarks: s.landmarks.map((l) => ({ ...stats(l), peak: l.peak, peakPx: l.peakPx.map((v) => r(v, 2)) })),
    })),
    iterations: d.iterations.map((t) => ({ stage: t.stage, iteration: t.iteration, meanShift: r(t.meanShift, 4), maxShift: r(t.maxShift, 4), stepNorm: r(t.stepNorm, 5), move: r(t.move, 4), clamped: t.clamped })),
  };
}
