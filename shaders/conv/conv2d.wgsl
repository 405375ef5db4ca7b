// 2-D convolution, NCHW input, OIHW weights (O = out channels, I = in channels per group), with
// stride, padding, dilation, groups (depthwise included), optional bias and fused activation.
//
// Each invocation computes an OC_BLOCK x 4 register block: OC_BLOCK output channels at 4 adjacent
// output columns. Every input value loaded is reused OC_BLOCK times and every weight 4 times, which
// is what makes software rasterizers (lanes = SIMD lanes of a CPU) fast here; workgroup memory is
// deliberately not used because on CPU adapters it only adds copies. OC_BLOCK is 4 when the output
// channels of a group come in fours, else 1 (depthwise and odd groups).
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
  oc_blocks: u32,
  ox_blocks: u32,
  block_count: u32,  // batch * oc_blocks * out_height * ox_blocks
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
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let block = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (block >= params.block_count) {
    return;
  }
  let ox_block = block % params.ox_blocks;
  var rest = block / params.ox_blocks;
  let oy = rest % params.out_height;
  rest = rest / params.out_height;
  let oc_block = rest % params.oc_blocks;
  let n = rest / params.oc_blocks;

  let oc0 = oc_block * ${OC_BLOCK}u;
  let ic0 = (oc0 / params.out_channels_per_group) * params.in_channels_per_group;
  let ox0 = ox_block * 4u;
  let kernel_area = params.kernel_height * params.kernel_width;
  let in_w = i32(params.in_width);

  // Weight rows of the block's channels; the clamp keeps reads in bounds for a partial last block.
  var w_row: array<u32, ${OC_BLOCK}>;
  for (var j = 0u; j < ${OC_BLOCK}u; j++) {
    w_row[j] = min(oc0 + j, params.out_channels - 1u) * params.in_channels_per_group * kernel_area;
  }
  var acc: array<vec4<f32>, ${OC_BLOCK}>;
  for (var j = 0u; j < ${OC_BLOCK}u; j++) {
    acc[j] = vec4<f32>(0.0);
  }

  let ix_origin = i32(ox0 * params.stride_x) - i32(params.pad_left);
  let iy_origin = i32(oy * params.stride_y) - i32(params.pad_top);
  for (var ci = 0u; ci < params.in_channels_per_group; ci++) {
    let plane = (n * params.in_channels + ic0 + ci) * params.in_height * params.in_width;
    for (var ky = 0u; ky < params.kernel_height; ky++) {
      let iy = iy_origin + i32(ky * params.dilation_y);
      if (iy < 0i || iy >= i32(params.in_height)) {
        continue;
      }
      let row = plane + u32(iy) * params.in_width;
      let w_tap0 = (ci * params.kernel_height + ky) * params.kernel_width;
      for (var kx = 0u; kx < params.kernel_width; kx++) {
        let ix = ix_origin + i32(kx * params.dilation_x);
        var x: vec4<f32>;
        for (var p = 0u; p < 4u; p++) {
          let xi = ix + i32(p * params.stride_x);
          let inside = xi >= 0i && xi < in_w;
          x[p] = select(0.0, input_0[row + u32(clamp(xi, 0i, in_w - 1i))], inside);
        }
        let tap = w_tap0 + kx;
        for (var j = 0u; j < ${OC_BLOCK}u; j++) {
          acc[j] = fma(vec4<f32>(input_1[w_row[j] + tap]), x, acc[j]);
        }
      }
    }
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
