// Gemm: Y[M, N] = alpha * op(A)[M, K] @ op(B)[K, N] + beta * C (C broadcast), optional fused
// activation. Transposition is expressed through the row/column strides in params, so one source
// serves all four transA/transB combinations.
//
// Each invocation computes a 4 x 4 register block (4 rows x 4 adjacent columns): per k it loads
// 4 values of A and 4 of B for 16 FMAs. No workgroup memory (see conv2d.wgsl for why).
struct Params {
  m: u32,
  n: u32,
  k: u32,
  a_row_stride: u32,
  a_col_stride: u32,
  b_row_stride: u32,
  b_col_stride: u32,
  c_row_stride: u32,  // 0 when C broadcasts along rows
  c_col_stride: u32,  // 0 when C broadcasts along columns
  col_blocks: u32,
  block_count: u32,
  alpha: f32,
  beta: f32,
  act_alpha: f32,
  act_beta: f32,
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // A
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // B
#if ${HAS_C}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // C
#endif
#if ${ACT_PRELU}
@group(0) @binding(3) var<storage, read> input_3: array<f32>;  // PReLU slope [N]
#endif
@group(0) @binding(4) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let block = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (block >= params.block_count) {
    return;
  }
  let col0 = (block % params.col_blocks) * 4u;
  let row0 = (block / params.col_blocks) * 4u;

  // Clamped so a partial edge block reads in bounds; its extra results are never written.
  var a_base: array<u32, 4>;
  var b_base: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    a_base[i] = min(row0 + i, params.m - 1u) * params.a_row_stride;
    b_base[i] = min(col0 + i, params.n - 1u) * params.b_col_stride;
  }
  var acc: array<vec4<f32>, 4>;
  for (var i = 0u; i < 4u; i++) {
    acc[i] = vec4<f32>(0.0);
  }
  for (var kk = 0u; kk < params.k; kk++) {
    let a_k = kk * params.a_col_stride;
    let b_k = kk * params.b_row_stride;
    let b = vec4<f32>(input_1[b_base[0] + b_k], input_1[b_base[1] + b_k],
                      input_1[b_base[2] + b_k], input_1[b_base[3] + b_k]);
    for (var i = 0u; i < 4u; i++) {
      acc[i] = fma(vec4<f32>(input_0[a_base[i] + a_k]), b, acc[i]);
    }
  }

  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= params.m) {
      break;
    }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col < params.n) {
        var v = params.alpha * acc[i][j];
#if ${HAS_C}
        v += params.beta * input_2[row * params.c_row_stride + col * params.c_col_stride];
#endif
#if ${ACT_PRELU}
        v = select(v * input_3[col], v, v >= 0.0);
#else
        v = activate(v, params.act_alpha, params.act_beta);
#endif
        output_0[row * params.n + col] = v;
      }
    }
  }
}
