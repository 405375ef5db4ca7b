// CLM SVM responses (clmtrackr's WebGL semantics, see src/pipelines/clm/reference.ts): per
// (landmark, face), for each response pixel the window's (p - min) / (max - min) correlated with the
// landmark's filter (row-major, no flip), sigmoid(x + bias); each type's map min-max to [0, 1] over
// the landmark (a constant map becomes 1), the types averaged. The AOI sits in workgroup memory;
// sobel / lbp values are computed from it on the fly.
@group(0) @binding(0) var<storage, read> state: array<f32>;
@group(0) @binding(1) var<storage, read_write> aoi: array<f32>;          // [face][landmark][aoi_stride]: the area, then 3 raw maps
@group(0) @binding(2) var<storage, read_write> responses: array<f32>;    // [face][landmark][max_window^2]
@group(0) @binding(3) var<storage, read> filters: array<f32>;            // [type][landmark][ps^2]
@group(0) @binding(4) var<storage, read> biases: array<f32>;             // [type][landmark]
@group(0) @binding(5) var<uniform> params: Params;

const AOI_MAX = ${AOI_MAX}u;
const PLANE = AOI_MAX * AOI_MAX;
var<workgroup> area: array<f32, PLANE>;
// Per response type in use (TYPES of them, in type order), its patch values over the AOI without
// its margin (side aoi_side - 2), computed once per landmark rather than at every tap behind a
// branch on the type: bench-clm's SVM responses (35 faces, 10 dispatches) on SwiftShader 8.5 ->
// 4.4 s, lavapipe unchanged (~0.3 s).
var<workgroup> planes: array<f32, ${TYPES}u * PLANE>;
var<workgroup> low: array<f32, 3u * WG>;   // per response type, per invocation
var<workgroup> high: array<f32, 3u * WG>;

// The AOI (with margin) around pixel (x, y) of the patch area: at = (y + 1) * s + x + 1.
fn sobel_at(at: i32, s: i32) -> f32 {
  let gx = area[at - s + 1] + 2.0 * area[at + 1] + area[at + s + 1] - area[at - s - 1] - 2.0 * area[at - 1] - area[at + s - 1];
  let gy = area[at + s - 1] + 2.0 * area[at + s] + area[at + s + 1] - area[at - s - 1] - 2.0 * area[at - s] - area[at - s + 1];
  return sqrt(gx * gx + gy * gy) / 4.0;
}

fn lbp_at(at: i32, s: i32) -> f32 {
  let c = area[at];
  var code = 0.0;
  code += select(0.0, 1.0, area[at + 1] >= c);
  code += select(0.0, 2.0, area[at - s + 1] >= c);
  code += select(0.0, 4.0, area[at - s] >= c);
  code += select(0.0, 8.0, area[at - s - 1] >= c);
  code += select(0.0, 16.0, area[at - 1] >= c);
  code += select(0.0, 32.0, area[at + s - 1] >= c);
  code += select(0.0, 64.0, area[at + s] >= c);
  code += select(0.0, 128.0, area[at + s + 1] >= c);
  return code;
}

// Fills `planes` for the types in params.types (the caller puts a barrier after).
fn fill_planes(lid: u32) {
  let s = i32(params.aoi_side);
  let inner = params.aoi_side - 2u;
  for (var t = lid; t < inner * inner; t += WG) {
    let at = (i32(t / inner) + 1) * s + i32(t % inner) + 1;
    if ((params.types & 1u) != 0u) {
      planes[plane_of(0u) + t] = area[at];
    }
    if ((params.types & 2u) != 0u) {
      planes[plane_of(1u) + t] = sobel_at(at, s);
    }
    if ((params.types & 4u) != 0u) {
      planes[plane_of(2u) + t] = lbp_at(at, s);
    }
  }
}

// Where response type `kind` (0 raw, 1 sobel, 2 lbp; in use) starts in `planes`.
fn plane_of(kind: u32) -> u32 {
  return countOneBits(params.types & ((1u << kind) - 1u)) * PLANE;
}

// Pixel (x, y) of the patch area for response type `kind`.
fn patch_value(kind: u32, x: i32, y: i32) -> f32 {
  return planes[plane_of(kind) + u32(y) * (params.aoi_side - 2u) + u32(x)];
}

// The correlations of 4 adjacent windows (top-left columns x0..x0 + 3, row y0) with the filter,
// each of the window's (p - min) / (max - min), 0 for a constant window. Summed as (p - c) f with
// c the window's first pixel, then less (min - c) sum(f): every term stays within the window's
// range, as in sum((p - min) f), so the rounding is of the same order as two passes. Columns past
// the response map (the last block's) read clamped pixels and are not stored.
fn window4(kind: u32, x0: i32, y0: i32, ps: u32, filter_at: u32) -> vec4<f32> {
  let last = i32(params.aoi_side) - 3;
  let c = vec4<f32>(patch_value(kind, x0, y0), patch_value(kind, min(x0 + 1, last), y0),
                    patch_value(kind, min(x0 + 2, last), y0), patch_value(kind, min(x0 + 3, last), y0));
  var lo = vec4<f32>(3.4e38);
  var hi = vec4<f32>(-3.4e38);
  var acc = vec4<f32>(0.0);
  var filter_sum = 0.0;
  for (var dy = 0; dy < i32(ps); dy++) {
    let y = y0 + dy;
    var w = vec3<f32>(patch_value(kind, x0, y), patch_value(kind, min(x0 + 1, last), y), patch_value(kind, min(x0 + 2, last), y));
    for (var dx = 0; dx < i32(ps); dx++) {
      let v = vec4<f32>(w, patch_value(kind, min(x0 + dx + 3, last), y));
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

@compute @workgroup_size(${WORKGROUP_SIZE})
fn response(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wid.x;
  let face = wid.y;
  if (face_done(face, lid)) {
    return;
  }
  let side = params.aoi_side;
  let src = (face * params.points + i) * params.aoi_stride;
  for (var t = lid; t < side * side; t += WG) {
    area[t] = aoi[src + t];
  }
  workgroupBarrier();
  fill_planes(lid);
  workgroupBarrier();
  let ws = params.window;
  let ps = params.patch_size;
  let out = (face * params.points + i) * params.max_window * params.max_window;
  // Every type's raw map first (to the AOI buffer's tail, free once the area is in workgroup
  // memory), then one barrier, then the min-max normalisation: no barrier inside a loop, which
  // lavapipe's JIT turns into costly coroutine code.
  for (var kind = 0u; kind < 3u; kind++) {
    var lo = 3.4e38;
    var hi = -3.4e38;
    if ((params.types & (1u << kind)) != 0u) {
      let filter_at = (kind * params.points + i) * ps * ps;
      let bias = biases[kind * params.points + i];
      let raw = src + side * side + kind * ws * ws;
      // Each invocation takes 4 adjacent response pixels of one row and slides their 4 windows
      // along the patch rows together: one AOI load per patch pixel serves all 4 (the windows'
      // min, max and correlation in one pass) instead of two loads per window pixel.
      let blocks = (ws + 3u) / 4u;
      for (var item = lid; item < ws * blocks; item += WG) {
        let ii = i32(item / blocks);
        let jj = i32(item % blocks) * 4;
        let top = window4(kind, jj, ii, ps, filter_at);
        for (var k = 0u; k < 4u; k++) {
          if (u32(jj) + k < ws) {
            let value = 1.0 / (1.0 + exp(-(top[k] + bias)));
            aoi[raw + u32(ii) * ws + u32(jj) + k] = value;
            lo = min(lo, value);
            hi = max(hi, value);
          }
        }
      }
    }
    low[kind * WG + lid] = lo;
    high[kind * WG + lid] = hi;
  }
  storageBarrier();
  workgroupBarrier();
  // Each type's range, serially by invocation 0 (see clm_fit.wgsl's reduce_sum_max).
  if (lid == 0u) {
    for (var kind = 0u; kind < 3u; kind++) {
      for (var k = 1u; k < WG; k++) {
        low[kind * WG] = min(low[kind * WG], low[kind * WG + k]);
        high[kind * WG] = max(high[kind * WG], high[kind * WG + k]);
      }
    }
  }
  workgroupBarrier();
  // The types' normalised maps averaged, summed in type order.
  let kinds = countOneBits(params.types & 7u);
  for (var r = lid; r < ws * ws; r += WG) {
    var total = 0.0;
    for (var kind = 0u; kind < 3u; kind++) {
      if ((params.types & (1u << kind)) != 0u) {
        let v = aoi[src + side * side + kind * ws * ws + r];
        let mn = low[kind * WG];
        let mx = high[kind * WG];
        total += select(1.0, (v - mn) / (mx - mn), mx > mn);
      }
    }
    responses[out + r] = total / f32(kinds);
  }
}
