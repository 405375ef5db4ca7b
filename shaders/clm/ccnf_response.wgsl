// CCNF responses (OpenFace CLNF; equations in src/pipelines/clm/reference-ccnf.ts): per (landmark,
// face), in the face's view: for each response pixel, the ps x ps window of the area of interest
// made zero-mean and divided by its L2 norm (1 when 0), then sum over the patch's neurons (alpha >
// 1e-4) of 2 alpha sigmoid(normWeights <W, window> + bias); the map times the patch's Sigma (ws^2 x
// ws^2, float64-built on the CPU), minus its minimum when that is negative. A landmark hidden in the
// view gets a zero map. The area and the raw map sit in workgroup memory.
@group(0) @binding(0) var<storage, read> state: array<f32>;
@group(0) @binding(1) var<storage, read> aoi: array<f32>;                // [face][landmark][aoi_stride]
@group(0) @binding(2) var<storage, read_write> responses: array<f32>;    // [face][landmark][max_window^2]
@group(0) @binding(3) var<storage, read> neuron_ranges: array<vec2<u32>>; // [view][landmark]: first neuron, count
@group(0) @binding(4) var<storage, read> neuron_terms: array<vec4<f32>>;  // [neuron]: normWeights, bias, 2 alpha, 0
@group(0) @binding(5) var<storage, read> neuron_weights: array<f32>;      // [neuron][ps^2], row-major
@group(0) @binding(6) var<storage, read> sigma: array<f32>;               // [view][landmark][ws^2][ws^2]
@group(0) @binding(7) var<storage, read> visible_mask: array<u32>;        // [view][landmark]
@group(0) @binding(8) var<uniform> params: Params;

const AOI_MAX = ${AOI_MAX}u;
const WS_MAX = ${WS_MAX}u;
var<workgroup> area: array<f32, AOI_MAX * AOI_MAX>;
var<workgroup> raw: array<f32, WS_MAX * WS_MAX>;
var<workgroup> low: array<f32, WG>;
var<workgroup> hidden: u32;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn ccnf_response(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wid.x;
  let face = wid.y;
  if (face_done(face, lid)) {
    return;
  }
  let ws = params.window;
  let ps = params.patch_size;
  let out = (face * params.points + i) * params.max_window * params.max_window;
  let view = u32(state[extra(face) + VIEW]);
  let vi = view * params.points + i;
  if (lid == 0u) {
    hidden = u32(visible_mask[vi] == 0u);
  }
  if (workgroupUniformLoad(&hidden) == 1u) {
    for (var r = lid; r < ws * ws; r += WG) {
      responses[out + r] = 0.0;
    }
    return;
  }
  // The W x W area without the 1-pixel margin the AOI buffer carries.
  let side = params.aoi_side;
  let w = side - 2u;
  let src = (face * params.points + i) * params.aoi_stride;
  for (var t = lid; t < w * w; t += WG) {
    area[t] = aoi[src + (t / w + 1u) * side + t % w + 1u];
  }
  workgroupBarrier();
  let range = neuron_ranges[vi];
  let n2 = f32(ps * ps);
  for (var r = lid; r < ws * ws; r += WG) {
    let jj = r % ws;
    let ii = r / ws;
    var mean = 0.0;
    for (var dy = 0u; dy < ps; dy++) {
      for (var dx = 0u; dx < ps; dx++) {
        mean += area[(ii + dy) * w + jj + dx];
      }
    }
    mean /= n2;
    var norm = 0.0;
    for (var dy = 0u; dy < ps; dy++) {
      for (var dx = 0u; dx < ps; dx++) {
        let v = area[(ii + dy) * w + jj + dx] - mean;
        norm += v * v;
      }
    }
    norm = sqrt(norm);
    if (!(norm > 0.0)) {
      norm = 1.0;
    }
    var total = 0.0;
    for (var k = range.x; k < range.x + range.y; k++) {
      let term = neuron_terms[k];
      if (!(term.z > 2e-4)) {
        continue;
      }
      var d = 0.0;
      for (var dy = 0u; dy < ps; dy++) {
        for (var dx = 0u; dx < ps; dx++) {
          d += (area[(ii + dy) * w + jj + dx] - mean) * neuron_weights[k * ps * ps + dy * ps + dx];
        }
      }
      total += term.z / (1.0 + exp(-(term.x * (d / norm) + term.y)));
    }
    raw[r] = total;
  }
  workgroupBarrier();
  // Sigma r, and its minimum.
  let n = ws * ws;
  let sig = vi * n * n;
  var lo = 3.4e38;
  for (var r = lid; r < n; r += WG) {
    var s = 0.0;
    for (var c = 0u; c < n; c++) {
      s += sigma[sig + r * n + c] * raw[c];
    }
    responses[out + r] = s;
    lo = min(lo, s);
  }
  low[lid] = lo;
  // Serially by invocation 0: see clm_fit.wgsl's reduce_sum_max (lavapipe JIT cost).
  workgroupBarrier();
  if (lid == 0u) {
    for (var k = 1u; k < WG; k++) {
      low[0] = min(low[0], low[k]);
    }
  }
  workgroupBarrier();
  let shift = min(low[0], 0.0);
  storageBarrier();
  for (var r = lid; r < n; r += WG) {
    responses[out + r] = responses[out + r] - shift;
  }
}
