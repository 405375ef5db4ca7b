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
  /** [T x D], row t at t * D: matched GT id (0: none). */
  dtMatches: number[];
  /** [T x G]: matched detection id (0: none). */
  gtMatches: number[];
  dtScores: number[];
  /** 1 where ignored. */
  gtIgnore: number[];
  /** [T x D]: 1 where ignored. */
  dtIgnore: number[];
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
  /** [K][A][I] as pycocotools orders them; null where an image has neither GT nor detections of the category. */
  evalImgs: Array<ImageEval | null>;
}

/** coco.py loadRes for boxes: area = w * h, id = index + 1, iscrowd 0; every image id must be in the GT. */
function loadResults(gt: CocoDataset, results: readonly CocoResult[]): Dt[] {
  const imgIds = new Set(gt.images.map((i) => i.id));
  const stray = results.find((r) => !imgIds.has(r.image_id));
  if (stray) throw new Error(`Results do not correspond to current coco set: image_id ${stray.image_id} is not in the ground truth`);
  return results.map((r, i) => ({ ...r, id: i + 1, area: r.bbox[2] * r.bbox[3] }));
}

/** One (image, category) pair: its GT in file order, its detections by score (cut to maxDet), their IoUs [D x G]. */
interface Cell {
  gt: Gt[];
  dt: Dt[];
  ious: Float64Array;
  dtIds: number[];
  dtScores: number[];
}

/** _prepare + computeIoU: the cells of (category k, image i) at k * I + i. */
function prepareCells(p: CocoParams, gtSet: CocoDataset, dtAll: readonly Dt[], maxDet: number): Array<Cell | undefined> {
  const I = p.imgIds.length;
  const imgIndex = new Map(p.imgIds.map((id, i) => [id, i]));
  const catIndex = new Map(p.catIds.map((id, k) => [id, k]));
  const cells = new Array<Cell | undefined>(p.catIds.length * I);
  const cellOf = (img: number, cat: number): Cell | undefined => {
    const i = imgIndex.get(img);
    const k = catIndex.get(cat);
    if (i === undefined || k === undefined) return undefined;
    return (cells[k * I + i] ??= { gt: [], dt: [], ious: new Float64Array(0), dtIds: [], dtScores: [] });
  };
  // getAnnIds lists annotations image by image in the order of imgIds given (sorted), each image's in file order.
  for (const a of gtSet.annotations) cellOf(a.image_id, a.category_id)?.gt.push({ ...a, ignore: !!a.iscrowd });
  for (const d of dtAll) cellOf(d.image_id, d.category_id)?.dt.push(d);
  for (const cell of cells) {
    if (!cell || cell.dt.length === 0) continue;
    const d0 = cell.dt;
    cell.dt = stableOrder(d0, (x) => -x.score).slice(0, maxDet).map((i) => d0[i]!);
    cell.dtIds = cell.dt.map((d) => d.id);
    cell.dtScores = cell.dt.map((d) => d.score);
    const G = cell.gt.length;
    cell.ious = new Float64Array(cell.dt.length * G);
    cell.dt.forEach((d, di) => cell.gt.forEach((g, gi) => (cell.ious[di * G + gi] = boxIou(d.bbox, g.bbox, !!g.iscrowd))));
  }
  return cells;
}

/** evaluateImg: greedy matching per IoU threshold of one cell in one area range. */
function evaluateCell(p: CocoParams, cell: Cell, imageId: number, categoryId: number, aRng: [number, number], maxDet: number): ImageEval {
  const T = p.iouThrs.length;
  const G = cell.gt.length;
  const D = cell.dt.length;
  const gIgnore0 = cell.gt.map((g) => g.ignore || g.area < aRng[0] || g.area > aRng[1]);
  // Ignored GT last, each group in order (a stable sort on the flag).
  const gtind = [...gIgnore0.keys()].filter((i) => !gIgnore0[i]).concat([...gIgnore0.keys()].filter((i) => gIgnore0[i]));
  const gt = gtind.map((i) => cell.gt[i]!);
  const gtIg = gtind.map((i) => (gIgnore0[i] ? 1 : 0));
  const crowd = gt.map((g) => !!g.iscrowd);
  // Plain arrays: millions of small typed arrays cost more (allocation and GC) than they save.
  const gtm = new Array<number>(T * G).fill(0);
  const dtm = new Array<number>(T * D).fill(0);
  const dtIg = new Array<number>(T * D).fill(0);
  if (G > 0 && D > 0) {
    for (let ti = 0; ti < T; ti++) {
      for (let di = 0; di < D; di++) {
        let best = Math.min(p.iouThrs[ti]!, 1 - 1e-10);
        let m = -1;
        const row = di * G;
        for (let gi = 0; gi < G; gi++) {
          // Already matched and not a crowd: next.
          if (gtm[ti * G + gi]! > 0 && !crowd[gi]) continue;
          // Matched to a regular GT, and the rest are ignored ones: stop.
          if (m > -1 && !gtIg[m] && gtIg[gi]) break;
          const v = cell.ious[row + gtind[gi]!]!;
          if (v < best) continue;
          best = v;
          m = gi;
        }
        if (m === -1) continue;
        dtIg[ti * D + di] = gtIg[m]!;
        dtm[ti * D + di] = gt[m]!.id;
        gtm[ti * G + m] = cell.dt[di]!.id;
      }
    }
  }
  // Unmatched detections outside the area range are ignored.
  cell.dt.forEach((d, di) => {
    const outside = d.area < aRng[0] || d.area > aRng[1];
    for (let ti = 0; ti < T; ti++) if (dtm[ti * D + di] === 0 && outside) dtIg[ti * D + di] = 1;
  });
  return {
    imageId, categoryId, areaRng: aRng, maxDet, dtIds: cell.dtIds, gtIds: gt.map((g) => g.id),
    dtMatches: dtm, gtMatches: gtm, dtScores: cell.dtScores, gtIgnore: gtIg, dtIgnore: dtIg,
  };
}

export function evaluateCoco(gtSet: CocoDataset, results: readonly CocoResult[], options: { maxDets?: readonly number[]; params?: Partial<CocoParams> } = {}): CocoEvaluation {
  const p: CocoParams = { ...defaultParams(gtSet, options.maxDets), ...options.params };
  p.imgIds = [...new Set(p.imgIds)].sort((a, b) => a - b);
  p.catIds = [...new Set(p.catIds)].sort((a, b) => a - b);
  p.maxDets = [...p.maxDets].sort((a, b) => a - b);
  const maxDet = p.maxDets[p.maxDets.length - 1]!;
  const cells = prepareCells(p, gtSet, loadResults(gtSet, results), maxDet);
  const I = p.imgIds.length;
  const evalImgs: Array<ImageEval | null> = [];
  p.catIds.forEach((cat, k) => {
    for (const aRng of p.areaRng) {
      p.imgIds.forEach((img, i) => {
        const cell = cells[k * I + i];
        evalImgs.push(cell && (cell.gt.length > 0 || cell.dt.length > 0) ? evaluateCell(p, cell, img, cat, aRng, maxDet) : null);
      });
    }
  });
  const { precision, recall } = accumulate(p, evalImgs);
  const { stats, summary } = summarize(p, precision, recall);
  return { params: p, precision, recall, stats, summary, evalImgs };
}

/** numpy searchsorted(a, v, 'left') on a non-decreasing array. */
function searchLeft(a: ArrayLike<number>, v: number): number {
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
      const E: ImageEval[] = [];
      for (let i = 0; i < I0; i++) {
        const e = evalImgs[k * A0 * I0 + a * I0 + i];
        if (e) E.push(e);
      }
      if (E.length === 0) continue;
      let npig = 0;
      for (const e of E) for (let g = 0; g < e.gtIgnore.length; g++) if (!e.gtIgnore[g]) npig++;
      p.maxDets.forEach((maxDet, m) => {
        if (npig === 0) return;
        // The first maxDet detections of every image, concatenated: owner and position of each.
        let n = 0;
        for (const e of E) n += Math.min(e.dtScores.length, maxDet);
        const scores = new Float64Array(n);
        const owner = new Int32Array(n);
        const local = new Int32Array(n);
        let at = 0;
        E.forEach((e, ei) => {
          const c = Math.min(e.dtScores.length, maxDet);
          for (let j = 0; j < c; j++, at++) {
            scores[at] = e.dtScores[j]!;
            owner[at] = ei;
            local[at] = j;
          }
        });
        // np.argsort(-scores, kind='mergesort'): by score, ties in concatenation order.
        const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => scores[y]! - scores[x]! || x - y);
        const rc = new Float64Array(n);
        const pr = new Float64Array(n);
        const q = new Float64Array(R);
        for (let t = 0; t < T; t++) {
          let tp = 0;
          let fp = 0;
          for (let r = 0; r < n; r++) {
            const i = order[r]!;
            const e = E[owner[i]!]!;
            const D = e.dtScores.length;
            const slot = t * D + local[i]!;
            if (e.dtIgnore[slot]) {
              // Neither a TP nor an FP: the cumulative sums repeat.
            } else if (e.dtMatches[slot]) tp++;
            else fp++;
            rc[r] = tp / npig;
            pr[r] = tp / (fp + tp + EPS);
          }
          recall[((t * K + k) * A + a) * M + m] = n ? rc[n - 1]! : 0;
          for (let i = n - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
          q.fill(0);
          for (let r = 0; r < R; r++) {
            const pi = searchLeft(rc, p.recThrs[r]!);
            // pycocotools fills q until the first recall threshold beyond the curve (IndexError).
            if (pi >= n) break;
            q[r] = pr[pi]!;
          }
          for (let r = 0; r < R; r++) precision[(((t * R + r) * K + k) * A + a) * M + m] = q[r]!;
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
