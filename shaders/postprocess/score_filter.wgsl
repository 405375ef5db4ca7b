// After RNet/ONet on one chunk of the packed candidate list: keep the candidates whose face score
// exceeds the threshold (facenet: score > threshold), with the network's box regression, appending
// each to its image's list. params.landmarks (ONet): the 5 points are placed in the crop box the
// network saw (x = w * px + x1 - 1, y = h * py + y1 - 1, w = x2 - x1 + 1), written to row `slot` of
// the landmark buffer, and the box is then regressed (facenet's bbreg) before the final NMS. It is a
// uniform, not a define, so RNet and ONet share one pipeline (lavapipe JITs each pipeline at its
// first dispatch: RNet's own took 0.16-0.26 s on a fresh machine). FACE_API_BOXES (ONet): the box
// is calibrated as face-api.js does (no +1, squared, x, y, width, height rounded half up) and the
// points placed in that final box (x = (w + 1) px + x1). SCORES (stage
// diagnostics, precision studies): every sample's score and logit margin, passed or not, is also
// written to `stage_scores` at its packed index, so a study can say how far below the threshold a
// candidate one run dropped was.
struct Params {
  first: u32,          // packed index of the chunk's first sample
  capacity: u32,       // samples in a chunk
  total_count: u32,    // counts[total_count] = packed candidates
  threshold: f32,
  out_stride: u32,     // per-image segment capacity of the output list
  out_count_base: u32, // counts[out_count_base + image]
  overflow: u32,
  landmarks: u32,      // 1: ONet (points, landmark rows, regressed boxes); 0: RNet
}

@group(0) @binding(0) var<storage, read> packed: array<Candidate>;
@group(0) @binding(1) var<storage, read> prob: array<f32>;        // [capacity, 2]
@group(0) @binding(2) var<storage, read> logits: array<f32>;      // [capacity, 2] before the softmax
@group(0) @binding(3) var<storage, read> regression: array<f32>;  // [capacity, 4]
@group(0) @binding(4) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> output_list: array<Candidate>;
// RNet binds stand-ins here (never read or written with params.landmarks 0).
@group(0) @binding(6) var<storage, read> points: array<f32>;      // [capacity, 10]: 5 x, then 5 y
@group(0) @binding(7) var<storage, read_write> landmarks: array<f32>; // [packed capacity, 10]
@group(0) @binding(8) var<uniform> params: Params;
#if ${SCORES}
@group(0) @binding(9) var<storage, read_write> stage_scores: array<f32>; // [packed capacity, 2]
#endif

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let s = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  let slot = params.first + s;
  if (s >= params.capacity || slot >= atomicLoad(&counts[params.total_count])) {
    return;
  }
  let score = prob[2u * s + 1u];
#if ${SCORES}
  stage_scores[2u * slot] = score;
  stage_scores[2u * slot + 1u] = logits[2u * s + 1u] - logits[2u * s];
#endif
  if (!(score > params.threshold)) {
    return;
  }
  var c = packed[slot];
  c.score = score;
#if ${RANK_BY_SCORE}
  c.rank = score;
#else
  c.rank = logits[2u * s + 1u] - logits[2u * s];
#endif
  c.reg = vec4<f32>(regression[4u * s], regression[4u * s + 1u], regression[4u * s + 2u], regression[4u * s + 3u]);
  if (params.landmarks != 0u) {
    // The point loops run to 5 * params.landmarks (= 5 here): a trip count LLVM cannot see keeps it
    // from unrolling them into 10 checked stores (lavapipe's first-dispatch JIT of this shader,
    // Mesa's cache off: 272-409 -> 180-292 ms).
#if ${FACE_API_BOXES}
    let size = vec2<f32>(c.box.z - c.box.x, c.box.w - c.box.y);
    var b = c.box + c.reg * vec4<f32>(size, size);
    let w = b.z - b.x;
    let h = b.w - b.y;
    let l = max(w, h);
    let corner = floor(vec2<f32>(b.x + w * 0.5 - l * 0.5, b.y + h * 0.5 - l * 0.5) + 0.5);
    let side = floor(l + 0.5);
    c.box = vec4<f32>(corner, corner + side);
    for (var k = 0u; k < 5u * params.landmarks; k++) {
      landmarks[10u * slot + k] = (side + 1.0) * points[10u * s + k] + corner.x;
      landmarks[10u * slot + 5u + k] = (side + 1.0) * points[10u * s + 5u + k] + corner.y;
    }
#else
    let size = vec2<f32>(c.box.z - c.box.x + 1.0, c.box.w - c.box.y + 1.0);
    for (var k = 0u; k < 5u * params.landmarks; k++) {
      landmarks[10u * slot + k] = size.x * points[10u * s + k] + c.box.x - 1.0;
      landmarks[10u * slot + 5u + k] = size.y * points[10u * s + 5u + k] + c.box.y - 1.0;
    }
    c.box = c.box + c.reg * vec4<f32>(size, size);
#endif
    c.aux = slot;
  }
  let n = atomicAdd(&counts[params.out_count_base + c.image], 1u);
  if (n < params.out_stride) {
    output_list[c.image * params.out_stride + n] = c;
  } else {
    atomicAdd(&counts[params.overflow], 1u);
  }
}
