// f16 storage (src/graph/half-storage.ts) of a kernel's input_1 read one value at a time (GEMM's B),
// which the op shader declares: array<u32> of f16 pairs under F16_INPUT_1, array<f32> otherwise
// (common/half_load.wgsl does the same for input_0).

fn load_input_1(i: u32) -> f32 {
#if ${F16_INPUT_1}
  return unpack2x16float(input_1[i >> 1u])[i & 1u];
#else
  return input_1[i];
#endif
}
