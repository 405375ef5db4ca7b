// CLM fitting steps per face (equations: src/pipelines/clm/reference.ts, reference-ccnf.ts); the
// shape model's own functions (pose, points, Jacobian, round similarity and view, update) come from
// pdm2d.wgsl or pdm3d.wgsl, included before this file:
//   anchor:  the round's similarity A and view, the points (the round's anchor); a stage that
//            repeats the previous one first compares the points with the previous anchor (round
//            convergence: the face stops)
//   iterate: one regularised mean-shift iteration: mean-shift against the responses (hidden
//            landmarks none), (J^T J + Lambda) dp = J^T v - Lambda p by Cholesky in workgroup memory
//            (Jacobi-scaled; rigid iterations solve for the pose alone), update and clamps; points
//            moving less than the limit end the stage's current phase
//   finish:  final points, likelihood and flags -> the output list
// Every face runs the same static list of dispatches; a converged face is skipped by all later ones,
// so iterations need no readback.
@group(0) @binding(0) var<storage, read_write> state: array<f32>;
@group(0) @binding(1) var<storage, read> mean_shape: array<f32>;        // [2n] or [3n]
@group(0) @binding(2) var<storage, read> eigen_vectors: array<f32>;     // [2n x m] or [3n x m]
@group(0) @binding(3) var<storage, read> prior: array<f32>;             // [2m]: reg weight 1 / lambda, clamp 3 sqrt(lambda)
@group(0) @binding(4) var<storage, read> responses: array<f32>;         // [face][landmark][max_window^2]
@group(0) @binding(5) var<storage, read_write> trace: array<f32>;       // [face][slot][6]
@group(0) @binding(6) var<storage, read_write> output_list: array<f32>; // [face][2n + 4]
@group(0) @binding(7) var<storage, read> visible_mask: array<u32>;      // [view][landmark]
@group(0) @binding(8) var<storage, read> view_centres: array<vec4<f32>>; // [view]: pitch, yaw, roll (rad)
@group(0) @binding(9) var<uniform> params: Params;

var<workgroup> pos: array<vec2<f32>, POINTS>;      // current points (image px)
var<workgroup> shape: array<vec3<f32>, POINTS>;    // points in model units (before the pose)
var<workgroup> shift: array<vec2<f32>, POINTS>;    // mean-shift per point (image px)
var<workgroup> seen: array<f32, POINTS>;           // 1: visible in the face's view
var<workgroup> hessian: array<f32, PARAMS * PARAMS>;
var<workgroup> gradient: array<f32, PARAMS>;
var<workgroup> step: array<f32, PARAMS>;
var<workgroup> sums: array<f32, WG>;
var<workgroup> maxes: array<f32, WG>;
var<workgroup> totals: array<f32, WG>;
var<workgroup> shift_sums: array<f32, WG>;     // iterate: per invocation, until the final reduction
var<workgroup> shift_maxes: array<f32, WG>;
var<workgroup> visible_counts: array<f32, WG>;

// Iterations also skip a face whose current stage (phase) already stopped moving; a phase's
// first iteration clears the previous phase's stop.
fn stage_done(face: u32, lid: u32) -> bool {
  if (lid == 0u) {
    let x = extra(face);
    if (params.phase_start == 1u) {
      state[x + STAGE_DONE] = 0.0;
    }
    flag = u32(state[x + CONVERGED] > 0.5 || state[x + STAGE_DONE] > 0.5);
  }
  return workgroupUniformLoad(&flag) == 1u;
}

fn is_visible(face: u32, i: u32) -> bool {
  return visible_mask[u32(state[extra(face) + VIEW]) * params.points + i] != 0u;
}

// Reduces `sums` (sum), `maxes` (max) and `totals` (sum) over the workgroup into element 0.
// Serially, by invocation 0: lavapipe compiles a barrier inside a loop (a tree reduction) into
// coroutine code whose JIT cost dominated this file's cold start (iterate: 3.0-3.4 s -> 1.4 s
// without the two tree reductions), and 64 serial additions are nothing next to a fit iteration.
fn reduce_sum_max(lid: u32) {
  workgroupBarrier();
  if (lid == 0u) {
    for (var k = 1u; k < WG; k++) {
      sums[0] += sums[k];
      maxes[0] = max(maxes[0], maxes[k]);
      totals[0] += totals[k];
    }
  }
  workgroupBarrier();
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn anchor(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let face = wid.x;
  if (face_done(face, lid)) {
    return;
  }
  let A = round_similarity(face, lid);
  let pose = pose_of(face);
  var moved_sq = 0.0;
  for (var i = lid; i < params.points; i += WG) {
    let p = place(pose, model_point(face, i));
    let d = p - anchor_of(face, i);
    moved_sq += dot(d, d);
  }
  sums[lid] = moved_sq;
  maxes[lid] = 0.0;
  totals[lid] = 0.0;
  reduce_sum_max(lid);
  if (params.round_check == 1u && sqrt(sums[0] / f32(params.points)) / length(A) < params.round_convergence) {
    if (lid == 0u) {
      state[extra(face) + CONVERGED] = 1.0;
    }
    return;
  }
  for (var i = lid; i < params.points; i += WG) {
    let p = place(pose, model_point(face, i));
    let o = base(face) + PARAMS + 2u * i;
    state[o] = p.x;
    state[o + 1u] = p.y;
  }
  if (lid == 0u) {
    state[extra(face) + STAGE_DONE] = 0.0;
    state[extra(face) + A_SLOT] = A.x;
    state[extra(face) + B_SLOT] = A.y;
    state[extra(face) + LAST_WINDOW] = f32(params.window);
    state[extra(face) + VIEW] = f32(round_view(face));
  }
}

// Mean-shift of point i (image px) against its response map; returns the KDE mass in .z.
fn mean_shift(face: u32, i: u32, current: vec2<f32>, sigma2: f32) -> vec3<f32> {
  let A = similarity(face);
  let e = current - anchor_of(face, i);
  let det = A.x * A.x + A.y * A.y;
  let d = vec2<f32>(A.x * e.x + A.y * e.y, -A.y * e.x + A.x * e.y) / det;
  let ws = u32(state[extra(face) + LAST_WINDOW]);
  let c = f32(ws - 1u) * 0.5;
  let map = (face * params.points + i) * params.max_window * params.max_window;
  var mass = 0.0;
  var acc = vec2<f32>(0.0);
  for (var ii = 0u; ii < ws; ii++) {
    for (var jj = 0u; jj < ws; jj++) {
      let o = vec2<f32>(f32(jj) - c, f32(ii) - c);
      let delta = o - d;
      let k = responses[map + ii * ws + jj] * exp(-dot(delta, delta) / (2.0 * sigma2));
      mass += k;
      acc += k * o;
    }
  }
  if (!(mass > 0.0)) {
    return vec3<f32>(0.0, 0.0, 0.0);
  }
  let r = acc / mass - d;
  return vec3<f32>(A.x * r.x - A.y * r.y, A.y * r.x + A.x * r.y, mass);
}

// Row and column (column <= row) of entry e of a lower triangle stored row by row.
fn lower_triangle(e: u32) -> vec2<u32> {
  var row = u32((sqrt(8.0 * f32(e) + 1.0) - 1.0) * 0.5);
  // The float square root can land one row off near a row's start.
  if ((row + 1u) * (row + 2u) / 2u <= e) {
    row += 1u;
  }
  if (row * (row + 1u) / 2u > e) {
    row -= 1u;
  }
  return vec2<u32>(row, e - row * (row + 1u) / 2u);
}

// Solves hessian x = gradient (count x count, row stride PARAMS) by Jacobi-scaled Cholesky into
// `step` (one invocation: P <= 64).
fn solve(count: u32) {
  let P = PARAMS;
  for (var j = 0u; j < count; j++) {
    step[j] = 1.0 / sqrt(max(hessian[j * P + j], 1e-30));
  }
  for (var j = 0u; j < count; j++) {
    var s = hessian[j * P + j] * step[j] * step[j];
    for (var k = 0u; k < j; k++) {
      s -= hessian[j * P + k] * hessian[j * P + k];
    }
    let ljj = sqrt(max(s, 1e-12));
    hessian[j * P + j] = ljj;
    for (var i = j + 1u; i < count; i++) {
      var t = hessian[i * P + j] * step[i] * step[j];
      for (var k = 0u; k < j; k++) {
        t -= hessian[i * P + k] * hessian[j * P + k];
      }
      hessian[i * P + j] = t / ljj;
    }
  }
  // Forward (L y = D g), then backward (L^T x = y); dp = D x. gradient holds y, then x.
  for (var i = 0u; i < count; i++) {
    var s = gradient[i] * step[i];
    for (var k = 0u; k < i; k++) {
      s -= hessian[i * P + k] * gradient[k];
    }
    gradient[i] = s / hessian[i * P + i];
  }
  for (var ii = 0u; ii < count; ii++) {
    let i = count - 1u - ii;
    var s = gradient[i];
    for (var k = i + 1u; k < count; k++) {
      s -= hessian[k * P + i] * gradient[k];
    }
    gradient[i] = s / hessian[i * P + i];
  }
  for (var i = 0u; i < count; i++) {
    step[i] = gradient[i] * step[i];
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn iterate(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let face = wid.x;
  if (stage_done(face, lid)) {
    return;
  }
  let n = params.points;
  let count = select(PARAMS, GLOBALS, params.rigid == 1u);
  let pose = pose_of(face);
  // 1. Points and mean-shift (hidden landmarks: none).
  var shift_sum = 0.0;
  var shift_max = 0.0;
  var visible = 0.0;
  for (var i = lid; i < n; i += WG) {
    shape[i] = model_point(face, i);
    pos[i] = place(pose, shape[i]);
    seen[i] = select(0.0, 1.0, is_visible(face, i));
    var ms = vec3<f32>(0.0);
    if (seen[i] > 0.0) {
      ms = mean_shift(face, i, pos[i], params.sigma2);
    }
    shift[i] = ms.xy;
    shift_sum += length(ms.xy);
    shift_max = max(shift_max, length(ms.xy));
    visible += seen[i];
  }
  // Summed by invocation 0 at the end, with the movement (one reduction: see reduce_sum_max).
  shift_sums[lid] = shift_sum;
  shift_maxes[lid] = shift_max;
  visible_counts[lid] = visible;
  workgroupBarrier();
  // 2. H = J^T J + Lambda, g = J^T v - Lambda p over the parameters solved for. J (hidden rows 0)
  // once into the face's scratch, then only H's lower triangle, the part the Cholesky solve reads:
  // bench-clm's iterations (35 faces, 30 dispatches), alternated: lavapipe 270-293 -> 102-106 ms;
  // SwiftShader 2276 -> 424 ms.
  let jac = extra(face) + JACOBIAN;
  for (var e = lid; e < 2u * n * count; e += WG) {
    let r = e / count;
    let c = e % count;
    let i = r / 2u;
    state[jac + e] = seen[i] * jacobian_entry(pose, shape[i], i, (r & 1u) == 1u, c);
  }
  storageBarrier();
  workgroupBarrier();
  for (var e = lid; e < count * (count + 1u) / 2u; e += WG) {
    let rc = lower_triangle(e);
    var h = 0.0;
    for (var r = 0u; r < 2u * n; r++) {
      h += state[jac + r * count + rc.x] * state[jac + r * count + rc.y];
    }
    if (rc.x == rc.y && rc.x >= GLOBALS) {
      h += params.reg * prior[rc.x - GLOBALS];
    }
    hessian[rc.x * PARAMS + rc.y] = h;
  }
  for (var c = lid; c < count; c += WG) {
    var g = 0.0;
    for (var r = 0u; r < 2u * n; r++) {
      g += state[jac + r * count + c] * select(shift[r / 2u].x, shift[r / 2u].y, (r & 1u) == 1u);
    }
    if (c >= GLOBALS) {
      g -= params.reg * prior[c - GLOBALS] * state[base(face) + c];
    }
    gradient[c] = g;
  }
  workgroupBarrier();
  // 3. Solve (one invocation).
  if (lid == 0u) {
    solve(count);
  }
  workgroupBarrier();
  // 4. Update and clamp, then how far the points moved.
  let updated = update_params(face, lid, count);
  storageBarrier();
  workgroupBarrier();
  let moved_pose = pose_of(face);
  var moved_sq = 0.0;
  for (var i = lid; i < n; i += WG) {
    let moved = place(moved_pose, model_point(face, i)) - pos[i];
    moved_sq += dot(moved, moved);
  }
  sums[lid] = moved_sq;
  maxes[lid] = updated.x;
  totals[lid] = updated.y;
  workgroupBarrier();
  if (lid == 0u) {
    var moved_total = 0.0;
    var step_total = 0.0;
    var clamp_total = 0.0;
    var shift_total = 0.0;
    var shift_peak = 0.0;
    var visible_total = 0.0;
    for (var k = 0u; k < WG; k++) {
      moved_total += sums[k];
      step_total += maxes[k];
      clamp_total += totals[k];
      shift_total += shift_sums[k];
      shift_peak = max(shift_peak, shift_maxes[k]);
      visible_total += visible_counts[k];
    }
    let x = extra(face);
    let rms = sqrt(moved_total / f32(n));
    state[x + MOVE] = rms;
    state[x + ITERATIONS] += 1.0;
    state[x + LAST_SIGMA2] = params.sigma2;
    if (rms / length(similarity(face)) < params.convergence) {
      state[x + STAGE_DONE] = 1.0;
    }
    let t = (face * params.trace_stride + params.trace_slot) * 6u;
    trace[t] = shift_total / max(1.0, visible_total);
    trace[t + 1u] = shift_peak;
    trace[t + 2u] = sqrt(step_total);
    trace[t + 3u] = rms;
    trace[t + 4u] = clamp_total;
    trace[t + 5u] = 1.0;
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn finish(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let face = wid.x;
  let n = params.points;
  let out = face * (2u * n + 4u);
  let pose = pose_of(face);
  var lhood = 0.0;
  var visible = 0.0;
  for (var i = lid; i < n; i += WG) {
    let p = place(pose, model_point(face, i));
    output_list[out + 2u * i] = p.x;
    output_list[out + 2u * i + 1u] = p.y;
    if (is_visible(face, i)) {
      lhood += log(max(mean_shift(face, i, p, state[extra(face) + LAST_SIGMA2]).z, 1e-30));
      visible += 1.0;
    }
  }
  sums[lid] = lhood;
  maxes[lid] = 0.0;
  totals[lid] = visible;
  reduce_sum_max(lid);
  if (lid == 0u) {
    let x = extra(face);
    output_list[out + 2u * n] = max(state[x + CONVERGED], state[x + STAGE_DONE]);
    output_list[out + 2u * n + 1u] = state[x + ITERATIONS];
    output_list[out + 2u * n + 2u] = sums[0] / max(1.0, totals[0]);
    output_list[out + 2u * n + 3u] = state[x + MOVE];
  }
}
