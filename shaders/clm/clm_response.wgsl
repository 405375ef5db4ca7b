// CLM SVM responses (clmtrackr's WebGL semantics, see src/pipelines/clm/reference.ts): per
// (landmark, face), for each response pixel the window's (p - min) / (max - min) correlated with the
// landmark's filter (row-major, no flip), sigmoid(x + bias); each type's map min-max to [0, 1] over
// the landmark (a constant map becomes 1), the types averaged. Two kernels, neither with a barrier:
//   response_map:       one pipeline per response type (the patch transform KIND_SOBEL / KIND_LBP /
//                       neither for raw, and BLOCK, the model's filter block of that type): the
//                       type's raw map, 4 adjacent response pixels per invocation, into the AOI
//                       buffer's tail;
//   response_normalise: per (landmark, face), each type's map min-max, the types averaged.
// A barrier (even the uniform load of a flag) makes SwiftShader run every subgroup of every
// workgroup as a coroutine: bench-clm's responses (35 faces x 71 landmarks, 10 dispatches) took
// 4.1 s there in one kernel with barriers, 64 invocations per workgroup, and 2.6 s with 32.
@group(0) @binding(0) var<storage, read> state: array<f32>;
@group(0) @binding(1) var<storage, read_write> aoi: array<f32>;          // [face][landmark][aoi_stride]: the area, then 3 raw maps
@group(0) @binding(2) var<storage, read_write> responses: array<f32>;    // [face][landmark][max_window^2]
@group(0) @binding(3) var<storage, read> filters: array<f32>;            // [type][landmark][ps^2]
@group(0) @binding(4) var<storage, read> biases: array<f32>;             // [type][landmark]
@group(0) @binding(5) var<uniform> params: Params;

// response_map's type: its filters' block in the model (and bit in params.types, and raw map slot).
const BLOCK = ${BLOCK}u;

// Pixel (x, y) of the patch area, of response_map's type, from the AOI at `src` (side aoi_side, with a
// 1-pixel margin). The type is a define: SwiftShader runs every arm of a branch on it.
fn patch_value(src: u32, x: i32, y: i32) -> f32 {
  let s = i32(params.aoi_side);
  let at = i32(src) + (y + 1) * s + x + 1;
#if ${KIND_SOBEL}
  let gx = aoi[at - s + 1] + 2.0 * aoi[at + 1] + aoi[at + s + 1] - aoi[at - s - 1] - 2.0 * aoi[at - 1] - aoi[at + s - 1];
  let gy = aoi[at + s - 1] + 2.0 * aoi[at + s] + aoi[at + s + 1] - aoi[at - s - 1] - 2.0 * aoi[at - s] - aoi[at - s + 1];
  return sqrt(gx * gx + gy * gy) / 4.0;
#elif ${KIND_LBP}
  let c = aoi[at];
  var code = 0.0;
  code += select(0.0, 1.0, aoi[at + 1] >= c);
  code += select(0.0, 2.0, aoi[at - s + 1] >= c);
  code += select(0.0, 4.0, aoi[at - s] >= c);
  code += select(0.0, 8.0, aoi[at - s - 1] >= c);
  code += select(0.0, 16.0, aoi[at - 1] >= c);
  code += select(0.0, 32.0, aoi[at + s - 1] >= c);
  code += select(0.0, 64.0, aoi[at + s] >= c);
  code += select(0.0, 128.0, aoi[at + s + 1] >= c);
  return code;
#else
  return aoi[at];
#endif
}

// The correlations of 4 adjacent windows (top-left columns x0..x0 + 3, row y0) with the filter,
// each of the window's (p - min) / (max - min), 0 for a constant window. The 4 windows slide along
// the patch rows together, so one AOI value per tap serves all 4, and min, max and correlation
// take one pass. Summed as (p - c) f with c the window's first pixel, then less (min - c) sum(f):
// every term stays within the window's range, as in sum((p - min) f), so the rounding is of the
// same order. Columns past the response map (the last block's) read clamped pixels; not stored.
fn window4(src: u32, x0: i32, y0: i32, ps: u32, filter_at: u32) -> vec4<f32> {
  let last = i32(params.aoi_side) - 3;
  let c = vec4<f32>(patch_value(src, x0, y0), patch_value(src, min(x0 + 1, last), y0),
                    patch_value(src, min(x0 + 2, last), y0), patch_value(src, min(x0 + 3, last), y0));
  var lo = vec4<f32>(3.4e38);
  var hi = vec4<f32>(-3.4e38);
  var acc = vec4<f32>(0.0);
  var filter_sum = 0.0;
  for (var dy = 0; dy < i32(ps); dy++) {
    let y = y0 + dy;
    var w = vec3<f32>(patch_value(src, x0, y), patch_value(src, min(x0 + 1, last), y), patch_value(src, min(x0 + 2, last), y));
    for (var dx = 0; dx < i32(ps); dx++) {
      let v = vec4<f32>(w, patch_value(src, min(x0 + dx + 3, last), y));
      let f = filters[filter_at + u32(dy) * ps + u32(dx)];
      acc += (v - c) * f;
      filter_sum += f;
      lo = min(lo, v);
      hi = max(hi, v);
      w = v.yzw;
    }
  }
  let range = hi - lo;
  return select(vec4<f32>(0.0), (acc - (lo - c) * filter_sum) / range, range > vec4<f32>(0.0));
}

// The AOI buffer's raw map of filter block `block` for landmark `i` of `face`.
fn raw_map(face: u32, i: u32, block: u32) -> u32 {
  let side = params.aoi_side;
  return (face * params.points + i) * params.aoi_stride + side * side + block * params.window * params.window;
}

// One invocation per (face, landmark, row, block of 4 columns) of the type's map.
@compute @workgroup_size(${WORKGROUP_SIZE})
fn response_map(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let ws = params.window;
  let blocks = (ws + 3u) / 4u;
  let g = linear_index(gid, groups, WG);
  let per_face = params.points * ws * blocks;
  let face = g / per_face;
  if (face >= params.faces || face_converged(face)) {
    return;
  }
  let i = (g % per_face) / (ws * blocks);
  let item = g % (ws * blocks);
  let ii = item / blocks;
  let jj = (item % blocks) * 4u;
  let ps = params.patch_size;
  let src = (face * params.points + i) * params.aoi_stride;
  let top = window4(src, i32(jj), i32(ii), ps, (BLOCK * params.points + i) * ps * ps);
  let bias = biases[BLOCK * params.points + i];
  let raw = raw_map(face, i, BLOCK) + ii * ws + jj;
  let value = 1.0 / (1.0 + exp(-(top + vec4<f32>(bias))));
  for (var k = 0u; k < min(4u, ws - jj); k++) {
    aoi[raw + k] = value[k];
  }
}

// One invocation per (face, landmark): the types' maps min-max normalised and averaged, summed in
// type order.
@compute @workgroup_size(${WORKGROUP_SIZE})
fn response_normalise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = linear_index(gid, groups, WG);
  let face = g / params.points;
  if (face >= params.faces || face_converged(face)) {
    return;
  }
  let i = g % params.points;
  let cells = params.window * params.window;
  var lows = vec3<f32>(0.0);
  var highs = vec3<f32>(0.0);
  for (var block = 0u; block < 3u; block++) {
    if ((params.types & (1u << block)) != 0u) {
      let raw = raw_map(face, i, block);
      var lo = 3.4e38;
      var hi = -3.4e38;
      for (var r = 0u; r < cells; r++) {
        lo = min(lo, aoi[raw + r]);
        hi = max(hi, aoi[raw + r]);
      }
      lows[block] = lo;
      highs[block] = hi;
    }
  }
  let kinds = f32(countOneBits(params.types & 7u));
  let out = (face * params.points + i) * params.max_window * params.max_window;
  for (var r = 0u; r < cells; r++) {
    var total = 0.0;
    for (var block = 0u; block < 3u; block++) {
      if ((params.types & (1u << block)) != 0u) {
        let v = aoi[raw_map(face, i, block) + r];
        total += select(1.0, (v - lows[block]) / (highs[block] - lows[block]), highs[block] > lows[block]);
      }
    }
    responses[out + r] = total / kinds;
  }
}
