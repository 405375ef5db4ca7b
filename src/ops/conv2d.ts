// Conv (ONNX semantics, 2-D): stride, padding/auto_pad, dilation, groups (depthwise included),
// optional bias, optional fused activation (`activation` attribute; PRelu takes input 3 = slope).
import { applyActivation, parseFusedActivation, type Activation } from './activation.js';
import { gemmKernel } from './gemm-kernel.js';
import { tiledConvKernel, tiledDepthwiseKernel } from './tiled-kernels.js';
import { convEpilogue, convWindowParams } from './conv-params.js';
import { parseAutoPad, parsePads, resolvePads, windowOutputSize, type AutoPad } from './padding.js';
import { DEFAULT_WORKGROUP_SIZE, formatShape, intList, newTensor, onlyKnownAttrs, requireRank, roundingFor } from './tensor-utils.js';
import { DEFAULT_KERNEL_ENV, ShapeError, type KernelCall, type KernelEnv, type OpDescriptor, type Shape, type WeightPacking } from './types.js';
import { NO_HALF } from '../graph/half-storage.js';

// Tuning, measured with harness/bench-ops.ts on lavapipe (3x3 64->64 @128x128: OC block 4 -> 256 ms,
// 8 -> 166 ms, 16 -> 178 ms; workgroup 32 vs 64 within noise).
const CONV_OC_BLOCK = 8;
const CONV_WORKGROUP_SIZE = 64;

export interface ConvAttrs {
  kernelShape?: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number];
  autoPad: AutoPad;
  group: number;
  activation: Activation;
}

interface ConvGeometry {
  n: number; c: number; h: number; w: number;
  m: number; kh: number; kw: number;
  oh: number; ow: number;
  pads: [number, number, number, number];
}

function geometry(inputs: ReadonlyArray<Shape | undefined>, a: ConvAttrs): ConvGeometry {
  const [n, c, h, w] = requireRank(inputs[0], 4, 'Conv input X');
  const [m, cg, kh, kw] = requireRank(inputs[1], 4, 'Conv weight W');
  if (c! % a.group !== 0 || m! % a.group !== 0) {
    throw new ShapeError(`Conv: channels in (${c}) and out (${m}) must both divide by group=${a.group}`);
  }
  if (cg !== c! / a.group) {
    throw new ShapeError(`Conv: weight ${formatShape(inputs[1])} has ${cg} input channels per group; X ${formatShape(inputs[0])} with group=${a.group} needs ${c! / a.group}`);
  }
  if (a.kernelShape && (a.kernelShape[0] !== kh || a.kernelShape[1] !== kw)) {
    throw new ShapeError(`Conv: kernel_shape ${formatShape(a.kernelShape)} disagrees with weight ${formatShape(inputs[1])}`);
  }
  const bias = inputs[2];
  if (bias && (bias.length !== 1 || bias[0] !== m)) throw new ShapeError(`Conv: bias must be [${m}], got ${formatShape(bias)}`);
  const slope = inputs[3];
  if (a.activation.type === 'PRelu') {
    if (!slope || slope.reduce((x, y) => x * y, 1) !== m) throw new ShapeError(`Conv with fused PRelu: slope must have ${m} values, got ${formatShape(slope)}`);
  } else if (slope) throw new ShapeError('Conv: input 3 (slope) is only used with activation PRelu');
  const window = { kernel: [kh!, kw!] as [number, number], strides: a.strides, dilations: a.dilations };
  const pads = resolvePads([h!, w!], window, a.autoPad, a.pads);
  const oh = windowOutputSize(h!, pads[0], pads[2], (kh! - 1) * a.dilations[0] + 1, a.strides[0], false, 'Conv');
  const ow = windowOutputSize(w!, pads[1], pads[3], (kw! - 1) * a.dilations[1] + 1, a.strides[1], false, 'Conv');
  return { n: n!, c: c!, h: h!, w: w!, m: m!, kh: kh!, kw: kw!, oh, ow, pads };
}

/** [O, C, KH, KW] -> [ceil(O / B)][C][KH][KW][B] (the last block repeats its last channel). */
function packConvWeights(block: number, m: number, c: number, kh: number, kw: number): WeightPacking {
  return {
    key: `oc${block}`,
    pack(data) {
      const taps = c * kh * kw;
      const blocks = Math.ceil(m / block);
      const out = new Float32Array(blocks * taps * block);
      for (let b = 0; b < blocks; b++)
        for (let t = 0; t < taps; t++)
          for (let j = 0; j < block; j++) out[(b * taps + t) * block + j] = data[Math.min(b * block + j, m - 1) * taps + t]!;
      return out;
    },
  };
}

const DEPTHWISE_WORKGROUP_SIZE = 64;
const DEPTHWISE_ROWS = 8; // output rows per invocation, fixed in shaders/conv/depthwise.wgsl
// Output rows each invocation of depthwise_rows.wgsl walks down (3x3 x128 @128 on lavapipe, two
// runs each: 16 rows 2.59 / 2.75 ms, 32 2.46 / 2.56, 64 2.39 / 2.29, 128 3.28 / 2.23; 32 keeps more
// invocations for small maps).
const DEPTHWISE_ROWS_PER_STRIP = 32;

/**
 * A 3- or 5-wide, stride-1 'same' row layout whose rows are a multiple of 4 values (left pad 1 or
 * 2, as wide as the input): conv2d.wgsl (ROW_VEC4, 3-wide) and depthwise_rows.wgsl then read (and
 * the depthwise writes) rows as vec4, which on lavapipe costs about what one scalar load does.
 */
function vec4Rows(g: ConvGeometry): boolean {
  return (g.kw === 3 || g.kw === 5) && g.pads[1] === (g.kw - 1) / 2 && g.w % 4 === 0 && g.ow === g.w;
}

/** Depthwise K x K (3 or 5), stride 1, rows not vec4-aligned, SwiftShader: strips of 4 x 8 outputs per invocation (conv/depthwise.wgsl). */
function depthwiseStripKernel(g: ConvGeometry, hasBias: boolean, activation: Activation): KernelCall {
  const oxBlocks = Math.ceil(g.ow / 4);
  const strips = oxBlocks * Math.ceil(g.oh / DEPTHWISE_ROWS);
  const epilogue = convEpilogue(hasBias, activation);
  return {
    files: ['common/activation.wgsl', 'common/half_load.wgsl', 'common/half_store.wgsl', 'conv/finish.wgsl', 'conv/epilogue.wgsl', 'conv/depthwise.wgsl'],
    defines: {
      ...NO_HALF,
      WORKGROUP_SIZE: DEPTHWISE_WORKGROUP_SIZE,
      K5: g.kh === 5,
      ...epilogue.defines,
    },
    params: {
      channels: g.c, in_height: g.h, in_width: g.w, out_height: g.oh, out_width: g.ow,
      pad_top: g.pads[0], pad_left: g.pads[1], ox_blocks: oxBlocks, strips,
      ...epilogue.params,
    },
    workgroups: [Math.ceil(strips / DEPTHWISE_WORKGROUP_SIZE), g.c, g.n],
  };
}

/**
 * A 3x3 stride-2 layer whose input rows are a multiple of 8 values, left pad 1, half as wide as its
 * input: depthwise_rows.wgsl (STRIDE2) reads its rows as vec4 and writes vec4.
 */
function vec4RowsStride2(g: ConvGeometry): boolean {
  return g.kw === 3 && g.pads[1] === 1 && g.w % 8 === 0 && g.ow * 2 === g.w;
}

/**
 * Depthwise 3x3 (stride 1 or 2) or 5x5 (stride 1): strips of 16 columns x 32 rows, walked down row
 * by row (conv/depthwise_rows.wgsl); rows read and written as vec4 where the layout allows, else
 * value by value (SCALAR).
 */
function depthwiseRowsKernel(g: ConvGeometry, stride: 1 | 2, vec4: boolean, hasBias: boolean, activation: Activation): KernelCall {
  const colBlocks = Math.ceil(g.ow / 16);
  const rows = Math.min(DEPTHWISE_ROWS_PER_STRIP, g.oh);
  const rowBlocks = Math.ceil(g.oh / rows);
  const epilogue = convEpilogue(hasBias, activation);
  return {
    files: ['common/activation.wgsl', ...(vec4 ? ['common/half_load4.wgsl'] : ['common/half_load.wgsl', 'common/half_store.wgsl']), 'conv/finish.wgsl', 'conv/depthwise_rows.wgsl'],
    defines: {
      ...NO_HALF,
      WORKGROUP_SIZE: DEPTHWISE_WORKGROUP_SIZE,
      SCALAR: !vec4,
      K5: g.kh === 5,
      STRIDE2: stride === 2,
      ...epilogue.defines,
    },
    params: {
      channels: g.c, in_height: g.h, in_width: g.w, out_height: g.oh, out_width: g.ow,
      pad_top: g.pads[0], pad_left: g.pads[1], col_blocks: colBlocks, row_blocks: rowBlocks, rows,
      ...epilogue.params,
    },
    workgroups: [Math.ceil((g.c * colBlocks * rowBlocks) / DEPTHWISE_WORKGROUP_SIZE), 1, g.n],
  };
}

/** A 1x1 conv is a Gemm per image: weights [M, C] @ image [C, H*W]. */
function pointwiseGemmKernel(g: ConvGeometry, a: ConvAttrs, hasBias: boolean, env: KernelEnv): KernelCall {
  const spatial = g.h * g.w;
  return gemmKernel({
    m: g.m, n: spatial, k: g.c, batch: g.n,
    aRowStride: g.c, aColStride: 1, bRowStride: spatial, bColStride: 1, bBatchStride: g.c * spatial,
    c: hasBias ? { rowStride: 1, colStride: 0 } : undefined,
    alpha: 1, beta: 1, activation: a.activation, slopePerRow: true, operands: { a: 1, b: 0 },
  }, env);
}

/**
 * Depthwise convs on the CPU adapters: 3x3 / 5x5 stride 1 and 3x3 stride 2 walk rows
 * (depthwise_rows.wgsl), unaligned stride-1 rows on SwiftShader take the strips (depthwise.wgsl);
 * undefined for the rest (conv2d.wgsl's generic path).
 */
function cpuDepthwiseKernel(g: ConvGeometry, a: ConvAttrs, hasBias: boolean, env: KernelEnv): KernelCall | undefined {
  if (a.dilations.some((v) => v !== 1) || g.kh !== g.kw) return undefined;
  // depthwise_rows.wgsl value by value (SCALAR), for rows that are not vec4-aligned: lavapipe only.
  // Alternated on lavapipe at batch 8 against depthwise.wgsl's strips: 3x3 x96 @150 70-75 -> 24-29
  // ms, 5x5 x64 @75 17-21 -> 8.6-9.2 ms; 3x3/2 x144 @150 against conv2d.wgsl 49-53 -> 37-49 ms.
  // SwiftShader hangs compiling this variant (its pipeline creation never returned, even for a
  // [1, 2, 10, 10] input); it keeps the strips.
  const scalarRows = env.adapter === 'llvmpipe';
  if ((g.kh === 3 || g.kh === 5) && a.strides.every((v) => v === 1)) {
    if (vec4Rows(g) || scalarRows) return depthwiseRowsKernel(g, 1, vec4Rows(g), hasBias, a.activation);
    return depthwiseStripKernel(g, hasBias, a.activation);
  }
  // Stride-2 3x3 (PP-OCRv4's and MobileNet's downsampling layers).
  if (g.kh === 3 && a.strides.every((v) => v === 2) && (vec4RowsStride2(g) || scalarRows)) {
    return depthwiseRowsKernel(g, 2, vec4RowsStride2(g), hasBias, a.activation);
  }
  return undefined;
}

/** How conv/conv2d.wgsl blocks a conv: channels per invocation, the input window, the launch. */
interface DirectConvLayout {
  outPerGroup: number;
  ocBlock: number;
  window3x3: boolean;
  windowS2: boolean;
  rowVec4: boolean;
  packed: boolean;
  shared: boolean;
  twoRows: boolean;
  oxBlocks: number;
  pixelBlocks: number;
  batchInX: boolean;
}

function directConvLayout(g: ConvGeometry, a: ConvAttrs, env: KernelEnv): DirectConvLayout {
  const outPerGroup = g.m / a.group;
  // A channel block must not straddle groups (its weights rows would need two input ranges).
  const groupBlock = a.group === 1 ? CONV_OC_BLOCK : ([8, 4, 2].find((b) => outPerGroup % b === 0) ?? 1);
  const oxBlocks = Math.ceil(g.ow / 4);
  // 3-wide stride-1 kernels share one 6-value window per row instead of gathering 4 values per
  // tap (depthwise 3x3 on lavapipe: 30 -> 22 ms). With 8 channels per block, measured on 3x3
  // convs (64->64 @128, 16->32 @320, 48->48 @80, 96->24 @160): lavapipe -4% to +10%, SwiftShader
  // +5% to +32%.
  // Stride 2 (WINDOW_S2) shares a 9-value window the same way; before, those convs gathered 4
  // values per tap and took the non-subgroup path. ssd-oid at batch 8 on lavapipe: its 3x3/2
  // 256->512 extra layer 99.8 -> 32.8 ms, its first conv (3->32, 3x3/2) 33.5 -> 17.8 ms;
  // PP-OCRv4's first conv (3->16, 3x3/2 at 640) 9.4 -> 8.0 ms.
  const window3x3 = g.kw === 3 && (a.strides[1] === 1 || a.strides[1] === 2) && a.dilations[1] === 1;
  const windowS2 = window3x3 && a.strides[1] === 2;
  // The window in 3 vec4 loads instead of 6 scalar ones (conv 3x3 64->64 @128 on lavapipe
  // 52.9-59.8 -> 48.2-52.9 ms; SwiftShader unchanged).
  const rowVec4 = window3x3 && !windowS2 && vec4Rows(g);
  // Constant weights of 8-channel blocks are re-laid out at upload so a tap's 8 weights are two
  // vec4 loads (3x3 convs, lavapipe: 64->64 @128 6.3 -> 9.1 GFLOP/s, 96->24 @160 7.1 -> 8.6;
  // SwiftShader +2% to +8%).
  const packed = groupBlock === 8 && env.constant(1);
  // Packed 3-wide windows take 16 channels per block and load their weights once per subgroup,
  // broadcasting them (see conv2d.wgsl).
  const shared = packed && window3x3 && (env.subgroupSize === 8 || env.subgroupSize === 4);
  // 12 channels per block where that leaves fewer idle channels than 16: PP-OCRv4's neck
  // (96->24 @160 on lavapipe 74 -> 64 ms, SwiftShader 790 -> 540 ms). Below 24 outputs on
  // SwiftShader only: PNet's conv1 (3->10, [8, 3, 300, 300], alternated) 270-389 -> 220-222 ms
  // there, while on lavapipe it gained nothing measurable (26.5-35.7 vs 34.4-36.0 ms) and the
  // variant is one more pipeline to JIT (~1.3 s) in the MTCNN CLI's cold start.
  const twelve = (g.m >= 24 || env.adapter === 'swiftshader') && Math.ceil(g.m / 12) * 12 < Math.ceil(g.m / 16) * 16;
  const ocBlock = shared ? (twelve ? 12 : 16) : groupBlock;
  // 16-channel blocks of vec4 rows compute two output rows per invocation: each broadcast weight
  // then serves 8 pixels instead of 4 (conv 3x3 64->64 @128, alternated: SwiftShader 357-361 ->
  // 311-320 ms, lavapipe 31.2 -> 28.8-29.1 ms).
  // Not on windows of scalar loads (MTCNN's unpadded convs): MTCNN on SwiftShader, alternated,
  // PNet 11.6 -> 12.1 s and 10.9 -> 10.2 s, ONet 1.0 -> 1.5 s and 1.0 -> 1.2 s.
  const twoRows = rowVec4 && ocBlock === 16 && shared;
  const pixelBlocks = (twoRows ? Math.ceil(g.oh / 2) : g.oh) * oxBlocks;
  // Small outputs (RNet/ONet's last convolutions: 9 or 3 pixel blocks) would leave most lanes of a
  // workgroup idle; their images then share the x axis.
  const batchInX = pixelBlocks < CONV_WORKGROUP_SIZE;
  return { outPerGroup, ocBlock, window3x3, windowS2, rowVec4, packed, shared, twoRows, oxBlocks, pixelBlocks, batchInX };
}

/** Conv2d on the CPU adapters (and what the tiled GPU kernels leave): conv/conv2d.wgsl. */
function directConvKernel(g: ConvGeometry, a: ConvAttrs, hasBias: boolean, env: KernelEnv): KernelCall {
  const { outPerGroup, ocBlock, window3x3, windowS2, rowVec4, packed, shared, twoRows, oxBlocks, pixelBlocks, batchInX } = directConvLayout(g, a, env);
  const epilogue = convEpilogue(hasBias, a.activation);
  return {
      files: [...(shared ? ['common/enable_subgroups.wgsl'] : []), 'common/indexing.wgsl', 'common/activation.wgsl', rowVec4 ? 'common/half_load4.wgsl' : 'common/half_load.wgsl', 'common/half_store.wgsl', 'conv/finish.wgsl', 'conv/epilogue.wgsl', 'conv/conv2d.wgsl'],
      defines: {
        // f32 storage and arithmetic; a compiled graph with storage 'f16' sets these (half-storage.ts).
        ...NO_HALF,
        F16_MATH: false,
        WORKGROUP_SIZE: CONV_WORKGROUP_SIZE,
        OC_BLOCK: ocBlock,
        OC_BLOCK_GE_2: ocBlock >= 2,
        OC_BLOCK_GE_4: ocBlock >= 4,
        OC_BLOCK_GE_8: ocBlock >= 8,
        OC_BLOCK_GE_12: ocBlock >= 12,
        OC_BLOCK_GE_16: ocBlock >= 16,
        WINDOW_3X3: window3x3,
        WINDOW_S2: windowS2,
        ROW_VEC4: rowVec4,
        // SwiftShader runs the window's three taps faster written out, lavapipe as a loop
        // (96->24 @160: SwiftShader 965 -> 737 ms, lavapipe 124 -> 202 ms).
        WINDOW_UNROLLED: window3x3 && env.adapter === 'swiftshader',
        W_PACKED: packed,
        W_SHARED: shared,
        TWO_ROWS: twoRows,
        SUBGROUP_8: env.subgroupSize === 8,
        ...epilogue.defines,
      },
      params: {
        in_channels: g.c, in_height: g.h, in_width: g.w,
        out_channels: g.m, out_height: g.oh, out_width: g.ow,
        ...convWindowParams(g.kh, g.kw, g.pads, a.strides, a.dilations),
        in_channels_per_group: g.c / a.group, out_channels_per_group: outPerGroup,
        ox_blocks: oxBlocks, pixel_blocks: pixelBlocks, batch: g.n, batch_in_x: batchInX ? 1 : 0,
        ...epilogue.params,
      },
      ...(packed ? { bind: { input_0: { input: 0 }, input_1: { input: 1, pack: packConvWeights(ocBlock, g.m, g.c / a.group, g.kh, g.kw) }, input_2: { input: 2 }, input_3: { input: 3 }, output_0: { output: 0 } } } : {}),
      workgroups: batchInX
        ? [Math.ceil((g.n * pixelBlocks) / CONV_WORKGROUP_SIZE), Math.ceil(g.m / ocBlock), 1]
        : [Math.ceil(pixelBlocks / CONV_WORKGROUP_SIZE), Math.ceil(g.m / ocBlock), g.n],
      ...(batchInX ? { batchLaunch: { axis: 0, perSample: pixelBlocks, perWorkgroup: CONV_WORKGROUP_SIZE } } : {}),
  };
}

export const Conv: OpDescriptor<ConvAttrs> = {
  type: 'Conv',
  // Its kernels read input_0 / input_1 and write output_0 as f16 under F16_<binding> (half-storage.ts).
  halfStorage: true,
  inputNames: ['X', 'W', 'B', 'slope'],
  required: 2,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, ['kernel_shape', 'strides', 'dilations', 'pads', 'auto_pad', 'group', 'activation'], 'Conv');
    const strides = raw.strides === undefined ? [1, 1] : intList(raw.strides, 'strides', 2);
    const dilations = raw.dilations === undefined ? [1, 1] : intList(raw.dilations, 'dilations', 2);
    if ([...strides, ...dilations].some((v) => v < 1)) throw new Error('Conv: strides and dilations must be >= 1');
    const group = raw.group === undefined ? 1 : Number(raw.group);
    if (!Number.isInteger(group) || group < 1) throw new Error(`Conv: group must be a positive integer, got ${raw.group}`);
    return {
      kernelShape: raw.kernel_shape === undefined ? undefined : (intList(raw.kernel_shape, 'kernel_shape', 2) as [number, number]),
      strides: strides as [number, number],
      dilations: dilations as [number, number],
      pads: parsePads(raw.pads),
      autoPad: parseAutoPad(raw.auto_pad),
      group,
      activation: parseFusedActivation(raw.activation),
    };
  },
  inferShapes(inputs, a) {
    const g = geometry(inputs, a);
    return [[g.n, g.m, g.oh, g.ow]];
  },
  kernels(inputs, _outs, a, env = DEFAULT_KERNEL_ENV) {
    const g = geometry(inputs, a);
    const hasBias = inputs[2] !== undefined;
    const pointwise = g.kh === 1 && g.kw === 1 && a.group === 1 && a.strides[0] === 1 && a.strides[1] === 1 && g.pads.every((p) => p === 0);
    if (pointwise) return [pointwiseGemmKernel(g, a, hasBias, env)];
    const depthwise = a.group === g.c && g.c === g.m;
    const cpuDepthwise = depthwise && env.adapter !== 'gpu' ? cpuDepthwiseKernel(g, a, hasBias, env) : undefined;
    if (cpuDepthwise) return [cpuDepthwise];
    if (env.adapter === 'gpu') {
      const problem = { ...g, strides: a.strides, dilations: a.dilations, group: a.group, hasBias, activation: a.activation };
      const tiled = depthwise ? tiledDepthwiseKernel(problem) : a.group === 1 ? tiledConvKernel(problem) : undefined;
      if (tiled) return [tiled];
    }
    return [directConvKernel(g, a, hasBias, env)];
  },
  reference([x, w, b, slope], a, precision) {
    const g = geometry([x!.shape, w!.shape, b?.shape, slope?.shape], a);
    const r = roundingFor(precision);
    const out = newTensor([g.n, g.m, g.oh, g.ow], precision);
    const cg = g.c / a.group;
    const mg = g.m / a.group;
    for (let n = 0; n < g.n; n++) {
      for (let m = 0; m < g.m; m++) {
        const group = Math.floor(m / mg);
        for (let oy = 0; oy < g.oh; oy++) {
          for (let ox = 0; ox < g.ow; ox++) {
            let acc = 0;
            for (let ci = 0; ci < cg; ci++) {
              const c = group * cg + ci;
              for (let ky = 0; ky < g.kh; ky++) {
                const iy = oy * a.strides[0] - g.pads[0] + ky * a.dilations[0];
                if (iy < 0 || iy >= g.h) continue;
                for (let kx = 0; kx < g.kw; kx++) {
                  const ix = ox * a.strides[1] - g.pads[1] + kx * a.dilations[1];
                  if (ix < 0 || ix >= g.w) continue;
                  const xv = x!.data[((n * g.c + c) * g.h + iy) * g.w + ix]!;
                  const wv = w!.data[((m * cg + ci) * g.kh + ky) * g.kw + kx]!;
                  acc = r(acc + r(xv * wv));
                }
              }
            }
            if (b) acc = r(acc + b.data[m]!);
            out.data[((n * g.m + m) * g.oh + oy) * g.ow + ox] = r(applyActivation(a.activation, acc, slope?.data[m]));
          }
        }
      }
    }
    return [out];
  },
};
