// Inference BatchNormalization: y = (x - mean[c]) * scale[c] / sqrt(var[c] + epsilon) + bias[c].
// (A BatchNorm right after a conv is normally folded into the conv's weights at load time.)
struct Params {
  count: u32,
  channels: u32,
  spatial: u32,
  epsilon: f32,
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // x
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // scale
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // bias
@group(0) @binding(3) var<storage, read> input_3: array<f32>;  // mean
@group(0) @binding(4) var<storage, read> input_4: array<f32>;  // var
@group(0) @binding(5) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let offset = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
  let c = (offset / params.spatial) % params.channels;
  let inv_std = inverseSqrt(input_4[c] + params.epsilon);
  output_0[offset] = (input_0[offset] - input_3[c]) * (input_1[c] * inv_std) + input_2[c];
}
