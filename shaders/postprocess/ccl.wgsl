// Connected-component labelling of a binarized map on the GPU (8-connectivity), with a lock-free
// union-find whose links always point to the smaller index (Playne & Hawick's atomicMin union), so a
// component's root is its first pixel in raster order and the result does not depend on timing.
//   init:    parent[i] = i where prob > threshold (after a dilation by a dilation x dilation square
//            when dilation >= 2: OpenCV's anchor at the kernel centre), else BACKGROUND
//   merge:   every pixel unites with its W, NW, N, NE neighbours
//   flatten: parent[i] = root
struct Params {
  width: u32,
  height: u32,
  threshold: f32,
  dilation: u32,
}

const BACKGROUND = 0xffffffffu;

@group(0) @binding(0) var<storage, read> prob: array<f32>;
@group(0) @binding(1) var<storage, read_write> parent: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> params: Params;

fn find(x: u32) -> u32 {
  var r = x;
  loop {
    let p = atomicLoad(&parent[r]);
    if (p == r) {
      return r;
    }
    r = p;
  }
}

fn unite(x: u32, y: u32) {
  var a = find(x);
  var b = find(y);
  loop {
    if (a == b) {
      return;
    }
    if (a < b) {
      let t = a;
      a = b;
      b = t;
    }
    // Link the larger root under the smaller. If a had meanwhile been linked elsewhere, its old
    // parent must still be united with b: continue from there.
    let old = atomicMin(&parent[a], b);
    if (old == a) {
      return;
    }
    a = old;
  }
}

fn pixel(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return linear_index(gid, groups, ${WORKGROUP_SIZE}u);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn init(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = pixel(gid, groups);
  if (i >= params.width * params.height) {
    return;
  }
  var on = prob[i] > params.threshold;
  if (params.dilation >= 2u) {
    let x = i32(i % params.width);
    let y = i32(i / params.width);
    let anchor = i32(params.dilation / 2u);
    for (var dy = -anchor; dy < i32(params.dilation) - anchor; dy++) {
      for (var dx = -anchor; dx < i32(params.dilation) - anchor; dx++) {
        let sx = x + dx;
        let sy = y + dy;
        if (sx >= 0 && sy >= 0 && sx < i32(params.width) && sy < i32(params.height)) {
          on = on || prob[u32(sy) * params.width + u32(sx)] > params.threshold;
        }
      }
    }
  }
  atomicStore(&parent[i], select(BACKGROUND, i, on));
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn merge(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = pixel(gid, groups);
  if (i >= params.width * params.height || atomicLoad(&parent[i]) == BACKGROUND) {
    return;
  }
  let x = i % params.width;
  let y = i / params.width;
  if (x > 0u && atomicLoad(&parent[i - 1u]) != BACKGROUND) {
    unite(i, i - 1u);
  }
  if (y > 0u) {
    let up = i - params.width;
    if (x > 0u && atomicLoad(&parent[up - 1u]) != BACKGROUND) {
      unite(i, up - 1u);
    }
    if (atomicLoad(&parent[up]) != BACKGROUND) {
      unite(i, up);
    }
    if (x + 1u < params.width && atomicLoad(&parent[up + 1u]) != BACKGROUND) {
      unite(i, up + 1u);
    }
  }
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn flatten(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = pixel(gid, groups);
  if (i >= params.width * params.height || atomicLoad(&parent[i]) == BACKGROUND) {
    return;
  }
  atomicStore(&parent[i], find(i));
}
