// CLM areas of interest (see common.wgsl and src/pipelines/clm/reference.ts): per (landmark, face),
// the AOI with a 1-pixel margin (side ws + ps + 1) sampled in the reference frame around the
// round's anchor, grey 0.3 R + 0.59 G + 0.11 B, bilinear with pixel centres at integer
// coordinates, 0 outside the image.
@group(0) @binding(0) var<storage, read> faces: array<u32>;            // image of each face
@group(0) @binding(1) var<storage, read> state: array<f32>;
@group(0) @binding(2) var<storage, read_write> aoi: array<f32>;         // [face][landmark][aoi_stride]
@group(0) @binding(3) var<uniform> params: Params;

fn grey_at(info: vec4<u32>, x: f32, y: f32) -> f32 {
  let x0 = floor(x);
  let y0 = floor(y);
  let f = vec2<f32>(x - x0, y - y0);
  var v = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var k = 0u; k < 4u; k++) {
    let ix = i32(x0) + i32(k & 1u);
    let iy = i32(y0) + i32(k >> 1u);
    if (ix >= 0 && iy >= 0 && ix < i32(info.y) && iy < i32(info.z)) {
      let rgb = pixel_rgb(load_pixel(info.x + u32(iy) * info.y + u32(ix)));
      v[k] = 0.3 * rgb.x + 0.59 * rgb.y + 0.11 * rgb.z;
    }
  }
  return (v[0] * (1.0 - f.x) + v[1] * f.x) * (1.0 - f.y) + (v[2] * (1.0 - f.x) + v[3] * f.x) * f.y;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn patches(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wid.x;
  let face = wid.y;
  if (face_done(face, lid)) {
    return;
  }
  let info = image_table[faces[face]];
  let centre = anchor_of(face, i);
  let A = similarity(face);
  let side = params.aoi_side;
  let c = f32(side - 1u) * 0.5;
  let out = (face * params.points + i) * params.aoi_stride;
  for (var t = lid; t < side * side; t += WG) {
    let o = vec2<f32>(f32(t % side) - c, f32(t / side) - c);
    let p = centre + vec2<f32>(A.x * o.x - A.y * o.y, A.y * o.x + A.x * o.y);
    aoi[out + t] = grey_at(info, p.x, p.y);
  }
}

