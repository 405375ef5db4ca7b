// A float64 CPU interpreter of the TFLite ops found in the models we import, written from the
// TFLite op definitions (NHWC, SAME/VALID padding, numpy broadcasting) and independent of the
// converter: importer tests run a .tflite file here and our converted graph on the GPU and compare
// them tensor by tensor.
import type { TfliteModel, TfliteOperator } from './reader.js';

export interface NdArray {
  shape: number[];
  data: Float64Array;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function windowGeometry(inSize: number, k: number, stride: number, dilation: number, padding: string): { out: number; before: number } {
  const eff = (k - 1) * dilation + 1;
  if (padding === 'VALID') return { out: Math.floor((inSize - eff) / stride) + 1, before: 0 };
  const out = Math.ceil(inSize / stride);
  return { out, before: Math.floor(Math.max((out - 1) * stride + eff - inSize, 0) / 2) };
}

function conv(x: NdArray, w: NdArray, b: NdArray | undefined, o: TfliteOperator['options'], depthwise: boolean): NdArray {
  const [n, A, B, C] = x.shape as [number, number, number, number];
  const [, KA, KB] = w.shape as [number, number, number, number];
  const O = depthwise ? w.shape[3]! : w.shape[0]!;
  const ga = windowGeometry(A, KA, o.stride_h as number, o.dilation_h_factor as number, o.padding as string);
  const gb = windowGeometry(B, KB, o.stride_w as number, o.dilation_w_factor as number, o.padding as string);
  const out = new Float64Array(n * ga.out * gb.out * O);
  for (let i = 0; i < n; i++)
    for (let oa = 0; oa < ga.out; oa++)
      for (let ob = 0; ob < gb.out; ob++)
        for (let oc = 0; oc < O; oc++) {
          let acc = b ? b.data[oc]! : 0;
          for (let ka = 0; ka < KA; ka++) {
            const a = oa * (o.stride_h as number) - ga.before + ka * (o.dilation_h_factor as number);
            if (a < 0 || a >= A) continue;
            for (let kb = 0; kb < KB; kb++) {
              const bb = ob * (o.stride_w as number) - gb.before + kb * (o.dilation_w_factor as number);
              if (bb < 0 || bb >= B) continue;
              const base = ((i * A + a) * B + bb) * C;
              if (depthwise) acc += x.data[base + oc]! * w.data[(ka * KB + kb) * O + oc]!;
              else for (let c = 0; c < C; c++) acc += x.data[base + c]! * w.data[((oc * KA + ka) * KB + kb) * C + c]!;
            }
          }
          out[((i * ga.out + oa) * gb.out + ob) * O + oc] = activate(acc, o.fused_activation_function as string);
        }
  return { shape: [n, ga.out, gb.out, O], data: out };
}

function maxPool(x: NdArray, o: TfliteOperator['options']): NdArray {
  const [n, A, B, C] = x.shape as [number, number, number, number];
  const ga = windowGeometry(A, o.filter_height as number, o.stride_h as number, 1, o.padding as string);
  const gb = windowGeometry(B, o.filter_width as number, o.stride_w as number, 1, o.padding as string);
  const out = new Float64Array(n * ga.out * gb.out * C);
  for (let i = 0; i < n; i++)
    for (let oa = 0; oa < ga.out; oa++)
      for (let ob = 0; ob < gb.out; ob++)
        for (let c = 0; c < C; c++) {
          let m = -Infinity;
          for (let ka = 0; ka < (o.filter_height as number); ka++) {
            const a = oa * (o.stride_h as number) - ga.before + ka;
            if (a < 0 || a >= A) continue;
            for (let kb = 0; kb < (o.filter_width as number); kb++) {
              const bb = ob * (o.stride_w as number) - gb.before + kb;
              if (bb >= 0 && bb < B) m = Math.max(m, x.data[((i * A + a) * B + bb) * C + c]!);
            }
          }
          out[((i * ga.out + oa) * gb.out + ob) * C + c] = m;
        }
  return { shape: [n, ga.out, gb.out, C], data: out };
}

function fullyConnected(x: NdArray, w: NdArray, b: NdArray | undefined, o: TfliteOperator['options']): NdArray {
  const [outF, inF] = w.shape as [number, number];
  const rows = size(x.shape) / inF;
  const out = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++)
    for (let f = 0; f < outF; f++) {
      let acc = b ? b.data[f]! : 0;
      for (let k = 0; k < inF; k++) acc += x.data[r * inF + k]! * w.data[f * inF + k]!;
      out[r * outF + f] = activate(acc, o.fused_activation_function as string);
    }
  return { shape: [rows, outF], data: out };
}

function activate(v: number, fn: string | undefined): number {
  if (fn === 'RELU') return Math.max(v, 0);
  if (fn === 'RELU6') return Math.min(Math.max(v, 0), 6);
  return v;
}

function broadcast(x: NdArray, y: NdArray, f: (a: number, b: number) => number): NdArray {
  const rank = Math.max(x.shape.length, y.shape.length);
  const xs = [...Array(rank - x.shape.length).fill(1), ...x.shape];
  const ys = [...Array(rank - y.shape.length).fill(1), ...y.shape];
  const shape = xs.map((d, i) => Math.max(d, ys[i]!));
  const out = new Float64Array(size(shape));
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    let rem = i;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    let xi = 0;
    let yi = 0;
    for (let d = 0; d < rank; d++) {
      xi = xi * xs[d]! + (xs[d] === 1 ? 0 : idx[d]!);
      yi = yi * ys[d]! + (ys[d] === 1 ? 0 : idx[d]!);
    }
    out[i] = f(x.data[xi]!, y.data[yi]!);
  }
  return { shape, data: out };
}

function reduceLast(x: NdArray, axes: NdArray, keep: boolean, f: (acc: number, v: number) => number, init: number): NdArray {
  const rank = x.shape.length;
  const axis = axes.data[0]! < 0 ? axes.data[0]! + rank : axes.data[0]!;
  if (axes.data.length !== 1 || axis !== rank - 1) throw new Error('reference: only reductions over the last axis are implemented');
  const inner = x.shape[rank - 1]!;
  const outer = size(x.shape) / inner;
  const out = new Float64Array(outer);
  for (let i = 0; i < outer; i++) {
    let acc = init;
    for (let k = 0; k < inner; k++) acc = f(acc, x.data[i * inner + k]!);
    out[i] = acc;
  }
  return { shape: keep ? [...x.shape.slice(0, -1), 1] : x.shape.slice(0, -1), data: out };
}

function concatenate(parts: NdArray[], axis: number): NdArray {
  const rank = parts[0]!.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  const outer = size(parts[0]!.shape.slice(0, a));
  const inner = size(parts[0]!.shape.slice(a + 1));
  const total = parts.reduce((s, p) => s + p.shape[a]!, 0);
  const out = new Float64Array(outer * total * inner);
  let at = 0;
  for (const p of parts) {
    const n = p.shape[a]!;
    for (let o = 0; o < outer; o++) out.set(p.data.subarray(o * n * inner, (o + 1) * n * inner), (o * total + at) * inner);
    at += n;
  }
  const shape = [...parts[0]!.shape];
  shape[a] = total;
  return { shape, data: out };
}

function unary(x: NdArray, f: (v: number) => number): NdArray {
  return { shape: [...x.shape], data: x.data.map(f) };
}

/** Runs subgraph 0 on `input` (NHWC, any spatial size); returns every tensor by name. */
export function runTfliteReference(model: TfliteModel, input: NdArray): Map<string, NdArray> {
  const sg = model.subgraphs[0]!;
  const values = new Map<number, NdArray>();
  sg.tensors.forEach((t) => t.data && values.set(t.index, { shape: [...t.shape], data: Float64Array.from(t.data) }));
  values.set(sg.inputs[0]!, input);
  for (const op of sg.operators) {
    const v = (k: number) => {
      const t = op.inputs[k]!;
      const value = t >= 0 ? values.get(t) : undefined;
      if (!value && k < 2) throw new Error(`reference: operator ${op.index} (${op.op}) input ${k} has no value`);
      return value!;
    };
    const o = op.options;
    let out: NdArray;
    switch (op.op) {
      case 'CONV_2D': out = conv(v(0), v(1), v(2), o, false); break;
      case 'DEPTHWISE_CONV_2D': out = conv(v(0), v(1), v(2), o, true); break;
      case 'MAX_POOL_2D': out = maxPool(v(0), o); break;
      case 'FULLY_CONNECTED': out = fullyConnected(v(0), v(1), v(2), o); break;
      case 'RELU': out = unary(v(0), (a) => Math.max(a, 0)); break;
      case 'RELU6': out = unary(v(0), (a) => Math.min(Math.max(a, 0), 6)); break;
      case 'NEG': out = unary(v(0), (a) => -a); break;
      case 'EXP': out = unary(v(0), Math.exp); break;
      case 'LOGISTIC': out = unary(v(0), (a) => 1 / (1 + Math.exp(-a))); break;
      case 'ADD': out = broadcast(v(0), v(1), (a, b) => activate(a + b, (o.fused_activation_function as string) ?? 'NONE')); break;
      case 'DEQUANTIZE': out = { shape: [...v(0).shape], data: v(0).data.slice() }; break;
      case 'RESHAPE': {
        // The output tensor's recorded shape, with dim 0 following the input's batch.
        const target = [...sg.tensors[op.outputs[0]!]!.shape];
        target[0] = v(0).shape[0]!;
        out = { shape: target, data: v(0).data.slice() };
        break;
      }
      case 'CONCATENATION': out = concatenate(op.inputs.map((t) => values.get(t)!), Number(o.axis)); break;
      case 'SUB': out = broadcast(v(0), v(1), (a, b) => a - b); break;
      case 'MUL': out = broadcast(v(0), v(1), (a, b) => a * b); break;
      case 'DIV': out = broadcast(v(0), v(1), (a, b) => a / b); break;
      case 'PRELU': out = broadcast(v(0), v(1), (a, b) => (a >= 0 ? a : a * b)); break;
      case 'REDUCE_MAX': out = reduceLast(v(0), v(1), o.keep_dims === true, Math.max, -Infinity); break;
      case 'SUM': out = reduceLast(v(0), v(1), o.keep_dims === true, (acc, a) => acc + a, 0); break;
      case 'SOFTMAX': {
        const x = v(0);
        const mx = reduceLast(x, { shape: [1], data: Float64Array.of(-1) }, true, Math.max, -Infinity);
        const e = broadcast(x, mx, (a, m) => Math.exp(a - m));
        out = broadcast(e, reduceLast(e, { shape: [1], data: Float64Array.of(-1) }, true, (acc, a) => acc + a, 0), (a, s) => a / s);
        break;
      }
      default:
        throw new Error(`reference: TFLite op ${op.op} is not implemented`);
    }
    values.set(op.outputs[0]!, out);
  }
  return new Map([...values].map(([t, value]) => [sg.tensors[t]!.name, value]));
}
