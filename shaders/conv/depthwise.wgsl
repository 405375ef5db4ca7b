// Depthwise convolution (group = in = out channels) on CPU adapters, K x K kernels (3 or 5),
// stride 1, dilation 1, any padding: each invocation computes a strip of 4 columns x ROWS (8)
// output rows of one channel, so each input row it loads (4 + K - 1 values) serves up to K output
// rows and the K x K weights are loaded once per strip. On lavapipe a storage load costs as much as
// ~15-50 FMAs (shaders/probe/load_probe.wgsl); conv2d.wgsl's one-row invocations loaded 6 values
// and 3 weights per 12 FMAs (depthwise 3x3 x128 @128 on lavapipe: 20.6 -> 11.3 ms).
// Layers whose rows are vec4-aligned run depthwise_rows.wgsl instead, and on lavapipe every layer
// does (src/ops/conv2d.ts): this file serves SwiftShader's unaligned rows.
//
// Launch: x = strips (ox_blocks * oy_blocks) over invocations, y = channel, z = image.
struct Params {
  channels: u32,
  in_height: u32,
  in_width: u32,
  out_height: u32,
  out_width: u32,
  pad_top: u32,
  pad_left: u32,
  ox_blocks: u32,
  strips: u32,  // ox_blocks * ceil(out_height / 8)
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
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // w  [C, 1, K, K]
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

alias real = f32;
alias real4 = vec4<f32>;

// Start of input row iy of a plane, or a value past every row when iy is outside the image
// (input_at then gives 0).
fn row_at(plane: u32, iy: i32) -> i32 {
  return select(-1i, i32(plane) + iy * i32(params.in_width), iy >= 0i && iy < i32(params.in_height));
}

fn input_at(row: i32, xi: i32) -> real {
  let in_w = i32(params.in_width);
  let inside = row >= 0i && xi >= 0i && xi < in_w;
  return select(real(0.0), real(load_input_0(u32(max(row, 0i) + clamp(xi, 0i, in_w - 1i)))), inside);
}

fn store_row(acc: vec4<f32>, n: u32, c: u32, oy: u32, ox0: u32) {
  if (oy >= params.out_height) {
    return;
  }
  let out_row = ((n * params.channels + c) * params.out_height + oy) * params.out_width;
  store_row4(acc, c, out_row, ox0);
}

const STRIP_COLUMNS = 4u;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let c = wg.y;
  let n = wg.z;
  let strip = min(gid.x, params.strips - 1u);
  let ox0 = (strip % params.ox_blocks) * STRIP_COLUMNS;
  let oy0 = (strip / params.ox_blocks) * 8u;
  let plane = (n * params.channels + c) * params.in_height * params.in_width;
  let ix0 = i32(ox0) - i32(params.pad_left);
  let iy0 = i32(oy0) - i32(params.pad_top);
  if (gid.x >= params.strips) {
    return;
  }
#if ${K5}
  let w_base = c * 25u;
  let w00 = real(input_1[w_base + 0u]);
  let w01 = real(input_1[w_base + 1u]);
  let w02 = real(input_1[w_base + 2u]);
  let w03 = real(input_1[w_base + 3u]);
  let w04 = real(input_1[w_base + 4u]);
  let w10 = real(input_1[w_base + 5u]);
  let w11 = real(input_1[w_base + 6u]);
  let w12 = real(input_1[w_base + 7u]);
  let w13 = real(input_1[w_base + 8u]);
  let w14 = real(input_1[w_base + 9u]);
  let w20 = real(input_1[w_base + 10u]);
  let w21 = real(input_1[w_base + 11u]);
  let w22 = real(input_1[w_base + 12u]);
  let w23 = real(input_1[w_base + 13u]);
  let w24 = real(input_1[w_base + 14u]);
  let w30 = real(input_1[w_base + 15u]);
  let w31 = real(input_1[w_base + 16u]);
  let w32 = real(input_1[w_base + 17u]);
  let w33 = real(input_1[w_base + 18u]);
  let w34 = real(input_1[w_base + 19u]);
  let w40 = real(input_1[w_base + 20u]);
  let w41 = real(input_1[w_base + 21u]);
  let w42 = real(input_1[w_base + 22u]);
  let w43 = real(input_1[w_base + 23u]);
  let w44 = real(input_1[w_base + 24u]);
  var acc0 = real4(0.0);
  var acc1 = real4(0.0);
  var acc2 = real4(0.0);
  var acc3 = real4(0.0);
  var acc4 = real4(0.0);
  var acc5 = real4(0.0);
  var acc6 = real4(0.0);
  var acc7 = real4(0.0);
  {
    let row = row_at(plane, iy0 + 0i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc0 = fma(real4(w00), real4(x0, x1, x2, x3), acc0);
    acc0 = fma(real4(w01), real4(x1, x2, x3, x4), acc0);
    acc0 = fma(real4(w02), real4(x2, x3, x4, x5), acc0);
    acc0 = fma(real4(w03), real4(x3, x4, x5, x6), acc0);
    acc0 = fma(real4(w04), real4(x4, x5, x6, x7), acc0);
  }
  {
    let row = row_at(plane, iy0 + 1i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc1 = fma(real4(w00), real4(x0, x1, x2, x3), acc1);
    acc1 = fma(real4(w01), real4(x1, x2, x3, x4), acc1);
    acc1 = fma(real4(w02), real4(x2, x3, x4, x5), acc1);
    acc1 = fma(real4(w03), real4(x3, x4, x5, x6), acc1);
    acc1 = fma(real4(w04), real4(x4, x5, x6, x7), acc1);
    acc0 = fma(real4(w10), real4(x0, x1, x2, x3), acc0);
    acc0 = fma(real4(w11), real4(x1, x2, x3, x4), acc0);
    acc0 = fma(real4(w12), real4(x2, x3, x4, x5), acc0);
    acc0 = fma(real4(w13), real4(x3, x4, x5, x6), acc0);
    acc0 = fma(real4(w14), real4(x4, x5, x6, x7), acc0);
  }
  {
    let row = row_at(plane, iy0 + 2i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc2 = fma(real4(w00), real4(x0, x1, x2, x3), acc2);
    acc2 = fma(real4(w01), real4(x1, x2, x3, x4), acc2);
    acc2 = fma(real4(w02), real4(x2, x3, x4, x5), acc2);
    acc2 = fma(real4(w03), real4(x3, x4, x5, x6), acc2);
    acc2 = fma(real4(w04), real4(x4, x5, x6, x7), acc2);
    acc1 = fma(real4(w10), real4(x0, x1, x2, x3), acc1);
    acc1 = fma(real4(w11), real4(x1, x2, x3, x4), acc1);
    acc1 = fma(real4(w12), real4(x2, x3, x4, x5), acc1);
    acc1 = fma(real4(w13), real4(x3, x4, x5, x6), acc1);
    acc1 = fma(real4(w14), real4(x4, x5, x6, x7), acc1);
    acc0 = fma(real4(w20), real4(x0, x1, x2, x3), acc0);
    acc0 = fma(real4(w21), real4(x1, x2, x3, x4), acc0);
    acc0 = fma(real4(w22), real4(x2, x3, x4, x5), acc0);
    acc0 = fma(real4(w23), real4(x3, x4, x5, x6), acc0);
    acc0 = fma(real4(w24), real4(x4, x5, x6, x7), acc0);
  }
  {
    let row = row_at(plane, iy0 + 3i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc3 = fma(real4(w00), real4(x0, x1, x2, x3), acc3);
    acc3 = fma(real4(w01), real4(x1, x2, x3, x4), acc3);
    acc3 = fma(real4(w02), real4(x2, x3, x4, x5), acc3);
    acc3 = fma(real4(w03), real4(x3, x4, x5, x6), acc3);
    acc3 = fma(real4(w04), real4(x4, x5, x6, x7), acc3);
    acc2 = fma(real4(w10), real4(x0, x1, x2, x3), acc2);
    acc2 = fma(real4(w11), real4(x1, x2, x3, x4), acc2);
    acc2 = fma(real4(w12), real4(x2, x3, x4, x5), acc2);
    acc2 = fma(real4(w13), real4(x3, x4, x5, x6), acc2);
    acc2 = fma(real4(w14), real4(x4, x5, x6, x7), acc2);
    acc1 = fma(real4(w20), real4(x0, x1, x2, x3), acc1);
    acc1 = fma(real4(w21), real4(x1, x2, x3, x4), acc1);
    acc1 = fma(real4(w22), real4(x2, x3, x4, x5), acc1);
    acc1 = fma(real4(w23), real4(x3, x4, x5, x6), acc1);
    acc1 = fma(real4(w24), real4(x4, x5, x6, x7), acc1);
    acc0 = fma(real4(w30), real4(x0, x1, x2, x3), acc0);
    acc0 = fma(real4(w31), real4(x1, x2, x3, x4), acc0);
    acc0 = fma(real4(w32), real4(x2, x3, x4, x5), acc0);
    acc0 = fma(real4(w33), real4(x3, x4, x5, x6), acc0);
    acc0 = fma(real4(w34), real4(x4, x5, x6, x7), acc0);
  }
  {
    let row = row_at(plane, iy0 + 4i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc4 = fma(real4(w00), real4(x0, x1, x2, x3), acc4);
    acc4 = fma(real4(w01), real4(x1, x2, x3, x4), acc4);
    acc4 = fma(real4(w02), real4(x2, x3, x4, x5), acc4);
    acc4 = fma(real4(w03), real4(x3, x4, x5, x6), acc4);
    acc4 = fma(real4(w04), real4(x4, x5, x6, x7), acc4);
    acc3 = fma(real4(w10), real4(x0, x1, x2, x3), acc3);
    acc3 = fma(real4(w11), real4(x1, x2, x3, x4), acc3);
    acc3 = fma(real4(w12), real4(x2, x3, x4, x5), acc3);
    acc3 = fma(real4(w13), real4(x3, x4, x5, x6), acc3);
    acc3 = fma(real4(w14), real4(x4, x5, x6, x7), acc3);
    acc2 = fma(real4(w20), real4(x0, x1, x2, x3), acc2);
    acc2 = fma(real4(w21), real4(x1, x2, x3, x4), acc2);
    acc2 = fma(real4(w22), real4(x2, x3, x4, x5), acc2);
    acc2 = fma(real4(w23), real4(x3, x4, x5, x6), acc2);
    acc2 = fma(real4(w24), real4(x4, x5, x6, x7), acc2);
    acc1 = fma(real4(w30), real4(x0, x1, x2, x3), acc1);
    acc1 = fma(real4(w31), real4(x1, x2, x3, x4), acc1);
    acc1 = fma(real4(w32), real4(x2, x3, x4, x5), acc1);
    acc1 = fma(real4(w33), real4(x3, x4, x5, x6), acc1);
    acc1 = fma(real4(w34), real4(x4, x5, x6, x7), acc1);
    acc0 = fma(real4(w40), real4(x0, x1, x2, x3), acc0);
    acc0 = fma(real4(w41), real4(x1, x2, x3, x4), acc0);
    acc0 = fma(real4(w42), real4(x2, x3, x4, x5), acc0);
    acc0 = fma(real4(w43), real4(x3, x4, x5, x6), acc0);
    acc0 = fma(real4(w44), real4(x4, x5, x6, x7), acc0);
  }
  {
    let row = row_at(plane, iy0 + 5i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc5 = fma(real4(w00), real4(x0, x1, x2, x3), acc5);
    acc5 = fma(real4(w01), real4(x1, x2, x3, x4), acc5);
    acc5 = fma(real4(w02), real4(x2, x3, x4, x5), acc5);
    acc5 = fma(real4(w03), real4(x3, x4, x5, x6), acc5);
    acc5 = fma(real4(w04), real4(x4, x5, x6, x7), acc5);
    acc4 = fma(real4(w10), real4(x0, x1, x2, x3), acc4);
    acc4 = fma(real4(w11), real4(x1, x2, x3, x4), acc4);
    acc4 = fma(real4(w12), real4(x2, x3, x4, x5), acc4);
    acc4 = fma(real4(w13), real4(x3, x4, x5, x6), acc4);
    acc4 = fma(real4(w14), real4(x4, x5, x6, x7), acc4);
    acc3 = fma(real4(w20), real4(x0, x1, x2, x3), acc3);
    acc3 = fma(real4(w21), real4(x1, x2, x3, x4), acc3);
    acc3 = fma(real4(w22), real4(x2, x3, x4, x5), acc3);
    acc3 = fma(real4(w23), real4(x3, x4, x5, x6), acc3);
    acc3 = fma(real4(w24), real4(x4, x5, x6, x7), acc3);
    acc2 = fma(real4(w30), real4(x0, x1, x2, x3), acc2);
    acc2 = fma(real4(w31), real4(x1, x2, x3, x4), acc2);
    acc2 = fma(real4(w32), real4(x2, x3, x4, x5), acc2);
    acc2 = fma(real4(w33), real4(x3, x4, x5, x6), acc2);
    acc2 = fma(real4(w34), real4(x4, x5, x6, x7), acc2);
    acc1 = fma(real4(w40), real4(x0, x1, x2, x3), acc1);
    acc1 = fma(real4(w41), real4(x1, x2, x3, x4), acc1);
    acc1 = fma(real4(w42), real4(x2, x3, x4, x5), acc1);
    acc1 = fma(real4(w43), real4(x3, x4, x5, x6), acc1);
    acc1 = fma(real4(w44), real4(x4, x5, x6, x7), acc1);
  }
  {
    let row = row_at(plane, iy0 + 6i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc6 = fma(real4(w00), real4(x0, x1, x2, x3), acc6);
    acc6 = fma(real4(w01), real4(x1, x2, x3, x4), acc6);
    acc6 = fma(real4(w02), real4(x2, x3, x4, x5), acc6);
    acc6 = fma(real4(w03), real4(x3, x4, x5, x6), acc6);
    acc6 = fma(real4(w04), real4(x4, x5, x6, x7), acc6);
    acc5 = fma(real4(w10), real4(x0, x1, x2, x3), acc5);
    acc5 = fma(real4(w11), real4(x1, x2, x3, x4), acc5);
    acc5 = fma(real4(w12), real4(x2, x3, x4, x5), acc5);
    acc5 = fma(real4(w13), real4(x3, x4, x5, x6), acc5);
    acc5 = fma(real4(w14), real4(x4, x5, x6, x7), acc5);
    acc4 = fma(real4(w20), real4(x0, x1, x2, x3), acc4);
    acc4 = fma(real4(w21), real4(x1, x2, x3, x4), acc4);
    acc4 = fma(real4(w22), real4(x2, x3, x4, x5), acc4);
    acc4 = fma(real4(w23), real4(x3, x4, x5, x6), acc4);
    acc4 = fma(real4(w24), real4(x4, x5, x6, x7), acc4);
    acc3 = fma(real4(w30), real4(x0, x1, x2, x3), acc3);
    acc3 = fma(real4(w31), real4(x1, x2, x3, x4), acc3);
    acc3 = fma(real4(w32), real4(x2, x3, x4, x5), acc3);
    acc3 = fma(real4(w33), real4(x3, x4, x5, x6), acc3);
    acc3 = fma(real4(w34), real4(x4, x5, x6, x7), acc3);
    acc2 = fma(real4(w40), real4(x0, x1, x2, x3), acc2);
    acc2 = fma(real4(w41), real4(x1, x2, x3, x4), acc2);
    acc2 = fma(real4(w42), real4(x2, x3, x4, x5), acc2);
    acc2 = fma(real4(w43), real4(x3, x4, x5, x6), acc2);
    acc2 = fma(real4(w44), real4(x4, x5, x6, x7), acc2);
  }
  {
    let row = row_at(plane, iy0 + 7i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc7 = fma(real4(w00), real4(x0, x1, x2, x3), acc7);
    acc7 = fma(real4(w01), real4(x1, x2, x3, x4), acc7);
    acc7 = fma(real4(w02), real4(x2, x3, x4, x5), acc7);
    acc7 = fma(real4(w03), real4(x3, x4, x5, x6), acc7);
    acc7 = fma(real4(w04), real4(x4, x5, x6, x7), acc7);
    acc6 = fma(real4(w10), real4(x0, x1, x2, x3), acc6);
    acc6 = fma(real4(w11), real4(x1, x2, x3, x4), acc6);
    acc6 = fma(real4(w12), real4(x2, x3, x4, x5), acc6);
    acc6 = fma(real4(w13), real4(x3, x4, x5, x6), acc6);
    acc6 = fma(real4(w14), real4(x4, x5, x6, x7), acc6);
    acc5 = fma(real4(w20), real4(x0, x1, x2, x3), acc5);
    acc5 = fma(real4(w21), real4(x1, x2, x3, x4), acc5);
    acc5 = fma(real4(w22), real4(x2, x3, x4, x5), acc5);
    acc5 = fma(real4(w23), real4(x3, x4, x5, x6), acc5);
    acc5 = fma(real4(w24), real4(x4, x5, x6, x7), acc5);
    acc4 = fma(real4(w30), real4(x0, x1, x2, x3), acc4);
    acc4 = fma(real4(w31), real4(x1, x2, x3, x4), acc4);
    acc4 = fma(real4(w32), real4(x2, x3, x4, x5), acc4);
    acc4 = fma(real4(w33), real4(x3, x4, x5, x6), acc4);
    acc4 = fma(real4(w34), real4(x4, x5, x6, x7), acc4);
    acc3 = fma(real4(w40), real4(x0, x1, x2, x3), acc3);
    acc3 = fma(real4(w41), real4(x1, x2, x3, x4), acc3);
    acc3 = fma(real4(w42), real4(x2, x3, x4, x5), acc3);
    acc3 = fma(real4(w43), real4(x3, x4, x5, x6), acc3);
    acc3 = fma(real4(w44), real4(x4, x5, x6, x7), acc3);
  }
  {
    let row = row_at(plane, iy0 + 8i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc7 = fma(real4(w10), real4(x0, x1, x2, x3), acc7);
    acc7 = fma(real4(w11), real4(x1, x2, x3, x4), acc7);
    acc7 = fma(real4(w12), real4(x2, x3, x4, x5), acc7);
    acc7 = fma(real4(w13), real4(x3, x4, x5, x6), acc7);
    acc7 = fma(real4(w14), real4(x4, x5, x6, x7), acc7);
    acc6 = fma(real4(w20), real4(x0, x1, x2, x3), acc6);
    acc6 = fma(real4(w21), real4(x1, x2, x3, x4), acc6);
    acc6 = fma(real4(w22), real4(x2, x3, x4, x5), acc6);
    acc6 = fma(real4(w23), real4(x3, x4, x5, x6), acc6);
    acc6 = fma(real4(w24), real4(x4, x5, x6, x7), acc6);
    acc5 = fma(real4(w30), real4(x0, x1, x2, x3), acc5);
    acc5 = fma(real4(w31), real4(x1, x2, x3, x4), acc5);
    acc5 = fma(real4(w32), real4(x2, x3, x4, x5), acc5);
    acc5 = fma(real4(w33), real4(x3, x4, x5, x6), acc5);
    acc5 = fma(real4(w34), real4(x4, x5, x6, x7), acc5);
    acc4 = fma(real4(w40), real4(x0, x1, x2, x3), acc4);
    acc4 = fma(real4(w41), real4(x1, x2, x3, x4), acc4);
    acc4 = fma(real4(w42), real4(x2, x3, x4, x5), acc4);
    acc4 = fma(real4(w43), real4(x3, x4, x5, x6), acc4);
    acc4 = fma(real4(w44), real4(x4, x5, x6, x7), acc4);
  }
  {
    let row = row_at(plane, iy0 + 9i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc7 = fma(real4(w20), real4(x0, x1, x2, x3), acc7);
    acc7 = fma(real4(w21), real4(x1, x2, x3, x4), acc7);
    acc7 = fma(real4(w22), real4(x2, x3, x4, x5), acc7);
    acc7 = fma(real4(w23), real4(x3, x4, x5, x6), acc7);
    acc7 = fma(real4(w24), real4(x4, x5, x6, x7), acc7);
    acc6 = fma(real4(w30), real4(x0, x1, x2, x3), acc6);
    acc6 = fma(real4(w31), real4(x1, x2, x3, x4), acc6);
    acc6 = fma(real4(w32), real4(x2, x3, x4, x5), acc6);
    acc6 = fma(real4(w33), real4(x3, x4, x5, x6), acc6);
    acc6 = fma(real4(w34), real4(x4, x5, x6, x7), acc6);
    acc5 = fma(real4(w40), real4(x0, x1, x2, x3), acc5);
    acc5 = fma(real4(w41), real4(x1, x2, x3, x4), acc5);
    acc5 = fma(real4(w42), real4(x2, x3, x4, x5), acc5);
    acc5 = fma(real4(w43), real4(x3, x4, x5, x6), acc5);
    acc5 = fma(real4(w44), real4(x4, x5, x6, x7), acc5);
  }
  {
    let row = row_at(plane, iy0 + 10i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc7 = fma(real4(w30), real4(x0, x1, x2, x3), acc7);
    acc7 = fma(real4(w31), real4(x1, x2, x3, x4), acc7);
    acc7 = fma(real4(w32), real4(x2, x3, x4, x5), acc7);
    acc7 = fma(real4(w33), real4(x3, x4, x5, x6), acc7);
    acc7 = fma(real4(w34), real4(x4, x5, x6, x7), acc7);
    acc6 = fma(real4(w40), real4(x0, x1, x2, x3), acc6);
    acc6 = fma(real4(w41), real4(x1, x2, x3, x4), acc6);
    acc6 = fma(real4(w42), real4(x2, x3, x4, x5), acc6);
    acc6 = fma(real4(w43), real4(x3, x4, x5, x6), acc6);
    acc6 = fma(real4(w44), real4(x4, x5, x6, x7), acc6);
  }
  {
    let row = row_at(plane, iy0 + 11i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    let x6 = input_at(row, ix0 + 6i);
    let x7 = input_at(row, ix0 + 7i);
    acc7 = fma(real4(w40), real4(x0, x1, x2, x3), acc7);
    acc7 = fma(real4(w41), real4(x1, x2, x3, x4), acc7);
    acc7 = fma(real4(w42), real4(x2, x3, x4, x5), acc7);
    acc7 = fma(real4(w43), real4(x3, x4, x5, x6), acc7);
    acc7 = fma(real4(w44), real4(x4, x5, x6, x7), acc7);
  }
  store_row(vec4<f32>(acc0), n, c, oy0 + 0u, ox0);
  store_row(vec4<f32>(acc1), n, c, oy0 + 1u, ox0);
  store_row(vec4<f32>(acc2), n, c, oy0 + 2u, ox0);
  store_row(vec4<f32>(acc3), n, c, oy0 + 3u, ox0);
  store_row(vec4<f32>(acc4), n, c, oy0 + 4u, ox0);
  store_row(vec4<f32>(acc5), n, c, oy0 + 5u, ox0);
  store_row(vec4<f32>(acc6), n, c, oy0 + 6u, ox0);
  store_row(vec4<f32>(acc7), n, c, oy0 + 7u, ox0);
#else
  let w_base = c * 9u;
  let w00 = real(input_1[w_base + 0u]);
  let w01 = real(input_1[w_base + 1u]);
  let w02 = real(input_1[w_base + 2u]);
  let w10 = real(input_1[w_base + 3u]);
  let w11 = real(input_1[w_base + 4u]);
  let w12 = real(input_1[w_base + 5u]);
  let w20 = real(input_1[w_base + 6u]);
  let w21 = real(input_1[w_base + 7u]);
  let w22 = real(input_1[w_base + 8u]);
  var acc0 = real4(0.0);
  var acc1 = real4(0.0);
  var acc2 = real4(0.0);
  var acc3 = real4(0.0);
  var acc4 = real4(0.0);
  var acc5 = real4(0.0);
  var acc6 = real4(0.0);
  var acc7 = real4(0.0);
  {
    let row = row_at(plane, iy0 + 0i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc0 = fma(real4(w00), real4(x0, x1, x2, x3), acc0);
    acc0 = fma(real4(w01), real4(x1, x2, x3, x4), acc0);
    acc0 = fma(real4(w02), real4(x2, x3, x4, x5), acc0);
  }
  {
    let row = row_at(plane, iy0 + 1i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc1 = fma(real4(w00), real4(x0, x1, x2, x3), acc1);
    acc1 = fma(real4(w01), real4(x1, x2, x3, x4), acc1);
    acc1 = fma(real4(w02), real4(x2, x3, x4, x5), acc1);
    acc0 = fma(real4(w10), real4(x0, x1, x2, x3), acc0);
    acc0 = fma(real4(w11), real4(x1, x2, x3, x4), acc0);
    acc0 = fma(real4(w12), real4(x2, x3, x4, x5), acc0);
  }
  {
    let row = row_at(plane, iy0 + 2i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc2 = fma(real4(w00), real4(x0, x1, x2, x3), acc2);
    acc2 = fma(real4(w01), real4(x1, x2, x3, x4), acc2);
    acc2 = fma(real4(w02), real4(x2, x3, x4, x5), acc2);
    acc1 = fma(real4(w10), real4(x0, x1, x2, x3), acc1);
    acc1 = fma(real4(w11), real4(x1, x2, x3, x4), acc1);
    acc1 = fma(real4(w12), real4(x2, x3, x4, x5), acc1);
    acc0 = fma(real4(w20), real4(x0, x1, x2, x3), acc0);
    acc0 = fma(real4(w21), real4(x1, x2, x3, x4), acc0);
    acc0 = fma(real4(w22), real4(x2, x3, x4, x5), acc0);
  }
  {
    let row = row_at(plane, iy0 + 3i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc3 = fma(real4(w00), real4(x0, x1, x2, x3), acc3);
    acc3 = fma(real4(w01), real4(x1, x2, x3, x4), acc3);
    acc3 = fma(real4(w02), real4(x2, x3, x4, x5), acc3);
    acc2 = fma(real4(w10), real4(x0, x1, x2, x3), acc2);
    acc2 = fma(real4(w11), real4(x1, x2, x3, x4), acc2);
    acc2 = fma(real4(w12), real4(x2, x3, x4, x5), acc2);
    acc1 = fma(real4(w20), real4(x0, x1, x2, x3), acc1);
    acc1 = fma(real4(w21), real4(x1, x2, x3, x4), acc1);
    acc1 = fma(real4(w22), real4(x2, x3, x4, x5), acc1);
  }
  {
    let row = row_at(plane, iy0 + 4i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc4 = fma(real4(w00), real4(x0, x1, x2, x3), acc4);
    acc4 = fma(real4(w01), real4(x1, x2, x3, x4), acc4);
    acc4 = fma(real4(w02), real4(x2, x3, x4, x5), acc4);
    acc3 = fma(real4(w10), real4(x0, x1, x2, x3), acc3);
    acc3 = fma(real4(w11), real4(x1, x2, x3, x4), acc3);
    acc3 = fma(real4(w12), real4(x2, x3, x4, x5), acc3);
    acc2 = fma(real4(w20), real4(x0, x1, x2, x3), acc2);
    acc2 = fma(real4(w21), real4(x1, x2, x3, x4), acc2);
    acc2 = fma(real4(w22), real4(x2, x3, x4, x5), acc2);
  }
  {
    let row = row_at(plane, iy0 + 5i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc5 = fma(real4(w00), real4(x0, x1, x2, x3), acc5);
    acc5 = fma(real4(w01), real4(x1, x2, x3, x4), acc5);
    acc5 = fma(real4(w02), real4(x2, x3, x4, x5), acc5);
    acc4 = fma(real4(w10), real4(x0, x1, x2, x3), acc4);
    acc4 = fma(real4(w11), real4(x1, x2, x3, x4), acc4);
    acc4 = fma(real4(w12), real4(x2, x3, x4, x5), acc4);
    acc3 = fma(real4(w20), real4(x0, x1, x2, x3), acc3);
    acc3 = fma(real4(w21), real4(x1, x2, x3, x4), acc3);
    acc3 = fma(real4(w22), real4(x2, x3, x4, x5), acc3);
  }
  {
    let row = row_at(plane, iy0 + 6i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc6 = fma(real4(w00), real4(x0, x1, x2, x3), acc6);
    acc6 = fma(real4(w01), real4(x1, x2, x3, x4), acc6);
    acc6 = fma(real4(w02), real4(x2, x3, x4, x5), acc6);
    acc5 = fma(real4(w10), real4(x0, x1, x2, x3), acc5);
    acc5 = fma(real4(w11), real4(x1, x2, x3, x4), acc5);
    acc5 = fma(real4(w12), real4(x2, x3, x4, x5), acc5);
    acc4 = fma(real4(w20), real4(x0, x1, x2, x3), acc4);
    acc4 = fma(real4(w21), real4(x1, x2, x3, x4), acc4);
    acc4 = fma(real4(w22), real4(x2, x3, x4, x5), acc4);
  }
  {
    let row = row_at(plane, iy0 + 7i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc7 = fma(real4(w00), real4(x0, x1, x2, x3), acc7);
    acc7 = fma(real4(w01), real4(x1, x2, x3, x4), acc7);
    acc7 = fma(real4(w02), real4(x2, x3, x4, x5), acc7);
    acc6 = fma(real4(w10), real4(x0, x1, x2, x3), acc6);
    acc6 = fma(real4(w11), real4(x1, x2, x3, x4), acc6);
    acc6 = fma(real4(w12), real4(x2, x3, x4, x5), acc6);
    acc5 = fma(real4(w20), real4(x0, x1, x2, x3), acc5);
    acc5 = fma(real4(w21), real4(x1, x2, x3, x4), acc5);
    acc5 = fma(real4(w22), real4(x2, x3, x4, x5), acc5);
  }
  {
    let row = row_at(plane, iy0 + 8i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc7 = fma(real4(w10), real4(x0, x1, x2, x3), acc7);
    acc7 = fma(real4(w11), real4(x1, x2, x3, x4), acc7);
    acc7 = fma(real4(w12), real4(x2, x3, x4, x5), acc7);
    acc6 = fma(real4(w20), real4(x0, x1, x2, x3), acc6);
    acc6 = fma(real4(w21), real4(x1, x2, x3, x4), acc6);
    acc6 = fma(real4(w22), real4(x2, x3, x4, x5), acc6);
  }
  {
    let row = row_at(plane, iy0 + 9i);
    let x0 = input_at(row, ix0 + 0i);
    let x1 = input_at(row, ix0 + 1i);
    let x2 = input_at(row, ix0 + 2i);
    let x3 = input_at(row, ix0 + 3i);
    let x4 = input_at(row, ix0 + 4i);
    let x5 = input_at(row, ix0 + 5i);
    acc7 = fma(real4(w20), real4(x0, x1, x2, x3), acc7);
    acc7 = fma(real4(w21), real4(x1, x2, x3, x4), acc7);
    acc7 = fma(real4(w22), real4(x2, x3, x4, x5), acc7);
  }
  store_row(vec4<f32>(acc0), n, c, oy0 + 0u, ox0);
  store_row(vec4<f32>(acc1), n, c, oy0 + 1u, ox0);
  store_row(vec4<f32>(acc2), n, c, oy0 + 2u, ox0);
  store_row(vec4<f32>(acc3), n, c, oy0 + 3u, ox0);
  store_row(vec4<f32>(acc4), n, c, oy0 + 4u, ox0);
  store_row(vec4<f32>(acc5), n, c, oy0 + 5u, ox0);
  store_row(vec4<f32>(acc6), n, c, oy0 + 6u, ox0);
  store_row(vec4<f32>(acc7), n, c, oy0 + 7u, ox0);
#endif
}
