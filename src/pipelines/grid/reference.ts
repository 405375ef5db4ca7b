// Grid/anchor detection on the CPU, written from the decoders' definitions and the sequential
// algorithms (not from the shaders): the test reference of grid_decode.wgsl, sort.wgsl and
// grid_nms.wgsl, and of the whole pipeline. Box arithmetic of the NMS is rounded to float32 as the
// GPU computes it, so overlap decisions agree exactly; decoding uses float64 (the GPU's exp and
// sigmoid are not correctly rounded: tests allow for scores within 1e-5 of the threshold).
import type { NmsMethod } from './kernels.js';

export interface Candidate {
  /** x1, y1, x2, y2 in image pixels. */
  box: [number, number, number, number];
  score: number;
  classId: number;
  /** Unique per image; breaks score ties (lower first). */
  source: number;
}

export type DecodeSpec =
  | { kind: 'yolo'; grid: number; anchors: ReadonlyArray<readonly [number, number]>; classes: number }
  | { kind: 'yolo-direct'; grid: number; classes: number }
  | { kind: 'ssd'; anchors: Float32Array; classes: number; ignoreFirst: boolean; scales: [number, number] }
  | { kind: 'centernet'; classes: number; stride: number; inputWidth: number; inputHeight: number };

/** px = u * a + b per axis (the preprocessing undone, times the image size). */
export interface Affine {
  ax: number;
  bx: number;
  ay: number;
  by: number;
}

export interface DecodeOptions {
  threshold: number;
  /** Keep scores equal to the threshold (MediaPipe: >=; face-api.js and YOLO code: >). */
  inclusive: boolean;
  multiLabel: boolean;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The head resampled to S x S as PyTorch's bilinear interpolate with align_corners = False. */
function headAt(head: Float32Array, channels: number, hh: number, hw: number, image: number, c: number, i: number, j: number, S: number): number {
  const base = (image * channels + c) * hh * hw;
  if (hh === S && hw === S) return head[base + j * S + i]!;
  const sx = Math.max(((i + 0.5) * hw) / S - 0.5, 0);
  const sy = Math.max(((j + 0.5) * hh) / S - 0.5, 0);
  const x0 = Math.min(Math.floor(sx), hw - 1);
  const y0 = Math.min(Math.floor(sy), hh - 1);
  const x1 = Math.min(x0 + 1, hw - 1);
  const y1 = Math.min(y0 + 1, hh - 1);
  const lx = sx - x0;
  const ly = sy - y0;
  const v = (y: number, x: number) => head[base + y * hw + x]!;
  const top = v(y0, x0) * (1 - lx) + v(y0, x1) * lx;
  const bottom = v(y1, x0) * (1 - lx) + v(y1, x1) * lx;
  return top * (1 - ly) + bottom * ly;
}

/**
 * Candidates of image `image` of a batch head. YOLO/DIRECT: head [N, A (5 + C), H, W]; SSD: boxes
 * [N, A, 4] in `head` and logits [N, A, C] in `logits`.
 */
export function decodeReference(spec: DecodeSpec, head: { shape: readonly number[]; data: Float32Array }, logits: Float32Array | undefined, image: number, affine: Affine, o: DecodeOptions): Candidate[] {
  const out: Candidate[] = [];
  const passes = (s: number) => (o.inclusive ? s >= o.threshold : s > o.threshold);
  const place = (x1: number, y1: number, x2: number, y2: number): Candidate['box'] => [x1 * affine.ax + affine.bx, y1 * affine.ay + affine.by, x2 * affine.ax + affine.bx, y2 * affine.ay + affine.by];
  const add = (box: Candidate['box'], scores: number[], sourceBase: number, first: number) => {
    if (o.multiLabel) {
      scores.forEach((s, c) => c >= first && passes(s) && out.push({ box, score: s, classId: c, source: sourceBase + c }));
      return;
    }
    let best = -1;
    let cls = 0;
    scores.forEach((s, c) => {
      if (c >= first && s > best) {
        best = s;
        cls = c;
      }
    });
    if (best >= 0 && passes(best)) out.push({ box, score: best, classId: cls, source: sourceBase + cls });
  };
  if (spec.kind === 'centernet') return centerNetPeaks(spec, head, logits!, image, place, passes);
  if (spec.kind === 'ssd') {
    const count = spec.anchors.length / 4;
    const C = spec.classes;
    for (let a = 0; a < count; a++) {
      const i = image * count + a;
      const [ya, xa, ha, wa] = [spec.anchors[4 * a]!, spec.anchors[4 * a + 1]!, spec.anchors[4 * a + 2]!, spec.anchors[4 * a + 3]!];
      const [ty, tx, th, tw] = [head.data[4 * i]!, head.data[4 * i + 1]!, head.data[4 * i + 2]!, head.data[4 * i + 3]!];
      const yc = (ty / spec.scales[0]) * ha + ya;
      const xc = (tx / spec.scales[0]) * wa + xa;
      const h = Math.exp(th / spec.scales[1]) * ha;
      const w = Math.exp(tw / spec.scales[1]) * wa;
      const scores = Array.from({ length: C }, (_, c) => sigmoid(logits![i * C + c]!));
      add(place(xc - w / 2, yc - h / 2, xc + w / 2, yc + h / 2), scores, a * C, spec.ignoreFirst ? 1 : 0);
    }
    return out;
  }
  const [, channels, hh, hw] = head.shape as [number, number, number, number];
  const S = spec.grid;
  const C = spec.classes;
  const A = spec.kind === 'yolo' ? spec.anchors.length : 1;
  const at = (c: number, i: number, j: number) => headAt(head.data, channels, hh, hw, image, c, i, j, S);
  for (let j = 0; j < S; j++)
    for (let i = 0; i < S; i++)
      for (let a = 0; a < A; a++) {
        const k0 = a * (5 + C);
        let tx: number, ty: number, w: number, h: number, obj: number;
        if (spec.kind === 'yolo-direct') {
          [tx, ty, w, h, obj] = [at(k0, i, j), at(k0 + 1, i, j), at(k0 + 2, i, j), at(k0 + 3, i, j), at(k0 + 4, i, j)];
        } else {
          tx = sigmoid(at(k0, i, j));
          ty = sigmoid(at(k0 + 1, i, j));
          w = (Math.exp(at(k0 + 2, i, j)) * spec.anchors[a]![0]) / S;
          h = (Math.exp(at(k0 + 3, i, j)) * spec.anchors[a]![1]) / S;
          obj = sigmoid(at(k0 + 4, i, j));
        }
        const cx = (i + tx) / S;
        const cy = (j + ty) / S;
        const box = place(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
        const source = ((j * S + i) * A + a) * Math.max(C, 1);
        if (C === 0) {
          if (passes(obj)) out.push({ box, score: obj, classId: 0, source });
          continue;
        }
        const raw = Array.from({ length: C }, (_, c) => at(k0 + 5 + c, i, j));
        let probs = raw;
        if (spec.kind === 'yolo') {
          const m = Math.max(...raw);
          const e = raw.map((v) => Math.exp(v - m));
          const total = e.reduce((s, v) => s + v, 0);
          probs = e.map((v) => v / total);
        }
        add(box, probs.map((p) => obj * p), source, 0);
      }
  return out;
}

/** Descending score, ties by ascending source (the GPU sort's order). */
export function sortCandidates(list: readonly Candidate[]): Candidate[] {
  return [...list].sort((a, b) => b.score - a.score || a.source - b.source);
}

export interface NmsOptions {
  iou: number;
  method: NmsMethod;
  maxDet: number;
  agnostic: boolean;
  /** Pixel-inclusive areas (x2 - x1 + 1): MTCNN's convention; grid detectors use continuous ones. */
  inclusive: boolean;
  /** Soft-NMS: drop candidates whose decayed score falls below this. */
  scoreThreshold: number;
  /** Soft-NMS Gaussian sigma. */
  sigma: number;
}

const f = Math.fround;

function area(b: readonly number[], inclusive: boolean): number {
  const e = inclusive ? 1 : 0;
  return f(f(f(b[2]! - b[0]!) + e) * f(f(b[3]! - b[1]!) + e));
}

function intersection(a: readonly number[], b: readonly number[], inclusive: boolean): number {
  const e = inclusive ? 1 : 0;
  const w = Math.max(0, f(f(Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!)) + e));
  const h = Math.max(0, f(f(Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!)) + e));
  return f(w * h);
}

/** intersection > threshold * union, in float32 as the GPU decides it. */
export function suppresses(a: Candidate, b: Candidate, o: Pick<NmsOptions, 'iou' | 'agnostic' | 'inclusive'>): boolean {
  if (!o.agnostic && a.classId !== b.classId) return false;
  const inter = intersection(a.box, b.box, o.inclusive);
  return inter > f(o.iou * f(f(area(a.box, o.inclusive) + area(b.box, o.inclusive)) - inter));
}

function iou(a: Candidate, b: Candidate, inclusive: boolean): number {
  const inter = intersection(a.box, b.box, inclusive);
  const union = area(a.box, inclusive) + area(b.box, inclusive) - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy, weighted (score-blended clusters) or soft NMS of one image's candidates; 'none': the best maxDet. */
export function nmsReference(list: readonly Candidate[], o: NmsOptions): Candidate[] {
  const sorted = sortCandidates(list);
  if (o.method === 'soft-linear' || o.method === 'soft-gaussian') return softNms(sorted, o);
  if (o.method === 'none') return sorted.slice(0, o.maxDet);
  const removed = new Array<boolean>(sorted.length).fill(false);
  const kept: Candidate[] = [];
  for (let i = 0; i < sorted.length && kept.length < o.maxDet; i++) {
    if (removed[i]) continue;
    const cluster = [sorted[i]!];
    for (let j = i + 1; j < sorted.length; j++) {
      if (!removed[j] && suppresses(sorted[i]!, sorted[j]!, o)) {
        removed[j] = true;
        cluster.push(sorted[j]!);
      }
    }
    if (o.method === 'weighted') {
      const total = cluster.reduce((s, c) => s + c.score, 0);
      const box = [0, 1, 2, 3].map((k) => cluster.reduce((s, c) => s + c.box[k]! * c.score, 0) / total) as Candidate['box'];
      kept.push({ ...sorted[i]!, box });
    } else {
      kept.push(sorted[i]!);
    }
  }
  return kept;
}

function softNms(sorted: Candidate[], o: NmsOptions): Candidate[] {
  const scores = sorted.map((c) => c.score);
  const alive = sorted.map(() => true);
  const kept: Candidate[] = [];
  while (kept.length < o.maxDet) {
    let top = -1;
    for (let p = 0; p < sorted.length; p++) if (alive[p] && (top < 0 || scores[p]! > scores[top]!)) top = p;
    if (top < 0) break;
    alive[top] = false;
    kept.push({ ...sorted[top]!, score: scores[top]! });
    for (let p = 0; p < sorted.length; p++) {
      if (!alive[p] || (!o.agnostic && sorted[p]!.classId !== sorted[top]!.classId)) continue;
      const overlap = iou(sorted[top]!, sorted[p]!, o.inclusive);
      const decayed = o.method === 'soft-gaussian' ? scores[p]! * Math.exp(-(overlap * overlap) / o.sigma) : overlap > o.iou ? scores[p]! * (1 - overlap) : scores[p]!;
      scores[p] = decayed;
      if (decayed < o.scoreThreshold) alive[p] = false;
    }
  }
  return kept;
}

/**
 * CenterNet: every (class, cell) whose heat is a local maximum of its 3 x 3 neighbourhood (cells
 * outside the map do not count) and passes the threshold; the box spans the cell's position in the
 * input (x stride) minus the left/top extents to plus the right/bottom ones (input pixels).
 */
function centerNetPeaks(
  spec: Extract<DecodeSpec, { kind: 'centernet' }>,
  head: { shape: readonly number[]; data: Float32Array },
  sizes: Float32Array,
  image: number,
  place: (x1: number, y1: number, x2: number, y2: number) => Candidate['box'],
  passes: (s: number) => boolean,
): Candidate[] {
  const [, C, H, W] = head.shape as [number, number, number, number];
  const out: Candidate[] = [];
  const heat = (c: number, y: number, x: number) => head.data[((image * C + c) * H + y) * W + x]!;
  const extent = (k: number, y: number, x: number) => sizes[((image * 4 + k) * H + y) * W + x]!;
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const v = heat(c, y, x);
        if (!passes(v)) continue;
        let peak = true;
        for (let yy = Math.max(0, y - 1); yy <= Math.min(H - 1, y + 1) && peak; yy++)
          for (let xx = Math.max(0, x - 1); xx <= Math.min(W - 1, x + 1); xx++) if (heat(c, yy, xx) > v) peak = false;
        if (!peak) continue;
        const cx = x * spec.stride;
        const cy = y * spec.stride;
        const box = place(
          (cx - extent(0, y, x)) / spec.inputWidth,
          (cy - extent(1, y, x)) / spec.inputHeight,
          (cx + extent(2, y, x)) / spec.inputWidth,
          (cy + extent(3, y, x)) / spec.inputHeight,
        );
        out.push({ box, score: v, classId: c, source: (y * W + x) * C + c });
      }
  return out;
}
