// Elementwise a (op) b with numpy broadcasting. Shapes are padded to rank 6 on the left;
// a broadcast dimension has stride 0, so one formula serves every broadcast pattern.
// BLOCK_A / BLOCK_B: that operand repeats as a block, offset (i / inner) % period (per-channel
// scales and scalars), which avoids the 6-dim index loop.
struct Params {
  count: u32,
  inner: u32,
  period: u32,
  out_dims: array<vec4<u32>, 2>,   // dims 0..5 in [0].xyzw, [1].xy
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;
@group(0) @binding(1) var<storage, read> input_1: array<f32>;
@group(0) @binding(2) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

alias value = f32;  // elementwise/combine.wgsl

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let offset = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
#if ${BLOCK_A}
  output_0[offset] = combine(input_0[(offset / params.inner) % params.period], input_1[offset]);
#elif ${BLOCK_B}
  output_0[offset] = combine(input_0[offset], input_1[(offset / params.inner) % params.period]);
#elif ${BROADCAST}
  var rest = offset;
  var a_offset = 0u;
  var b_offset = 0u;
  for (var d = 5i; d >= 0i; d--) {
    let dim = params.out_dims[d / 4][d % 4];
    let coord = rest % dim;
    rest = rest / dim;
    a_offset += coord * params.a_strides[d / 4][d % 4];
    b_offset += coord * params.b_strides[d / 4][d % 4];
  }
  output_0[offset] = combine(input_0[a_offset], input_1[b_offset]);
#else
  // Same shapes: no index arithmetic (this op is memory-bound).
  output_0[offset] = combine(input_0[offset], input_1[offset]);
#endif
}
