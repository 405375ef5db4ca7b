// Diagnostics of one stage's response maps, per (landmark, face): min, max, mean, sum, count of
// non-finite values, the peak's offset from the window centre (reference units, x along columns),
// the landmark's anchor (image px) and 1 (the stage ran); per face the stage's similarity (a, b)
// and window. These
// are what a user otherwise draws by hand when a fit goes wrong: a map 100x too large shows in
// max/sum, a frame bug as a systematic peak offset (the CPU fits a similarity to the offsets).
// Layout: [face][stage][landmark + 1][10]; row `points` holds a, b, window, ran.
@group(0) @binding(0) var<storage, read> state: array<f32>;
@group(0) @binding(1) var<storage, read> responses: array<f32>;         // [face][landmark][max_window^2]
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const STATS_FIELDS = 10u;
var<workgroup> lo: array<f32, WG>;
var<workgroup> hi: array<f32, WG>;
var<workgroup> total: array<f32, WG>;
var<workgroup> bad: array<f32, WG>;
var<workgroup> peak_at: array<u32, WG>;

const F32_MAX = 0x1.fffffep+127f;

fn is_finite(v: f32) -> bool {
  // By the bits: WGSL lets the compiler assume values are finite, so a comparison could be folded.
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn stats_of_stage(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wid.x;
  let face = wid.y;
  let n = params.points;
  let row = ((face * params.stages + params.stage) * (n + 1u));
  if (face_done(face, lid)) {
    return;
  }
  let ws = params.window;
  let map = (face * n + i) * params.max_window * params.max_window;
  var mn = F32_MAX;
  var mx = -F32_MAX;
  var arg = 0u;
  var sum = 0.0;
  var nonfinite = 0.0;
  for (var t = lid; t < ws * ws; t += WG) {
    let v = responses[map + t];
    if (!is_finite(v)) {
      nonfinite += 1.0;
      continue;
    }
    mn = min(mn, v);
    if (v > mx) {
      mx = v;
      arg = t;
    }
    sum += v;
  }
  lo[lid] = mn;
  hi[lid] = mx;
  peak_at[lid] = arg;
  total[lid] = sum;
  bad[lid] = nonfinite;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half = half >> 1u) {
    if (lid < half) {
      lo[lid] = min(lo[lid], lo[lid + half]);
      // Ties keep the first pixel in row-major order, as the CPU's argmax does.
      let other = hi[lid + half];
      if (other > hi[lid] || (other == hi[lid] && peak_at[lid + half] < peak_at[lid])) {
        hi[lid] = other;
        peak_at[lid] = peak_at[lid + half];
      }
      total[lid] += total[lid + half];
      bad[lid] += bad[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let o = (row + i) * STATS_FIELDS;
    let c = f32(ws - 1u) * 0.5;
    let finite = f32(ws * ws) - bad[0];
    stats[o] = lo[0];
    stats[o + 1u] = hi[0];
    stats[o + 2u] = select(0.0, total[0] / finite, finite > 0.0);
    stats[o + 3u] = total[0];
    stats[o + 4u] = bad[0];
    stats[o + 5u] = f32(peak_at[0] % ws) - c;
    stats[o + 6u] = f32(peak_at[0] / ws) - c;
    let at = anchor_of(face, i);
    stats[o + 7u] = at.x;
    stats[o + 8u] = at.y;
    stats[o + 9u] = 1.0;
    if (i == 0u) {
      let h = (row + n) * STATS_FIELDS;
      let s = similarity(face);
      stats[h] = s.x;
      stats[h + 1u] = s.y;
      stats[h + 2u] = f32(ws);
      stats[h + 3u] = 1.0;
    }
  }
}
