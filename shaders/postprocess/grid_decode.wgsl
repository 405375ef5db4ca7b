// Decoding of grid / anchor detector heads into Detection candidates (detection.wgsl), thresholded
// and appended to each image's list (one atomic counter per image; the counter counts every
// candidate, only the first `capacity` are written, so a count above it tells the CPU the room a
// re-run needs). One invocation per (image, cell, anchor); the CPU reference is
// src/pipelines/grid/reference.ts.
//   YOLO (Tiny-YOLOv2 / YOLOv2-v3): head [N, A * (5 + C), H, W], channel a * (5 + C) + k:
//        cx = (i + sigmoid(tx)) / S, cy = (j + sigmoid(ty)) / S, w = exp(tw) * anchor_w / S,
//        h = exp(th) * anchor_h / S, obj = sigmoid(to), class probabilities softmax(t5..),
//        score = obj * p(class).
//   DIRECT (the grid regressor form): head [N, 5 + C, H, W] holding tx, ty, tw, th, obj (already
//        squashed by the network), cx = (i + tx) / S, cy = (j + ty) / S, w = tw, h = th, score = obj
//        (* the class value when C > 0).
//   SSD: boxes [N, A, 4] = (ty, tx, th, tw) against anchors (yc, xc, h, w) with MediaPipe's scales:
//        yc = ty / sy * ha + ya, xc = tx / sx * wa + xa, h = exp(th / sh) * ha, w = exp(tw / sw) * wa;
//        logits [N, A, C], score = sigmoid(logit); class 0 (background) is never reported when
//        IGNORE_FIRST.
//   CENTERNET: heatmap [N, C, H, W] (class probabilities, already squashed) and sizes [N, 4, H, W]
//        (left, top, right, bottom extents in input pixels). A candidate is a peak: a value no
//        smaller than its 3 x 3 neighbours inside the map (TensorFlow's heat == maxpool3x3(heat)
//        with SAME padding); box = (x cell_x - l / W_in, y cell_y - t / H_in, x cell_x + r / W_in,
//        y cell_y + b / H_in) with cell = stride / input size; score = the heat value; source =
//        (y W + x) C + c, the index TensorFlow's top-k sees, so ties sort the same way.
// For YOLO and DIRECT, a head whose grid (H, W) differs from S x S is resampled to S x S first,
// bilinearly with PyTorch's align_corners = False mapping (src = (dst + 0.5) * H / S - 0.5, clamped
// at 0; ONNX 'pytorch_half_pixel'), before the sigmoid/exp. Coordinates are fractions of the
// network input, mapped to image pixels by the per-image affine (the preprocessing undone).
// MULTI_LABEL: every class above the threshold is a candidate; otherwise only the best class.
struct Params {
  images: u32,
  image_base: u32,    // batch index of this chunk's first image
  grid: u32,          // S (YOLO, DIRECT); anchors A (SSD)
  anchors: u32,       // A per cell (YOLO, DIRECT: 1)
  classes: u32,       // C (0: objectness only)
  head_width: u32,    // W, H of the head (YOLO, DIRECT)
  head_height: u32,
  threshold: f32,
  capacity: u32,      // per image
  count_base: u32,    // counts[count_base + image]
  scale_yx: f32,      // SSD box scales (10, 10, 5, 5 in MediaPipe's configs)
  scale_hw: f32,
  cell_x: f32,        // CENTERNET: stride / input width, stride / input height
  cell_y: f32,
  inv_width: f32,     // CENTERNET: 1 / input width, 1 / input height
  inv_height: f32,
}

@group(0) @binding(0) var<storage, read> head: array<f32>;          // YOLO/DIRECT head; SSD boxes; CENTERNET heatmap
#if ${CENTERNET}
@group(0) @binding(1) var<storage, read> sizes: array<f32>;         // CENTERNET box extents
#elif ${SSD}
@group(0) @binding(1) var<storage, read> logits: array<f32>;        // SSD class logits
@group(0) @binding(2) var<storage, read> anchor_table: array<vec4<f32>>; // SSD (yc, xc, h, w)
#else
@group(0) @binding(1) var<storage, read> anchor_table: array<vec2<f32>>; // YOLO (w, h) in cells
#endif
@group(0) @binding(3) var<storage, read> image_affine: array<vec4<f32>>; // (ax, bx, ay, by): px = u a + b
@group(0) @binding(4) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> candidates: array<Detection>;
@group(0) @binding(6) var<uniform> params: Params;

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

fn passes(score: f32) -> bool {
#if ${SCORE_GE}
  return score >= params.threshold;
#else
  return score > params.threshold;
#endif
}

fn emit(chunk_image: u32, b: vec4<f32>, score: f32, class_id: u32, source: u32) {
  let image = params.image_base + chunk_image;
  let slot = atomicAdd(&counts[params.count_base + image], 1u);
  if (slot < params.capacity) {
    let a = image_affine[image];
    var d: Detection;
    d.box = vec4<f32>(b.x * a.x + a.y, b.y * a.z + a.w, b.z * a.x + a.y, b.w * a.z + a.w);
    d.score = score;
    d.class_id = class_id;
    d.source = source;
    d.image = image;
    candidates[image * params.capacity + slot] = d;
  }
}

#if ${CENTERNET}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  let W = params.head_width;
  let H = params.head_height;
  let C = params.classes;
  if (t >= params.images * C * H * W) {
    return;
  }
  let x = t % W;
  let y = (t / W) % H;
  let c = (t / (W * H)) % C;
  let image = t / (W * H * C);
  let v = head[t];
  if (!passes(v)) {
    return;
  }
  let plane = t - y * W - x;
  for (var dy = -1; dy <= 1; dy++) {
    for (var dx = -1; dx <= 1; dx++) {
      let yy = i32(y) + dy;
      let xx = i32(x) + dx;
      if (yy >= 0 && yy < i32(H) && xx >= 0 && xx < i32(W) && head[plane + u32(yy) * W + u32(xx)] > v) {
        return;
      }
    }
  }
  let at = image * 4u * H * W + y * W + x;
  let l = sizes[at];
  let tp = sizes[at + H * W];
  let r = sizes[at + 2u * H * W];
  let b = sizes[at + 3u * H * W];
  let cx = f32(x) * params.cell_x;
  let cy = f32(y) * params.cell_y;
  let box = vec4<f32>(cx - l * params.inv_width, cy - tp * params.inv_height, cx + r * params.inv_width, cy + b * params.inv_height);
  emit(image, box, v, c, (y * W + x) * C + c);
}
#elif ${SSD}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  let count = params.grid;
  if (i >= params.images * count) {
    return;
  }
  let image = i / count;
  let a = i % count;
  let anchor = anchor_table[a];
  let t = vec4<f32>(head[4u * i], head[4u * i + 1u], head[4u * i + 2u], head[4u * i + 3u]);
  let yc = t.x / params.scale_yx * anchor.z + anchor.x;
  let xc = t.y / params.scale_yx * anchor.w + anchor.y;
  let h = exp(t.z / params.scale_hw) * anchor.z;
  let w = exp(t.w / params.scale_hw) * anchor.w;
  let b = vec4<f32>(xc - 0.5 * w, yc - 0.5 * h, xc + 0.5 * w, yc + 0.5 * h);
  let first = select(0u, 1u, ${IGNORE_FIRST});
  var best = -1.0;
  var best_class = 0u;
  for (var c = first; c < params.classes; c++) {
    let s = sigmoid(logits[i * params.classes + c]);
#if ${MULTI_LABEL}
    if (passes(s)) {
      emit(image, b, s, c, a * params.classes + c);
    }
#else
    if (s > best) {
      best = s;
      best_class = c;
    }
#endif
  }
#if ${MULTI_LABEL}
#else
  if (best >= 0.0 && passes(best)) {
    emit(image, b, best, best_class, a * params.classes + best_class);
  }
#endif
}
#else
// Head channel c at cell (i, j) of the S x S grid (resampled when the head grid differs).
fn head_at(image: u32, c: u32, i: u32, j: u32) -> f32 {
  let channels = params.anchors * (5u + params.classes);
  let base = (image * channels + c) * params.head_height * params.head_width;
  let S = params.grid;
  if (params.head_width == S && params.head_height == S) {
    return head[base + j * S + i];
  }
  let sx = max((f32(i) + 0.5) * f32(params.head_width) / f32(S) - 0.5, 0.0);
  let sy = max((f32(j) + 0.5) * f32(params.head_height) / f32(S) - 0.5, 0.0);
  let x0 = min(u32(sx), params.head_width - 1u);
  let y0 = min(u32(sy), params.head_height - 1u);
  let x1 = min(x0 + 1u, params.head_width - 1u);
  let y1 = min(y0 + 1u, params.head_height - 1u);
  let lx = sx - f32(x0);
  let ly = sy - f32(y0);
  let w = params.head_width;
  let top = head[base + y0 * w + x0] * (1.0 - lx) + head[base + y0 * w + x1] * lx;
  let bottom = head[base + y1 * w + x0] * (1.0 - lx) + head[base + y1 * w + x1] * lx;
  return top * (1.0 - ly) + bottom * ly;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  let S = params.grid;
  let per_image = S * S * params.anchors;
  if (t >= params.images * per_image) {
    return;
  }
  let image = t / per_image;
  let r = t % per_image;
  let cell = r / params.anchors;
  let a = r % params.anchors;
  let i = cell % S;
  let j = cell / S;
  let k0 = a * (5u + params.classes);
#if ${DIRECT}
  let tx = head_at(image, k0, i, j);
  let ty = head_at(image, k0 + 1u, i, j);
  let w = head_at(image, k0 + 2u, i, j);
  let h = head_at(image, k0 + 3u, i, j);
  let obj = head_at(image, k0 + 4u, i, j);
#else
  let tx = sigmoid(head_at(image, k0, i, j));
  let ty = sigmoid(head_at(image, k0 + 1u, i, j));
  let anchor = anchor_table[a];
  let w = exp(head_at(image, k0 + 2u, i, j)) * anchor.x / f32(S);
  let h = exp(head_at(image, k0 + 3u, i, j)) * anchor.y / f32(S);
  let obj = sigmoid(head_at(image, k0 + 4u, i, j));
#endif
  let cx = (f32(i) + tx) / f32(S);
  let cy = (f32(j) + ty) / f32(S);
  let b = vec4<f32>(cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h);
  let source = r * max(params.classes, 1u);
  if (params.classes == 0u) {
    if (passes(obj)) {
      emit(image, b, obj, 0u, source);
    }
    return;
  }
#if ${DIRECT}
#else
  // Softmax over the class logits (max-subtracted).
  var m = -3.4e38;
  for (var c = 0u; c < params.classes; c++) {
    m = max(m, head_at(image, k0 + 5u + c, i, j));
  }
  var total = 0.0;
  for (var c = 0u; c < params.classes; c++) {
    total += exp(head_at(image, k0 + 5u + c, i, j) - m);
  }
#endif
  var best = -1.0;
  var best_class = 0u;
  for (var c = 0u; c < params.classes; c++) {
#if ${DIRECT}
    let p = head_at(image, k0 + 5u + c, i, j);
#else
    let p = exp(head_at(image, k0 + 5u + c, i, j) - m) / total;
#endif
    let s = obj * p;
#if ${MULTI_LABEL}
    if (passes(s)) {
      emit(image, b, s, c, source + c);
    }
#else
    if (s > best) {
      best = s;
      best_class = c;
    }
#endif
  }
#if ${MULTI_LABEL}
#else
  if (best >= 0.0 && passes(best)) {
    emit(image, b, best, best_class, source + best_class);
  }
#endif
}
#endif
