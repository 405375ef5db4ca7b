// Reads a TensorFlow Lite model (.tflite FlatBuffer) into plain objects: tensors with their
// constant data, operators with decoded options. Browser-safe (takes bytes); errors name the file
// and what is wrong with it.
import { halfToFloat } from '../tfjs/weights.js';
import { ownBuffer } from '../bytes.js';
import { FlatBufferError, FlatTable } from './flat-table.js';
import * as S from './schema.js';

export type TfliteOptions = Record<string, string | number | boolean | number[]>;

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: string;
  /** Constant contents (weights; FLOAT16 ones decoded to float32), or undefined for activations. */
  data?: Float32Array | Int32Array;
}

export interface TfliteOperator {
  index: number;
  /** BuiltinOperator name (CONV_2D, PRELU, ...) or 'CUSTOM:<code>'. */
  op: string;
  inputs: number[];
  outputs: number[];
  /** Name of the decoded BuiltinOptions table ('' when none). */
  optionsType: string;
  options: TfliteOptions;
}

export interface TfliteSubgraph {
  name: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

export interface TfliteModel {
  file: string;
  version: number;
  description: string;
  subgraphs: TfliteSubgraph[];
}

export class TfliteFormatError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: not a valid TFLite model: ${detail}`);
    this.name = 'TfliteFormatError';
  }
}

export function readTflite(bytes: Uint8Array, file: string): TfliteModel {
  try {
    return parse(bytes, file);
  } catch (err) {
    if (err instanceof FlatBufferError) throw new TfliteFormatError(file, err.message);
    throw err;
  }
}

function parse(bytes: Uint8Array, file: string): TfliteModel {
  const model = FlatTable.root(bytes, 'TFL3', 'Model');
  const version = model.uint32(S.Model.version);
  if (version !== 3) throw new TfliteFormatError(file, `schema version ${version}, this reader knows version 3`);
  const codes = model.tables(S.Model.operator_codes, 'OperatorCode').map((t) => {
    // Since schema 2.3 the code is an int32 field; the old int8 field stays for small values.
    const code = Math.max(t.int8(S.OperatorCode.deprecated_builtin_code), t.int32(S.OperatorCode.builtin_code));
    return code === 32 ? `CUSTOM:${t.string(S.OperatorCode.custom_code) ?? ''}` : S.builtinOperatorName(code);
  });
  const buffers = model.tables(S.Model.buffers, 'Buffer').map((b, i) => {
    const inline = b.bytes(S.Buffer.data);
    if (inline && inline.length) return inline;
    const offset = b.uint64(S.Buffer.offset);
    const size = b.uint64(S.Buffer.size);
    if (size === 0) return undefined;
    if (offset + size > bytes.length) throw new TfliteFormatError(file, `buffer ${i} (${size} bytes at ${offset}) runs past the end of the ${bytes.length}-byte file (truncated?)`);
    return bytes.subarray(offset, offset + size);
  });
  const subgraphs = model.tables(S.Model.subgraphs, 'SubGraph').map((g, gi) => {
    const tensors = g.tables(S.SubGraph.tensors, 'Tensor').map((t, index): TfliteTensor => {
      const typeCode = t.int8(S.Tensor.type);
      const type = S.TENSOR_TYPES[typeCode] ?? `TYPE_${typeCode}`;
      const shape = t.int32s(S.Tensor.shape);
      const name = t.string(S.Tensor.name) ?? `tensor ${index}`;
      const bufferIndex = t.uint32(S.Tensor.buffer);
      if (bufferIndex >= buffers.length && buffers.length > 0) {
        throw new TfliteFormatError(file, `subgraph ${gi} tensor '${name}' refers to buffer ${bufferIndex}, the model has ${buffers.length}`);
      }
      const raw = buffers[bufferIndex];
      return { index, name, shape, type, data: raw && decodeData(raw, type, shape, name, file) };
    });
    const check = (list: number[], what: string) => {
      const bad = list.find((i) => i < -1 || i >= tensors.length);
      if (bad !== undefined) throw new TfliteFormatError(file, `subgraph ${gi} ${what} refers to tensor ${bad}, the subgraph has ${tensors.length}`);
      return list;
    };
    const operators = g.tables(S.SubGraph.operators, 'Operator').map((o, index): TfliteOperator => {
      const opcode = o.uint32(S.Operator.opcode_index);
      const op = codes[opcode];
      if (op === undefined) throw new TfliteFormatError(file, `operator ${index} uses opcode ${opcode}, the model lists ${codes.length}`);
      const optionsCode = o.uint8(S.Operator.builtin_options_type);
      const spec = S.BUILTIN_OPTIONS[optionsCode];
      const table = o.table(S.Operator.builtin_options, 'builtin_options');
      const options: TfliteOptions = {};
      if (spec && table) {
        spec.fields.forEach(([fieldName, kind, fallback], slot) => {
          if (kind === 'padding') options[fieldName] = S.PADDING[table.int8(slot)] ?? `PADDING_${table.int8(slot)}`;
          else if (kind === 'activation') options[fieldName] = S.ACTIVATION_FUNCTIONS[table.int8(slot)] ?? `ACTIVATION_${table.int8(slot)}`;
          else if (kind === 'int32') options[fieldName] = table.int32(slot, fallback ?? 0);
          else if (kind === 'float32') options[fieldName] = table.float32(slot, fallback ?? 0);
          else if (kind === 'bool') options[fieldName] = table.bool(slot);
          else options[fieldName] = table.int32s(slot);
        });
      }
      return {
        index,
        op,
        inputs: check(o.int32s(S.Operator.inputs), `operator ${index} inputs`),
        outputs: check(o.int32s(S.Operator.outputs), `operator ${index} outputs`),
        optionsType: spec?.name ?? (optionsCode ? `BuiltinOptions_${optionsCode}` : ''),
        options,
      };
    });
    return {
      name: g.string(S.SubGraph.name) ?? '',
      tensors,
      inputs: check(g.int32s(S.SubGraph.inputs), 'inputs'),
      outputs: check(g.int32s(S.SubGraph.outputs), 'outputs'),
      operators,
    };
  });
  if (subgraphs.length === 0) throw new TfliteFormatError(file, 'the model has no subgraph');
  return { file, version, description: model.string(S.Model.description) ?? '', subgraphs };
}

function decodeData(raw: Uint8Array, type: string, shape: number[], name: string, file: string): Float32Array | Int32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const bytesPer = S.TENSOR_TYPE_BYTES[type];
  if (type !== 'FLOAT32' && type !== 'INT32' && type !== 'FLOAT16') {
    throw new TfliteFormatError(file, `tensor '${name}' holds ${type} data; this reader takes FLOAT32, FLOAT16 and INT32 constants (quantized models are not supported)`);
  }
  if (raw.length !== count * bytesPer!) {
    throw new TfliteFormatError(file, `tensor '${name}' of shape [${shape.join(', ')}] ${type} needs ${count * bytesPer!} bytes, its buffer has ${raw.length}`);
  }
  // Copy: the file's bytes need not be 4-byte aligned for a typed-array view.
  const copy = ownBuffer(raw);
  if (type === 'FLOAT16') {
    const halves = new Uint16Array(copy);
    return Float32Array.from(halves, halfToFloat);
  }
  return type === 'FLOAT32' ? new Float32Array(copy) : new Int32Array(copy);
}
