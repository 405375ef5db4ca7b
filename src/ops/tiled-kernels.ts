// Workgroup-memory tiled kernels for real GPUs (KernelEnv.adapter 'gpu'): GEMM, implicit-GEMM
// convolution and depthwise convolution staging their operands through var<workgroup> tiles.
// On the CPU rasterizers (lavapipe, SwiftShader) workgroup memory only adds copies, so they run
// the register-blocked kernels instead; WEBGPU_DETECT_KERNELS=gpu forces these there for tests.
//
// Limits every kernel keeps (WebGPU's defaults, SwiftShader's actual values): at most 256
// invocations per workgroup, at most 16 KiB of workgroup memory, at most 65535 workgroups per grid
// dimension (beyond that the default kernel runs instead).
import { activationDefines, type Activation } from './activation.js';
import { convEpilogue, convWindowParams } from './conv-params.js';
import type { GemmProblem } from './gemm-kernel.js';
import type { KernelCall } from './types.js';
import { NO_HALF } from '../graph/half-storage.js';
import { MAX_WORKGROUPS_PER_DIMENSION } from './tensor-utils.js';

/** A convolution as Conv's kernels() resolved it (ONNX semantics, NCHW, OIHW weights). */
export interface ConvProblem {
  n: number; c: number; h: number; w: number;
  /** Output channels. */
  m: number;
  kh: number; kw: number;
  oh: number; ow: number;
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  group: number;
  hasBias: boolean;
  activation: Activation;
}

/** Output tile side of gemm_tiled.wgsl and conv2d_tiled.wgsl (16x16 invocations x 4x4 each). */
const TILE = 64;
/** f32 values of depthwise_tiled.wgsl's staged input tile: 14 KiB. */
const DW_TILE_CAPACITY = 3584;
/** Output tiles depthwise_tiled.wgsl tries, largest first ([rows, columns]; 16x8 invocations). */
const DW_TILES: ReadonlyArray<[number, number]> = [[16, 32], [16, 16], [8, 16]];

// Distinguishes these kernels in dispatch labels (tests check they were the ones selected).
export const TILED_LABEL = 'tiled';

function fits(grid: [number, number, number]): boolean {
  return grid.every((g) => g >= 1 && g <= MAX_WORKGROUPS_PER_DIMENSION);
}

/** The epilogue's defines and uniforms shared by the convolutions. */
const CONV_BINDINGS = { input_0: { input: 0 }, input_1: { input: 1 }, input_2: { input: 2 }, input_3: { input: 3 }, output_0: { output: 0 } } as const;

/** Tiled GEMM, or undefined when this problem is not one it handles. */
export function tiledGemmKernel(p: GemmProblem): KernelCall | undefined {
  // Batch on z, as gemm.wgsl: dynamic batches find it there (graph/dynamic-batch.ts).
  const workgroups: [number, number, number] = [Math.ceil(p.n / TILE), Math.ceil(p.m / TILE), p.batch];
  if (p.k === 0 || !fits(workgroups)) return undefined;
  return {
    label: TILED_LABEL,
    files: ['common/activation.wgsl', 'common/half_load.wgsl', 'common/half_load_1.wgsl', 'common/half_store.wgsl', 'matmul/gemm_epilogue.wgsl', 'matmul/gemm_tiled.wgsl'],
    defines: {
      // f32 storage; a compiled graph with storage 'f16' sets these (half-storage.ts).
      ...NO_HALF,
      F16_INPUT_1: false,
      HAS_C: p.c !== undefined,
      ACT_PRELU: p.activation.type === 'PRelu',
      SLOPE_PER_ROW: p.slopePerRow,
      ...activationDefines(p.activation),
    },
    params: {
      m: p.m, n: p.n, k: p.k,
      a_row_stride: p.aRowStride, a_col_stride: p.aColStride,
      b_row_stride: p.bRowStride, b_col_stride: p.bColStride, b_batch_stride: p.bBatchStride,
      c_row_stride: p.c?.rowStride ?? 0, c_col_stride: p.c?.colStride ?? 0,
      y_batch_stride: p.m * p.n,
      alpha: p.alpha, beta: p.beta, act_alpha: p.activation.alpha, act_beta: p.activation.beta,
      post_scale: p.activation.scale, post_shift: p.activation.shift,
    },
    workgroups,
    bind: p.operands && { ...CONV_BINDINGS, input_0: { input: p.operands.a }, input_1: { input: p.operands.b } },
  };
}

/** Tiled implicit-GEMM convolution (group 1), or undefined when not handled. */
export function tiledConvKernel(p: ConvProblem): KernelCall | undefined {
  if (p.group !== 1) return undefined;
  // Images on z, as conv2d.wgsl without BATCH_IN_X.
  const workgroups: [number, number, number] = [Math.ceil((p.oh * p.ow) / TILE), Math.ceil(p.m / TILE), p.n];
  if (!fits(workgroups)) return undefined;
  const epilogue = convEpilogue(p.hasBias, p.activation);
  return {
    label: TILED_LABEL,
    files: ['common/activation.wgsl', 'common/half_load.wgsl', 'common/half_store.wgsl', 'conv/finish.wgsl', 'conv/epilogue.wgsl', 'conv/conv2d_tiled.wgsl'],
    defines: { ...NO_HALF, ...epilogue.defines },
    params: {
      in_channels: p.c, in_height: p.h, in_width: p.w,
      out_channels: p.m, out_height: p.oh, out_width: p.ow,
      ...convWindowParams(p.kh, p.kw, p.pads, p.strides, p.dilations),
      ...epilogue.params,
    },
    workgroups,
  };
}

/** Tiled depthwise convolution (group = C = M), or undefined when not handled. */
export function tiledDepthwiseKernel(p: ConvProblem): KernelCall | undefined {
  if (p.group !== p.c || p.m !== p.c) return undefined;
  // The largest output tile whose input tile (halo included) fits the workgroup array.
  const inputTile = ([oh, ow]: [number, number]) => [
    (oh - 1) * p.strides[0] + (p.kh - 1) * p.dilations[0] + 1,
    (ow - 1) * p.strides[1] + (p.kw - 1) * p.dilations[1] + 1,
  ];
  const tile = DW_TILES.find((t) => { const [ih, iw] = inputTile(t); return ih! * iw! <= DW_TILE_CAPACITY; });
  if (!tile) return undefined;
  const [tileIh, tileIw] = inputTile(tile);
  // One channel plane per z: images x channels, so dynamic batches find the batch on z.
  const workgroups: [number, number, number] = [Math.ceil(p.ow / tile[1]), Math.ceil(p.oh / tile[0]), p.n * p.c];
  if (!fits(workgroups)) return undefined;
  const epilogue = convEpilogue(p.hasBias, p.activation);
  return {
    label: TILED_LABEL,
    files: ['common/activation.wgsl', 'common/half_load.wgsl', 'common/half_store.wgsl', 'conv/finish.wgsl', 'conv/epilogue.wgsl', 'conv/depthwise_tiled.wgsl'],
    defines: { ...NO_HALF, TILE_CAPACITY: DW_TILE_CAPACITY, ...epilogue.defines },
    params: {
      channels: p.c, in_height: p.h, in_width: p.w,
      out_height: p.oh, out_width: p.ow,
      ...convWindowParams(p.kh, p.kw, p.pads, p.strides, p.dilations),
      tile_oh: tile[0], tile_ow: tile[1], tile_ih: tileIh!, tile_iw: tileIw!,
      ...epilogue.params,
    },
    workgroups,
  };
}
