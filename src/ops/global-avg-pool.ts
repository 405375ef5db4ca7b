// GlobalAveragePool: [N, C, ...] -> [N, C, 1, 1...].
import { DEFAULT_WORKGROUP_SIZE, formatShape, newTensor, onlyKnownAttrs, roundingFor, sizeOf } from './tensor-utils.js';
import { ShapeError, type OpDescriptor } from './types.js';

export const GlobalAveragePool: OpDescriptor<Record<string, never>> = {
  type: 'GlobalAveragePool',
  inputNames: ['X'],
  required: 1,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, [], 'GlobalAveragePool');
    return {};
  },
  inferShapes([x]) {
    if (x!.length < 3) throw new ShapeError(`GlobalAveragePool: X must have rank >= 3, got ${formatShape(x)}`);
    return [[x![0]!, x![1]!, ...x!.slice(2).map(() => 1)]];
  },
  kernels([x]) {
    const planes = x![0]! * x![1]!;
    return [
      {
        files: ['common/indexing.wgsl', 'reduce/global_avg_pool.wgsl'],
        defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE },
        params: { planes, spatial: sizeOf(x!.slice(2)) },
        invocations: planes,
      },
    ];
  },
  reference([x], _a, precision) {
    const spatial = sizeOf(x!.shape.slice(2));
    const out = newTensor([x!.shape[0]!, x!.shape[1]!, ...x!.shape.slice(2).map(() => 1)], precision);
    const r = roundingFor(precision);
    for (let p = 0; p < out.data.length; p++) {
      let sum = 0;
      for (let i = 0; i < spatial; i++) sum += x!.data[p * spatial + i]!;
      out.data[p] = r(sum / spatial);
    }
    return [out];
  },
};
