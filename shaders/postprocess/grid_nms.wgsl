// Non-maximum suppression for crowded scenes, per image, on candidates sorted by sort.wgsl
// (descending score, ties by source). The CPU reference is src/pipelines/grid/reference.ts.
//   nms_gather:   the sorted candidates as a contiguous list (sorted[image][position])
//   nms_mask:     bit j of mask[i] (j > i) is set when candidates i and j suppress each other:
//                 same class (or AGNOSTIC) and intersection > threshold * union, areas in
//                 continuous coordinates, or pixel-inclusive ones (+1) with INCLUSIVE. One u32
//                 word per invocation; an image group at a time (the mask of 8192 candidates is
//                 8 MiB per image).
//   nms_keep:     greedy NMS, exactly as the sequential algorithm: one workgroup per image walks the
//                 sorted list, skipping removed rows, keeping a row and OR-ing its mask into the
//                 removed set, until max_det rows are kept. WEIGHTED also records, per removed
//                 candidate, the kept row that removed it (its cluster, for the blended box).
//   nms_soft:     soft-NMS (Bodla et al. 2017): repeatedly keep the highest remaining score, decay
//                 the others by their overlap with it (linear: s (1 - IoU) when IoU > threshold;
//                 SOFT_GAUSSIAN: s exp(-IoU^2 / sigma)) and drop those below the score threshold.
//   TOP (no NMS; CenterNet's own rule): nms_emit takes the first max_det sorted candidates.
//   nms_emit:     the kept candidates, in order, to the output list (WEIGHTED: the box is the
//                 score-weighted mean of its cluster, the score the kept one's, as MediaPipe does).
struct Params {
  length: u32,        // sorted segment length per image (power of two)
  capacity: u32,      // candidate list capacity per image
  count_base: u32,    // counts[count_base + image]: candidates appended by the decoder
  kept_base: u32,     // counts[kept_base + image]: kept by NMS
  first_image: u32,   // this dispatch's image group (nms_mask, nms_keep)
  max_det: u32,
  threshold: f32,     // IoU threshold
  score_threshold: f32,
  sigma: f32,
}

@group(0) @binding(0) var<storage, read> candidates: array<Detection>;
@group(0) @binding(1) var<storage, read> keys: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> sorted: array<Detection>;
@group(0) @binding(4) var<storage, read_write> mask: array<u32>;
@group(0) @binding(5) var<storage, read_write> kept: array<u32>;        // [image][max_det] positions
@group(0) @binding(6) var<storage, read_write> scratch: array<u32>;     // [image][length]: suppressor / soft scores
@group(0) @binding(7) var<storage, read_write> output_list: array<Detection>;
@group(0) @binding(8) var<uniform> params: Params;

const WG = ${WORKGROUP_SIZE}u;
const WORDS = ${WORDS}u;   // length / 32
const NONE = 0xffffffffu;

fn candidate_count(image: u32) -> u32 {
  return min(atomicLoad(&counts[params.count_base + image]), params.capacity);
}

fn area(b: vec4<f32>) -> f32 {
#if ${INCLUSIVE}
  return (b.z - b.x + 1.0) * (b.w - b.y + 1.0);
#else
  return (b.z - b.x) * (b.w - b.y);
#endif
}

fn intersection(a: vec4<f32>, b: vec4<f32>) -> f32 {
#if ${INCLUSIVE}
  let w = max(0.0, min(a.z, b.z) - max(a.x, b.x) + 1.0);
  let h = max(0.0, min(a.w, b.w) - max(a.y, b.y) + 1.0);
#else
  let w = max(0.0, min(a.z, b.z) - max(a.x, b.x));
  let h = max(0.0, min(a.w, b.w) - max(a.y, b.y));
#endif
  return w * h;
}

fn iou(a: vec4<f32>, b: vec4<f32>) -> f32 {
  let inter = intersection(a, b);
  let total = area(a) + area(b) - inter;
  return select(0.0, inter / total, total > 0.0);
}

fn same_class(a: Detection, b: Detection) -> bool {
#if ${AGNOSTIC}
  return true;
#else
  return a.class_id == b.class_id;
#endif
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn nms_gather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let image = wid.y;
  let p = gid.x;
  if (p >= candidate_count(image)) {
    return;
  }
  sorted[image * params.length + p] = candidates[image * params.capacity + keys[image * params.length + p].z];
  // WEIGHTED: no suppressor yet (nms_keep records them).
  scratch[image * params.length + p] = NONE;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn nms_mask(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let group_image = wid.z;
  let image = params.first_image + group_image;
  let t = linear_index(gid, groups, WG);
  let row = t / WORDS;
  let word = t % WORDS;
  let n = candidate_count(image);
  // Words left of the row's own word are never read (nms_keep ORs from the row's word on).
  if (row >= n || 32u * word + 31u <= row) {
    return;
  }
  let base = image * params.length;
  let a = sorted[base + row];
  var bits = 0u;
  for (var b = 0u; b < 32u; b++) {
    let j = 32u * word + b;
    if (j > row && j < n) {
      let c = sorted[base + j];
      if (same_class(a, c)) {
        let inter = intersection(a.box, c.box);
        if (inter > params.threshold * (area(a.box) + area(c.box) - inter)) {
          bits |= 1u << b;
        }
      }
    }
  }
  mask[(group_image * params.length + row) * WORDS + word] = bits;
}

var<workgroup> removed: array<u32, ${WORDS}>;
var<workgroup> next_row: u32;
var<workgroup> shared_count: u32;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn nms_keep(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let group_image = wid.x;
  let image = params.first_image + group_image;
  if (lid == 0u) {
    shared_count = candidate_count(image);
  }
  // Loaded uniformly: the loop below has barriers, so its exit must be workgroup-uniform.
  let n = workgroupUniformLoad(&shared_count);
  for (var w = lid; w < WORDS; w += WG) {
    removed[w] = 0u;
  }
  workgroupBarrier();
  var start = 0u;
  var count = 0u;
  loop {
    if (lid == 0u) {
      // The first row >= start that no kept row removed.
      var found = n;
      var w = start / 32u;
      var lowest = start % 32u;
      while (32u * w < n) {
        let open = ~removed[w] & (0xffffffffu << lowest);
        if (open != 0u) {
          found = min(32u * w + countTrailingZeros(open), n);
          break;
        }
        w++;
        lowest = 0u;
      }
      next_row = found;
    }
    let row = workgroupUniformLoad(&next_row);
    if (row >= n || count >= params.max_det) {
      break;
    }
    if (lid == 0u) {
      kept[image * params.max_det + count] = row;
    }
    count++;
    let mask_row = (group_image * params.length + row) * WORDS;
    for (var w = row / 32u + lid; w < WORDS; w += WG) {
      let m = mask[mask_row + w];
#if ${WEIGHTED}
      var newly = m & ~removed[w];
      while (newly != 0u) {
        let b = countTrailingZeros(newly);
        scratch[image * params.length + 32u * w + b] = row;
        newly &= newly - 1u;
      }
#endif
      removed[w] |= m;
    }
    workgroupBarrier();
    start = row + 1u;
  }
  if (lid == 0u) {
    atomicStore(&counts[params.kept_base + image], count);
  }
}

var<workgroup> best_score: array<f32, ${WORKGROUP_SIZE}>;
var<workgroup> best_position: array<u32, ${WORKGROUP_SIZE}>;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn nms_soft(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let image = params.first_image + wid.x;
  let n = candidate_count(image);
  let base = image * params.length;
  // scratch holds the current scores as f32 bits; NONE marks a dropped or kept candidate.
  for (var p = lid; p < n; p += WG) {
    scratch[base + p] = bitcast<u32>(sorted[base + p].score);
  }
  storageBarrier();
  var count = 0u;
  loop {
    if (count >= params.max_det) {
      break;
    }
    var mine = -1.0;
    var at = NONE;
    for (var p = lid; p < n; p += WG) {
      let s = scratch[base + p];
      // Strided scan in increasing p: '>' keeps the lowest position among equal scores.
      if (s != NONE && bitcast<f32>(s) > mine) {
        mine = bitcast<f32>(s);
        at = p;
      }
    }
    best_score[lid] = mine;
    best_position[lid] = at;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half = half >> 1u) {
      if (lid < half) {
        let s = best_score[lid + half];
        let q = best_position[lid + half];
        if (s > best_score[lid] || (s == best_score[lid] && q < best_position[lid])) {
          best_score[lid] = s;
          best_position[lid] = q;
        }
      }
      workgroupBarrier();
    }
    let top = workgroupUniformLoad(&best_position[0]);
    if (top == NONE) {
      break;
    }
    let top_score = best_score[0];
    if (lid == 0u) {
      kept[image * params.max_det + count] = top;
      // The kept score goes to the output list's slot now (nms_emit keeps it).
      output_list[image * params.max_det + count].score = top_score;
      scratch[base + top] = NONE;
    }
    count++;
    storageBarrier();
    workgroupBarrier();
    let a = sorted[base + top];
    for (var p = lid; p < n; p += WG) {
      let s = scratch[base + p];
      let c = sorted[base + p];
      if (s != NONE && same_class(a, c)) {
        let overlap = iou(a.box, c.box);
#if ${SOFT_GAUSSIAN}
        let decayed = bitcast<f32>(s) * exp(-(overlap * overlap) / params.sigma);
#else
        let decayed = select(bitcast<f32>(s), bitcast<f32>(s) * (1.0 - overlap), overlap > params.threshold);
#endif
        scratch[base + p] = select(NONE, bitcast<u32>(decayed), decayed >= params.score_threshold);
      }
    }
    storageBarrier();
    workgroupBarrier();
  }
  if (lid == 0u) {
    atomicStore(&counts[params.kept_base + image], count);
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn nms_emit(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let image = wid.y;
  let k = gid.x;
#if ${TOP}
  let count = min(candidate_count(image), params.max_det);
  if (k == 0u) {
    atomicStore(&counts[params.kept_base + image], count);
  }
  if (k >= count) {
    return;
  }
  let row = k;
#else
  if (k >= params.max_det || k >= atomicLoad(&counts[params.kept_base + image])) {
    return;
  }
  let row = kept[image * params.max_det + k];
#endif
  let base = image * params.length;
  var d = sorted[base + row];
#if ${SOFT}
  d.score = output_list[image * params.max_det + k].score;
#endif
#if ${WEIGHTED}
  // The kept candidate and every candidate its row removed first.
  var total = d.score;
  var acc = d.box * d.score;
  for (var p = row + 1u; p < candidate_count(image); p++) {
    if (scratch[base + p] == row) {
      let c = sorted[base + p];
      total += c.score;
      acc += c.box * c.score;
    }
  }
  d.box = acc / total;
#endif
  output_list[image * params.max_det + k] = d;
}
