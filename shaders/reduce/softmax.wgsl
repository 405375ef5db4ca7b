// Softmax over the channel axis of [N, C, S] (S = product of the dims after C). One invocation per
// (n, s) column; the max is subtracted first so large logits (e.g. +-1000) do not overflow exp.
struct Params {
  columns: u32,   // N * S
  channels: u32,
  spatial: u32,
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;
@group(0) @binding(1) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let column = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (column >= params.columns) {
    return;
  }
  let n = column / params.spatial;
  let s = column % params.spatial;
  let base = n * params.channels * params.spatial + s;
  var largest = input_0[base];
  for (var c = 1u; c < params.channels; c++) {
    largest = max(largest, input_0[base + c * params.spatial]);
  }
  var total = 0.0;
  for (var c = 0u; c < params.channels; c++) {
    total += exp(input_0[base + c * params.spatial] - largest);
  }
  let inv_total = 1.0 / total;
  for (var c = 0u; c < params.channels; c++) {
    let offset = base + c * params.spatial;
    output_0[offset] = exp(input_0[offset] - largest) * inv_total;
  }
}
