// Component numbering in raster order: an exclusive prefix sum over the root flags of a labelled
// map (parent[i] == i), so component k is the k-th component whose first pixel comes in raster
// order - deterministic, unlike an atomic counter.
//   blocks:  each workgroup counts the roots of its 1024 pixels, numbering them within the block
//   totals:  one invocation turns the block counts into block offsets (and the total)
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

// WORKGROUP_SIZE invocations x PER_THREAD pixels per block; the partial counts are summed by one invocation
// (two barriers, where a tree scan needs two per step: barriers are expensive on CPU adapters).
const WG = ${WORKGROUP_SIZE}u;
const PER_THREAD = ${PER_THREAD}u;
var<workgroup> partial: array<u32, ${WORKGROUP_SIZE}>;

fn is_root(i: u32) -> bool {
  return i < params.pixels && parent[i] == i;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
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
  workgroupBarrier();
  if (lid == 0u) {
    var sum = 0u;
    for (var t = 0u; t < WG; t++) {
      let v = partial[t];
      partial[t] = sum;
      sum += v;
    }
    if (block < params.blocks) {
      block_sums[block] = sum;
    }
  }
  workgroupBarrier();
  var next = partial[lid];
  for (var k = 0u; k < PER_THREAD; k++) {
    if (is_root(first + k)) {
      ids[first + k] = next;
      next++;
    }
  }
}

// One invocation: the block counts become block offsets (a few thousand at most).
@compute @workgroup_size(1)
fn totals() {
  var sum = 0u;
  for (var b = 0u; b < params.blocks; b++) {
    let v = block_sums[b];
    block_sums[b] = sum;
    sum += v;
  }
  counts[params.total_index] = sum;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
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
