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
    const conv = soleProducer(graph, bn.inputs[0]!, ['Conv']);
    const params = bn.inputs.slice(1).map((t) => graph.weights[t]);
    const w = conv && graph.weights[conv.inputs[1]!];
    if (!conv || !w || params.some((p) => !p) || (conv.attrs?.activation !== undefined)) continue;
    if (conv.inputs[2] && !graph.weights[conv.inputs[2]]) continue;
    const [scale, shift, mean, variance] = params as Weight[];
    const epsilon = numberAttr(bn.attrs?.epsilon, 'epsilon', 1e-5);
    const m = w.shape[0]!;
    const perOut = sizeOf(w.shape) / m;
    const oldBias = conv.inputs[2] ? graph.weights[conv.inputs[2]]!.data : new Float32Array(m);
    const weights = new Float32Array(w.data.length);
    const bias = new Float32Array(m);
    for (let o = 0; o < m; o++) {
      const s = scale!.data[o]! / Math.sqrt(variance!.data[o]! + epsilon);
      for (let i = 0; i < perOut; i++) weights[o * perOut + i] = w.data[o * perOut + i]! * s;
      bias[o] = (oldBias[o]! - mean!.data[o]!) * s + shift!.data[o]!;
    }
    const wName = `${conv.name}/W+${bn.name}`;
    const bName = `${conv.name}/B+${bn.name}`;
    graph.weights[wName] = { shape: w.shape, data: weights };
    graph.weights[bName] = { shape: [m], data: bias };
    const fused: GraphNode = { ...conv, inputs: [conv.inputs[0]!, wName, bName, ...conv.inputs.slice(3)], outputs: bn.outputs };
    graph.nodes[graph.nodes.indexOf(conv)] = fused;
    graph.nodes.splice(graph.nodes.indexOf(bn), 1);
    rewrites.push(`folded BatchNormalization '${bn.name}' into Conv '${conv.name}'`);
  }
  return { graph: dropUnusedWeights(graph), rewrites };
}

export function fuseActivations(input: Graph): OptimizeReport {
  const graph: Graph = { ...input, nodes: [...input.nodes], weights: { ...input.weights } };
  const rewrites: string[] = [];
  for (const act of input.nodes) {
    const isActivation = ACTIVATION_TYPES.includes(act.op as ActivationType);
    if (!isActivation && act.op !== 'PRelu') continue;
    const producer = soleProducer(graph, act.inputs[0]!, ['Conv', 'Gemm']);
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
    const fused: GraphNode = { ...producer, inputs, outputs: act.outputs, attrs: { ...producer.attrs, activation } };
    graph.nodes[graph.nodes.indexOf(producer)] = fused;
    graph.nodes.splice(graph.nodes.indexOf(act), 1);
    rewrites.push(`fused ${act.op} '${act.name}' into ${producer.op} '${producer.name}'`);
  }
  return { graph: dropUnusedWeights(graph), rewrites };
}

/** Both rewrites, BatchNorm folding first (a fused activation would block it). */
export function optimizeGraph(graph: Graph): OptimizeReport {
  const folded = foldBatchNorms(graph);
  const fused = fuseActivations(folded.graph);
  return { graph: fused.graph, rewrites: [...folded.rewrites, ...fused.rewrites] };
}

function dropUnusedWeights(graph: Graph): Graph {
  const used = new Set(graph.nodes.flatMap((n) => n.inputs).concat(graph.outputs));
  return { ...graph, weights: Object.fromEntries(Object.entries(graph.weights).filter(([name]) => used.has(name))) };
}
