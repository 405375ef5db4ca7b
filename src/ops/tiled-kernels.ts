// Workgroup-memory tiled kernels for real GPUs (KernelEnv.adapter 'gpu'): GEMM, implicit-GEMM
// convolution and depthwise convolution staging their operands through var<workgroup> tiles.
// On the CPU rasterizers (lavapipe, SwiftShader) workgroup memory only adds copies, so they run
// the register-blocked kernels instead; WEBGPU_DETECT_KERNELS=gpu forces these there for tests.
import type { Activation } from './activation.js';
import type { GemmProblem } from './gemm-kernel.js';
import type { KernelCall } from './types.js';

/** A convolution as Conv's kernels() resolved it (ONNX semantics, NCHW, OIHW weights). */
export interface ConvProblem {
  n: number; c: number; h: number; w: number;
  /** Output channels. */
  m: number;
  kh: number; kw: number;
  oh: number; ow: number;
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  group: number;
  hasBias: boolean;
  activation: Activation;
}

/** Tiled GEMM, or undefined when this problem is not one it handles. */
export function tiledGemmKernel(_p: GemmProblem): KernelCall | undefined {
  return undefined;
}

/** Tiled implicit-GEMM convolution (group 1), or undefined when not handled. */
export function tiledConvKernel(_p: ConvProblem): KernelCall | undefined {
  return undefined;
}

/** Tiled depthwise convolution (group = C = M), or undefined when not handled. */
export function tiledDepthwiseKernel(_p: ConvProblem): KernelCall | undefined {
  return undefined;
}
