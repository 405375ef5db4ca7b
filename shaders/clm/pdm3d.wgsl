// The 3-D point distribution model under a weak-perspective pose (OpenFace): parameters [s, pitch,
// yaw, roll, tx, ty, q_1..q_m]; R = Rx(pitch) Ry(yaw) Rz(roll); point i = s R[rows 0, 1] (mean_i +
// V_i q) + t. The Jacobian's rotation columns are small rotations about the model axes (e_k x X);
// the update composes R exp([dw]x) (Rodrigues) and returns to Euler angles (clamped to +-pi/2).
// The rotation matrix itself is kept in the state (initialised in float64 on the CPU) and only
// rebuilt from the angles when a clamp changes them: WGSL's sin / cos may be as coarse as 2^-11
// absolute (SwiftShader's are), which would put 0.03 px errors into every point; the small
// rotations of the updates use their Taylor series, accurate to float32 there;
// the round's similarity is the Procrustes fit of the scale's reference shape (patch scaling *
// X.xy, no rotation) onto the image shape (RMS scale, 2-D rotation), and the view is the nearest
// centre. Conventions: src/pipelines/clm/reference-ccnf.ts.
const GLOBALS = 6u;
const HALF_PI = 1.5707963;

struct Pose {
  s: f32,
  r0: vec3<f32>,
  r1: vec3<f32>,
  r2: vec3<f32>,
  t: vec2<f32>,
}

fn rotation_rows(pitch: f32, yaw: f32, roll: f32) -> array<vec3<f32>, 3> {
  let sp = sin(pitch);
  let cp = cos(pitch);
  let sy = sin(yaw);
  let cy = cos(yaw);
  let sr = sin(roll);
  let cr = cos(roll);
  return array<vec3<f32>, 3>(
    vec3<f32>(cy * cr, -cy * sr, sy),
    vec3<f32>(cp * sr + sp * sy * cr, cp * cr - sp * sy * sr, -sp * cy),
    vec3<f32>(sp * sr - cp * sy * cr, sp * cr + cp * sy * sr, cp * cy),
  );
}

fn rotation_row(face: u32, row: u32) -> vec3<f32> {
  let o = extra(face) + ROTATION + 3u * row;
  return vec3<f32>(state[o], state[o + 1u], state[o + 2u]);
}

fn pose_of(face: u32) -> Pose {
  let o = base(face);
  return Pose(state[o], rotation_row(face, 0u), rotation_row(face, 1u), rotation_row(face, 2u), vec2<f32>(state[o + 4u], state[o + 5u]));
}

fn model_point(face: u32, i: u32) -> vec3<f32> {
  var X = vec3<f32>(mean_shape[3u * i], mean_shape[3u * i + 1u], mean_shape[3u * i + 2u]);
  let m = params.modes;
  for (var k = 0u; k < m; k++) {
    let q = state[base(face) + GLOBALS + k];
    X += vec3<f32>(eigen_vectors[3u * i * m + k], eigen_vectors[(3u * i + 1u) * m + k], eigen_vectors[(3u * i + 2u) * m + k]) * q;
  }
  return X;
}

fn place(p: Pose, X: vec3<f32>) -> vec2<f32> {
  return p.s * vec2<f32>(dot(p.r0, X), dot(p.r1, X)) + p.t;
}

fn jacobian_entry(p: Pose, X: vec3<f32>, i: u32, y_row: bool, c: u32) -> f32 {
  let row = select(p.r0, p.r1, y_row);
  if (c == 0u) {
    return dot(row, X);
  }
  if (c <= 3u) {
    var e = vec3<f32>(0.0);
    e[c - 1u] = 1.0;
    return p.s * dot(row, cross(e, X));
  }
  if (c == 4u) {
    return select(1.0, 0.0, y_row);
  }
  if (c == 5u) {
    return select(0.0, 1.0, y_row);
  }
  let k = c - GLOBALS;
  let m = params.modes;
  let v = vec3<f32>(eigen_vectors[3u * i * m + k], eigen_vectors[(3u * i + 1u) * m + k], eigen_vectors[(3u * i + 2u) * m + k]);
  return p.s * dot(row, v);
}

var<workgroup> moments: array<vec4<f32>, WG>;

// Serially by invocation 0: see clm_fit.wgsl's reduce_sum_max (lavapipe JIT cost).
fn reduce_moments(lid: u32) -> vec4<f32> {
  workgroupBarrier();
  if (lid == 0u) {
    for (var k = 1u; k < WG; k++) {
      moments[0] += moments[k];
    }
  }
  workgroupBarrier();
  let total = moments[0];
  workgroupBarrier();
  return total;
}

// Procrustes of the reference shape onto the image shape (every invocation calls this).
fn round_similarity(face: u32, lid: u32) -> vec2<f32> {
  let pose = pose_of(face);
  var acc = vec4<f32>(0.0);
  for (var i = lid; i < params.points; i += WG) {
    let X = model_point(face, i);
    acc += vec4<f32>(params.ref_scale * X.xy, place(pose, X));
  }
  moments[lid] = acc;
  let centres = reduce_moments(lid) / f32(params.points);
  acc = vec4<f32>(0.0);
  for (var i = lid; i < params.points; i += WG) {
    let X = model_point(face, i);
    let u = params.ref_scale * X.xy - centres.xy;
    let v = place(pose, X) - centres.zw;
    acc += vec4<f32>(dot(u, u), dot(v, v), dot(u, v), u.x * v.y - u.y * v.x);
  }
  moments[lid] = acc;
  let m = reduce_moments(lid);
  // s (cos, sin) of the rotation angle atan2(cross, dot), without trigonometry.
  return sqrt(m.y / m.x) * vec2<f32>(m.z, m.w) / length(vec2<f32>(m.z, m.w));
}

// The view whose centre (radians) is nearest to (pitch, yaw, roll).
fn round_view(face: u32) -> u32 {
  let o = base(face);
  let angles = vec3<f32>(state[o + 1u], state[o + 2u], state[o + 3u]);
  var best = 0u;
  var best_d = 3.4e38;
  for (var v = 0u; v < params.views; v++) {
    let d = view_centres[v].xyz - angles;
    if (dot(d, d) < best_d) {
      best_d = dot(d, d);
      best = v;
    }
  }
  return best;
}

fn rodrigues(w: vec3<f32>) -> mat3x3<f32> {
  let t = length(w);
  if (t < 1e-6) {
    // columns of I + [w]x
    return mat3x3<f32>(vec3<f32>(1.0, w.z, -w.y), vec3<f32>(-w.z, 1.0, w.x), vec3<f32>(w.y, -w.x, 1.0));
  }
  let a = w / t;
  let t2 = t * t;
  // Taylor series below 0.5 rad (error < 3e-8), the builtins above (rare: large updates).
  var s = t * (1.0 - t2 / 6.0 * (1.0 - t2 / 20.0 * (1.0 - t2 / 42.0)));
  var C = t2 / 2.0 * (1.0 - t2 / 12.0 * (1.0 - t2 / 30.0 * (1.0 - t2 / 56.0)));
  if (t > 0.5) {
    s = sin(t);
    C = 1.0 - cos(t);
  }
  let c = 1.0 - C;
  return mat3x3<f32>(
    vec3<f32>(c + a.x * a.x * C, a.y * a.x * C + a.z * s, a.z * a.x * C - a.y * s),
    vec3<f32>(a.x * a.y * C - a.z * s, c + a.y * a.y * C, a.z * a.y * C + a.x * s),
    vec3<f32>(a.x * a.z * C + a.y * s, a.y * a.z * C - a.x * s, c + a.z * a.z * C),
  );
}

// atan on [-1, 1] to float32 accuracy: above tan(pi/12), atan(x) = pi/6 + atan((sqrt(3) x - 1) /
// (sqrt(3) + x)), then the series to x^11 (error < 3e-9 there). The builtin atan2 / asin may be
// far coarser (lavapipe's were 2e-4 rad off), and these angles are the reported head pose.
fn atan_unit(t: f32) -> f32 {
  var x = abs(t);
  var offset = 0.0;
  if (x > 0.26794919) {
    x = (x * 1.7320508 - 1.0) / (1.7320508 + x);
    offset = 0.52359878;
  }
  let x2 = x * x;
  let r = x * (1.0 - x2 * (1.0 / 3.0 - x2 * (1.0 / 5.0 - x2 * (1.0 / 7.0 - x2 * (1.0 / 9.0 - x2 / 11.0)))));
  return sign(t) * (offset + r);
}

fn precise_atan2(y: f32, x: f32) -> f32 {
  if (abs(x) >= abs(y)) {
    if (x == 0.0) {
      return 0.0;
    }
    let a = atan_unit(y / x);
    if (x < 0.0) {
      return a + select(-3.14159265, 3.14159265, y >= 0.0);
    }
    return a;
  }
  return select(-HALF_PI, HALF_PI, y > 0.0) - atan_unit(x / y);
}

fn precise_asin(v: f32) -> f32 {
  return precise_atan2(v, sqrt(max(0.0, 1.0 - v * v)));
}

fn clamp_angle(a: f32, hits: ptr<function, f32>) -> f32 {
  if (abs(a) <= HALF_PI) {
    return a;
  }
  *hits += 1.0;
  return sign(a) * HALF_PI;
}

fn update_params(face: u32, lid: u32, count: u32) -> vec2<f32> {
  let o = base(face);
  var step2 = 0.0;
  var hits = 0.0;
  if (lid == 0u) {
    // Rows of R times the columns of exp([dw]x).
    let E = rodrigues(vec3<f32>(step[1], step[2], step[3]));
    var rows = array<vec3<f32>, 3>(rotation_row(face, 0u), rotation_row(face, 1u), rotation_row(face, 2u));
    for (var k = 0u; k < 3u; k++) {
      rows[k] = vec3<f32>(dot(rows[k], E[0]), dot(rows[k], E[1]), dot(rows[k], E[2]));
    }
    let before = hits;
    state[o + 1u] = clamp_angle(precise_atan2(-rows[1].z, rows[2].z), &hits);
    state[o + 2u] = clamp_angle(precise_asin(clamp(rows[0].z, -1.0, 1.0)), &hits);
    state[o + 3u] = clamp_angle(precise_atan2(-rows[0].y, rows[0].x), &hits);
    if (hits > before) {
      rows = rotation_rows(state[o + 1u], state[o + 2u], state[o + 3u]);
    }
    for (var k = 0u; k < 3u; k++) {
      let at = extra(face) + ROTATION + 3u * k;
      state[at] = rows[k].x;
      state[at + 1u] = rows[k].y;
      state[at + 2u] = rows[k].z;
    }
    state[o] += step[0];
    for (var c = 0u; c < 4u; c++) {
      step2 += step[c] * step[c];
    }
  }
  for (var c = 4u + lid; c < count; c += WG) {
    var v = state[o + c] + step[c];
    step2 += step[c] * step[c];
    if (c >= GLOBALS) {
      let limit = prior[params.modes + c - GLOBALS];
      if (abs(v) > limit) {
        v = sign(v) * limit;
        hits += 1.0;
      }
    }
    state[o + c] = v;
  }
  return vec2<f32>(step2, hits);
}
