// Concat: copies one input into its slice of the output along the concat axis. The op dispatches
// this once per input. Viewing both tensors as [outer, axis * inner] makes it a strided copy.
// VEC4 (every size and offset below a multiple of 4, e.g. channel concats of H * W % 4 == 0 maps):
// the copy moves vec4, and params count vec4 (PP-OCRv4's neck concat of 4 x [24, 160, 160] on
// lavapipe: 8.8 -> 3.1 ms).
struct Params {
  count: u32,          // elements of this input
  in_axis_inner: u32,  // this input's axis dim * inner
  out_axis_inner: u32, // output's axis dim * inner
  offset_inner: u32,   // this input's start along the axis * inner
}

#if ${VEC4}
@group(0) @binding(0) var<storage, read> input_0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> output_0: array<vec4<f32>>;
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;
@group(0) @binding(1) var<storage, read_write> output_0: array<f32>;
#endif
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let offset = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
  let outer = offset / params.in_axis_inner;
  let within = offset - outer * params.in_axis_inner;
  output_0[outer * params.out_axis_inner + params.offset_inner + within] = input_0[offset];
}
