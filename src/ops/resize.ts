// Resize of the spatial dims of NCHW (ONNX Resize): nearest or (bi)linear; coordinate transforms
// half_pixel, pytorch_half_pixel, align_corners, asymmetric; output from `sizes` or `scales`.
import { DEFAULT_WORKGROUP_SIZE, MAX_WORKGROUPS_PER_DIMENSION, newTensor, onlyKnownAttrs, requireRank, roundingFor, sizeOf } from './tensor-utils.js';
import { ShapeError, type OpDescriptor, type Shape } from './types.js';

const COORD_MODES = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const;
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;

export interface ResizeAttrs {
  mode: 'nearest' | 'linear';
  coordinateMode: (typeof COORD_MODES)[number];
  nearestMode: (typeof NEAREST_MODES)[number];
  /** Output [N, C, H, W] or scales for each of the 4 dims: exactly one is given. */
  sizes?: number[];
  scales?: number[];
}

/**
 * Integer factors of a nearest upsampling that resize_nearest_up.wgsl computes exactly like
 * resize.wgsl (asymmetric, floor; x factor a power of two so 4 outputs need 2 loads; whole vec4 rows;
 * rows and planes within one launch dimension),
 * or undefined.
 */
function integerUpsampling(g: ReturnType<typeof geometry>, a: ResizeAttrs): { x: number; y: number } | undefined {
  if (a.mode !== 'nearest' || a.coordinateMode !== 'asymmetric' || a.nearestMode !== 'floor' || g.ow % 4 !== 0) return undefined;
  const [x, y] = [g.scaleX, g.scaleY];
  const powerOfTwo = Number.isInteger(x) && x >= 2 && (x & (x - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(y) || y < 1 || g.ow !== g.w * x || g.oh !== g.h * y) return undefined;
  // The launch's y and z are the output rows and planes.
  if (g.oh > MAX_WORKGROUPS_PER_DIMENSION || g.n * g.c > MAX_WORKGROUPS_PER_DIMENSION) return undefined;
  return { x, y };
}

function geometry(x: Shape | undefined, a: ResizeAttrs) {
  const [n, c, h, w] = requireRank(x, 4, 'Resize input X');
  let oh: number;
  let ow: number;
  let scaleY: number;
  let scaleX: number;
  if (a.sizes) {
    if (a.sizes[0] !== n || a.sizes[1] !== c) throw new ShapeError(`Resize: only H and W can change; sizes ${JSON.stringify(a.sizes)} vs input [${n}, ${c}, ${h}, ${w}]`);
    [oh, ow] = [a.sizes[2]!, a.sizes[3]!];
    [scaleY, scaleX] = [oh / h!, ow / w!];
  } else {
    const s = a.scales!;
    if (s[0] !== 1 || s[1] !== 1) throw new ShapeError(`Resize: only H and W can be scaled; scales ${JSON.stringify(s)}`);
    [scaleY, scaleX] = [s[2]!, s[3]!];
    [oh, ow] = [Math.floor(h! * scaleY), Math.floor(w! * scaleX)];
  }
  if (!(oh >= 1 && ow >= 1)) throw new ShapeError(`Resize: output ${oh}x${ow} is empty`);
  return { n: n!, c: c!, h: h!, w: w!, oh, ow, scaleY, scaleX };
}

export const Resize: OpDescriptor<ResizeAttrs> = {
  type: 'Resize',
  inputNames: ['X'],
  required: 1,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, ['mode', 'coordinate_transformation_mode', 'nearest_mode', 'sizes', 'scales', 'cubic_coeff_a', 'exclude_outside'], 'Resize');
    const mode = raw.mode === undefined ? 'nearest' : raw.mode === 'bilinear' ? 'linear' : raw.mode;
    if (mode !== 'nearest' && mode !== 'linear') throw new Error(`Resize: mode '${String(raw.mode)}' is not supported (nearest, linear)`);
    const coordinateMode = (raw.coordinate_transformation_mode ?? 'half_pixel') as ResizeAttrs['coordinateMode'];
    if (!COORD_MODES.includes(coordinateMode)) throw new Error(`Resize: coordinate_transformation_mode '${coordinateMode}' is not supported (${COORD_MODES.join(', ')})`);
    const nearestMode = (raw.nearest_mode ?? 'round_prefer_floor') as ResizeAttrs['nearestMode'];
    if (!NEAREST_MODES.includes(nearestMode)) throw new Error(`Resize: nearest_mode '${nearestMode}' is not supported (${NEAREST_MODES.join(', ')})`);
    if (raw.exclude_outside) throw new Error('Resize: exclude_outside=1 is not supported');
    const sizes = raw.sizes as number[] | undefined;
    const scales = raw.scales as number[] | undefined;
    if ((sizes === undefined) === (scales === undefined) || (sizes ?? scales)!.length !== 4) {
      throw new Error('Resize: give exactly one of sizes or scales, with 4 values (N, C, H, W)');
    }
    return { mode, coordinateMode, nearestMode, sizes, scales };
  },
  inferShapes([x], a) {
    const g = geometry(x, a);
    return [[g.n, g.c, g.oh, g.ow]];
  },
  kernels([x], [out], a) {
    const g = geometry(x, a);
    const count = sizeOf(out!);
    const up = integerUpsampling(g, a);
    if (up) {
      return [
        {
          files: ['layout/resize_nearest_up.wgsl'],
          defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE },
          params: { in_height: g.h, in_width: g.w, out_height: g.oh, out_width4: g.ow / 4, factor_y: up.y, shift_x: Math.log2(up.x) },
          workgroups: [Math.ceil(g.ow / 4 / DEFAULT_WORKGROUP_SIZE), g.oh, g.n * g.c],
        },
      ];
    }
    return [
      {
        files: ['common/indexing.wgsl', 'layout/resize.wgsl'],
        defines: {
          WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE,
          MODE_LINEAR: a.mode === 'linear',
          COORD_ALIGN_CORNERS: a.coordinateMode === 'align_corners',
          COORD_HALF_PIXEL: a.coordinateMode === 'half_pixel',
          COORD_PYTORCH_HALF_PIXEL: a.coordinateMode === 'pytorch_half_pixel',
          NEAREST_FLOOR: a.nearestMode === 'floor',
          NEAREST_CEIL: a.nearestMode === 'ceil',
          NEAREST_ROUND_PREFER_CEIL: a.nearestMode === 'round_prefer_ceil',
        },
        params: { count, in_height: g.h, in_width: g.w, out_height: g.oh, out_width: g.ow, scale_y: g.scaleY, scale_x: g.scaleX },
        invocations: count,
      },
    ];
  },
  reference([x], a, precision) {
    const g = geometry(x!.shape, a);
    const r = roundingFor(precision);
    const out = newTensor([g.n, g.c, g.oh, g.ow], precision);
    const source = (o: number, scale: number, inSize: number, outSize: number): number => {
      switch (a.coordinateMode) {
        case 'align_corners':
          return outSize === 1 ? 0 : (o * (inSize - 1)) / (outSize - 1);
        case 'half_pixel':
          return (o + 0.5) / scale - 0.5;
        case 'pytorch_half_pixel':
          return outSize > 1 ? (o + 0.5) / scale - 0.5 : 0;
        case 'asymmetric':
          return o / scale;
      }
    };
    const nearest = (v: number, size: number): number => {
      let i: number;
      if (a.nearestMode === 'floor') i = Math.floor(v);
      else if (a.nearestMode === 'ceil') i = Math.ceil(v);
      else if (a.nearestMode === 'round_prefer_ceil') i = Math.floor(v) + (v - Math.floor(v) >= 0.5 ? 1 : 0);
      else i = v - Math.floor(v) > 0.5 ? Math.floor(v) + 1 : Math.floor(v);
      return Math.min(Math.max(i, 0), size - 1);
    };
    for (let p = 0; p < g.n * g.c; p++) {
      const at = (y: number, xx: number) => x!.data[(p * g.h + y) * g.w + xx]!;
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          const sy = source(oy, g.scaleY, g.h, g.oh);
          const sx = source(ox, g.scaleX, g.w, g.ow);
          let v: number;
          if (a.mode === 'nearest') v = at(nearest(sy, g.h), nearest(sx, g.w));
          else {
            const cy = Math.min(Math.max(sy, 0), g.h - 1);
            const cx = Math.min(Math.max(sx, 0), g.w - 1);
            const y0 = Math.floor(cy);
            const x0 = Math.floor(cx);
            const y1 = Math.min(y0 + 1, g.h - 1);
            const x1 = Math.min(x0 + 1, g.w - 1);
            const fy = cy - y0;
            const fx = cx - x0;
            v = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
          }
          out.data[(p * g.oh + oy) * g.ow + ox] = r(v);
        }
      }
    }
    return [out];
  },
};
