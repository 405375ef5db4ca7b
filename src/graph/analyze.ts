// Validation, schedule and shape inference: from a Graph and concrete input shapes to an ordered
// list of steps with parsed attributes and every tensor's shape. Every error names the node.
import { opRegistry, supportedOps } from '../ops/registry.js';
import { formatShape, sizeOf } from '../ops/tensor-utils.js';
import type { OpDescriptor, Shape } from '../ops/types.js';
import { GraphError, nodeLabel, type Graph, type GraphNode } from './types.js';

export interface Step {
  node: GraphNode;
  op: OpDescriptor<unknown>;
  attrs: unknown;
  inputShapes: Array<Shape | undefined>;
  outputShapes: Shape[];
}

export interface Analysis {
  steps: Step[];
  shapes: Map<string, Shape>;
  /** Tensor kinds: graph input, weight, or produced by a step. */
  kind: Map<string, 'input' | 'weight' | 'produced'>;
}

/** Resolves symbolic input dims with `inputShapes` (tensor name -> shape). */
export function resolveInputShapes(graph: Graph, inputShapes: Readonly<Record<string, readonly number[]>> = {}): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const input of graph.inputs) {
    const given = inputShapes[input.name];
    if (given) {
      if (given.length !== input.shape.length || given.some((d, i) => typeof input.shape[i] === 'number' && input.shape[i] !== d)) {
        throw new GraphError(`graph '${graph.name}': input '${input.name}' declared ${JSON.stringify(input.shape)}, given ${formatShape(given)}`);
      }
      if (given.some((d) => !Number.isInteger(d) || d < 1)) throw new GraphError(`graph '${graph.name}': input '${input.name}' shape ${formatShape(given)} must be positive integers`);
      shapes.set(input.name, [...given]);
    } else {
      if (input.shape.some((d) => typeof d !== 'number')) {
        throw new GraphError(`graph '${graph.name}': input '${input.name}' has symbolic dims ${JSON.stringify(input.shape)}; give its shape when compiling`);
      }
      shapes.set(input.name, input.shape as number[]);
    }
  }
  const unknown = Object.keys(inputShapes).filter((name) => !graph.inputs.some((i) => i.name === name));
  if (unknown.length) throw new GraphError(`graph '${graph.name}': shapes given for unknown inputs ${unknown.join(', ')}`);
  return shapes;
}

/** Topological order (Kahn), keeping the listed order among ready nodes. */
function schedule(graph: Graph, available: Set<string>): GraphNode[] {
  const producer = new Map<string, GraphNode>();
  for (const node of graph.nodes) {
    for (const out of node.outputs) {
      if (available.has(out)) throw new GraphError(`${nodeLabel(node)}: output '${out}' is already a graph input or weight`);
      const other = producer.get(out);
      if (other) throw new GraphError(`${nodeLabel(node)}: output '${out}' is also produced by ${nodeLabel(other)}`);
      producer.set(out, node);
    }
  }
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (input !== '' && !available.has(input) && !producer.has(input)) {
        throw new GraphError(`${nodeLabel(node)}: input '${input}' is missing: it is not a graph input, not a weight, and no node produces it`);
      }
    }
  }
  const order: GraphNode[] = [];
  const done = new Set(available);
  const pending = [...graph.nodes];
  while (pending.length) {
    const i = pending.findIndex((n) => n.inputs.every((t) => t === '' || done.has(t)));
    if (i < 0) throw new GraphError(`graph '${graph.name}': cycle through ${pending.map(nodeLabel).join(', ')}`);
    const [node] = pending.splice(i, 1);
    order.push(node!);
    node!.outputs.forEach((t) => done.add(t));
  }
  for (const out of graph.outputs) {
    if (!done.has(out)) throw new GraphError(`graph '${graph.name}': output '${out}' is not produced by any node`);
  }
  return order;
}

export function analyzeGraph(graph: Graph, inputShapes: Readonly<Record<string, readonly number[]>> = {}): Analysis {
  const shapes = resolveInputShapes(graph, inputShapes);
  const kind = new Map<string, 'input' | 'weight' | 'produced'>();
  graph.inputs.forEach((i) => kind.set(i.name, 'input'));
  for (const [name, w] of Object.entries(graph.weights)) {
    if (w.data.length !== sizeOf(w.shape)) throw new GraphError(`graph '${graph.name}': weight '${name}' has ${w.data.length} values for shape ${formatShape(w.shape)}`);
    kind.set(name, 'weight');
    shapes.set(name, w.shape);
  }
  const steps: Step[] = [];
  for (const node of schedule(graph, new Set(kind.keys()))) {
    const op = opRegistry.get(node.op);
    if (!op) throw new GraphError(`${nodeLabel(node)}: unknown op '${node.op}' (supported: ${supportedOps().join(', ')})`);
    if (node.inputs.length < op.required || node.inputs.length > op.inputNames.length) {
      throw new GraphError(`${nodeLabel(node)}: takes ${op.required}..${op.inputNames.length} inputs (${op.inputNames.join(', ')}), got ${node.inputs.length}`);
    }
    const missingRequired = node.inputs.slice(0, op.required).findIndex((t) => t === '');
    if (missingRequired >= 0) throw new GraphError(`${nodeLabel(node)}: required input ${op.inputNames[missingRequired]} is empty`);
    if (node.outputs.length !== op.outputs) throw new GraphError(`${nodeLabel(node)}: has ${node.outputs.length} outputs, ${op.type} produces ${op.outputs}`);
    let attrs: unknown;
    let outputShapes: Shape[];
    const inShapes = node.inputs.map((t) => (t === '' ? undefined : shapes.get(t)));
    try {
      attrs = op.attrs(node.attrs ?? {});
      outputShapes = op.inferShapes(inShapes, attrs);
    } catch (err) {
      const detail = node.inputs.map((t, i) => `${op.inputNames[i]}='${t}' ${formatShape(inShapes[i])}`).join(', ');
      throw new GraphError(`${nodeLabel(node)}: ${(err as Error).message} [inputs: ${detail}]`);
    }
    node.outputs.forEach((t, i) => {
      shapes.set(t, outputShapes[i]!);
      kind.set(t, 'produced');
    });
    steps.push({ node, op, attrs, inputShapes: inShapes, outputShapes });
  }
  return { steps, shapes, kind };
}
