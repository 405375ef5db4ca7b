// PReLU with one slope per channel of an NCHW tensor (channels = 1 gives one shared slope).
struct Params {
  count: u32,
  channels: u32,
  spatial: u32,  // elements per channel plane (H*W, or 1 for [N, C] inputs)
}

#if ${F16_INPUT_0}
// f16 storage (graph/half-storage.ts): two halves per u32, unpacked to f32 arithmetic.
@group(0) @binding(0) var<storage, read> input_0: array<u32>;
fn load_input_0(i: u32) -> f32 {
  return unpack2x16float(input_0[i >> 1u])[i & 1u];
}
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;
fn load_input_0(i: u32) -> f32 {
  return input_0[i];
}
#endif
@group(0) @binding(1) var<storage, read> input_1: array<f32>;
#if ${F16_OUTPUT_0}
// Each value goes to its half of a u32 another invocation may be writing the other half of:
// clearing and setting only one's own half (two atomics) is race-free.
@group(0) @binding(2) var<storage, read_write> output_0: array<atomic<u32>>;
fn store_output_0(i: u32, v: f32) {
  let shift = (i & 1u) * 16u;
  atomicAnd(&output_0[i >> 1u], ~(0xffffu << shift));
  atomicOr(&output_0[i >> 1u], (pack2x16float(vec2<f32>(v, 0.0)) & 0xffffu) << shift);
}
#else
@group(0) @binding(2) var<storage, read_write> output_0: array<f32>;
fn store_output_0(i: u32, v: f32) {
  output_0[i] = v;
}
#endif
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let offset = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
  let x = load_input_0(offset);
  let slope = input_1[(offset / params.spatial) % params.channels];
  store_output_0(offset, select(x * slope, x, x >= 0.0));
}
