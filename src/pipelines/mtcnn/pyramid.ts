// The image pyramid of MTCNN stage 1 (facenet detect_face): scales, level sizes, and the PNet cell
// box corners per column and row. These depend only on the image size and the options, never on
// pixel data; they are computed here once on the CPU (in float64, as facenet does) and given to the
// GPU kernels and to the CPU reference alike.

export interface PyramidLevel {
  index: number;
  scale: number;
  /** Resampled image size. */
  width: number;
  height: number;
}

/** PNet's output size for an input of size n (3x3 conv, 2x2/2 'SAME' pool, two 3x3 convs). */
export function pnetOutputSize(n: number): number {
  return Math.ceil((n - 2) / 2) - 4;
}

/**
 * The scales m f^k while the shorter side times m f^k is >= 12 (facenet and face-api.js alike).
 * 'facenet': level sides ceil(side * scale), every level PNet can read. 'face-api' (mtcnn/Mtcnn.ts,
 * getSizesForScale): floor(side * scale), only levels whose shorter side exceeds 12, the first 10.
 */
export function pyramid(width: number, height: number, minFaceSize: number, factor: number, convention: 'facenet' | 'face-api' = 'facenet'): PyramidLevel[] {
  const scales: number[] = [];
  const m = 12 / minFaceSize;
  let minl = Math.min(width, height) * m;
  while (minl >= 12) {
    scales.push(m * factor ** scales.length);
    minl *= factor;
  }
  if (convention === 'face-api') {
    return scales
      .map((scale) => ({ scale, width: Math.floor(width * scale), height: Math.floor(height * scale) }))
      .filter((l) => Math.min(l.width, l.height) > 12)
      .slice(0, 10)
      .map((l, index) => ({ index, ...l }));
  }
  return scales
    .map((scale, index) => ({ index, scale, width: Math.ceil(width * scale), height: Math.ceil(height * scale) }))
    .filter((l) => pnetOutputSize(l.width) >= 1 && pnetOutputSize(l.height) >= 1);
}

/**
 * Cell c of a PNet output covers pixels (2c + 1) / scale .. (2c + 12) / scale (1-based), truncated
 * ('facenet', np.fix) or rounded half up ('face-api', Math.round).
 */
export function cellCorners(cells: number, scale: number, convention: 'facenet' | 'face-api' = 'facenet'): Float32Array {
  const out = new Float32Array(2 * cells);
  const whole = convention === 'face-api' ? Math.round : Math.trunc;
  for (let c = 0; c < cells; c++) {
    out[2 * c] = whole((2 * c + 1) / scale);
    out[2 * c + 1] = whole((2 * c + 12) / scale);
  }
  return out;
}

/** Candidate keys: unique per image, ordered by scale then cell (they break score ties). */
export function pnetKey(level: number, cell: number): number {
  return level * 2 ** 24 + cell;
}
