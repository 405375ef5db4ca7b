// Implicit-GEMM 2-D convolution for real GPUs (group 1, any kernel, stride, padding, dilation):
// per image, Y[M, OH*OW] = W[M, K] @ im2col(X)[K, OH*OW] with K = C*KH*KW, the im2col matrix never
// materialised. Bindings as conv/conv2d.wgsl (plain OIHW weights); see src/ops/tiled-kernels.ts.
//
// A 16x16 workgroup computes 64 output channels x 64 output pixels of image workgroup_id.z, each
// invocation a 4x4 register block (channels 4 * ty.., pixels 4 * tx..). Per step of 16 along K it
// stages the 64x16 weight tile and the 16x64 input tile (gathered on the fly, 0 in the padding and
// past the edges) in workgroup memory. Everything outside the problem is staged as 0 and only the
// stores are guarded, so barriers stay in uniform control flow.
struct Params {
  in_channels: u32,
  in_height: u32,
  in_width: u32,
  out_channels: u32,
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
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // w  [M, C, KH, KW]
#if ${HAS_BIAS}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // bias [M]
#endif
#if ${ACT_PRELU}
@group(0) @binding(3) var<storage, read> input_3: array<f32>;  // PReLU slope [M]
#endif
#if ${F16_OUTPUT_0}
@group(0) @binding(4) var<storage, read_write> output_0: array<atomic<u32>>;  // f16 pairs: common/half_store.wgsl
#else
@group(0) @binding(4) var<storage, read_write> output_0: array<f32>;
#endif
@group(0) @binding(5) var<uniform> params: Params;

// [k][64 channels] of W and [k][64 pixels] of im2col(X), 4 per vec4: 2 x 4 KiB.
var<workgroup> w_tile: array<vec4<f32>, 256>;
var<workgroup> x_tile: array<vec4<f32>, 256>;

fn weight_at(oc: u32, k: u32, taps: u32) -> f32 {
  let i = min(oc, params.out_channels - 1u) * taps + min(k, taps - 1u);
  return select(0.0, input_1[i], oc < params.out_channels && k < taps);
}

// im2col(X)[k, p] for 4 pixels whose input origins (top-left tap) are iy0/ix0; `valid` marks the
// pixels inside the output (the last tile's others are staged as 0).
fn gather(plane0: u32, k: u32, taps: u32, iy0: vec4<i32>, ix0: vec4<i32>, valid: vec4<bool>) -> vec4<f32> {
  let window = params.kernel_height * params.kernel_width;
  let c = k / window;
  let tap = k - c * window;
  let ky = tap / params.kernel_width;
  let kx = tap - ky * params.kernel_width;
  let iy = iy0 + vec4<i32>(i32(ky * params.dilation_y));
  let ix = ix0 + vec4<i32>(i32(kx * params.dilation_x));
  let h = i32(params.in_height);
  let w = i32(params.in_width);
  let inside = valid & vec4<bool>(k < taps) & (iy >= vec4<i32>(0)) & (iy < vec4<i32>(h)) & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(w));
  // Clamped indices: the loads of padding taps stay in bounds and are then replaced by 0.
  let plane = plane0 + min(c, params.in_channels - 1u) * params.in_height * params.in_width;
  let row = vec4<u32>(clamp(iy, vec4<i32>(0), vec4<i32>(h - 1))) * params.in_width;
  let i = vec4<u32>(plane) + row + vec4<u32>(clamp(ix, vec4<i32>(0), vec4<i32>(w - 1)));
  let v = vec4<f32>(load_input_0(i.x), load_input_0(i.y), load_input_0(i.z), load_input_0(i.w));
  return select(vec4<f32>(0.0), v, inside);
}

fn store_channel(acc: vec4<f32>, n: u32, oc: u32, p0: u32) {
  let pixels = params.out_height * params.out_width;
  if (oc >= params.out_channels) {
    return;
  }
  let v = conv_finish4(acc, oc);
  let out_plane = (n * params.out_channels + oc) * pixels;
  for (var j = 0u; j < 4u; j++) {
    if (p0 + j < pixels) {
      store_output_0(out_plane + p0 + j, v[j]);
    }
  }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let n = wg.z;
  let oc0 = wg.y * 64u;
  let p0 = wg.x * 64u;
  let taps = params.in_channels * params.kernel_height * params.kernel_width;
  let pixels = params.out_height * params.out_width;
  let plane0 = n * params.in_channels * params.in_height * params.in_width;

  // Staging roles. Weights: adjacent invocations on adjacent k (contiguous in OIHW). Input: adjacent
  // invocations on adjacent pixel quads; their 4 pixels' input origins are fixed for the whole K loop.
  let w_k = lane % 16u;
  let w_oc = oc0 + (lane / 16u) * 4u;
  let x_k = lane / 16u;
  let x_p = p0 + (lane % 16u) * 4u;
  let p = vec4<u32>(x_p) + vec4<u32>(0u, 1u, 2u, 3u);
  let valid = p < vec4<u32>(pixels);
  let oy = min(p, vec4<u32>(pixels - 1u)) / params.out_width;
  let ox = min(p, vec4<u32>(pixels - 1u)) % params.out_width;
  let iy0 = vec4<i32>(oy * params.stride_y) - vec4<i32>(i32(params.pad_top));
  let ix0 = vec4<i32>(ox * params.stride_x) - vec4<i32>(i32(params.pad_left));

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < taps; k0 += 16u) {
    let kw = k0 + w_k;
    w_tile[w_k * 16u + lane / 16u] = vec4<f32>(weight_at(w_oc, kw, taps), weight_at(w_oc + 1u, kw, taps),
                                               weight_at(w_oc + 2u, kw, taps), weight_at(w_oc + 3u, kw, taps));
    x_tile[x_k * 16u + lane % 16u] = gather(plane0, k0 + x_k, taps, iy0, ix0, valid);
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let w = w_tile[kk * 16u + lid.y];
      let x = x_tile[kk * 16u + lid.x];
      acc0 = fma(vec4<f32>(w.x), x, acc0);
      acc1 = fma(vec4<f32>(w.y), x, acc1);
      acc2 = fma(vec4<f32>(w.z), x, acc2);
      acc3 = fma(vec4<f32>(w.w), x, acc3);
    }
    // The next step overwrites the tiles: everyone must be done reading them.
    workgroupBarrier();
  }

  let oc = oc0 + lid.y * 4u;
  let px = p0 + lid.x * 4u;
  store_channel(acc0, n, oc, px);
  store_channel(acc1, n, oc + 1u, px);
  store_channel(acc2, n, oc + 2u, px);
  store_channel(acc3, n, oc + 3u, px);
}
