// The end of conv2d.wgsl and depthwise.wgsl: bias, PReLU (slope per channel) or the fused
// activation, the affine after it, then 4 adjacent columns of one output row (past out_width: not
// stored). The including shader declares the bias (HAS_BIAS) and slope (ACT_PRELU) bindings, the
// output with store_output_0, and params with out_width, alpha, beta, post_scale, post_shift.
fn store_row4(acc: vec4<f32>, channel: u32, out_row: u32, ox0: u32) {
#if ${HAS_BIAS}
  var v = acc + vec4<f32>(input_2[channel]);
#else
  var v = acc;
#endif
#if ${ACT_PRELU}
  let slope = input_3[channel];
  v = select(v * slope, v, v >= vec4<f32>(0.0));
#else
  v = vec4<f32>(activate(v.x, params.alpha, params.beta), activate(v.y, params.alpha, params.beta),
                activate(v.z, params.alpha, params.beta), activate(v.w, params.alpha, params.beta));
#endif
  v = v * params.post_scale + params.post_shift;
  for (var p = 0u; p < 4u; p++) {
    if (ox0 + p < params.out_width) {
      store_output_0(out_row + ox0 + p, v[p]);
    }
  }
}
