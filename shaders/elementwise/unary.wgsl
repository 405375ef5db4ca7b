// y = activate(x) elementwise (Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish).
struct Params {
  count: u32,
  alpha: f32,
  beta: f32,
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;
@group(0) @binding(1) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let offset = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
  output_0[offset] = activate(input_0[offset], params.alpha, params.beta);
}
