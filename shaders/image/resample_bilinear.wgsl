// Bilinear resampling of 8-bit RGB images into normalized NCHW float planes, for the MTCNN
// conventions of ports that do not use facenet's area filter (src/pipelines/mtcnn/conventions.ts).
// Same parameters and bindings as resample_area.wgsl, so a pipeline swaps one file for the other.
// Source coordinate of output pixel d, scale s = source size / output size:
//   default      d s; neighbours floor and min(ceil, size - 1), float weights, float result
//                (tf.image.resizeBilinear, alignCorners and halfPixelCenters false: face-api.js's
//                pyramid);
//   OPENCV       cv::resize INTER_LINEAR of a float image (the usual port: img.astype(np.float32)
//                first): (d + 0.5) s - 0.5, clamped with weight 0 at both ends, float weights,
//                a horizontal then a vertical pass, float result;
//   CANVAS       Chromium's canvas drawImage (imageSmoothingQuality 'low': Skia's bilinear, which
//                face-api.js crops RNet/ONet inputs with): (d + 0.5) inv - 0.5 clamped to
//                [0, size - 1], weights in sixteenths, the 8-bit sum truncated (see taps below).
//   CROP         candidate boxes (x1..x2, y1..y2 inclusive, 1-based pixels) -> [capacity, 3, S, S],
//                zeros past the image border;
//   STRETCH      (with CROP) the box clipped to the image first, so the part inside is stretched to
//                S x S (face-api.js padAtBorders + getImageData) instead of zero-padded.
// Output value = (v - params.mean) * params.inv_std.
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

#if ${CANVAS}
// Skia's positions, exactly (its legacy bilinear, SkBitmapProcState): inv = 1 / f32(out / region),
// both divisions rounded to float32. Columns: (d + 0.5) inv - 0.5 in 32.32 fixed point, which holds
// the product exactly; rows: (d + 0.5) inv rounded to float32, then to 16.16. The 4 bits below the
// binary point are the weight. Float32 columns would move exact sixteenths (23 -> 24 px: d = 4 is
// 3 + 13/16, Skia 3 + 12/16). Measured against /usr/bin/chromium's canvas, every position of 26
// (size, 24 or 48) pairs along each axis: harness/canvas-resampling.ts.

// Correctly rounded a / b for integers 0 < a, b < 2^24, as (24-bit mantissa, exponent): m 2^e.
fn divide_rn(a: u32, divisor: u32) -> vec2<i32> {
  var r = a;
  var b = divisor;
  var e = 0i;
  while (r < b) {
    r = r << 1u;
    e -= 1;
  }
  while (r >= (b << 1u)) {
    b = b << 1u;
    e += 1;
  }
  var q = 0u;
  for (var k = 0u; k < 25u; k++) {
    q = q << 1u;
    if (r >= b) {
      r -= b;
      q |= 1u;
    }
    r = r << 1u;
  }
  var m = q >> 1u;
  if ((q & 1u) == 1u && (r != 0u || (m & 1u) == 1u)) {
    m += 1u;
  }
  if (m == (1u << 24u)) {
    m = m >> 1u;
    e += 1;
  }
  return vec2<i32>(i32(m), e - 23);
}

// The inverse scale of `out` pixels over `region` as mantissa and exponent.
fn inverse_scale(out: u32, region: u32) -> vec2<i32> {
  let s = divide_rn(out, region);
  let inv = divide_rn(1u, u32(s.x));
  return vec2<i32>(inv.x, inv.y - s.y);
}

// Position q (in sixteenths of a source pixel) -> source index pair and the weight of the second.
fn taps_at(q: i32, size: i32) -> vec3<f32> {
  if (q < 0) {
    return vec3<f32>(0.0, 0.0, 0.0);
  }
  let a = q >> 4u;
  if (a >= size - 1) {
    return vec3<f32>(f32(size - 1), f32(size - 1), 0.0);
  }
  return vec3<f32>(f32(a), f32(a + 1), f32(q & 15));
}

// Column d: floor(16 ((d + 0.5) inv - 0.5)) = floor((2d + 1) m 2^(e + 3)) - 8, the product split in
// two 12-bit halves of m so that nothing overflows 32 bits.
fn column_taps(d: u32, inv: vec2<i32>, size: i32) -> vec3<f32> {
  let t = 2u * d + 1u;
  let m = u32(inv.x);
  let hi = t * (m >> 12u);
  let lo = t * (m & 0xfffu);
  let shift = -(inv.y + 3);
  var scaled: u32;
  if (shift >= 12) {
    scaled = (hi + (lo >> 12u)) >> u32(shift - 12);
  } else {
    scaled = (hi << u32(12 - max(shift, 0))) + (lo >> u32(max(shift, 0)));
  }
  return taps_at(i32(scaled) - 8, size);
}

// Row d: floor(16 f32((d + 0.5) inv)) - 8 (WGSL's multiplication is correctly rounded).
fn row_taps(d: u32, inv: vec2<i32>, size: i32) -> vec3<f32> {
  let v = (f32(d) + 0.5) * ldexp(f32(inv.x), inv.y);
  return taps_at(i32(floor(16.0 * v)) - 8, size);
}
#else
// Source index pair and the weight of the second along one axis of a region of `size` pixels.
fn taps(d: u32, scale: f32, size: i32) -> vec3<f32> {
#if ${OPENCV}
  // cv::resize INTER_LINEAR (imgproc/src/resize.cpp, resize() coefficient tables): fx = (d + 0.5)
  // scale - 0.5, sx = floor(fx); below 0 and at the last pixel the weight is 0.
  let f = (f32(d) + 0.5) * scale - 0.5;
  let a = i32(floor(f));
  if (a < 0) {
    return vec3<f32>(0.0, 0.0, 0.0);
  }
  if (a >= size - 1) {
    return vec3<f32>(f32(size - 1), f32(size - 1), 0.0);
  }
  return vec3<f32>(f32(a), f32(a + 1), f - f32(a));
#else
  let f = f32(d) * scale;
  let a = i32(floor(f));
  return vec3<f32>(f32(a), f32(min(i32(ceil(f)), size - 1)), f - f32(a));
#endif
}
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
  // Source region: image columns x1-1 .. x2-1 (at least one pixel).
  let origin = vec2<i32>(i32(b.x) - 1, i32(b.y) - 1);
  let region = vec2<i32>(max(i32(b.z - b.x) + 1, 1), max(i32(b.w - b.y) + 1, 1));
#if ${CANVAS}
  let inv_x = inverse_scale(params.out_width, u32(region.x));
  let inv_y = inverse_scale(params.out_height, u32(region.y));
#else
  let scale = vec2<f32>(f32(region.x) / f32(params.out_width), f32(region.y) / f32(params.out_height));
#endif
  let out_base = sample * 3u * plane;
  let shift = vec2<u32>(0u, 0u);
#else
  let sample = 0u;
  if (i >= plane) {
    return;
  }
  let info = image_table[params.image_index];
  let origin = vec2<i32>(0, 0);
  let region = vec2<i32>(i32(info.y), i32(info.z));
#if ${CANVAS}
  // For a level the CPU passes Skia's inverse scale itself (image_kernels.ts).
  let inv_x = vec2<i32>(i32((bitcast<u32>(params.scale_x) & 0x7fffffu) | 0x800000u), i32((bitcast<u32>(params.scale_x) >> 23u) & 0xffu) - 150);
  let inv_y = vec2<i32>(i32((bitcast<u32>(params.scale_y) & 0x7fffffu) | 0x800000u), i32((bitcast<u32>(params.scale_y) >> 23u) & 0xffu) - 150);
#else
  let scale = vec2<f32>(params.scale_x, params.scale_y);
#endif
  let out_base = 0u;
  let shift = vec2<u32>(params.tile_x, params.tile_y);
#endif
  let o = i % plane;
#if ${CANVAS}
  let tx = column_taps(o % params.out_width + shift.x, inv_x, region.x);
  let ty = row_taps(o / params.out_width + shift.y, inv_y, region.y);
#else
  let tx = taps(o % params.out_width + shift.x, scale.x, region.x);
  let ty = taps(o / params.out_width + shift.y, scale.y, region.y);
#endif
  // The four neighbours as separate values: a loop-indexed private array stays in memory on
  // SwiftShader.
  let left = origin.x + i32(tx.x);
  let right = origin.x + i32(tx.y);
  let top_row = origin.y + i32(ty.x);
  let bottom_row = origin.y + i32(ty.y);
  let c0 = rgb_at(info, left, top_row);
  let c1 = rgb_at(info, right, top_row);
  let c2 = rgb_at(info, left, bottom_row);
  let c3 = rgb_at(info, right, bottom_row);
#if ${CANVAS}
  // Integer weights summing to 256; every product and sum is an exact integer in f32.
  let v = floor((c0 * ((16.0 - tx.z) * (16.0 - ty.z)) + c1 * (tx.z * (16.0 - ty.z))
    + c2 * ((16.0 - tx.z) * ty.z) + c3 * (tx.z * ty.z)) / 256.0);
#else
#if ${OPENCV}
  // OpenCV: a horizontal pass S0 a0 + S1 a1 per row, then the vertical one, weights (1 - f, f).
  let top = c0 * (1.0 - tx.z) + c1 * tx.z;
  let bottom = c2 * (1.0 - tx.z) + c3 * tx.z;
  let v = top * (1.0 - ty.z) + bottom * ty.z;
#else
  // top + (bottom - top) * w, as tfjs writes it (mix computes the same in another order).
  let top = c0 + (c1 - c0) * tx.z;
  let bottom = c2 + (c3 - c2) * tx.z;
  let v = top + (bottom - top) * ty.z;
#endif
#endif
  output_0[out_base + o] = (v.x - params.mean) * params.inv_std;
  output_0[out_base + plane + o] = (v.y - params.mean) * params.inv_std;
  output_0[out_base + 2u * plane + o] = (v.z - params.mean) * params.inv_std;
}
