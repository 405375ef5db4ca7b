// Small graphs with seeded random weights, shaped like real detector front ends. Used by the demo
// command, the executor tests and the browser parity test (Node and Chromium build the same graph).
import type { Graph, Weight } from './types.js';

/** mulberry32 PRNG: the same seed gives the same weights in Node and in the browser. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weight(shape: number[], random: () => number, scale: number, offset = 0): Weight {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = offset + scale * (2 * random() - 1);
  return { shape, data };
}

/**
 * A PNet-shaped network (MTCNN stage 1): conv3x3(10)+PReLU, maxpool 2x2 ceil, conv3x3(16)+PReLU,
 * conv3x3(32)+PReLU, then a 1x1 conv to 2 channels + channel softmax (face score) and a 1x1 conv to
 * 4 channels (box regression). Input [batch, 3, height, width]; weights random (seeded).
 */
export function pnetLikeGraph(seed = 12): Graph {
  const r = seededRandom(seed);
  const weights: Record<string, Weight> = {
    'conv1.w': weight([10, 3, 3, 3], r, 0.3), 'conv1.b': weight([10], r, 0.1), 'prelu1.slope': weight([10], r, 0.1, 0.25),
    'conv2.w': weight([16, 10, 3, 3], r, 0.15), 'conv2.b': weight([16], r, 0.1), 'prelu2.slope': weight([16], r, 0.1, 0.25),
    'conv3.w': weight([32, 16, 3, 3], r, 0.1), 'conv3.b': weight([32], r, 0.1), 'prelu3.slope': weight([32], r, 0.1, 0.25),
    'score.w': weight([2, 32, 1, 1], r, 0.3), 'score.b': weight([2], r, 0.1),
    'box.w': weight([4, 32, 1, 1], r, 0.3), 'box.b': weight([4], r, 0.1),
  };
  return {
    name: 'pnet-like',
    inputs: [{ name: 'image', shape: ['batch', 3, 'height', 'width'] }],
    outputs: ['prob', 'box'],
    nodes: [
      { name: 'conv1', op: 'Conv', inputs: ['image', 'conv1.w', 'conv1.b'], outputs: ['c1'] },
      { name: 'prelu1', op: 'PRelu', inputs: ['c1', 'prelu1.slope'], outputs: ['p1'] },
      { name: 'pool1', op: 'MaxPool', inputs: ['p1'], outputs: ['m1'], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } },
      { name: 'conv2', op: 'Conv', inputs: ['m1', 'conv2.w', 'conv2.b'], outputs: ['c2'] },
      { name: 'prelu2', op: 'PRelu', inputs: ['c2', 'prelu2.slope'], outputs: ['p2'] },
      { name: 'conv3', op: 'Conv', inputs: ['p2', 'conv3.w', 'conv3.b'], outputs: ['c3'] },
      { name: 'prelu3', op: 'PRelu', inputs: ['c3', 'prelu3.slope'], outputs: ['p3'] },
      { name: 'score', op: 'Conv', inputs: ['p3', 'score.w', 'score.b'], outputs: ['logits'] },
      { name: 'softmax', op: 'Softmax', inputs: ['logits'], outputs: ['prob'], attrs: { axis: 1 } },
      { name: 'box', op: 'Conv', inputs: ['p3', 'box.w', 'box.b'], outputs: ['box'] },
    ],
    weights,
  };
}

/** Deterministic pseudo-image in [-1, 1] (smooth gradients plus seeded noise). */
export function sampleInput(shape: [number, number, number, number], seed = 7): Float32Array {
  const [n, c, h, w] = shape;
  const r = seededRandom(seed);
  const data = new Float32Array(n * c * h * w);
  let i = 0;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) data[i++] = 0.6 * Math.sin((x + 3 * ch + b) / 5) * Math.cos(y / 7) + 0.4 * (2 * r() - 1);
  return data;
}
