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
  /**
   * Fused ops only: y = scale * activation(x) + shift (a scalar affine after the activation, e.g.
   * PP-LCNetV3's learnable affine blocks, folded in at load time so no elementwise pass is left).
   */
  scale: number;
  shift: number;
}

export const NO_ACTIVATION: Activation = { type: 'None', alpha: 0, beta: 0, scale: 1, shift: 0 };

export function activationFromAttrs(type: ActivationType, raw: Readonly<Record<string, unknown>>): Activation {
  switch (type) {
    case 'LeakyRelu':
      return { type, alpha: numberAttr(raw.alpha, 'alpha', 0.01), beta: 0, scale: 1, shift: 0 };
    case 'Clip':
      return { type, alpha: numberAttr(raw.min, 'min', -3.4028234663852886e38), beta: numberAttr(raw.max, 'max', 3.4028234663852886e38), scale: 1, shift: 0 };
    case 'HardSigmoid':
      return { type, alpha: numberAttr(raw.alpha, 'alpha', 0.2), beta: numberAttr(raw.beta, 'beta', 0.5), scale: 1, shift: 0 };
    default:
      return { type, alpha: 0, beta: 0, scale: 1, shift: 0 };
  }
}

/** Parses the `activation` attribute of a fusing op ({type, alpha?, beta?} or absent). */
export function parseFusedActivation(raw: unknown): Activation {
  if (raw === undefined) return NO_ACTIVATION;
  const spec = raw as { type?: string; alpha?: number; beta?: number; scale?: number; shift?: number };
  // Clip's bounds are alpha/beta here: an unknown key (e.g. min/max) would silently mean 0.
  const unknown = Object.keys(spec).filter((k) => !['type', 'alpha', 'beta', 'scale', 'shift'].includes(k));
  if (unknown.length) throw new Error(`fused activation: unknown key(s) ${unknown.join(', ')} (type, alpha, beta, scale, shift; Clip's bounds are alpha and beta)`);
  const scale = spec.scale ?? 1;
  const shift = spec.shift ?? 0;
  if (!Number.isFinite(scale) || !Number.isFinite(shift)) throw new Error(`activation scale/shift must be finite numbers, got ${spec.scale}, ${spec.shift}`);
  if (spec.type === 'PRelu') return { type: 'PRelu', alpha: 0, beta: 0, scale, shift };
  if (spec.type === 'None') return { ...NO_ACTIVATION, scale, shift };
  if (!ACTIVATION_TYPES.includes(spec.type as ActivationType)) {
    throw new Error(`activation '${spec.type}' cannot be fused (supported: ${[...ACTIVATION_TYPES, 'PRelu', 'None'].join(', ')})`);
  }
  return { type: spec.type as ActivationType, alpha: spec.alpha ?? 0, beta: spec.beta ?? 0, scale, shift };
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

/** CPU reference of one fused activation (PRelu takes its slope), with its scale/shift. */
export function applyActivation(act: Activation, x: number, slope = 0): number {
  const y = activationValue(act, x, slope);
  return act.scale === 1 && act.shift === 0 ? y : act.scale * y + act.shift;
}

function activationValue(act: Activation, x: number, slope: number): number {
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
