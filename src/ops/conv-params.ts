// What every convolution kernel's call shares (conv/finish.wgsl, conv/epilogue.wgsl and the
// window fields of the conv shaders' params): written once here for the direct, depthwise and
// tiled conv kernels.
import { activationDefines, type Activation } from './activation.js';

/** Bias, PReLU or the fused activation, and the affine after it (conv/finish.wgsl). */
export function convEpilogue(hasBias: boolean, activation: Activation) {
  return {
    defines: { HAS_BIAS: hasBias, ACT_PRELU: activation.type === 'PRelu', ...activationDefines(activation) },
    params: { alpha: activation.alpha, beta: activation.beta, post_scale: activation.scale, post_shift: activation.shift },
  };
}

/** The window: kernel size, strides, top / left padding and dilations. */
export function convWindowParams(kh: number, kw: number, pads: readonly number[], strides: readonly number[], dilations: readonly number[]) {
  return {
    kernel_height: kh, kernel_width: kw,
    stride_y: strides[0]!, stride_x: strides[1]!,
    pad_top: pads[0]!, pad_left: pads[1]!,
    dilation_y: dilations[0]!, dilation_x: dilations[1]!,
  };
}
