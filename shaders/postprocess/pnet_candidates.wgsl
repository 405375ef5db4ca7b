// MTCNN stage 1 box generation (facenet generateBoundingBox): every cell of PNet's face-probability
// map with score >= threshold becomes a candidate, appended to this (image, scale) segment with an
// atomic counter. The counter counts every passing cell; only the first segment_capacity are
// written, so a count above the capacity tells the CPU how much room a re-run needs. The cell box
// corners come from per-column/per-row tables computed on the CPU from the pyramid scale
// (fix((2c + 1) / scale), fix((2c + 12) / scale)), so the GPU and the CPU reference place boxes
// identically whatever the GPU's division rounding. A tile of a large level (tiles.ts) covers the
// cells from (cell_x, cell_y) on: boxes, keys and table rows are those of the whole level.
struct Params {
  out_width: u32,       // the PNet output of this tile (or whole level)
  out_height: u32,
  cell_x: u32,          // its first cell in the level
  cell_y: u32,
  level_width: u32,     // cells per level row (keys are level cells)
  threshold: f32,
  segment_offset: u32,
  segment_capacity: u32,
  count_index: u32,
  key_base: u32,
  image_index: u32,
  x_table: u32,
  y_table: u32,
}

@group(0) @binding(0) var<storage, read> prob: array<f32>;       // [1, 2, H, W] softmax; channel 1 = face
@group(0) @binding(1) var<storage, read> logits: array<f32>;     // [1, 2, H, W] before the softmax
@group(0) @binding(2) var<storage, read> regression: array<f32>; // [1, 4, H, W]
@group(0) @binding(3) var<storage, read> box_table: array<f32>;  // x table: 2 per column; y table: 2 per row
@group(0) @binding(4) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> candidates: array<Candidate>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let cell = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  let plane = params.out_width * params.out_height;
  if (cell >= plane) {
    return;
  }
  let score = prob[plane + cell];
  if (!(score >= params.threshold)) {
    return;
  }
  let cx = cell % params.out_width + params.cell_x;
  let cy = cell / params.out_width + params.cell_y;
  var c: Candidate;
  c.box = vec4<f32>(
    box_table[params.x_table + 2u * cx], box_table[params.y_table + 2u * cy],
    box_table[params.x_table + 2u * cx + 1u], box_table[params.y_table + 2u * cy + 1u]);
  c.reg = vec4<f32>(regression[cell], regression[plane + cell], regression[2u * plane + cell], regression[3u * plane + cell]);
  c.score = score;
#if ${RANK_BY_SCORE}
  // The 'probability' NMS order (MtcnnOptions.nmsOrder): the softmax score itself.
  c.rank = score;
#else
  c.rank = logits[plane + cell] - logits[cell];
#endif
  c.key = params.key_base + cy * params.level_width + cx;
  c.image = params.image_index;
  c.aux = 0u;
  let slot = atomicAdd(&counts[params.count_index], 1u);
  if (slot < params.segment_capacity) {
    candidates[params.segment_offset + slot] = c;
  }
}
