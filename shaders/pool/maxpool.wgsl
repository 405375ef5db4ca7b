// MaxPool over NCHW. Padding never wins (it acts as -infinity); with ceil mode the last window may
// hang over the bottom/right edge and only its in-image part counts.
struct Params {
  count: u32,  // N * C * out_height * out_width
  in_height: u32,
  in_width: u32,
  out_height: u32,
  out_width: u32,
  kernel_height: u32,
  kernel_width: u32,
  stride_y: u32,
  stride_x: u32,
  pad_top: u32,
  pad_left: u32,
}

#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<u32>;  // f16 pairs: common/half_load.wgsl
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;
#endif
#if ${F16_OUTPUT_0}
@group(0) @binding(1) var<storage, read_write> output_0: array<atomic<u32>>;  // f16 pairs: common/half_store.wgsl
#else
@group(0) @binding(1) var<storage, read_write> output_0: array<f32>;
#endif
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
#if ${PLANE_Z}
  // x = pixel of the output plane, z = plane: one index division instead of four (lavapipe has no
  // vector integer division; MTCNN's pools on lavapipe: ~160 ms of PNet + RNet per 8 images before).
  let pixel = gid.x;
  if (pixel >= params.out_height * params.out_width) {
    return;
  }
  let plane = gid.z;
  let oy = pixel / params.out_width;
  let ox = pixel - oy * params.out_width;
  let offset = plane * params.out_height * params.out_width + pixel;
#else
  let offset = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
  let ox = offset % params.out_width;
  let oy = (offset / params.out_width) % params.out_height;
  let plane = offset / (params.out_width * params.out_height);
#endif
  let base = plane * params.in_height * params.in_width;
  let y0 = i32(oy * params.stride_y) - i32(params.pad_top);
  let x0 = i32(ox * params.stride_x) - i32(params.pad_left);
  // The same trip counts for every invocation (taps outside the image are skipped, not looped
  // around): no divergent loop bounds.
  var largest = -3.4028234663852886e38;
  for (var ky = 0i; ky < i32(params.kernel_height); ky++) {
    let y = y0 + ky;
    let row_inside = y >= 0i && y < i32(params.in_height);
    let row = base + u32(clamp(y, 0i, i32(params.in_height) - 1i)) * params.in_width;
    for (var kx = 0i; kx < i32(params.kernel_width); kx++) {
      let x = x0 + kx;
      let v = load_input_0(row + u32(clamp(x, 0i, i32(params.in_width) - 1i)));
      largest = select(largest, max(largest, v), row_inside && x >= 0i && x < i32(params.in_width));
    }
  }
  store_output_0(offset, largest);
}
