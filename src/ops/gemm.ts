// Gemm (ONNX): Y = alpha * op(A) @ op(B) + beta * C, C unidirectionally broadcast to [M, N];
// fully connected layers are Gemm with transB = 1. Optional fused activation (PRelu: input 3).
import { applyActivation, parseFusedActivation, type Activation } from './activation.js';
import { gemmKernel } from './gemm-kernel.js';
import { formatShape, newTensor, numberAttr, onlyKnownAttrs, requireRank, roundingFor } from './tensor-utils.js';
import { ShapeError, type OpDescriptor, type Shape } from './types.js';

export interface GemmAttrs {
  alpha: number;
  beta: number;
  transA: boolean;
  transB: boolean;
  activation: Activation;
}

function geometry(inputs: ReadonlyArray<Shape | undefined>, a: GemmAttrs) {
  const [ar, ac] = requireRank(inputs[0], 2, 'Gemm input A');
  const [br, bc] = requireRank(inputs[1], 2, 'Gemm input B');
  const [m, k] = a.transA ? [ac!, ar!] : [ar!, ac!];
  const [kb, n] = a.transB ? [bc!, br!] : [br!, bc!];
  if (k !== kb) throw new ShapeError(`Gemm: op(A) is [${m}, ${k}] but op(B) is [${kb}, ${n}] (transA=${+a.transA}, transB=${+a.transB})`);
  // C: scalar, [N], [1, N], [M, 1] or [M, N]; strides 0 along broadcast dims.
  let cRow = 0;
  let cCol = 0;
  const c = inputs[2];
  if (c) {
    const dims = c.length === 1 ? [1, c[0]!] : c.length === 0 ? [1, 1] : c;
    if (dims.length !== 2 || (dims[0] !== 1 && dims[0] !== m) || (dims[1] !== 1 && dims[1] !== n)) {
      throw new ShapeError(`Gemm: C ${formatShape(c)} does not broadcast to [${m}, ${n}]`);
    }
    cRow = dims[0] === 1 ? 0 : dims[1]!;
    cCol = dims[1] === 1 ? 0 : 1;
  }
  if (a.activation.type === 'PRelu') {
    const s = inputs[3];
    if (!s || s.reduce((x, y) => x * y, 1) !== n) throw new ShapeError(`Gemm with fused PRelu: slope must have ${n} values, got ${formatShape(s)}`);
  }
  return {
    m, n, k, cRow, cCol,
    aRow: a.transA ? 1 : ac!, aCol: a.transA ? ac! : 1,
    bRow: a.transB ? 1 : bc!, bCol: a.transB ? bc! : 1,
  };
}

export const Gemm: OpDescriptor<GemmAttrs> = {
  type: 'Gemm',
  // Its kernels read input_0 / input_1 and write output_0 as f16 under F16_<binding> (half-storage.ts).
  halfStorage: true,
  inputNames: ['A', 'B', 'C', 'slope'],
  required: 2,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, ['alpha', 'beta', 'transA', 'transB', 'activation'], 'Gemm');
    return {
      alpha: numberAttr(raw.alpha, 'alpha', 1),
      beta: numberAttr(raw.beta, 'beta', 1),
      transA: Boolean(raw.transA),
      transB: Boolean(raw.transB),
      activation: parseFusedActivation(raw.activation),
    };
  },
  inferShapes(inputs, a) {
    const g = geometry(inputs, a);
    return [[g.m, g.n]];
  },
  kernels(inputs, _outs, a, env) {
    const g = geometry(inputs, a);
    return [
      gemmKernel({
        m: g.m, n: g.n, k: g.k, batch: 1,
        aRowStride: g.aRow, aColStride: g.aCol, bRowStride: g.bRow, bColStride: g.bCol, bBatchStride: 0,
        c: inputs[2] ? { rowStride: g.cRow, colStride: g.cCol } : undefined,
        alpha: a.alpha, beta: a.beta, activation: a.activation, slopePerRow: false,
      }, env),
    ];
  },
  reference([A, B, C, slope], a, precision) {
    const g = geometry([A!.shape, B!.shape, C?.shape, slope?.shape], a);
    const r = roundingFor(precision);
    const out = newTensor([g.m, g.n], precision);
    for (let i = 0; i < g.m; i++) {
      for (let j = 0; j < g.n; j++) {
        let acc = 0;
        for (let kk = 0; kk < g.k; kk++) {
          const av = a.transA ? A!.data[kk * g.m + i]! : A!.data[i * g.k + kk]!;
          const bv = a.transB ? B!.data[j * g.k + kk]! : B!.data[kk * g.n + j]!;
          acc = r(acc + r(av * bv));
        }
        let v = r(a.alpha * acc);
        if (C) v = r(v + r(a.beta * C.data[i * g.cRow + j * g.cCol]!));
        out.data[i * g.n + j] = r(applyActivation(a.activation, v, slope?.data[j]));
      }
    }
    return [out];
  },
};
