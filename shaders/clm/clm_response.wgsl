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
var<workgroup> area: array<f32, AOI_MAX * AOI_MAX>;
var<workgroup> low: array<f32, 3u * WG>;   // per response type, per invocation
var<workgroup> high: array<f32, 3u * WG>;

// Pixel (x, y) of the W x W patch of response type `kind` (0 raw, 1 sobel, 2 lbp) from the AOI
// with margin in workgroup memory.
fn patch_value(kind: u32, x: i32, y: i32) -> f32 {
  let s = i32(params.aoi_side);
  let at = (y + 1) * s + x + 1;
  if (kind == 0u) {
    return area[at];
  }
  if (kind == 1u) {
    let gx = area[at - s + 1] + 2.0 * area[at + 1] + area[at + s + 1] - area[at - s - 1] - 2.0 * area[at - 1] - area[at + s - 1];
    let gy = area[at + s - 1] + 2.0 * area[at + s] + area[at + s + 1] - area[at - s - 1] - 2.0 * area[at - s] - area[at - s + 1];
    return sqrt(gx * gx + gy * gy) / 4.0;
  }
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
      for (var r = lid; r < ws * ws; r += WG) {
        let jj = i32(r % ws);
        let ii = i32(r / ws);
        var wlo = 3.4e38;
        var whi = -3.4e38;
        for (var dy = 0; dy < i32(ps); dy++) {
          for (var dx = 0; dx < i32(ps); dx++) {
            let v = patch_value(kind, jj + dx, ii + dy);
            wlo = min(wlo, v);
            whi = max(whi, v);
          }
        }
        var sum = 0.0;
        if (whi > wlo) {
          for (var dy = 0; dy < i32(ps); dy++) {
            for (var dx = 0; dx < i32(ps); dx++) {
              sum += (patch_value(kind, jj + dx, ii + dy) - wlo) * filters[filter_at + u32(dy) * ps + u32(dx)];
            }
          }
          sum /= whi - wlo;
        }
        let value = 1.0 / (1.0 + exp(-(sum + bias)));
        aoi[raw + r] = value;
        lo = min(lo, value);
        hi = max(hi, value);
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
