// The kernel call for shaders/matmul/gemm.wgsl, shared by Gemm and pointwise (1x1) Conv.
import { activationDefines, type Activation } from './activation.js';
import { tiledGemmKernel } from './tiled-kernels.js';
import { DEFAULT_KERNEL_ENV, type KernelCall, type KernelEnv } from './types.js';
import { NO_HALF } from '../graph/half-storage.js';

export interface GemmProblem {
  m: number;
  n: number;
  k: number;
  batch: number;
  aRowStride: number;
  aColStride: number;
  bRowStride: number;
  bColStride: number;
  bBatchStride: number;
  /** Strides of C (bias) over rows/columns; undefined = no C. */
  c?: { rowStride: number; colStride: number };
  alpha: number;
  beta: number;
  activation: Activation;
  /** PReLU slope indexed by output row (conv channels) instead of column (Gemm features). */
  slopePerRow: boolean;
  /** Which op inputs are A and B (Conv passes X first, so B = input 0 and A = input 1). */
  operands?: { a: number; b: number };
}

// Tuning, measured with harness/bench-ops.ts on lavapipe (see harness/reports/).
const WORKGROUP_SIZE = 16;

export function gemmKernel(p: GemmProblem, env: KernelEnv = DEFAULT_KERNEL_ENV): KernelCall {
  const tiled = env.adapter === 'gpu' ? tiledGemmKernel(p) : undefined;
  if (tiled) return tiled;
  const colBlocks = Math.ceil(p.n / 4);
  // Fewer than 8 rows (MTCNN PNet's 32->2 and 32->4 heads) always load B as scalars: vec4 loads
  // need N % 4 == 0, which PNet's pyramid levels meet or not, and each variant is one more pipeline
  // for lavapipe to JIT at its first dispatch (~0.5 s). Scalar B cost those heads 0-6 ms per 8
  // images here (the 39-photo run the same: 5.29-5.30 s vs 5.29-5.33 s).
  const bVec4 = p.m >= 8 && p.bColStride === 1 && p.n % 4 === 0 && p.bRowStride % 4 === 0 && p.bBatchStride % 4 === 0;
  // Scalar B loads take 4-row blocks: 16 rows made lavapipe's first-dispatch JIT 9.3 s instead of
  // 0.9 s (RNet's fully connected 576->128 layer; run time the same: MTCNN CLI 10.8 vs 10.6 s).
  const rowBlock = !bVec4 ? 4 : p.m < 16 ? 8 : 16;
  // A through the subgroup: on lavapipe every storage load costs ~15-50 FMAs' time, the same for a
  // value all invocations share (shaders/probe/load_probe.wgsl); loading A once per subgroup and
  // broadcasting it cuts the loads per k from 1 + 16 to 1 + 16/32 (lavapipe, conv 1x1 256->256 @64: 8.8 -> 22 GFLOP/s).
  const aShared = bVec4 && rowBlock === 16 && (env.subgroupSize === 8 || env.subgroupSize === 4) &&
    p.aColStride === 1 && p.k % 4 === 0 && p.aRowStride % 4 === 0;
  return {
    // A_SHARED reads A as vec4 itself; otherwise A is read through half_load's load_input_0.
    // Scalar B is read through half_load_1's load_input_1.
    files: [...(aShared ? ['common/enable_subgroups.wgsl'] : ['common/half_load.wgsl']), ...(bVec4 ? [] : ['common/half_load_1.wgsl']), 'common/activation.wgsl', 'common/half_store.wgsl', 'matmul/gemm_epilogue.wgsl', 'matmul/gemm.wgsl'],
    defines: {
      // f32 storage and arithmetic; a compiled graph with storage 'f16' sets these (half-storage.ts).
      ...NO_HALF,
      F16_INPUT_1: false,
      F16_MATH: false,
      WORKGROUP_SIZE,
      ROW_BLOCK: rowBlock,
      ROW_BLOCK_GE_8: rowBlock >= 8,
      ROW_BLOCK_GE_16: rowBlock >= 16,
      B_VEC4: bVec4,
      A_SHARED: aShared,
      SUBGROUP_8: env.subgroupSize === 8,
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
      col_blocks: colBlocks,
      alpha: p.alpha, beta: p.beta, act_alpha: p.activation.alpha, act_beta: p.activation.beta,
      post_scale: p.activation.scale, post_shift: p.activation.shift,
    },
    workgroups: [Math.ceil(colBlocks / WORKGROUP_SIZE), Math.ceil(p.m / rowBlock), p.batch],
    bind: p.operands && {
      input_0: { input: p.operands.a },
      input_1: { input: p.operands.b },
      input_2: { input: 2 },
      input_3: { input: 3 },
      output_0: { output: 0 },
    },
  };
}
