// Elementwise a (op) b, 4 elements per invocation (count % 4 == 0): the full-size operands as vec4,
// a block-repeating operand (BLOCK_A / BLOCK_B: per-channel scales, scalars; inner % 4 == 0, so the
// 4 elements share its value) as one scalar. The scalar kernel (binary.wgsl) reached 31% of the copy
// bandwidth on lavapipe (add 4M: 33.8 ms) where a vec4 copy reaches 100% (harness/bench-ops.ts).
struct Params {
  count4: u32,
  inner: u32,
  period: u32,
}

#if ${BLOCK_A}
@group(0) @binding(0) var<storage, read> input_0: array<f32>;
#else
@group(0) @binding(0) var<storage, read> input_0: array<vec4<f32>>;
#endif
#if ${BLOCK_B}
@group(0) @binding(1) var<storage, read> input_1: array<f32>;
#else
@group(0) @binding(1) var<storage, read> input_1: array<vec4<f32>>;
#endif
@group(0) @binding(2) var<storage, read_write> output_0: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

alias value = vec4<f32>;  // elementwise/combine.wgsl

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (i >= params.count4) {
    return;
  }
#if ${BLOCK_A}
  output_0[i] = combine(vec4<f32>(input_0[((4u * i) / params.inner) % params.period]), input_1[i]);
#elif ${BLOCK_B}
  output_0[i] = combine(input_0[i], vec4<f32>(input_1[((4u * i) / params.inner) % params.period]));
#else
  output_0[i] = combine(input_0[i], input_1[i]);
#endif
}
