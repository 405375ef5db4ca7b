// The store at the end of conv2d.wgsl, depthwise.wgsl and their tiled versions, after
// conv/finish.wgsl (included with it). The including shader declares the output with
// store_output_0 and params with out_width.

// 4 adjacent columns of one output row; those past out_width are not stored. The loop's end is
// not a constant, so it is not unrolled: 4 checked stores written out made lavapipe's JIT of
// RNet's conv3 371-486 ms instead of 153-159 ms (MESA_SHADER_CACHE_DISABLE=true, same code
// otherwise, interleaved).
fn store_row4(acc: vec4<f32>, channel: u32, out_row: u32, ox0: u32) {
  let v = conv_finish4(acc, channel);
  let end = min(ox0 + 4u, params.out_width);
  for (var x = ox0; x < end; x++) {
    store_output_0(out_row + x, v[x - ox0]);
  }
}
