// f16 storage (src/graph/half-storage.ts) of a kernel's output_0, which the op shader declares:
// array<atomic<u32>> of f16 pairs under F16_OUTPUT_0, array<f32> otherwise (common/half_load.wgsl
// reads input_0).

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
