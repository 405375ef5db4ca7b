// DB post-processing per connected component (PaddleOCR boxes_from_bitmap, see
// src/pipelines/textdet/reference.ts for the CPU version of the same steps):
//   bounds: bounding box of every component (atomics over its pixels)
//   boxes:  one workgroup per component: leftmost/rightmost pixel of each row -> convex hull
//           (monotone chain) -> minimum-area rectangle (rotating calipers, one hull edge per
//           invocation) -> drop if its short side < min_size -> mean probability inside it (box
//           score) -> drop if < box_threshold -> unclip: grow every side by
//           area * unclip_ratio / perimeter -> drop if short side < min_size + 2 -> corners in
//           PaddleOCR order, scaled to the original image, rounded half to even, clamped.
struct Params {
  width: u32,
  height: u32,
  capacity: u32,        // components processed (PaddleOCR max_candidates)
  total_index: u32,     // counts[total_index] = number of components
  min_size: f32,
  box_threshold: f32,
  unclip_ratio: f32,
  dest_width: f32,
  dest_height: f32,
}

struct TextBox {
  valid: u32,
  score: f32,
  component: u32,
  pad: u32,
  points: array<vec2<f32>, 4>,
}

@group(0) @binding(0) var<storage, read> prob: array<f32>;
@group(0) @binding(1) var<storage, read> parent: array<u32>;
@group(0) @binding(2) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read> root_of: array<u32>;
@group(0) @binding(4) var<storage, read> counts: array<u32>;
@group(0) @binding(5) var<storage, read_write> bounds: array<atomic<u32>>;   // 4 per component: x0, y0, x1, y1
@group(0) @binding(6) var<storage, read_write> points: array<vec2<f32>>;      // scratch: 4 * height + 2 per component
@group(0) @binding(7) var<storage, read_write> boxes: array<TextBox>;
@group(0) @binding(8) var<uniform> params: Params;

const WG = ${WORKGROUP_SIZE}u;
const BACKGROUND = 0xffffffffu;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn bounds_init(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = gid.x;
  if (id >= params.capacity) {
    return;
  }
  atomicStore(&bounds[4u * id], BACKGROUND);
  atomicStore(&bounds[4u * id + 1u], BACKGROUND);
  atomicStore(&bounds[4u * id + 2u], 0u);
  atomicStore(&bounds[4u * id + 3u], 0u);
  boxes[id].valid = 0u;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn bounds_gather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  if (i >= params.width * params.height) {
    return;
  }
  let root = parent[i];
  if (root == BACKGROUND) {
    return;
  }
  let id = ids[root];
  if (id >= params.capacity) {
    return;
  }
  let x = i % params.width;
  let y = i / params.width;
  atomicMin(&bounds[4u * id], x);
  atomicMin(&bounds[4u * id + 1u], y);
  atomicMax(&bounds[4u * id + 2u], x);
  atomicMax(&bounds[4u * id + 3u], y);
}

var<workgroup> hull_size: u32;
var<workgroup> best_area: array<f32, ${WORKGROUP_SIZE}>;
var<workgroup> best_edge: array<u32, ${WORKGROUP_SIZE}>;
var<workgroup> keep: u32;
var<workgroup> rect: vec4<f32>;        // a0, a1, b0, b1
var<workgroup> axis_u: vec2<f32>;
var<workgroup> corners: array<vec2<f32>, 4>;
var<workgroup> window: vec4<u32>;      // xmin, ymin, xmax, ymax of the score window
var<workgroup> sums: array<vec2<f32>, ${WORKGROUP_SIZE}>;

fn cross(o: vec2<f32>, a: vec2<f32>, b: vec2<f32>) -> f32 {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

// PaddleOCR get_mini_boxes: sort by x; the upper of the two left points first, then the upper of
// the two right points, the lower right, the lower left.
fn order_corners(c: array<vec2<f32>, 4>) -> array<vec2<f32>, 4> {
  var p = c;
  for (var i = 1u; i < 4u; i++) {
    var j = i;
    while (j > 0u && p[j - 1u].x > p[j].x) {
      let t = p[j];
      p[j] = p[j - 1u];
      p[j - 1u] = t;
      j--;
    }
  }
  var out: array<vec2<f32>, 4>;
  if (p[1].y > p[0].y) {
    out[0] = p[0];
    out[3] = p[1];
  } else {
    out[0] = p[1];
    out[3] = p[0];
  }
  if (p[3].y > p[2].y) {
    out[1] = p[2];
    out[2] = p[3];
  } else {
    out[1] = p[3];
    out[2] = p[2];
  }
  return out;
}

// Extents of the n hull points at `base` along u and its perpendicular: (min u, max u, min v, max v).
fn extents(base: u32, n: u32, u: vec2<f32>) -> vec4<f32> {
  let v = vec2<f32>(-u.y, u.x);
  var r = vec4<f32>(3.4e38, -3.4e38, 3.4e38, -3.4e38);
  for (var j = 0u; j < n; j++) {
    let h = points[base + j];
    let pa = dot(h, u);
    let pb = dot(h, v);
    r = vec4<f32>(min(r.x, pa), max(r.y, pa), min(r.z, pb), max(r.w, pb));
  }
  return r;
}

fn rect_corners(u: vec2<f32>, r: vec4<f32>) -> array<vec2<f32>, 4> {
  let v = vec2<f32>(-u.y, u.x);
  return array<vec2<f32>, 4>(r.x * u + r.z * v, r.y * u + r.z * v, r.y * u + r.w * v, r.x * u + r.w * v);
}

fn inside(p: array<vec2<f32>, 4>, q: vec2<f32>) -> bool {
  var pos = false;
  var neg = false;
  for (var i = 0u; i < 4u; i++) {
    let a = p[i];
    let b = p[(i + 1u) % 4u];
    let c = (b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x);
    pos = pos || c > 0.0;
    neg = neg || c < 0.0;
  }
  return !(pos && neg);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn boxes_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = wid.x;
  if (id >= min(counts[params.total_index], params.capacity)) {
    return;
  }
  let root = root_of[id];
  let x0 = atomicLoad(&bounds[4u * id]);
  let y0 = atomicLoad(&bounds[4u * id + 1u]);
  let x1 = atomicLoad(&bounds[4u * id + 2u]);
  let y1 = atomicLoad(&bounds[4u * id + 3u]);
  let rows = y1 - y0 + 1u;
  let base = id * (4u * params.height + 2u);

  // Row extremes: rows of a connected component are contiguous, each has a pixel.
  for (var r = lid; r < rows; r += WG) {
    let row = (y0 + r) * params.width;
    var left = x0;
    while (left < x1 && parent[row + left] != root) {
      left++;
    }
    var right = x1;
    while (right > x0 && parent[row + right] != root) {
      right--;
    }
    points[base + 2u * r] = vec2<f32>(f32(left), f32(y0 + r));
    points[base + 2u * r + 1u] = vec2<f32>(f32(right), f32(y0 + r));
  }
  storageBarrier();
  workgroupBarrier();

  // Convex hull by one invocation, in place: duplicates removed, then the monotone chain over the
  // (already (y, x)-sorted) points, written back to the front of the same scratch.
  if (lid == 0u) {
    var n = 0u;
    for (var i = 0u; i < 2u * rows; i++) {
      let q = points[base + i];
      if (n == 0u || any(q != points[base + n - 1u])) {
        points[base + n] = q;
        n++;
      }
    }
    if (n < 3u) {
      hull_size = n;
    } else {
      // The chain's stack (at most n + 1 entries) goes right after the n unique points.
      let stack = base + n;
      var k = 0u;
      for (var i = 0u; i < n; i++) {
        let q = points[base + i];
        while (k >= 2u && cross(points[stack + k - 2u], points[stack + k - 1u], q) <= 0.0) {
          k--;
        }
        points[stack + k] = q;
        k++;
      }
      let t = k + 1u;
      for (var i = i32(n) - 2; i >= 0; i--) {
        let q = points[base + u32(i)];
        while (k >= t && cross(points[stack + k - 2u], points[stack + k - 1u], q) <= 0.0) {
          k--;
        }
        points[stack + k] = q;
        k++;
      }
      hull_size = k - 1u;
      for (var i = 0u; i < k - 1u; i++) {
        points[base + i] = points[stack + i];
      }
    }
  }
  let n = workgroupUniformLoad(&hull_size);
  storageBarrier();

  // Minimum-area rectangle: every invocation tries some hull edges; the smallest area wins, the
  // first edge on ties.
  var area = 3.4e38;
  var edge = 0xffffffffu;
  for (var e = lid; e < n; e += WG) {
    let p = points[base + e];
    let q = points[base + (e + 1u) % n];
    let len = length(q - p);
    if (n < 2u || len == 0.0) {
      continue;
    }
    let r = extents(base, n, (q - p) / len);
    let a = (r.y - r.x) * (r.w - r.z);
    if (a < area) {
      area = a;
      edge = e;
    }
  }
  best_area[lid] = area;
  best_edge[lid] = edge;
  for (var step = WG / 2u; step > 0u; step /= 2u) {
    workgroupBarrier();
    if (lid < step) {
      let oa = best_area[lid + step];
      let oe = best_edge[lid + step];
      if (oa < best_area[lid] || (oa == best_area[lid] && oe < best_edge[lid])) {
        best_area[lid] = oa;
        best_edge[lid] = oe;
      }
    }
  }
  workgroupBarrier();

  if (lid == 0u) {
    var u = vec2<f32>(1.0, 0.0);
    var r: vec4<f32>;
    let e = best_edge[0];
    if (e == 0xffffffffu) {
      // A single point: a 0x0 rectangle.
      let p = points[base];
      r = vec4<f32>(p.x, p.x, p.y, p.y);
    } else {
      let p = points[base + e];
      let q = points[base + (e + 1u) % n];
      u = (q - p) / length(q - p);
      r = extents(base, n, u);
    }
    rect = r;
    axis_u = u;
    keep = select(0u, 1u, min(r.y - r.x, r.w - r.z) >= params.min_size);
    let c = order_corners(rect_corners(u, r));
    var lo = c[0];
    var hi = c[0];
    for (var i = 1u; i < 4u; i++) {
      lo = min(lo, c[i]);
      hi = max(hi, c[i]);
    }
    let limit = vec2<f32>(f32(params.width - 1u), f32(params.height - 1u));
    let wmin = clamp(floor(lo), vec2<f32>(0.0), limit);
    let wmax = clamp(ceil(hi), vec2<f32>(0.0), limit);
    window = vec4<u32>(u32(wmin.x), u32(wmin.y), u32(wmax.x), u32(wmax.y));
    // The score polygon: corners relative to the window, truncated to integers (PaddleOCR casts to int32).
    for (var i = 0u; i < 4u; i++) {
      corners[i] = trunc(c[i] - wmin);
    }
  }
  if (workgroupUniformLoad(&keep) == 0u) {
    return;
  }

  // Box score: mean probability over the window pixels inside the polygon.
  let win = window;
  let poly = corners;
  let cols = win.z - win.x + 1u;
  let total = cols * (win.w - win.y + 1u);
  var acc = vec2<f32>(0.0);
  for (var k = lid; k < total; k += WG) {
    let dx = k % cols;
    let dy = k / cols;
    if (inside(poly, vec2<f32>(f32(dx), f32(dy)))) {
      acc += vec2<f32>(prob[(win.y + dy) * params.width + win.x + dx], 1.0);
    }
  }
  sums[lid] = acc;
  for (var step = WG / 2u; step > 0u; step /= 2u) {
    workgroupBarrier();
    if (lid < step) {
      sums[lid] += sums[lid + step];
    }
  }
  workgroupBarrier();

  if (lid == 0u) {
    let s = sums[0];
    let score = select(0.0, s.x / s.y, s.y > 0.0);
    var out: TextBox;
    out.valid = 0u;
    out.score = score;
    out.component = id;
    let r = rect;
    let w = r.y - r.x;
    let h = r.w - r.z;
    let d = w * h * params.unclip_ratio / (2.0 * (w + h));
    let grown = vec4<f32>(r.x - d, r.y + d, r.z - d, r.w + d);
    if (score >= params.box_threshold && min(w, h) + 2.0 * d >= params.min_size + 2.0) {
      let c = order_corners(rect_corners(axis_u, grown));
      let scale = vec2<f32>(params.dest_width / f32(params.width), params.dest_height / f32(params.height));
      let dest = vec2<f32>(params.dest_width, params.dest_height);
      for (var i = 0u; i < 4u; i++) {
        out.points[i] = clamp(round(c[i] / vec2<f32>(f32(params.width), f32(params.height)) * dest), vec2<f32>(0.0), dest);
      }
      out.valid = 1u;
    }
    boxes[id] = out;
  }
}
