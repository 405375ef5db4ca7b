// a (op) b for the binary kernels. `value` is the element type the including shader declares:
// f32 in binary.wgsl, vec4<f32> in binary_vec4.wgsl.
fn combine(a: value, b: value) -> value {
#if ${OP_ADD}
  return a + b;
#elif ${OP_SUB}
  return a - b;
#elif ${OP_MUL}
  return a * b;
#elif ${OP_DIV}
  return a / b;
#endif
}
