// Batched Gemm: Y[b] = alpha * op(A)[M, K] @ op(B)[b][K, N] + beta * C, optional fused activation.
// Serves ONNX Gemm (batch 1) and pointwise 1x1 convolutions (A = weights [M, C], B = one image
// [C, H*W], batch = images). Transposition is expressed by the strides in params.
//
// Launch: invocations along x take 4 adjacent output columns each; workgroup_id.y picks a block of
// ROW_BLOCK rows, workgroup_id.z the batch item. A's indices are thus the same for all invocations
// of a workgroup (one scalar load shared by the SIMD lanes of a CPU adapter) and B's are contiguous
// across invocations (read as one vec4 per invocation when B_VEC4). Measured on lavapipe, this
// orientation is ~2x faster than rows-per-lane (see harness/reports). No workgroup memory.
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
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // A
#if ${B_VEC4}
@group(0) @binding(1) var<storage, read> input_1: array<vec4<f32>>;  // B, rows of N (N % 4 == 0)
#else
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // B
#endif
#if ${HAS_C}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // C (bias)
#endif
#if ${ACT_PRELU}
@group(0) @binding(3) var<storage, read> input_3: array<f32>;  // PReLU slope, per row or per column
#endif
@group(0) @binding(4) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row0 = wg.y * ${ROW_BLOCK}u;
  let batch = wg.z;
  // Uniform per workgroup; clamped so a partial last block reads in bounds.
  var a_row: array<u32, ${ROW_BLOCK}>;
  for (var r = 0u; r < ${ROW_BLOCK}u; r++) {
    a_row[r] = min(row0 + r, params.m - 1u) * params.a_row_stride;
  }
  let col_block = min(wg.x * ${WORKGROUP_SIZE}u + lane, params.col_blocks - 1u);
  let col0 = col_block * 4u;
  let b_base = batch * params.b_batch_stride;
#if ${B_VEC4}
#else
  var b_col: array<u32, 4>;
  for (var j = 0u; j < 4u; j++) {
    b_col[j] = b_base + min(col0 + j, params.n - 1u) * params.b_col_stride;
  }
#endif

  var acc: array<vec4<f32>, ${ROW_BLOCK}>;
  for (var r = 0u; r < ${ROW_BLOCK}u; r++) {
    acc[r] = vec4<f32>(0.0);
  }
  for (var kk = 0u; kk < params.k; kk++) {
#if ${B_VEC4}
    let b = input_1[(b_base + kk * params.b_row_stride) / 4u + col_block];
#else
    let b_k = kk * params.b_row_stride;
    let b = vec4<f32>(input_1[b_col[0] + b_k], input_1[b_col[1] + b_k], input_1[b_col[2] + b_k], input_1[b_col[3] + b_k]);
#endif
    let a_k = kk * params.a_col_stride;
    for (var r = 0u; r < ${ROW_BLOCK}u; r++) {
      acc[r] = fma(vec4<f32>(input_0[a_row[r] + a_k]), b, acc[r]);
    }
  }

  if (wg.x * ${WORKGROUP_SIZE}u + lane >= params.col_blocks) {
    return;
  }
  let y_base = batch * params.y_batch_stride;
  for (var r = 0u; r < ${ROW_BLOCK}u; r++) {
    let row = row0 + r;
    if (row >= params.m) {
      break;
    }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col < params.n) {
        var v = params.alpha * acc[r][j];
#if ${HAS_C}
        v += params.beta * input_2[row * params.c_row_stride + col * params.c_col_stride];
#endif
#if ${ACT_PRELU}
#if ${SLOPE_PER_ROW}
        let slope = input_3[row];
#else
        let slope = input_3[col];
#endif
        v = select(v * slope, v, v >= 0.0);
#else
        v = activate(v, params.act_alpha, params.act_beta);
#endif
        output_0[y_base + row * params.n + col] = v;
      }
    }
  }
}
