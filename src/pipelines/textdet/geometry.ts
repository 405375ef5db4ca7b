// Plane geometry of DB post-processing, float64 (the CPU reference): convex hull, minimum-area
// rectangle (rotating calipers over hull edges, as OpenCV's minAreaRect), PaddleOCR's corner
// order, point-in-convex-polygon, and round-half-to-even (numpy's np.round, WGSL's round).

export type Point = [number, number];

/**
 * Andrew's monotone chain (the single-array form) over points sorted by (y, x) — rows top to bottom,
 * as the GPU kernel gathers them — with collinear points dropped. The GPU walks the hull in the same
 * order, which matters for minAreaRect's first-edge-wins tie rule.
 */
export function convexHull(points: readonly Point[]): Point[] {
  const p = [...points].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const unique = p.filter((q, i) => i === 0 || q[0] !== p[i - 1]![0] || q[1] !== p[i - 1]![1]);
  if (unique.length < 3) return unique;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const h: Point[] = [];
  let k = 0;
  for (let i = 0; i < unique.length; i++) {
    while (k >= 2 && cross(h[k - 2]!, h[k - 1]!, unique[i]!) <= 0) k--;
    h[k++] = unique[i]!;
  }
  for (let i = unique.length - 2, t = k + 1; i >= 0; i--) {
    while (k >= t && cross(h[k - 2]!, h[k - 1]!, unique[i]!) <= 0) k--;
    h[k++] = unique[i]!;
  }
  return h.slice(0, k - 1);
}

export interface Rect {
  /** Unit direction of the first side, and the perpendicular. */
  u: Point;
  v: Point;
  /** Extents along u and v: [min, max]. */
  a: [number, number];
  b: [number, number];
}

export const rectWidth = (r: Rect) => r.a[1] - r.a[0];
export const rectHeight = (r: Rect) => r.b[1] - r.b[0];

/** The smallest-area rectangle containing the hull (one side on a hull edge; first edge wins ties). */
export function minAreaRect(hull: readonly Point[]): Rect {
  if (hull.length === 1) return { u: [1, 0], v: [0, 1], a: [hull[0]![0], hull[0]![0]], b: [hull[0]![1], hull[0]![1]] };
  let best: Rect | undefined;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const p = hull[i]!;
    const q = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(q[0] - p[0], q[1] - p[1]);
    if (len === 0) continue;
    const u: Point = [(q[0] - p[0]) / len, (q[1] - p[1]) / len];
    const v: Point = [-u[1], u[0]];
    let [a0, a1, b0, b1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const h of hull) {
      const pa = h[0] * u[0] + h[1] * u[1];
      const pb = h[0] * v[0] + h[1] * v[1];
      a0 = Math.min(a0, pa);
      a1 = Math.max(a1, pa);
      b0 = Math.min(b0, pb);
      b1 = Math.max(b1, pb);
    }
    const area = (a1 - a0) * (b1 - b0);
    if (area < bestArea) {
      bestArea = area;
      best = { u, v, a: [a0, a1], b: [b0, b1] };
    }
  }
  return best!;
}

export function rectCorners(r: Rect): Point[] {
  const at = (a: number, b: number): Point => [a * r.u[0] + b * r.v[0], a * r.u[1] + b * r.v[1]];
  return [at(r.a[0], r.b[0]), at(r.a[1], r.b[0]), at(r.a[1], r.b[1]), at(r.a[0], r.b[1])];
}

/** PaddleOCR get_mini_boxes order: by x; of the two left points the upper first... -> TL, TR, BR, BL. */
export function orderCorners(corners: readonly Point[]): Point[] {
  const p = [...corners].sort((a, b) => a[0] - b[0]);
  const [i1, i4] = p[1]![1] > p[0]![1] ? [0, 1] : [1, 0];
  const [i2, i3] = p[3]![1] > p[2]![1] ? [2, 3] : [3, 2];
  return [p[i1]!, p[i2]!, p[i3]!, p[i4]!];
}

/** The rectangle grown by `d` on every side (the unclip of a rectangle: its offset's min-area rect). */
export function growRect(r: Rect, d: number): Rect {
  return { u: r.u, v: r.v, a: [r.a[0] - d, r.a[1] + d], b: [r.b[0] - d, r.b[1] + d] };
}

/** Inside or on a convex polygon (either orientation). */
export function insideConvex(poly: readonly Point[], x: number, y: number): boolean {
  let pos = false;
  let neg = false;
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i]!;
    const q = poly[(i + 1) % poly.length]!;
    const c = (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
    if (c > 0) pos = true;
    if (c < 0) neg = true;
  }
  return !(pos && neg);
}

export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
