// Component numbering in raster order: an exclusive prefix sum over the root flags of a labelled
// map (parent[i] == i), so component k is the k-th component whose first pixel comes in raster
// order - deterministic, unlike an atomic counter.
//   blocks:  each workgroup counts the roots of its 1024 pixels, numbering them within the block
//   totals:  one workgroup turns the block counts into block offsets (and the total)
//   offsets: adds the block offset; records the root pixel of each component
struct Params {
  pixels: u32,
  blocks: u32,
  capacity: u32,     // components recorded in root_of
  total_index: u32,  // counts[total_index] = number of components
}

@group(0) @binding(0) var<storage, read> parent: array<u32>;
@group(0) @binding(1) var<storage, read_write> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> block_sums: array<u32>;
@group(0) @binding(3) var<storage, read_write> root_of: array<u32>;
@group(0) @binding(4) var<storage, read_write> counts: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;

const WG = 256u;
const PER_THREAD = 4u;
var<workgroup> partial: array<u32, 256>;

fn is_root(i: u32) -> bool {
  return i < params.pixels && parent[i] == i;
}

// Inclusive Hillis-Steele scan of `partial` (all invocations take part).
fn scan_partial(lid: u32) {
  for (var step = 1u; step < WG; step *= 2u) {
    workgroupBarrier();
    var v = partial[lid];
    if (lid >= step) {
      v += partial[lid - step];
    }
    workgroupBarrier();
    partial[lid] = v;
  }
  workgroupBarrier();
}

@compute @workgroup_size(256)
fn blocks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let block = wid.x + wid.y * groups.x;
  let first = block * WG * PER_THREAD + lid * PER_THREAD;
  var mine = 0u;
  for (var k = 0u; k < PER_THREAD; k++) {
    if (is_root(first + k)) {
      mine++;
    }
  }
  partial[lid] = mine;
  scan_partial(lid);
  var next = partial[lid] - mine;
  for (var k = 0u; k < PER_THREAD; k++) {
    if (is_root(first + k)) {
      ids[first + k] = next;
      next++;
    }
  }
  if (lid == WG - 1u && block < params.blocks) {
    block_sums[block] = partial[lid];
  }
}

@compute @workgroup_size(256)
fn totals(@builtin(local_invocation_index) lid: u32) {
  var carry = 0u;
  for (var start = 0u; start < params.blocks; start += WG) {
    let i = start + lid;
    let mine = select(0u, block_sums[i], i < params.blocks);
    partial[lid] = mine;
    scan_partial(lid);
    if (i < params.blocks) {
      block_sums[i] = carry + partial[lid] - mine;
    }
    carry += partial[WG - 1u];
    workgroupBarrier();
  }
  if (lid == 0u) {
    counts[params.total_index] = carry;
  }
}

@compute @workgroup_size(256)
fn offsets(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let block = wid.x + wid.y * groups.x;
  let first = block * WG * PER_THREAD + lid * PER_THREAD;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = first + k;
    if (is_root(i)) {
      let id = ids[i] + block_sums[block];
      ids[i] = id;
      if (id < params.capacity) {
        root_of[id] = i;
      }
    }
  }
}
