// Bilinear resize of one packed 8-bit RGB image (pixels.wgsl) into a normalized NCHW float input,
// driven by per-axis tables planned on the CPU (src/pipelines/floor/resize.ts): for output column x,
// axis_table[x_table + x] = (source column, next source column, bits of the weight of the next, 0);
// rows likewise from y_table. A source index of PAD (0xffffffff) reads the pad colour. The same
// tables drive the CPU reference, so both sample identical pixels with identical weights.
// value = (v * scale - mean[c]) * inv_std[c] with v in 0..255, channels swapped to B, G, R by BGR.
struct Params {
  image_index: u32,
  out_width: u32,
  out_height: u32,
  x_table: u32,
  y_table: u32,
  out_offset: u32,
  scale: f32,
  mean: vec4<f32>,
  inv_std: vec4<f32>,
  pad: vec4<f32>,
}

@group(0) @binding(0) var<storage, read> axis_table: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const PAD = 0xffffffffu;

fn sample(info: vec4<u32>, x: u32, y: u32) -> vec3<f32> {
  if (x == PAD || y == PAD) {
    return params.pad.xyz;
  }
  return pixel_rgb(load_pixel(info.x + y * info.y + x));
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  let plane = params.out_width * params.out_height;
  if (i >= plane) {
    return;
  }
  let info = image_table[params.image_index];
  let ax = axis_table[params.x_table + i % params.out_width];
  let ay = axis_table[params.y_table + i / params.out_width];
  let wx = bitcast<f32>(ax.z);
  let wy = bitcast<f32>(ay.z);
  let top = mix(sample(info, ax.x, ay.x), sample(info, ax.y, ay.x), wx);
  let bottom = mix(sample(info, ax.x, ay.y), sample(info, ax.y, ay.y), wx);
  var v = mix(top, bottom, wy) * params.scale;
#if ${BGR}
  v = v.zyx;
#endif
  let n = (v - params.mean.xyz) * params.inv_std.xyz;
  let base = params.out_offset;
  output_0[base + i] = n.x;
  output_0[base + plane + i] = n.y;
  output_0[base + 2u * plane + i] = n.z;
}
