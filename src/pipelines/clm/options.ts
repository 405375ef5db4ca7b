// The fitting schedule: rounds of (responses at a window size, then regularised mean-shift
// iterations each with its KDE variance and regularisation). Defaults follow clmtrackr (window 11;
// rho 10, 5, 1 as both the KDE variance and the prior's weight), repeated over rounds because a
// still image gets no next frame (clmtrackr re-runs its round on every frame until its 10-frame
// movement average settles). Everything is an option.
//   Convergence, in reference (model) units so that it does not depend on the face's size, as the
//   RMS point movement: an iteration moving less than `convergence` ends its stage early (OpenFace
//   breaks out of a window size the same way); a stage that repeats the previous one (same window)
//   and finds the shape within `roundConvergence` of where the previous stage started stops the
//   face. Measured on the 39 sample photos with clmtrackr's round (ws 11; rho 10, 5, 1): the last
//   iteration of a round still moves 0.1-0.3 reference units (the three rho pull towards different
//   equilibria), while whole rounds settle to < 0.1 after 4-10 rounds.
import type { CommonDetectOptions } from '../floor/batch.js';
import type { SvmResponse } from './model.js';

export interface ClmIteration {
  /** Mean-shift KDE variance, in reference (model) units squared. */
  sigma2: number;
  /** Weight of the shape prior: Lambda = reg / eigenvalue per mode. */
  reg: number;
}

export interface ClmStage {
  /** Response window side (odd): the search range is +-(ws - 1) / 2 reference units. */
  windowSize: number;
  iterations: ClmIteration[];
}

export interface ClmOptions {
  stages: ClmStage[];
  /** Response types averaged (clmtrackr: 'raw' alone by default). */
  responses: SvmResponse[];
  /** An iteration moving the points less than this (RMS, reference units) ends its stage. */
  convergence: number;
  /** A repeated stage moving the points less than this (RMS, reference units) stops the face. */
  roundConvergence: number;
}

const CLMTRACKR_ROUND: ClmStage = { windowSize: 11, iterations: [{ sigma2: 10, reg: 10 }, { sigma2: 5, reg: 5 }, { sigma2: 1, reg: 1 }] };

export const DEFAULT_CLM_OPTIONS: Readonly<ClmOptions> = {
  stages: Array.from({ length: 10 }, () => CLMTRACKR_ROUND),
  responses: ['raw'],
  convergence: 0.005,
  roundConvergence: 0.08,
};

export interface ClmFitOptions extends Partial<ClmOptions>, CommonDetectOptions {}

/** A schedule with the given window sizes, each a clmtrackr round. */
export function clmSchedule(windows: readonly number[]): ClmStage[] {
  return windows.map((windowSize) => ({ windowSize, iterations: CLMTRACKR_ROUND.iterations.map((i) => ({ ...i })) }));
}

export function resolveClmOptions(input: Partial<ClmOptions> = {}): ClmOptions {
  const o: ClmOptions = { stages: input.stages ?? DEFAULT_CLM_OPTIONS.stages, responses: input.responses ?? DEFAULT_CLM_OPTIONS.responses, convergence: input.convergence ?? DEFAULT_CLM_OPTIONS.convergence, roundConvergence: input.roundConvergence ?? DEFAULT_CLM_OPTIONS.roundConvergence };
  const bad = (what: string, v: unknown): never => {
    throw new RangeError(`CLM option ${what} = ${JSON.stringify(v)} is invalid`);
  };
  if (!Array.isArray(o.stages) || o.stages.length === 0) bad('stages (at least one)', o.stages);
  o.stages.forEach((s, k) => {
    if (!(Number.isInteger(s.windowSize) && s.windowSize >= 1 && s.windowSize % 2 === 1 && s.windowSize <= 31)) bad(`stages[${k}].windowSize (odd, 1..31: (ws - 1) / 2 must be whole)`, s.windowSize);
    if (!Array.isArray(s.iterations) || s.iterations.length === 0) bad(`stages[${k}].iterations`, s.iterations);
    s.iterations.forEach((it, j) => {
      if (!(it.sigma2 > 0)) bad(`stages[${k}].iterations[${j}].sigma2 (> 0)`, it.sigma2);
      if (!(it.reg >= 0)) bad(`stages[${k}].iterations[${j}].reg (>= 0)`, it.reg);
    });
  });
  if (o.responses.length === 0 || o.responses.some((r) => !['raw', 'sobel', 'lbp'].includes(r))) bad("responses ('raw', 'sobel', 'lbp')", o.responses);
  if (!(o.convergence >= 0)) bad('convergence (>= 0)', o.convergence);
  if (!(o.roundConvergence >= 0)) bad('roundConvergence (>= 0)', o.roundConvergence);
  return o;
}
