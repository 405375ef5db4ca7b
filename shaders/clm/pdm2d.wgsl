// The 2-D point distribution model under a 2-D similarity (clmtrackr): parameters [a - 1, b, tx,
// ty, q_1..q_m]; point i = [a -b; b a] (mean_i + V_i q) + t. Provides what clm_fit.wgsl needs of a
// shape model: the pose, points, placement, Jacobian, the round's similarity and view, the update.
const GLOBALS = 4u;

struct Pose {
  a: f32,
  b: f32,
  t: vec2<f32>,
}

fn pose_of(face: u32) -> Pose {
  let o = base(face);
  return Pose(1.0 + state[o], state[o + 1u], vec2<f32>(state[o + 2u], state[o + 3u]));
}

// Point i in model units (z = 0).
fn model_point(face: u32, i: u32) -> vec3<f32> {
  var x = mean_shape[2u * i];
  var y = mean_shape[2u * i + 1u];
  let m = params.modes;
  for (var k = 0u; k < m; k++) {
    let q = state[base(face) + GLOBALS + k];
    x += eigen_vectors[2u * i * m + k] * q;
    y += eigen_vectors[(2u * i + 1u) * m + k] * q;
  }
  return vec3<f32>(x, y, 0.0);
}

fn place(p: Pose, X: vec3<f32>) -> vec2<f32> {
  return vec2<f32>(p.a * X.x - p.b * X.y, p.b * X.x + p.a * X.y) + p.t;
}

// d (image x or y of point i) / d parameter c.
fn jacobian_entry(p: Pose, X: vec3<f32>, i: u32, y_row: bool, c: u32) -> f32 {
  if (c == 0u) {
    return select(X.x, X.y, y_row);
  }
  if (c == 1u) {
    return select(-X.y, X.x, y_row);
  }
  if (c == 2u) {
    return select(1.0, 0.0, y_row);
  }
  if (c == 3u) {
    return select(0.0, 1.0, y_row);
  }
  let k = c - GLOBALS;
  let m = params.modes;
  let vx = eigen_vectors[2u * i * m + k];
  let vy = eigen_vectors[(2u * i + 1u) * m + k];
  return select(p.a * vx - p.b * vy, p.b * vx + p.a * vy, y_row);
}

// The round's similarity (reference -> image): the pose's own (every invocation calls this).
fn round_similarity(face: u32, lid: u32) -> vec2<f32> {
  return vec2<f32>(1.0 + state[base(face)], state[base(face) + 1u]);
}

fn round_view(face: u32) -> u32 {
  return 0u;
}

// Adds `step` to the parameters (one per invocation), clamps modes to +-3 sqrt(lambda); returns
// (sum of squared steps, clamp hits) of this invocation's parameters.
fn update_params(face: u32, lid: u32, count: u32) -> vec2<f32> {
  var step2 = 0.0;
  var hits = 0.0;
  for (var c = lid; c < count; c += WG) {
    var v = state[base(face) + c] + step[c];
    step2 += step[c] * step[c];
    if (c >= GLOBALS) {
      let limit = prior[params.modes + c - GLOBALS];
      if (abs(v) > limit) {
        v = sign(v) * limit;
        hits += 1.0;
      }
    }
    state[base(face) + c] = v;
  }
  return vec2<f32>(step2, hits);
}
