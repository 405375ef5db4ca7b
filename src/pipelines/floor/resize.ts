// Bilinear resizing of an image into a network input, planned on the CPU as per-axis tables that
// the GPU kernel (shaders/image/resize_bilinear.wgsl) and the CPU reference both read, so the two
// sample the same source pixels with the same weights. A table entry per output column (row) holds
// the two source columns (rows) and the weight of the second; PAD marks padding (letterbox bars,
// the padded part of a squared image), whose value is the pad colour.
//
// Placements (how the image sits in the network input):
//   stretch    the image fills the input (aspect ratio not kept);
//   letterbox  scaled to fit, centred, the rest padded (YOLO's letterbox; sampled as cv2.resize of
//              the image to the scaled size, then pasted);
//   pad        padded at the right/bottom to a square, which fills the input (face-api.js
//              NetInput.toBatchTensor with isCenterInputs = false).
// Sampling (source coordinate of output pixel d, scale s = source size / output size):
//   half-pixel  (d + 0.5) s - 0.5, clamped to the image (OpenCV INTER_LINEAR, PaddleOCR, GL);
//   asymmetric  d s, upper neighbour min(ceil, size - 1) (tf.image.resizeBilinear with
//               alignCorners = false and halfPixelCenters = false, as tfjs and face-api.js use).
//
// When the image is much larger than the input (a 50 Mpx photo into 416 x 416), only the source
// rows and columns the tables name are uploaded ("gathered"): at most 2 per output row/column, so
// a batch never needs the full-resolution image on the GPU, and the result is the same.
import type { PixelSource } from './pixels.js';
import type { RgbImage } from './image.js';

export type Placement = 'stretch' | 'letterbox' | 'pad';
export type Sampling = 'half-pixel' | 'asymmetric';

export const PAD = 0xffffffff;

export interface AxisTable {
  /** Per output position: first source index (PAD for padding). */
  i0: Uint32Array;
  i1: Uint32Array;
  /** Weight of i1 (float32). */
  w: Float32Array;
}

export interface ResizePlan {
  outWidth: number;
  outHeight: number;
  x: AxisTable;
  y: AxisTable;
  /** Network-normalized coordinate u (0..1 across the input) -> image-normalized: u * scale + offset. */
  toImage: { scaleX: number; offsetX: number; scaleY: number; offsetY: number };
}

/**
 * One axis: output positions 0..out-1 over `content` output positions starting at `first`, sampling a
 * source of `virtual` positions of which the first `real` exist (the rest, and positions outside the
 * content, are PAD).
 */
function axis(out: number, first: number, content: number, virtual: number, real: number, sampling: Sampling, f32: boolean): AxisTable {
  const table: AxisTable = { i0: new Uint32Array(out), i1: new Uint32Array(out), w: new Float32Array(out) };
  const r = f32 ? Math.fround : (v: number) => v;
  const scale = r(virtual / content);
  for (let d = 0; d < out; d++) {
    const k = d - first;
    let a: number;
    let b: number;
    let w: number;
    if (k < 0 || k >= content) {
      a = b = PAD;
      w = 0;
    } else if (sampling === 'half-pixel') {
      // OpenCV: clamp below 0 and at the last pixel (weight 0 there).
      const f = r(r(r(k + 0.5) * scale) - 0.5);
      let s = Math.floor(f);
      w = r(f - s);
      if (s < 0) {
        s = 0;
        w = 0;
      }
      if (s >= virtual - 1) {
        s = virtual - 1;
        w = 0;
      }
      a = s;
      b = Math.min(s + 1, virtual - 1);
    } else {
      const f = k * (virtual / content);
      a = Math.floor(f);
      b = Math.min(virtual - 1, Math.ceil(f));
      w = f - a;
    }
    table.i0[d] = a === PAD || a >= real ? PAD : a;
    table.i1[d] = b === PAD || b >= real ? PAD : b;
    table.w[d] = w;
  }
  return table;
}

export interface ResizeSpec {
  outWidth: number;
  outHeight: number;
  placement: Placement;
  sampling: Sampling;
  /**
   * Emulate float32 arithmetic in the half-pixel coordinates (the text detector's resize was
   * computed in the shader in f32 before these tables existed; its results stay identical).
   */
  float32Coordinates?: boolean;
}

export function planResize(width: number, height: number, spec: ResizeSpec): ResizePlan {
  const { outWidth: W, outHeight: H, sampling } = spec;
  const f32 = spec.float32Coordinates ?? false;
  if (spec.placement === 'stretch') {
    return { outWidth: W, outHeight: H, x: axis(W, 0, W, width, width, sampling, f32), y: axis(H, 0, H, height, height, sampling, f32), toImage: { scaleX: 1, offsetX: 0, scaleY: 1, offsetY: 0 } };
  }
  if (spec.placement === 'letterbox') {
    const scale = Math.min(W / width, H / height);
    const cw = Math.max(1, Math.round(width * scale));
    const ch = Math.max(1, Math.round(height * scale));
    const dx = Math.floor((W - cw) / 2);
    const dy = Math.floor((H - ch) / 2);
    return {
      outWidth: W,
      outHeight: H,
      x: axis(W, dx, cw, width, width, sampling, f32),
      y: axis(H, dy, ch, height, height, sampling, f32),
      toImage: { scaleX: W / cw, offsetX: -dx / cw, scaleY: H / ch, offsetY: -dy / ch },
    };
  }
  // pad: the square of side max(width, height), padded at the right or bottom, fills the input.
  const side = Math.max(width, height);
  // face-api.js maps boxes back with inputSize / round(size * inputSize / side) per axis
  // (computeReshapedDimensions), not side / size: kept, so boxes match it exactly.
  const reshaped = (n: number, out: number) => Math.round((n * out) / side);
  return {
    outWidth: W,
    outHeight: H,
    x: axis(W, 0, W, side, width, sampling, f32),
    y: axis(H, 0, H, side, height, sampling, f32),
    toImage: { scaleX: W / reshaped(width, W), offsetX: 0, scaleY: H / reshaped(height, H), offsetY: 0 },
  };
}

/** Whether uploading only the sampled rows/columns is smaller than the whole image. */
export function worthGathering(plan: ResizePlan, width: number, height: number): boolean {
  return 4 * plan.outWidth * plan.outHeight < width * height;
}

function gatherAxis(t: AxisTable): { sources: number[]; table: AxisTable } {
  const n = t.i0.length;
  const sources: number[] = [];
  const table: AxisTable = { i0: new Uint32Array(n), i1: new Uint32Array(n), w: t.w.slice() };
  const slot = (s: number) => {
    if (s === PAD) return PAD;
    sources.push(s);
    return sources.length - 1;
  };
  for (let d = 0; d < n; d++) {
    table.i0[d] = slot(t.i0[d]!);
    table.i1[d] = slot(t.i1[d]!);
  }
  return { sources, table };
}

/**
 * The sub-image of the rows and columns a plan samples, with the plan's tables re-pointed at it.
 * Sampling it gives exactly what sampling the whole image gives.
 */
export function gather(image: RgbImage, plan: ResizePlan): { source: PixelSource; plan: ResizePlan } {
  const gx = gatherAxis(plan.x);
  const gy = gatherAxis(plan.y);
  const width = Math.max(1, gx.sources.length);
  const height = Math.max(1, gy.sources.length);
  const source: PixelSource = {
    width,
    height,
    write(out, at) {
      const d = image.data;
      gy.sources.forEach((sy, r) => {
        const row = sy * image.width;
        gx.sources.forEach((sx, c) => {
          const p = 3 * (row + sx);
          out[at + r * width + c] = d[p]! | (d[p + 1]! << 8) | (d[p + 2]! << 16);
        });
      });
    },
  };
  return { source, plan: { ...plan, x: gx.table, y: gy.table } };
}

/** The tables of a plan as the kernel reads them: one vec4<u32> (i0, i1, bits of w, 0) per entry. */
export function packAxisTables(plan: ResizePlan): Uint32Array {
  const out = new Uint32Array(4 * (plan.outWidth + plan.outHeight));
  const bits = new Uint32Array(1);
  const weight = new Float32Array(bits.buffer);
  let k = 0;
  for (const t of [plan.x, plan.y]) {
    for (let d = 0; d < t.i0.length; d++, k++) {
      weight[0] = t.w[d]!;
      out.set([t.i0[d]!, t.i1[d]!, bits[0]!, 0], 4 * k);
    }
  }
  return out;
}

export interface Normalization {
  /** value = (v * scale - mean[c]) * invStd[c], v in 0..255, channels in the order fed. */
  scale: number;
  mean: readonly [number, number, number];
  invStd: readonly [number, number, number];
  channelOrder: 'rgb' | 'bgr';
  /** Colour of padding, 0..255, R G B. */
  pad: readonly [number, number, number];
}

/** CPU reference of resize_bilinear.wgsl (float64, same tables): [3, outHeight, outWidth]. */
export function resizeReference(image: RgbImage, plan: ResizePlan, norm: Normalization): Float64Array {
  const { outWidth: W, outHeight: H } = plan;
  const out = new Float64Array(3 * W * H);
  const px = (x: number, y: number, c: number) => (x === PAD || y === PAD ? norm.pad[c]! : image.data[3 * (y * image.width + x) + c]!);
  for (let oy = 0; oy < H; oy++) {
    for (let ox = 0; ox < W; ox++) {
      const wx = plan.x.w[ox]!;
      const wy = plan.y.w[oy]!;
      const v = [0, 1, 2].map((c) => {
        const top = px(plan.x.i0[ox]!, plan.y.i0[oy]!, c) * (1 - wx) + px(plan.x.i1[ox]!, plan.y.i0[oy]!, c) * wx;
        const bottom = px(plan.x.i0[ox]!, plan.y.i1[oy]!, c) * (1 - wx) + px(plan.x.i1[ox]!, plan.y.i1[oy]!, c) * wx;
        return top * (1 - wy) + bottom * wy;
      });
      const ordered = norm.channelOrder === 'bgr' ? [v[2]!, v[1]!, v[0]!] : v;
      ordered.forEach((value, c) => (out[(c * H + oy) * W + ox] = (value * norm.scale - norm.mean[c]!) * norm.invStd[c]!));
    }
  }
  return out;
}
