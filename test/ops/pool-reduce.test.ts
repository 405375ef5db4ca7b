import { describe, it } from 'vitest';
import { checkOp } from '../helpers/op-check.js';

describe('Softmax vs float64 reference', () => {
  it('over channels of NCHW (MTCNN face scores)', () => checkOp({ op: 'Softmax', inputs: [[2, 2, 13, 9]], ranges: [[-10, 10]] }));
  it('over 17 channels, odd spatial', () => checkOp({ op: 'Softmax', inputs: [[1, 17, 5, 3]], ranges: [[-5, 5]] }));
  it('last axis of [N, C]', () => checkOp({ op: 'Softmax', inputs: [[7, 10]], attrs: { axis: -1 } }));
  it('large logits (+-1000) do not overflow', () => checkOp({ op: 'Softmax', inputs: [[1, 4, 3, 3]], ranges: [[-1000, 1000]] }));
});

describe('MaxPool vs float64 reference', () => {
  it('2x2 stride 2, ceil mode on odd sizes (MTCNN)', () => checkOp({ op: 'MaxPool', inputs: [[2, 3, 11, 9]], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } }));
  it('more planes than one launch dimension holds (65538)', () => checkOp({ op: 'MaxPool', inputs: [[2, 32769, 3, 2]], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } }));
  it('3x3 stride 2, ceil mode', () => checkOp({ op: 'MaxPool', inputs: [[1, 4, 23, 22]], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 } }));
  it('3x3 stride 2, floor mode', () => checkOp({ op: 'MaxPool', inputs: [[1, 4, 23, 22]], attrs: { kernel_shape: [3, 3], strides: [2, 2] } }));
  it('3x3 stride 1 with padding', () => checkOp({ op: 'MaxPool', inputs: [[1, 2, 7, 8]], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } }));
  // 4 outputs per invocation: rows of 6 outputs (a full and a partial block), a window wider than
  // its stride, left padding past the first block's first column.
  it('2x3 window, strides [1, 3], pads [1, 2, 0, 1]', () => checkOp({ op: 'MaxPool', inputs: [[2, 3, 7, 17]], attrs: { kernel_shape: [2, 3], strides: [1, 3], pads: [1, 2, 0, 1] } }));
  it('SAME_UPPER (TensorFlow SAME)', () => checkOp({ op: 'MaxPool', inputs: [[1, 2, 9, 10]], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' } }));
});

describe('GlobalAveragePool vs float64 reference', () => {
  it('batch 2, odd plane', () => checkOp({ op: 'GlobalAveragePool', inputs: [[2, 5, 7, 9]] }));
  it('large plane (160x160)', () => checkOp({ op: 'GlobalAveragePool', inputs: [[1, 3, 160, 160]], ranges: [[0, 1]] }));
});
