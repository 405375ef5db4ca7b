// store_output_0 alone, for kernels that read input_0 their own way (gemm.wgsl's vec4 rows of A):
// f16 pairs under F16_OUTPUT_0 as in common/half_storage.wgsl.

// Two invocations may write the two halves of one u32: clearing and setting only one's own half
// (two atomics) is race-free.
fn store_output_0(i: u32, v: f32) {
#if ${F16_OUTPUT_0}
  let shift = (i & 1u) * 16u;
  atomicAnd(&output_0[i >> 1u], ~(0xffffu << shift));
  atomicOr(&output_0[i >> 1u], (pack2x16float(vec2<f32>(v, 0.0)) & 0xffffu) << shift);
#else
  output_0[i] = v;
#endif
}
