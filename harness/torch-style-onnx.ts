// Writes the grid detector of our YOLO-like user as torch.onnx.export writes it (there is no
// PyTorch here): input [1, 3, 416, 416]; nine 3x3 convolutions without bias (strides 2, 1, 2, 1, 2,
// 1, 2, 1, 1: a native 26 x 26 grid), each followed by BatchNormalization and LeakyRelu(0.1); a
// 1x1 conv 512 -> 5 with bias, Sigmoid, and F.interpolate(size=(S, S), mode='bilinear',
// align_corners=False) as Resize(mode linear, coordinate_transformation_mode pytorch_half_pixel)
// whose output size is computed by a Shape -> Gather -> Unsqueeze -> Concat -> Cast subgraph (or
// given as constant scales). Opsets 11..17 differ as the exporter's do: Unsqueeze takes its axes
// as an attribute before 13 and as an input from 13; Resize's unused roi is an empty Constant
// before 13 and an empty name from 13. Weights are deterministic (seeded).
// Run: npm run fixtures:onnx -- --out model.onnx [--opset 13] [--grid 26] [--form sizes|scales]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const T = onnx.AttributeProto.AttributeType;
const FLOAT = 1;
const INT64 = 7;

export interface TorchStyleOptions {
  opset: number;
  /** S of the resize (26: the native grid, kept as an identity resize like torch does). */
  grid: number;
  /** 'sizes': the computed-size subgraph (F.interpolate(size=...)); 'scales': constant scales (scale_factor=...). */
  form: 'sizes' | 'scales';
  seed: number;
  /** Channels of the backbone convs (the user's: 16, 32, 64, 64, 128, 128, 256, 256, 512). */
  channels?: number[];
  inputSize?: number;
}

const STRIDES = [2, 1, 2, 1, 2, 1, 2, 1, 1];
export const USER_CHANNELS = [16, 32, 64, 64, 128, 128, 256, 256, 512];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function torchStyleGridModel(o: TorchStyleOptions): Uint8Array {
  const random = mulberry32(o.seed);
  const channels = o.channels ?? USER_CHANNELS;
  const size = o.inputSize ?? 416;
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const nodes: onnxProto.onnx.INodeProto[] = [];
  let counter = 0;
  const floats = (name: string, dims: number[], f: (i: number) => number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, i) => f(i));
    initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) });
    return name;
  };
  const node = (op: string, inputs: string[], attrs: onnxProto.onnx.IAttributeProto[] = [], output = `${op.toLowerCase()}_${counter++}`) => {
    nodes.push({ opType: op, name: `/${op}_${counter}`, input: inputs, output: [output], attribute: attrs });
    return output;
  };
  const constant = (tensor: onnxProto.onnx.ITensorProto) => node('Constant', [], [{ name: 'value', type: T.TENSOR, t: tensor }]);
  const ints = (name: string, v: number[]): onnxProto.onnx.IAttributeProto => ({ name, type: T.INTS, ints: v });
  const int = (name: string, v: number): onnxProto.onnx.IAttributeProto => ({ name, type: T.INT, i: v });
  const float = (name: string, v: number): onnxProto.onnx.IAttributeProto => ({ name, type: T.FLOAT, f: v });
  const str = (name: string, v: string): onnxProto.onnx.IAttributeProto => ({ name, type: T.STRING, s: new TextEncoder().encode(v) });

  let x = 'input';
  let c = 3;
  channels.forEach((out, i) => {
    // He-style init keeps activations in range through the nine layers.
    const fan = c * 9;
    const w = floats(`backbone.${i}.conv.weight`, [out, c, 3, 3], () => (random() * 2 - 1) * Math.sqrt(3 / fan));
    const conv = node('Conv', [x, w], [ints('dilations', [1, 1]), int('group', 1), ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [STRIDES[i]!, STRIDES[i]!])]);
    const bn = node(
      'BatchNormalization',
      [
        conv,
        floats(`backbone.${i}.bn.weight`, [out], () => 0.8 + 0.4 * random()),
        floats(`backbone.${i}.bn.bias`, [out], () => 0.2 * random() - 0.1),
        floats(`backbone.${i}.bn.running_mean`, [out], () => 0.2 * random() - 0.1),
        floats(`backbone.${i}.bn.running_var`, [out], () => 0.5 + random()),
      ],
      [float('epsilon', 1e-5), float('momentum', 0.9)],
    );
    x = node('LeakyRelu', [bn], [float('alpha', 0.1)]);
    c = out;
  });
  // A wider head spread than the backbone's, so that scores and offsets cover (0, 1).
  const head = node('Conv', [x, floats('head.weight', [5, c, 1, 1], () => (random() * 2 - 1) * 4 * Math.sqrt(3 / c)), floats('head.bias', [5], () => 0.3 * random() - 0.15)], [ints('dilations', [1, 1]), int('group', 1), ints('kernel_shape', [1, 1]), ints('pads', [0, 0, 0, 0]), ints('strides', [1, 1])]);
  const sig = node('Sigmoid', [head]);
  // F.interpolate: the Resize node's inputs as the exporter writes them.
  const emptyRoi = o.opset < 13 ? constant({ dims: [0], dataType: FLOAT, rawData: new Uint8Array(0) }) : '';
  let resizeInputs: string[];
  if (o.form === 'scales') {
    const native = size / 16;
    const scales = constant({ dims: [4], dataType: FLOAT, rawData: new Uint8Array(Float32Array.of(1, 1, o.grid / native, o.grid / native).buffer) });
    resizeInputs = [sig, emptyRoi, scales];
  } else {
    const shape = node('Shape', [sig]);
    const dims = [0, 1].map((axis) => {
      const index = constant({ dims: [], dataType: INT64, int64Data: [axis] });
      const gathered = node('Gather', [shape, index], [int('axis', 0)]);
      return o.opset < 13 ? node('Unsqueeze', [gathered], [ints('axes', [0])]) : node('Unsqueeze', [gathered, constant({ dims: [1], dataType: INT64, int64Data: [0] })]);
    });
    const target = constant({ dims: [2], dataType: INT64, int64Data: [o.grid, o.grid] });
    const concat = node('Concat', [...dims, target], [int('axis', 0)]);
    const cast = node('Cast', [concat], [int('to', INT64)]);
    const emptyScales = o.opset < 13 ? constant({ dims: [0], dataType: FLOAT, rawData: new Uint8Array(0) }) : '';
    resizeInputs = [sig, emptyRoi, emptyScales, cast];
  }
  node('Resize', resizeInputs, [str('coordinate_transformation_mode', 'pytorch_half_pixel'), float('cubic_coeff_a', -0.75), str('mode', 'linear'), str('nearest_mode', 'floor')], 'output');
  // torch.onnx.export names the output after the module output; an Identity often sits before it.
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'main_graph',
    node: nodes,
    initializer: initializers,
    input: [{ name: 'input', type: { tensorType: { elemType: FLOAT, shape: { dim: [1, 3, size, size].map((d) => ({ dimValue: d })) } } } }],
    output: [{ name: 'output', type: { tensorType: { elemType: FLOAT, shape: { dim: [1, 5, o.grid, o.grid].map((d) => ({ dimValue: d })) } } } }],
  };
  return onnx.ModelProto.encode({ irVersion: o.opset >= 14 ? 8 : 7, producerName: 'pytorch', producerVersion: '2.1.0', opsetImport: [{ domain: '', version: o.opset }], graph }).finish();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'grid-model.onnx' }, opset: { type: 'string', default: '13' }, grid: { type: 'string', default: '26' }, form: { type: 'string', default: 'sizes' }, seed: { type: 'string', default: '1' } } });
  const bytes = torchStyleGridModel({ opset: Number(values.opset), grid: Number(values.grid), form: values.form as 'sizes' | 'scales', seed: Number(values.seed) });
  writeFileSync(values.out!, bytes);
  console.log(`${values.out}: torch-style grid model, opset ${values.opset}, resize to ${values.grid}x${values.grid} (${values.form}), ${bytes.length} bytes`);
}
