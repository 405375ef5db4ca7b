// CLM fitting on the CPU in float64, written from the model's equations (not from the shaders): the
// test reference of shaders/clm/*.wgsl. Conventions, shared with the GPU:
//   image pixel (i, j) is centred at (i, j); bilinear sampling, 0 outside the image; grey =
//   0.3 R + 0.59 G + 0.11 B;
//   the area of interest (AOI) of landmark k, side W = ws + ps - 1, is sampled in the reference
//   (model) frame: AOI pixel (u, v) lies at anchor_k + A (u - (W - 1) / 2, v - (W - 1) / 2) with A
//   = [a -b; b a] the similarity at the start of the round (one reference unit = |A| image px);
//   response pixel (jj, ii) <-> reference offset (jj - c, ii - c), c = (ws - 1) / 2, its window the
//   AOI rows ii..ii+ps-1, columns jj..jj+ps-1; x along columns, y along rows.
//   SVM response (clmtrackr's WebGL semantics): per window (p - min) / (max - min) correlated with
//   the filter (row-major, no flip), sigmoid(x + bias), then per landmark min-max to [0, 1] (a
//   constant map becomes all 1); several response types are averaged.
//   Mean-shift: offset d = A^-1 (current - anchor); KDE weights exp(-|o - d|^2 / (2 sigma2)) in
//   reference units; v = A (sum r k o / sum r k - d), in image px (0 when sum r k = 0).
//   Update: (J^T J + Lambda) dp = J^T v - Lambda p, Lambda = diag(0, 0, 0, 0, reg / lambda_k)
//   (1e-7 reg for unregularised modes); q clamped to +-3 sqrt(lambda_k).
//   Movement: RMS over landmarks of the point displacement, in reference units (image px / |A|).
import type { RgbImage } from '../floor/image.js';
import type { ClmModel, SvmResponse } from './model.js';
import type { ClmOptions } from './options.js';
import type { Similarity } from './init.js';

/** Parameters [a - 1, b, tx, ty, q_1..q_m] -> landmark positions [x0, y0, ...] in image px. */
export function shapePositions(model: ClmModel, p: ArrayLike<number>): Float64Array {
  const { points: n, modes: m, meanShape, eigenVectors } = model.pdm;
  const out = new Float64Array(2 * n);
  const a = 1 + p[0]!;
  const b = p[1]!;
  for (let i = 0; i < n; i++) {
    let x = meanShape[2 * i]!;
    let y = meanShape[2 * i + 1]!;
    for (let k = 0; k < m; k++) {
      x += eigenVectors[2 * i * m + k]! * p[4 + k]!;
      y += eigenVectors[(2 * i + 1) * m + k]! * p[4 + k]!;
    }
    out[2 * i] = a * x - b * y + p[2]!;
    out[2 * i + 1] = b * x + a * y + p[3]!;
  }
  return out;
}

export function greyAt(image: RgbImage, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const px = (i: number, j: number) => {
    if (i < 0 || j < 0 || i >= image.width || j >= image.height) return 0;
    const o = 3 * (j * image.width + i);
    return 0.3 * image.data[o]! + 0.59 * image.data[o + 1]! + 0.11 * image.data[o + 2]!;
  };
  return (px(x0, y0) * (1 - fx) + px(x0 + 1, y0) * fx) * (1 - fy) + (px(x0, y0 + 1) * (1 - fx) + px(x0 + 1, y0 + 1) * fx) * fy;
}

/** The AOI with a 1-pixel margin (side W + 2), row-major. */
export function sampleAoi(image: RgbImage, anchor: readonly [number, number], A: readonly [number, number], side: number): Float64Array {
  const out = new Float64Array(side * side);
  const c = (side - 1) / 2;
  for (let v = 0; v < side; v++)
    for (let u = 0; u < side; u++) {
      const ox = u - c;
      const oy = v - c;
      out[v * side + u] = greyAt(image, anchor[0] + A[0] * ox - A[1] * oy, anchor[1] + A[1] * ox + A[0] * oy);
    }
  return out;
}

/** The W x W patch of a response type from an AOI with margin (side W + 2). */
export function transformAoi(aoi: Float64Array, side: number, type: SvmResponse): Float64Array {
  const w = side - 2;
  const out = new Float64Array(w * w);
  const at = (x: number, y: number) => aoi[(y + 1) * side + (x + 1)]!;
  for (let y = 0; y < w; y++)
    for (let x = 0; x < w; x++) {
      if (type === 'raw') out[y * w + x] = at(x, y);
      else if (type === 'sobel') {
        const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
        const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
        out[y * w + x] = Math.sqrt(gx * gx + gy * gy) / 4;
      } else {
        // 8-neighbour LBP: a bit is set when the neighbour is >= the centre (right = 1, then counter-clockwise, up = row - 1).
        const c = at(x, y);
        const ring: Array<[number, number]> = [[1, 0], [1, -1], [0, -1], [-1, -1], [-1, 0], [-1, 1], [0, 1], [1, 1]];
        out[y * w + x] = ring.reduce((s, [dx, dy], k) => s + (at(x + dx, y + dy) >= c ? 1 << k : 0), 0);
      }
    }
  return out;
}

/** One response type of one landmark (before the per-landmark min-max), ws x ws row-major. */
export function svmResponse(patch: Float64Array, w: number, filter: ArrayLike<number>, bias: number, ws: number, ps: number): Float64Array {
  const out = new Float64Array(ws * ws);
  for (let ii = 0; ii < ws; ii++)
    for (let jj = 0; jj < ws; jj++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let dy = 0; dy < ps; dy++)
        for (let dx = 0; dx < ps; dx++) {
          const v = patch[(ii + dy) * w + jj + dx]!;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      let sum = 0;
      if (hi > lo) for (let dy = 0; dy < ps; dy++) for (let dx = 0; dx < ps; dx++) sum += ((patch[(ii + dy) * w + jj + dx]! - lo) / (hi - lo)) * filter[dy * ps + dx]!;
      out[ii * ws + jj] = 1 / (1 + Math.exp(-(sum + bias)));
    }
  return out;
}

export function normalizeMap(map: Float64Array): Float64Array {
  const lo = Math.min(...map);
  const hi = Math.max(...map);
  return map.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 1));
}

/** Blended, normalized responses of every landmark: n maps of ws x ws. */
export function responsesReference(image: RgbImage, model: ClmModel, anchor: Float64Array, A: readonly [number, number], ws: number, types: readonly SvmResponse[]): Float64Array[] {
  const ps = model.experts.patchSize;
  const w = ws + ps - 1;
  return Array.from({ length: model.pdm.points }, (_, k) => {
    const aoi = sampleAoi(image, [anchor[2 * k]!, anchor[2 * k + 1]!], A, w + 2);
    const maps = types.map((t) => normalizeMap(svmResponse(transformAoi(aoi, w + 2, t), w, model.experts.weights[t]!.subarray(k * ps * ps, (k + 1) * ps * ps), model.experts.bias[t]![k]!, ws, ps)));
    return maps.reduce((acc, m) => acc.map((v, i) => v + m[i]! / maps.length), new Float64Array(ws * ws));
  });
}

/** Mean-shift of one landmark in image px (and the KDE mass sum r k). */
export function meanShift(map: ArrayLike<number>, ws: number, d: readonly [number, number], sigma2: number, A: readonly [number, number]): { v: [number, number]; mass: number } {
  const c = (ws - 1) / 2;
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let ii = 0; ii < ws; ii++)
    for (let jj = 0; jj < ws; jj++) {
      const ox = jj - c;
      const oy = ii - c;
      const k = map[ii * ws + jj]! * Math.exp(-((ox - d[0]) ** 2 + (oy - d[1]) ** 2) / (2 * sigma2));
      mass += k;
      mx += k * ox;
      my += k * oy;
    }
  if (!(mass > 0)) return { v: [0, 0], mass: 0 };
  const rx = mx / mass - d[0];
  const ry = my / mass - d[1];
  return { v: [A[0] * rx - A[1] * ry, A[1] * rx + A[0] * ry], mass };
}

/** J (2n x (4 + m)), row-major, at parameters p (clmtrackr's createJacobian). */
export function jacobian(model: ClmModel, p: ArrayLike<number>): Float64Array {
  const { points: n, modes: m, meanShape, eigenVectors } = model.pdm;
  const P = 4 + m;
  const J = new Float64Array(2 * n * P);
  const a = 1 + p[0]!;
  const b = p[1]!;
  for (let i = 0; i < n; i++) {
    let x = meanShape[2 * i]!;
    let y = meanShape[2 * i + 1]!;
    for (let k = 0; k < m; k++) {
      x += eigenVectors[2 * i * m + k]! * p[4 + k]!;
      y += eigenVectors[(2 * i + 1) * m + k]! * p[4 + k]!;
    }
    const rx = 2 * i * P;
    const ry = (2 * i + 1) * P;
    J.set([x, -y, 1, 0], rx);
    J.set([y, x, 0, 1], ry);
    for (let k = 0; k < m; k++) {
      const vx = eigenVectors[2 * i * m + k]!;
      const vy = eigenVectors[(2 * i + 1) * m + k]!;
      J[rx + 4 + k] = a * vx - b * vy;
      J[ry + 4 + k] = b * vx + a * vy;
    }
  }
  return J;
}

/** Solves H x = g (symmetric positive definite) by Cholesky with Jacobi scaling. */
export function solveSpd(H: Float64Array, g: Float64Array, P: number): Float64Array {
  const d = Array.from({ length: P }, (_, i) => 1 / Math.sqrt(Math.max(H[i * P + i]!, 1e-30)));
  const L = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    let s = H[j * P + j]! * d[j]! * d[j]!;
    for (let k = 0; k < j; k++) s -= L[j * P + k]! ** 2;
    const ljj = Math.sqrt(Math.max(s, 1e-12));
    L[j * P + j] = ljj;
    for (let i = j + 1; i < P; i++) {
      let t = H[i * P + j]! * d[i]! * d[j]!;
      for (let k = 0; k < j; k++) t -= L[i * P + k]! * L[j * P + k]!;
      L[i * P + j] = t / ljj;
    }
  }
  const y = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    let s = g[i]! * d[i]!;
    for (let k = 0; k < i; k++) s -= L[i * P + k]! * y[k]!;
    y[i] = s / L[i * P + i]!;
  }
  const x = new Float64Array(P);
  for (let i = P - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < P; k++) s -= L[k * P + i]! * x[k]!;
    x[i] = s / L[i * P + i]!;
  }
  return x.map((v, i) => v * d[i]!);
}

export interface IterationTrace {
  stage: number;
  iteration: number;
  /** Mean and max mean-shift magnitude (image px), |dp|, RMS point move (image px), clamped modes. */
  meanShift: number;
  maxShift: number;
  stepNorm: number;
  move: number;
  clamped: number;
}

export interface ClmFitResult {
  points: Array<[number, number]>;
  params: Float64Array;
  converged: boolean;
  iterations: number;
  /** Mean over landmarks of log(sum r k) at the final positions (last stage's responses). */
  likelihood: number;
  trace: IterationTrace[];
}

/** One RLMS iteration: the update of p (in place); returns its trace. */
export function rlmsIteration(model: ClmModel, p: Float64Array, maps: readonly ArrayLike<number>[], anchor: Float64Array, A: readonly [number, number], ws: number, it: { sigma2: number; reg: number }): Omit<IterationTrace, 'stage' | 'iteration'> {
  const { points: n, modes: m, eigenValues } = model.pdm;
  const P = 4 + m;
  const before = shapePositions(model, p);
  const det = A[0] * A[0] + A[1] * A[1];
  const v = new Float64Array(2 * n);
  let sumShift = 0;
  let maxShift = 0;
  for (let i = 0; i < n; i++) {
    const ex = before[2 * i]! - anchor[2 * i]!;
    const ey = before[2 * i + 1]! - anchor[2 * i + 1]!;
    // d = A^-1 e; A^-1 = [a b; -b a] / (a^2 + b^2).
    const d: [number, number] = [(A[0] * ex + A[1] * ey) / det, (-A[1] * ex + A[0] * ey) / det];
    const ms = meanShift(maps[i]!, ws, d, it.sigma2, A);
    v[2 * i] = ms.v[0];
    v[2 * i + 1] = ms.v[1];
    const mag = Math.hypot(ms.v[0], ms.v[1]);
    sumShift += mag;
    maxShift = Math.max(maxShift, mag);
  }
  const J = jacobian(model, p);
  const H = new Float64Array(P * P);
  const g = new Float64Array(P);
  for (let r = 0; r < 2 * n; r++)
    for (let a = 0; a < P; a++) {
      g[a] = g[a]! + J[r * P + a]! * v[r]!;
      for (let b = 0; b < P; b++) H[a * P + b] = H[a * P + b]! + J[r * P + a]! * J[r * P + b]!;
    }
  for (let k = 0; k < m; k++) {
    const lam = (model.pdm.unregularised.includes(k) ? 1e-7 : 1 / eigenValues[k]!) * it.reg;
    H[(4 + k) * P + 4 + k] = H[(4 + k) * P + 4 + k]! + lam;
    g[4 + k] = g[4 + k]! - lam * p[4 + k]!;
  }
  const dp = solveSpd(H, g, P);
  let clamped = 0;
  for (let i = 0; i < P; i++) p[i] = p[i]! + dp[i]!;
  for (let k = 0; k < m; k++) {
    const limit = 3 * Math.sqrt(eigenValues[k]!);
    if (Math.abs(p[4 + k]!) > limit) {
      p[4 + k] = Math.sign(p[4 + k]!) * limit;
      clamped++;
    }
  }
  const after = shapePositions(model, p);
  const move = rmsMove(after, before);
  return { meanShift: sumShift / n, maxShift, stepNorm: Math.hypot(...dp), move, clamped };
}

/** RMS over landmarks of the displacement between two shapes [x0, y0, ...] (same units as them). */
export function rmsMove(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / (a.length / 2));
}

export function fitReference(image: RgbImage, model: ClmModel, init: Similarity, o: ClmOptions): ClmFitResult {
  const p = new Float64Array(4 + model.pdm.modes);
  p.set(init);
  const trace: IterationTrace[] = [];
  let converged = false;
  let iterations = 0;
  let last: { maps: Float64Array[]; anchor: Float64Array; A: [number, number]; ws: number; sigma2: number } | undefined;
  let stageDone = false;
  for (const [s, stage] of o.stages.entries()) {
    const anchor = shapePositions(model, p);
    const A: [number, number] = [1 + p[0]!, p[1]!];
    const scale = Math.hypot(A[0], A[1]);
    if (last && o.stages[s - 1]!.windowSize === stage.windowSize && rmsMove(anchor, last.anchor) / scale < o.roundConvergence) {
      converged = true;
      break;
    }
    const maps = responsesReference(image, model, anchor, A, stage.windowSize, o.responses);
    stageDone = false;
    for (const [k, it] of stage.iterations.entries()) {
      const t = rlmsIteration(model, p, maps, anchor, A, stage.windowSize, it);
      trace.push({ stage: s, iteration: k, ...t });
      iterations++;
      last = { maps, anchor, A, ws: stage.windowSize, sigma2: it.sigma2 };
      if (t.move / scale < o.convergence) {
        stageDone = true;
        break;
      }
    }
  }
  // A schedule that ends with a stage stopped by its iteration criterion converged too.
  converged ||= stageDone;
  const final = shapePositions(model, p);
  let likelihood = 0;
  if (last) {
    const det = last.A[0] ** 2 + last.A[1] ** 2;
    for (let i = 0; i < model.pdm.points; i++) {
      const ex = final[2 * i]! - last.anchor[2 * i]!;
      const ey = final[2 * i + 1]! - last.anchor[2 * i + 1]!;
      const d: [number, number] = [(last.A[0] * ex + last.A[1] * ey) / det, (-last.A[1] * ex + last.A[0] * ey) / det];
      likelihood += Math.log(Math.max(meanShift(last.maps[i]!, last.ws, d, last.sigma2, last.A).mass, 1e-30));
    }
    likelihood /= model.pdm.points;
  }
  return { points: Array.from({ length: model.pdm.points }, (_, i) => [final[2 * i]!, final[2 * i + 1]!]), params: p, converged, iterations, likelihood, trace };
}
