// Depthwise 2-D convolution for real GPUs (group = C = M, any kernel, stride, padding, dilation).
// Bindings as conv/conv2d.wgsl (weights [C, 1, KH, KW]); see src/ops/tiled-kernels.ts.
//
// A 16x8 workgroup computes a tile_oh x tile_ow block of one channel plane (workgroup_id.z = image *
// C + channel). It first stages the input tile those outputs read, halo included (tile_ih x tile_iw
// values, 0 in the padding), in workgroup memory; each input value is then read from global memory
// once instead of up to KH*KW times. The host picks the tile so the staged input fits TILE_CAPACITY.
struct Params {
  channels: u32,
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
  dilation_y: u32,
  dilation_x: u32,
  tile_oh: u32,
  tile_ow: u32,
  tile_ih: u32,  // (tile_oh - 1) * stride_y + (kernel_height - 1) * dilation_y + 1
  tile_iw: u32,  // (tile_ow - 1) * stride_x + (kernel_width - 1) * dilation_x + 1
  alpha: f32,
  beta: f32,
  post_scale: f32,
  post_shift: f32,
}

#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<u32>;  // f16 pairs: common/half_load.wgsl
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // x  [N, C, H, W]
#endif
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // w  [C, 1, KH, KW]
#if ${HAS_BIAS}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // bias [C]
#endif
#if ${ACT_PRELU}
@group(0) @binding(3) var<storage, read> input_3: array<f32>;  // PReLU slope [C]
#endif
#if ${F16_OUTPUT_0}
@group(0) @binding(4) var<storage, read_write> output_0: array<atomic<u32>>;  // f16 pairs: common/half_store.wgsl
#else
@group(0) @binding(4) var<storage, read_write> output_0: array<f32>;
#endif
@group(0) @binding(5) var<uniform> params: Params;

// The staged input tile, row-major tile_ih x tile_iw.
var<workgroup> tile: array<f32, ${TILE_CAPACITY}>;

@compute @workgroup_size(16, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let c = wg.z % params.channels;
  let in_plane = wg.z * params.in_height * params.in_width;
  let out_plane = wg.z * params.out_height * params.out_width;
  let oy0 = wg.y * params.tile_oh;
  let ox0 = wg.x * params.tile_ow;
  // Input coordinates of the tile's top-left value (negative inside the padding).
  let iy0 = i32(oy0 * params.stride_y) - i32(params.pad_top);
  let ix0 = i32(ox0 * params.stride_x) - i32(params.pad_left);
  let h = i32(params.in_height);
  let w = i32(params.in_width);

  for (var i = lane; i < params.tile_ih * params.tile_iw; i += 128u) {
    let iy = iy0 + i32(i / params.tile_iw);
    let ix = ix0 + i32(i % params.tile_iw);
    let inside = iy >= 0i && iy < h && ix >= 0i && ix < w;
    // Clamped index: padding loads stay in bounds and are then replaced by 0.
    let v = load_input_0(in_plane + u32(clamp(iy, 0i, h - 1i)) * params.in_width + u32(clamp(ix, 0i, w - 1i)));
    tile[i] = select(0.0, v, inside);
  }
  workgroupBarrier();

  let window = params.kernel_height * params.kernel_width;
  let w0 = c * window;
  // Each invocation takes the outputs (ty + 8i, tx + 16j) of the tile.
  for (var ty = lid.y; ty < params.tile_oh; ty += 8u) {
    for (var tx = lid.x; tx < params.tile_ow; tx += 16u) {
      var acc = 0.0;
      for (var ky = 0u; ky < params.kernel_height; ky++) {
        let row = (ty * params.stride_y + ky * params.dilation_y) * params.tile_iw + tx * params.stride_x;
        for (var kx = 0u; kx < params.kernel_width; kx++) {
          acc = fma(input_1[w0 + ky * params.kernel_width + kx], tile[row + kx * params.dilation_x], acc);
        }
      }
      let oy = oy0 + ty;
      let ox = ox0 + tx;
      if (oy < params.out_height && ox < params.out_width) {
        store_output_0(out_plane + oy * params.out_width + ox, conv_finish(acc, c));
      }
    }
  }
}
