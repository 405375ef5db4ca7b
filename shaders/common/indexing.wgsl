// Vocabulary shared by every shader in this project:
//   offset  - linear element index into a flat array<f32> holding an NCHW (row-major) tensor
//   coords  - per-dimension indices of one element
//   input_k / output_k - the op's k-th input / output tensor; params - the op's uniforms.
// Shapes always arrive in params (never baked into the source), so one pipeline serves every size.

// Long 1-D launches are folded into a 2-D grid because a dimension holds at most 65535 workgroups;
// this recovers the linear invocation index from the folded grid.
fn linear_index(gid: vec3<u32>, groups: vec3<u32>, workgroup_size: u32) -> u32 {
  return gid.x + gid.y * groups.x * workgroup_size;
}
