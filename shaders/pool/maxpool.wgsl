// MaxPool over NCHW. Padding never wins (it acts as -infinity); with ceil mode the last window may
// hang over the bottom/right edge and only its in-image part counts.
//
// Each invocation computes 4 adjacent outputs of one row, so the index arithmetic (two integer
// divisions, which CPU adapters run lane by lane) is paid once per 4 outputs instead of three
// divisions per output. PNet's 2x2/2 pool of [8, 10, 298, 298]: lavapipe 21.0 -> 10.9 ms,
// SwiftShader 84.3 -> 48.0 ms; RNet's 3x3/2 of [256, 28, 22, 22]: 13.4 -> 8.3 / 61.9 -> 39.6 ms.
struct Params {
  count: u32,  // N * C * out_height * ox_blocks: the invocations
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
  ox_blocks: u32,  // ceil(out_width / 4)
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

const LOWEST = -3.4028234663852886e38;

// Input value at column ix of the row starting at `row`, -infinity outside [0, in_width).
fn at(row: u32, ix: i32) -> f32 {
  let inside = ix >= 0i && ix < i32(params.in_width);
  return select(LOWEST, load_input_0(row + u32(clamp(ix, 0i, i32(params.in_width) - 1i))), inside);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (index >= params.count) {
    return;
  }
  let row_blocks = params.out_height * params.ox_blocks;
  let plane = index / row_blocks;
  let in_plane = index - plane * row_blocks;
  let oy = in_plane / params.ox_blocks;
  let ox0 = (in_plane - oy * params.ox_blocks) * 4u;
  let base = plane * params.in_height * params.in_width;
  let y0 = i32(oy * params.stride_y) - i32(params.pad_top);
  let y_begin = u32(max(y0, 0i));
  let y_end = u32(min(y0 + i32(params.kernel_height), i32(params.in_height)));
  let sx = i32(params.stride_x);
  let x0 = i32(ox0 * params.stride_x) - i32(params.pad_left);
  var m = vec4<f32>(LOWEST);
  for (var y = y_begin; y < y_end; y++) {
    let row = base + y * params.in_width;
    for (var kx = 0i; kx < i32(params.kernel_width); kx++) {
      let ix = x0 + kx;
      m = max(m, vec4<f32>(at(row, ix), at(row, ix + sx), at(row, ix + 2i * sx), at(row, ix + 3i * sx)));
    }
  }
  let out = (plane * params.out_height + oy) * params.out_width + ox0;
  let left = params.out_width - ox0;
  store_output_0(out, m.x);
  if (left > 1u) {
    store_output_0(out + 1u, m.y);
  }
  if (left > 2u) {
    store_output_0(out + 2u, m.z);
  }
  if (left > 3u) {
    store_output_0(out + 3u, m.w);
  }
}
