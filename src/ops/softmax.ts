// Softmax along one axis (default 1: the channels of NCHW, as MTCNN's face/no-face scores).
import { DEFAULT_WORKGROUP_SIZE, newTensor, normalizeAxis, onlyKnownAttrs, roundingFor, sizeOf } from './tensor-utils.js';
import type { OpDescriptor, Shape } from './types.js';

export interface SoftmaxAttrs {
  axis: number;
}

function split(shape: Shape, axis: number): { outer: number; channels: number; spatial: number } {
  const a = normalizeAxis(axis, shape.length, 'Softmax');
  return { outer: sizeOf(shape.slice(0, a)), channels: shape[a]!, spatial: sizeOf(shape.slice(a + 1)) };
}

export const Softmax: OpDescriptor<SoftmaxAttrs> = {
  type: 'Softmax',
  inputNames: ['X'],
  required: 1,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, ['axis'], 'Softmax');
    const axis = raw.axis === undefined ? 1 : Number(raw.axis);
    if (!Number.isInteger(axis)) throw new Error(`Softmax: axis must be an integer, got ${raw.axis}`);
    return { axis };
  },
  inferShapes([x], a) {
    split(x!, a.axis);
    return [x!];
  },
  kernels([x], _outs, a) {
    const { outer, channels, spatial } = split(x!, a.axis);
    return [
      {
        files: ['common/indexing.wgsl', 'reduce/softmax.wgsl'],
        defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE },
        params: { columns: outer * spatial, channels, spatial },
        invocations: outer * spatial,
      },
    ];
  },
  reference([x], a, precision) {
    const { outer, channels, spatial } = split(x!.shape, a.axis);
    const out = newTensor([...x!.shape], precision);
    const r = roundingFor(precision);
    for (let o = 0; o < outer; o++) {
      for (let s = 0; s < spatial; s++) {
        const at = (c: number) => (o * channels + c) * spatial + s;
        let max = -Infinity;
        for (let c = 0; c < channels; c++) max = Math.max(max, x!.data[at(c)]!);
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += Math.exp(x!.data[at(c)]! - max);
        for (let c = 0; c < channels; c++) out.data[at(c)] = r(Math.exp(x!.data[at(c)]! - max) / sum);
      }
    }
    return [out];
  },
};
