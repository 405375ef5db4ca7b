// CCNF responses (OpenFace CLNF; equations in src/pipelines/clm/reference-ccnf.ts): per (landmark,
// face), in the face's view: for each response pixel, the ps x ps window of the area of interest
// made zero-mean and divided by its L2 norm (1 when 0), then sum over the patch's neurons (alpha >
// 1e-4) of 2 alpha sigmoid(normWeights <W, window> + bias); the map times the patch's Sigma (ws^2 x
// ws^2, float64-built on the CPU), minus its minimum when that is negative. A landmark hidden in the
// view gets a zero map. Three kernels, none with a barrier (see clm_response.wgsl: SwiftShader runs
// every subgroup of a workgroup with a barrier as a coroutine):
//   ccnf_raw:   per (face, landmark, response pixel), the neurons' sum, into the AOI buffer's tail;
//   ccnf_sigma: per (face, landmark, response pixel), row r of Sigma times the raw map;
//   ccnf_shift: per (face, landmark), the map less its minimum when that is negative.
@group(0) @binding(0) var<storage, read> state: array<f32>;
@group(0) @binding(1) var<storage, read_write> aoi: array<f32>;          // [face][landmark][aoi_stride]: the AOI, then the raw map
@group(0) @binding(2) var<storage, read_write> responses: array<f32>;    // [face][landmark][max_window^2]
@group(0) @binding(3) var<storage, read> neuron_ranges: array<vec2<u32>>; // [view][landmark]: first neuron, count
@group(0) @binding(4) var<storage, read> neuron_terms: array<vec4<f32>>;  // [neuron]: normWeights, bias, 2 alpha, 0
@group(0) @binding(5) var<storage, read> neuron_weights: array<f32>;      // [neuron][ps^2], row-major
@group(0) @binding(6) var<storage, read> sigma: array<f32>;               // [view][landmark][ws^2][ws^2]
@group(0) @binding(7) var<storage, read> visible_mask: array<u32>;        // [view][landmark]
@group(0) @binding(8) var<uniform> params: Params;

// Landmark i of a face and one of its response pixels, from a flat invocation index.
struct Cell {
  face: u32,
  i: u32,
  r: u32,
}

fn cell_of(g: u32) -> Cell {
  let n = params.window * params.window;
  return Cell(g / (params.points * n), (g / n) % params.points, g % n);
}

// Index of (view, landmark) for the face's current view.
fn view_landmark(face: u32, i: u32) -> u32 {
  return u32(state[extra(face) + VIEW]) * params.points + i;
}

fn hidden(face: u32, i: u32) -> bool {
  return visible_mask[view_landmark(face, i)] == 0u;
}

fn raw_map(face: u32, i: u32) -> u32 {
  return (face * params.points + i) * params.aoi_stride + params.aoi_side * params.aoi_side;
}

// Pixel (x, y) of the W x W area, without the 1-pixel margin the AOI buffer carries.
fn area_at(src: u32, x: u32, y: u32) -> f32 {
  return aoi[src + (y + 1u) * params.aoi_side + x + 1u];
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn ccnf_raw(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let c = cell_of(linear_index(gid, groups, WG));
  if (c.face >= params.faces || face_converged(c.face) || hidden(c.face, c.i)) {
    return;
  }
  let ws = params.window;
  let ps = params.patch_size;
  let jj = c.r % ws;
  let ii = c.r / ws;
  let src = (c.face * params.points + c.i) * params.aoi_stride;
  var mean = 0.0;
  for (var dy = 0u; dy < ps; dy++) {
    for (var dx = 0u; dx < ps; dx++) {
      mean += area_at(src, jj + dx, ii + dy);
    }
  }
  mean /= f32(ps * ps);
  var norm = 0.0;
  for (var dy = 0u; dy < ps; dy++) {
    for (var dx = 0u; dx < ps; dx++) {
      let v = area_at(src, jj + dx, ii + dy) - mean;
      norm += v * v;
    }
  }
  norm = sqrt(norm);
  if (!(norm > 0.0)) {
    norm = 1.0;
  }
  let range = neuron_ranges[view_landmark(c.face, c.i)];
  var total = 0.0;
  for (var k = range.x; k < range.x + range.y; k++) {
    let term = neuron_terms[k];
    if (!(term.z > 2e-4)) {
      continue;
    }
    var d = 0.0;
    for (var dy = 0u; dy < ps; dy++) {
      for (var dx = 0u; dx < ps; dx++) {
        d += (area_at(src, jj + dx, ii + dy) - mean) * neuron_weights[k * ps * ps + dy * ps + dx];
      }
    }
    total += term.z / (1.0 + exp(-(term.x * (d / norm) + term.y)));
  }
  aoi[raw_map(c.face, c.i) + c.r] = total;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn ccnf_sigma(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let c = cell_of(linear_index(gid, groups, WG));
  if (c.face >= params.faces || face_converged(c.face)) {
    return;
  }
  let out = (c.face * params.points + c.i) * params.max_window * params.max_window;
  if (hidden(c.face, c.i)) {
    responses[out + c.r] = 0.0;
    return;
  }
  let n = params.window * params.window;
  let row = (view_landmark(c.face, c.i) * n + c.r) * n;
  let raw = raw_map(c.face, c.i);
  var s = 0.0;
  for (var k = 0u; k < n; k++) {
    s += sigma[row + k] * aoi[raw + k];
  }
  responses[out + c.r] = s;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn ccnf_shift(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = linear_index(gid, groups, WG);
  let face = g / params.points;
  if (face >= params.faces || face_converged(face)) {
    return;
  }
  let out = (face * params.points + g % params.points) * params.max_window * params.max_window;
  let n = params.window * params.window;
  var lo = 0.0;
  for (var r = 0u; r < n; r++) {
    lo = min(lo, responses[out + r]);
  }
  if (lo < 0.0) {
    for (var r = 0u; r < n; r++) {
      responses[out + r] -= lo;
    }
  }
}
