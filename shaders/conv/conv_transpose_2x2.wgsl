// ConvTranspose with a 2x2 kernel and stride 2 (no padding, dilation 1, one group): every output
// pixel gets exactly one tap. One invocation takes 4 consecutive input pixels (of the flattened
// plane) and OC_BLOCK (4, or 1 for a single output channel) output channels and produces their 2x2
// output blocks. Per input channel: 4 input values (one vec4 load when the plane is a multiple of 4,
// X_VEC4), and OC_BLOCK vec4 weight loads (the 4 taps of each channel, the same for the whole
// workgroup: workgroup_id.y is the channel block). On lavapipe a load costs 15-50 FMAs
// (shaders/probe/load_probe.wgsl); one pixel per invocation spent 5 loads per 16 FMAs (PP-OCRv4's
// 24->24 @160 and 24->1 @320 on lavapipe: 32 and 35 ms before, see src/ops/conv-transpose.ts).
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

#if ${X_VEC4}
@group(0) @binding(0) var<storage, read> input_0: array<vec4<f32>>;  // x [N, C, H, W], H * W % 4 == 0
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;        // x [N, C, H, W]
#endif
@group(0) @binding(1) var<storage, read> input_1: array<vec4<f32>>;  // w [C, M, 2, 2]: one vec4 per (c, m)
#if ${HAS_BIAS}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;
#endif
@group(0) @binding(3) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// The 2x2 block of input pixel p (taps in w's order: (0,0), (0,1), (1,0), (1,1)).
fn store(v: vec4<f32>, n: u32, m: u32, p: u32) {
  let plane = params.in_height * params.in_width;
  if (m >= params.out_channels || p >= plane) {
    return;
  }
  let iy = p / params.in_width;
  let ix = p % params.in_width;
  let out_w = 2u * params.in_width;
  let base = ((n * params.out_channels + m) * 2u * params.in_height + 2u * iy) * out_w + 2u * ix;
  let r = conv_finish4(v, m);  // conv/finish.wgsl
  output_0[base] = r.x;
  output_0[base + 1u] = r.y;
  output_0[base + out_w] = r.z;
  output_0[base + out_w + 1u] = r.w;
}

fn store4(a: vec4<f32>, b: vec4<f32>, c: vec4<f32>, d: vec4<f32>, n: u32, m: u32, p0: u32) {
  store(a, n, m, p0);
  store(b, n, m, p0 + 1u);
  store(c, n, m, p0 + 2u);
  store(d, n, m, p0 + 3u);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let n = wg.z;
  let m0 = wg.y * ${OC_BLOCK}u;
  let last = params.out_channels - 1u;
  let p0 = 4u * (wg.x * ${WORKGROUP_SIZE}u + lane);
  let plane = params.in_height * params.in_width;
  // Past the plane: loads clamped to its last 4 pixels, stores skipped.
  let q = min(p0, max(plane, 4u) - 4u);
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
#if ${OC_BLOCK_4}
  var b0 = vec4<f32>(0.0);
  var b1 = vec4<f32>(0.0);
  var b2 = vec4<f32>(0.0);
  var b3 = vec4<f32>(0.0);
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  var d0 = vec4<f32>(0.0);
  var d1 = vec4<f32>(0.0);
  var d2 = vec4<f32>(0.0);
  var d3 = vec4<f32>(0.0);
#endif
  for (var c = 0u; c < params.in_channels; c++) {
    let start = (n * params.in_channels + c) * plane;
#if ${X_VEC4}
    let x = input_0[(start + q) / 4u];
#else
    let top = plane - 1u;
    let x = vec4<f32>(input_0[start + min(p0, top)], input_0[start + min(p0 + 1u, top)], input_0[start + min(p0 + 2u, top)], input_0[start + min(p0 + 3u, top)]);
#endif
    let row = c * params.out_channels;
    let wa = input_1[row + min(m0, last)];
    a0 = fma(vec4<f32>(x.x), wa, a0);
    a1 = fma(vec4<f32>(x.y), wa, a1);
    a2 = fma(vec4<f32>(x.z), wa, a2);
    a3 = fma(vec4<f32>(x.w), wa, a3);
#if ${OC_BLOCK_4}
    let wb = input_1[row + min(m0 + 1u, last)];
    let wc = input_1[row + min(m0 + 2u, last)];
    let wd = input_1[row + min(m0 + 3u, last)];
    b0 = fma(vec4<f32>(x.x), wb, b0);
    b1 = fma(vec4<f32>(x.y), wb, b1);
    b2 = fma(vec4<f32>(x.z), wb, b2);
    b3 = fma(vec4<f32>(x.w), wb, b3);
    c0 = fma(vec4<f32>(x.x), wc, c0);
    c1 = fma(vec4<f32>(x.y), wc, c1);
    c2 = fma(vec4<f32>(x.z), wc, c2);
    c3 = fma(vec4<f32>(x.w), wc, c3);
    d0 = fma(vec4<f32>(x.x), wd, d0);
    d1 = fma(vec4<f32>(x.y), wd, d1);
    d2 = fma(vec4<f32>(x.z), wd, d2);
    d3 = fma(vec4<f32>(x.w), wd, d3);
#endif
  }
  if (p0 >= plane) {
    return;
  }
#if ${X_VEC4}
  // p0 == q here (both multiples of 4 inside the plane).
#endif
  store4(a0, a1, a2, a3, n, m0, p0);
#if ${OC_BLOCK_4}
  store4(b0, b1, b2, b3, n, m0 + 1u, p0);
  store4(c0, c1, c2, c3, n, m0 + 2u, p0);
  store4(d0, d1, d2, d3, n, m0 + 3u, p0);
#endif
}
