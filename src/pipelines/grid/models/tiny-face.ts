// TinyFaceDetector (face-api.js, @vladmandic/face-api 1.7.15, MIT) as a grid model, built as that
// library builds it (src/tinyFaceDetector/TinyFaceDetector.ts, src/tinyYolov2/TinyYolov2Base.ts):
//   network  conv0 3x3 'valid' + bias, leaky 0.1, maxpool 2x2/2 'same'; conv1..conv5 separable
//            (pad 1, depthwise 3x3, pointwise 1x1 + bias), leaky 0.1, maxpool 2x2 'same' (stride 2
//            after conv1..4, 1 after conv5); conv8 1x1 + bias -> 13 x 13 x 5 x (4 + 1) at 416.
//   input    padded at the right/bottom to a square (zeros), tf.image.resizeBilinear to inputSize
//            (align_corners = false, half_pixel_centers = false), minus the mean RGB
//            (117.001, 114.697, 97.404), divided by 255.
//   decode   Tiny-YOLOv2: 5 anchors, sigmoid(score) > scoreThreshold (0.5), boxes corrected by
//            inputSize / round(size * inputSize / max(width, height)) per axis.
//   nms      greedy, IoU 0.4 (suppressed when IoU > 0.4), no limit on the count.
// inputSize: any multiple of 32 (face-api.js's check); 224..608 are the sizes it documents.
import type { Graph, GraphNode, Weight } from '../../../graph/types.js';
import type { TfjsTensor } from '../../../import/tfjs/weights.js';
import type { GridModel } from '../types.js';

export const TINY_FACE_ANCHORS: Array<[number, number]> = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];

export const TINY_FACE_MEAN_RGB: [number, number, number] = [117.001, 114.697, 97.404];

export class TinyFaceModelError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'TinyFaceModelError';
  }
}

/** tfjs HWIO [kh, kw, in, out] -> OIHW; depthwise [kh, kw, c, 1] -> [c, 1, kh, kw]. */
function toOihw(t: TfjsTensor, depthwise: boolean): Weight {
  const [kh, kw, ci, co] = t.shape as [number, number, number, number];
  const out = depthwise ? ci : co;
  const inPer = depthwise ? 1 : ci;
  const data = new Float32Array(t.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) {
          const src = ((y * kw + x) * ci + i) * co + o;
          const [oc, ic] = depthwise ? [i, 0] : [o, i];
          data[((oc * inPer + ic) * kh + y) * kw + x] = t.data[src]!;
        }
  return { shape: [out, inPer, kh, kw], data };
}

export function tinyFaceGraph(weights: ReadonlyMap<string, TfjsTensor>, file: string): Graph {
  const need = (name: string, rank: number): TfjsTensor => {
    const t = weights.get(name);
    if (!t) throw new TinyFaceModelError(file, `tensor '${name}' is missing (a TinyFaceDetector manifest has conv0, conv1..conv5 separable, conv8)`);
    if (t.shape.length !== rank) throw new TinyFaceModelError(file, `tensor '${name}' has shape [${t.shape}], expected rank ${rank}`);
    return t;
  };
  const nodes: GraphNode[] = [];
  const graphWeights: Record<string, Weight> = {};
  const weight = (name: string, w: Weight) => ((graphWeights[name] = w), name);
  const leaky = (x: string, name: string) => (nodes.push({ name, op: 'LeakyRelu', inputs: [x], outputs: [name], attrs: { alpha: 0.1 } }), name);
  const pool = (x: string, name: string, stride: number) => (nodes.push({ name, op: 'MaxPool', inputs: [x], outputs: [name], attrs: { kernel_shape: [2, 2], strides: [stride, stride], auto_pad: 'SAME_UPPER' } }), name);
  const conv = (x: string, name: string, w: Weight, bias: TfjsTensor | undefined, attrs: Record<string, unknown>) => {
    const inputs = [x, weight(`${name}/filters`, w)];
    if (bias) inputs.push(weight(`${name}/bias`, { shape: [...bias.shape], data: bias.data }));
    nodes.push({ name, op: 'Conv', inputs, outputs: [name], attrs });
    return name;
  };
  let x = 'input';
  x = leaky(conv(x, 'conv0', toOihw(need('conv0/filters', 4), false), need('conv0/bias', 1), {}), 'conv0/leaky');
  x = pool(x, 'pool0', 2);
  for (let i = 1; i <= 5; i++) {
    const dw = toOihw(need(`conv${i}/depthwise_filter`, 4), true);
    x = conv(x, `conv${i}/depthwise`, dw, undefined, { group: dw.shape[0], pads: [1, 1, 1, 1] });
    x = leaky(conv(x, `conv${i}/pointwise`, toOihw(need(`conv${i}/pointwise_filter`, 4), false), need(`conv${i}/bias`, 1), {}), `conv${i}/leaky`);
    x = pool(x, `pool${i}`, i < 5 ? 2 : 1);
  }
  conv(x, 'conv8', toOihw(need('conv8/filters', 4), false), need('conv8/bias', 1), {});
  const head = graphWeights['conv8/filters']!.shape[0];
  if (head !== TINY_FACE_ANCHORS.length * 5) throw new TinyFaceModelError(file, `conv8 has ${head} outputs, a one-class TinyFaceDetector has ${TINY_FACE_ANCHORS.length * 5}`);
  return { name: 'tiny-face', inputs: [{ name: 'input', shape: ['batch', 3, 'height', 'width'] }], outputs: ['conv8'], nodes, weights: graphWeights };
}

export function tinyFaceModel(graph: Graph, source?: string): GridModel {
  return {
    name: 'tiny-face',
    graph,
    head: 'conv8',
    spec: { kind: 'yolo', anchors: TINY_FACE_ANCHORS, classes: 0 },
    labels: ['face'],
    source,
    defaults: {
      inputWidth: 416,
      inputHeight: 416,
      placement: 'pad',
      sampling: 'asymmetric',
      scale: 1,
      mean: [...TINY_FACE_MEAN_RGB],
      std: [255, 255, 255],
      channelOrder: 'rgb',
      pad: [0, 0, 0],
      conf: 0.5,
      inclusive: false,
      iou: 0.4,
      nms: 'greedy',
      softMethod: 'linear',
      sigma: 0.5,
      maxDet: 2048,
      agnostic: true,
      multiLabel: false,
      maxCandidates: 8192,
    },
    checkInput: (w, h) => (w !== h || w % 32 !== 0 ? `inputSize must be square and a multiple of 32 (224..608 documented), got ${w}x${h}` : undefined),
  };
}
