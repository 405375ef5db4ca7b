// f16 storage (src/graph/half-storage.ts) of a kernel's input_0, which the op shader declares:
// array<u32> of f16 pairs under F16_INPUT_0, array<f32> otherwise. Arithmetic stays f32: values are
// unpacked on load (common/half_store.wgsl packs output_0).

fn load_input_0(i: u32) -> f32 {
#if ${F16_INPUT_0}
  return unpack2x16float(input_0[i >> 1u])[i & 1u];
#else
  return input_0[i];
#endif
}
