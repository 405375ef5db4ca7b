// Standalone activation ops (one shader: elementwise/unary.wgsl).
import { activationDefines, activationFromAttrs, applyActivation, type Activation, type ActivationType } from './activation.js';
import { DEFAULT_WORKGROUP_SIZE, newTensor, onlyKnownAttrs, roundingFor, sizeOf } from './tensor-utils.js';
import type { OpDescriptor } from './types.js';

const ATTRS: Record<ActivationType, string[]> = {
  Relu: [],
  LeakyRelu: ['alpha'],
  Clip: ['min', 'max'],
  Sigmoid: [],
  HardSigmoid: ['alpha', 'beta'],
  HardSwish: [],
};

function activationOp(type: ActivationType): OpDescriptor<Activation> {
  return {
    type,
    inputNames: ['X'],
    required: 1,
    outputs: 1,
    attrs(raw) {
      onlyKnownAttrs(raw, ATTRS[type], type);
      return activationFromAttrs(type, raw);
    },
    inferShapes: ([x]) => [x!],
    kernels([x], _outs, act) {
      const count = sizeOf(x!);
      return [
        {
          files: ['common/indexing.wgsl', 'common/activation.wgsl', 'elementwise/unary.wgsl'],
          defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, ...activationDefines(act) },
          params: { count, alpha: act.alpha, beta: act.beta },
          invocations: count,
        },
      ];
    },
    reference([x], act, precision) {
      const out = newTensor([...x!.shape], precision);
      const r = roundingFor(precision);
      x!.data.forEach((v, i) => (out.data[i] = r(applyActivation(act, v))));
      return [out];
    },
  };
}

export const Relu = activationOp('Relu');
export const LeakyRelu = activationOp('LeakyRelu');
export const Clip = activationOp('Clip');
export const Sigmoid = activationOp('Sigmoid');
export const HardSigmoid = activationOp('HardSigmoid');
export const HardSwish = activationOp('HardSwish');
