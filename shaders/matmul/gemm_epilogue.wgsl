// The end of gemm.wgsl and gemm_tiled.wgsl: alpha, beta * C, PReLU (slope per row or column) or
// the fused activation, the affine after it, then 4 adjacent columns of one row (past n or m: not
// stored). The including shader declares C (HAS_C), the slope (ACT_PRELU), the output with
// store_output_0, and Params with m, n, C's strides, alpha, beta, act_alpha, act_beta, post_*.
// The column loop's end is not a constant, so it is not unrolled: 4 checked columns written out
// (x 4 rows) made lavapipe's JIT of RNet's 576->128 layer 552-602 ms instead of 142-200 ms
// (MESA_SHADER_CACHE_DISABLE=true, same code otherwise, interleaved).
fn store_row(acc: vec4<f32>, row: u32, col0: u32, y_base: u32) {
  if (row >= params.m) {
    return;
  }
  let end = min(col0 + 4u, params.n);
  for (var col = col0; col < end; col++) {
    var v = params.alpha * acc[col - col0];
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
