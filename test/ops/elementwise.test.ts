import { describe, it } from 'vitest';
import { checkOp } from '../helpers/op-check.js';

describe('activations vs float64 reference', () => {
  const shapes = [[2, 3, 7, 5], [1, 1, 1, 1], [3, 1000]];
  for (const shape of shapes) {
    it(`Relu ${shape}`, () => checkOp({ op: 'Relu', inputs: [shape] }));
    it(`LeakyRelu ${shape}`, () => checkOp({ op: 'LeakyRelu', inputs: [shape], attrs: { alpha: 0.2 } }));
    it(`Clip ${shape}`, () => checkOp({ op: 'Clip', inputs: [shape], attrs: { min: -0.3, max: 0.5 } }));
    it(`Sigmoid ${shape}`, () => checkOp({ op: 'Sigmoid', inputs: [shape], ranges: [[-8, 8]] }));
    it(`HardSigmoid ${shape}`, () => checkOp({ op: 'HardSigmoid', inputs: [shape], ranges: [[-6, 6]], attrs: { alpha: 0.25, beta: 0.4 } }));
    it(`HardSwish ${shape}`, () => checkOp({ op: 'HardSwish', inputs: [shape], ranges: [[-5, 5]] }));
  }
  it('Relu over a launch larger than one grid dimension (folded dispatch)', () => checkOp({ op: 'Relu', inputs: [[1, 3, 1031, 1999]] }));
});

describe('PRelu vs float64 reference', () => {
  it('per channel, batch 2', () => checkOp({ op: 'PRelu', inputs: [[2, 5, 9, 7], [5]], ranges: [undefined, [0, 0.5]] }));
  it('per channel with [C,1,1] slope', () => checkOp({ op: 'PRelu', inputs: [[1, 6, 4, 3], [6, 1, 1]] }));
  it('[N, C] input (after a fully connected layer)', () => checkOp({ op: 'PRelu', inputs: [[3, 128], [128]] }));
  it('one shared slope', () => checkOp({ op: 'PRelu', inputs: [[2, 3, 5, 5], [1]] }));
});

describe('binary ops with broadcasting vs float64 reference', () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
    it(`${op} same shape`, () => checkOp({ op, inputs: [[2, 3, 5, 7], [2, 3, 5, 7]], ranges: [undefined, op === 'Div' ? [0.5, 2] : undefined] }));
    it(`${op} per-channel [1,C,1,1]`, () => checkOp({ op, inputs: [[2, 4, 6, 3], [1, 4, 1, 1]], ranges: [undefined, op === 'Div' ? [0.5, 2] : undefined] }));
    it(`${op} same shape, count a multiple of 4 (vec4 kernel)`, () => checkOp({ op, inputs: [[2, 3, 6, 10], [2, 3, 6, 10]], ranges: [undefined, op === 'Div' ? [0.5, 2] : undefined] }));
    it(`${op} per-channel gate first, plane a multiple of 4 (vec4 kernel, block on the left)`, () => checkOp({ op, inputs: [[2, 5, 1, 1], [2, 5, 4, 6]], ranges: [undefined, op === 'Div' ? [0.5, 2] : undefined] }));
    it(`${op} both sides broadcast [3,1,5] x [4,1]`, () => checkOp({ op, inputs: [[3, 1, 5], [4, 1]], ranges: [undefined, op === 'Div' ? [0.5, 2] : undefined] }));
  }
  it('Mul by a scalar-shaped tensor', () => checkOp({ op: 'Mul', inputs: [[2, 3, 4, 5], [1]] }));
  it('Mul by a squeeze-excitation gate [N, C, 1, 1] (block fast path, gate first)', () => checkOp({ op: 'Mul', inputs: [[2, 6, 1, 1], [2, 6, 7, 5]] }));
  it('Sub of a [C, 1, 1] block from the full tensor (order kept)', () => checkOp({ op: 'Sub', inputs: [[2, 6, 7, 5], [6, 1, 1]] }));
  it('Div of a scalar by the full tensor (block on the left)', () => checkOp({ op: 'Div', inputs: [[], [2, 3, 4]], ranges: [undefined, [0.5, 2]] }));
  it('Add rank 6', () => checkOp({ op: 'Add', inputs: [[2, 1, 3, 2, 2, 3], [1, 2, 1, 2, 1, 3]] }));
});

describe('BatchNormalization vs float64 reference', () => {
  it('batch 2, 5 channels', () =>
    checkOp({
      op: 'BatchNormalization',
      inputs: [[2, 5, 7, 6], [5], [5], [5], [5]],
      ranges: [undefined, [0.5, 1.5], undefined, undefined, [0.1, 2]],
      attrs: { epsilon: 1e-3 },
    }));
});
