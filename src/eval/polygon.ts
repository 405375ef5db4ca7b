// Polygon areas and intersections for evaluation (float64): shoelace area, Sutherland-Hodgman
// clipping of any simple polygon by a convex one (detections are rotated rectangles), IoU.

export type Polygon = ReadonlyArray<readonly [number, number]>;

export function signedArea(p: Polygon): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const [x1, y1] = p[i]!;
    const [x2, y2] = p[(i + 1) % p.length]!;
    s += x1 * y2 - x2 * y1;
  }
  return s / 2;
}

export const area = (p: Polygon) => Math.abs(signedArea(p));

export function isConvex(p: Polygon): boolean {
  let sign = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = p[(i + 1) % p.length]!;
    const c = p[(i + 2) % p.length]!;
    const cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
    if (cross !== 0) {
      if (sign !== 0 && Math.sign(cross) !== sign) return false;
      sign = Math.sign(cross);
    }
  }
  return true;
}

/** subject ∩ clip, clip convex (either orientation). */
export function clipPolygon(subject: Polygon, clip: Polygon): Array<[number, number]> {
  if (!isConvex(clip)) throw new RangeError('clipPolygon: the clip polygon must be convex');
  const orient = Math.sign(signedArea(clip)) || 1;
  let out: Array<[number, number]> = subject.map((p) => [p[0], p[1]]);
  for (let i = 0; i < clip.length && out.length; i++) {
    const a = clip[i]!;
    const b = clip[(i + 1) % clip.length]!;
    const side = (p: readonly [number, number]) => orient * ((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]));
    const input = out;
    out = [];
    for (let j = 0; j < input.length; j++) {
      const p = input[j]!;
      const q = input[(j + 1) % input.length]!;
      const sp = side(p);
      const sq = side(q);
      if (sp >= 0) out.push(p);
      if ((sp >= 0) !== (sq >= 0)) {
        const t = sp / (sp - sq);
        out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
      }
    }
  }
  return out;
}

export function intersectionArea(a: Polygon, convex: Polygon): number {
  const c = clipPolygon(a, convex);
  return c.length >= 3 ? area(c) : 0;
}

export function iou(a: Polygon, b: Polygon): number {
  const [subject, clip] = isConvex(b) ? [a, b] : [b, a];
  const inter = intersectionArea(subject, clip);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}
