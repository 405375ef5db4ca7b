// The end of gemm.wgsl and gemm_tiled.wgsl: alpha, beta * C, PReLU (slope per row or column) or
// the fused activation, the affine after it, then 4 adjacent columns of one row (past n or m: not
// stored). The including shader declares C (HAS_C), the slope (ACT_PRELU), the output with
// store_output_0, and Params with m, n, C's strides, alpha, beta, act_alpha, act_beta, post_*.
fn store_row(acc: vec4<f32>, row: u32, col0: u32, y_base: u32) {
  if (row >= params.m) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    let col = col0 + j;
    if (col < params.n) {
      var v = params.alpha * acc[j];
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
      store_output_0(y_base + row * params.n + col, v * params.post_scale + params.post_shift);
    }
  }
}
