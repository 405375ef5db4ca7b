// Measures the adapter's arithmetic peak: 8 independent vec4 FMA chains per invocation, no memory
// traffic inside the loop. FLOPs per invocation = iterations * 8 chains * 4 lanes * 2.
struct Params {
  iterations: u32,
  seed: f32,
}

@group(0) @binding(0) var<storage, read_write> output_0: array<vec4<f32>>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let start = vec4<f32>(f32(gid.x & 255u)) * params.seed;
  var a0 = start + 0.1;
  var a1 = start + 0.2;
  var a2 = start + 0.3;
  var a3 = start + 0.4;
  var a4 = start + 0.5;
  var a5 = start + 0.6;
  var a6 = start + 0.7;
  var a7 = start + 0.8;
  let m = vec4<f32>(0.99999);
  let c = vec4<f32>(0.00001);
  for (var i = 0u; i < params.iterations; i++) {
    a0 = fma(a0, m, c);
    a1 = fma(a1, m, c);
    a2 = fma(a2, m, c);
    a3 = fma(a3, m, c);
    a4 = fma(a4, m, c);
    a5 = fma(a5, m, c);
    a6 = fma(a6, m, c);
    a7 = fma(a7, m, c);
  }
  // Stored so the compiler cannot drop the loop.
  output_0[gid.x] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
