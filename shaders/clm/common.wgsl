// Constrained local model fitting on the GPU (src/pipelines/clm/): every face of a batch is fitted by
// a static list of dispatches; a face whose points stopped moving sets its `converged` flag and
// every later dispatch leaves it alone, so no iteration needs a readback. Conventions (pixel
// centres, the reference frame, response layout, the update) are those written at the top of
// src/pipelines/clm/reference.ts, the float64 CPU reference.
//   anchor:   per face, the points from the parameters (the round's anchor) and the similarity A
//   patches:  per (landmark, face), the area of interest with a 1-pixel margin, grey, bilinear
//   response: per (landmark, face), the SVM response map (window min-max, correlation, sigmoid with
//             the bias), min-max to [0, 1] per landmark, averaged over the response types (two
//             kernels: each type's raw map, then the normalisation)
//   iterate:  per face, one regularised mean-shift iteration: mean-shift, (J^T J + Lambda) dp =
//             J^T v - Lambda p by Cholesky in workgroup memory, update, clamp, convergence
//   finish:   per face, final points, likelihood, flags -> the output list
// Face state (f32, stride state_stride): params [P] | anchor [2n] | a, b, converged, iterations,
// last move, likelihood, sigma2 of the last iteration, window size of the last responses, stage
// done, view, rotation (3-D models).
struct Params {
  faces: u32,
  points: u32,
  modes: u32,
  state_stride: u32,
  window: u32,        // ws of this stage
  patch_size: u32,    // ps
  aoi_side: u32,      // ws + ps - 1 + 2 (AOI with margin)
  max_window: u32,    // response stride side (the largest ws)
  types: u32,         // response types averaged (bit mask over the model's filter blocks)
  sigma2: f32,
  reg: f32,
  convergence: f32,
  trace_slot: u32,    // iteration index in the trace
  trace_stride: u32,
  aoi_stride: u32,    // floats per landmark in the AOI buffer: the AOI, then each type's raw response map
  round_check: u32,   // 1: this stage repeats the previous one (same window): test round convergence
  round_convergence: f32,
  stage: u32,         // index of this stage in the schedule
  stages: u32,
  ref_scale: f32,     // 3-D models: the reference shape's scale (the experts' patch scaling)
  rigid: u32,         // 1: this iteration solves for the pose alone
  phase_start: u32,   // 1: the first iteration of a phase (clears the previous phase's stop)
  views: u32,         // views of the stage's experts
}

const WG = ${WORKGROUP_SIZE}u;
const POINTS = ${POINTS}u;
const PARAMS = ${PARAMS}u;

// Slots after params [P] and anchor [2n] in a face's state.
const A_SLOT = 0u;
const B_SLOT = 1u;
const CONVERGED = 2u;
const ITERATIONS = 3u;
const MOVE = 4u;
const LIKELIHOOD = 5u;
const LAST_SIGMA2 = 6u;
const LAST_WINDOW = 7u;
const STAGE_DONE = 8u;    // the current stage's iterations stopped (reset by the next anchor)
const VIEW = 9u;          // the experts' view chosen for the face this stage
const ROTATION = 10u;     // 3-D models: the rotation matrix, 9 floats row-major (the pose's truth;
                          // its Euler angles in the parameters follow it)
const JACOBIAN = 19u;     // iterate's scratch: J [2n x count], row-major (kernels.ts stateStride)

fn base(face: u32) -> u32 {
  return face * params.state_stride;
}

fn extra(face: u32) -> u32 {
  return base(face) + PARAMS + 2u * POINTS;
}

fn anchor_of(face: u32, i: u32) -> vec2<f32> {
  let o = base(face) + PARAMS + 2u * i;
  return vec2<f32>(state[o], state[o + 1u]);
}

fn similarity(face: u32) -> vec2<f32> {
  return vec2<f32>(state[extra(face) + A_SLOT], state[extra(face) + B_SLOT]);
}

var<workgroup> flag: u32;

// Every kernel starts with one of these: a converged face is left alone.
// face_converged: kernels without barriers, each invocation reads the flag itself. A barrier, even
// face_done's uniform load, makes SwiftShader run every subgroup of every workgroup as a coroutine.
fn face_converged(face: u32) -> bool {
  return state[extra(face) + CONVERGED] > 0.5;
}

// face_done: kernels with barriers after it, which need the flag loaded uniformly.
fn face_done(face: u32, lid: u32) -> bool {
  if (lid == 0u) {
    flag = u32(face_converged(face));
  }
  return workgroupUniformLoad(&flag) == 1u;
}
