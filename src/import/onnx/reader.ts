// Reads an ONNX ModelProto (protobuf, decoded with the `onnx-proto` schema and protobufjs) into
// plain objects: graph inputs/outputs with their (possibly symbolic) dims, initializers and Constant
// values as typed arrays, nodes with decoded attributes. Browser-safe; errors name the file.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type OnnxAttr = number | string | number[] | string[] | OnnxTensor;

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** ONNX TensorProto.DataType name (FLOAT, INT64, ...). */
  type: string;
  /** FLOAT/DOUBLE -> Float32Array/Float64Array; integer types -> number[] (int64 converted exactly or failing). */
  data: Float32Array | Float64Array | number[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, OnnxAttr>;
}

export interface OnnxValueInfo {
  name: string;
  /** Fixed sizes as numbers, symbolic ones as their names (or '?' when unnamed). */
  dims: Array<number | string>;
  type: string;
}

export interface OnnxModel {
  file: string;
  irVersion: number;
  opset: number;
  producer: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: Map<string, OnnxTensor>;
  nodes: OnnxNode[];
}

export class OnnxFormatError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: not a valid ONNX model: ${detail}`);
    this.name = 'OnnxFormatError';
  }
}

const DATA_TYPES: Record<number, string> = { 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64' };

function toNumber(v: number | { toNumber(): number } | { low: number; high: number } | bigint | string, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return Number(v);
  if ('toNumber' in v) {
    const n = v.toNumber();
    if (!Number.isSafeInteger(n)) throw new Error(`${what}: integer ${String(v)} does not fit a JavaScript number`);
    return n;
  }
  return v.high * 2 ** 32 + (v.low >>> 0);
}

function tensor(t: onnxProto.onnx.ITensorProto, file: string): OnnxTensor {
  const name = t.name ?? '';
  const dims = (t.dims ?? []).map((d) => toNumber(d as number, `tensor '${name}' dims`));
  const type = DATA_TYPES[t.dataType ?? 0] ?? `TYPE_${t.dataType}`;
  const count = dims.reduce((a, b) => a * b, 1);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new OnnxFormatError(file, `tensor '${name}' keeps its data in an external file, which is not supported`);
  const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const bytesPer: Record<string, number> = { FLOAT: 4, DOUBLE: 8, INT64: 8, INT32: 4, UINT8: 1, INT8: 1, BOOL: 1 };
  if (view && bytesPer[type] !== undefined && view.byteLength !== count * bytesPer[type]!) {
    throw new OnnxFormatError(file, `tensor '${name}' [${dims}] ${type} has ${view.byteLength} bytes of data, needs ${count * bytesPer[type]!}`);
  }
  let data: OnnxTensor['data'];
  switch (type) {
    case 'FLOAT':
      data = view ? Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true)) : Float32Array.from(t.floatData ?? []);
      break;
    case 'DOUBLE':
      data = view ? Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true)) : Float64Array.from(t.doubleData ?? []);
      break;
    case 'INT64':
      data = view
        ? Array.from({ length: count }, (_, i) => toNumber(view.getBigInt64(8 * i, true), `tensor '${name}'`))
        : (t.int64Data ?? []).map((v) => toNumber(v as number, `tensor '${name}'`));
      break;
    case 'INT32':
    case 'INT8':
    case 'UINT8':
    case 'BOOL':
      data = view ? Array.from({ length: count }, (_, i) => (type === 'INT32' ? view.getInt32(4 * i, true) : type === 'INT8' ? view.getInt8(i) : view.getUint8(i))) : [...(t.int32Data ?? [])];
      break;
    default:
      throw new OnnxFormatError(file, `tensor '${name}' has data type ${type}, which is not supported (FLOAT, DOUBLE, INT64, INT32, INT8, UINT8, BOOL)`);
  }
  if (data.length !== count) throw new OnnxFormatError(file, `tensor '${name}' [${dims}] holds ${data.length} values, needs ${count}`);
  return { name, dims, type, data };
}

function attribute(a: onnxProto.onnx.IAttributeProto, file: string): OnnxAttr {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return toNumber((a.i ?? 0) as number, `attribute '${a.name}'`);
    case T.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.INTS: return (a.ints ?? []).map((v) => toNumber(v as number, `attribute '${a.name}'`));
    case T.STRINGS: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    case T.TENSOR: return tensor(a.t!, file);
    default: throw new OnnxFormatError(file, `attribute '${a.name}' has type ${a.type} (graphs and sparse tensors are not supported)`);
  }
}

function valueInfo(v: onnxProto.onnx.IValueInfoProto): OnnxValueInfo {
  const tt = v.type?.tensorType;
  return {
    name: v.name ?? '',
    type: DATA_TYPES[tt?.elemType ?? 0] ?? `TYPE_${tt?.elemType}`,
    dims: (tt?.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && toNumber(d.dimValue as number, 'dim') > 0 ? toNumber(d.dimValue as number, 'dim') : d.dimParam || '?')),
  };
}

export function readOnnx(bytes: Uint8Array, file: string): OnnxModel {
  let m: onnxProto.onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new OnnxFormatError(file, `protobuf decoding failed (${(err as Error).message}); truncated or not an ONNX file?`);
  }
  const g = m.graph;
  if (!g || !g.node?.length) throw new OnnxFormatError(file, 'the model has no graph or no nodes');
  const opset = m.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx');
  const initializedNames = new Set((g.initializer ?? []).map((t) => t.name));
  return {
    file,
    irVersion: toNumber((m.irVersion ?? 0) as number, 'ir_version'),
    opset: opset ? toNumber(opset.version as number, 'opset') : 0,
    producer: `${m.producerName ?? ''} ${m.producerVersion ?? ''}`.trim(),
    // Initializers may also be listed as inputs (old exporters): those are not real inputs.
    inputs: (g.input ?? []).filter((i) => !initializedNames.has(i.name)).map(valueInfo),
    outputs: (g.output ?? []).map(valueInfo),
    initializers: new Map((g.initializer ?? []).map((t) => [t.name ?? '', tensor(t, file)])),
    nodes: g.node.map((n, i) => ({
      name: n.name || `${n.opType}_${i}`,
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attrs: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attribute(a, file)])),
    })),
  };
}
