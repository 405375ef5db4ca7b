// Greedy non-maximum suppression over many candidate lists at once: one workgroup per segment.
// 1. rank: each candidate counts the ones ahead of it (higher rank value - the logit margin, see
//    candidate.wgsl - or equal and smaller key), which orders the segment by descending score
//    deterministically (O(n^2 / workgroup));
// 2. scan: in rank order, a candidate not yet suppressed is kept and suppresses every later one
//    overlapping it by more than the threshold (facenet's nms: 'Union' = IoU, MIN = intersection
//    over the smaller area, params.min_mode; areas count pixels inclusively, (x2 - x1 + 1) *
//    (y2 - y1 + 1), or with params.edge 0 as (x2 - x1) * (y2 - y1), as face-api.js's iou does);
// 3. the kept candidates, in rank order, are appended to the segment's output list.
// The overlap test is `inter > threshold * denominator` (no division, whose rounding WGSL leaves
// loose), so the GPU and the CPU reference decide every pair alike.
// The mode and the edge are uniforms, not defines: every NMS of a pipeline shares one pipeline
// (lavapipe JITs each at its first dispatch, ~0.4 s for this shader).
struct Params {
  threshold: f32,
  segments: u32,
  min_mode: u32,  // 1: intersection over the smaller area; 0: IoU
  edge: f32,      // added to a side's length: 1 (pixels counted inclusively) or 0
}

struct Segment {
  in_offset: u32,
  in_count: u32,      // index in counts
  in_capacity: u32,
  out_offset: u32,
  out_count: u32,     // index in counts (atomically advanced: several segments may feed one list)
  out_capacity: u32,
  overflow: u32,      // index in counts: how many kept candidates found no room
  pad: u32,
}

@group(0) @binding(0) var<storage, read> input_list: array<Candidate>;
@group(0) @binding(1) var<storage, read_write> output_list: array<Candidate>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> segments: array<Segment>;
@group(0) @binding(4) var<storage, read_write> order: array<u32>;      // scratch, indexed like input_list
@group(0) @binding(5) var<storage, read_write> suppressed: array<u32>; // scratch, by rank
@group(0) @binding(6) var<uniform> params: Params;

const WG = ${WORKGROUP_SIZE}u;

var<workgroup> shared_count: u32;
var<workgroup> shared_flag: u32;
var<workgroup> shared_base: u32;

fn area(b: vec4<f32>) -> f32 {
  return (b.z - b.x + params.edge) * (b.w - b.y + params.edge);
}

fn overlaps(a: vec4<f32>, b: vec4<f32>) -> bool {
  let w = max(0.0, min(a.z, b.z) - max(a.x, b.x) + params.edge);
  let h = max(0.0, min(a.w, b.w) - max(a.y, b.y) + params.edge);
  let inter = w * h;
  let denominator = select(area(a) + area(b) - inter, min(area(a), area(b)), params.min_mode != 0u);
  return inter > params.threshold * denominator;
}

fn ahead(j: Candidate, i: Candidate) -> bool {
  return j.rank > i.rank || (j.rank == i.rank && j.key < i.key);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let seg = segments[wid.x];
  if (lid == 0u) {
    shared_count = min(atomicLoad(&counts[seg.in_count]), seg.in_capacity);
  }
  let n = workgroupUniformLoad(&shared_count);
  let base = seg.in_offset;

  for (var i = lid; i < n; i += WG) {
    let c = input_list[base + i];
    var rank = 0u;
    for (var j = 0u; j < n; j++) {
      if (ahead(input_list[base + j], c)) {
        rank++;
      }
    }
    order[base + rank] = i;
    suppressed[base + rank] = 0u;
  }
  storageBarrier();
  workgroupBarrier();

  var kept = 0u;  // meaningful in invocation 0 only
  for (var r = 0u; r < n; r++) {
    if (lid == 0u) {
      shared_flag = suppressed[base + r];
    }
    let flag = workgroupUniformLoad(&shared_flag);
    if (flag == 0u) {
      let box = input_list[base + order[base + r]].box;
      for (var q = r + 1u + lid; q < n; q += WG) {
        if (suppressed[base + q] == 0u && overlaps(box, input_list[base + order[base + q]].box)) {
          suppressed[base + q] = 1u;
        }
      }
      if (lid == 0u) {
        // order[] below r is no longer read: reuse it for the kept list.
        order[base + kept] = order[base + r];
        kept++;
      }
    }
    storageBarrier();
    workgroupBarrier();
  }

  if (lid == 0u) {
    shared_count = kept;
    shared_base = atomicAdd(&counts[seg.out_count], kept);
  }
  let total = workgroupUniformLoad(&shared_count);
  let out_base = shared_base;
  for (var k = lid; k < total; k += WG) {
    let slot = out_base + k;
    if (slot < seg.out_capacity) {
      output_list[seg.out_offset + slot] = input_list[base + order[base + k]];
    } else {
      atomicAdd(&counts[seg.overflow], 1u);
    }
  }
}
