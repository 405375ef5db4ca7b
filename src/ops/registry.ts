// The one map from op type (ONNX names) to descriptor. The executor, importers and exporters all
// resolve ops here.
import { Clip, HardSigmoid, HardSwish, LeakyRelu, Relu, Sigmoid } from './activations.js';
import { BatchNormalization } from './batchnorm.js';
import { Add, Div, Mul, Sub } from './binary.js';
import { Concat } from './concat.js';
import { Conv } from './conv2d.js';
import { ConvTranspose } from './conv-transpose.js';
import { Gemm } from './gemm.js';
import { GlobalAveragePool } from './global-avg-pool.js';
import { MaxPool } from './maxpool.js';
import { PRelu } from './prelu.js';
import { Flatten, Reshape, Squeeze, Unsqueeze } from './reshape.js';
import { Resize } from './resize.js';
import { Softmax } from './softmax.js';
import { Transpose } from './transpose.js';
import type { OpDescriptor } from './types.js';

const ops: ReadonlyArray<OpDescriptor<any>> = [
  Conv, ConvTranspose, Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, PRelu, Softmax, MaxPool, GlobalAveragePool,
  Gemm, Add, Sub, Mul, Div, Concat, Transpose, Reshape, Flatten, Squeeze, Unsqueeze, Resize, BatchNormalization,
];

export const opRegistry: ReadonlyMap<string, OpDescriptor<any>> = new Map(ops.map((op) => [op.type, op]));

export function supportedOps(): string[] {
  return [...opRegistry.keys()].sort();
}
