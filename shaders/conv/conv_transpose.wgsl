// Transposed 2-D convolution (ONNX ConvTranspose), NCHW input, weights [C, M/groups, KH, KW], with
// strides, pads, dilations, output_padding, groups, optional bias and fused activation. Gather form:
// one invocation per output element collects the input pixels whose scatter lands on it
// (oy = iy * stride - pad + ky * dilation), so no two invocations write the same output.
struct Params {
  count: u32,
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
  in_channels_per_group: u32,
  out_channels_per_group: u32,
  alpha: f32,
  beta: f32,
  post_scale: f32,
  post_shift: f32,
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // x [N, C, H, W]
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // w [C, M/groups, KH, KW]
#if ${HAS_BIAS}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // bias [M]
#endif
@group(0) @binding(3) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (i >= params.count) {
    return;
  }
  let ox = i % params.out_width;
  let oy = (i / params.out_width) % params.out_height;
  let m = (i / (params.out_width * params.out_height)) % params.out_channels;
  let n = i / (params.out_width * params.out_height * params.out_channels);
  let group = m / params.out_channels_per_group;
  let m_local = m % params.out_channels_per_group;
  var acc = 0.0;
  for (var ky = 0u; ky < params.kernel_height; ky++) {
    let ty = i32(oy + params.pad_top) - i32(ky * params.dilation_y);
    if (ty < 0 || ty % i32(params.stride_y) != 0) {
      continue;
    }
    let iy = u32(ty) / params.stride_y;
    if (iy >= params.in_height) {
      continue;
    }
    for (var kx = 0u; kx < params.kernel_width; kx++) {
      let tx = i32(ox + params.pad_left) - i32(kx * params.dilation_x);
      if (tx < 0 || tx % i32(params.stride_x) != 0) {
        continue;
      }
      let ix = u32(tx) / params.stride_x;
      if (ix >= params.in_width) {
        continue;
      }
      for (var cl = 0u; cl < params.in_channels_per_group; cl++) {
        let c = group * params.in_channels_per_group + cl;
        let x = input_0[((n * params.in_channels + c) * params.in_height + iy) * params.in_width + ix];
        let w = input_1[((c * params.out_channels_per_group + m_local) * params.kernel_height + ky) * params.kernel_width + kx];
        acc = fma(x, w, acc);
      }
    }
  }
  output_0[i] = conv_finish(acc, m);
}
