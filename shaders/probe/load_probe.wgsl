enable subgroups;
// Scratch probe: cost of loads of each kind per FMA on a CPU adapter.
struct Params { iterations: u32, n: u32, }
@group(0) @binding(0) var<storage, read> src_s: array<f32>;
#if ${MODE_LANE_MAT4}
@group(0) @binding(1) var<storage, read> src_v: array<mat4x4<f32>>;
#else
@group(0) @binding(1) var<storage, read> src_v: array<vec4<f32>>;
#endif
@group(0) @binding(2) var<storage, read_write> output_0: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<uniform> ubuf: array<vec4<f32>, 1024>;
var<workgroup> tile: array<vec4<f32>, 256>;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0); var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
  let mask = params.n - 1u;
#if ${USE_WG}
  tile[lane] = vec4<f32>(f32(lane));
  tile[lane + 64u] = vec4<f32>(f32(lane));
  workgroupBarrier();
#endif
  for (var i = 0u; i < params.iterations; i++) {
#if ${MODE_LANE_SCALAR}
    // 4 per-lane scalar loads, consecutive across lanes
    let base = (i * 64u + lane) & mask;
    let x = vec4<f32>(src_s[base], src_s[(base + 1024u) & mask], src_s[(base + 2048u) & mask], src_s[(base + 3072u) & mask]);
#endif
#if ${MODE_LANE_VEC4}
    let x = src_v[(i * 64u + lane) & (mask >> 2u)];
#endif
#if ${MODE_LANE_MAT4}
    let mm = src_v[(i * 64u + lane) & (mask >> 4u)];
    let x = (mm[0] + mm[1]) + (mm[2] + mm[3]);
#endif
#if ${MODE_WG_LANE}
    let x = tile[(i + lane) & 255u];
#endif
#if ${MODE_NONE}
    let x = vec4<f32>(f32(i + lane));
#endif
#if ${MODE_UNIFORM_SCALAR}
    let u = (i * 8u) & mask;
    let w = vec4<f32>(src_s[u], src_s[u + 1u], src_s[u + 2u], src_s[u + 3u]);
    let w2 = vec4<f32>(src_s[u + 4u], src_s[u + 5u], src_s[u + 6u], src_s[u + 7u]);
#else
#if ${MODE_UNIFORM_VEC4}
    let u = (i * 2u) & (mask >> 2u);
    let w = src_v[u];
    let w2 = src_v[u + 1u];
#else
#if ${MODE_SG}
    let wv = vec4<f32>(f32(lane + i));
    let w = subgroupBroadcast(wv, 0u);
    let w2 = subgroupBroadcast(wv, 1u);
#else
#if ${MODE_SG_LOAD}
    // one lane load gives the subgroup 8 lanes x 4 values; used here for 2 x 4 of them
    let wv = src_v[(i * 64u + lane) & (mask >> 2u)];
    let w = subgroupBroadcast(wv, 0u);
    let w2 = subgroupBroadcast(wv, 1u);
#else
#if ${MODE_UBO}
    let u = (i * 2u) & 1023u;
    let w = ubuf[u];
    let w2 = ubuf[u + 1u];
#else
#if ${MODE_WG_UNIFORM}
    let u = (i * 2u) & 255u;
    let w = tile[u];
    let w2 = tile[u + 1u];
#else
    let w = vec4<f32>(0.5, 0.25, 0.125, 0.0625);
    let w2 = vec4<f32>(0.3, 0.2, 0.1, 0.05);
#endif
#endif
#endif
#endif
#endif
#endif
    a0 = fma(vec4<f32>(w.x), x, a0); a1 = fma(vec4<f32>(w.y), x, a1); a2 = fma(vec4<f32>(w.z), x, a2); a3 = fma(vec4<f32>(w.w), x, a3);
    a4 = fma(vec4<f32>(w2.x), x, a4); a5 = fma(vec4<f32>(w2.y), x, a5); a6 = fma(vec4<f32>(w2.z), x, a6); a7 = fma(vec4<f32>(w2.w), x, a7);
  }
  output_0[gid.x + gid.y * 65535u * ${WORKGROUP_SIZE}u] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
