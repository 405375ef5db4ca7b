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
  /**
   * Mean and largest mean-shift (image px), |dp|, RMS point move (image px; |d shape| =
   * move * sqrt(points)), modes clamped to +-3 sqrt(lambda).
   */
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
  /** Per stage response statistics and per iteration statistics (with `diagnostics`). */
  diagnostics?: ClmDiagnostics;
}

export interface ResponseStats {
  min: number;
  max: number;
  mean: number;
  sum: number;
  /** NaN or infinite response values. */
  nonFinite: number;
}

export interface LandmarkResponseStats extends ResponseStats {
  /** Peak offset from the window centre in reference units (x, y) and in image px. */
  peak: [number, number];
  peakPx: [number, number];
}

export interface ClmStageDiagnostics {
  stage: number;
  windowSize: number;
  /** How the responses were normalised: SVM models have no Sigma ('n.a.'). */
  sigma: 'n.a.' | 'components' | 'diagonal';
  /** The stage's similarity: image px per reference unit and rotation (degrees). */
  scale: number;
  rotationDeg: number;
  /** Over every landmark: min of mins, max of maxes, mean of means, total sum, non-finite count. */
  responses: ResponseStats;
  landmarks: LandmarkResponseStats[];
  /**
   * The similarity that best maps the anchors onto their response peaks: a frame bug (a
   * half-pixel shift, transposed offsets, a missing rotation) shows as a systematic translation,
   * scale or rotation here rather than as noise. meanOffsetPx is the mean peak offset (image px).
   */
  peakBias: { meanOffsetPx: [number, number]; scale: number; rotationDeg: number };
}

export interface ClmDiagnostics {
  /** The stages the face ran (it skips those after it converged). */
  stages: ClmStageDiagnostics[];
  iterations: ClmIterationStats[];
}
