// BatchNormalization (inference). Usually folded into the preceding Conv by graph/optimize.ts;
// this standalone op covers BatchNorm anywhere else.
import { DEFAULT_WORKGROUP_SIZE, formatShape, newTensor, numberAttr, onlyKnownAttrs, roundingFor, sizeOf } from './tensor-utils.js';
import { ShapeError, type OpDescriptor, type Shape } from './types.js';

export interface BatchNormAttrs {
  epsilon: number;
}

function check(inputs: ReadonlyArray<Shape | undefined>): { channels: number; spatial: number } {
  const x = inputs[0]!;
  if (x.length < 2) throw new ShapeError(`BatchNormalization: X must have rank >= 2, got ${formatShape(x)}`);
  const channels = x[1]!;
  ['scale', 'B', 'mean', 'var'].forEach((name, i) => {
    const s = inputs[i + 1]!;
    if (sizeOf(s) !== channels) throw new ShapeError(`BatchNormalization: ${name} ${formatShape(s)} must hold ${channels} values (one per channel)`);
  });
  return { channels, spatial: sizeOf(x.slice(2)) };
}

export const BatchNormalization: OpDescriptor<BatchNormAttrs> = {
  type: 'BatchNormalization',
  inputNames: ['X', 'scale', 'B', 'mean', 'var'],
  required: 5,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, ['epsilon', 'momentum'], 'BatchNormalization');
    return { epsilon: numberAttr(raw.epsilon, 'epsilon', 1e-5) };
  },
  inferShapes(inputs) {
    check(inputs);
    return [inputs[0]!];
  },
  kernels(inputs, _outs, a) {
    const count = sizeOf(inputs[0]!);
    return [
      {
        files: ['common/indexing.wgsl', 'elementwise/batchnorm.wgsl'],
        defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE },
        params: { count, ...check(inputs), epsilon: a.epsilon },
        invocations: count,
      },
    ];
  },
  reference([x, scale, bias, mean, variance], a, precision) {
    const { channels, spatial } = check([x!.shape, scale!.shape, bias!.shape, mean!.shape, variance!.shape]);
    const out = newTensor([...x!.shape], precision);
    const r = roundingFor(precision);
    for (let i = 0; i < out.data.length; i++) {
      const c = Math.floor(i / spatial) % channels;
      const normalized = (x!.data[i]! - mean!.data[c]!) / Math.sqrt(variance!.data[c]! + a.epsilon);
      out.data[i] = r(normalized * scale!.data[c]! + bias!.data[c]!);
    }
    return [out];
  },
};
