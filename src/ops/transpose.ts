// Transpose with a permutation (default: reverse the dims), rank <= 6.
import { DEFAULT_WORKGROUP_SIZE, intList, newTensor, onlyKnownAttrs, padTo6, sizeOf, stridesOf } from './tensor-utils.js';
import { ShapeError, type OpDescriptor, type Shape } from './types.js';

export interface TransposeAttrs {
  perm?: number[];
}

function permOf(x: Shape, a: TransposeAttrs): number[] {
  const perm = a.perm ?? x.map((_, i) => x.length - 1 - i);
  const sorted = [...perm].sort((p, q) => p - q);
  if (perm.length !== x.length || sorted.some((p, i) => p !== i)) {
    throw new ShapeError(`Transpose: perm ${JSON.stringify(perm)} is not a permutation of the ${x.length} dims`);
  }
  return perm;
}

export const Transpose: OpDescriptor<TransposeAttrs> = {
  type: 'Transpose',
  inputNames: ['X'],
  required: 1,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, ['perm'], 'Transpose');
    return { perm: raw.perm === undefined ? undefined : intList(raw.perm, 'perm') };
  },
  inferShapes([x], a) {
    return [permOf(x!, a).map((p) => x![p]!)];
  },
  kernels([x], [out], a) {
    const perm = permOf(x!, a);
    const inStrides = stridesOf(x!);
    const count = sizeOf(out!);
    return [
      {
        files: ['common/indexing.wgsl', 'layout/transpose.wgsl'],
        defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE },
        params: { count, out_dims: [...padTo6(out!, 1), 1, 1], in_strides: [...padTo6(perm.map((p) => inStrides[p]!), 0), 0, 0] },
        invocations: count,
      },
    ];
  },
  reference([x], a, precision) {
    const perm = permOf(x!.shape, a);
    const shape = perm.map((p) => x!.shape[p]!);
    const out = newTensor(shape, precision);
    const inStrides = stridesOf(x!.shape);
    const outStrides = stridesOf(shape);
    for (let i = 0; i < out.data.length; i++) {
      let src = 0;
      for (let d = 0; d < shape.length; d++) src += (Math.floor(i / outStrides[d]!) % shape[d]!) * inStrides[perm[d]!]!;
      out.data[i] = x!.data[src]!;
    }
    return [out];
  },
};
