// f16 storage (CompileOptions.storage 'f16'): which tensors live as IEEE half floats, two per u32
// (pack2x16float), while every op still computes in f32. A tensor is stored in f16 when the op
// producing it and every op reading it (through views too) implement the shaders' F16_INPUT_k /
// F16_OUTPUT_0 variants (OpDescriptor.halfStorage), and it is not a graph input or output: callers
// write inputs and read outputs as f32. The CPU reference rounds the same tensors to f16
// (roundToHalf), so a GPU run can be checked against it.
import type { Analysis } from './analyze.js';

/**
 * 'f32'; 'f16': activations stored as f16, arithmetic f32; 'f16-math': stored as f16 and the
 * convolutions and matrix products (conv2d.wgsl, gemm.wgsl) multiply and accumulate in f16
 * (shader-f16; their bias/activation epilogue stays f32).
 */
export type Storage = 'f32' | 'f16' | 'f16-math';

/** The f16 variant defines of a kernel that reads input_0 and writes output_0, all off (f32 storage). */
export const NO_HALF = { F16_INPUT_0: false, F16_OUTPUT_0: false } as const;

/** Tensor -> the tensor owning its storage (views share their input's, as liveness.ts plans). */
export function storageOwners(analysis: Analysis): Map<string, string> {
  const owners = new Map<string, string>();
  for (const name of analysis.kind.keys()) owners.set(name, name);
  for (const step of analysis.steps) if (step.op.aliasesInput) owners.set(step.node.outputs[0]!, owners.get(step.node.inputs[0]!)!);
  return owners;
}

/** Tensors stored in f16, given each tensor's storage owner. */
export function halfStorageTensors(analysis: Analysis, storageOf: ReadonlyMap<string, string>, graphOutputs: readonly string[]): Set<string> {
  const blocked = new Set<string>();
  for (const t of graphOutputs) blocked.add(storageOf.get(t) ?? t);
  for (const [name, kind] of analysis.kind) if (kind !== 'produced') blocked.add(storageOf.get(name) ?? name);
  for (const step of analysis.steps) {
    if (step.op.aliasesInput || step.op.halfStorage) continue;
    for (const t of [...step.node.inputs, ...step.node.outputs]) if (t !== '') blocked.add(storageOf.get(t) ?? t);
  }
  const half = new Set<string>();
  for (const [name, kind] of analysis.kind) if (kind === 'produced' && !blocked.has(storageOf.get(name) ?? name)) half.add(name);
  return half;
}

/** Bytes a tensor of `count` values takes in its storage (at least 4: WebGPU binds whole words). */
export function storageBytes(count: number, half: boolean): number {
  return Math.max(4, half ? 4 * Math.ceil(count / 2) : 4 * count);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of v (round to nearest even, as f32 -> f16 conversion). */
export function halfBits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/** The value of IEEE binary16 bits. */
export function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** v rounded to the nearest f16 (via f32, as the shaders round an f32 result). */
export function roundToHalf(v: number): number {
  return halfValue(halfBits(v));
}

/** A readback of an f16 tensor (u32 words, two halves each) as f32 values. */
export function unpackHalves(words: ArrayBuffer, count: number): Float32Array {
  const bits = new Uint16Array(words, 0, 2 * Math.ceil(count / 2));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = halfValue(bits[i]!);
  return out;
}
