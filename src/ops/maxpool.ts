// MaxPool 2-D: kernel, strides, pads/auto_pad and ceil_mode (MTCNN's Caffe pools round up).
import { parseAutoPad, parsePads, resolvePads, windowOutputSize, type AutoPad } from './padding.js';
import { DEFAULT_WORKGROUP_SIZE, intList, newTensor, onlyKnownAttrs, requireRank } from './tensor-utils.js';
import { ShapeError, type OpDescriptor, type Shape } from './types.js';
import { NO_HALF } from '../graph/half-storage.js';

export interface MaxPoolAttrs {
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  autoPad: AutoPad;
  ceilMode: boolean;
}

function geometry(x: Shape | undefined, a: MaxPoolAttrs) {
  const [n, c, h, w] = requireRank(x, 4, 'MaxPool input X');
  const pads = resolvePads([h!, w!], { kernel: a.kernel, strides: a.strides, dilations: [1, 1] }, a.autoPad, a.pads);
  if (pads[0] >= a.kernel[0] || pads[1] >= a.kernel[1] || pads[2] >= a.kernel[0] || pads[3] >= a.kernel[1]) {
    throw new ShapeError(`MaxPool: pads ${JSON.stringify(pads)} must be smaller than the kernel ${JSON.stringify(a.kernel)}`);
  }
  const oh = windowOutputSize(h!, pads[0], pads[2], a.kernel[0], a.strides[0], a.ceilMode, 'MaxPool');
  const ow = windowOutputSize(w!, pads[1], pads[3], a.kernel[1], a.strides[1], a.ceilMode, 'MaxPool');
  return { n: n!, c: c!, h: h!, w: w!, oh, ow, pads };
}

export const MaxPool: OpDescriptor<MaxPoolAttrs> = {
  type: 'MaxPool',
  // Its kernels read input_0 / input_1 and write output_0 as f16 under F16_<binding> (half-storage.ts).
  halfStorage: true,
  inputNames: ['X'],
  required: 1,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, ['kernel_shape', 'strides', 'pads', 'auto_pad', 'ceil_mode', 'dilations', 'storage_order'], 'MaxPool');
    if (raw.dilations !== undefined && intList(raw.dilations, 'dilations').some((d) => d !== 1)) {
      throw new Error('MaxPool: dilations other than 1 are not supported');
    }
    if (raw.storage_order !== undefined && raw.storage_order !== 0) throw new Error('MaxPool: storage_order must be 0');
    const kernel = intList(raw.kernel_shape, 'kernel_shape', 2) as [number, number];
    const strides = (raw.strides === undefined ? [1, 1] : intList(raw.strides, 'strides', 2)) as [number, number];
    if ([...kernel, ...strides].some((v) => v < 1)) throw new Error('MaxPool: kernel_shape and strides must be >= 1');
    return { kernel, strides, pads: parsePads(raw.pads), autoPad: parseAutoPad(raw.auto_pad), ceilMode: Boolean(raw.ceil_mode) };
  },
  inferShapes([x], a) {
    const g = geometry(x, a);
    return [[g.n, g.c, g.oh, g.ow]];
  },
  kernels([x], _outs, a) {
    const g = geometry(x, a);
    // 4 outputs of a row per invocation (pool/maxpool.wgsl).
    const oxBlocks = Math.ceil(g.ow / 4);
    const count = g.n * g.c * g.oh * oxBlocks;
    return [
      {
        files: ['common/indexing.wgsl', 'common/half_load.wgsl', 'common/half_store.wgsl', 'pool/maxpool.wgsl'],
        defines: { ...NO_HALF, WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE },
        params: {
          count, in_height: g.h, in_width: g.w, out_height: g.oh, out_width: g.ow,
          kernel_height: a.kernel[0], kernel_width: a.kernel[1], stride_y: a.strides[0], stride_x: a.strides[1],
          pad_top: g.pads[0], pad_left: g.pads[1], ox_blocks: oxBlocks,
        },
        invocations: count,
      },
    ];
  },
  reference([x], a, precision) {
    const g = geometry(x!.shape, a);
    const out = newTensor([g.n, g.c, g.oh, g.ow], precision);
    for (let p = 0; p < g.n * g.c; p++) {
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          let best = -Infinity;
          for (let ky = 0; ky < a.kernel[0]; ky++) {
            for (let kx = 0; kx < a.kernel[1]; kx++) {
              const iy = oy * a.strides[0] - g.pads[0] + ky;
              const ix = ox * a.strides[1] - g.pads[1] + kx;
              if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) best = Math.max(best, x!.data[(p * g.h + iy) * g.w + ix]!);
            }
          }
          out.data[(p * g.oh + oy) * g.ow + ox] = best;
        }
      }
    }
    return [out];
  },
};
