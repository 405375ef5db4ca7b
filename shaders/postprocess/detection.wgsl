// The detection record of the grid/anchor detectors (decode -> sort -> NMS -> output), 32 bytes.
// Boxes are in original-image pixels, continuous coordinates (x2 - x1 is the width, no +1).
struct Detection {
  box: vec4<f32>,  // x1, y1, x2, y2
  score: f32,
  class_id: u32,
  // Where it came from: (cell * anchors + anchor) * classes + class for the grid decoders, anchor *
  // classes + class for SSD. Unique per image, so it breaks exact score ties deterministically
  // (atomic appends land in a random order).
  source: u32,
  image: u32,
}
