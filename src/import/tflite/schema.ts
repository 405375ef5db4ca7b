// The parts of TensorFlow Lite's schema.fbs (schema version 3) this reader uses: field ids of the
// tables (a FlatBuffer field's vtable slot is its 0-based declaration order, unions take two: the
// type byte, then the value) and the enum values. Names are kept as in schema.fbs.

export const Model = { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4 } as const;
export const OperatorCode = { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 } as const;
export const SubGraph = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 } as const;
export const Tensor = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4 } as const;
export const Operator = { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4 } as const;
export const Buffer = { data: 0, offset: 1, size: 2 } as const;

export const TENSOR_TYPES = ['FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8', 'FLOAT64'] as const;
export const TENSOR_TYPE_BYTES: Readonly<Record<string, number>> = { FLOAT32: 4, FLOAT16: 2, INT32: 4, UINT8: 1, INT64: 8, BOOL: 1, INT16: 2, INT8: 1, FLOAT64: 8 };

/** BuiltinOperator values 0..94, by value. */
export const BUILTIN_OPERATORS = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE', 'DEQUANTIZE',
  'EMBEDDING_LOOKUP', 'FLOOR', 'FULLY_CONNECTED', 'HASHTABLE_LOOKUP', 'L2_NORMALIZATION', 'L2_POOL_2D',
  'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC', 'LSH_PROJECTION', 'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU',
  'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR', 'RNN', 'SOFTMAX', 'SPACE_TO_DEPTH', 'SVDF', 'TANH',
  'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL', 'CUSTOM', 'EMBEDDING_LOOKUP_SPARSE', 'PAD',
  'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER', 'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'TRANSPOSE', 'MEAN', 'SUB',
  'DIV', 'SQUEEZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE', 'BIDIRECTIONAL_SEQUENCE_RNN', 'EXP',
  'TOPK_V2', 'SPLIT', 'LOG_SOFTMAX', 'DELEGATE', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU', 'MAXIMUM',
  'ARG_MAX', 'MINIMUM', 'LESS', 'NEG', 'PADV2', 'GREATER', 'GREATER_EQUAL', 'LESS_EQUAL', 'SELECT', 'SLICE',
  'SIN', 'TRANSPOSE_CONV', 'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL', 'NOT_EQUAL', 'LOG', 'SUM', 'SQRT',
  'RSQRT', 'SHAPE', 'POW', 'ARG_MIN', 'FAKE_QUANT', 'REDUCE_PROD', 'REDUCE_MAX', 'PACK', 'LOGICAL_OR',
  'ONE_HOT', 'LOGICAL_AND', 'LOGICAL_NOT', 'UNPACK', 'REDUCE_MIN', 'FLOOR_DIV', 'REDUCE_ANY', 'SQUARE',
  'ZEROS_LIKE', 'FILL',
] as const;

export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATORS[code] ?? `BUILTIN_${code}`;
}

export const PADDING = ['SAME', 'VALID'] as const;
export const ACTIVATION_FUNCTIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'] as const;

type FieldKind = 'padding' | 'activation' | 'int32' | 'float32' | 'bool' | 'int32s';

/**
 * BuiltinOptions union members this reader decodes: union type value -> table name and fields in
 * declaration order. Options of other union members are reported by name only.
 */
export const BUILTIN_OPTIONS: Readonly<Record<number, { name: string; fields: ReadonlyArray<readonly [string, FieldKind, number?]> }>> = {
  1: { name: 'Conv2DOptions', fields: [['padding', 'padding'], ['stride_w', 'int32'], ['stride_h', 'int32'], ['fused_activation_function', 'activation'], ['dilation_w_factor', 'int32', 1], ['dilation_h_factor', 'int32', 1]] },
  2: { name: 'DepthwiseConv2DOptions', fields: [['padding', 'padding'], ['stride_w', 'int32'], ['stride_h', 'int32'], ['depth_multiplier', 'int32'], ['fused_activation_function', 'activation'], ['dilation_w_factor', 'int32', 1], ['dilation_h_factor', 'int32', 1]] },
  5: { name: 'Pool2DOptions', fields: [['padding', 'padding'], ['stride_w', 'int32'], ['stride_h', 'int32'], ['filter_width', 'int32'], ['filter_height', 'int32'], ['fused_activation_function', 'activation']] },
  8: { name: 'FullyConnectedOptions', fields: [['fused_activation_function', 'activation'], ['weights_format', 'int32'], ['keep_num_dims', 'bool']] },
  9: { name: 'SoftmaxOptions', fields: [['beta', 'float32']] },
  10: { name: 'ConcatenationOptions', fields: [['axis', 'int32'], ['fused_activation_function', 'activation']] },
  11: { name: 'AddOptions', fields: [['fused_activation_function', 'activation']] },
  17: { name: 'ReshapeOptions', fields: [['new_shape', 'int32s']] },
  21: { name: 'MulOptions', fields: [['fused_activation_function', 'activation']] },
  22: { name: 'PadOptions', fields: [] },
  26: { name: 'TransposeOptions', fields: [] },
  27: { name: 'ReducerOptions', fields: [['keep_dims', 'bool']] },
  28: { name: 'SubOptions', fields: [['fused_activation_function', 'activation']] },
  29: { name: 'DivOptions', fields: [['fused_activation_function', 'activation']] },
  30: { name: 'SqueezeOptions', fields: [['squeeze_dims', 'int32s']] },
};
