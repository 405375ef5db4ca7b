// Measures the adapter's copy bandwidth: PER_INVOCATION adjacent vec4 read and written per
// invocation. One vec4 per invocation measured below the elementwise add's own traffic (lavapipe
// 6.9 GB/s against the add's 8.4: the per-invocation cost was the limit); 4 per invocation measured
// 10.9 (lavapipe) and 4.4 GB/s (SwiftShader), 8 per invocation 13.7-14.4 and 3.7. bench-ops takes
// the higher of 4 and 8.
struct Params {
  count: u32,  // vec4 elements, a multiple of PER_INVOCATION
}

@group(0) @binding(0) var<storage, read> input_0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> output_0: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let offset = ${PER_INVOCATION}u * linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
  for (var k = 0u; k < ${PER_INVOCATION}u; k++) {
    output_0[offset + k] = input_0[offset + k];
  }
}
