// The candidate record every detection post-processing kernel reads and writes (one face/box
// proposal). Lists of candidates live in segments of a storage buffer; how many a segment holds is a
// u32 in a separate `counts` buffer, so list sizes stay on the GPU from stage to stage.
struct Candidate {
  box: vec4<f32>,    // x1, y1, x2, y2 (MTCNN: facenet's 1-based, inclusive pixel coordinates)
  reg: vec4<f32>,    // box regression (dx1, dy1, dx2, dy2), in units of the box size
  score: f32,        // face probability (thresholds apply to it)
  // NMS order: the logit margin (face - background), which orders candidates as the probability
  // does but stays resolved where the float32 probability saturates at 1.0 (many faces score
  // exactly 1.0 and would otherwise tie, their order then decided by rounding noise).
  rank: f32,
  key: u32,          // unique per image and stable across stages: breaks exact ties deterministically
  image: u32,        // index of the image in the batch
  aux: u32,          // stage-specific (ONet: row of the landmark buffer)
  pad0: u32,
  pad1: u32,
  pad2: u32,
}
