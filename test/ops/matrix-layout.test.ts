import { describe, expect, it } from 'vitest';
import { Concat } from '../../src/ops/concat.js';
import { checkOp } from '../helpers/op-check.js';

describe('Gemm vs float64 reference', () => {
  it('fully connected: [N, K] x [M, K]^T + bias', () => checkOp({ op: 'Gemm', inputs: [[3, 27], [10, 27], [10]], attrs: { transB: 1 } }));
  it('M = 9 (row block 8), N multiple of 4 (vec4 B)', () => checkOp({ op: 'Gemm', inputs: [[9, 11], [11, 8], [8]] }));
  it('plain A x B, odd sizes', () => checkOp({ op: 'Gemm', inputs: [[13, 9], [9, 7]] }));
  it('transA and transB, alpha/beta, C [M, N]', () =>
    checkOp({ op: 'Gemm', inputs: [[9, 13], [7, 9], [13, 7]], attrs: { transA: 1, transB: 1, alpha: 0.5, beta: 2 } }));
  it('C broadcast [M, 1]', () => checkOp({ op: 'Gemm', inputs: [[6, 5], [5, 3], [6, 1]] }));
  it('fused PReLU (MTCNN dense layers)', () =>
    checkOp({ op: 'Gemm', inputs: [[2, 576], [128, 576], [128], [128]], attrs: { transB: 1, activation: { type: 'PRelu' } } }));
  it('fused Relu, K = 1', () => checkOp({ op: 'Gemm', inputs: [[5, 1], [1, 6], [6]], attrs: { activation: { type: 'Relu' } } }));
});

describe('Concat vs float64 reference', () => {
  it('channels of NCHW, 3 inputs', () => checkOp({ op: 'Concat', inputs: [[2, 3, 4, 5], [2, 1, 4, 5], [2, 6, 4, 5]], attrs: { axis: 1 } }));
  it('channels of NCHW with H * W a multiple of 4 (vec4 copies), 3 inputs, batch 2', async () => {
    const attrs = { axis: 1 };
    const calls = Concat.kernels([[2, 3, 4, 6], [2, 1, 4, 6], [2, 5, 4, 6]], [[2, 9, 4, 6]], Concat.attrs(attrs));
    expect(calls.map((c) => c.defines.VEC4)).toEqual([true, true, true]);
    await checkOp({ op: 'Concat', inputs: [[2, 3, 4, 6], [2, 1, 4, 6], [2, 5, 4, 6]], attrs });
  });
  it('last axis: vec4 for inputs of 4 and 8 columns, scalar after a 3-column one', async () => {
    const calls = Concat.kernels([[3, 4], [3, 8], [3, 3], [3, 4]], [[3, 19]], Concat.attrs({ axis: -1 }));
    expect(calls.map((c) => c.defines.VEC4)).toEqual([false, false, false, false]);
    const aligned = Concat.kernels([[3, 4], [3, 8]], [[3, 12]], Concat.attrs({ axis: -1 }));
    expect(aligned.map((c) => c.defines.VEC4)).toEqual([true, true]);
    await checkOp({ op: 'Concat', inputs: [[3, 4], [3, 8]], attrs: { axis: -1 } });
    await checkOp({ op: 'Concat', inputs: [[3, 4], [3, 8], [3, 3], [3, 4]], attrs: { axis: -1 } });
  });
  it('last axis', () => checkOp({ op: 'Concat', inputs: [[3, 2], [3, 5]], attrs: { axis: -1 } }));
  it('batch axis', () => checkOp({ op: 'Concat', inputs: [[1, 2, 3], [2, 2, 3]], attrs: { axis: 0 } }));
});

describe('Transpose vs float64 reference', () => {
  it('NCHW -> NHWC', () => checkOp({ op: 'Transpose', inputs: [[2, 3, 5, 7]], attrs: { perm: [0, 2, 3, 1] } }));
  it('width/height swap (TFLite MTCNN input layout)', () => checkOp({ op: 'Transpose', inputs: [[1, 3, 12, 17]], attrs: { perm: [0, 1, 3, 2] } }));
  it('default reverse, rank 5', () => checkOp({ op: 'Transpose', inputs: [[2, 3, 1, 4, 5]] }));
});

describe('Reshape/Flatten (views) vs float64 reference', () => {
  it('Reshape with 0 and -1', () => checkOp({ op: 'Reshape', inputs: [[2, 3, 4, 5]], attrs: { shape: [0, -1] } }));
  it('Flatten axis 1', () => checkOp({ op: 'Flatten', inputs: [[2, 3, 4, 5]] }));
});

describe('Resize vs float64 reference', () => {
  it('bilinear half_pixel upscale x2', () => checkOp({ op: 'Resize', inputs: [[2, 3, 7, 5]], attrs: { mode: 'linear', scales: [1, 1, 2, 2] } }));
  it('bilinear half_pixel downscale to odd size', () => checkOp({ op: 'Resize', inputs: [[1, 3, 31, 29]], attrs: { mode: 'linear', sizes: [1, 3, 12, 13] } }));
  it('bilinear align_corners', () => checkOp({ op: 'Resize', inputs: [[1, 2, 9, 6]], attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners', sizes: [1, 2, 17, 11] } }));
  it('bilinear pytorch_half_pixel to width 1', () =>
    checkOp({ op: 'Resize', inputs: [[1, 2, 9, 6]], attrs: { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel', sizes: [1, 2, 5, 1] } }));
  it('nearest asymmetric floor x2 (PP-OCR FPN upsampling)', () =>
    checkOp({ op: 'Resize', inputs: [[1, 4, 5, 6]], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor', scales: [1, 1, 2, 2] } }));
  it('nearest asymmetric floor, integer factors x8 / y3, batch 2 (vec4 upsampling kernel)', () =>
    checkOp({ op: 'Resize', inputs: [[2, 3, 5, 3]], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor', scales: [1, 1, 3, 8] } }));
  it('nearest asymmetric floor x2 with an output row not a multiple of 4 (general kernel)', () =>
    checkOp({ op: 'Resize', inputs: [[2, 3, 5, 7]], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor', scales: [1, 1, 2, 2] } }));
  it('nearest half_pixel round_prefer_floor downscale', () => checkOp({ op: 'Resize', inputs: [[1, 2, 13, 11]], attrs: { mode: 'nearest', sizes: [1, 2, 6, 5] } }));
  it('nearest round_prefer_ceil', () => checkOp({ op: 'Resize', inputs: [[1, 2, 6, 6]], attrs: { mode: 'nearest', nearest_mode: 'round_prefer_ceil', sizes: [1, 2, 9, 4] } }));
  it('nearest ceil', () => checkOp({ op: 'Resize', inputs: [[1, 2, 6, 6]], attrs: { mode: 'nearest', nearest_mode: 'ceil', sizes: [1, 2, 4, 9] } }));
});
