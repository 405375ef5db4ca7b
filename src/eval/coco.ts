// COCO box evaluation, a line-by-line port of pycocotools' COCOeval (cocodataset/cocoapi,
// PythonAPI/pycocotools/cocoeval.py, coco.py loadRes, common/maskApi.c bbIou), so that the numbers
// are pycocotools' to the last bit wherever JavaScript doubles allow (they are numpy's float64):
// - iouThrs .50:.05:.95 and recThrs 0:.01:1 as np.linspace computes them (i * step + start);
// - detections sorted by score with a stable sort (numpy's mergesort), cut to the largest maxDet;
// - IoU without +1; against a crowd GT, intersection / detection area; crowd GTs absorb any number
//   of detections, which are then ignored; GT 'ignore' = iscrowd (as _prepare overwrites it);
// - area ranges tested on the GT 'area' field; results get area = w * h, id = index + 1;
// - greedy matching per threshold from min(t, 1 - 1e-10), an IoU equal to it matching;
// - 101-point interpolated precision from the right-running maximum, searchsorted 'left';
// - -1 wherever pycocotools leaves -1 (no GT of a category in an area range, nothing to average).
// Browser-safe (no Node imports).

export interface CocoImage {
  id: number;
  file_name?: string;
  width?: number;
  height?: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** x, y, width, height. */
  bbox: [number, number, number, number];
  area: number;
  iscrowd?: number | boolean;
}

export interface CocoCategory {
  id: number;
  name: string;
}

export interface CocoDataset {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** One detection of a COCO results list. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

export interface CocoParams {
  imgIds: number[];
  catIds: number[];
  iouThrs: number[];
  recThrs: number[];
  maxDets: number[];
  areaRng: Array<[number, number]>;
  areaRngLbl: string[];
}

/** np.linspace(start, stop, num): (i * step) + start, the last value set to stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

export function defaultParams(gt: CocoDataset, maxDets: readonly number[] = [1, 10, 100]): CocoParams {
  return {
    imgIds: [...new Set(gt.images.map((i) => i.id))].sort((a, b) => a - b),
    catIds: [...new Set(gt.categories.map((c) => c.id))].sort((a, b) => a - b),
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0, 1, Math.round((1 - 0) / 0.01) + 1),
    maxDets: [...maxDets].sort((a, b) => a - b),
    areaRng: [
      [0, 1e5 ** 2],
      [0, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
}

interface Gt extends CocoAnnotation {
  ignore: boolean;
}

interface Dt extends CocoResult {
  id: number;
  area: number;
}

/** numpy argsort(kind='mergesort'): indices in ascending key order, ties in original order. */
function stableOrder<T>(items: readonly T[], key: (t: T) => number): number[] {
  return items.map((_, i) => i).sort((a, b) => key(items[a]!) - key(items[b]!) || a - b);
}

/** maskApi.c bbIou: no +1; crowd GT: intersection over the detection's area. */
export function boxIou(d: readonly number[], g: readonly number[], crowd: boolean): number {
  const w = Math.min(d[0]! + d[2]!, g[0]! + g[2]!) - Math.max(d[0]!, g[0]!);
  if (w <= 0) return 0;
  const h = Math.min(d[1]! + d[3]!, g[1]! + g[3]!) - Math.max(d[1]!, g[1]!);
  if (h <= 0) return 0;
  const i = w * h;
  const u = crowd ? d[2]! * d[3]! : d[2]! * d[3]! + g[2]! * g[3]! - i;
  return i / u;
}

export interface ImageEval {
  imageId: number;
  categoryId: number;
  areaRng: [number, number];
  maxDet: number;
  dtIds: number[];
  gtIds: number[];
  /** [T][D]: matched GT id (0: none). */
  dtMatches: number[][];
  /** [T][G]: matched detection id (0: none). */
  gtMatches: number[][];
  dtScores: number[];
  gtIgnore: boolean[];
  /** [T][D]. */
  dtIgnore: boolean[][];
}

export interface CocoEvaluation {
  params: CocoParams;
  /** [T][R][K][A][M], -1 where undefined. */
  precision: Float64Array;
  /** [T][K][A][M]. */
  recall: Float64Array;
  stats: number[];
  /** The summary lines, in pycocotools' wording. */
  summary: string[];
  evalImgs: Array<ImageEval | null>;
}

/** coco.py loadRes for boxes: area = w * h, id = index + 1, iscrowd 0; every image id must be in the GT. */
function loadResults(gt: CocoDataset, results: readonly CocoResult[]): Dt[] {
  const imgIds = new Set(gt.images.map((i) => i.id));
  const stray = results.find((r) => !imgIds.has(r.image_id));
  if (stray) throw new Error(`Results do not correspond to current coco set: image_id ${stray.image_id} is not in the ground truth`);
  return results.map((r, i) => ({ ...r, id: i + 1, area: r.bbox[2] * r.bbox[3] }));
}

export function evaluateCoco(gtSet: CocoDataset, results: readonly CocoResult[], options: { maxDets?: readonly number[]; params?: Partial<CocoParams> } = {}): CocoEvaluation {
  const p: CocoParams = { ...defaultParams(gtSet, options.maxDets), ...options.params };
  p.imgIds = [...new Set(p.imgIds)].sort((a, b) => a - b);
  p.catIds = [...new Set(p.catIds)].sort((a, b) => a - b);
  p.maxDets = [...p.maxDets].sort((a, b) => a - b);
  const dtAll = loadResults(gtSet, results);

  // _prepare: per (image, category), in file order; ignore = iscrowd.
  const key = (img: number, cat: number) => `${img} ${cat}`;
  const imgSet = new Set(p.imgIds);
  const catSet = new Set(p.catIds);
  const gts = new Map<string, Gt[]>();
  const dts = new Map<string, Dt[]>();
  // getAnnIds lists annotations image by image in the order of imgIds given (sorted), each image's in file order.
  for (const a of gtSet.annotations) {
    if (!imgSet.has(a.image_id) || !catSet.has(a.category_id)) continue;
    const k = key(a.image_id, a.category_id);
    const list = gts.get(k);
    if (list) list.push({ ...a, ignore: !!a.iscrowd });
    else gts.set(k, [{ ...a, ignore: !!a.iscrowd }]);
  }
  for (const d of dtAll) {
    if (!imgSet.has(d.image_id) || !catSet.has(d.category_id)) continue;
    const k = key(d.image_id, d.category_id);
    const list = dts.get(k);
    if (list) list.push(d);
    else dts.set(k, [d]);
  }
  const maxDet = p.maxDets[p.maxDets.length - 1]!;

  // computeIoU: [D][G] with detections sorted by score (stable) and cut to the largest maxDet.
  const ious = new Map<string, number[][]>();
  for (const img of p.imgIds) {
    for (const cat of p.catIds) {
      const k = key(img, cat);
      const g = gts.get(k) ?? [];
      const d0 = dts.get(k) ?? [];
      if (g.length === 0 || d0.length === 0) {
        ious.set(k, []);
        continue;
      }
      const d = stableOrder(d0, (x) => -x.score).slice(0, maxDet).map((i) => d0[i]!);
      ious.set(k, d.map((dd) => g.map((gg) => boxIou(dd.bbox, gg.bbox, !!gg.iscrowd))));
    }
  }

  const T = p.iouThrs.length;
  const evaluateImg = (img: number, cat: number, aRng: [number, number]): ImageEval | null => {
    const k = key(img, cat);
    const g0 = gts.get(k) ?? [];
    const d0 = dts.get(k) ?? [];
    if (g0.length === 0 && d0.length === 0) return null;
    const gIgnore0 = g0.map((g) => g.ignore || g.area < aRng[0] || g.area > aRng[1]);
    const gtind = stableOrder(gIgnore0, (x) => (x ? 1 : 0));
    const gt = gtind.map((i) => g0[i]!);
    const gtIg = gtind.map((i) => gIgnore0[i]!);
    const dtind = stableOrder(d0, (x) => -x.score).slice(0, maxDet);
    const dt = dtind.map((i) => d0[i]!);
    const crowd = gt.map((g) => !!g.iscrowd);
    const table = ious.get(k)!;
    const iou = (di: number, gi: number) => table[di]![gtind[gi]!]!;
    const gtm = Array.from({ length: T }, () => new Array<number>(gt.length).fill(0));
    const dtm = Array.from({ length: T }, () => new Array<number>(dt.length).fill(0));
    const dtIg = Array.from({ length: T }, () => new Array<boolean>(dt.length).fill(false));
    if (table.length > 0) {
      p.iouThrs.forEach((t, ti) => {
        dt.forEach((d, di) => {
          let best = Math.min(t, 1 - 1e-10);
          let m = -1;
          for (let gi = 0; gi < gt.length; gi++) {
            // Already matched and not a crowd: next.
            if (gtm[ti]![gi]! > 0 && !crowd[gi]) continue;
            // Matched to a regular GT, and the rest are ignored ones: stop.
            if (m > -1 && !gtIg[m] && gtIg[gi]) break;
            if (iou(di, gi) < best) continue;
            best = iou(di, gi);
            m = gi;
          }
          if (m === -1) return;
          dtIg[ti]![di] = gtIg[m]!;
          dtm[ti]![di] = gt[m]!.id;
          gtm[ti]![m] = d.id;
        });
      });
    }
    // Unmatched detections outside the area range are ignored.
    dt.forEach((d, di) => {
      const outside = d.area < aRng[0] || d.area > aRng[1];
      for (let ti = 0; ti < T; ti++) if (dtm[ti]![di] === 0 && outside) dtIg[ti]![di] = true;
    });
    return { imageId: img, categoryId: cat, areaRng: aRng, maxDet, dtIds: dt.map((d) => d.id), gtIds: gt.map((g) => g.id), dtMatches: dtm, gtMatches: gtm, dtScores: dt.map((d) => d.score), gtIgnore: gtIg, dtIgnore: dtIg };
  };
  const evalImgs: Array<ImageEval | null> = [];
  for (const cat of p.catIds) for (const aRng of p.areaRng) for (const img of p.imgIds) evalImgs.push(evaluateImg(img, cat, aRng));

  const { precision, recall } = accumulate(p, evalImgs);
  const { stats, summary } = summarize(p, precision, recall);
  return { params: p, precision, recall, stats, summary, evalImgs };
}

/** numpy searchsorted(a, v, 'left') on a non-decreasing array. */
function searchLeft(a: readonly number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const EPS = 2.220446049250313e-16; // np.spacing(1)

/** numpy's pairwise summation (np.add.reduce on a contiguous float64 array, as np.mean uses it). */
export function pairwiseSum(a: readonly number[], start = 0, n = a.length): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[start + i]!;
    return s;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => a[start + j]!);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) s += a[start + i]!;
    return s;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

function accumulate(p: CocoParams, evalImgs: ReadonlyArray<ImageEval | null>): { precision: Float64Array; recall: Float64Array } {
  const [T, R, K, A, M] = [p.iouThrs.length, p.recThrs.length, p.catIds.length, p.areaRng.length, p.maxDets.length];
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const I0 = p.imgIds.length;
  const A0 = p.areaRng.length;
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      p.maxDets.forEach((maxDet, m) => {
        const E = Array.from({ length: I0 }, (_, i) => evalImgs[k * A0 * I0 + a * I0 + i]).filter((e): e is ImageEval => !!e);
        if (E.length === 0) return;
        const scores = E.flatMap((e) => e.dtScores.slice(0, maxDet));
        const order = stableOrder(scores, (s) => -s);
        const gtIgnored = E.flatMap((e) => e.gtIgnore);
        const npig = gtIgnored.filter((g) => !g).length;
        if (npig === 0) return;
        for (let t = 0; t < T; t++) {
          const matched = E.flatMap((e) => e.dtMatches[t]!.slice(0, maxDet));
          const ignored = E.flatMap((e) => e.dtIgnore[t]!.slice(0, maxDet));
          let tp = 0;
          let fp = 0;
          const rc: number[] = [];
          const pr: number[] = [];
          for (const i of order) {
            if (ignored[i]) {
              // Neither a TP nor an FP: the cumulative sums repeat.
            } else if (matched[i]) tp++;
            else fp++;
            rc.push(tp / npig);
            pr.push(tp / (fp + tp + EPS));
          }
          const nd = rc.length;
          recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1]! : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
          const q = new Array<number>(R).fill(0);
          for (let r = 0; r < R; r++) {
            const pi = searchLeft(rc, p.recThrs[r]!);
            // pycocotools fills q until the first recall threshold beyond the curve (IndexError).
            if (pi >= nd) break;
            q[r] = pr[pi]!;
          }
          q.forEach((v, r) => (precision[(((t * R + r) * K + k) * A + a) * M + m] = v));
        }
      });
    }
  }
  return { precision, recall };
}

/**
 * Python's '{:0.Nf}': the exact binary value rounded half to even (JavaScript's toFixed rounds an
 * exact tie up). A double is exactly halfway between two N-digit decimals only when v 2^(N+1) is an
 * odd integer (the 5^N of the denominator must cancel), e.g. 0.5625 at 3 digits.
 */
export function pyFixed(v: number, digits: number): string {
  const twice = v * 2 ** (digits + 1);
  if (Number.isInteger(twice) && Math.abs(twice) % 2 === 1) {
    const down = Math.floor(v * 10 ** digits);
    const even = down % 2 === 0 ? down : down + 1;
    return (even / 10 ** digits).toFixed(digits);
  }
  return v.toFixed(digits);
}

/** One line of COCOeval.summarize(), character for character. */
export function summaryLine(ap: boolean, iouStr: string, areaRng: string, maxDets: number, mean: number): string {
  return ` ${(ap ? 'Average Precision' : 'Average Recall').padEnd(18)} ${ap ? '(AP)' : '(AR)'} @[ IoU=${iouStr.padEnd(9)} | area=${areaRng.padStart(6)} | maxDets=${String(maxDets).padStart(3)} ] = ${pyFixed(mean, 3)}`;
}

function summarize(p: CocoParams, precision: Float64Array, recall: Float64Array): { stats: number[]; summary: string[] } {
  const [T, R, K, A, M] = [p.iouThrs.length, p.recThrs.length, p.catIds.length, p.areaRng.length, p.maxDets.length];
  const summary: string[] = [];
  const one = (ap: boolean, iouThr: number | undefined, areaRng: string, maxDets: number): number => {
    const ts = iouThr === undefined ? p.iouThrs.map((_, i) => i) : p.iouThrs.flatMap((v, i) => (v === iouThr ? [i] : []));
    const as = p.areaRngLbl.flatMap((l, i) => (l === areaRng ? [i] : []));
    const ms = p.maxDets.flatMap((d, i) => (d === maxDets ? [i] : []));
    // s[:, :, :, aind, mind] (recall: s[:, :, aind, mind]) in numpy's C order: t, r, k.
    const values: number[] = [];
    if (as.length === 1 && ms.length === 1) {
      const [a, m] = [as[0]!, ms[0]!];
      for (const t of ts) {
        if (ap) for (let r = 0; r < R; r++) for (let k = 0; k < K; k++) values.push(precision[(((t * R + r) * K + k) * A + a) * M + m]!);
        else for (let k = 0; k < K; k++) values.push(recall[((t * K + k) * A + a) * M + m]!);
      }
    }
    const valid = values.filter((v) => v > -1);
    const mean = valid.length === 0 ? -1 : pairwiseSum(valid) / valid.length;
    const iouStr = iouThr === undefined ? `${p.iouThrs[0]!.toFixed(2)}:${p.iouThrs[T - 1]!.toFixed(2)}` : iouThr.toFixed(2);
    summary.push(summaryLine(ap, iouStr, areaRng, maxDets, mean));
    return mean;
  };
  const md = p.maxDets;
  const stats = [
    one(true, undefined, 'all', 100),
    one(true, 0.5, 'all', md[2]!),
    one(true, 0.75, 'all', md[2]!),
    one(true, undefined, 'small', md[2]!),
    one(true, undefined, 'medium', md[2]!),
    one(true, undefined, 'large', md[2]!),
    one(false, undefined, 'all', md[0]!),
    one(false, undefined, 'all', md[1]!),
    one(false, undefined, 'all', md[2]!),
    one(false, undefined, 'small', md[2]!),
    one(false, undefined, 'medium', md[2]!),
    one(false, undefined, 'large', md[2]!),
  ];
  return { stats, summary };
}

/**
 * The mean of precision (AP) or recall (AR) entries > -1 for one category, or all (k undefined),
 * at an IoU threshold index (all when undefined), area range index and maxDets index.
 */
export function meanOf(e: CocoEvaluation, what: 'precision' | 'recall', sel: { k?: number; t?: number; a: number; m: number }): number {
  const p = e.params;
  const [T, R, K, A, M] = [p.iouThrs.length, p.recThrs.length, p.catIds.length, p.areaRng.length, p.maxDets.length];
  const values: number[] = [];
  for (let t = 0; t < T; t++) {
    if (sel.t !== undefined && t !== sel.t) continue;
    for (let k = 0; k < K; k++) {
      if (sel.k !== undefined && k !== sel.k) continue;
      if (what === 'precision') for (let r = 0; r < R; r++) values.push(e.precision[(((t * R + r) * K + k) * A + sel.a) * M + sel.m]!);
      else values.push(e.recall[((t * K + k) * A + sel.a) * M + sel.m]!);
    }
  }
  const valid = values.filter((v) => v > -1);
  return valid.length ? pairwiseSum(valid) / valid.length : -1;
}
