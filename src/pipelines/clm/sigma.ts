// CCNF "Sigma" matrices: for patch expert (scale, view, landmark) and window size ws,
//   Sigma = (2 (sum_k alpha_k I + sum_j beta_j S_j))^-1      (ws^2 x ws^2),
// built in float64 (Cholesky; a matrix that is not positive definite is a named error) once per
// (scale, ws) the schedule uses, every view, and cached. A window size with no sigma components in
// the file is refused against the schedule at load, naming what is missing; missingSigma:
// 'diagonal' accepts OpenFace's silent fallback Sigma = I / (2 sum alpha) (no spatial smoothing).
import type { CcnfModel, CcnfPatch, CcnfScale } from './ccnf-model.js';
import { ClmModelError } from './model.js';

export type SigmaMode = 'components' | 'diagonal';

export interface SigmaSet {
  mode: SigmaMode;
  ws: number;
  /** Per view: n landmarks x ws^2 x ws^2, row-major (zeros for landmarks hidden in the view). */
  views: Float32Array[];
}

export class MissingSigmaError extends ClmModelError {
  constructor(
    readonly scale: CcnfScale,
    readonly stage: number,
    readonly ws: number,
  ) {
    const have = [...scale.sigmaComponents.entries()].filter(([, c]) => c.length > 0).map(([w]) => w);
    super(
      scale.file,
      `CCNF experts at scale ${scale.patchScaling.toFixed(2)} have sigma components for window sizes [${have.join(', ')}]; stage ${stage} requests ws ${ws}. ` +
        `OpenFace silently falls back to Sigma = I / (2 sum alpha) there (no spatial smoothing), and an implementation without that fallback produces responses about 100x too large. ` +
        `Choose a window from [${have.join(', ')}] or set missingSigma: 'diagonal' (CLI --clm-missing-sigma diagonal) to accept OpenFace's fallback.`,
    );
    this.name = 'MissingSigmaError';
  }
}

/** Which Sigma a (scale, ws) gets: from its components, or the diagonal fallback (if allowed). */
export function sigmaModeOf(scale: CcnfScale, ws: number, stage: number, missingSigma: 'error' | 'diagonal'): SigmaMode {
  if ((scale.sigmaComponents.get(ws)?.length ?? 0) > 0) return 'components';
  if (missingSigma === 'diagonal') return 'diagonal';
  throw new MissingSigmaError(scale, stage, ws);
}

/** In-place Cholesky of an SPD matrix (lower triangle); false when it is not positive definite. */
function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j]!;
    for (let k = 0; k < j; k++) s -= a[j * n + k]! * a[j * n + k]!;
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    a[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j]!;
      for (let k = 0; k < j; k++) t -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = t / d;
    }
  }
  return true;
}

/** The inverse of an SPD matrix from its Cholesky factor (lower triangle of l). */
function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    // Solve L y = e_c, then L^T x = y.
    col.fill(0);
    col[c] = 1;
    for (let i = 0; i < n; i++) {
      let s = col[i]!;
      for (let k = 0; k < i; k++) s -= l[i * n + k]! * col[k]!;
      col[i] = s / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = col[i]!;
      for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * col[k]!;
      col[i] = s / l[i * n + i]!;
    }
    for (let r = 0; r < n; r++) inv[r * n + c] = col[r]!;
  }
  return inv;
}

/** 2 (sum alpha I + sum beta_j S_j) of one patch, float64. */
export function sigmaSystem(patch: CcnfPatch, components: readonly Float32Array[], ws: number): Float64Array {
  const n = ws * ws;
  const a = new Float64Array(n * n);
  const alphas = patch.neurons.reduce((s, k) => s + k.alpha, 0);
  components.forEach((S, j) => {
    const beta = patch.betas[j]!;
    for (let e = 0; e < n * n; e++) a[e] = a[e]! + beta * S[e]!;
  });
  for (let d = 0; d < n; d++) a[d * n + d] = a[d * n + d]! + alphas;
  for (let e = 0; e < n * n; e++) a[e] = 2 * a[e]!;
  return a;
}

/** Sigma of one patch at one window (float64). */
export function sigmaOf(scale: CcnfScale, view: number, landmark: number, ws: number, mode: SigmaMode): Float64Array {
  const patch = scale.views[view]!.patches[landmark]!;
  const n = ws * ws;
  if (mode === 'diagonal') {
    const alphas = patch.neurons.reduce((s, k) => s + k.alpha, 0);
    const d = new Float64Array(n * n);
    for (let i = 0; i < n; i++) d[i * n + i] = 1 / (2 * alphas);
    return d;
  }
  const a = sigmaSystem(patch, scale.sigmaComponents.get(ws)!, ws);
  if (!cholesky(a, n)) {
    throw new ClmModelError(scale.file, `view ${view} landmark ${landmark}, ws ${ws}: 2 (sum alpha I + sum beta S) is not positive definite (alpha sum ${patch.neurons.reduce((s, k) => s + k.alpha, 0)}, betas [${Array.from(patch.betas).join(', ')}]): the sigma components or betas are corrupt`);
  }
  return inverseFromCholesky(a, n);
}

/** Every Sigma of a (scale, ws), all views (a hidden landmark gets zeros). */
export function buildSigmaSet(scale: CcnfScale, ws: number, mode: SigmaMode): SigmaSet {
  const n = scale.views[0]!.visible.length;
  const w2 = ws * ws;
  return {
    mode,
    ws,
    views: scale.views.map((view, v) => {
      const out = new Float32Array(n * w2 * w2);
      for (let i = 0; i < n; i++) if (view.visible[i]) out.set(sigmaOf(scale, v, i, ws, mode), i * w2 * w2);
      return out;
    }),
  };
}

/** Sigma sets per (scale, ws), built on first use. */
export class SigmaCache {
  private readonly sets = new Map<string, SigmaSet>();

  constructor(readonly model: CcnfModel) {}

  get(scale: number, ws: number, mode: SigmaMode): SigmaSet {
    const key = `${scale}:${ws}:${mode}`;
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = buildSigmaSet(this.model.scales[scale]!, ws, mode)));
    return set;
  }
}
