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

export function pyramid(width: number, height: number, minFaceSize: number, factor: number): PyramidLevel[] {
  const levels: PyramidLevel[] = [];
  const m = 12 / minFaceSize;
  let minl = Math.min(width, height) * m;
  let count = 0;
  while (minl >= 12) {
    const scale = m * factor ** count;
    levels.push({ index: count, scale, width: Math.ceil(width * scale), height: Math.ceil(height * scale) });
    minl *= factor;
    count++;
  }
  return levels.filter((l) => pnetOutputSize(l.width) >= 1 && pnetOutputSize(l.height) >= 1);
}

/** Cell c of a PNet output covers pixels fix((2c + 1) / scale) .. fix((2c + 12) / scale) (1-based). */
export function cellCorners(cells: number, scale: number): Float32Array {
  const out = new Float32Array(2 * cells);
  for (let c = 0; c < cells; c++) {
    out[2 * c] = Math.trunc((2 * c + 1) / scale);
    out[2 * c + 1] = Math.trunc((2 * c + 12) / scale);
  }
  return out;
}

/** Candidate keys: unique per image, ordered by scale then cell (they break score ties). */
export function pnetKey(level: number, cell: number): number {
  return level * 2 ** 24 + cell;
}
