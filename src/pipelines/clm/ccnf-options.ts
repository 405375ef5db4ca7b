// The fitting schedule of a CCNF (OpenFace CLNF) model: one stage per scale, coarse to fine, each
// with its window, KDE variance, regularisation, rigid then non-rigid iterations. OpenFace's
// defaults (LandmarkDetectorParameters init(): windows 11, 9, 7, 5; sigma 1.5; reg 25; 5
// iterations) with its per-scale adaptation (reg - 15 log2(ps / 0.25), floored at 0.001; sigma +
// 0.25 log2(ps / 0.25)). The schedule is checked against the model at load: a window without sigma
// components is a named error unless missingSigma is 'diagonal' (src/pipelines/clm/sigma.ts).
import type { CcnfModel } from './ccnf-model.js';
import { sigmaModeOf, type SigmaMode } from './sigma.js';

export interface CcnfStage {
  /** Index into model.scales. */
  scale: number;
  windowSize: number;
  /** KDE variance (reference px^2). */
  sigma2: number;
  reg: number;
  rigidIterations: number;
  iterations: number;
}

export interface CcnfOptions {
  stages: CcnfStage[];
  missingSigma: 'error' | 'diagonal';
  /** An iteration moving the points less than this (RMS, reference px) ends its step (OpenFace: |d shape| < 0.01 image px). */
  convergence: number;
}

export const OPENFACE_WINDOWS: readonly number[] = [11, 9, 7, 5];

export interface OpenFaceScheduleParams {
  windows?: readonly number[];
  sigma?: number;
  reg?: number;
  iterations?: number;
}

/** OpenFace's schedule for this model: stage k at scale k with window k (as many as both have). */
export function openFaceSchedule(model: CcnfModel, p: OpenFaceScheduleParams = {}): CcnfStage[] {
  const windows = p.windows ?? OPENFACE_WINDOWS;
  const stages: CcnfStage[] = [];
  model.scales.forEach((scale, k) => {
    const ws = windows[k];
    if (!ws) return; // OpenFace skips a scale with window 0 (or none)
    const octaves = Math.log2(scale.patchScaling / 0.25);
    const sigma = (p.sigma ?? 1.5) + 0.25 * octaves;
    stages.push({ scale: k, windowSize: ws, sigma2: sigma * sigma, reg: Math.max(0.001, (p.reg ?? 25) - 15 * octaves), rigidIterations: p.iterations ?? 5, iterations: p.iterations ?? 5 });
  });
  return stages;
}

export function resolveCcnfOptions(model: CcnfModel, input: Partial<CcnfOptions> = {}): CcnfOptions {
  const o: CcnfOptions = { stages: input.stages ?? openFaceSchedule(model), missingSigma: input.missingSigma ?? 'error', convergence: input.convergence ?? 0.005 };
  const bad = (what: string, v: unknown): never => {
    throw new RangeError(`CCNF option ${what} = ${JSON.stringify(v)} is invalid`);
  };
  if (o.stages.length === 0) bad('stages (at least one)', o.stages);
  o.stages.forEach((s, k) => {
    if (!(Number.isInteger(s.scale) && s.scale >= 0 && s.scale < model.scales.length)) bad(`stages[${k}].scale (0..${model.scales.length - 1})`, s.scale);
    if (!(Number.isInteger(s.windowSize) && s.windowSize >= 1 && s.windowSize % 2 === 1 && s.windowSize <= 21)) bad(`stages[${k}].windowSize (odd, 1..21)`, s.windowSize);
    if (!(s.sigma2 > 0)) bad(`stages[${k}].sigma2`, s.sigma2);
    if (!(s.reg >= 0)) bad(`stages[${k}].reg`, s.reg);
    if (!(Number.isInteger(s.rigidIterations) && s.rigidIterations >= 0 && Number.isInteger(s.iterations) && s.iterations >= 0 && s.rigidIterations + s.iterations > 0)) bad(`stages[${k}] iterations`, [s.rigidIterations, s.iterations]);
  });
  if (o.missingSigma !== 'error' && o.missingSigma !== 'diagonal') bad("missingSigma ('error' | 'diagonal')", o.missingSigma);
  return o;
}

/** The Sigma mode of every stage; a window without sigma components fails here, before any work. */
export function checkSchedule(model: CcnfModel, o: CcnfOptions): SigmaMode[] {
  return o.stages.map((s, k) => sigmaModeOf(model.scales[s.scale]!, s.windowSize, k, o.missingSigma));
}
