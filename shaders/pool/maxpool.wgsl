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
  let offset = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (offset >= params.count) {
    return;
  }
  let ox = offset % params.out_width;
  let oy = (offset / params.out_width) % params.out_height;
  let plane = offset / (params.out_width * params.out_height);
  let base = plane * params.in_height * params.in_width;
  let y0 = i32(oy * params.stride_y) - i32(params.pad_top);
  let x0 = i32(ox * params.stride_x) - i32(params.pad_left);
  let y_begin = u32(max(y0, 0i));
  let x_begin = u32(max(x0, 0i));
  let y_end = u32(min(y0 + i32(params.kernel_height), i32(params.in_height)));
  let x_end = u32(min(x0 + i32(params.kernel_width), i32(params.in_width)));
  var largest = -3.4028234663852886e38;
  for (var y = y_begin; y < y_end; y++) {
    for (var x = x_begin; x < x_end; x++) {
      largest = max(largest, load_input_0(base + y * params.in_width + x));
    }
  }
  store_output_0(offset, largest);
}
