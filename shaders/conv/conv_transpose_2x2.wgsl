// ConvTranspose with a 2x2 kernel and stride 2 (no padding, dilation 1, one group): every output
// pixel gets exactly one tap, so one invocation takes one input pixel and 4 output channels and
// produces their 2x2 output blocks. Per input channel: one input load, four vec4 weight loads (the
// 4 taps of each channel, the same for the whole workgroup: workgroup_id.y is the channel block).
// (The general gather kernel, conv_transpose.wgsl, loops over taps that mostly do not apply.)
struct Params {
  in_channels: u32,
  in_height: u32,
  in_width: u32,
  out_channels: u32,
  alpha: f32,
  beta: f32,
  post_scale: f32,
  post_shift: f32,
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;        // x [N, C, H, W]
@group(0) @binding(1) var<storage, read> input_1: array<vec4<f32>>;  // w [C, M, 2, 2]: one vec4 per (c, m)
#if ${HAS_BIAS}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;
#endif
@group(0) @binding(3) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn finish(v: vec4<f32>, m: u32) -> vec4<f32> {
#if ${HAS_BIAS}
  let b = v + vec4<f32>(input_2[m]);
#else
  let b = v;
#endif
  let a = vec4<f32>(activate(b.x, params.alpha, params.beta), activate(b.y, params.alpha, params.beta),
                    activate(b.z, params.alpha, params.beta), activate(b.w, params.alpha, params.beta));
  return a * params.post_scale + params.post_shift;
}

fn store(v: vec4<f32>, n: u32, m: u32, iy: u32, ix: u32) {
  if (m >= params.out_channels) {
    return;
  }
  let out_w = 2u * params.in_width;
  let base = ((n * params.out_channels + m) * 2u * params.in_height + 2u * iy) * out_w + 2u * ix;
  let r = finish(v, m);
  output_0[base] = r.x;
  output_0[base + 1u] = r.y;
  output_0[base + out_w] = r.z;
  output_0[base + out_w + 1u] = r.w;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let n = wg.z;
  let m0 = wg.y * 4u;
  let last = params.out_channels - 1u;
  let pixel = wg.x * ${WORKGROUP_SIZE}u + lane;
  let plane = params.in_height * params.in_width;
  let p = min(pixel, plane - 1u);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var c = 0u; c < params.in_channels; c++) {
    let x = input_0[(n * params.in_channels + c) * plane + p];
    let row = c * params.out_channels;
    acc0 = fma(vec4<f32>(x), input_1[row + min(m0, last)], acc0);
    acc1 = fma(vec4<f32>(x), input_1[row + min(m0 + 1u, last)], acc1);
    acc2 = fma(vec4<f32>(x), input_1[row + min(m0 + 2u, last)], acc2);
    acc3 = fma(vec4<f32>(x), input_1[row + min(m0 + 3u, last)], acc3);
  }
  if (pixel >= plane) {
    return;
  }
  let iy = p / params.in_width;
  let ix = p % params.in_width;
  store(acc0, n, m0, iy, ix);
  store(acc1, n, m0 + 1u, iy, ix);
  store(acc2, n, m0 + 2u, iy, ix);
  store(acc3, n, m0 + 3u, iy, ix);
}
