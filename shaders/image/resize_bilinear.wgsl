// Bilinear resize of one 8-bit RGB image into a normalized NCHW float input, with OpenCV's
// INTER_LINEAR geometry (pixel centres: src = (dst + 0.5) * scale - 0.5, clamped at the border) in
// float arithmetic (OpenCV's 8-bit path uses 11-bit fixed-point weights and rounds to 8 bits; not
// reproduced). value = (v / 255 - mean[c]) / std[c], channels in the order given by BGR.
struct Params {
  image_index: u32,
  out_width: u32,
  out_height: u32,
  scale_x: f32,
  scale_y: f32,
  mean: vec4<f32>,
  inv_std: vec4<f32>,
}

@group(0) @binding(0) var<storage, read> pixels: array<u32>;
@group(0) @binding(1) var<storage, read> image_table: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

fn rgb(p: u32) -> vec3<f32> {
  return vec3<f32>(f32(p & 255u), f32((p >> 8u) & 255u), f32((p >> 16u) & 255u));
}

// Source index and weight of the right/lower neighbour along one axis (OpenCV's clamping).
fn axis(d: u32, scale: f32, size: u32) -> vec2<f32> {
  let f = (f32(d) + 0.5) * scale - 0.5;
  var s = floor(f);
  var w = f - s;
  if (s < 0.0) {
    s = 0.0;
    w = 0.0;
  }
  if (s >= f32(size) - 1.0) {
    s = f32(size) - 1.0;
    w = 0.0;
  }
  return vec2<f32>(s, w);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups, 64u);
  let plane = params.out_width * params.out_height;
  if (i >= plane) {
    return;
  }
  let info = image_table[params.image_index];
  let ox = i % params.out_width;
  let oy = i / params.out_width;
  let ax = axis(ox, params.scale_x, info.y);
  let ay = axis(oy, params.scale_y, info.z);
  let x0 = u32(ax.x);
  let y0 = u32(ay.x);
  let x1 = min(x0 + 1u, info.y - 1u);
  let y1 = min(y0 + 1u, info.z - 1u);
  let row0 = info.x + y0 * info.y;
  let row1 = info.x + y1 * info.y;
  let top = mix(rgb(pixels[row0 + x0]), rgb(pixels[row0 + x1]), ax.y);
  let bottom = mix(rgb(pixels[row1 + x0]), rgb(pixels[row1 + x1]), ax.y);
  var v = mix(top, bottom, ay.y) * (1.0 / 255.0);
#if ${BGR}
  v = v.zyx;
#endif
  let n = (v - params.mean.xyz) * params.inv_std.xyz;
  output_0[i] = n.x;
  output_0[plane + i] = n.y;
  output_0[2u * plane + i] = n.z;
}
