// One converter per TFLite op (family): TFLite NHWC operators -> our NCHW graph nodes, weights
// re-laid out at load. Each names the operator and the file when it meets something unsupported.
import type { ImportContext } from './context.js';
import type { TfliteOperator } from './reader.js';

type Converter = (ctx: ImportContext, op: TfliteOperator) => void;

const FUSED: Record<string, Record<string, unknown> | undefined> = {
  NONE: undefined,
  RELU: { type: 'Relu' },
  RELU6: { type: 'Clip', alpha: 0, beta: 6 },
};

function activation(ctx: ImportContext, op: TfliteOperator): Record<string, unknown> | undefined {
  const act = String(op.options.fused_activation_function ?? 'NONE');
  if (!(act in FUSED)) return ctx.fail(op, `fused activation ${act} is not supported (NONE, RELU, RELU6)`);
  return FUSED[act];
}

function withActivation(ctx: ImportContext, op: TfliteOperator): Record<string, unknown> {
  const act = activation(ctx, op);
  return act ? { activation: act } : {};
}

function padding(ctx: ImportContext, op: TfliteOperator): string {
  const p = op.options.padding;
  return p === 'SAME' ? 'SAME_UPPER' : p === 'VALID' ? 'VALID' : ctx.fail(op, `padding ${String(p)}`);
}

/** CONV_2D [O, KA, KB, I] and DEPTHWISE_CONV_2D [1, KA, KB, C * mult] -> Conv [O, I / group, KH, KW]. */
const conv: Converter = (ctx, op) => {
  const o = op.options;
  const [x, w, b] = op.inputs as [number, number, number | undefined];
  const data = ctx.floatConstant(op, w, 'filter');
  const [o0, ka, kb, i0] = ctx.shape(w) as [number, number, number, number];
  const depthwise = op.op === 'DEPTHWISE_CONV_2D';
  const outC = depthwise ? i0 : o0;
  const inPerGroup = depthwise ? 1 : i0;
  const [kh, kw] = ctx.hw(ka, kb);
  const ours = new Float32Array(data.length);
  for (let oc = 0; oc < outC; oc++)
    for (let ic = 0; ic < inPerGroup; ic++)
      for (let a = 0; a < ka; a++)
        for (let bb = 0; bb < kb; bb++) {
          const src = depthwise ? (a * kb + bb) * i0 + oc : ((oc * ka + a) * kb + bb) * i0 + ic;
          const [y, xx] = ctx.hw(a, bb);
          ours[((oc * inPerGroup + ic) * kh + y) * kw + xx] = data[src]!;
        }
  const inputs = [ctx.name(x), ctx.addWeight(ctx.name(w), [outC, inPerGroup, kh, kw], ours)];
  if (b !== undefined && b >= 0) inputs.push(ctx.addWeight(ctx.name(b), [outC], ctx.floatConstant(op, b, 'bias').slice()));
  if (depthwise && outC !== ctx.shape(x)[3]) ctx.fail(op, `depth_multiplier ${o.depth_multiplier} is not supported (only 1)`);
  ctx.output(op, {
    op: 'Conv',
    inputs,
    attrs: {
      strides: ctx.hw(o.stride_h as number, o.stride_w as number),
      dilations: ctx.hw(o.dilation_h_factor as number, o.dilation_w_factor as number),
      auto_pad: padding(ctx, op),
      group: depthwise ? outC : 1,
      ...withActivation(ctx, op),
    },
  });
};

const maxPool: Converter = (ctx, op) => {
  const o = op.options;
  if (activation(ctx, op)) ctx.fail(op, 'fused activation on a pool is not supported');
  ctx.output(op, {
    op: 'MaxPool',
    inputs: [ctx.name(op.inputs[0]!)],
    attrs: { kernel_shape: ctx.hw(o.filter_height as number, o.filter_width as number), strides: ctx.hw(o.stride_h as number, o.stride_w as number), auto_pad: padding(ctx, op) },
  });
};

/** FULLY_CONNECTED -> Gemm; a 4-D input is flattened, and the weights permuted to our C, H, W order. */
const fullyConnected: Converter = (ctx, op) => {
  const [x, w, b] = op.inputs as [number, number, number | undefined];
  if (op.options.keep_num_dims) ctx.fail(op, 'keep_num_dims is not supported');
  const data = ctx.floatConstant(op, w, 'weights');
  const [outF, inF] = ctx.shape(w) as [number, number];
  let input = ctx.name(x);
  let ours = data.slice();
  if (ctx.rank(x) === 4) {
    // TFLite flattens [n, A, B, C] in that order; our Flatten of [n, C, H, W] goes C, H, W.
    const [, A, B, C] = ctx.shape(x) as [number, number, number, number];
    if (A * B * C !== inF) ctx.fail(op, `input ${JSON.stringify(ctx.shape(x))} does not flatten to ${inF} features`);
    const [H, W] = ctx.hw(A, B);
    ours = new Float32Array(data.length);
    for (let f = 0; f < outF; f++)
      for (let a = 0; a < A; a++)
        for (let bb = 0; bb < B; bb++)
          for (let c = 0; c < C; c++) {
            const [y, xx] = ctx.hw(a, bb);
            ours[f * inF + (c * H + y) * W + xx] = data[f * inF + (a * B + bb) * C + c]!;
          }
    const flat = `${ctx.name(op.outputs[0]!)}/flatten`;
    input = ctx.node({ name: flat, op: 'Flatten', inputs: [input], outputs: [flat] });
    ctx.notes.push(`${ctx.name(op.outputs[0]!)}: fully connected weights permuted from TFLite's [${ctx.transposed ? 'W, H' : 'H, W'}, C] flatten order to [C, H, W]`);
  }
  const inputs = [input, ctx.addWeight(ctx.name(w), [outF, inF], ours)];
  if (b !== undefined && b >= 0) inputs.push(ctx.addWeight(ctx.name(b), [outF], ctx.floatConstant(op, b, 'bias').slice()));
  ctx.output(op, { op: 'Gemm', inputs, attrs: { transB: 1, ...withActivation(ctx, op) } });
};

/** ADD of two tensors, or of a tensor and a float scalar / per-channel constant. */
const add: Converter = (ctx, op) => {
  const out = op.outputs[0]!;
  const operand = (t: number) => {
    const data = ctx.constant(t);
    if (data === undefined) return ctx.name(t);
    // A constant operand: per-channel (the last TFLite axis = our channel axis) or a scalar.
    if (!(data instanceof Float32Array) || (data.length !== 1 && data.length !== ctx.shape(out).at(-1))) ctx.fail(op, `constant operand '${ctx.name(t)}' must be a float scalar or per-channel vector`);
    const shape = ctx.rank(out) === 4 && data.length > 1 ? [data.length, 1, 1] : [data.length];
    return ctx.addWeight(ctx.name(t), shape, (data as Float32Array).slice());
  };
  ctx.output(op, { op: 'Add', inputs: op.inputs.slice(0, 2).map(operand), attrs: withActivation(ctx, op) });
};

/**
 * RESHAPE in TFLite's element order: a 4-D input (NCHW here) is transposed back to NHWC first, a
 * 4-D output transposed to NCHW after. Dim 0 stays the batch (0 copies it), whatever the file says.
 */
const reshape: Converter = (ctx, op) => {
  const x = op.inputs[0]!;
  const target = ctx.shape(op.outputs[0]!);
  const outName = ctx.name(op.outputs[0]!);
  let input = ctx.name(x);
  if (ctx.rank(x) === 4) input = ctx.node({ name: `${outName}/to_nhwc`, op: 'Transpose', inputs: [input], outputs: [`${outName}/to_nhwc`], attrs: { perm: ctx.toTfliteOrder } });
  const shape = target.map((d, i) => (i === 0 ? 0 : d));
  if (target.length === 4) {
    const flat = ctx.node({ name: `${outName}/nhwc`, op: 'Reshape', inputs: [input], outputs: [`${outName}/nhwc`], attrs: { shape } });
    ctx.output(op, { op: 'Transpose', inputs: [flat], attrs: { perm: ctx.fromTfliteOrder } });
  } else {
    ctx.output(op, { op: 'Reshape', inputs: [input], attrs: { shape } });
  }
  ctx.notes.push(`${outName}: RESHAPE of ${ctx.rank(x) === 4 ? 'an NHWC tensor (transposed back to TFLite order first)' : 'a tensor'} to [${target}]`);
};

/** CONCATENATION: a 4-D tensor's NHWC axis mapped to our NCHW axis. */
const concatenation: Converter = (ctx, op) => {
  if (activation(ctx, op)) ctx.fail(op, 'fused activation on a concatenation is not supported');
  const r = ctx.rank(op.outputs[0]!);
  const raw = Number(op.options.axis);
  const axis = raw < 0 ? raw + r : raw;
  const ours = r === 4 ? ctx.toTfliteOrder[axis]! : axis;
  op.inputs.forEach((t) => ctx.constant(t) !== undefined && ctx.fail(op, `constant input '${ctx.name(t)}' is not supported`));
  ctx.output(op, { op: 'Concat', inputs: op.inputs.map((t) => ctx.name(t)), attrs: { axis: ours } });
};

const softmax: Converter = (ctx, op) => {
  if (op.options.beta !== 1) ctx.fail(op, `softmax beta ${op.options.beta} is not supported (only 1)`);
  ctx.output(op, { op: 'Softmax', inputs: [ctx.name(op.inputs[0]!)], attrs: { axis: ctx.rank(op.inputs[0]!) === 4 ? 1 : -1 } });
};

const prelu: Converter = (ctx, op) => {
  const slope = ctx.floatConstant(op, op.inputs[1]!, 'alpha');
  if (slope.length !== ctx.shape(op.inputs[1]!).at(-1)) ctx.fail(op, 'only a per-channel alpha is supported');
  ctx.output(op, { op: 'PRelu', inputs: [ctx.name(op.inputs[0]!), ctx.addWeight(ctx.name(op.inputs[1]!), [slope.length], slope.slice())] });
};

const unary = (ours: string, attrs?: Record<string, unknown>): Converter => (ctx, op) => ctx.output(op, { op: ours, inputs: [ctx.name(op.inputs[0]!)], ...(attrs ? { attrs } : {}) });

export const CONVERTERS: Readonly<Record<string, Converter>> = {
  CONV_2D: conv,
  DEPTHWISE_CONV_2D: conv,
  MAX_POOL_2D: maxPool,
  FULLY_CONNECTED: fullyConnected,
  RELU: unary('Relu'),
  RELU6: unary('Clip', { min: 0, max: 6 }),
  LOGISTIC: unary('Sigmoid'),
  SOFTMAX: softmax,
  PRELU: prelu,
  ADD: add,
  RESHAPE: reshape,
  CONCATENATION: concatenation,
};
