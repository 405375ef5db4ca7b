// Bias, PReLU (slope per channel) or the fused activation, then the affine after it: the end of
// every convolution kernel (conv2d, depthwise, their tiled versions, both ConvTranspose kernels).
// The including shader declares the bias (HAS_BIAS) and slope (ACT_PRELU) bindings and params with
// alpha, beta, post_scale, post_shift.
fn conv_finish4(acc: vec4<f32>, channel: u32) -> vec4<f32> {
  return conv_finish4_with(acc, channel_bias(channel), channel_slope(channel));
}

// The channel's bias and PReLU slope (0 when the kernel has none), for kernels that finish many
// vectors of one channel: loaded once (depthwise's strips finish 16 per channel).
fn channel_bias(channel: u32) -> f32 {
#if ${HAS_BIAS}
  return input_2[channel];
#else
  return 0.0;
#endif
}

fn channel_slope(channel: u32) -> f32 {
#if ${ACT_PRELU}
  return input_3[channel];
#else
  return 0.0;
#endif
}

fn conv_finish4_with(acc: vec4<f32>, bias: f32, slope: f32) -> vec4<f32> {
#if ${HAS_BIAS}
  var v = acc + vec4<f32>(bias);
#else
  var v = acc;
#endif
#if ${ACT_PRELU}
  v = select(v * slope, v, v >= vec4<f32>(0.0));
#else
  v = vec4<f32>(activate(v.x, params.alpha, params.beta), activate(v.y, params.alpha, params.beta),
                activate(v.z, params.alpha, params.beta), activate(v.w, params.alpha, params.beta));
#endif
  return v * params.post_scale + params.post_shift;
}

fn conv_finish(acc: f32, channel: u32) -> f32 {
#if ${HAS_BIAS}
  var v = acc + input_2[channel];
#else
  var v = acc;
#endif
#if ${ACT_PRELU}
  v = select(v * input_3[channel], v, v >= 0.0);
#else
  v = activate(v, params.alpha, params.beta);
#endif
  return v * params.post_scale + params.post_shift;
}
