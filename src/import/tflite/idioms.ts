// Two idioms the TensorFlow 1 converter leaves expanded, recognised from their last op and collapsed:
//   PReLU   relu(x) + alpha * -relu(-x)                               -> PRelu(x, alpha)
//   softmax exp(x - max(x)) / sum(exp(x - max(x))) on the last axis   -> Softmax(channels)
import type { ImportContext } from './context.js';
import type { TfliteOperator } from './reader.js';

/** The PReLU idiom ending at an ADD: [x, alpha tensor, ops of the idiom] or undefined. */
function prelu(ctx: ImportContext, add: TfliteOperator): [number, number, TfliteOperator[]] | undefined {
  if (add.op !== 'ADD' || add.options.fused_activation_function !== 'NONE') return undefined;
  for (const [ri, mi] of [[0, 1], [1, 0]] as const) {
    const relu = ctx.producer.get(add.inputs[ri]!);
    const mul = ctx.producer.get(add.inputs[mi]!);
    if (relu?.op !== 'RELU' || mul?.op !== 'MUL') continue;
    const alphaSide = mul.inputs.findIndex((t) => ctx.constant(t) !== undefined);
    if (alphaSide < 0) continue;
    const neg2 = ctx.producer.get(mul.inputs[1 - alphaSide]!);
    const relu2 = neg2?.op === 'NEG' ? ctx.producer.get(neg2.inputs[0]!) : undefined;
    const neg1 = relu2?.op === 'RELU' ? ctx.producer.get(relu2.inputs[0]!) : undefined;
    if (neg1?.op !== 'NEG' || neg1.inputs[0] !== relu.inputs[0]) continue;
    const chain = [relu, neg1, relu2!, neg2!, mul];
    const inner: Array<[number, TfliteOperator]> = [[relu.outputs[0]!, add], [neg1.outputs[0]!, relu2!], [relu2!.outputs[0]!, neg2!], [neg2!.outputs[0]!, mul], [mul.outputs[0]!, add]];
    if (!inner.every(([t, by]) => ctx.soleUse(t, by))) continue;
    return [relu.inputs[0]!, mul.inputs[alphaSide]!, chain];
  }
  return undefined;
}

/** The softmax idiom ending at a DIV: [x, ops] or undefined. */
function softmax(ctx: ImportContext, div: TfliteOperator): [number, TfliteOperator[]] | undefined {
  if (div.op !== 'DIV') return undefined;
  const exp = ctx.producer.get(div.inputs[0]!);
  const sum = ctx.producer.get(div.inputs[1]!);
  if (exp?.op !== 'EXP' || sum?.op !== 'SUM' || sum.inputs[0] !== exp.outputs[0]) return undefined;
  const sub = ctx.producer.get(exp.inputs[0]!);
  if (sub?.op !== 'SUB') return undefined;
  const max = ctx.producer.get(sub.inputs[1]!);
  if (max?.op !== 'REDUCE_MAX' || max.inputs[0] !== sub.inputs[0]) return undefined;
  const x = sub.inputs[0]!;
  const lastAxis = (op: TfliteOperator) => {
    const axes = ctx.constant(op.inputs[1]!);
    return axes !== undefined && axes.length === 1 && (axes[0] === ctx.rank(x) - 1 || axes[0] === -1) && op.options.keep_dims === true;
  };
  if (!lastAxis(max) || !lastAxis(sum)) return undefined;
  const e = exp.outputs[0]!;
  const shared = (ctx.consumers.get(e) ?? []).every((c) => c === sum || c === div) && ctx.soleUse(sub.outputs[0]!, exp) && ctx.soleUse(max.outputs[0]!, sub) && ctx.soleUse(sum.outputs[0]!, div);
  return shared ? [x, [max, sub, exp, sum]] : undefined;
}

/**
 * The idioms of the subgraph: a converter for each idiom's last op; the ops they absorb are marked
 * consumed (skipped when reached).
 */
export function findIdioms(ctx: ImportContext): Map<TfliteOperator, () => void> {
  const idiomOf = new Map<TfliteOperator, () => void>();
  for (const op of ctx.sg.operators) {
    const p = prelu(ctx, op);
    if (p) {
      const [x, alpha, chain] = p;
      chain.forEach((c) => ctx.consumed.add(c));
      idiomOf.set(op, () => {
        const slope = ctx.floatConstant(op, alpha, 'PReLU alpha');
        ctx.output(op, { op: 'PRelu', inputs: [ctx.name(x), ctx.addWeight(ctx.name(alpha), [slope.length], slope.slice())] });
      });
      ctx.notes.push(`${ctx.name(op.outputs[0]!)}: PReLU idiom (relu(x) - alpha*relu(-x), 6 ops) -> PRelu`);
      continue;
    }
    const s = softmax(ctx, op);
    if (s) {
      const [x, chain] = s;
      chain.forEach((c) => ctx.consumed.add(c));
      idiomOf.set(op, () => ctx.output(op, { op: 'Softmax', inputs: [ctx.name(x)], attrs: { axis: ctx.rank(x) === 4 ? 1 : -1 } }));
      ctx.notes.push(`${ctx.name(op.outputs[0]!)}: softmax idiom (REDUCE_MAX, SUB, EXP, SUM, DIV over channels) -> Softmax`);
    }
  }
  return idiomOf;
}
