// PRelu with one slope per channel (dim 1) or one shared slope.
import { DEFAULT_WORKGROUP_SIZE, formatShape, newTensor, onlyKnownAttrs, roundingFor, sizeOf } from './tensor-utils.js';
import { ShapeError, type OpDescriptor, type Shape } from './types.js';
import { NO_HALF } from '../graph/half-storage.js';

function layout(x: Shape, slope: Shape): { channels: number; spatial: number } {
  const count = sizeOf(slope);
  if (count === 1) return { channels: 1, spatial: 1 };
  if (x.length < 2 || count !== x[1]) {
    throw new ShapeError(`PRelu: slope ${formatShape(slope)} must hold 1 value or one per channel of X ${formatShape(x)}`);
  }
  return { channels: count, spatial: sizeOf(x.slice(2)) };
}

export const PRelu: OpDescriptor<Record<string, never>> = {
  type: 'PRelu',
  // Its kernel reads input_0 and writes output_0 as f16 under F16_<binding> (half-storage.ts); a
  // slope that is not a weight keeps the op out of f16 storage (no F16_INPUT_1: checked at compile).
  halfStorage: true,
  inputNames: ['X', 'slope'],
  required: 2,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, [], 'PRelu');
    return {};
  },
  inferShapes([x, slope]) {
    layout(x!, slope!);
    return [x!];
  },
  kernels([x, slope]) {
    const count = sizeOf(x!);
    return [
      {
        files: ['common/indexing.wgsl', 'common/half_load.wgsl', 'common/half_store.wgsl', 'elementwise/prelu.wgsl'],
        defines: { ...NO_HALF, WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE },
        params: { count, ...layout(x!, slope!) },
        invocations: count,
      },
    ];
  },
  reference([x, slope], _a, precision) {
    const { channels, spatial } = layout(x!.shape, slope!.shape);
    const out = newTensor([...x!.shape], precision);
    const r = roundingFor(precision);
    x!.data.forEach((v, i) => {
      const s = slope!.data[Math.floor(i / spatial) % channels]!;
      out.data[i] = v >= 0 ? v : r(s * v);
    });
    return [out];
  },
};
