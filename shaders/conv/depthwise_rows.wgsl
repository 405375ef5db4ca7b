// Depthwise 3x3 (or 5x5: K5) convolution, stride 1 (or 2: STRIDE2, 3x3), on CPU adapters, for the usual 'same' layer whose rows are
// read and written as vec4 (left pad 1, width a multiple of 4, out_width == in_width; see
// src/ops/conv2d.ts): each invocation walks down a strip of 16 columns x params.rows output rows of
// one channel. Every input row is loaded once (4 vec4 under the strip and one value of each
// neighbouring vec4: 6 loads for 16 outputs) and added to the three output rows it touches, kept
// as rolling accumulators; an output row is finished and stored as soon as its last input row is
// in. On lavapipe a storage load costs as much as ~15-50 FMAs (shaders/probe/load_probe.wgsl):
// depthwise.wgsl's strips of 8 x 8 outputs loaded 40 vec4 per 16 stored, this loads 6 (R + 2) / R
// per 4 stored (R = params.rows). The loop's trip count is a uniform, so it is not unrolled.
// Depthwise 3x3 x128 @128 (bench-ops, alternated): lavapipe 4.06 / 5.57 -> 1.64 / 2.42 ms,
// SwiftShader 20.4 / 17.6 -> 12.5 / 10.1 ms against depthwise.wgsl's strips of 8 x 8 (which had
// themselves measured: 4 columns with vec4 loads 8.6-9.1 ms and 16 columns 7.6-9.6 ms against 8
// columns' 6.5-7.3 ms on lavapipe; rows as one vec4 plus edges shuffled in from the neighbouring
// invocations no faster).
//
// K5: 5x5 (left pad 2), five rolling output rows, two values loaded on each side of the strip.
// SCALAR: any padding and width, rows read and written value by value (lavapipe only: SwiftShader
// never returned from compiling it; see src/ops/conv2d.ts for the figures). The window's columns
// start at ox0 * stride - pad_left instead of at the vec4 layout's fixed pad.
// STRIDE2: stride 2 (pad 1 left, out_width == in_width / 2, both multiples of 4): each output row
// reads 3 input rows of 33 values (8 vec4 and the value left of them); the even columns are one
// tap, the odd ones the other two. The strip keeps its last row for the next output row, so 2 rows
// are loaded per output row (PP-OCRv4's stride-2 3x3 depthwise went through conv2d.wgsl's generic
// path: a gathered scalar load per tap and output).
//
// Launch: x = channels x strips (col_blocks * row_blocks) over invocations, z = image.
struct Params {
  channels: u32,
  in_height: u32,
  in_width: u32,
  out_height: u32,
  out_width: u32,
  pad_top: u32,
  pad_left: u32,    // SCALAR only (the vec4 layouts fix it)
  col_blocks: u32,  // ceil(out_width / 16)
  row_blocks: u32,  // ceil(out_height / rows)
  rows: u32,        // output rows per strip
  alpha: f32,
  beta: f32,
  post_scale: f32,
  post_shift: f32,
}

#if ${SCALAR}
#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<u32>;  // f16 pairs: common/half_load.wgsl
#else
@group(0) @binding(0) var<storage, read> input_0: array<f32>;  // x  [N, C, H, W]
#endif
#else
#if ${F16_INPUT_0}
@group(0) @binding(0) var<storage, read> input_0: array<vec2<u32>>;  // x, f16: common/half_load4.wgsl
#else
@group(0) @binding(0) var<storage, read> input_0: array<vec4<f32>>;  // x  [N, C, H, W / 4]
#endif
#endif
@group(0) @binding(1) var<storage, read> input_1: array<f32>;  // w  [C, 1, 3, 3]
#if ${HAS_BIAS}
@group(0) @binding(2) var<storage, read> input_2: array<f32>;  // bias [C]
#endif
#if ${ACT_PRELU}
@group(0) @binding(3) var<storage, read> input_3: array<f32>;  // PReLU slope [C]
#endif
#if ${SCALAR}
#if ${F16_OUTPUT_0}
@group(0) @binding(4) var<storage, read_write> output_0: array<atomic<u32>>;  // f16 pairs: common/half_store.wgsl
#else
@group(0) @binding(4) var<storage, read_write> output_0: array<f32>;  // y  [N, C, H, W]
#endif
#else
#if ${F16_OUTPUT_0}
@group(0) @binding(4) var<storage, read_write> output_0: array<vec2<u32>>;  // f16, 4 per element
#else
@group(0) @binding(4) var<storage, read_write> output_0: array<vec4<f32>>;  // y  [N, C, H, W / 4]
#endif
#endif
@group(0) @binding(5) var<uniform> params: Params;

// 16 columns: one vec4 per 4.
struct Row16 {
  v0: vec4<f32>,
  v1: vec4<f32>,
  v2: vec4<f32>,
  v3: vec4<f32>,
}

#if ${SCALAR}
// Column x of the input row starting at `row`, 0 outside the image.
fn at(inside: bool, row: u32, x: i32) -> f32 {
  let w = i32(params.in_width);
  return select(0.0, load_input_0(row + u32(clamp(x, 0i, w - 1i))), inside && x >= 0i && x < w);
}

// Columns x .. x + 3.
fn at4(inside: bool, row: u32, x: i32) -> vec4<f32> {
  return vec4<f32>(at(inside, row, x), at(inside, row, x + 1i), at(inside, row, x + 2i), at(inside, row, x + 3i));
}

// Columns x .. x + 15: the values under a stride-1 strip.
fn at16(inside: bool, row: u32, x: i32) -> Row16 {
  return Row16(at4(inside, row, x), at4(inside, row, x + 4i), at4(inside, row, x + 8i), at4(inside, row, x + 12i));
}
#else
// The 4 vec4 under a stride-1 strip from vec4 index q (the first `quads` exist; 0 outside).
fn quads16(row_inside: bool, q: u32, quads: u32) -> Row16 {
  let zero = vec4<f32>(0.0);
  return Row16(
    select(zero, load_input4(q), row_inside),
    select(zero, load_input4(q + 1u), row_inside && quads > 1u),
    select(zero, load_input4(q + 2u), row_inside && quads > 2u),
    select(zero, load_input4(q + 3u), row_inside && quads > 3u),
  );
}
#endif

#if ${STRIDE2}
// The 33 inputs of a strip's row (columns 2 ox0 - 1 .. 2 ox0 + 31), 0 outside the image: 8 vec4
// (those starting before the row's end) and the value left of them.
struct Window {
  left: f32,
  m0: vec4<f32>,
  m1: vec4<f32>,
  m2: vec4<f32>,
  m3: vec4<f32>,
  m4: vec4<f32>,
  m5: vec4<f32>,
  m6: vec4<f32>,
  m7: vec4<f32>,
}

#if ${SCALAR}
// x0: the window's first column (2 ox0 - pad_left).
fn load_window(inside: bool, row: u32, x0: i32) -> Window {
  return Window(
    at(inside, row, x0),
    at4(inside, row, x0 + 1i), at4(inside, row, x0 + 5i), at4(inside, row, x0 + 9i), at4(inside, row, x0 + 13i),
    at4(inside, row, x0 + 17i), at4(inside, row, x0 + 21i), at4(inside, row, x0 + 25i), at4(inside, row, x0 + 29i),
  );
}
#else
fn quad(row_inside: bool, q: u32, column: u32) -> vec4<f32> {
  return select(vec4<f32>(0.0), load_input4(q), row_inside && column < params.in_width);
}

fn load_window(row_inside: bool, q: u32, ox0: u32) -> Window {
  let x = 2u * ox0;
  return Window(
    select(0.0, load_input4(max(q, 1u) - 1u).w, row_inside && ox0 > 0u),
    quad(row_inside, q, x), quad(row_inside, q + 1u, x + 4u), quad(row_inside, q + 2u, x + 8u), quad(row_inside, q + 3u, x + 12u),
    quad(row_inside, q + 4u, x + 16u), quad(row_inside, q + 5u, x + 20u), quad(row_inside, q + 6u, x + 24u), quad(row_inside, q + 7u, x + 28u),
  );
}

#endif

// Output columns o .. o + 3 read input columns 2o - 1 (tap 0), 2o (tap 1) and 2o + 1 (tap 2), from
// the vec4 a (columns 2o .. 2o + 3), b (2o + 4 .. 2o + 7) and the value before a.
fn taps4(before: f32, a: vec4<f32>, b: vec4<f32>, k: vec3<f32>, acc: vec4<f32>) -> vec4<f32> {
  let t0 = vec4<f32>(before, a.y, a.w, b.y);
  let t1 = vec4<f32>(a.x, a.z, b.x, b.z);
  let t2 = vec4<f32>(a.y, a.w, b.y, b.w);
  return fma(vec4<f32>(k.x), t0, fma(vec4<f32>(k.y), t1, fma(vec4<f32>(k.z), t2, acc)));
}

// One kernel row's taps (k0 k1 k2) over a window, added to acc.
fn taps(r: Window, k: vec3<f32>, acc: Row16) -> Row16 {
  return Row16(
    taps4(r.left, r.m0, r.m1, k, acc.v0),
    taps4(r.m1.w, r.m2, r.m3, k, acc.v1),
    taps4(r.m3.w, r.m4, r.m5, k, acc.v2),
    taps4(r.m5.w, r.m6, r.m7, k, acc.v3),
  );
}

#else
#if ${K5}
// K5: the 20 inputs of a strip's row (columns ox0 - 2 .. ox0 + 17), 0 outside the image: the 4
// vec4 under the strip (`quads` of them exist), and two values on each side.
struct Window {
  left: vec2<f32>,
  m: Row16,
  right: vec2<f32>,
}

#if ${SCALAR}
// x0: the window's first column (ox0 - pad_left).
fn load_window(inside: bool, row: u32, x0: i32) -> Window {
  return Window(
    vec2<f32>(at(inside, row, x0), at(inside, row, x0 + 1i)),
    at16(inside, row, x0 + 2i),
    vec2<f32>(at(inside, row, x0 + 18i), at(inside, row, x0 + 19i)),
  );
}
#else
fn load_window(row_inside: bool, q: u32, quads: u32, ox0: u32) -> Window {
  let left = select(vec2<f32>(0.0), load_input4(max(q, 1u) - 1u).zw, row_inside && ox0 > 0u);
  let m = quads16(row_inside, q, quads);
  let right = select(vec2<f32>(0.0), load_input4(q + 4u).xy, row_inside && ox0 + 16u < params.in_width);
  return Window(left, m, right);
}
#endif

// A kernel row's 5 weights.
struct KernelRow {
  k: vec4<f32>,
  k4: f32,
}

fn kernel_row(i: u32) -> KernelRow {
  return KernelRow(vec4<f32>(input_1[i], input_1[i + 1u], input_1[i + 2u], input_1[i + 3u]), input_1[i + 4u]);
}

// Outputs o .. o + 3 from the vec4 c under them, the two values before (p) and after (n).
fn taps4(p: vec2<f32>, c: vec4<f32>, n: vec2<f32>, w: KernelRow, acc: vec4<f32>) -> vec4<f32> {
  var v = fma(vec4<f32>(w.k.x), vec4<f32>(p, c.xy), acc);
  v = fma(vec4<f32>(w.k.y), vec4<f32>(p.y, c.xyz), v);
  v = fma(vec4<f32>(w.k.z), c, v);
  v = fma(vec4<f32>(w.k.w), vec4<f32>(c.yzw, n.x), v);
  return fma(vec4<f32>(w.k4), vec4<f32>(c.zw, n), v);
}

// One kernel row's taps over a window, added to acc.
fn taps(r: Window, w: KernelRow, acc: Row16) -> Row16 {
  let m = r.m;
  return Row16(
    taps4(r.left, m.v0, m.v1.xy, w, acc.v0),
    taps4(m.v0.zw, m.v1, m.v2.xy, w, acc.v1),
    taps4(m.v1.zw, m.v2, m.v3.xy, w, acc.v2),
    taps4(m.v2.zw, m.v3, r.right, w, acc.v3),
  );
}
#else
// The 18 inputs of a strip's row (columns ox0 - 1 .. ox0 + 16), 0 outside the image: the 4 vec4
// under the strip (`quads` of them exist), and the neighbours' last and first values.
struct Window {
  left: f32,
  m: Row16,
  right: f32,
}

#if ${SCALAR}
// x0: the window's first column (ox0 - pad_left).
fn load_window(inside: bool, row: u32, x0: i32) -> Window {
  return Window(
    at(inside, row, x0),
    at16(inside, row, x0 + 1i),
    at(inside, row, x0 + 17i),
  );
}
#else
fn load_window(row_inside: bool, q: u32, quads: u32, ox0: u32) -> Window {
  let left = select(0.0, load_input4(max(q, 1u) - 1u).w, row_inside && ox0 > 0u);
  let m = quads16(row_inside, q, quads);
  let right = select(0.0, load_input4(q + 4u).x, row_inside && ox0 + 16u < params.in_width);
  return Window(left, m, right);
}
#endif

// One kernel row's taps (k0 k1 k2) over a window, added to acc.
fn taps(r: Window, k: vec3<f32>, acc: Row16) -> Row16 {
  let m = r.m;
  return Row16(
    fma(vec4<f32>(k.x), vec4<f32>(r.left, m.v0.xyz), fma(vec4<f32>(k.y), m.v0, fma(vec4<f32>(k.z), vec4<f32>(m.v0.yzw, m.v1.x), acc.v0))),
    fma(vec4<f32>(k.x), vec4<f32>(m.v0.w, m.v1.xyz), fma(vec4<f32>(k.y), m.v1, fma(vec4<f32>(k.z), vec4<f32>(m.v1.yzw, m.v2.x), acc.v1))),
    fma(vec4<f32>(k.x), vec4<f32>(m.v1.w, m.v2.xyz), fma(vec4<f32>(k.y), m.v2, fma(vec4<f32>(k.z), vec4<f32>(m.v2.yzw, m.v3.x), acc.v2))),
    fma(vec4<f32>(k.x), vec4<f32>(m.v2.w, m.v3.xyz), fma(vec4<f32>(k.y), m.v3, fma(vec4<f32>(k.z), vec4<f32>(m.v3.yzw, r.right), acc.v3))),
  );
}

#endif
#endif

#if ${SCALAR}
// The first n (up to 4) values of v to o, o + 1, ...
fn store_some(v: vec4<f32>, o: u32, n: u32) {
  for (var j = 0u; j < min(n, 4u); j++) {
    store_output_0(o + j, v[j]);
  }
}

// Bias, activation and the stores of one output row (plane row `out_row`, from column ox0).
fn store_row(acc: Row16, out_row: u32, ox0: u32, bias: f32, slope: f32) {
  let o = out_row * params.out_width + ox0;
  let left = params.out_width - ox0;
  store_some(conv_finish4_with(acc.v0, bias, slope), o, left);
  if (left > 4u) {
    store_some(conv_finish4_with(acc.v1, bias, slope), o + 4u, left - 4u);
  }
  if (left > 8u) {
    store_some(conv_finish4_with(acc.v2, bias, slope), o + 8u, left - 8u);
  }
  if (left > 12u) {
    store_some(conv_finish4_with(acc.v3, bias, slope), o + 12u, left - 12u);
  }
}
#else
fn store4(v: vec4<f32>, i: u32) {
#if ${F16_OUTPUT_0}
  output_0[i] = vec2<u32>(pack2x16float(v.xy), pack2x16float(v.zw));
#else
  output_0[i] = v;
#endif
}

// Bias, activation and the vec4 stores of one output row (plane row `out_row`, from column ox0).
fn store_row(acc: Row16, out_row: u32, ox0: u32, bias: f32, slope: f32) {
  let o = (out_row * params.out_width + ox0) / 4u;
  let quads = min(4u, (params.out_width - ox0) / 4u);
  store4(conv_finish4_with(acc.v0, bias, slope), o);
  if (quads > 1u) {
    store4(conv_finish4_with(acc.v1, bias, slope), o + 1u);
  }
  if (quads > 2u) {
    store4(conv_finish4_with(acc.v2, bias, slope), o + 2u);
  }
  if (quads > 3u) {
    store4(conv_finish4_with(acc.v3, bias, slope), o + 3u);
  }
}

#endif

// The window of input row iy of a plane (rows outside the image are 0).
fn input_row(plane: u32, iy: i32, ox0: u32) -> Window {
  let inside = iy >= 0i && iy < i32(params.in_height);
  let row = (plane + u32(clamp(iy, 0i, i32(params.in_height) - 1i))) * params.in_width;
#if ${SCALAR}
#if ${STRIDE2}
  return load_window(inside, row, i32(2u * ox0) - i32(params.pad_left));
#else
  return load_window(inside, row, i32(ox0) - i32(params.pad_left));
#endif
#else
#if ${STRIDE2}
  return load_window(inside, (row + 2u * ox0) / 4u, ox0);
#else
  return load_window(inside, (row + ox0) / 4u, min(4u, (params.in_width - ox0) / 4u), ox0);
#endif
#endif
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let strips = params.col_blocks * params.row_blocks;
  if (gid.x >= params.channels * strips) {
    return;
  }
  let n = gid.z;
  let c = gid.x / strips;
  let strip = gid.x - c * strips;
  let row_block = strip / params.col_blocks;
  let ox0 = (strip - row_block * params.col_blocks) * 16u;
  let oy0 = row_block * params.rows;
  let oy_end = min(oy0 + params.rows, params.out_height);
  let plane = (n * params.channels + c) * params.in_height;
  let out_plane = (n * params.channels + c) * params.out_height;
#if ${K5}
  let w = c * 25u;
  let k0 = kernel_row(w);
  let k1 = kernel_row(w + 5u);
  let k2 = kernel_row(w + 10u);
  let k3 = kernel_row(w + 15u);
  let k4 = kernel_row(w + 20u);
#else
  let w = c * 9u;
  let k0 = vec3<f32>(input_1[w], input_1[w + 1u], input_1[w + 2u]);
  let k1 = vec3<f32>(input_1[w + 3u], input_1[w + 4u], input_1[w + 5u]);
  let k2 = vec3<f32>(input_1[w + 6u], input_1[w + 7u], input_1[w + 8u]);
#endif
  let bias = channel_bias(c);
  let slope = channel_slope(c);
  let zero = Row16(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
#if ${STRIDE2}
  // Output row oy reads input rows 2 oy - pad_top + 0, 1, 2; the last is the next row's first.
  var top = input_row(plane, i32(2u * oy0) - i32(params.pad_top), ox0);
  for (var oy = oy0; oy < oy_end; oy++) {
    let iy = i32(2u * oy) - i32(params.pad_top);
    let middle = input_row(plane, iy + 1i, ox0);
    let bottom = input_row(plane, iy + 2i, ox0);
    let acc = taps(top, k0, taps(middle, k1, taps(bottom, k2, zero)));
    store_row(acc, out_plane + oy, ox0, bias, slope);
    top = bottom;
  }
#else
#if ${K5}
  // Output rows t - 4 .. t while input row t (counted from the strip's first) is added.
  var a = zero;
  var b = zero;
  var d = zero;
  var e = zero;
  var f = zero;
  for (var t = 0u; t < oy_end - oy0 + 4u; t++) {
    let r = input_row(plane, i32(oy0 + t) - i32(params.pad_top), ox0);
    a = taps(r, k4, a);
    b = taps(r, k3, b);
    d = taps(r, k2, d);
    e = taps(r, k1, e);
    f = taps(r, k0, f);
    if (t >= 4u) {
      store_row(a, out_plane + oy0 + t - 4u, ox0, bias, slope);
    }
    a = b;
    b = d;
    d = e;
    e = f;
    f = zero;
  }
#else
  // Output rows t - 2, t - 1 and t while input row t (counted from the strip's first) is added.
  var a = zero;
  var b = zero;
  var d = zero;
  for (var t = 0u; t < oy_end - oy0 + 2u; t++) {
    let r = input_row(plane, i32(oy0 + t) - i32(params.pad_top), ox0);
    a = taps(r, k2, a);
    b = taps(r, k1, b);
    d = taps(r, k0, d);
    if (t >= 2u) {
      store_row(a, out_plane + oy0 + t - 2u, ox0, bias, slope);
    }
    a = b;
    b = d;
    d = zero;
  }
#endif
#endif
}
