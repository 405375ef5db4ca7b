// The store at the end of conv2d.wgsl, depthwise.wgsl and their tiled versions, after
// conv/finish.wgsl (included with it). The including shader declares the output with
// store_output_0 and params with out_width.

// 4 adjacent columns of one output row; those past out_width are not stored.
fn store_row4(acc: vec4<f32>, channel: u32, out_row: u32, ox0: u32) {
  let v = conv_finish4(acc, channel);
  for (var p = 0u; p < 4u; p++) {
    if (ox0 + p < params.out_width) {
      store_output_0(out_row + ox0 + p, v[p]);
    }
  }
}
