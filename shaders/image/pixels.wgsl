// Packed 8-bit RGB images of a batch (src/pipelines/floor/pixels.ts): one u32 per pixel, R in the
// low byte (0x00BBGGRR), images one after another; image_table[i] = (first pixel, width, height, 0).
// A batch larger than one storage binding is bound as four windows of WINDOW_PIXELS pixels of the
// same buffer (SPLIT_PIXELS); load_pixel hides which window a pixel is in.
@group(0) @binding(16) var<storage, read> pixels: array<u32>;
@group(0) @binding(17) var<storage, read> image_table: array<vec4<u32>>;
#if ${SPLIT_PIXELS}
@group(0) @binding(18) var<storage, read> pixels_1: array<u32>;
@group(0) @binding(19) var<storage, read> pixels_2: array<u32>;
@group(0) @binding(20) var<storage, read> pixels_3: array<u32>;
#endif

fn load_pixel(i: u32) -> u32 {
#if ${SPLIT_PIXELS}
  let window = i / ${WINDOW_PIXELS}u;
  let local = i - window * ${WINDOW_PIXELS}u;
  if (window == 0u) {
    return pixels[local];
  }
  if (window == 1u) {
    return pixels_1[local];
  }
  if (window == 2u) {
    return pixels_2[local];
  }
  return pixels_3[local];
#else
  return pixels[i];
#endif
}

fn pixel_rgb(p: u32) -> vec3<f32> {
  return vec3<f32>(f32(p & 255u), f32((p >> 8u) & 255u), f32((p >> 16u) & 255u));
}

// Pixel (ix, iy) of the image `info` describes as RGB, 0 outside it (zero padding: crops, bilinear
// taps past the edge).
fn rgb_at(info: vec4<u32>, ix: i32, iy: i32) -> vec3<f32> {
  let width = i32(info.y);
  let height = i32(info.z);
  let inside = ix >= 0 && ix < width && iy >= 0 && iy < height;
  let p = load_pixel(info.x + u32(clamp(iy, 0, height - 1) * width + clamp(ix, 0, width - 1)));
  return select(vec3<f32>(0.0), pixel_rgb(p), inside);
}
