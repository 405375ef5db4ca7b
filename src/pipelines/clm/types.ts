// Results of landmark fitting, in original-image pixels.

export interface ClmFaceInput {
  /** Index of the image in the batch. */
  image: number;
  /** MTCNN's 5 landmarks (left eye, right eye, nose, left and right mouth corner), or ... */
  landmarks?: ReadonlyArray<readonly [number, number]>;
  /** ... the face box [x, y, w, h] alone. */
  box?: readonly [number, number, number, number];
}

export interface ClmIterationStats {
  stage: number;
  iteration: number;
  /** Mean and largest mean-shift (image px), |dp|, RMS point move (image px), modes clamped. */
  meanShift: number;
  maxShift: number;
  stepNorm: number;
  move: number;
  clamped: number;
}

export interface ClmFit {
  model: string;
  points: Array<[number, number]>;
  converged: boolean;
  iterations: number;
  /** Mean over landmarks of log(sum of response x KDE weight) at the final points. */
  likelihood: number;
  /** RMS point move of the last iteration (image px). */
  lastMove: number;
  /** Every iteration run (with `diagnostics`). */
  trace?: ClmIterationStats[];
}
