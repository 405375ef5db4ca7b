// Activations: the standalone elementwise ops and the `activation` attribute of Conv/Gemm they can
// be fused into. alpha/beta follow ONNX: LeakyRelu alpha; Clip min/max; HardSigmoid alpha/beta.
import { numberAttr } from './tensor-utils.js';

export const ACTIVATION_TYPES = ['Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'HardSigmoid', 'HardSwish'] as const;
export type ActivationType = (typeof ACTIVATION_TYPES)[number];

export interface Activation {
  /** 'PRelu' needs a slope tensor and only exists fused into Conv/Gemm. */
  type: ActivationType | 'PRelu' | 'None';
  alpha: number;
  beta: number;
}

export const NO_ACTIVATION: Activation = { type: 'None', alpha: 0, beta: 0 };

export function activationFromAttrs(type: ActivationType, raw: Readonly<Record<string, unknown>>): Activation {
  switch (type) {
    case 'LeakyRelu':
      return { type, alpha: numberAttr(raw.alpha, 'alpha', 0.01), beta: 0 };
    case 'Clip':
      return { type, alpha: numberAttr(raw.min, 'min', -3.4028234663852886e38), beta: numberAttr(raw.max, 'max', 3.4028234663852886e38) };
    case 'HardSigmoid':
      return { type, alpha: numberAttr(raw.alpha, 'alpha', 0.2), beta: numberAttr(raw.beta, 'beta', 0.5) };
    default:
      return { type, alpha: 0, beta: 0 };
  }
}

/** Parses the `activation` attribute of a fusing op ({type, alpha?, beta?} or absent). */
export function parseFusedActivation(raw: unknown): Activation {
  if (raw === undefined) return NO_ACTIVATION;
  const spec = raw as { type?: string; alpha?: number; beta?: number };
  if (spec.type === 'PRelu') return { type: 'PRelu', alpha: 0, beta: 0 };
  if (spec.type === 'None') return NO_ACTIVATION;
  if (!ACTIVATION_TYPES.includes(spec.type as ActivationType)) {
    throw new Error(`activation '${spec.type}' cannot be fused (supported: ${[...ACTIVATION_TYPES, 'PRelu'].join(', ')})`);
  }
  return { type: spec.type as ActivationType, alpha: spec.alpha ?? 0, beta: spec.beta ?? 0 };
}

/** Defines read by shaders/common/activation.wgsl. */
export function activationDefines(act: Activation): Record<string, boolean> {
  return {
    ACT_RELU: act.type === 'Relu',
    ACT_LEAKY_RELU: act.type === 'LeakyRelu',
    ACT_CLIP: act.type === 'Clip',
    ACT_SIGMOID: act.type === 'Sigmoid',
    ACT_HARD_SIGMOID: act.type === 'HardSigmoid',
    ACT_HARD_SWISH: act.type === 'HardSwish',
  };
}

/** CPU reference of one activation (PRelu takes its slope). */
export function applyActivation(act: Activation, x: number, slope = 0): number {
  switch (act.type) {
    case 'None':
      return x;
    case 'Relu':
      return x > 0 ? x : 0;
    case 'LeakyRelu':
      return x >= 0 ? x : act.alpha * x;
    case 'PRelu':
      return x >= 0 ? x : slope * x;
    case 'Clip':
      return Math.min(Math.max(x, act.alpha), act.beta);
    case 'Sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'HardSigmoid':
      return Math.max(0, Math.min(1, act.alpha * x + act.beta));
    case 'HardSwish':
      return x * Math.max(0, Math.min(1, x / 6 + 0.5));
  }
}
