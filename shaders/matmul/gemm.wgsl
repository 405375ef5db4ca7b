// Batched Gemm: Y[b] = alpha * op(A)[M, K] @ op(B)[b][K, N] + beta * C, optional fused activation.
// Serves ONNX Gemm (batch 1) and pointwise 1x1 convolutions (A = weights [M, C], B = one image
// [C, H*W], batch = images). Transposition is expressed by the strides in params.
//
// Launch: invocations along x take 4 adjacent output columns each; workgroup_id.y picks a block of
// ROW_BLOCK (4, 8 or 16) rows, workgroup_id.z the batch item. A's indices are thus the same for all
// invocations of a workgroup and B's are contiguous across invocations (one vec4 per invocation
// when B_VEC4). Accumulators are separate variables, not an indexed array: SwiftShader keeps
// loop-indexed private arrays in memory (1024^3: 0.5 -> 2.0 GFLOP/s written this way); lavapipe
// is indifferent. No workgroup memory: on CPU adapters it only adds copies.
struct Params {
  m: u32,
  n: u32,
  k: u32,
  a_row_stride: u32,
  a_col_stride: u32,
  b_row_stride: u32,
  b_col_stride: u32,
  b_batch_stride: u32,
  c_row_stride: u32,  // 0 when C broadcasts along rows
  c_col_stride: u32,  // 0 when C broadcasts along columns
  y_batch_stride: u32,
  col_blocks: u32,    // ceil(n / 4)
  alpha: f32,
  beta: f32,
  act_alpha: f32,
  act_beta: f32,
  post_scale: f32,
  post_shift: f32,
}

#if ${A_SHARED}
// A read as rows of 4 consecutive k (K % 4 == 0, a_col_stride 1): each invocation of a subgroup
// loads a few, and subgroupBroadcast hands every A value to the whole subgroup.
#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<vec2<u32>>;  // A, f16
fn load_a4(i: u32) -> vec4<f32> {
  let h = input_0[i];
  return vec4<f32>(unpack2x16float(h.x), unpack2x16float(h.y));
}
#else
@group(0) @binding(0) var<storage, read> input_0: array<vec4<f32>>;  // A
fn load_a4(i: u32) -> vec4<f32> {
  return input_0[i];
}
#endif
#else
#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<u32>;  // A, f16 pairs: common/half_load.wgsl
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // A
#endif
#endif
#if ${B_VEC4}
#if ${F16_INPUT_1}
@group(0) @binding(1) var<storage, read> input_1: array<vec2<u32>>;  // B, rows of N (N % 4 == 0), f16
fn load_b4(i: u32) -> vec4<f32> {
  let h = input_1[i];
  return vec4<f32>(unpack2x16float(h.x), unpack2x16float(h.y));
}
#else
@group(0) @binding(1) var<storage, read> input_1: array<vec4<f32>>;  // B, rows of N (N % 4 == 0)
fn load_b4(i: u32) -> vec4<f32> {
  return input_1[i];
}
#endif
#else
// Read through common/half_load_1.wgsl's load_input_1.
#if ${F16_INPUT_1}
@group(0) @binding(1) var<storage, read> input_1: array<u32>;  // B, f16
#else
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // B
#endif
#endif
#if ${HAS_C}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // C (bias)
#endif
#if ${ACT_PRELU}
@group(0) @binding(3) var<storage, read> input_3: array<f32>;  // PReLU slope, per row or per column
#endif
#if ${F16_OUTPUT_0}
@group(0) @binding(4) var<storage, read_write> output_0: array<atomic<u32>>;  // f16 pairs: common/half_store.wgsl
#else
@group(0) @binding(4) var<storage, read_write> output_0: array<f32>;
#endif
@group(0) @binding(5) var<uniform> params: Params;

#if ${F16_MATH}
// shader-f16 arithmetic (CompileOptions.storage 'f16-math'): products and sums in f16; the epilogue
// (bias, activation, store) in f32.
alias real = f16;
alias real4 = vec4<f16>;
#else
alias real = f32;
alias real4 = vec4<f32>;
#endif


// Row offset into A (in elements), clamped so a partial last block reads in bounds (its results are dropped).
fn a_row(row: u32) -> u32 {
  return min(row, params.m - 1u) * params.a_row_stride;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32
#if ${A_SHARED}
        , @builtin(subgroup_invocation_id) sg_lane: u32
#endif
) {
  let row0 = wg.y * ${ROW_BLOCK}u;
  let batch = wg.z;
  let a0 = a_row(row0 + 0u);
  let a1 = a_row(row0 + 1u);
  let a2 = a_row(row0 + 2u);
  let a3 = a_row(row0 + 3u);
#if ${ROW_BLOCK_GE_8}
  let a4 = a_row(row0 + 4u);
  let a5 = a_row(row0 + 5u);
  let a6 = a_row(row0 + 6u);
  let a7 = a_row(row0 + 7u);
#endif
#if ${ROW_BLOCK_GE_16}
  let a8 = a_row(row0 + 8u);
  let a9 = a_row(row0 + 9u);
  let a10 = a_row(row0 + 10u);
  let a11 = a_row(row0 + 11u);
  let a12 = a_row(row0 + 12u);
  let a13 = a_row(row0 + 13u);
  let a14 = a_row(row0 + 14u);
  let a15 = a_row(row0 + 15u);
#endif
  let col_block = min(wg.x * ${WORKGROUP_SIZE}u + lane, params.col_blocks - 1u);
  let col0 = col_block * 4u;
  let b_base = batch * params.b_batch_stride;
#if ${B_VEC4}
#else
  let b_col0 = b_base + min(col0, params.n - 1u) * params.b_col_stride;
  let b_col1 = b_base + min(col0 + 1u, params.n - 1u) * params.b_col_stride;
  let b_col2 = b_base + min(col0 + 2u, params.n - 1u) * params.b_col_stride;
  let b_col3 = b_base + min(col0 + 3u, params.n - 1u) * params.b_col_stride;
#endif
  var acc0 = real4(0.0);
  var acc1 = real4(0.0);
  var acc2 = real4(0.0);
  var acc3 = real4(0.0);
#if ${ROW_BLOCK_GE_8}
  var acc4 = real4(0.0);
  var acc5 = real4(0.0);
  var acc6 = real4(0.0);
  var acc7 = real4(0.0);
#endif
#if ${ROW_BLOCK_GE_16}
  var acc8 = real4(0.0);
  var acc9 = real4(0.0);
  var acc10 = real4(0.0);
  var acc11 = real4(0.0);
  var acc12 = real4(0.0);
  var acc13 = real4(0.0);
  var acc14 = real4(0.0);
  var acc15 = real4(0.0);
#endif
#if ${A_SHARED}
  // 4 k per step: B as 4 vec4 rows, A through the subgroup (see load_a4); always 16-row blocks
  // (gemm-kernel.ts). Rows of A past m are clamped by a_row; their products land in accumulators
  // that are never stored.
  let b_row4 = params.b_row_stride / 4u;
  for (var k4 = 0u; k4 < params.k / 4u; k4++) {
    let kb = b_base / 4u + 4u * k4 * b_row4 + col_block;
    let b0 = real4(load_b4(kb));
    let b1 = real4(load_b4(kb + b_row4));
    let b2 = real4(load_b4(kb + 2u * b_row4));
    let b3 = real4(load_b4(kb + 3u * b_row4));
#if ${SUBGROUP_8}
    // Rows sg_lane + j * 8 of the block, 4 k each: row r is in slot r / 8 of invocation r % 8.
    let av0 = load_a4(a_row(row0 + sg_lane + 0u) / 4u + k4);
    let av1 = load_a4(a_row(row0 + sg_lane + 8u) / 4u + k4);
    let a0 = real4(subgroupBroadcast(av0, 0u));
    let a1 = real4(subgroupBroadcast(av0, 1u));
    let a2 = real4(subgroupBroadcast(av0, 2u));
    let a3 = real4(subgroupBroadcast(av0, 3u));
    let a4 = real4(subgroupBroadcast(av0, 4u));
    let a5 = real4(subgroupBroadcast(av0, 5u));
    let a6 = real4(subgroupBroadcast(av0, 6u));
    let a7 = real4(subgroupBroadcast(av0, 7u));
    let a8 = real4(subgroupBroadcast(av1, 0u));
    let a9 = real4(subgroupBroadcast(av1, 1u));
    let a10 = real4(subgroupBroadcast(av1, 2u));
    let a11 = real4(subgroupBroadcast(av1, 3u));
    let a12 = real4(subgroupBroadcast(av1, 4u));
    let a13 = real4(subgroupBroadcast(av1, 5u));
    let a14 = real4(subgroupBroadcast(av1, 6u));
    let a15 = real4(subgroupBroadcast(av1, 7u));
#else
    // Rows sg_lane + j * 4 of the block, 4 k each: row r is in slot r / 4 of invocation r % 4.
    let av0 = load_a4(a_row(row0 + sg_lane + 0u) / 4u + k4);
    let av1 = load_a4(a_row(row0 + sg_lane + 4u) / 4u + k4);
    let av2 = load_a4(a_row(row0 + sg_lane + 8u) / 4u + k4);
    let av3 = load_a4(a_row(row0 + sg_lane + 12u) / 4u + k4);
    let a0 = real4(subgroupBroadcast(av0, 0u));
    let a1 = real4(subgroupBroadcast(av0, 1u));
    let a2 = real4(subgroupBroadcast(av0, 2u));
    let a3 = real4(subgroupBroadcast(av0, 3u));
    let a4 = real4(subgroupBroadcast(av1, 0u));
    let a5 = real4(subgroupBroadcast(av1, 1u));
    let a6 = real4(subgroupBroadcast(av1, 2u));
    let a7 = real4(subgroupBroadcast(av1, 3u));
    let a8 = real4(subgroupBroadcast(av2, 0u));
    let a9 = real4(subgroupBroadcast(av2, 1u));
    let a10 = real4(subgroupBroadcast(av2, 2u));
    let a11 = real4(subgroupBroadcast(av2, 3u));
    let a12 = real4(subgroupBroadcast(av3, 0u));
    let a13 = real4(subgroupBroadcast(av3, 1u));
    let a14 = real4(subgroupBroadcast(av3, 2u));
    let a15 = real4(subgroupBroadcast(av3, 3u));
#endif
    acc0 = fma(real4(a0.x), b0, acc0);
    acc0 = fma(real4(a0.y), b1, acc0);
    acc0 = fma(real4(a0.z), b2, acc0);
    acc0 = fma(real4(a0.w), b3, acc0);
    acc1 = fma(real4(a1.x), b0, acc1);
    acc1 = fma(real4(a1.y), b1, acc1);
    acc1 = fma(real4(a1.z), b2, acc1);
    acc1 = fma(real4(a1.w), b3, acc1);
    acc2 = fma(real4(a2.x), b0, acc2);
    acc2 = fma(real4(a2.y), b1, acc2);
    acc2 = fma(real4(a2.z), b2, acc2);
    acc2 = fma(real4(a2.w), b3, acc2);
    acc3 = fma(real4(a3.x), b0, acc3);
    acc3 = fma(real4(a3.y), b1, acc3);
    acc3 = fma(real4(a3.z), b2, acc3);
    acc3 = fma(real4(a3.w), b3, acc3);
    acc4 = fma(real4(a4.x), b0, acc4);
    acc4 = fma(real4(a4.y), b1, acc4);
    acc4 = fma(real4(a4.z), b2, acc4);
    acc4 = fma(real4(a4.w), b3, acc4);
    acc5 = fma(real4(a5.x), b0, acc5);
    acc5 = fma(real4(a5.y), b1, acc5);
    acc5 = fma(real4(a5.z), b2, acc5);
    acc5 = fma(real4(a5.w), b3, acc5);
    acc6 = fma(real4(a6.x), b0, acc6);
    acc6 = fma(real4(a6.y), b1, acc6);
    acc6 = fma(real4(a6.z), b2, acc6);
    acc6 = fma(real4(a6.w), b3, acc6);
    acc7 = fma(real4(a7.x), b0, acc7);
    acc7 = fma(real4(a7.y), b1, acc7);
    acc7 = fma(real4(a7.z), b2, acc7);
    acc7 = fma(real4(a7.w), b3, acc7);
    acc8 = fma(real4(a8.x), b0, acc8);
    acc8 = fma(real4(a8.y), b1, acc8);
    acc8 = fma(real4(a8.z), b2, acc8);
    acc8 = fma(real4(a8.w), b3, acc8);
    acc9 = fma(real4(a9.x), b0, acc9);
    acc9 = fma(real4(a9.y), b1, acc9);
    acc9 = fma(real4(a9.z), b2, acc9);
    acc9 = fma(real4(a9.w), b3, acc9);
    acc10 = fma(real4(a10.x), b0, acc10);
    acc10 = fma(real4(a10.y), b1, acc10);
    acc10 = fma(real4(a10.z), b2, acc10);
    acc10 = fma(real4(a10.w), b3, acc10);
    acc11 = fma(real4(a11.x), b0, acc11);
    acc11 = fma(real4(a11.y), b1, acc11);
    acc11 = fma(real4(a11.z), b2, acc11);
    acc11 = fma(real4(a11.w), b3, acc11);
    acc12 = fma(real4(a12.x), b0, acc12);
    acc12 = fma(real4(a12.y), b1, acc12);
    acc12 = fma(real4(a12.z), b2, acc12);
    acc12 = fma(real4(a12.w), b3, acc12);
    acc13 = fma(real4(a13.x), b0, acc13);
    acc13 = fma(real4(a13.y), b1, acc13);
    acc13 = fma(real4(a13.z), b2, acc13);
    acc13 = fma(real4(a13.w), b3, acc13);
    acc14 = fma(real4(a14.x), b0, acc14);
    acc14 = fma(real4(a14.y), b1, acc14);
    acc14 = fma(real4(a14.z), b2, acc14);
    acc14 = fma(real4(a14.w), b3, acc14);
    acc15 = fma(real4(a15.x), b0, acc15);
    acc15 = fma(real4(a15.y), b1, acc15);
    acc15 = fma(real4(a15.z), b2, acc15);
    acc15 = fma(real4(a15.w), b3, acc15);
  }
#else
  for (var kk = 0u; kk < params.k; kk++) {
#if ${B_VEC4}
    let b = real4(load_b4((b_base + kk * params.b_row_stride) / 4u + col_block));
#else
    let b_k = kk * params.b_row_stride;
    let b = real4(vec4<f32>(load_input_1(b_col0 + b_k), load_input_1(b_col1 + b_k), load_input_1(b_col2 + b_k), load_input_1(b_col3 + b_k)));
#endif
    let a_k = kk * params.a_col_stride;
    acc0 = fma(real4(real(load_input_0(a0 + a_k))), b, acc0);
    acc1 = fma(real4(real(load_input_0(a1 + a_k))), b, acc1);
    acc2 = fma(real4(real(load_input_0(a2 + a_k))), b, acc2);
    acc3 = fma(real4(real(load_input_0(a3 + a_k))), b, acc3);
#if ${ROW_BLOCK_GE_8}
    acc4 = fma(real4(real(load_input_0(a4 + a_k))), b, acc4);
    acc5 = fma(real4(real(load_input_0(a5 + a_k))), b, acc5);
    acc6 = fma(real4(real(load_input_0(a6 + a_k))), b, acc6);
    acc7 = fma(real4(real(load_input_0(a7 + a_k))), b, acc7);
#endif
#if ${ROW_BLOCK_GE_16}
    acc8 = fma(real4(real(load_input_0(a8 + a_k))), b, acc8);
    acc9 = fma(real4(real(load_input_0(a9 + a_k))), b, acc9);
    acc10 = fma(real4(real(load_input_0(a10 + a_k))), b, acc10);
    acc11 = fma(real4(real(load_input_0(a11 + a_k))), b, acc11);
    acc12 = fma(real4(real(load_input_0(a12 + a_k))), b, acc12);
    acc13 = fma(real4(real(load_input_0(a13 + a_k))), b, acc13);
    acc14 = fma(real4(real(load_input_0(a14 + a_k))), b, acc14);
    acc15 = fma(real4(real(load_input_0(a15 + a_k))), b, acc15);
#endif
  }
#endif

  if (wg.x * ${WORKGROUP_SIZE}u + lane >= params.col_blocks) {
    return;
  }
  let y_base = batch * params.y_batch_stride;
  store_row(vec4<f32>(acc0), row0 + 0u, col0, y_base);
  store_row(vec4<f32>(acc1), row0 + 1u, col0, y_base);
  store_row(vec4<f32>(acc2), row0 + 2u, col0, y_base);
  store_row(vec4<f32>(acc3), row0 + 3u, col0, y_base);
#if ${ROW_BLOCK_GE_8}
  store_row(vec4<f32>(acc4), row0 + 4u, col0, y_base);
  store_row(vec4<f32>(acc5), row0 + 5u, col0, y_base);
  store_row(vec4<f32>(acc6), row0 + 6u, col0, y_base);
  store_row(vec4<f32>(acc7), row0 + 7u, col0, y_base);
#endif
#if ${ROW_BLOCK_GE_16}
  store_row(vec4<f32>(acc8), row0 + 8u, col0, y_base);
  store_row(vec4<f32>(acc9), row0 + 9u, col0, y_base);
  store_row(vec4<f32>(acc10), row0 + 10u, col0, y_base);
  store_row(vec4<f32>(acc11), row0 + 11u, col0, y_base);
  store_row(vec4<f32>(acc12), row0 + 12u, col0, y_base);
  store_row(vec4<f32>(acc13), row0 + 13u, col0, y_base);
  store_row(vec4<f32>(acc14), row0 + 14u, col0, y_base);
  store_row(vec4<f32>(acc15), row0 + 15u, col0, y_base);
#endif
}
