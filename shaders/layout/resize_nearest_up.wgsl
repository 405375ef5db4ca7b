// Nearest upsampling of NCHW by integer factors (ONNX Resize, mode nearest, asymmetric coordinates,
// nearest_mode floor: the FPN / DB-neck upsampling of PP-OCR): output (oy, ox) takes input
// (oy / factor_y, ox / factor_x). One invocation writes 4 adjacent outputs of a row as one vec4
// (out_width % 4 == 0) from 2 loads (factor_x is a power of two >= 2, so outputs 0-1 and 2-3 of
// the group share a source). The general kernel (resize.wgsl) spent one invocation, its index
// divisions and a gathered load per output (PP-OCRv4's 96 @80 -> 160 on lavapipe: 24-48 ms).
// Launch: x = vec4 of the output row, y = output row, z = plane (n * C + c): no index divisions
// (lavapipe has no vector integer division: 6 per invocation took 15.7 ms here).
struct Params {
  in_height: u32,
  in_width: u32,
  out_height: u32,
  out_width4: u32,   // out_width / 4
  factor_y: u32,
  shift_x: u32,      // log2(factor_x)
}

@group(0) @binding(0) var<storage, read> input_0: array<f32>;
@group(0) @binding(1) var<storage, read_write> output_0: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let x4 = gid.x;
  if (x4 >= params.out_width4) {
    return;
  }
  let oy = gid.y;
  let plane = gid.z;
  let start = (plane * params.in_height + oy / params.factor_y) * params.in_width;
  let a = input_0[start + ((4u * x4) >> params.shift_x)];
  let b = input_0[start + ((4u * x4 + 2u) >> params.shift_x)];
  output_0[(plane * params.out_height + oy) * params.out_width4 + x4] = vec4<f32>(a, a, b, b);
}
