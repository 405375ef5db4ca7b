// Load-time graph rewrites: fold BatchNormalization into the preceding Conv's weights, and fuse an
// activation into the preceding Conv/Gemm. Both only fire when the intermediate tensor has no other
// reader and is not a graph output, so the rewritten graph computes the same function.
import { activationFromAttrs, ACTIVATION_TYPES, type ActivationType } from '../ops/activation.js';
import { numberAttr, sizeOf } from '../ops/tensor-utils.js';
import type { Graph, GraphNode, Weight } from './types.js';

export interface OptimizeReport {
  graph: Graph;
  /** One line per rewrite, e.g. "folded BatchNormalization 'bn1' into Conv 'conv1'". */
  rewrites: string[];
}

function readers(graph: Graph, tensor: string): GraphNode[] {
  return graph.nodes.filter((n) => n.inputs.includes(tensor));
}

/** The single Conv/Gemm producing `tensor` if its result goes nowhere else. */
function soleProducer(graph: Graph, tensor: string, ops: string[]): GraphNode | undefined {
  const producer = graph.nodes.find((n) => n.outputs.includes(tensor));
  if (!producer || !ops.includes(producer.op)) return undefined;
  if (readers(graph, tensor).length !== 1 || graph.outputs.includes(tensor)) return undefined;
  return producer;
}

export function foldBatchNorms(input: Graph): OptimizeReport {
  const graph: Graph = { ...input, nodes: [...input.nodes], weights: { ...input.weights } };
  const rewrites: string[] = [];
  for (const bn of input.nodes.filter((n) => n.op === 'BatchNormalization')) {
    const conv = soleProducer(graph, bn.inputs[0]!, ['Conv', 'ConvTranspose']);
    const params = bn.inputs.slice(1).map((t) => graph.weights[t]);
    if (!conv || params.some((p) => !p) || conv.attrs?.activation !== undefined) continue;
    const [scale, shift, mean, variance] = params as Weight[];
    const epsilon = numberAttr(bn.attrs?.epsilon, 'epsilon', 1e-5);
    const s = Float32Array.from(scale!.data, (v, o) => v / Math.sqrt(variance!.data[o]! + epsilon));
    const t = Float32Array.from(shift!.data, (v, o) => v - mean!.data[o]! * s[o]!);
    const folded = scaleConvOutput(graph, conv, s, t, bn.name);
    if (!folded) continue;
    graph.nodes[graph.nodes.indexOf(conv)] = { ...folded, outputs: bn.outputs };
    graph.nodes.splice(graph.nodes.indexOf(bn), 1);
    rewrites.push(`folded BatchNormalization '${bn.name}' into ${conv.op} '${conv.name}'`);
  }
  return { graph: dropUnusedWeights(graph), rewrites };
}

/**
 * `conv` with its output channels mapped y -> s * y + t (per channel), as a new node with new
 * weights; undefined if the weights are not constants or the layout is not supported.
 */
function scaleConvOutput(graph: Graph, conv: GraphNode, s: Float32Array, t: Float32Array, tag: string): GraphNode | undefined {
  const w = graph.weights[conv.inputs[1]!];
  if (!w || (conv.inputs[2] && !graph.weights[conv.inputs[2]])) return undefined;
  const transposed = conv.op === 'ConvTranspose';
  if (transposed && Number(conv.attrs?.group ?? 1) !== 1) return undefined;
  const m = transposed ? w.shape[1]! : w.shape[0]!;
  if (s.length !== m || t.length !== m) return undefined;
  const weights = new Float32Array(w.data.length);
  if (transposed) {
    // [C, M, kh, kw]: output channel is dim 1.
    const inner = w.shape[2]! * w.shape[3]!;
    for (let i = 0; i < w.data.length; i++) weights[i] = w.data[i]! * s[Math.floor(i / inner) % m]!;
  } else {
    const perOut = sizeOf(w.shape) / m;
    for (let i = 0; i < w.data.length; i++) weights[i] = w.data[i]! * s[Math.floor(i / perOut)]!;
  }
  const oldBias = conv.inputs[2] ? graph.weights[conv.inputs[2]]!.data : new Float32Array(m);
  const bias = Float32Array.from(oldBias, (b, o) => b * s[o]! + t[o]!);
  const wName = `${conv.name}/W+${tag}`;
  const bName = `${conv.name}/B+${tag}`;
  graph.weights[wName] = { shape: w.shape, data: weights };
  graph.weights[bName] = { shape: [m], data: bias };
  return { ...conv, inputs: [conv.inputs[0]!, wName, bName, ...conv.inputs.slice(3)] };
}

/** Output channels of a Conv/ConvTranspose from its weight shape. */
function convChannels(graph: Graph, conv: GraphNode): number | undefined {
  const w = graph.weights[conv.inputs[1]!];
  if (!w) return undefined;
  return conv.op === 'ConvTranspose' ? w.shape[1]! * Number(conv.attrs?.group ?? 1) : w.shape[0]!;
}

/** A constant broadcasting per channel over [N, M, H, W] ([], [1], [M, 1, 1], [1, M, 1, 1]...), expanded to M values. */
function perChannel(weight: Weight | undefined, m: number): Float32Array | undefined {
  if (!weight || weight.shape.length > 4) return undefined;
  const dims = [...Array(4 - weight.shape.length).fill(1), ...weight.shape];
  if (dims[0] !== 1 || dims[2] !== 1 || dims[3] !== 1 || (dims[1] !== 1 && dims[1] !== m)) return undefined;
  return dims[1] === 1 ? new Float32Array(m).fill(weight.data[0]!) : Float32Array.from(weight.data);
}

/**
 * Applies `rewrite` to one node at a time (it returns a description, having changed `graph`, or
 * undefined) until no node matches: a rewrite may enable another on the same node (Conv -> Mul ->
 * Add folds twice).
 */
function rewriteUntilStable(input: Graph, rewrite: (graph: Graph, node: GraphNode) => string | undefined): OptimizeReport {
  let graph: Graph = { ...input, nodes: [...input.nodes], weights: { ...input.weights } };
  const rewrites: string[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of graph.nodes) {
      const done = rewrite(graph, node);
      if (done === undefined) continue;
      rewrites.push(done);
      graph = dropUnusedWeights(graph);
      changed = true;
      break;
    }
  }
  return { graph, rewrites };
}

/**
 * Conv/ConvTranspose (no fused activation) followed by Mul/Div/Add/Sub with a per-channel constant:
 * folded into the weights and bias (PP-OCR's exported graphs scale and shift after every conv).
 */
export function foldConvAffine(input: Graph): OptimizeReport {
  return rewriteUntilStable(input, (graph, op) => {
    if (!['Mul', 'Div', 'Add', 'Sub'].includes(op.op)) return undefined;
    const constSide = op.inputs.findIndex((t) => graph.weights[t] !== undefined);
    if (constSide < 0 || (constSide === 0 && (op.op === 'Sub' || op.op === 'Div'))) return undefined;
    const conv = soleProducer(graph, op.inputs[1 - constSide]!, ['Conv', 'ConvTranspose']);
    if (!conv || conv.attrs?.activation !== undefined) return undefined;
    const m = convChannels(graph, conv);
    const c = m === undefined ? undefined : perChannel(graph.weights[op.inputs[constSide]!], m);
    if (!c) return undefined;
    const ones = new Float32Array(m!).fill(1);
    const zeros = new Float32Array(m!);
    const [s, t] =
      op.op === 'Mul' ? [c, zeros] : op.op === 'Div' ? [c.map((v) => 1 / v), zeros] : op.op === 'Add' ? [ones, c] : [ones, c.map((v) => -v)];
    const folded = scaleConvOutput(graph, conv, s, t, op.name);
    if (!folded) return undefined;
    graph.nodes[graph.nodes.indexOf(conv)] = { ...folded, outputs: op.outputs };
    graph.nodes.splice(graph.nodes.indexOf(op), 1);
    return `folded ${op.op} '${op.name}' (constant) into ${conv.op} '${conv.name}'`;
  });
}

function scalarConstant(graph: Graph, tensor: string): number | undefined {
  const w = graph.weights[tensor];
  return w && w.data.length === 1 ? w.data[0] : undefined;
}

/** x * clip(x + 3, 0, 6) / 6 (how Paddle exports hardswish) -> HardSwish(x). */
export function collapseHardSwish(input: Graph): OptimizeReport {
  const graph: Graph = { ...input, nodes: [...input.nodes], weights: { ...input.weights } };
  const rewrites: string[] = [];
  const producerOf = (t: string) => graph.nodes.find((n) => n.outputs.includes(t));
  const single = (t: string) => readers(graph, t).length === 1 && !graph.outputs.includes(t);
  for (const div of input.nodes) {
    if (div.op !== 'Div' || scalarConstant(graph, div.inputs[1]!) !== 6) continue;
    const mul = producerOf(div.inputs[0]!);
    if (mul?.op !== 'Mul' || !single(mul.outputs[0]!)) continue;
    for (const side of [0, 1]) {
      const clip = producerOf(mul.inputs[side]!);
      const x = mul.inputs[1 - side]!;
      if (clip?.op !== 'Clip' || Number(clip.attrs?.min) !== 0 || Number(clip.attrs?.max) !== 6 || !single(clip.outputs[0]!)) continue;
      const add = producerOf(clip.inputs[0]!);
      if (add?.op !== 'Add' || !single(add.outputs[0]!)) continue;
      const addConst = add.inputs.findIndex((t) => scalarConstant(graph, t) === 3);
      if (addConst < 0 || add.inputs[1 - addConst] !== x) continue;
      const hs: GraphNode = { name: `${div.name}/hardswish`, op: 'HardSwish', inputs: [x], outputs: div.outputs };
      graph.nodes[graph.nodes.indexOf(div)] = hs;
      for (const dead of [mul, clip, add]) graph.nodes.splice(graph.nodes.indexOf(dead), 1);
      rewrites.push(`collapsed Add/Clip/Mul/Div '${div.name}' into HardSwish`);
      break;
    }
  }
  return { graph: dropUnusedWeights(graph), rewrites };
}

/** Scalar Mul/Add right after a fused op (its activation's output): into the fused scale/shift. */
export function fusePostAffine(input: Graph): OptimizeReport {
  return rewriteUntilStable(input, (graph, op) => {
    if (op.op !== 'Mul' && op.op !== 'Add') return undefined;
    const constSide = op.inputs.findIndex((t) => scalarConstant(graph, t) !== undefined);
    if (constSide < 0) return undefined;
    const producer = soleProducer(graph, op.inputs[1 - constSide]!, ['Conv', 'Gemm', 'ConvTranspose']);
    const act = producer?.attrs?.activation as { scale?: number; shift?: number } | undefined;
    if (!producer || act === undefined) return undefined;
    const c = scalarConstant(graph, op.inputs[constSide]!)!;
    const scale = act.scale ?? 1;
    const shift = act.shift ?? 0;
    const next = op.op === 'Mul' ? { scale: scale * c, shift: shift * c } : { scale, shift: shift + c };
    graph.nodes[graph.nodes.indexOf(producer)] = { ...producer, outputs: op.outputs, attrs: { ...producer.attrs, activation: { ...act, ...next } } };
    graph.nodes.splice(graph.nodes.indexOf(op), 1);
    return `fused ${op.op} '${op.name}' (scalar) after the activation of ${producer.op} '${producer.name}'`;
  });
}

/**
 * Squeeze-and-excitation gates exported as x + x * s (s = [N, C, 1, 1] from a fused op): becomes
 * x * s' with s' = s + 1 computed by the gate's own conv (one pass over the large x instead of two).
 */
export function foldGateResidual(input: Graph): OptimizeReport {
  const graph: Graph = { ...input, nodes: [...input.nodes], weights: { ...input.weights } };
  const rewrites: string[] = [];
  for (const add of input.nodes) {
    if (add.op !== 'Add') continue;
    for (const side of [0, 1]) {
      const x = add.inputs[side]!;
      const mul = graph.nodes.find((n) => n.outputs.includes(add.inputs[1 - side]!));
      if (mul?.op !== 'Mul' || !mul.inputs.includes(x) || readers(graph, mul.outputs[0]!).length !== 1 || graph.outputs.includes(mul.outputs[0]!)) continue;
      const s = mul.inputs[0] === x ? mul.inputs[1]! : mul.inputs[0]!;
      const gate = soleProducer(graph, s, ['Conv', 'Gemm', 'ConvTranspose']);
      const act = gate?.attrs?.activation as { shift?: number } | undefined;
      if (!gate || act === undefined || s === x) continue;
      graph.nodes[graph.nodes.indexOf(gate)] = { ...gate, attrs: { ...gate.attrs, activation: { ...act, shift: (act.shift ?? 0) + 1 } } };
      graph.nodes[graph.nodes.indexOf(mul)] = { ...mul, outputs: add.outputs };
      graph.nodes.splice(graph.nodes.indexOf(add), 1);
      rewrites.push(`x + x * gate '${add.name}': gate ${gate.op} '${gate.name}' now adds 1, one Mul left`);
      break;
    }
  }
  return { graph, rewrites };
}

export function fuseActivations(input: Graph): OptimizeReport {
  const graph: Graph = { ...input, nodes: [...input.nodes], weights: { ...input.weights } };
  const rewrites: string[] = [];
  for (const act of input.nodes) {
    const isActivation = ACTIVATION_TYPES.includes(act.op as ActivationType);
    if (!isActivation && act.op !== 'PRelu') continue;
    const producer = soleProducer(graph, act.inputs[0]!, act.op === 'PRelu' ? ['Conv', 'Gemm'] : ['Conv', 'Gemm', 'ConvTranspose']);
    if (!producer || producer.attrs?.activation !== undefined) continue;
    const inputs = [...producer.inputs];
    while (inputs.length < 3) inputs.push('');
    let activation: Record<string, unknown>;
    if (act.op === 'PRelu') {
      // The fused kernels take one slope per output channel; a shared slope is expanded.
      const slope = graph.weights[act.inputs[1]!];
      const channels = producer.op === 'Conv' ? graph.weights[producer.inputs[1]!]?.shape[0] : undefined;
      if (!slope || (sizeOf(slope.shape) !== 1 && channels !== undefined && sizeOf(slope.shape) !== channels)) continue;
      if (sizeOf(slope.shape) === 1) {
        if (channels === undefined) continue;
        const name = `${act.inputs[1]}/x${channels}`;
        graph.weights[name] = { shape: [channels], data: new Float32Array(channels).fill(slope.data[0]!) };
        inputs[3] = name;
      } else inputs[3] = act.inputs[1]!;
      activation = { type: 'PRelu' };
    } else {
      const a = activationFromAttrs(act.op as ActivationType, act.attrs ?? {});
      activation = { type: a.type, alpha: a.alpha, beta: a.beta };
    }
    const fused: GraphNode = { ...producer, inputs: producer.op === 'ConvTranspose' ? inputs.slice(0, 3) : inputs, outputs: act.outputs, attrs: { ...producer.attrs, activation } };
    while (fused.inputs.length > 2 && fused.inputs[fused.inputs.length - 1] === '') fused.inputs.pop();
    graph.nodes[graph.nodes.indexOf(producer)] = fused;
    graph.nodes.splice(graph.nodes.indexOf(act), 1);
    rewrites.push(`fused ${act.op} '${act.name}' into ${producer.op} '${producer.name}'`);
  }
  return { graph: dropUnusedWeights(graph), rewrites };
}

/**
 * All load-time rewrites, in an order where each enables the next: constant affines and BatchNorms
 * fold into the preceding conv while it has no activation, then idioms collapse, activations fuse,
 * and scalar affines after an activation join it.
 */
export function optimizeGraph(graph: Graph): OptimizeReport {
  const rewrites: string[] = [];
  let g = graph;
  for (const pass of [foldConvAffine, foldBatchNorms, collapseHardSwish, fuseActivations, fusePostAffine, foldGateResidual]) {
    const r = pass(g);
    g = r.graph;
    rewrites.push(...r.rewrites);
  }
  return { graph: g, rewrites };
}

function dropUnusedWeights(graph: Graph): Graph {
  const used = new Set(graph.nodes.flatMap((n) => n.inputs).concat(graph.outputs));
  return { ...graph, weights: Object.fromEntries(Object.entries(graph.weights).filter(([name]) => used.has(name))) };
}
