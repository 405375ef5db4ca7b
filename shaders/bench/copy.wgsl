// Measures the adapter's copy bandwidth: one vec4 read and one vec4 write per invocation.
struct Params {
  count: u32,  // vec4 elements
}

@group(0) @binding(0) var<storage, read> input_0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> output_0: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let offset = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
  output_0[offset] = input_0[offset];
}
