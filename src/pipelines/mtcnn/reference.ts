// MTCNN on the CPU, written from facenet's detect_face.py (not from the shaders): the test reference
// of the GPU pipeline, in float32 (every result rounded to float32, as a CPU float32 backend would)
// or float64. The networks run through the ops' CPU references; every post-processing step is the
// plain sequential algorithm (sort, greedy NMS, loops over candidates).
import { runReference } from '../../graph/reference.js';
import type { Graph } from '../../graph/types.js';
import type { Precision } from '../../ops/types.js';
import type { MtcnnOptions } from './options.js';
import { cellCorners, pnetKey, pyramid } from './pyramid.js';
import { inChannelOrder, type RgbImage } from '../floor/image.js';
import { prepareImage, unshrink } from './shrink.js';
import { toXywh, type ImageDetections, type MtcnnGraphs, type StageCandidate } from './types.js';

export interface RefCandidate {
  box: [number, number, number, number];
  reg: [number, number, number, number];
  score: number;
  /** NMS order: the logit margin, face minus background (see shaders/postprocess/candidate.wgsl). */
  rank: number;
  key: number;
  landmarks?: number[];
}


const NORM_MEAN = 127.5;
const NORM_SCALE = 0.0078125;

function rounding(precision: Precision): (v: number) => number {
  return precision === 'f32' ? Math.fround : (v) => v;
}

/**
 * INTER_AREA resampling of the region [x0, x0 + srcW) x [y0, y0 + srcH) of `image` (pixel
 * coordinates, 0-based; outside the image counts as 0) to outW x outH, normalized, as [3, outH, outW].
 */
export function resampleArea(image: RgbImage, x0: number, y0: number, srcW: number, srcH: number, outW: number, outH: number, precision: Precision): Float64Array {
  const r = rounding(precision);
  const out = new Float64Array(3 * outW * outH);
  const sx = r(srcW / outW);
  const sy = r(srcH / outH);
  for (let oy = 0; oy < outH; oy++) {
    const ya = r(oy * sy);
    const yb = Math.min(r((oy + 1) * sy), srcH);
    for (let ox = 0; ox < outW; ox++) {
      const xa = r(ox * sx);
      const xb = Math.min(r((ox + 1) * sx), srcW);
      const sum = [0, 0, 0];
      let weight = 0;
      for (let y = Math.floor(ya); y < yb; y++) {
        const wy = r(Math.min(y + 1, yb) - Math.max(y, ya));
        for (let x = Math.floor(xa); x < xb; x++) {
          const w = r(wy * r(Math.min(x + 1, xb) - Math.max(x, xa)));
          weight = r(weight + w);
          const ix = x0 + x;
          const iy = y0 + y;
          if (ix < 0 || iy < 0 || ix >= image.width || iy >= image.height) continue;
          const p = (iy * image.width + ix) * 3;
          for (let c = 0; c < 3; c++) sum[c] = r(sum[c]! + r(w * image.data[p + c]!));
        }
      }
      for (let c = 0; c < 3; c++) out[(c * outH + oy) * outW + ox] = r(r(r(sum[c]! / weight) - NORM_MEAN) * NORM_SCALE);
    }
  }
  return out;
}

export function overlapExceeds(a: readonly number[], b: readonly number[], threshold: number, mode: 'union' | 'min', precision: Precision): boolean {
  const r = rounding(precision);
  const area = (q: readonly number[]) => r(r(r(q[2]! - q[0]!) + 1) * r(r(q[3]! - q[1]!) + 1));
  const w = Math.max(0, r(r(Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!)) + 1));
  const h = Math.max(0, r(r(Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!)) + 1));
  const inter = r(w * h);
  const denominator = mode === 'min' ? Math.min(area(a), area(b)) : r(r(area(a) + area(b)) - inter);
  return inter > r(threshold * denominator);
}

/** Greedy NMS (facenet's nms): returns the kept candidates, highest score first (by logit margin; ties: lower key). */
export function nmsReference(list: readonly RefCandidate[], threshold: number, mode: 'union' | 'min', precision: Precision): RefCandidate[] {
  const sorted = [...list].sort((a, b) => b.rank - a.rank || a.key - b.key);
  const suppressed = new Array<boolean>(sorted.length).fill(false);
  const kept: RefCandidate[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (suppressed[i]) continue;
    kept.push(sorted[i]!);
    for (let j = i + 1; j < sorted.length; j++) {
      if (!suppressed[j] && overlapExceeds(sorted[i]!.box, sorted[j]!.box, threshold, mode, precision)) suppressed[j] = true;
    }
  }
  return kept;
}

export interface RefineMode {
  regression?: 'pnet' | 'bbreg';
  square?: boolean;
  fix?: boolean;
}

/** Regression, rerec and np.fix between stages. */
export function refineReference(c: RefCandidate, mode: RefineMode, precision: Precision): RefCandidate {
  const r = rounding(precision);
  let [x1, y1, x2, y2] = c.box;
  if (mode.regression) {
    const extra = mode.regression === 'bbreg' ? 1 : 0;
    const w = r(r(x2 - x1) + extra);
    const h = r(r(y2 - y1) + extra);
    [x1, y1, x2, y2] = [r(x1 + r(c.reg[0] * w)), r(y1 + r(c.reg[1] * h)), r(x2 + r(c.reg[2] * w)), r(y2 + r(c.reg[3] * h))];
  }
  if (mode.square) {
    const w = r(x2 - x1);
    const h = r(y2 - y1);
    const l = Math.max(w, h);
    x1 = r(r(x1 + r(w * 0.5)) - r(l * 0.5));
    y1 = r(r(y1 + r(h * 0.5)) - r(l * 0.5));
    x2 = r(x1 + l);
    y2 = r(y1 + l);
  }
  if (mode.fix) [x1, y1, x2, y2] = [Math.trunc(x1), Math.trunc(y1), Math.trunc(x2), Math.trunc(y2)];
  return { ...c, box: [x1, y1, x2, y2] };
}

/** The crop a candidate box gives its network: [3, size, size], zero-padded past the image border. */
export function cropReference(image: RgbImage, box: readonly number[], size: number, precision: Precision): Float64Array {
  return resampleArea(image, box[0]! - 1, box[1]! - 1, box[2]! - box[0]! + 1, box[3]! - box[1]! + 1, size, size, precision);
}

/** PNet outputs of one pyramid level -> candidates (facenet generateBoundingBox). */
export function pnetCandidatesReference(prob: ArrayLike<number>, logits: ArrayLike<number>, reg: ArrayLike<number>, outW: number, outH: number, scale: number, level: number, threshold: number, precision: Precision, nmsOrder: MtcnnOptions['nmsOrder'] = 'margin'): RefCandidate[] {
  const r = rounding(precision);
  const xs = cellCorners(outW, scale);
  const ys = cellCorners(outH, scale);
  const plane = outW * outH;
  const out: RefCandidate[] = [];
  for (let cy = 0; cy < outH; cy++) {
    for (let cx = 0; cx < outW; cx++) {
      const cell = cy * outW + cx;
      const score = prob[plane + cell]!;
      if (!(score >= threshold)) continue;
      out.push({
        box: [xs[2 * cx]!, ys[2 * cy]!, xs[2 * cx + 1]!, ys[2 * cy + 1]!],
        reg: [reg[cell]!, reg[plane + cell]!, reg[2 * plane + cell]!, reg[3 * plane + cell]!],
        score,
        rank: nmsOrder === 'probability' ? score : r(logits[plane + cell]! - logits[cell]!),
        key: pnetKey(level, cell),
      });
    }
  }
  return out;
}

/** The network's outputs (TFLite order), then the logits feeding its softmax. */
function runNet(graph: Graph, shape: number[], data: Float64Array, precision: Precision): Array<ArrayLike<number>> {
  const values = runReference(graph, { [graph.inputs[0]!.name]: { shape, data } }, precision);
  const softmax = graph.nodes.find((n) => n.op === 'Softmax');
  if (!softmax) throw new Error(`graph '${graph.name}' has no Softmax: not an MTCNN network`);
  return [...graph.outputs.map((o) => values.get(o)!.data), values.get(softmax.inputs[0]!)!.data];
}

/** Runs a stage network on crops of every candidate: [score, regression, points?] per candidate. */
function scoreCrops(graph: Graph, image: RgbImage, list: RefCandidate[], size: number, precision: Precision): NetScore[] {
  const r = rounding(precision);
  if (list.length === 0) return [];
  const sample = 3 * size * size;
  const batch = new Float64Array(list.length * sample);
  list.forEach((c, i) => batch.set(cropReference(image, c.box, size, precision), i * sample));
  const outs = runNet(graph, [list.length, 3, size, size], batch, precision);
  // Output order as in the TFLite graphs: RNet (prob, reg); ONet (prob, reg, points).
  const [prob, reg] = outs as [ArrayLike<number>, ArrayLike<number>];
  const points = outs.length === 4 ? outs[2]! : undefined;
  const logits = outs[outs.length - 1]!;
  return list.map((_, i) => ({
    score: prob[2 * i + 1]!,
    rank: r(logits[2 * i + 1]! - logits[2 * i]!),
    reg: [0, 1, 2, 3].map((k) => reg[4 * i + k]!),
    points: points ? Array.from({ length: 10 }, (_, k) => points[10 * i + k]!) : undefined,
  }));
}

export interface NetScore {
  score: number;
  rank: number;
  reg: number[];
  points?: number[];
}

/**
 * RNet/ONet thresholding (score > threshold) in input order. With points (ONet): landmarks placed in
 * the crop box, then the box regressed (facenet's bbreg), as facenet does before the final NMS.
 */
export function filterStageReference(list: readonly RefCandidate[], scores: readonly NetScore[], threshold: number, precision: Precision, nmsOrder: MtcnnOptions['nmsOrder'] = 'margin'): RefCandidate[] {
  const r = rounding(precision);
  return list.flatMap((c, i) => {
    const s = scores[i]!;
    if (!(s.score > threshold)) return [];
    const passed: RefCandidate = { ...c, score: s.score, rank: nmsOrder === 'probability' ? s.score : s.rank, reg: s.reg as RefCandidate['reg'] };
    if (!s.points) return [passed];
    const w = r(r(c.box[2] - c.box[0]) + 1);
    const h = r(r(c.box[3] - c.box[1]) + 1);
    const landmarks = Array.from({ length: 10 }, (_, k) => (k < 5 ? r(r(r(w * s.points![k]!) + c.box[0]) - 1) : r(r(r(h * s.points![k]!) + c.box[1]) - 1)));
    return [{ ...refineReference(passed, { regression: 'bbreg' }, precision), landmarks }];
  });
}

const asStage = (list: RefCandidate[]): StageCandidate[] => list.map((c) => ({ box: [...c.box], score: c.score, rank: c.rank, key: c.key }));

const scoredStage = (inputs: RefCandidate[], scores: NetScore[]): StageCandidate[] => inputs.map((c, i) => ({ box: [...c.box], score: scores[i]!.score, rank: scores[i]!.rank, key: c.key }));

export interface ReferenceDetections extends ImageDetections {
  candidates: NonNullable<ImageDetections['candidates']>;
}

/**
 * MTCNN on the CPU. `batchPixels`: the pixel capacity the GPU detector had, so that an image larger
 * than it is shrunk by the same rule (shrink.ts).
 */
export function detectFacesReference(image: RgbImage, graphs: MtcnnGraphs, options: MtcnnOptions, precision: Precision = 'f32', batchPixels = Infinity): ReferenceDetections {
  const prepared = prepareImage(inChannelOrder(image, options.channelOrder), batchPixels, options.minFaceSize);
  const found = detectPrepared(prepared.image, graphs, { ...options, minFaceSize: prepared.minFaceSize }, precision);
  return { ...unshrink(found, image, prepared), candidates: found.candidates };
}

function detectPrepared(image: RgbImage, graphs: MtcnnGraphs, options: MtcnnOptions, precision: Precision): ReferenceDetections {
  const [t1, t2, t3] = options.thresholds;
  let all: RefCandidate[] = [];
  const raw: RefCandidate[] = [];
  for (const level of pyramid(image.width, image.height, options.minFaceSize, options.factor)) {
    const input = resampleArea(image, 0, 0, image.width, image.height, level.width, level.height, precision);
    const [prob, reg, logits] = runNet(graphs.pnet, [1, 3, level.height, level.width], input, precision);
    const outH = Math.ceil((level.height - 2) / 2) - 4;
    const outW = Math.ceil((level.width - 2) / 2) - 4;
    const found = pnetCandidatesReference(prob!, logits!, reg!, outW, outH, level.scale, level.index, t1, precision, options.nmsOrder);
    raw.push(...found);
    all.push(...nmsReference(found, options.nms[0], 'union', precision));
  }
  all = nmsReference(all, options.nms[1], 'union', precision).map((c) => refineReference(c, { regression: 'pnet', square: true, fix: true }, precision));
  const pnet = all;

  const rnetScores = scoreCrops(graphs.rnet, image, pnet, 24, precision);
  const rnetPassed = filterStageReference(pnet, rnetScores, t2, precision, options.nmsOrder);
  const rnet = nmsReference(rnetPassed, options.nms[2], 'union', precision).map((c) => refineReference(c, { regression: 'bbreg', square: true, fix: true }, precision));
  const onetScores = scoreCrops(graphs.onet, image, rnet, 48, precision);
  const onet = filterStageReference(rnet, onetScores, t3, precision, options.nmsOrder);
  const final = nmsReference(onet, options.nms[3], 'min', precision);
  return {
    width: image.width,
    height: image.height,
    faces: final.map((c) => ({
      box: toXywh(c.box),
      score: c.score,
      landmarks: Array.from({ length: 5 }, (_, k) => [c.landmarks![k]!, c.landmarks![k + 5]!] as [number, number]),
    })),
    stages: { pnet: pnet.length, rnet: rnet.length, onet: onet.length, final: final.length },
    candidates: {
      pnet: asStage(pnet), rnet: asStage(rnet), onet: asStage(onet), final: asStage(final),
      pnetRaw: asStage(raw),
      rnetScored: scoredStage(pnet, rnetScores),
      onetScored: scoredStage(rnet, onetScores),
    },
  };
}
