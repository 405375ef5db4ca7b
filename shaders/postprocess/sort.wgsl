// Deterministic per-image sort of detection candidates, descending by score, ties by ascending
// source (atomic appends land in random order, so the tie-break is what makes results repeatable):
// a bitonic sort of keys (~bits(score), source, slot, 0) in ascending order. Positive f32 bit
// patterns order as the floats do, so ~bits orders scores from high to low. Each image's keys are
// a segment of `length` (a power of two, at least 2 * WORKGROUP_SIZE); padding keys are all ones
// and sort last. Entries (src/pipelines/grid/kernels.ts schedules them):
//   sort_init:   keys from the candidate list (workgroup_id.y = image)
//   sort_local:  each block of 2 * WORKGROUP_SIZE keys sorted completely in workgroup memory
//   sort_global: one compare-exchange step (k, j) across blocks, j >= 2 * WORKGROUP_SIZE
//   sort_merge:  the steps j < 2 * WORKGROUP_SIZE of stage k, in workgroup memory
struct Params {
  length: u32,
  capacity: u32,
  count_base: u32,
  k: u32,
  j: u32,
}

@group(0) @binding(0) var<storage, read> candidates: array<Detection>;
@group(0) @binding(1) var<storage, read> counts: array<u32>;
@group(0) @binding(2) var<storage, read_write> keys: array<vec4<u32>>;
@group(0) @binding(3) var<uniform> params: Params;

const WG = ${WORKGROUP_SIZE}u;
const BLOCK = 2u * ${WORKGROUP_SIZE}u;
const PAD = vec4<u32>(0xffffffffu, 0xffffffffu, 0xffffffffu, 0u);

var<workgroup> tile_keys: array<vec4<u32>, 2 * ${WORKGROUP_SIZE}>;

fn before(a: vec4<u32>, b: vec4<u32>) -> bool {
  return a.x < b.x || (a.x == b.x && a.y < b.y);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn sort_init(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let image = wid.y;
  let p = gid.x;
  if (p >= params.length) {
    return;
  }
  let n = min(counts[params.count_base + image], params.capacity);
  var key = PAD;
  if (p < n) {
    let d = candidates[image * params.capacity + p];
    key = vec4<u32>(~bitcast<u32>(d.score), d.source, p, 0u);
  }
  keys[image * params.length + p] = key;
}

// Compare-exchange of block positions a < b (global indices ga, gb) for stage k.
fn exchange_local(a: u32, b: u32, ga: u32, k: u32) {
  let x = tile_keys[a];
  let y = tile_keys[b];
  let ascending = (ga & k) == 0u;
  if (before(y, x) == ascending) {
    tile_keys[a] = y;
    tile_keys[b] = x;
  }
}

fn load_block(base: u32, lid: u32) {
  tile_keys[lid] = keys[base + lid];
  tile_keys[lid + WG] = keys[base + lid + WG];
  workgroupBarrier();
}

fn store_block(base: u32, lid: u32) {
  workgroupBarrier();
  keys[base + lid] = tile_keys[lid];
  keys[base + lid + WG] = tile_keys[lid + WG];
}

// The steps j = j0, j0 / 2, ..., 1 of stage k inside the block starting at global index `first`.
fn steps_local(first: u32, lid: u32, k: u32, j0: u32) {
  for (var j = j0; j > 0u; j = j >> 1u) {
    let a = 2u * j * (lid / j) + lid % j;
    exchange_local(a, a + j, first + a, k);
    workgroupBarrier();
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn sort_local(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let first = wid.x * BLOCK;
  let base = wid.y * params.length + first;
  load_block(base, lid);
  for (var k = 2u; k <= BLOCK; k = k << 1u) {
    steps_local(first, lid, k, k >> 1u);
  }
  store_block(base, lid);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn sort_global(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let t = gid.x;
  if (t >= params.length / 2u) {
    return;
  }
  let j = params.j;
  let a = 2u * j * (t / j) + t % j;
  let base = wid.y * params.length;
  let x = keys[base + a];
  let y = keys[base + a + j];
  let ascending = (a & params.k) == 0u;
  if (before(y, x) == ascending) {
    keys[base + a] = y;
    keys[base + a + j] = x;
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn sort_merge(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let first = wid.x * BLOCK;
  let base = wid.y * params.length + first;
  load_block(base, lid);
  steps_local(first, lid, params.k, WG);
  store_block(base, lid);
}
