// Indirect dispatch arguments for a graph compiled with a dynamic batch (src/graph/dynamic-batch.ts):
// for every chunk of `capacity` samples and every dispatch of the graph, the workgroup grid that
// processes the chunk's share of counts[count_index] samples. One invocation per (chunk, dispatch).
struct Params {
  entries: u32,
  chunks: u32,
  capacity: u32,
  count_index: u32,
  max_per_dim: u32,
}

// Launch table: per dispatch two vec4: (mode, axis, per-sample units, workgroup size), (grid at capacity, 0).
const LAUNCH_WHOLE = 0u;
const LAUNCH_FLAT = 1u;
const LAUNCH_AXIS = 2u;
const LAUNCH_CEIL = 3u;

@group(0) @binding(0) var<storage, read> counts: array<u32>;
@group(0) @binding(1) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> args: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.entries * params.chunks) {
    return;
  }
  let chunk = i / params.entries;
  let entry = i % params.entries;
  let total = counts[params.count_index];
  let start = chunk * params.capacity;
  var n = 0u;
  if (total > start) {
    n = min(total - start, params.capacity);
  }
  let head = table[2u * entry];
  let full = table[2u * entry + 1u].xyz;
  var grid = vec3<u32>(0u);
  if (n > 0u) {
    if (head.x == LAUNCH_FLAT) {
      let groups = max(1u, (n * head.z + head.w - 1u) / head.w);
      let x = min(groups, params.max_per_dim);
      grid = vec3<u32>(x, (groups + x - 1u) / x, 1u);
    } else if (head.x == LAUNCH_AXIS) {
      grid = full;
      grid[head.y] = n * head.z;
    } else if (head.x == LAUNCH_CEIL) {
      grid = full;
      grid[head.y] = (n * head.z + head.w - 1u) / head.w;
    } else {
      grid = full;
    }
  }
  args[3u * i] = grid.x;
  args[3u * i + 1u] = grid.y;
  args[3u * i + 2u] = grid.z;
}
