// Activation applied after an op's main computation: standalone (elementwise/unary.wgsl) or fused
// into conv2d and gemm. Exactly one ACT_* define is true (ACT_NONE for identity); PReLU needs a
// per-channel slope tensor and is handled by the shaders that support it.
// alpha/beta carry the activation's scalars: LeakyRelu alpha; Clip min, max; HardSigmoid alpha, beta.
fn activate(x: f32, alpha: f32, beta: f32) -> f32 {
#if ${ACT_RELU}
  return max(x, 0.0);
#elif ${ACT_LEAKY_RELU}
  return select(x * alpha, x, x >= 0.0);
#elif ${ACT_CLIP}
  return min(max(x, alpha), beta);
#elif ${ACT_SIGMOID}
  return 1.0 / (1.0 + exp(-x));
#elif ${ACT_HARD_SIGMOID}
  return clamp(alpha * x + beta, 0.0, 1.0);
#elif ${ACT_HARD_SWISH}
  return x * clamp(x * (1.0 / 6.0) + 0.5, 0.0, 1.0);
#else
  return x;
#endif
}
