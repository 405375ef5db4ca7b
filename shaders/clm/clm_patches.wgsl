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
  let ix = i32(x0);
  let iy = i32(y0);
  // The four neighbours as separate values: a loop-indexed private array stays in memory on
  // SwiftShader (see image/resample_bilinear.wgsl).
  let top = (1.0 - f.x) * grey_or_zero(info, ix, iy) + f.x * grey_or_zero(info, ix + 1, iy);
  let bottom = (1.0 - f.x) * grey_or_zero(info, ix, iy + 1) + f.x * grey_or_zero(info, ix + 1, iy + 1);
  return top * (1.0 - f.y) + bottom * f.y;
}

// Grey 0.3 R + 0.59 G + 0.11 B of pixel (x, y), 0 outside the image (image/pixels.wgsl's rgb_at).
fn grey_or_zero(info: vec4<u32>, x: i32, y: i32) -> f32 {
  let rgb = rgb_at(info, x, y);
  return 0.3 * rgb.x + 0.59 * rgb.y + 0.11 * rgb.z;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn patches(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wid.x;
  let face = wid.y;
  if (face_converged(face)) {
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

