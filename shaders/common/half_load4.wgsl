// f16 storage (src/graph/half-storage.ts) of a kernel's input_0 read 4 values at a time (rows of a
// multiple of 4: conv2d.wgsl and depthwise.wgsl under ROW_VEC4), which the op shader declares:
// array<vec2<u32>> (4 halves) under F16_INPUT_0, array<vec4<f32>> otherwise.

fn load_input4(i: u32) -> vec4<f32> {
#if ${F16_INPUT_0}
  let h = input_0[i];
  return vec4<f32>(unpack2x16float(h.x), unpack2x16float(h.y));
#else
  return input_0[i];
#endif
}
