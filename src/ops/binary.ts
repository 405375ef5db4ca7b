// Elementwise Add / Sub / Mul / Div with numpy broadcasting (rank <= 6).
import { broadcastShapes, DEFAULT_WORKGROUP_SIZE, newTensor, onlyKnownAttrs, padTo6, roundingFor, sizeOf, stridesOf } from './tensor-utils.js';
import type { OpDescriptor, Shape } from './types.js';

type BinaryType = 'Add' | 'Sub' | 'Mul' | 'Div';

/** Strides of `shape` seen from the broadcast output shape (0 along broadcast dims), rank 6. */
function broadcastStrides(shape: Shape, out: Shape): number[] {
  const padded = padTo6(shape, 1);
  const strides = stridesOf(padded);
  const out6 = padTo6(out, 1);
  return strides.map((s, d) => (padded[d] === 1 && out6[d] !== 1 ? 0 : s));
}

/**
 * When `small` repeats as a block over `out` (its non-1 dims are a run of out's dims, everything
 * after them 1, e.g. a per-channel [N, C, 1, 1] or [C, 1, 1] against [N, C, H, W], or a scalar):
 * its offset is (i / inner) % period. Undefined for other patterns.
 */
export function blockBroadcast(small: Shape, out: Shape): { inner: number; period: number } | undefined {
  const rank = out.length;
  const s = [...Array(rank - small.length).fill(1), ...small];
  const dims = s.map((d, i) => (d === 1 && out[i] !== 1 ? 0 : 1));
  const first = dims.indexOf(1);
  if (first < 0) return { inner: 1, period: 1 };
  let last = first;
  while (last + 1 < rank && dims[last + 1] === 1) last++;
  if (dims.slice(last + 1).some((d) => d === 1)) return undefined;
  return { inner: sizeOf(out.slice(last + 1)), period: sizeOf(out.slice(first, last + 1)) };
}

const COMBINE: Record<BinaryType, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
};

function binaryOp(type: BinaryType): OpDescriptor<Record<string, never>> {
  return {
    type,
    inputNames: ['A', 'B'],
    required: 2,
    outputs: 1,
    attrs(raw) {
      onlyKnownAttrs(raw, [], type);
      return {};
    },
    inferShapes: ([a, b]) => [broadcastShapes(a!, b!)],
    kernels([a, b], [out]) {
      const count = sizeOf(out!);
      const dims = padTo6(out!, 1);
      const aStrides = broadcastStrides(a!, out!);
      const bStrides = broadcastStrides(b!, out!);
      // Fast path (no per-element loop over 6 dims): one operand full size, the other repeating
      // as a block (per-channel scales of squeeze-excitation gates, scalars).
      const aFull = sizeOf(a!) === count;
      const bFull = sizeOf(b!) === count;
      const block = aFull && !bFull ? blockBroadcast(b!, out!) : bFull && !aFull ? blockBroadcast(a!, out!) : undefined;
      const ops = { OP_ADD: type === 'Add', OP_SUB: type === 'Sub', OP_MUL: type === 'Mul', OP_DIV: type === 'Div' };
      // 4 elements per invocation when nothing straddles (bench-ops add 4M: lavapipe 32.6 -> 8.9 ms,
      // SwiftShader 147 -> 27 ms).
      const vec4 = count % 4 === 0 && ((aFull && bFull) || (block !== undefined && (block.period === 1 || block.inner % 4 === 0)));
      if (vec4) {
        return [
          {
            files: ['common/indexing.wgsl', 'elementwise/combine.wgsl', 'elementwise/binary_vec4.wgsl'],
            defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, BLOCK_A: !aFull, BLOCK_B: !bFull, ...ops },
            params: { count4: count / 4, inner: block?.inner ?? 1, period: block?.period ?? 1 },
            invocations: count / 4,
          },
        ];
      }
      return [
        {
          files: ['common/indexing.wgsl', 'elementwise/combine.wgsl', 'elementwise/binary.wgsl'],
          defines: {
            WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE,
            BROADCAST: !block && (!aFull || !bFull),
            BLOCK_A: !!block && !aFull,
            BLOCK_B: !!block && !bFull,
            ...ops,
          },
          params: { count, inner: block?.inner ?? 1, period: block?.period ?? 1, out_dims: [...dims, 1, 1], a_strides: [...aStrides, 0, 0], b_strides: [...bStrides, 0, 0] },
          invocations: count,
        },
      ];
    },
    reference([a, b], _attrs, precision) {
      const shape = broadcastShapes(a!.shape, b!.shape);
      const out = newTensor(shape, precision);
      const r = roundingFor(precision);
      const outStrides = stridesOf(shape);
      const index = (t: { shape: number[] }, flat: number): number => {
        // Walk the output coordinates and map them into t (dims of size 1 repeat).
        let offset = 0;
        let stride = 1;
        for (let d = shape.length - 1, td = t.shape.length - 1; d >= 0; d--, td--) {
          if (td < 0) break;
          const coord = Math.floor(flat / outStrides[d]!) % shape[d]!;
          if (t.shape[td] !== 1) offset += coord * stride;
          stride *= t.shape[td]!;
        }
        return offset;
      };
      for (let i = 0; i < out.data.length; i++) {
        out.data[i] = r(COMBINE[type](a!.data[index(a!, i)]!, b!.data[index(b!, i)]!));
      }
      return [out];
    },
  };
}

export const Add = binaryOp('Add');
export const Sub = binaryOp('Sub');
export const Mul = binaryOp('Mul');
export const Div = binaryOp('Div');
