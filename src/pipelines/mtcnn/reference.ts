// MTCNN on the CPU, written from facenet's detect_face.py (not from the shaders): the test reference
// of the GPU pipeline, in float32 (every result rounded to float32, as a CPU float32 backend would)
// or float64. The networks run through the ops' CPU references; every post-processing step is the
// plain sequential algorithm (sort, greedy NMS, loops over candidates).
import { runReference } from '../../graph/reference.js';
import type { Graph } from '../../graph/types.js';
import type { Precision } from '../../ops/types.js';
import { refineFlags, type MtcnnOptions, type RefineFlags } from './options.js';
import { cellCorners, pnetKey, pyramid } from './pyramid.js';
import { skiaInverseScale } from '../floor/image-kernels.js';
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

/**
 * Bilinear resampling of the same region (see resample_bilinear.wgsl for the conventions):
 * 'bilinear-tfjs' samples at d * s with float weights (tf.image.resizeBilinear); 'bilinear-canvas'
 * as Skia's bilinear in Chromium's canvas (positions as resample_bilinear.wgsl describes),
 * weights in sixteenths, the 8-bit result truncated.
 */
export function resampleBilinear(image: RgbImage, x0: number, y0: number, srcW: number, srcH: number, outW: number, outH: number, resampling: 'bilinear-tfjs' | 'bilinear-opencv' | 'bilinear-canvas', precision: Precision): Float64Array {
  const r = rounding(precision);
  const canvas = resampling === 'bilinear-canvas';
  const opencv = resampling === 'bilinear-opencv';
  const taps = (d: number, out: number, size: number, axis: 'x' | 'y'): [number, number, number] => {
    if (canvas) {
      // Skia: columns at (d + 0.5) inv - 0.5 exactly (float64 holds it), rows at (d + 0.5) inv
      // rounded to float32; inv = f32(1 / f32(out / size)).
      const inv = skiaInverseScale(out, size);
      const q = axis === 'x' ? Math.floor(16 * ((d + 0.5) * inv - 0.5)) : Math.floor(16 * Math.fround((d + 0.5) * inv)) - 8;
      if (q < 0) return [0, 0, 0];
      const a = Math.floor(q / 16);
      return a >= size - 1 ? [size - 1, size - 1, 0] : [a, a + 1, q % 16];
    }
    if (opencv) {
      // cv::resize INTER_LINEAR: (d + 0.5) s - 0.5, weight 0 below the first and at the last pixel.
      const f = r(r(r(d + 0.5) * r(size / out)) - 0.5);
      const a = Math.floor(f);
      if (a < 0) return [0, 0, 0];
      if (a >= size - 1) return [size - 1, size - 1, 0];
      return [a, a + 1, r(f - a)];
    }
    const f = r(d * r(size / out));
    const a = Math.floor(f);
    return [a, Math.min(Math.ceil(f), size - 1), r(f - a)];
  };
  // OpenCV's two passes: S0 (1 - w) + S1 w across, then down.
  const pass = (p: number, q: number, w: number) => r(r(p * r(1 - w)) + r(q * w));
  const px = (x: number, y: number, c: number) => {
    const ix = x0 + x;
    const iy = y0 + y;
    return ix < 0 || iy < 0 || ix >= image.width || iy >= image.height ? 0 : image.data[(iy * image.width + ix) * 3 + c]!;
  };
  const lerp = (p: number, q: number, w: number) => r(p + r(r(q - p) * w));
  const out = new Float64Array(3 * outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    const [ya, yb, wy] = taps(oy, outH, srcH, 'y');
    for (let ox = 0; ox < outW; ox++) {
      const [xa, xb, wx] = taps(ox, outW, srcW, 'x');
      for (let c = 0; c < 3; c++) {
        const v = canvas
          ? Math.floor((px(xa, ya, c) * (16 - wx) * (16 - wy) + px(xb, ya, c) * wx * (16 - wy) + px(xa, yb, c) * (16 - wx) * wy + px(xb, yb, c) * wx * wy) / 256)
          : opencv
            ? pass(pass(px(xa, ya, c), px(xb, ya, c), wx), pass(px(xa, yb, c), px(xb, yb, c), wx), wy)
            : lerp(lerp(px(xa, ya, c), px(xb, ya, c), wx), lerp(px(xa, yb, c), px(xb, yb, c), wx), wy);
        out[(c * outH + oy) * outW + ox] = r(r(v - NORM_MEAN) * NORM_SCALE);
      }
    }
  }
  return out;
}

/** A region resampled as the options say (a whole image is the region at 0, 0). */
function resampleRegion(image: RgbImage, x0: number, y0: number, srcW: number, srcH: number, outW: number, outH: number, resampling: MtcnnOptions['pyramidResampling'], precision: Precision): Float64Array {
  if (resampling === 'area') return resampleArea(image, x0, y0, srcW, srcH, outW, outH, precision);
  return resampleBilinear(image, x0, y0, Math.max(srcW, 1), Math.max(srcH, 1), outW, outH, resampling, precision);
}

/** Overlap of two boxes above the threshold; areas count pixels inclusively (+1) unless `exclusive` (face-api.js). */
export function overlapExceeds(a: readonly number[], b: readonly number[], threshold: number, mode: 'union' | 'min', precision: Precision, exclusive = false): boolean {
  const r = rounding(precision);
  const edge = exclusive ? 0 : 1;
  const area = (q: readonly number[]) => r(r(r(q[2]! - q[0]!) + edge) * r(r(q[3]! - q[1]!) + edge));
  const w = Math.max(0, r(r(Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!)) + edge));
  const h = Math.max(0, r(r(Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!)) + edge));
  const inter = r(w * h);
  const denominator = mode === 'min' ? Math.min(area(a), area(b)) : r(r(area(a) + area(b)) - inter);
  return inter > r(threshold * denominator);
}

/**
 * Greedy NMS (facenet's nms): returns the kept candidates, highest score first (by logit margin;
 * ties: lower key, or with ties 'later-first' the later in the list, as face-api.js's stable
 * ascending sort popped from the end does).
 */
export function nmsReference(list: readonly RefCandidate[], threshold: number, mode: 'union' | 'min', precision: Precision, exclusive = false, ties: 'key' | 'later-first' = 'key'): RefCandidate[] {
  const position = new Map(list.map((c, i) => [c, i]));
  const sorted = [...list].sort((a, b) => b.rank - a.rank || (ties === 'key' ? a.key - b.key : position.get(b)! - position.get(a)!));
  const suppressed = new Array<boolean>(sorted.length).fill(false);
  const kept: RefCandidate[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (suppressed[i]) continue;
    kept.push(sorted[i]!);
    for (let j = i + 1; j < sorted.length; j++) {
      if (!suppressed[j] && overlapExceeds(sorted[i]!.box, sorted[j]!.box, threshold, mode, precision, exclusive)) suppressed[j] = true;
    }
  }
  return kept;
}

export type RefineMode = RefineFlags;

/** Regression, rerec and np.fix (facenet) or Math.round of x, y, width, height (face-api.js) between stages. */
export function refineReference(c: RefCandidate, mode: RefineMode, precision: Precision): RefCandidate {
  const r = rounding(precision);
  let [x1, y1, x2, y2] = c.box;
  if (mode.regression) {
    const extra = mode.regression === 'inclusive' ? 1 : 0;
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
  if (mode.round) {
    // Half up, as Math.round; + 0.5 rounded as the shader's float32 addition rounds it.
    const half = (v: number) => Math.floor(r(v + 0.5));
    [x1, y1, x2, y2] = [half(x1), half(y1), half(x1) + half(r(x2 - x1)), half(y1) + half(r(y2 - y1))];
  }
  return { ...c, box: [x1, y1, x2, y2] };
}

export type CropConventions = Pick<MtcnnOptions, 'cropResampling' | 'cropBorder'>;
const FACENET_CROPS: CropConventions = { cropResampling: 'area', cropBorder: 'zero-pad' };

/**
 * The crop a candidate box gives its network: [3, size, size], zero-padded past the image border,
 * or (cropBorder 'stretch') the box clipped to the image and its inside resampled.
 */
export function cropReference(image: RgbImage, box: readonly number[], size: number, precision: Precision, o: CropConventions = FACENET_CROPS): Float64Array {
  let [x1, y1, x2, y2] = box as [number, number, number, number];
  if (o.cropBorder === 'stretch') [x1, y1, x2, y2] = [Math.max(x1, 1), Math.max(y1, 1), Math.min(x2, image.width), Math.min(y2, image.height)];
  return resampleRegion(image, Math.trunc(x1) - 1, Math.trunc(y1) - 1, x2 - x1 + 1, y2 - y1 + 1, size, size, o.cropResampling, precision);
}

/** PNet outputs of one pyramid level -> candidates (facenet generateBoundingBox). */
export function pnetCandidatesReference(prob: ArrayLike<number>, logits: ArrayLike<number>, reg: ArrayLike<number>, outW: number, outH: number, scale: number, level: number, threshold: number, precision: Precision, nmsOrder: MtcnnOptions['nmsOrder'] = 'margin', boxes: MtcnnOptions['boxes'] = 'facenet'): RefCandidate[] {
  const r = rounding(precision);
  const xs = cellCorners(outW, scale, boxes);
  const ys = cellCorners(outH, scale, boxes);
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
function scoreCrops(graph: Graph, image: RgbImage, list: RefCandidate[], size: number, precision: Precision, crops: CropConventions): NetScore[] {
  const r = rounding(precision);
  if (list.length === 0) return [];
  const sample = 3 * size * size;
  const batch = new Float64Array(list.length * sample);
  list.forEach((c, i) => batch.set(cropReference(image, c.box, size, precision, crops), i * sample));
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
 * the crop box, then the box regressed (facenet's bbreg), as facenet does before the final NMS; with
 * face-api boxes the box is calibrated, squared and rounded first and the points placed in it.
 */
export function filterStageReference(list: readonly RefCandidate[], scores: readonly NetScore[], threshold: number, precision: Precision, nmsOrder: MtcnnOptions['nmsOrder'] = 'margin', boxes: MtcnnOptions['boxes'] = 'facenet'): RefCandidate[] {
  const r = rounding(precision);
  return list.flatMap((c, i) => {
    const s = scores[i]!;
    if (!(s.score > threshold)) return [];
    const passed: RefCandidate = { ...c, score: s.score, rank: nmsOrder === 'probability' ? s.score : s.rank, reg: s.reg as RefCandidate['reg'] };
    if (!s.points) return [passed];
    if (boxes === 'face-api') {
      const final = refineReference(passed, { regression: 'exclusive', square: true, round: true }, precision);
      const [x1, y1, x2] = final.box;
      const side = x2 - x1 + 1;
      return [{ ...final, landmarks: Array.from({ length: 10 }, (_, k) => r(r(side * s.points![k]!) + (k < 5 ? x1 : y1))) }];
    }
    const w = r(r(c.box[2] - c.box[0]) + 1);
    const h = r(r(c.box[3] - c.box[1]) + 1);
    const landmarks = Array.from({ length: 10 }, (_, k) => (k < 5 ? r(r(r(w * s.points![k]!) + c.box[0]) - 1) : r(r(r(h * s.points![k]!) + c.box[1]) - 1)));
    return [{ ...refineReference(passed, { regression: 'inclusive' }, precision), landmarks }];
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

/** A level cell's position when the cells are listed column by column. */
function columnMajor(key: number, outW: number, outH: number): number {
  const cell = key % 2 ** 24;
  return (cell % outW) * outH + Math.floor(cell / outW);
}

function detectPrepared(image: RgbImage, graphs: MtcnnGraphs, options: MtcnnOptions, precision: Precision): ReferenceDetections {
  const [t1, t2, t3] = options.thresholds;
  const exclusive = options.boxes === 'face-api';
  const ties = options.boxes === 'face-api' ? 'later-first' : 'key';
  let all: RefCandidate[] = [];
  const raw: RefCandidate[] = [];
  for (const level of pyramid(image.width, image.height, options.minFaceSize, options.factor, options.pyramidLevels)) {
    const input = resampleRegion(image, 0, 0, image.width, image.height, level.width, level.height, options.pyramidResampling, precision);
    const [prob, reg, logits] = runNet(graphs.pnet, [1, 3, level.height, level.width], input, precision);
    const outH = Math.ceil((level.height - 2) / 2) - 4;
    const outW = Math.ceil((level.width - 2) / 2) - 4;
    const found = pnetCandidatesReference(prob!, logits!, reg!, outW, outH, level.scale, level.index, t1, precision, options.nmsOrder, options.boxes);
    raw.push(...found);
    // face-api.js lists a level's cells column by column (its PNet map is transposed).
    const listed = ties === 'later-first' ? [...found].sort((a, b) => columnMajor(a.key, outW, outH) - columnMajor(b.key, outW, outH)) : found;
    all.push(...nmsReference(listed, options.nms[0], 'union', precision, exclusive, ties));
  }
  all = nmsReference(all, options.nms[1], 'union', precision, exclusive, ties).map((c) => refineReference(c, refineFlags(options.boxes, 'pnet'), precision));
  const pnet = all;

  const rnetScores = scoreCrops(graphs.rnet, image, pnet, 24, precision, options);
  const rnetPassed = filterStageReference(pnet, rnetScores, t2, precision, options.nmsOrder);
  const rnet = nmsReference(rnetPassed, options.nms[2], 'union', precision, exclusive, ties).map((c) => refineReference(c, refineFlags(options.boxes, 'rnet'), precision));
  const onetScores = scoreCrops(graphs.onet, image, rnet, 48, precision, options);
  const onet = filterStageReference(rnet, onetScores, t3, precision, options.nmsOrder, options.boxes);
  const final = nmsReference(onet, options.nms[3], 'min', precision, exclusive, ties);
  return {
    width: image.width,
    height: image.height,
    faces: final.map((c) => ({
      box: toXywh(c.box, options.boxes),
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
