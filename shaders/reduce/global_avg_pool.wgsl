// GlobalAveragePool: mean over the spatial plane of each (n, c). One invocation per plane.
struct Params {
  planes: u32,   // N * C
  spatial: u32,  // H * W
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;
@group(0) @binding(1) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let plane = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (plane >= params.planes) {
    return;
  }
  let base = plane * params.spatial;
  // Four partial sums shorten the dependency chain and lose less precision on large planes.
  var partial = vec4<f32>(0.0);
  let whole = params.spatial / 4u * 4u;
  for (var i = 0u; i < whole; i += 4u) {
    partial += vec4<f32>(input_0[base + i], input_0[base + i + 1u], input_0[base + i + 2u], input_0[base + i + 3u]);
  }
  var total = (partial.x + partial.y) + (partial.z + partial.w);
  for (var i = whole; i < params.spatial; i++) {
    total += input_0[base + i];
  }
  output_0[plane] = total / f32(params.spatial);
}
