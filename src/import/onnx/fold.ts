// Folds the integer "shape arithmetic" subgraphs exporters write (torch.onnx.export's
// Shape -> Gather -> Unsqueeze -> Concat -> Cast feeding a Resize's sizes, Slice of a shape,
// Mul/Div/Floor of sizes by scale factors) into constants once the input sizes are known, so the
// ops that consume them (Resize, Reshape) see constant attributes. A node folds when all its inputs
// are constants, or when it is a Shape of a tensor whose shape is known.
import type { OnnxNode, OnnxTensor } from './reader.js';

export const FOLDABLE_OPS = new Set(['Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Slice', 'Identity', 'Add', 'Sub', 'Mul', 'Div', 'Floor', 'Ceil']);

const INT_TYPES = new Set(['INT64', 'INT32', 'INT8', 'UINT8', 'BOOL']);

const values = (t: OnnxTensor): number[] => Array.from(t.data as ArrayLike<number>);

function make(name: string, dims: number[], type: string, data: number[]): OnnxTensor {
  return { name, dims, type, data: type === 'FLOAT' ? Float32Array.from(data) : type === 'DOUBLE' ? Float64Array.from(data) : data };
}

function strides(dims: number[]): number[] {
  const out = dims.map(() => 1);
  for (let i = dims.length - 2; i >= 0; i--) out[i] = out[i + 1]! * dims[i + 1]!;
  return out;
}

const CAST_TYPES: Record<number, string> = { 1: 'FLOAT', 6: 'INT32', 7: 'INT64', 9: 'BOOL', 11: 'DOUBLE' };

/**
 * The folded output of `n`, or undefined when it cannot fold (an input is not constant). `shapeOf`
 * gives a tensor's static shape (undefined when unknown); `opset` decides where axes live.
 */
export function foldNode(n: OnnxNode, constant: (name: string) => OnnxTensor | undefined, shapeOf: (name: string) => number[] | undefined, opset: number): OnnxTensor | undefined {
  const out = n.outputs[0]!;
  const a = n.attrs;
  if (n.opType === 'Shape') {
    const dims = constant(n.inputs[0]!)?.dims ?? shapeOf(n.inputs[0]!);
    if (!dims) return undefined;
    const r = dims.length;
    const start = Math.max(0, Math.min(r, ((a.start as number | undefined) ?? 0) < 0 ? r + (a.start as number) : ((a.start as number | undefined) ?? 0)));
    const endRaw = (a.end as number | undefined) ?? r;
    const end = Math.max(0, Math.min(r, endRaw < 0 ? r + endRaw : endRaw));
    const picked = dims.slice(start, end);
    return make(out, [picked.length], 'INT64', picked);
  }
  const inputs = n.inputs.map((name) => (name === '' ? undefined : constant(name)));
  if (n.inputs.some((name, i) => name !== '' && !inputs[i])) return undefined;
  const x = inputs[0]!;
  switch (n.opType) {
    case 'Identity':
      return { ...x, name: out };
    case 'Cast': {
      const to = CAST_TYPES[a.to as number];
      if (!to) return undefined;
      const data = values(x).map((v) => (INT_TYPES.has(to) ? Math.trunc(v) : v));
      return make(out, x.dims, to, data);
    }
    case 'Gather': {
      const axisRaw = (a.axis as number | undefined) ?? 0;
      const axis = axisRaw < 0 ? axisRaw + x.dims.length : axisRaw;
      const idx = inputs[1]!;
      const s = strides(x.dims);
      const d = values(x);
      const outer = x.dims.slice(0, axis).reduce((p, q) => p * q, 1);
      const inner = s[axis]!;
      const picks = values(idx).map((i) => (i < 0 ? i + x.dims[axis]! : i));
      const data: number[] = [];
      for (let o = 0; o < outer; o++) for (const p of picks) for (let k = 0; k < inner; k++) data.push(d[o * x.dims[axis]! * inner + p * inner + k]!);
      return make(out, [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)], x.type, data);
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const axes = opset >= 13 ? (inputs[1] ? values(inputs[1]) : undefined) : (a.axes as number[] | undefined);
      let dims = [...x.dims];
      if (n.opType === 'Unsqueeze') {
        const r = dims.length + axes!.length;
        for (const ax of axes!.map((v) => (v < 0 ? v + r : v)).sort((p, q) => p - q)) dims.splice(ax, 0, 1);
      } else {
        const drop = new Set((axes ?? dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((v) => (v < 0 ? v + dims.length : v)));
        dims = dims.filter((_, i) => !drop.has(i));
      }
      return make(out, dims, x.type, values(x));
    }
    case 'Concat': {
      const parts = inputs.filter((t): t is OnnxTensor => !!t);
      if (parts.some((p) => p.dims.length !== 1)) return undefined;
      const data = parts.flatMap(values);
      return make(out, [data.length], x.type, data);
    }
    case 'Slice': {
      if (x.dims.length !== 1) return undefined;
      const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => (inputs[i] ? values(inputs[i]!) : undefined));
      const st = opset >= 10 ? starts! : (a.starts as number[]);
      const en = opset >= 10 ? ends! : (a.ends as number[]);
      if ((axes ?? [0]).some((v) => v !== 0 && v !== -1)) return undefined;
      const step = steps?.[0] ?? 1;
      const len = x.dims[0]!;
      const clamp = (v: number) => Math.max(step > 0 ? 0 : -1, Math.min(step > 0 ? len : len - 1, v < 0 ? v + len : v));
      const data: number[] = [];
      const d = values(x);
      for (let i = clamp(st[0]!); step > 0 ? i < clamp(en[0]!) : i > clamp(en[0]!); i += step) data.push(d[i]!);
      return make(out, [data.length], x.type, data);
    }
    case 'Floor':
    case 'Ceil':
      return make(out, x.dims, x.type, values(x).map(n.opType === 'Floor' ? Math.floor : Math.ceil));
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const y = inputs[1]!;
      const xs = values(x);
      const ys = values(y);
      if (xs.length !== ys.length && xs.length !== 1 && ys.length !== 1) return undefined;
      const count = Math.max(xs.length, ys.length);
      const int = INT_TYPES.has(x.type) && INT_TYPES.has(y.type);
      const f = { Add: (p: number, q: number) => p + q, Sub: (p: number, q: number) => p - q, Mul: (p: number, q: number) => p * q, Div: (p: number, q: number) => (int ? Math.trunc(p / q) : p / q) }[n.opType];
      const data = Array.from({ length: count }, (_, i) => f(xs[xs.length === 1 ? 0 : i]!, ys[ys.length === 1 ? 0 : i]!));
      return make(out, xs.length >= ys.length ? x.dims : y.dims, x.type, data);
    }
    default:
      return undefined;
  }
}
