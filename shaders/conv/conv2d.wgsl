// 2-D convolution, NCHW input, OIHW weights (O = out channels, I = in channels per group), with
// stride, padding, dilation, groups (depthwise included), optional bias and fused activation.
//
// Launch: workgroup_id.y picks a block of OC_BLOCK output channels, workgroup_id.z the image, and
// the invocations of x cover the output pixels, 4 adjacent columns each. So every weight index is
// the same for all invocations of a workgroup: on CPU adapters (lavapipe, SwiftShader), whose SIMD
// lanes are the invocations, a weight load is one scalar load broadcast to all lanes instead of a
// gather, and each input value gathered is reused OC_BLOCK times. No workgroup memory: on CPUs it
// only adds copies.
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
  alpha: f32,
  beta: f32,
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // x  [N, C, H, W]
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // w  [O, C/groups, KH, KW]
#if ${HAS_BIAS}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // bias [O]
#endif
#if ${ACT_PRELU}
@group(0) @binding(3) var<storage, read> input_3: array<f32>;  // PReLU slope [O]
#endif
@group(0) @binding(4) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  // Uniform across the workgroup: image, channel block, group, weight rows.
  let n = wg.z;
  let oc0 = wg.y * ${OC_BLOCK}u;
  let ic0 = (oc0 / params.out_channels_per_group) * params.in_channels_per_group;
  let kernel_area = params.kernel_height * params.kernel_width;
  var w_row: array<u32, ${OC_BLOCK}>;
  for (var j = 0u; j < ${OC_BLOCK}u; j++) {
    // Clamped so a partial last block reads in bounds; its extra results are never written.
    w_row[j] = min(oc0 + j, params.out_channels - 1u) * params.in_channels_per_group * kernel_area;
  }

  // Per invocation: 4 adjacent output columns of one output row.
  let block = wg.x * ${WORKGROUP_SIZE}u + lane;
  let in_range = block < params.pixel_blocks;
  let oy = min(block / params.ox_blocks, params.out_height - 1u);
  let ox0 = (block % params.ox_blocks) * 4u;
  let in_w = i32(params.in_width);
  let ix_origin = i32(ox0 * params.stride_x) - i32(params.pad_left);
  let iy_origin = i32(oy * params.stride_y) - i32(params.pad_top);

  var acc: array<vec4<f32>, ${OC_BLOCK}>;
  for (var j = 0u; j < ${OC_BLOCK}u; j++) {
    acc[j] = vec4<f32>(0.0);
  }
  for (var ci = 0u; ci < params.in_channels_per_group; ci++) {
    let plane = (n * params.in_channels + ic0 + ci) * params.in_height * params.in_width;
    for (var ky = 0u; ky < params.kernel_height; ky++) {
      let iy = iy_origin + i32(ky * params.dilation_y);
      let row_inside = iy >= 0i && iy < i32(params.in_height);
      let row = plane + u32(clamp(iy, 0i, i32(params.in_height) - 1i)) * params.in_width;
      let w_tap0 = (ci * params.kernel_height + ky) * params.kernel_width;
#if ${FIXED_WINDOW}
      // Kernel width and stride are compile-time here (dilation 1): the WINDOW input values the 4
      // outputs need from this row are gathered once and every tap reads them from registers.
      var xs: array<f32, ${WINDOW}>;
      for (var t = 0u; t < ${WINDOW}u; t++) {
        let xi = ix_origin + i32(t);
        xs[t] = select(0.0, input_0[row + u32(clamp(xi, 0i, in_w - 1i))], row_inside && xi >= 0i && xi < in_w);
      }
      for (var kx = 0u; kx < ${KERNEL_WIDTH}u; kx++) {
        let x = vec4<f32>(xs[kx], xs[kx + ${STRIDE_X}u], xs[kx + 2u * ${STRIDE_X}u], xs[kx + 3u * ${STRIDE_X}u]);
        let tap = w_tap0 + kx;
        for (var j = 0u; j < ${OC_BLOCK}u; j++) {
          acc[j] = fma(vec4<f32>(input_1[w_row[j] + tap]), x, acc[j]);
        }
      }
#else
      for (var kx = 0u; kx < params.kernel_width; kx++) {
        let ix = ix_origin + i32(kx * params.dilation_x);
        var x: vec4<f32>;
        for (var p = 0u; p < 4u; p++) {
          let xi = ix + i32(p * params.stride_x);
          let inside = row_inside && xi >= 0i && xi < in_w;
          x[p] = select(0.0, input_0[row + u32(clamp(xi, 0i, in_w - 1i))], inside);
        }
        let tap = w_tap0 + kx;
        for (var j = 0u; j < ${OC_BLOCK}u; j++) {
          acc[j] = fma(vec4<f32>(input_1[w_row[j] + tap]), x, acc[j]);
        }
      }
#endif
    }
  }
  if (!in_range) {
    return;
  }

  for (var j = 0u; j < ${OC_BLOCK}u; j++) {
    let oc = oc0 + j;
    if (oc >= params.out_channels) {
      break;
    }
#if ${HAS_BIAS}
    var v = acc[j] + vec4<f32>(input_2[oc]);
#else
    var v = acc[j];
#endif
#if ${ACT_PRELU}
    let slope = input_3[oc];
    v = select(v * slope, v, v >= vec4<f32>(0.0));
#else
    for (var p = 0u; p < 4u; p++) {
      v[p] = activate(v[p], params.alpha, params.beta);
    }
#endif
    let out_row = ((n * params.out_channels + oc) * params.out_height + oy) * params.out_width;
    for (var p = 0u; p < 4u; p++) {
      if (ox0 + p < params.out_width) {
        output_0[out_row + ox0 + p] = v[p];
      }
    }
  }
}
