// Resize of the two spatial dims of NCHW (ONNX Resize semantics). The coordinate transform maps an
// output pixel to a source coordinate; linear mode blends the 4 neighbours (indices clamped to the
// image, which equals edge padding), nearest mode rounds per the chosen rule.
struct Params {
  count: u32,
  in_height: u32,
  in_width: u32,
  out_height: u32,
  out_width: u32,
  scale_y: f32,  // out / in, as ONNX defines it
  scale_x: f32,
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;
@group(0) @binding(1) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

fn source_coord(out_coord: u32, scale: f32, in_size: u32, out_size: u32) -> f32 {
  let x = f32(out_coord);
#if ${COORD_ALIGN_CORNERS}
  if (out_size == 1u) {
    return 0.0;
  }
  return x * f32(in_size - 1u) / f32(out_size - 1u);
#elif ${COORD_HALF_PIXEL}
  return (x + 0.5) / scale - 0.5;
#elif ${COORD_PYTORCH_HALF_PIXEL}
  return select(0.0, (x + 0.5) / scale - 0.5, out_size > 1u);
#else
  return x / scale;  // asymmetric
#endif
}

fn nearest_index(coord: f32, in_size: u32) -> u32 {
#if ${NEAREST_FLOOR}
  let i = floor(coord);
#elif ${NEAREST_CEIL}
  let i = ceil(coord);
#elif ${NEAREST_ROUND_PREFER_CEIL}
  let i = floor(coord + 0.5);
#else
  let i = ceil(coord - 0.5);  // round_prefer_floor (ONNX default)
#endif
  return u32(clamp(i32(i), 0i, i32(in_size) - 1i));
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let offset = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
  let ox = offset % params.out_width;
  let oy = (offset / params.out_width) % params.out_height;
  let plane = offset / (params.out_width * params.out_height);
  let base = plane * params.in_height * params.in_width;
  let sy = source_coord(oy, params.scale_y, params.in_height, params.out_height);
  let sx = source_coord(ox, params.scale_x, params.in_width, params.out_width);
#if ${MODE_LINEAR}
  let y = clamp(sy, 0.0, f32(params.in_height - 1u));
  let x = clamp(sx, 0.0, f32(params.in_width - 1u));
  let y0 = u32(floor(y));
  let x0 = u32(floor(x));
  let y1 = min(y0 + 1u, params.in_height - 1u);
  let x1 = min(x0 + 1u, params.in_width - 1u);
  let fy = y - f32(y0);
  let fx = x - f32(x0);
  let top = mix(input_0[base + y0 * params.in_width + x0], input_0[base + y0 * params.in_width + x1], fx);
  let bottom = mix(input_0[base + y1 * params.in_width + x0], input_0[base + y1 * params.in_width + x1], fx);
  output_0[offset] = mix(top, bottom, fy);
#else
  let y = nearest_index(sy, params.in_height);
  let x = nearest_index(sx, params.in_width);
  output_0[offset] = input_0[base + y * params.in_width + x];
#endif
}
