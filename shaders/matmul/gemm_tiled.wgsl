// Tiled GEMM for real GPUs: Y[b] = alpha * op(A)[M, K] @ op(B)[b][K, N] + beta * C with a fused
// activation; the problem, bindings and strides of matmul/gemm.wgsl (src/ops/tiled-kernels.ts).
//
// A 16x16 workgroup computes a 64x64 output tile, each invocation a 4x4 register block (rows
// 4 * ty.., columns 4 * tx..). Per step of 16 along K the workgroup stages A's 64x16 and B's 16x64
// sub-tiles in workgroup memory (one vec4 of 4 values per invocation each); the inner loop then
// takes 2 vec4 from workgroup memory per 16 FMAs, and every global value is read once per tile
// instead of once per output. Values outside M, N or K are staged as 0, so partial tiles need no
// case of their own; barriers stay in uniform control flow (the K loop bound is a uniform) and only
// the final stores are guarded.
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
  alpha: f32,
  beta: f32,
  act_alpha: f32,
  act_beta: f32,
  post_scale: f32,
  post_shift: f32,
}

#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<u32>;  // A, f16 pairs: common/half_store.wgsl
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // A
#endif
#if ${F16_INPUT_1}
@group(0) @binding(1) var<storage, read> input_1: array<u32>;  // B, f16 pairs
#else
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // B
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

// [k][64 rows] of A and [k][64 columns] of B, 4 rows/columns per vec4: 2 x 4 KiB.
var<workgroup> a_tile: array<vec4<f32>, 256>;
var<workgroup> b_tile: array<vec4<f32>, 256>;

// A[row, k], 0 outside the matrix (the index is clamped so the unused load stays in bounds).
fn a_at(row: u32, k: u32) -> f32 {
  let i = min(row, params.m - 1u) * params.a_row_stride + min(k, params.k - 1u) * params.a_col_stride;
  return select(0.0, load_input_0(i), row < params.m && k < params.k);
}

fn b_at(b_base: u32, k: u32, col: u32) -> f32 {
  let i = b_base + min(k, params.k - 1u) * params.b_row_stride + min(col, params.n - 1u) * params.b_col_stride;
  return select(0.0, load_input_1(i), k < params.k && col < params.n);
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let row0 = wg.y * 64u;
  let col0 = wg.x * 64u;
  let b_base = wg.z * params.b_batch_stride;
  // Staging roles: A with adjacent invocations on adjacent k (contiguous when A is row-major), B on
  // adjacent column quads (contiguous when B is row-major).
  let a_k = lane % 16u;
  let a_rows = row0 + (lane / 16u) * 4u;
  let b_k = lane / 16u;
  let b_cols = col0 + (lane % 16u) * 4u;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < params.k; k0 += 16u) {
    let ka = k0 + a_k;
    a_tile[a_k * 16u + lane / 16u] = vec4<f32>(a_at(a_rows, ka), a_at(a_rows + 1u, ka), a_at(a_rows + 2u, ka), a_at(a_rows + 3u, ka));
    let kb = k0 + b_k;
    b_tile[b_k * 16u + lane % 16u] = vec4<f32>(b_at(b_base, kb, b_cols), b_at(b_base, kb, b_cols + 1u), b_at(b_base, kb, b_cols + 2u), b_at(b_base, kb, b_cols + 3u));
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let a = a_tile[kk * 16u + lid.y];
      let b = b_tile[kk * 16u + lid.x];
      acc0 = fma(vec4<f32>(a.x), b, acc0);
      acc1 = fma(vec4<f32>(a.y), b, acc1);
      acc2 = fma(vec4<f32>(a.z), b, acc2);
      acc3 = fma(vec4<f32>(a.w), b, acc3);
    }
    // The next step overwrites the tiles: everyone must be done reading them.
    workgroupBarrier();
  }

  let row = row0 + lid.y * 4u;
  let col = col0 + lid.x * 4u;
  let y_base = wg.z * params.y_batch_stride;
  store_row(acc0, row, col, y_base);
  store_row(acc1, row + 1u, col, y_base);
  store_row(acc2, row + 2u, col, y_base);
  store_row(acc3, row + 3u, col, y_base);
}
