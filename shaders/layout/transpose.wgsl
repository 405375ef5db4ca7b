// Transpose (permute) of a tensor of rank <= 6, padded on the left with unit dims.
// in_strides are the input strides already permuted into output order.
struct Params {
  count: u32,
  out_dims: array<vec4<u32>, 2>,
  in_strides: array<vec4<u32>, 2>,
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
  var rest = offset;
  var in_offset = 0u;
  for (var d = 5i; d >= 0i; d--) {
    let dim = params.out_dims[d / 4][d % 4];
    in_offset += (rest % dim) * params.in_strides[d / 4][d % 4];
    rest = rest / dim;
  }
  output_0[offset] = input_0[in_offset];
}
