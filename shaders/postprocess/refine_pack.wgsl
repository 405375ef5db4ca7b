// Between MTCNN stages: box regression, squaring and integer truncation of every candidate of every
// image, packed image after image into one contiguous list (the next network's batch). One
// workgroup per image; an image's place in the packed list is the sum of the earlier images' counts.
//   regress, reg_edge 0: x1 += dx1 * (x2 - x1) ... (facenet stage 1 uses the width without the
//                    +1; face-api.js's Box.calibrate, every stage)
//   regress, reg_edge 1: x1 += dx1 * (x2 - x1 + 1) ... (facenet's bbreg, stages 2 and 3)
//   square:          rerec: grow the shorter side around the centre to the longer one
//   fix:             truncate the corners toward zero (np.fix)
//   round:           round x1, y1, the width and the height half up, x2 = x1 + width (face-api.js
//                    Box.round after toSquare; JavaScript's Math.round, not WGSL's half-to-even)
// The steps are uniforms, not defines: the packing after every stage shares one pipeline
// (lavapipe JITs each at its first dispatch, 0.15-0.27 s for this shader).
struct Params {
  images: u32,
  in_stride: u32,        // per-image segment capacity of the input list
  in_count_base: u32,    // counts[in_count_base + image] = candidates of that image
  out_capacity: u32,
  out_count: u32,        // counts[out_count] = total packed
  out_image_base: u32,   // counts[out_image_base + image] = where the image starts in the packed list
  overflow: u32,
  regress: u32,
  reg_edge: f32,
  square: u32,
  fix: u32,
  round: u32,
}

@group(0) @binding(0) var<storage, read> input_list: array<Candidate>;
@group(0) @binding(1) var<storage, read_write> output_list: array<Candidate>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> params: Params;

const WG = ${WORKGROUP_SIZE}u;

fn refine(c_in: Candidate) -> Candidate {
  var c = c_in;
  var b = c.box;
  if (params.regress != 0u) {
    let size = vec2<f32>(b.z - b.x + params.reg_edge, b.w - b.y + params.reg_edge);
    b = b + c.reg * vec4<f32>(size, size);
  }
  if (params.square != 0u) {
    let w = b.z - b.x;
    let h = b.w - b.y;
    let l = max(w, h);
    let x1 = b.x + w * 0.5 - l * 0.5;
    let y1 = b.y + h * 0.5 - l * 0.5;
    b = vec4<f32>(x1, y1, x1 + l, y1 + l);
  }
  if (params.fix != 0u) {
    b = trunc(b);
  }
  if (params.round != 0u) {
    let corner = floor(b.xy + 0.5);
    let extent = floor(b.zw - b.xy + 0.5);
    b = vec4<f32>(corner, corner + extent);
  }
  c.box = b;
  return c;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let image = wid.x;
  var start = 0u;
  for (var k = 0u; k < image; k++) {
    start += min(atomicLoad(&counts[params.in_count_base + k]), params.in_stride);
  }
  let n = min(atomicLoad(&counts[params.in_count_base + image]), params.in_stride);
  if (lid == 0u) {
    atomicStore(&counts[params.out_image_base + image], start);
    atomicAdd(&counts[params.out_count], n);
  }
  for (var j = lid; j < n; j += WG) {
    let slot = start + j;
    if (slot < params.out_capacity) {
      var c = refine(input_list[image * params.in_stride + j]);
      c.aux = slot;
      output_list[slot] = c;
    } else {
      atomicAdd(&counts[params.overflow], 1u);
    }
  }
}
