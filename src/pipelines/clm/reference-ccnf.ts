// CCNF (OpenFace CLNF) fitting on the CPU in float64, written from the model's equations (not from
// the shaders): the test reference of the CCNF kernels. Conventions shared with the SVM path
// (reference.ts: pixel centres, AOI frame, response layout, KDE mean-shift) plus:
//   parameters [s, pitch, yaw, roll, tx, ty, q_1..q_m]; R = Rx(pitch) Ry(yaw) Rz(roll); image
//   point i = s R[rows 0, 1] (mean_i + V_i q) + (tx, ty);
//   the reference shape of a scale: patchScaling * (mean_i + V_i q)[x, y] (no rotation); A (reference
//   -> image, [a -b; b a]) from a Procrustes fit of the reference shape onto the image shape: both
//   mean-centred, scale = RMS ratio, rotation atan2(sum u x v, sum u . v) (OpenFace's
//   AlignShapesWithScale);
//   view: the model view whose centre (pitch, yaw, roll) is nearest in radians;
//   CCNF response of a window: zero-mean, divided by its L2 norm (1 when 0); sum over neurons with
//   alpha > 1e-4 of 2 alpha sigmoid(normWeights <W, window> + bias), W row-major, no flip; the map
//   times Sigma (ws^2 x ws^2), then minus its minimum when that is negative; hidden landmarks 0;
//   update: s, t, q add; R <- R exp([dw]x) (Rodrigues; OpenFace composes R (I + [dw]x) and
//   re-orthonormalises: the two differ by O(|dw|^2)); Euler angles from R; q clamped to +-3
//   sqrt(lambda), angles to +-pi/2; rigid iterations leave q alone; hidden landmarks get no
//   mean-shift and no Jacobian rows.
import type { RgbImage } from '../floor/image.js';
import type { CcnfModel, CcnfPatch, CcnfScale, Pdm3d } from './ccnf-model.js';
import type { CcnfOptions } from './ccnf-options.js';
import { meanShift, rmsMove, sampleAoi, solveSpd, type IterationTrace } from './reference.js';
import type { SigmaCache, SigmaMode } from './sigma.js';

export type Mat3 = number[]; // row-major 3 x 3

export function eulerToRotation(pitch: number, yaw: number, roll: number): Mat3 {
  const [sp, cp, sy, cy, sr, cr] = [Math.sin(pitch), Math.cos(pitch), Math.sin(yaw), Math.cos(yaw), Math.sin(roll), Math.cos(roll)];
  return [cy * cr, -cy * sr, sy, cp * sr + sp * sy * cr, cp * cr - sp * sy * sr, -sp * cy, sp * sr - cp * sy * cr, sp * cr + cp * sy * sr, cp * cy];
}

export function rotationToEuler(R: Mat3): [number, number, number] {
  const yaw = Math.asin(Math.max(-1, Math.min(1, R[2]!)));
  return [Math.atan2(-R[5]!, R[8]!), yaw, Math.atan2(-R[1]!, R[0]!)];
}

function mul3(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c]! += a[r * 3 + k]! * b[k * 3 + c]!;
  return out;
}

/** exp([w]x): the rotation by |w| about w. */
export function rodrigues(w: readonly [number, number, number]): Mat3 {
  const t = Math.hypot(...w);
  if (t < 1e-12) return [1, -w[2], w[1], w[2], 1, -w[0], -w[1], w[0], 1];
  const [x, y, z] = w.map((v) => v / t) as [number, number, number];
  const c = Math.cos(t);
  const s = Math.sin(t);
  const C = 1 - c;
  return [c + x * x * C, x * y * C - z * s, x * z * C + y * s, y * x * C + z * s, c + y * y * C, y * z * C - x * s, z * x * C - y * s, z * y * C + x * s, c + z * z * C];
}

/** X = mean + V q (3n, interleaved). */
export function shape3d(pdm: Pdm3d, p: ArrayLike<number>): Float64Array {
  const { points: n, modes: m } = pdm;
  const X = new Float64Array(3 * n);
  for (let r = 0; r < 3 * n; r++) {
    let v = pdm.meanShape[r]!;
    for (let k = 0; k < m; k++) v += pdm.eigenVectors[r * m + k]! * p[6 + k]!;
    X[r] = v;
  }
  return X;
}

export function imageShape3d(pdm: Pdm3d, p: ArrayLike<number>): Float64Array {
  const X = shape3d(pdm, p);
  const R = eulerToRotation(p[1]!, p[2]!, p[3]!);
  const out = new Float64Array(2 * pdm.points);
  for (let i = 0; i < pdm.points; i++) {
    const [x, y, z] = [X[3 * i]!, X[3 * i + 1]!, X[3 * i + 2]!];
    out[2 * i] = p[0]! * (R[0]! * x + R[1]! * y + R[2]! * z) + p[4]!;
    out[2 * i + 1] = p[0]! * (R[3]! * x + R[4]! * y + R[5]! * z) + p[5]!;
  }
  return out;
}

export function referenceShape3d(pdm: Pdm3d, p: ArrayLike<number>, patchScaling: number): Float64Array {
  const X = shape3d(pdm, p);
  const out = new Float64Array(2 * pdm.points);
  for (let i = 0; i < pdm.points; i++) {
    out[2 * i] = patchScaling * X[3 * i]!;
    out[2 * i + 1] = patchScaling * X[3 * i + 1]!;
  }
  return out;
}

/** A = [a, b] (reference -> image) by OpenFace's AlignShapesWithScale. */
export function procrustesA(ref: ArrayLike<number>, img: ArrayLike<number>): [number, number] {
  const n = ref.length / 2;
  let [rx, ry, ix, iy] = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    rx += ref[2 * i]!;
    ry += ref[2 * i + 1]!;
    ix += img[2 * i]!;
    iy += img[2 * i + 1]!;
  }
  [rx, ry, ix, iy] = [rx / n, ry / n, ix / n, iy / n];
  let [uu, vv, dot, cross] = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const u = [ref[2 * i]! - rx, ref[2 * i + 1]! - ry];
    const v = [img[2 * i]! - ix, img[2 * i + 1]! - iy];
    uu += u[0]! ** 2 + u[1]! ** 2;
    vv += v[0]! ** 2 + v[1]! ** 2;
    dot += u[0]! * v[0]! + u[1]! * v[1]!;
    cross += u[0]! * v[1]! - u[1]! * v[0]!;
  }
  const s = Math.sqrt(vv / uu);
  const t = Math.atan2(cross, dot);
  return [s * Math.cos(t), s * Math.sin(t)];
}

export function chooseView(scale: CcnfScale, p: ArrayLike<number>): number {
  let best = 0;
  let bestD = Infinity;
  scale.views.forEach((v, k) => {
    const d = v.centreDeg.reduce((s, c, j) => s + ((c * Math.PI) / 180 - p[1 + j]!) ** 2, 0);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  });
  return best;
}

/** Raw CCNF response of one patch (before Sigma): ws x ws from the W x W area (no margin). */
export function ccnfRaw(area: ArrayLike<number>, w: number, patch: CcnfPatch, ws: number, ps: number): Float64Array {
  const out = new Float64Array(ws * ws);
  const win = new Float64Array(ps * ps);
  for (let ii = 0; ii < ws; ii++)
    for (let jj = 0; jj < ws; jj++) {
      let mean = 0;
      for (let dy = 0; dy < ps; dy++) for (let dx = 0; dx < ps; dx++) mean += win[dy * ps + dx] = area[(ii + dy) * w + jj + dx]!;
      mean /= ps * ps;
      let norm = 0;
      for (let k = 0; k < ps * ps; k++) norm += (win[k]! - mean) ** 2;
      norm = Math.sqrt(norm) || 1;
      let r = 0;
      for (const neuron of patch.neurons) {
        if (!(neuron.alpha > 1e-4)) continue;
        let dot = 0;
        for (let k = 0; k < ps * ps; k++) dot += ((win[k]! - mean) / norm) * neuron.weights[k]!;
        r += (2 * neuron.alpha) / (1 + Math.exp(-(neuron.normWeights * dot + neuron.bias)));
      }
      out[ii * ws + jj] = r;
    }
  return out;
}

/** Sigma r, then shifted to non-negative (minus the minimum when it is negative). */
export function applySigma(raw: ArrayLike<number>, sigma: ArrayLike<number>, ws: number): Float64Array {
  const n = ws * ws;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let c = 0; c < n; c++) s += sigma[r * n + c]! * raw[c]!;
    out[r] = s;
  }
  const min = Math.min(...out);
  return min < 0 ? out.map((v) => v - min) : out;
}

export function ccnfResponsesReference(image: RgbImage, scale: CcnfScale, view: number, anchor: Float64Array, A: readonly [number, number], ws: number, sigmaViews: Float32Array): Float64Array[] {
  const ps = scale.patchSize;
  const w = ws + ps - 1;
  const n = scale.views[view]!.visible.length;
  return Array.from({ length: n }, (_, k) => {
    if (!scale.views[view]!.visible[k]) return new Float64Array(ws * ws);
    const aoi = sampleAoi(image, [anchor[2 * k]!, anchor[2 * k + 1]!], A, w + 2);
    const area = new Float64Array(w * w);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) area[y * w + x] = aoi[(y + 1) * (w + 2) + x + 1]!;
    const raw = ccnfRaw(area, w, scale.views[view]!.patches[k]!, ws, ps);
    return applySigma(raw, sigmaViews.subarray(k * ws ** 4, (k + 1) * ws ** 4), ws);
  });
}

/** J (2n x (6 + m)) at p, row-major; rows of hidden landmarks are 0. */
export function jacobian3d(pdm: Pdm3d, p: ArrayLike<number>, visible: ArrayLike<number>): Float64Array {
  const { points: n, modes: m } = pdm;
  const P = 6 + m;
  const X = shape3d(pdm, p);
  const R = eulerToRotation(p[1]!, p[2]!, p[3]!);
  const s = p[0]!;
  const J = new Float64Array(2 * n * P);
  for (let i = 0; i < n; i++) {
    if (!visible[i]) continue;
    const x = [X[3 * i]!, X[3 * i + 1]!, X[3 * i + 2]!];
    // e_k x X for the three small rotations about the model axes.
    const turns = [
      [0, -x[2]!, x[1]!],
      [x[2]!, 0, -x[0]!],
      [-x[1]!, x[0]!, 0],
    ];
    for (let row = 0; row < 2; row++) {
      const Rr = [R[3 * row]!, R[3 * row + 1]!, R[3 * row + 2]!];
      const dot = (v: number[]) => Rr[0]! * v[0]! + Rr[1]! * v[1]! + Rr[2]! * v[2]!;
      const o = (2 * i + row) * P;
      J[o] = dot(x);
      for (let k = 0; k < 3; k++) J[o + 1 + k] = s * dot(turns[k]!);
      J[o + 4] = row === 0 ? 1 : 0;
      J[o + 5] = row === 1 ? 1 : 0;
      for (let k = 0; k < m; k++) J[o + 6 + k] = s * dot([pdm.eigenVectors[3 * i * m + k]!, pdm.eigenVectors[(3 * i + 1) * m + k]!, pdm.eigenVectors[(3 * i + 2) * m + k]!]);
    }
  }
  return J;
}

export interface CcnfIteration {
  sigma2: number;
  reg: number;
  rigid: boolean;
}

/** One (rigid or non-rigid) iteration: updates p in place; returns its trace. */
export function rlmsIteration3d(pdm: Pdm3d, p: Float64Array, maps: readonly ArrayLike<number>[], anchor: Float64Array, A: readonly [number, number], ws: number, visible: ArrayLike<number>, it: CcnfIteration): Omit<IterationTrace, 'stage' | 'iteration'> {
  const { points: n, modes: m, eigenValues } = pdm;
  const P = it.rigid ? 6 : 6 + m;
  const PF = 6 + m;
  const before = imageShape3d(pdm, p);
  const det = A[0] * A[0] + A[1] * A[1];
  const v = new Float64Array(2 * n);
  let sumShift = 0;
  let maxShift = 0;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    if (!visible[i]) continue;
    const ex = before[2 * i]! - anchor[2 * i]!;
    const ey = before[2 * i + 1]! - anchor[2 * i + 1]!;
    const d: [number, number] = [(A[0] * ex + A[1] * ey) / det, (-A[1] * ex + A[0] * ey) / det];
    const ms = meanShift(maps[i]!, ws, d, it.sigma2, A);
    v[2 * i] = ms.v[0];
    v[2 * i + 1] = ms.v[1];
    const mag = Math.hypot(ms.v[0], ms.v[1]);
    sumShift += mag;
    maxShift = Math.max(maxShift, mag);
    seen++;
  }
  const J = jacobian3d(pdm, p, visible);
  const H = new Float64Array(P * P);
  const g = new Float64Array(P);
  for (let r = 0; r < 2 * n; r++)
    for (let a = 0; a < P; a++) {
      g[a] = g[a]! + J[r * PF + a]! * v[r]!;
      for (let b = 0; b < P; b++) H[a * P + b] = H[a * P + b]! + J[r * PF + a]! * J[r * PF + b]!;
    }
  for (let k = 0; k < P - 6; k++) {
    const lam = it.reg / eigenValues[k]!;
    H[(6 + k) * P + 6 + k] = H[(6 + k) * P + 6 + k]! + lam;
    g[6 + k] = g[6 + k]! - lam * p[6 + k]!;
  }
  const dp = solveSpd(H, g, P);
  p[0] = p[0]! + dp[0]!;
  const R = mul3(eulerToRotation(p[1]!, p[2]!, p[3]!), rodrigues([dp[1]!, dp[2]!, dp[3]!]));
  const [pitch, yaw, roll] = rotationToEuler(R);
  let clamped = 0;
  const clampAngle = (a: number) => {
    if (Math.abs(a) <= Math.PI / 2) return a;
    clamped++;
    return Math.sign(a) * (Math.PI / 2);
  };
  [p[1], p[2], p[3]] = [clampAngle(pitch), clampAngle(yaw), clampAngle(roll)];
  p[4] = p[4]! + dp[4]!;
  p[5] = p[5]! + dp[5]!;
  for (let k = 0; k < P - 6; k++) {
    let q = p[6 + k]! + dp[6 + k]!;
    const limit = 3 * Math.sqrt(eigenValues[k]!);
    if (Math.abs(q) > limit) {
      q = Math.sign(q) * limit;
      clamped++;
    }
    p[6 + k] = q;
  }
  const after = imageShape3d(pdm, p);
  return { meanShift: seen ? sumShift / seen : 0, maxShift, stepNorm: Math.hypot(...dp), move: rmsMove(after, before), clamped };
}

export interface CcnfFitResult {
  points: Array<[number, number]>;
  params: Float64Array;
  iterations: number;
  converged: boolean;
  trace: Array<IterationTrace & { rigid: boolean }>;
  views: number[];
  sigmaModes: SigmaMode[];
}

/** The whole schedule from initial parameters p0 ([s, pitch, yaw, roll, tx, ty], modes 0). */
export function fitReferenceCcnf(image: RgbImage, model: CcnfModel, p0: ArrayLike<number>, o: CcnfOptions, sigmas: SigmaCache, modes: readonly SigmaMode[]): CcnfFitResult {
  const { pdm } = model;
  const p = new Float64Array(6 + pdm.modes);
  p.set(Array.from(p0).slice(0, 6));
  const trace: CcnfFitResult['trace'] = [];
  const views: number[] = [];
  let iterations = 0;
  let stopped = false;
  o.stages.forEach((stage, s) => {
    const scale = model.scales[stage.scale]!;
    const anchor = imageShape3d(pdm, p);
    const A = procrustesA(referenceShape3d(pdm, p, scale.patchScaling), anchor);
    const view = chooseView(scale, p);
    views.push(view);
    const visible = scale.views[view]!.visible;
    const maps = ccnfResponsesReference(image, scale, view, anchor, A, stage.windowSize, sigmas.get(stage.scale, stage.windowSize, modes[s]!).views[view]!);
    const scaleA = Math.hypot(A[0], A[1]);
    for (const [rigid, count] of [
      [true, stage.rigidIterations],
      [false, stage.iterations],
    ] as const) {
      stopped = false;
      for (let k = 0; k < count; k++) {
        const t = rlmsIteration3d(pdm, p, maps, anchor, A, stage.windowSize, visible, { sigma2: stage.sigma2, reg: stage.reg, rigid });
        trace.push({ stage: s, iteration: k, rigid, ...t });
        iterations++;
        if (t.move / scaleA < o.convergence) {
          stopped = true;
          break;
        }
      }
    }
  });
  const final = imageShape3d(pdm, p);
  return { points: Array.from({ length: pdm.points }, (_, i) => [final[2 * i]!, final[2 * i + 1]!]), params: p, iterations, converged: stopped, trace, views, sigmaModes: [...modes] };
}
