// 2-D convolution, NCHW input, OIHW weights (O = out channels, I = in channels per group), with
// stride, padding, dilation, groups (depthwise included), optional bias and fused activation.
// (Pointwise 1x1 convolutions run as a batched Gemm instead, see src/ops/conv2d.ts.)
//
// Launch: workgroup_id.y picks a block of OC_BLOCK (1, 2, 4, 8 or 16) output channels,
// workgroup_id.z the image, and the invocations along x cover the output pixels, 4 adjacent columns
// each, of one row or, under TWO_ROWS, of two (params.batch_in_x, for small outputs such as RNet's 3x3: x covers images x pixel blocks, so
// a workgroup is not mostly idle lanes; z is then 1). Every
// weight index is thus the same for all invocations of a workgroup, and each gathered input value
// is reused OC_BLOCK times. Accumulators are separate variables (SwiftShader keeps loop-indexed
// private arrays in memory). No workgroup memory: on CPU adapters it only adds copies.
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
  in_channels_per_group: u32,
  out_channels_per_group: u32,
  ox_blocks: u32,
  pixel_blocks: u32,  // out_height * ox_blocks
  batch: u32,
  batch_in_x: u32,  // 1: x covers images x pixel blocks (small outputs), z is 1; 0: z is the image
  alpha: f32,
  beta: f32,
  post_scale: f32,
  post_shift: f32,
}

#if ${ROW_VEC4}
// 3-wide windows read as vec4 (in_width % 4 == 0, left pad 1, out_width == in_width; src/ops/conv2d.ts).
#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<vec2<u32>>;  // x, f16: common/half_load4.wgsl
#else
@group(0) @binding(0) var<storage, read> input_0: array<vec4<f32>>;  // x  [N, C, H, W / 4]
#endif
#else
#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<u32>;  // f16 pairs: common/half_load.wgsl
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // x  [N, C, H, W]
#endif
#endif
#if ${W_PACKED}
// Weights packed at upload (src/ops/conv2d.ts): [O/8 blocks][C][KH][KW][8], two vec4 per tap, so a
// tap's 8 channel weights are 2 loads instead of 8.
@group(0) @binding(1) var<storage, read> input_1: array<vec4<f32>>;
#else
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // w  [O, C/groups, KH, KW]
#endif
#if ${HAS_BIAS}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // bias [O]
#endif
#if ${ACT_PRELU}
@group(0) @binding(3) var<storage, read> input_3: array<f32>;  // PReLU slope [O]
#endif
#if ${F16_OUTPUT_0}
@group(0) @binding(4) var<storage, read_write> output_0: array<atomic<u32>>;  // f16 pairs: common/half_store.wgsl
#else
@group(0) @binding(4) var<storage, read_write> output_0: array<f32>;
#endif
@group(0) @binding(5) var<uniform> params: Params;

#if ${F16_MATH}
// shader-f16 arithmetic (CompileOptions.storage 'f16-math'): products and sums in f16; the epilogue
// (bias, activation, store) in f32.
alias real = f16;
alias real4 = vec4<f16>;
#else
alias real = f32;
alias real4 = vec4<f32>;
#endif


// Start of output channel oc's weights; clamped so a partial last block reads in bounds.
fn weight_row(oc: u32) -> u32 {
  return min(oc, params.out_channels - 1u) * params.in_channels_per_group * params.kernel_height * params.kernel_width;
}

#if ${ROW_VEC4}
#else
// One input value, 0 outside the image (zero padding).
fn input_at(row: u32, row_inside: bool, xi: i32) -> real {
  let in_w = i32(params.in_width);
  return select(real(0.0), real(load_input_0(row + u32(clamp(xi, 0i, in_w - 1i)))), row_inside && xi >= 0i && xi < in_w);
}
#endif

fn store_channel(acc: vec4<f32>, n: u32, oc: u32, oy: u32, ox0: u32) {
  if (oc >= params.out_channels) {
    return;
  }
  store_row4(acc, oc, ((n * params.out_channels + oc) * params.out_height + oy) * params.out_width, ox0);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32
#if ${W_SHARED}
        , @builtin(subgroup_invocation_id) sg_lane: u32
#endif
) {
  // Uniform across the workgroup: channel block, group, weight rows (and the image, unless batch_in_x).
  // batch_in_x is a uniform, not a define: both launches share one pipeline (lavapipe JITs each
  // pipeline at its first dispatch, ~1.3 s for this shader; the selects cost nothing measurable).
  let flat = wg.x * ${WORKGROUP_SIZE}u + lane;
  let batch_in_x = params.batch_in_x != 0u;
  let n = select(wg.z, min(flat / params.pixel_blocks, params.batch - 1u), batch_in_x);
  let block = select(flat, flat % params.pixel_blocks, batch_in_x);
  let valid = flat < select(params.pixel_blocks, params.batch * params.pixel_blocks, batch_in_x);
  let oc0 = wg.y * ${OC_BLOCK}u;
  let ic0 = (oc0 / params.out_channels_per_group) * params.in_channels_per_group;
  let w0 = weight_row(oc0 + 0u);
#if ${OC_BLOCK_GE_2}
  let w1 = weight_row(oc0 + 1u);
#endif
#if ${OC_BLOCK_GE_4}
  let w2 = weight_row(oc0 + 2u);
  let w3 = weight_row(oc0 + 3u);
#endif
#if ${OC_BLOCK_GE_8}
  let w4 = weight_row(oc0 + 4u);
  let w5 = weight_row(oc0 + 5u);
  let w6 = weight_row(oc0 + 6u);
  let w7 = weight_row(oc0 + 7u);
#endif

  // Per invocation: 4 adjacent output columns of one output row.
#if ${TWO_ROWS}
  // Two output rows per invocation (oy, oy + 1): each broadcast weight serves 8 pixels.
  let oy = min((block / params.ox_blocks) * 2u, params.out_height - 1u);
#else
  let oy = min(block / params.ox_blocks, params.out_height - 1u);
#endif
  let ox0 = (block % params.ox_blocks) * 4u;
  let ix_origin = i32(ox0 * params.stride_x) - i32(params.pad_left);
  let iy_origin = i32(oy * params.stride_y) - i32(params.pad_top);
  let sx = i32(params.stride_x);

  var acc0 = real4(0.0);
#if ${OC_BLOCK_GE_2}
  var acc1 = real4(0.0);
#endif
#if ${OC_BLOCK_GE_4}
  var acc2 = real4(0.0);
  var acc3 = real4(0.0);
#endif
#if ${OC_BLOCK_GE_8}
  var acc4 = real4(0.0);
  var acc5 = real4(0.0);
  var acc6 = real4(0.0);
  var acc7 = real4(0.0);
#endif
#if ${OC_BLOCK_GE_12}
  var acc8 = real4(0.0);
  var acc9 = real4(0.0);
  var acc10 = real4(0.0);
  var acc11 = real4(0.0);
#endif
#if ${OC_BLOCK_GE_16}
  var acc12 = real4(0.0);
  var acc13 = real4(0.0);
  var acc14 = real4(0.0);
  var acc15 = real4(0.0);
#endif
#if ${TWO_ROWS}
  var bcc0 = real4(0.0);
  var bcc1 = real4(0.0);
  var bcc2 = real4(0.0);
  var bcc3 = real4(0.0);
  var bcc4 = real4(0.0);
  var bcc5 = real4(0.0);
  var bcc6 = real4(0.0);
  var bcc7 = real4(0.0);
  var bcc8 = real4(0.0);
  var bcc9 = real4(0.0);
  var bcc10 = real4(0.0);
  var bcc11 = real4(0.0);
  var bcc12 = real4(0.0);
  var bcc13 = real4(0.0);
  var bcc14 = real4(0.0);
  var bcc15 = real4(0.0);
#endif
  for (var ci = 0u; ci < params.in_channels_per_group; ci++) {
    let plane = (n * params.in_channels + ic0 + ci) * params.in_height * params.in_width;
    for (var ky = 0u; ky < params.kernel_height; ky++) {
      let iy = iy_origin + i32(ky * params.dilation_y);
      let row_inside = iy >= 0i && iy < i32(params.in_height);
      let row = plane + u32(clamp(iy, 0i, i32(params.in_height) - 1i)) * params.in_width;
#if ${W_PACKED}
      // In taps of the packed layout (8 or 16 channels each).
      let w_tap0 = ((wg.y * params.in_channels_per_group + ci) * params.kernel_height + ky) * params.kernel_width;
#else
      let w_tap0 = (ci * params.kernel_height + ky) * params.kernel_width;
#endif
#if ${WINDOW_3X3}
      // 3-wide kernel, stride 1 (or 2: WINDOW_S2), dilation 1: the 6 (9) input values of the 4
      // outputs are gathered once per row instead of 4 per tap.
#if ${ROW_VEC4}
      // The 4 values under the outputs as one vec4, and one value of each neighbouring vec4
      // (3 loads instead of 6; 0 past the image's edges).
      let q = (row + ox0) / 4u;
      let middle = select(vec4<f32>(0.0), load_input4(q), row_inside);
      let x0 = real(select(0.0, load_input4(max(q, 1u) - 1u).w, row_inside && ox0 > 0u));
      let x1 = real(middle.x);
      let x2 = real(middle.y);
      let x3 = real(middle.z);
      let x4 = real(middle.w);
      let x5 = real(select(0.0, load_input4(q + 1u).x, row_inside && ox0 + 4u < params.in_width));
#if ${TWO_ROWS}
      // The same window stride_y input rows down, for output row oy + 1.
      let iy2 = iy + i32(params.stride_y);
      let row2_inside = iy2 >= 0i && iy2 < i32(params.in_height);
      let q2 = (plane + u32(clamp(iy2, 0i, i32(params.in_height) - 1i)) * params.in_width + ox0) / 4u;
      let middle2 = select(vec4<f32>(0.0), load_input4(q2), row2_inside);
      let y0 = real(select(0.0, load_input4(max(q2, 1u) - 1u).w, row2_inside && ox0 > 0u));
      let y1 = real(middle2.x);
      let y2 = real(middle2.y);
      let y3 = real(middle2.z);
      let y4 = real(middle2.w);
      let y5 = real(select(0.0, load_input4(q2 + 1u).x, row2_inside && ox0 + 4u < params.in_width));
#endif
#else
      let x0 = input_at(row, row_inside, ix_origin);
      let x1 = input_at(row, row_inside, ix_origin + 1i);
      let x2 = input_at(row, row_inside, ix_origin + 2i);
      let x3 = input_at(row, row_inside, ix_origin + 3i);
      let x4 = input_at(row, row_inside, ix_origin + 4i);
      let x5 = input_at(row, row_inside, ix_origin + 5i);
#if ${WINDOW_S2}
      // Stride 2: the 9 input values of the 4 outputs; tap k reads columns k, k + 2, k + 4, k + 6.
      let x6 = input_at(row, row_inside, ix_origin + 6i);
      let x7 = input_at(row, row_inside, ix_origin + 7i);
      let x8 = input_at(row, row_inside, ix_origin + 8i);
#endif
#endif
#if ${WINDOW_S2}
      let xa = real4(x0, x2, x4, x6);
      let xb = real4(x1, x3, x5, x7);
      let xc = real4(x2, x4, x6, x8);
#else
      // The 3 taps' inputs of the 4 outputs.
      let xa = real4(x0, x1, x2, x3);
      let xb = real4(x1, x2, x3, x4);
      let xc = real4(x2, x3, x4, x5);
#endif
#if ${W_SHARED}
      // 16 channels per block, packed [O/16][C][KH][KW][16]: the row's 3 taps x 16 channels are 12
      // vec4; each invocation of the subgroup loads one or two and subgroupBroadcast shares them,
      // instead of every invocation loading all 12 (on lavapipe a load costs the same whether or not
      // the address is shared: shaders/probe/load_probe.wgsl).
#if ${OC_BLOCK_GE_16}
#if ${SUBGROUP_8}
      let wv0 = input_1[4u * w_tap0 + 0u + sg_lane];
      let wv1 = input_1[4u * w_tap0 + 8u + min(sg_lane, 3u)];
      let w0_0 = subgroupBroadcast(wv0, 0u);
      let w0_1 = subgroupBroadcast(wv0, 1u);
      let w0_2 = subgroupBroadcast(wv0, 2u);
      let w0_3 = subgroupBroadcast(wv0, 3u);
      let w1_0 = subgroupBroadcast(wv0, 4u);
      let w1_1 = subgroupBroadcast(wv0, 5u);
      let w1_2 = subgroupBroadcast(wv0, 6u);
      let w1_3 = subgroupBroadcast(wv0, 7u);
      let w2_0 = subgroupBroadcast(wv1, 0u);
      let w2_1 = subgroupBroadcast(wv1, 1u);
      let w2_2 = subgroupBroadcast(wv1, 2u);
      let w2_3 = subgroupBroadcast(wv1, 3u);
#else
      let wv0 = input_1[4u * w_tap0 + 0u + sg_lane];
      let wv1 = input_1[4u * w_tap0 + 4u + sg_lane];
      let wv2 = input_1[4u * w_tap0 + 8u + sg_lane];
      let w0_0 = subgroupBroadcast(wv0, 0u);
      let w0_1 = subgroupBroadcast(wv0, 1u);
      let w0_2 = subgroupBroadcast(wv0, 2u);
      let w0_3 = subgroupBroadcast(wv0, 3u);
      let w1_0 = subgroupBroadcast(wv1, 0u);
      let w1_1 = subgroupBroadcast(wv1, 1u);
      let w1_2 = subgroupBroadcast(wv1, 2u);
      let w1_3 = subgroupBroadcast(wv1, 3u);
      let w2_0 = subgroupBroadcast(wv2, 0u);
      let w2_1 = subgroupBroadcast(wv2, 1u);
      let w2_2 = subgroupBroadcast(wv2, 2u);
      let w2_3 = subgroupBroadcast(wv2, 3u);
#endif
#else
      // 12 channels per block, packed [O/12][C][KH][KW][12]: the row's 9 vec4 (24 output channels,
      // PP-OCRv4's neck, would leave a third of a second 16-channel block idle).
#if ${SUBGROUP_8}
      let wv0 = input_1[3u * w_tap0 + sg_lane];
      let w2_2 = input_1[3u * w_tap0 + 8u];
      let w0_0 = subgroupBroadcast(wv0, 0u);
      let w0_1 = subgroupBroadcast(wv0, 1u);
      let w0_2 = subgroupBroadcast(wv0, 2u);
      let w1_0 = subgroupBroadcast(wv0, 3u);
      let w1_1 = subgroupBroadcast(wv0, 4u);
      let w1_2 = subgroupBroadcast(wv0, 5u);
      let w2_0 = subgroupBroadcast(wv0, 6u);
      let w2_1 = subgroupBroadcast(wv0, 7u);
#else
      let wv0 = input_1[3u * w_tap0 + sg_lane];
      let wv1 = input_1[3u * w_tap0 + 4u + sg_lane];
      let w2_2 = input_1[3u * w_tap0 + 8u];
      let w0_0 = subgroupBroadcast(wv0, 0u);
      let w0_1 = subgroupBroadcast(wv0, 1u);
      let w0_2 = subgroupBroadcast(wv0, 2u);
      let w1_0 = subgroupBroadcast(wv0, 3u);
      let w1_1 = subgroupBroadcast(wv1, 0u);
      let w1_2 = subgroupBroadcast(wv1, 1u);
      let w2_0 = subgroupBroadcast(wv1, 2u);
      let w2_1 = subgroupBroadcast(wv1, 3u);
#endif
#endif
      {
        let x = xa;
        acc0 = fma(real4(real(w0_0.x)), x, acc0);
        acc1 = fma(real4(real(w0_0.y)), x, acc1);
        acc2 = fma(real4(real(w0_0.z)), x, acc2);
        acc3 = fma(real4(real(w0_0.w)), x, acc3);
        acc4 = fma(real4(real(w0_1.x)), x, acc4);
        acc5 = fma(real4(real(w0_1.y)), x, acc5);
        acc6 = fma(real4(real(w0_1.z)), x, acc6);
        acc7 = fma(real4(real(w0_1.w)), x, acc7);
        acc8 = fma(real4(real(w0_2.x)), x, acc8);
        acc9 = fma(real4(real(w0_2.y)), x, acc9);
        acc10 = fma(real4(real(w0_2.z)), x, acc10);
        acc11 = fma(real4(real(w0_2.w)), x, acc11);
#if ${OC_BLOCK_GE_16}
        acc12 = fma(real4(real(w0_3.x)), x, acc12);
        acc13 = fma(real4(real(w0_3.y)), x, acc13);
        acc14 = fma(real4(real(w0_3.z)), x, acc14);
        acc15 = fma(real4(real(w0_3.w)), x, acc15);
#endif
      }
      {
        let x = xb;
        acc0 = fma(real4(real(w1_0.x)), x, acc0);
        acc1 = fma(real4(real(w1_0.y)), x, acc1);
        acc2 = fma(real4(real(w1_0.z)), x, acc2);
        acc3 = fma(real4(real(w1_0.w)), x, acc3);
        acc4 = fma(real4(real(w1_1.x)), x, acc4);
        acc5 = fma(real4(real(w1_1.y)), x, acc5);
        acc6 = fma(real4(real(w1_1.z)), x, acc6);
        acc7 = fma(real4(real(w1_1.w)), x, acc7);
        acc8 = fma(real4(real(w1_2.x)), x, acc8);
        acc9 = fma(real4(real(w1_2.y)), x, acc9);
        acc10 = fma(real4(real(w1_2.z)), x, acc10);
        acc11 = fma(real4(real(w1_2.w)), x, acc11);
#if ${OC_BLOCK_GE_16}
        acc12 = fma(real4(real(w1_3.x)), x, acc12);
        acc13 = fma(real4(real(w1_3.y)), x, acc13);
        acc14 = fma(real4(real(w1_3.z)), x, acc14);
        acc15 = fma(real4(real(w1_3.w)), x, acc15);
#endif
      }
      {
        let x = xc;
        acc0 = fma(real4(real(w2_0.x)), x, acc0);
        acc1 = fma(real4(real(w2_0.y)), x, acc1);
        acc2 = fma(real4(real(w2_0.z)), x, acc2);
        acc3 = fma(real4(real(w2_0.w)), x, acc3);
        acc4 = fma(real4(real(w2_1.x)), x, acc4);
        acc5 = fma(real4(real(w2_1.y)), x, acc5);
        acc6 = fma(real4(real(w2_1.z)), x, acc6);
        acc7 = fma(real4(real(w2_1.w)), x, acc7);
        acc8 = fma(real4(real(w2_2.x)), x, acc8);
        acc9 = fma(real4(real(w2_2.y)), x, acc9);
        acc10 = fma(real4(real(w2_2.z)), x, acc10);
        acc11 = fma(real4(real(w2_2.w)), x, acc11);
#if ${OC_BLOCK_GE_16}
        acc12 = fma(real4(real(w2_3.x)), x, acc12);
        acc13 = fma(real4(real(w2_3.y)), x, acc13);
        acc14 = fma(real4(real(w2_3.z)), x, acc14);
        acc15 = fma(real4(real(w2_3.w)), x, acc15);
#endif
      }
#if ${TWO_ROWS}
      {
        let x = real4(y0, y1, y2, y3);
        bcc0 = fma(real4(real(w0_0.x)), x, bcc0);
        bcc1 = fma(real4(real(w0_0.y)), x, bcc1);
        bcc2 = fma(real4(real(w0_0.z)), x, bcc2);
        bcc3 = fma(real4(real(w0_0.w)), x, bcc3);
        bcc4 = fma(real4(real(w0_1.x)), x, bcc4);
        bcc5 = fma(real4(real(w0_1.y)), x, bcc5);
        bcc6 = fma(real4(real(w0_1.z)), x, bcc6);
        bcc7 = fma(real4(real(w0_1.w)), x, bcc7);
        bcc8 = fma(real4(real(w0_2.x)), x, bcc8);
        bcc9 = fma(real4(real(w0_2.y)), x, bcc9);
        bcc10 = fma(real4(real(w0_2.z)), x, bcc10);
        bcc11 = fma(real4(real(w0_2.w)), x, bcc11);
        bcc12 = fma(real4(real(w0_3.x)), x, bcc12);
        bcc13 = fma(real4(real(w0_3.y)), x, bcc13);
        bcc14 = fma(real4(real(w0_3.z)), x, bcc14);
        bcc15 = fma(real4(real(w0_3.w)), x, bcc15);
      }
      {
        let x = real4(y1, y2, y3, y4);
        bcc0 = fma(real4(real(w1_0.x)), x, bcc0);
        bcc1 = fma(real4(real(w1_0.y)), x, bcc1);
        bcc2 = fma(real4(real(w1_0.z)), x, bcc2);
        bcc3 = fma(real4(real(w1_0.w)), x, bcc3);
        bcc4 = fma(real4(real(w1_1.x)), x, bcc4);
        bcc5 = fma(real4(real(w1_1.y)), x, bcc5);
        bcc6 = fma(real4(real(w1_1.z)), x, bcc6);
        bcc7 = fma(real4(real(w1_1.w)), x, bcc7);
        bcc8 = fma(real4(real(w1_2.x)), x, bcc8);
        bcc9 = fma(real4(real(w1_2.y)), x, bcc9);
        bcc10 = fma(real4(real(w1_2.z)), x, bcc10);
        bcc11 = fma(real4(real(w1_2.w)), x, bcc11);
        bcc12 = fma(real4(real(w1_3.x)), x, bcc12);
        bcc13 = fma(real4(real(w1_3.y)), x, bcc13);
        bcc14 = fma(real4(real(w1_3.z)), x, bcc14);
        bcc15 = fma(real4(real(w1_3.w)), x, bcc15);
      }
      {
        let x = real4(y2, y3, y4, y5);
        bcc0 = fma(real4(real(w2_0.x)), x, bcc0);
        bcc1 = fma(real4(real(w2_0.y)), x, bcc1);
        bcc2 = fma(real4(real(w2_0.z)), x, bcc2);
        bcc3 = fma(real4(real(w2_0.w)), x, bcc3);
        bcc4 = fma(real4(real(w2_1.x)), x, bcc4);
        bcc5 = fma(real4(real(w2_1.y)), x, bcc5);
        bcc6 = fma(real4(real(w2_1.z)), x, bcc6);
        bcc7 = fma(real4(real(w2_1.w)), x, bcc7);
        bcc8 = fma(real4(real(w2_2.x)), x, bcc8);
        bcc9 = fma(real4(real(w2_2.y)), x, bcc9);
        bcc10 = fma(real4(real(w2_2.z)), x, bcc10);
        bcc11 = fma(real4(real(w2_2.w)), x, bcc11);
        bcc12 = fma(real4(real(w2_3.x)), x, bcc12);
        bcc13 = fma(real4(real(w2_3.y)), x, bcc13);
        bcc14 = fma(real4(real(w2_3.z)), x, bcc14);
        bcc15 = fma(real4(real(w2_3.w)), x, bcc15);
      }
#endif
#else
#if ${WINDOW_UNROLLED}
      // The three taps written out (no vector selects): faster on SwiftShader, slower on lavapipe
      // (see src/ops/conv2d.ts).
      {
#if ${W_PACKED}
        let wa = input_1[2u * (w_tap0)];
        let wb = input_1[2u * (w_tap0) + 1u];
        acc0 = fma(real4(real(wa.x)), xa, acc0);
        acc1 = fma(real4(real(wa.y)), xa, acc1);
        acc2 = fma(real4(real(wa.z)), xa, acc2);
        acc3 = fma(real4(real(wa.w)), xa, acc3);
        acc4 = fma(real4(real(wb.x)), xa, acc4);
        acc5 = fma(real4(real(wb.y)), xa, acc5);
        acc6 = fma(real4(real(wb.z)), xa, acc6);
        acc7 = fma(real4(real(wb.w)), xa, acc7);
#else
        acc0 = fma(real4(real(input_1[w0 + w_tap0])), xa, acc0);
#if ${OC_BLOCK_GE_2}
        acc1 = fma(real4(real(input_1[w1 + w_tap0])), xa, acc1);
#endif
#if ${OC_BLOCK_GE_4}
        acc2 = fma(real4(real(input_1[w2 + w_tap0])), xa, acc2);
        acc3 = fma(real4(real(input_1[w3 + w_tap0])), xa, acc3);
#endif
#if ${OC_BLOCK_GE_8}
        acc4 = fma(real4(real(input_1[w4 + w_tap0])), xa, acc4);
        acc5 = fma(real4(real(input_1[w5 + w_tap0])), xa, acc5);
        acc6 = fma(real4(real(input_1[w6 + w_tap0])), xa, acc6);
        acc7 = fma(real4(real(input_1[w7 + w_tap0])), xa, acc7);
#endif
#endif
      }
      {
#if ${W_PACKED}
        let wa = input_1[2u * (w_tap0 + 1u)];
        let wb = input_1[2u * (w_tap0 + 1u) + 1u];
        acc0 = fma(real4(real(wa.x)), xb, acc0);
        acc1 = fma(real4(real(wa.y)), xb, acc1);
        acc2 = fma(real4(real(wa.z)), xb, acc2);
        acc3 = fma(real4(real(wa.w)), xb, acc3);
        acc4 = fma(real4(real(wb.x)), xb, acc4);
        acc5 = fma(real4(real(wb.y)), xb, acc5);
        acc6 = fma(real4(real(wb.z)), xb, acc6);
        acc7 = fma(real4(real(wb.w)), xb, acc7);
#else
        acc0 = fma(real4(real(input_1[w0 + w_tap0 + 1u])), xb, acc0);
#if ${OC_BLOCK_GE_2}
        acc1 = fma(real4(real(input_1[w1 + w_tap0 + 1u])), xb, acc1);
#endif
#if ${OC_BLOCK_GE_4}
        acc2 = fma(real4(real(input_1[w2 + w_tap0 + 1u])), xb, acc2);
        acc3 = fma(real4(real(input_1[w3 + w_tap0 + 1u])), xb, acc3);
#endif
#if ${OC_BLOCK_GE_8}
        acc4 = fma(real4(real(input_1[w4 + w_tap0 + 1u])), xb, acc4);
        acc5 = fma(real4(real(input_1[w5 + w_tap0 + 1u])), xb, acc5);
        acc6 = fma(real4(real(input_1[w6 + w_tap0 + 1u])), xb, acc6);
        acc7 = fma(real4(real(input_1[w7 + w_tap0 + 1u])), xb, acc7);
#endif
#endif
      }
      {
#if ${W_PACKED}
        let wa = input_1[2u * (w_tap0 + 2u)];
        let wb = input_1[2u * (w_tap0 + 2u) + 1u];
        acc0 = fma(real4(real(wa.x)), xc, acc0);
        acc1 = fma(real4(real(wa.y)), xc, acc1);
        acc2 = fma(real4(real(wa.z)), xc, acc2);
        acc3 = fma(real4(real(wa.w)), xc, acc3);
        acc4 = fma(real4(real(wb.x)), xc, acc4);
        acc5 = fma(real4(real(wb.y)), xc, acc5);
        acc6 = fma(real4(real(wb.z)), xc, acc6);
        acc7 = fma(real4(real(wb.w)), xc, acc7);
#else
        acc0 = fma(real4(real(input_1[w0 + w_tap0 + 2u])), xc, acc0);
#if ${OC_BLOCK_GE_2}
        acc1 = fma(real4(real(input_1[w1 + w_tap0 + 2u])), xc, acc1);
#endif
#if ${OC_BLOCK_GE_4}
        acc2 = fma(real4(real(input_1[w2 + w_tap0 + 2u])), xc, acc2);
        acc3 = fma(real4(real(input_1[w3 + w_tap0 + 2u])), xc, acc3);
#endif
#if ${OC_BLOCK_GE_8}
        acc4 = fma(real4(real(input_1[w4 + w_tap0 + 2u])), xc, acc4);
        acc5 = fma(real4(real(input_1[w5 + w_tap0 + 2u])), xc, acc5);
        acc6 = fma(real4(real(input_1[w6 + w_tap0 + 2u])), xc, acc6);
        acc7 = fma(real4(real(input_1[w7 + w_tap0 + 2u])), xc, acc7);
#endif
#endif
      }
#else
      for (var kx = 0u; kx < 3u; kx++) {
        let x = select(select(xc, xb, kx == 1u), xa, kx == 0u);
#if ${W_PACKED}
        let wa = input_1[2u * (w_tap0 + kx)];
        let wb = input_1[2u * (w_tap0 + kx) + 1u];
        acc0 = fma(real4(real(wa.x)), x, acc0);
        acc1 = fma(real4(real(wa.y)), x, acc1);
        acc2 = fma(real4(real(wa.z)), x, acc2);
        acc3 = fma(real4(real(wa.w)), x, acc3);
        acc4 = fma(real4(real(wb.x)), x, acc4);
        acc5 = fma(real4(real(wb.y)), x, acc5);
        acc6 = fma(real4(real(wb.z)), x, acc6);
        acc7 = fma(real4(real(wb.w)), x, acc7);
#else
        acc0 = fma(real4(real(input_1[w0 + w_tap0 + kx])), x, acc0);
#if ${OC_BLOCK_GE_2}
        acc1 = fma(real4(real(input_1[w1 + w_tap0 + kx])), x, acc1);
#endif
#if ${OC_BLOCK_GE_4}
        acc2 = fma(real4(real(input_1[w2 + w_tap0 + kx])), x, acc2);
        acc3 = fma(real4(real(input_1[w3 + w_tap0 + kx])), x, acc3);
#endif
#if ${OC_BLOCK_GE_8}
        acc4 = fma(real4(real(input_1[w4 + w_tap0 + kx])), x, acc4);
        acc5 = fma(real4(real(input_1[w5 + w_tap0 + kx])), x, acc5);
        acc6 = fma(real4(real(input_1[w6 + w_tap0 + kx])), x, acc6);
        acc7 = fma(real4(real(input_1[w7 + w_tap0 + kx])), x, acc7);
#endif
#endif
      }
#endif
#endif
#else
      for (var kx = 0u; kx < params.kernel_width; kx++) {
        let ix = ix_origin + i32(kx * params.dilation_x);
        let x = real4(input_at(row, row_inside, ix), input_at(row, row_inside, ix + sx),
                          input_at(row, row_inside, ix + 2i * sx), input_at(row, row_inside, ix + 3i * sx));
#if ${W_PACKED}
        let wa = input_1[2u * (w_tap0 + kx)];
        let wb = input_1[2u * (w_tap0 + kx) + 1u];
        acc0 = fma(real4(real(wa.x)), x, acc0);
        acc1 = fma(real4(real(wa.y)), x, acc1);
        acc2 = fma(real4(real(wa.z)), x, acc2);
        acc3 = fma(real4(real(wa.w)), x, acc3);
        acc4 = fma(real4(real(wb.x)), x, acc4);
        acc5 = fma(real4(real(wb.y)), x, acc5);
        acc6 = fma(real4(real(wb.z)), x, acc6);
        acc7 = fma(real4(real(wb.w)), x, acc7);
#else
        acc0 = fma(real4(real(input_1[w0 + w_tap0 + kx])), x, acc0);
#if ${OC_BLOCK_GE_2}
        acc1 = fma(real4(real(input_1[w1 + w_tap0 + kx])), x, acc1);
#endif
#if ${OC_BLOCK_GE_4}
        acc2 = fma(real4(real(input_1[w2 + w_tap0 + kx])), x, acc2);
        acc3 = fma(real4(real(input_1[w3 + w_tap0 + kx])), x, acc3);
#endif
#if ${OC_BLOCK_GE_8}
        acc4 = fma(real4(real(input_1[w4 + w_tap0 + kx])), x, acc4);
        acc5 = fma(real4(real(input_1[w5 + w_tap0 + kx])), x, acc5);
        acc6 = fma(real4(real(input_1[w6 + w_tap0 + kx])), x, acc6);
        acc7 = fma(real4(real(input_1[w7 + w_tap0 + kx])), x, acc7);
#endif
#endif
      }
#endif
    }
  }
  if (!valid) {
    return;
  }
  // The channels are stored in a loop over an array rather than written out: 16 inlined epilogues
  // (bias, activation, 4 checked stores each) made lavapipe's first-dispatch JIT of this shader
  // ~1.1 s (MTCNN's PNet conv1, MESA_SHADER_CACHE_DISABLE=true); the loop's trip count is a
  // uniform (the channels of this block that exist), so it is not unrolled.
  var accs: array<vec4<f32>, ${OC_BLOCK}>;
  accs[0] = vec4<f32>(acc0);
#if ${OC_BLOCK_GE_2}
  accs[1] = vec4<f32>(acc1);
#endif
#if ${OC_BLOCK_GE_4}
  accs[2] = vec4<f32>(acc2);
  accs[3] = vec4<f32>(acc3);
#endif
#if ${OC_BLOCK_GE_8}
  accs[4] = vec4<f32>(acc4);
  accs[5] = vec4<f32>(acc5);
  accs[6] = vec4<f32>(acc6);
  accs[7] = vec4<f32>(acc7);
#endif
#if ${OC_BLOCK_GE_12}
  accs[8] = vec4<f32>(acc8);
  accs[9] = vec4<f32>(acc9);
  accs[10] = vec4<f32>(acc10);
  accs[11] = vec4<f32>(acc11);
#endif
#if ${OC_BLOCK_GE_16}
  accs[12] = vec4<f32>(acc12);
  accs[13] = vec4<f32>(acc13);
  accs[14] = vec4<f32>(acc14);
  accs[15] = vec4<f32>(acc15);
#endif
  let channels = min(${OC_BLOCK}u, params.out_channels - oc0);
  for (var j = 0u; j < channels; j++) {
    store_channel(accs[j], n, oc0 + j, oy, ox0);
  }
#if ${TWO_ROWS}
  if (oy + 1u >= params.out_height) {
    return;
  }
  accs[0] = vec4<f32>(bcc0);
  accs[1] = vec4<f32>(bcc1);
  accs[2] = vec4<f32>(bcc2);
  accs[3] = vec4<f32>(bcc3);
  accs[4] = vec4<f32>(bcc4);
  accs[5] = vec4<f32>(bcc5);
  accs[6] = vec4<f32>(bcc6);
  accs[7] = vec4<f32>(bcc7);
  accs[8] = vec4<f32>(bcc8);
  accs[9] = vec4<f32>(bcc9);
  accs[10] = vec4<f32>(bcc10);
  accs[11] = vec4<f32>(bcc11);
  accs[12] = vec4<f32>(bcc12);
  accs[13] = vec4<f32>(bcc13);
  accs[14] = vec4<f32>(bcc14);
  accs[15] = vec4<f32>(bcc15);
  for (var j = 0u; j < channels; j++) {
    store_channel(accs[j], n, oc0 + j, oy + 1u, ox0);
  }
#endif
}
