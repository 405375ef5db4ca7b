// PReLU with one slope per channel of an NCHW tensor (channels = 1 gives one shared slope).
struct Params {
  count: u32,
  channels: u32,
  spatial: u32,  // elements per channel plane (H*W, or 1 for [N, C] inputs)
}

#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<u32>;  // f16 pairs: common/half_load.wgsl
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;
#endif
@group(0) @binding(1) var<storage, read> input_1: array<f32>;
#if ${F16_OUTPUT_0}
@group(0) @binding(2) var<storage, read_write> output_0: array<atomic<u32>>;  // f16 pairs: common/half_store.wgsl
#else
@group(0) @binding(2) var<storage, read_write> output_0: array<f32>;
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
