// Initial pose of a fit: a 2-D similarity placing the model's mean shape on a face, from MTCNN's 5
// landmarks (least-squares Procrustes onto the model's matching points) or, without landmarks, from
// the face box alone. The similarity is clmtrackr's parameters p0 = a - 1, p1 = b, p2 = tx, p3 = ty:
// x' = a x - b y + tx, y' = b x + a y + ty. Geometry with gl-matrix.
import { mat2d, vec2 } from 'gl-matrix';
import type { CcnfModel } from './ccnf-model.js';
import type { ClmModel } from './model.js';

export type Similarity = [number, number, number, number];

/** Least-squares similarity mapping points `from` onto `to` (pairs of [x, y]). */
export function fitSimilarity(from: ReadonlyArray<readonly [number, number]>, to: ReadonlyArray<readonly [number, number]>): mat2d {
  const n = from.length;
  const cf = vec2.create();
  const ct = vec2.create();
  from.forEach((p) => vec2.add(cf, cf, vec2.fromValues(p[0], p[1])));
  to.forEach((p) => vec2.add(ct, ct, vec2.fromValues(p[0], p[1])));
  vec2.scale(cf, cf, 1 / n);
  vec2.scale(ct, ct, 1 / n);
  let num = 0;
  let cross = 0;
  let den = 0;
  const u = vec2.create();
  const v = vec2.create();
  for (let i = 0; i < n; i++) {
    vec2.sub(u, vec2.fromValues(from[i]![0], from[i]![1]), cf);
    vec2.sub(v, vec2.fromValues(to[i]![0], to[i]![1]), ct);
    num += vec2.dot(u, v);
    cross += u[0]! * v[1]! - u[1]! * v[0]!;
    den += vec2.squaredLength(u);
  }
  const a = num / den;
  const b = cross / den;
  // [a, b, -b, a, tx, ty] (column-major 2x3): p' = M p.
  const m = mat2d.fromValues(a, b, -b, a, 0, 0);
  const moved = vec2.transformMat2d(vec2.create(), cf, m);
  m[4] = ct[0]! - moved[0]!;
  m[5] = ct[1]! - moved[1]!;
  return m;
}

const meanPoint = (model: ClmModel, i: number): [number, number] => [model.pdm.meanShape[2 * i]!, model.pdm.meanShape[2 * i + 1]!];

function toParams(m: mat2d): Similarity {
  return [m[0]! - 1, m[1]!, m[4]!, m[5]!];
}

/** From MTCNN's landmarks: left eye, right eye, nose, left and right mouth corners (image pixels). */
export function initFromLandmarks(model: ClmModel, landmarks: ReadonlyArray<readonly [number, number]>): Similarity {
  if (landmarks.length !== 5) throw new RangeError(`CLM initialisation needs MTCNN's 5 landmarks, got ${landmarks.length}`);
  return toParams(fitSimilarity(model.fivePoints.map((i) => meanPoint(model, i)), landmarks));
}

/**
 * From a face box [x, y, w, h] alone: the mean shape's extent scaled to the box width and centred on
 * the box, 5% below its centre (MTCNN boxes reach higher above the eyes than below the chin).
 */
export function initFromBox(model: ClmModel, box: readonly [number, number, number, number]): Similarity {
  const xs = Array.from({ length: model.pdm.points }, (_, i) => meanPoint(model, i));
  const minX = Math.min(...xs.map((p) => p[0]));
  const maxX = Math.max(...xs.map((p) => p[0]));
  const minY = Math.min(...xs.map((p) => p[1]));
  const maxY = Math.max(...xs.map((p) => p[1]));
  const s = box[2] / (maxX - minX);
  const m = mat2d.fromValues(s, 0, 0, s, 0, 0);
  const centre = vec2.transformMat2d(vec2.create(), vec2.fromValues((minX + maxX) / 2, (minY + maxY) / 2), m);
  m[4] = box[0] + box[2] / 2 - centre[0]!;
  m[5] = box[1] + box[3] * 0.55 - centre[1]!;
  return toParams(m);
}

/** A 3-D model's initial pose [s, pitch, yaw, roll, tx, ty] from MTCNN's 5 landmarks (frontal: pitch = yaw = 0). */
export function initCcnfFromLandmarks(model: CcnfModel, landmarks: ReadonlyArray<readonly [number, number]>): number[] {
  if (landmarks.length !== 5) throw new RangeError(`CLM initialisation needs MTCNN's 5 landmarks, got ${landmarks.length}`);
  const mean = model.pdm.meanShape;
  const group = (points: readonly number[]): [number, number] => [points.reduce((s, i) => s + mean[3 * i]!, 0) / points.length, points.reduce((s, i) => s + mean[3 * i + 1]!, 0) / points.length];
  return poseFromSimilarity(fitSimilarity(model.fivePoints.map(group), landmarks));
}

/** From a face box alone: the mean shape's x extent scaled to the box width, centred 5 % below the box centre. */
export function initCcnfFromBox(model: CcnfModel, box: readonly [number, number, number, number]): number[] {
  const mean = model.pdm.meanShape;
  const xs = Array.from({ length: model.pdm.points }, (_, i) => mean[3 * i]!);
  const ys = Array.from({ length: model.pdm.points }, (_, i) => mean[3 * i + 1]!);
  const s = box[2] / (Math.max(...xs) - Math.min(...xs));
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  return [s, 0, 0, 0, box[0] + box[2] / 2 - s * cx, box[1] + box[3] * 0.55 - s * cy];
}

function poseFromSimilarity(m: mat2d): number[] {
  return [Math.hypot(m[0]!, m[1]!), 0, 0, Math.atan2(m[1]!, m[0]!), m[4]!, m[5]!];
}
