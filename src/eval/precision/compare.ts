// Tensor comparison for precision studies: float32 ULP distances (signed; +0 and -0 equal;
// subnormals counted like any other step; NaN only equals NaN), per-tensor statistics against a
// reference (max abs, max rel, ||a - b|| / ||b||, a ULP histogram), and the first layer that leaves
// a tolerance. Browser-safe.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32's position on the ordered line of float32 values (+0 and -0 both 0). */
export function orderedBits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
}

/**
 * Signed distance from b to a in float32 steps, after rounding both to float32: 0 when equal
 * (including +0 / -0 and NaN / NaN), Infinity when exactly one is NaN.
 */
export function ulpDistance(a: number, b: number): number {
  const na = Number.isNaN(a);
  const nb = Number.isNaN(b);
  if (na || nb) return na && nb ? 0 : Infinity;
  return orderedBits(a) - orderedBits(b);
}

/** ULP histogram buckets (absolute distances). */
export const ULP_BUCKETS = ['0', '1', '2-3', '4-15', '16-255', '256-65535', '65536+', 'NaN'] as const;
export type UlpBucket = (typeof ULP_BUCKETS)[number];

export function ulpBucket(d: number): UlpBucket {
  const a = Math.abs(d);
  if (!Number.isFinite(a)) return 'NaN';
  if (a === 0) return '0';
  if (a === 1) return '1';
  if (a < 4) return '2-3';
  if (a < 16) return '4-15';
  if (a < 256) return '16-255';
  if (a < 65536) return '256-65535';
  return '65536+';
}

export interface TensorComparison {
  count: number;
  maxAbs: number;
  /** Largest |a - b| / |b| over elements with |b| >= 1e-6 max |b| (relative error of tiny values is noise). */
  maxRel: number;
  /** ||a - b|| / ||b|| (||a - b|| when b is all zero). */
  relL2: number;
  maxUlp: number;
  /** Median |ULP| distance. */
  medianUlp: number;
  histogram: Record<UlpBucket, number>;
  /** Index of the largest |a - b|. */
  worst: number;
  /** Non-finite values on either side. */
  nonFinite: number;
}

/** a (a backend's float32 tensor) against ref (usually float64), elementwise. */
export function compareTensors(a: ArrayLike<number>, ref: ArrayLike<number>): TensorComparison {
  if (a.length !== ref.length) throw new RangeError(`compareTensors: ${a.length} values vs ${ref.length}`);
  const histogram = Object.fromEntries(ULP_BUCKETS.map((b) => [b, 0])) as Record<UlpBucket, number>;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) if (Number.isFinite(ref[i]!)) maxRef = Math.max(maxRef, Math.abs(ref[i]!));
  const relFloor = 1e-6 * maxRef;
  let maxAbs = 0;
  let maxRel = 0;
  let maxUlp = 0;
  let num = 0;
  let den = 0;
  let worst = 0;
  let nonFinite = 0;
  const ulps = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = ref[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) nonFinite++;
    const d = ulpDistance(x, y);
    ulps[i] = Math.abs(d);
    histogram[ulpBucket(d)]++;
    if (Math.abs(d) > maxUlp) maxUlp = Math.abs(d);
    if (!Number.isFinite(x - y)) continue;
    const diff = Math.abs(x - y);
    if (diff > maxAbs) {
      maxAbs = diff;
      worst = i;
    }
    if (Math.abs(y) >= relFloor && y !== 0) maxRel = Math.max(maxRel, diff / Math.abs(y));
    num += diff * diff;
    den += y * y;
  }
  ulps.sort();
  return { count: a.length, maxAbs, maxRel, relL2: den > 0 ? Math.sqrt(num / den) : Math.sqrt(num), maxUlp, medianUlp: a.length ? ulps[a.length >> 1]! : 0, histogram, worst, nonFinite };
}

export interface LayerTolerance {
  /** ||a - b|| / ||b|| above this leaves tolerance... */
  relL2: number;
  /**
   * ...when also some |a - b| exceeds this (default 0). Why: a tensor of near-zero values (a text
   * probability map of an image without text, ~1e-11 everywhere) has a tiny norm, and a backend
   * that flushes such values to 0 (onnxruntime's sigmoid does) shows relL2 ~0.5 with every value
   * within 1e-7 of the reference.
   */
  abs?: number;
}

export function leavesTolerance(c: TensorComparison, tolerance: LayerTolerance): boolean {
  return c.nonFinite > 0 || (!(c.relL2 <= tolerance.relL2) && !(c.maxAbs <= (tolerance.abs ?? 0)));
}

/** The first tensor (in execution order) whose comparison leaves the tolerance, or undefined. */
export function firstDeparture(layers: ReadonlyArray<{ name: string; comparison: TensorComparison }>, tolerance: LayerTolerance): string | undefined {
  return layers.find((l) => leavesTolerance(l.comparison, tolerance))?.name;
}
