// A constrained local model (CLM): a point distribution model (the shape prior) and one patch expert
// per landmark. Two families:
//   clmtrackr (MIT, shipped): a 2-D PDM (mean + eigenvectors, 2n rows x then y per point) under a 2-D
//     similarity, linear-SVM experts on raw / sobel / lbp patches;
//   OpenFace CLNF (user-supplied files, non-commercial licence): a 3-D PDM under a weak-perspective
//     pose, CCNF experts per scale and view (src/import/openface/).
// Validation at load names the file and the field (ClmModelError).

export class ClmModelError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ClmModelError';
  }
}

export type SvmResponse = 'raw' | 'sobel' | 'lbp';

/** A 2-D PDM: point i = meanShape[i] + V[i] q, placed by x' = a x - b y + tx, y' = b x + a y + ty. */
export interface Pdm2d {
  kind: '2d';
  points: number;
  modes: number;
  /** [x0, y0, x1, y1, ...] in model units. */
  meanShape: Float32Array;
  /** 2n x m, row-major: row 2i is x of point i, row 2i + 1 its y. */
  eigenVectors: Float32Array;
  eigenValues: Float32Array;
  /** Modes left unregularised (clmtrackr's nonRegularizedVectors). */
  unregularised: number[];
}

export interface SvmExperts {
  kind: 'svm';
  /** Side of the square filters (odd). */
  patchSize: number;
  /** Per response type: n x patchSize^2 weights (row-major, correlation without flip) and n biases. */
  weights: Partial<Record<SvmResponse, Float32Array>>;
  bias: Partial<Record<SvmResponse, Float32Array>>;
}

export interface ClmModel {
  name: string;
  pdm: Pdm2d;
  experts: SvmExperts;
  /** Model points matching MTCNN's 5 landmarks (left eye, right eye, nose, left and right mouth corner). */
  fivePoints: [number, number, number, number, number];
  /** Where the weights come from (package, version, licence). */
  source?: string;
}

export const SVM_RESPONSES: readonly SvmResponse[] = ['raw', 'sobel', 'lbp'];

/** Checks every array of a model; each failure names the file and the field. */
export function validateClmModel(m: ClmModel, file: string): ClmModel {
  const fail = (field: string, detail: string): never => {
    throw new ClmModelError(file, `${field}: ${detail}`);
  };
  const { pdm, experts } = m;
  const n = pdm.points;
  if (!(Number.isInteger(n) && n >= 3)) fail('pdm.points', `${n} (at least 3 points)`);
  if (!(Number.isInteger(pdm.modes) && pdm.modes >= 0)) fail('pdm.modes', `${pdm.modes}`);
  if (pdm.meanShape.length !== 2 * n) fail('pdm.meanShape', `${pdm.meanShape.length} values for ${n} points (needs ${2 * n}: x, y per point)`);
  if (pdm.eigenVectors.length !== 2 * n * pdm.modes) fail('pdm.eigenVectors', `${pdm.eigenVectors.length} values, a ${2 * n} x ${pdm.modes} matrix needs ${2 * n * pdm.modes}`);
  if (pdm.eigenValues.length !== pdm.modes) fail('pdm.eigenValues', `${pdm.eigenValues.length} values for ${pdm.modes} modes`);
  pdm.eigenValues.forEach((v, k) => (!(v > 0) ? fail(`pdm.eigenValues[${k}]`, `${v} (eigenvalues must be positive)`) : undefined));
  pdm.unregularised.forEach((k) => (!(Number.isInteger(k) && k >= 0 && k < pdm.modes) ? fail('pdm.unregularised', `mode ${k} out of 0..${pdm.modes - 1}`) : undefined));
  for (const arr of [pdm.meanShape, pdm.eigenVectors]) if (arr.some((v) => !Number.isFinite(v))) fail('pdm', 'non-finite values');
  const ps = experts.patchSize;
  if (!(Number.isInteger(ps) && ps >= 1 && ps % 2 === 1)) fail('experts.patchSize', `${ps} (patches must be square with an odd side)`);
  const types = SVM_RESPONSES.filter((t) => experts.weights[t] || experts.bias[t]);
  if (types.length === 0) fail('experts.weights', 'no response type (raw, sobel, lbp)');
  for (const t of types) {
    const w = experts.weights[t];
    const b = experts.bias[t];
    if (!w || w.length !== n * ps * ps) fail(`experts.weights.${t}`, `${w?.length ?? 'missing'} values, ${n} patches of ${ps}x${ps} need ${n * ps * ps}`);
    if (!b || b.length !== n) fail(`experts.bias.${t}`, `${b?.length ?? 'missing'} values for ${n} patches`);
    if (w!.some((v) => !Number.isFinite(v)) || b!.some((v) => !Number.isFinite(v))) fail(`experts.${t}`, 'non-finite values');
  }
  m.fivePoints.forEach((p, i) => (!(Number.isInteger(p) && p >= 0 && p < n) ? fail(`fivePoints[${i}]`, `point ${p} out of 0..${n - 1}`) : undefined));
  return m;
}
