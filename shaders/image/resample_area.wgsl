// Area (box-filter) resampling of 8-bit RGB images into normalized NCHW float planes: every output
// pixel is the mean of the source over its footprint, each source pixel weighted by the fraction of
// it the footprint covers (OpenCV's INTER_AREA, which facenet's MTCNN uses for the pyramid and the
// crops). Output value = (mean - params.mean) * params.inv_std.
//   default: one pyramid level of an image (table entry image_index), or the tile of it starting at
//            level pixel (tile_x, tile_y) -> [1, 3, out_height, out_width] (large levels run PNet
//            in tiles: src/pipelines/mtcnn/tiles.ts)
//   CROP:    candidate boxes (x1..x2, y1..y2 inclusive, 1-based pixels) -> [capacity, 3, S, S] with
//            zeros where a box crosses the image border (facenet's `pad`), one sample per candidate.
//   STRETCH: (with CROP) the box clipped to the image first, its inside stretched to S x S
//            (face-api.js's border handling; see resample_bilinear.wgsl).
// Pixels come from pixels.wgsl (packed batch, load_pixel).
struct Params {
  image_index: u32,
  out_width: u32,
  out_height: u32,
  tile_x: u32,
  tile_y: u32,
  scale_x: f32,
  scale_y: f32,
  mean: f32,
  inv_std: f32,
  first: u32,
  capacity: u32,
  count_index: u32,
}

#if ${CROP}
@group(0) @binding(0) var<storage, read> candidates: array<Candidate>;
@group(0) @binding(1) var<storage, read> counts: array<u32>;
@group(0) @binding(2) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
#else
@group(0) @binding(0) var<storage, read_write> output_0: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;
#endif

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_index(gid, groups, ${WORKGROUP_SIZE}u);
  let plane = params.out_width * params.out_height;
#if ${CROP}
  let sample = i / plane;
  if (sample >= params.capacity || params.first + sample >= counts[params.count_index]) {
    return;
  }
  let cand = candidates[params.first + sample];
  let info = image_table[cand.image];
  var b = cand.box;
#if ${STRETCH}
  b = vec4<f32>(max(b.x, 1.0), max(b.y, 1.0), min(b.z, f32(info.y)), min(b.w, f32(info.z)));
#endif
  // Source region: image columns x1-1 .. x2-1 (facenet's tmp = img[y-1:ey, x-1:ex]).
  let origin = vec2<i32>(i32(b.x) - 1, i32(b.y) - 1);
  let src_w = b.z - b.x + 1.0;
  let src_h = b.w - b.y + 1.0;
  let scale = vec2<f32>(src_w / f32(params.out_width), src_h / f32(params.out_height));
  let out_base = sample * 3u * plane;
  let shift = vec2<u32>(0u, 0u);
#else
  let sample = 0u;
  if (i >= plane) {
    return;
  }
  let info = image_table[params.image_index];
  let origin = vec2<i32>(0, 0);
  let src_w = f32(info.y);
  let src_h = f32(info.z);
  let scale = vec2<f32>(params.scale_x, params.scale_y);
  let out_base = 0u;
  let shift = vec2<u32>(params.tile_x, params.tile_y);
#endif
  let o = i % plane;
  // Output pixel in the whole level (a tile is a window of it; the crop is never tiled).
  let ox = o % params.out_width + shift.x;
  let oy = o / params.out_width + shift.y;
  let x0 = f32(ox) * scale.x;
  let x1 = min(f32(ox + 1u) * scale.x, src_w);
  let y0 = f32(oy) * scale.y;
  let y1 = min(f32(oy + 1u) * scale.y, src_h);
  var sum = vec3<f32>(0.0);
  var weight = 0.0;
  let width = i32(info.y);
  let height = i32(info.z);
  for (var sy = i32(floor(y0)); f32(sy) < y1; sy++) {
    let wy = min(f32(sy + 1), y1) - max(f32(sy), y0);
    let iy = origin.y + sy;
    for (var sx = i32(floor(x0)); f32(sx) < x1; sx++) {
      let w = wy * (min(f32(sx + 1), x1) - max(f32(sx), x0));
      let ix = origin.x + sx;
      weight += w;
      // Outside the image the crop is zero-padded: the weight counts, the value is 0.
      if (ix >= 0 && ix < width && iy >= 0 && iy < height) {
        sum += w * pixel_rgb(load_pixel(info.x + u32(iy * width + ix)));
      }
    }
  }
  let mean = sum / max(weight, 1e-30);
  output_0[out_base + o] = (mean.x - params.mean) * params.inv_std;
  output_0[out_base + plane + o] = (mean.y - params.mean) * params.inv_std;
  output_0[out_base + 2u * plane + o] = (mean.z - params.mean) * params.inv_std;
}
