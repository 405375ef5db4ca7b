// An OpenFace CLNF model (user-supplied files only: their licence is non-commercial; never shipped
// or fetched): a 3-D point distribution model under a weak-perspective pose, and CCNF patch experts
// per scale (reference-shape scale) and view (head pose), with the "sigma components" that turn a
// window's raw neuron responses into CCNF responses (src/pipelines/clm/sigma.ts).
//   3-D shape: X_i = mean_i + V_i q (model units, mm); image point = s R(pitch, yaw, roll)[rows 0, 1]
//   X_i + (tx, ty), R = Rx(pitch) Ry(yaw) Rz(roll).
//   Patch (s, v, i): neurons k with 2 alpha_k sigmoid(normWeights_k <W_k, window> + bias_k) summed,
//   the window zero-mean and divided by its L2 norm; Sigma_i = (2 (sum alpha I + sum beta_j S_j))^-1.

export interface Pdm3d {
  kind: '3d';
  points: number;
  modes: number;
  /** [x0, y0, z0, x1, ...] (OpenFace's file stores all x, then all y, then all z). */
  meanShape: Float32Array;
  /** 3n x m row-major: rows 3i, 3i + 1, 3i + 2 are x, y, z of point i. */
  eigenVectors: Float32Array;
  eigenValues: Float32Array;
}

export interface CcnfNeuron {
  /** 0: intensity (the only kind supported; 3 is depth). */
  type: number;
  normWeights: number;
  bias: number;
  alpha: number;
  /** patch x patch, row-major (row = y), correlated without flip. */
  weights: Float32Array;
}

export interface CcnfPatch {
  /** Empty when the landmark is not visible in this view. */
  neurons: CcnfNeuron[];
  /** One per sigma component (the count of the file's first window). */
  betas: Float64Array;
  confidence: number;
}

export interface CcnfView {
  /** Head pose of the view (pitch, yaw, roll), degrees. */
  centreDeg: [number, number, number];
  visible: Uint8Array;
  patches: CcnfPatch[];
}

export interface CcnfScale {
  file: string;
  /** Scale of the reference shape the patches were trained at (0.25, 0.35, 0.5, 1). */
  patchScaling: number;
  /** Side of every patch expert at this scale (odd). */
  patchSize: number;
  views: CcnfView[];
  /** Window size -> its sigma components S_j (ws^2 x ws^2 each, row-major). */
  sigmaComponents: Map<number, Float32Array[]>;
}

export interface CcnfModel {
  kind: 'ccnf';
  name: string;
  pdm: Pdm3d;
  scales: CcnfScale[];
  /**
   * Model points whose mean matches each of MTCNN's 5 landmarks (left eye, right eye, nose, left
   * and right mouth corner, image left/right): 68-point iBUG: [36..41], [42..47], [30], [48], [54].
   */
  fivePoints: number[][];
  /** The files it was read from (main, clnf, pdm). */
  files: string[];
  source?: string;
}

/** iBUG 68-point groups for MTCNN's 5 landmarks (the subject's right eye is on the image left). */
export const IBUG68_FIVE_POINTS: number[][] = [[36, 37, 38, 39, 40, 41], [42, 43, 44, 45, 46, 47], [30], [48], [54]];
