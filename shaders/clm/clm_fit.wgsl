// CLM fitting steps per face (see src/pipelines/clm/reference.ts for the equations):
//   anchor:  the points from the parameters (the round's anchor) and the similarity A; a stage that
//            repeats the previous one first compares the points with the previous anchor (round
//            convergence: the face stops)
//   iterate: one regularised mean-shift iteration: mean-shift against the responses, (J^T J +
//            Lambda) dp = J^T v - Lambda p by Cholesky in workgroup memory (Jacobi-scaled), update,
//            clamp |q_k| <= 3 sqrt(lambda_k); points moving less than the limit end the stage
//   finish:  final points, likelihood and flags -> the output list
// Every face runs the same static list of dispatches; a converged face is skipped by all later ones,
// so iterations need no readback.
@group(0) @binding(0) var<storage, read_write> state: array<f32>;
@group(0) @binding(1) var<storage, read> mean_shape: array<f32>;        // [2n]
@group(0) @binding(2) var<storage, read> eigen_vectors: array<f32>;     // [2n x m]
@group(0) @binding(3) var<storage, read> prior: array<f32>;             // [2m]: reg weight 1 / lambda, clamp 3 sqrt(lambda)
@group(0) @binding(4) var<storage, read> responses: array<f32>;         // [face][landmark][max_window^2]
@group(0) @binding(5) var<storage, read_write> trace: array<f32>;       // [face][slot][6]
@group(0) @binding(6) var<storage, read_write> output_list: array<f32>; // [face][2n + 4]
@group(0) @binding(7) var<uniform> params: Params;

// Point i of the shape (model units, before the similarity) at the face's parameters.
fn model_point(face: u32, i: u32) -> vec2<f32> {
  var x = mean_shape[2u * i];
  var y = mean_shape[2u * i + 1u];
  let m = params.modes;
  for (var k = 0u; k < m; k++) {
    let q = state[base(face) + 4u + k];
    x += eigen_vectors[2u * i * m + k] * q;
    y += eigen_vectors[(2u * i + 1u) * m + k] * q;
  }
  return vec2<f32>(x, y);
}

fn place(face: u32, p: vec2<f32>) -> vec2<f32> {
  let o = base(face);
  let a = 1.0 + state[o];
  let b = state[o + 1u];
  return vec2<f32>(a * p.x - b * p.y + state[o + 2u], b * p.x + a * p.y + state[o + 3u]);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn anchor(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let face = wid.x;
  if (face_done(face, lid)) {
    return;
  }
  var moved_sq = 0.0;
  for (var i = lid; i < params.points; i += WG) {
    let p = place(face, model_point(face, i));
    let o = base(face) + PARAMS + 2u * i;
    let d = p - vec2<f32>(state[o], state[o + 1u]);
    moved_sq += dot(d, d);
  }
  sums[lid] = moved_sq;
  maxes[lid] = 0.0;
  reduce_sum_max(lid);
  let scale = length(vec2<f32>(1.0 + state[base(face)], state[base(face) + 1u]));
  if (params.round_check == 1u && sqrt(sums[0] / f32(params.points)) / scale < params.round_convergence) {
    if (lid == 0u) {
      state[extra(face) + CONVERGED] = 1.0;
    }
    return;
  }
  for (var i = lid; i < params.points; i += WG) {
    let p = place(face, model_point(face, i));
    let o = base(face) + PARAMS + 2u * i;
    state[o] = p.x;
    state[o + 1u] = p.y;
  }
  if (lid == 0u) {
    state[extra(face) + STAGE_DONE] = 0.0;
    state[extra(face) + A_SLOT] = 1.0 + state[base(face)];
    state[extra(face) + B_SLOT] = state[base(face) + 1u];
    state[extra(face) + LAST_WINDOW] = f32(params.window);
  }
}

var<workgroup> pos: array<vec2<f32>, POINTS>;      // current points (image px)
var<workgroup> shape: array<vec2<f32>, POINTS>;    // points in model units (before the similarity)
var<workgroup> shift: array<vec2<f32>, POINTS>;    // mean-shift per point (image px)
var<workgroup> hessian: array<f32, PARAMS * PARAMS>;
var<workgroup> gradient: array<f32, PARAMS>;
var<workgroup> step: array<f32, PARAMS>;
var<workgroup> sums: array<f32, WG>;
var<workgroup> maxes: array<f32, WG>;
var<workgroup> totals: array<f32, WG>;

// Row r (2i: x, 2i + 1: y of point i), column c of the Jacobian at the current parameters.
fn jacobian(face: u32, r: u32, c: u32) -> f32 {
  let i = r / 2u;
  let y_row = (r & 1u) == 1u;
  let s = shape[i];
  if (c == 0u) {
    return select(s.x, s.y, y_row);
  }
  if (c == 1u) {
    return select(-s.y, s.x, y_row);
  }
  if (c == 2u) {
    return select(1.0, 0.0, y_row);
  }
  if (c == 3u) {
    return select(0.0, 1.0, y_row);
  }
  let k = c - 4u;
  let m = params.modes;
  let a = 1.0 + state[base(face)];
  let b = state[base(face) + 1u];
  let vx = eigen_vectors[2u * i * m + k];
  let vy = eigen_vectors[(2u * i + 1u) * m + k];
  return select(a * vx - b * vy, b * vx + a * vy, y_row);
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

// Reduces `sums` (sum) and `maxes` (max) over the workgroup.
fn reduce_sum_max(lid: u32) {
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half = half >> 1u) {
    if (lid < half) {
      sums[lid] += sums[lid + half];
      maxes[lid] = max(maxes[lid], maxes[lid + half]);
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn iterate(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let face = wid.x;
  if (stage_done(face, lid)) {
    return;
  }
  let n = params.points;
  let m = params.modes;
  let P = 4u + m;
  // 1. Points and mean-shift.
  var shift_sum = 0.0;
  var shift_max = 0.0;
  for (var i = lid; i < n; i += WG) {
    shape[i] = model_point(face, i);
    pos[i] = place(face, shape[i]);
    let ms = mean_shift(face, i, pos[i], params.sigma2);
    shift[i] = ms.xy;
    shift_sum += length(ms.xy);
    shift_max = max(shift_max, length(ms.xy));
  }
  sums[lid] = shift_sum;
  maxes[lid] = shift_max;
  reduce_sum_max(lid);
  let mean_shift_px = sums[0] / f32(n);
  let max_shift_px = maxes[0];
  workgroupBarrier();
  // 2. H = J^T J + Lambda, g = J^T v - Lambda p.
  for (var e = lid; e < P * P; e += WG) {
    let r0 = e / P;
    let c0 = e % P;
    var h = 0.0;
    for (var r = 0u; r < 2u * n; r++) {
      h += jacobian(face, r, r0) * jacobian(face, r, c0);
    }
    if (r0 == c0 && r0 >= 4u) {
      h += params.reg * prior[r0 - 4u];
    }
    hessian[e] = h;
  }
  for (var c = lid; c < P; c += WG) {
    var g = 0.0;
    for (var r = 0u; r < 2u * n; r++) {
      let v = shift[r / 2u];
      g += jacobian(face, r, c) * select(v.x, v.y, (r & 1u) == 1u);
    }
    if (c >= 4u) {
      g -= params.reg * prior[c - 4u] * state[base(face) + c];
    }
    gradient[c] = g;
  }
  workgroupBarrier();
  // 3. Solve by Cholesky with Jacobi scaling (one invocation: P <= 64).
  if (lid == 0u) {
    for (var j = 0u; j < P; j++) {
      step[j] = 1.0 / sqrt(max(hessian[j * P + j], 1e-30));
    }
    for (var j = 0u; j < P; j++) {
      var s = hessian[j * P + j] * step[j] * step[j];
      for (var k = 0u; k < j; k++) {
        s -= hessian[j * P + k] * hessian[j * P + k];
      }
      let ljj = sqrt(max(s, 1e-12));
      hessian[j * P + j] = ljj;
      for (var i = j + 1u; i < P; i++) {
        var t = hessian[i * P + j] * step[i] * step[j];
        for (var k = 0u; k < j; k++) {
          t -= hessian[i * P + k] * hessian[j * P + k];
        }
        hessian[i * P + j] = t / ljj;
      }
    }
    // Forward (L y = D g), then backward (L^T x = y); dp = D x. gradient holds y, then x.
    for (var i = 0u; i < P; i++) {
      var s = gradient[i] * step[i];
      for (var k = 0u; k < i; k++) {
        s -= hessian[i * P + k] * gradient[k];
      }
      gradient[i] = s / hessian[i * P + i];
    }
    for (var ii = 0u; ii < P; ii++) {
      let i = P - 1u - ii;
      var s = gradient[i];
      for (var k = i + 1u; k < P; k++) {
        s -= hessian[k * P + i] * gradient[k];
      }
      gradient[i] = s / hessian[i * P + i];
    }
    for (var i = 0u; i < P; i++) {
      step[i] = gradient[i] * step[i];
    }
  }
  workgroupBarrier();
  // 4. Update and clamp (one parameter per invocation), then how far the points moved.
  var step2 = 0.0;
  var hits = 0.0;
  for (var c = lid; c < P; c += WG) {
    var v = state[base(face) + c] + step[c];
    step2 += step[c] * step[c];
    if (c >= 4u) {
      let limit = prior[m + c - 4u];
      if (abs(v) > limit) {
        v = sign(v) * limit;
        hits += 1.0;
      }
    }
    state[base(face) + c] = v;
  }
  storageBarrier();
  workgroupBarrier();
  var moved_sq = 0.0;
  for (var i = lid; i < n; i += WG) {
    let moved = place(face, model_point(face, i)) - pos[i];
    moved_sq += dot(moved, moved);
  }
  sums[lid] = moved_sq;
  maxes[lid] = step2;
  totals[lid] = hits;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half = half >> 1u) {
    if (lid < half) {
      sums[lid] += sums[lid + half];
      maxes[lid] += maxes[lid + half];
      totals[lid] += totals[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let x = extra(face);
    let rms = sqrt(sums[0] / f32(n));
    let scale = length(vec2<f32>(1.0 + state[base(face)], state[base(face) + 1u]));
    state[x + MOVE] = rms;
    state[x + ITERATIONS] += 1.0;
    state[x + LAST_SIGMA2] = params.sigma2;
    if (rms / scale < params.convergence) {
      state[x + STAGE_DONE] = 1.0;
    }
    let t = (face * params.trace_stride + params.trace_slot) * 6u;
    trace[t] = mean_shift_px;
    trace[t + 1u] = max_shift_px;
    trace[t + 2u] = sqrt(maxes[0]);
    trace[t + 3u] = rms;
    trace[t + 4u] = totals[0];
    trace[t + 5u] = 1.0;
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn finish(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let face = wid.x;
  let n = params.points;
  let out = face * (2u * n + 4u);
  var lhood = 0.0;
  for (var i = lid; i < n; i += WG) {
    let p = place(face, model_point(face, i));
    output_list[out + 2u * i] = p.x;
    output_list[out + 2u * i + 1u] = p.y;
    lhood += log(max(mean_shift(face, i, p, state[extra(face) + LAST_SIGMA2]).z, 1e-30));
  }
  sums[lid] = lhood;
  maxes[lid] = 0.0;
  reduce_sum_max(lid);
  if (lid == 0u) {
    let x = extra(face);
    output_list[out + 2u * n] = max(state[x + CONVERGED], state[x + STAGE_DONE]);
    output_list[out + 2u * n + 1u] = state[x + ITERATIONS];
    output_list[out + 2u * n + 2u] = sums[0] / f32(n);
    output_list[out + 2u * n + 3u] = state[x + MOVE];
  }
}
