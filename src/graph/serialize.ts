// This project's model format: a graph as JSON (nodes, inputs, outputs, weight table) beside one
// little-endian float32 .bin holding every weight, with the .bin's sha256 recorded in the JSON.
// Browser-safe: bytes in, Graph out. Every failure names the file.
import { formatShape, sizeOf } from '../ops/tensor-utils.js';
import { ownBuffer } from '../import/bytes.js';
import type { Graph, GraphInput, GraphNode, Weight } from './types.js';

export const GRAPH_FORMAT = 'webgpu-detect-graph';
export const GRAPH_FORMAT_VERSION = 1;

export interface GraphFile {
  format: typeof GRAPH_FORMAT;
  version: number;
  name: string;
  inputs: GraphInput[];
  outputs: string[];
  nodes: GraphNode[];
  /** Weight name -> shape and position (in float32 elements) in the .bin. */
  weights: Record<string, { shape: number[]; offset: number }>;
  weightsFile: string;
  weightsBytes: number;
  weightsSha256: string;
  /** Free-form notes from the importer (layout decisions, idioms collapsed). */
  notes?: string[];
}

export class ModelFileError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ModelFileError';
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function serializeGraph(graph: Graph, weightsFile: string, notes?: string[]): Promise<{ json: GraphFile; bin: Uint8Array }> {
  const names = Object.keys(graph.weights).sort();
  const total = names.reduce((s, n) => s + graph.weights[n]!.data.length, 0);
  const all = new Float32Array(total);
  const table: GraphFile['weights'] = {};
  let offset = 0;
  for (const n of names) {
    const w = graph.weights[n]!;
    all.set(w.data, offset);
    table[n] = { shape: [...w.shape], offset };
    offset += w.data.length;
  }
  const bin = new Uint8Array(all.buffer);
  return {
    json: {
      format: GRAPH_FORMAT,
      version: GRAPH_FORMAT_VERSION,
      name: graph.name,
      inputs: graph.inputs,
      outputs: graph.outputs,
      nodes: graph.nodes,
      weights: table,
      weightsFile,
      weightsBytes: bin.byteLength,
      weightsSha256: await sha256Hex(bin),
      ...(notes?.length ? { notes } : {}),
    },
    bin,
  };
}

/** Parses a graph file; `bin` is the content of its weightsFile. Checks size, sha256 and every weight. */
export async function deserializeGraph(jsonText: string, bin: Uint8Array, file: string): Promise<Graph> {
  let json: GraphFile;
  try {
    json = JSON.parse(jsonText) as GraphFile;
  } catch (err) {
    throw new ModelFileError(file, `not JSON: ${(err as Error).message}`);
  }
  if (json.format !== GRAPH_FORMAT) throw new ModelFileError(file, `format is ${JSON.stringify(json.format)}, expected '${GRAPH_FORMAT}'`);
  if (json.version !== GRAPH_FORMAT_VERSION) throw new ModelFileError(file, `format version ${json.version}, this build reads ${GRAPH_FORMAT_VERSION}`);
  for (const key of ['inputs', 'outputs', 'nodes', 'weights'] as const) {
    if (typeof json[key] !== 'object' || json[key] === null) throw new ModelFileError(file, `'${key}' is missing`);
  }
  const binName = json.weightsFile;
  if (bin.byteLength !== json.weightsBytes) {
    throw new ModelFileError(file, `weights file ${binName} has ${bin.byteLength} bytes, the graph expects ${json.weightsBytes} (truncated or wrong file)`);
  }
  const hash = await sha256Hex(bin);
  if (hash !== json.weightsSha256) throw new ModelFileError(file, `weights file ${binName} has sha256 ${hash}, the graph expects ${json.weightsSha256}`);
  const floats = new Float32Array(ownBuffer(bin));
  const weights: Record<string, Weight> = {};
  for (const [name, { shape, offset }] of Object.entries(json.weights)) {
    const n = sizeOf(shape);
    if (!Number.isInteger(offset) || offset < 0 || offset + n > floats.length) {
      throw new ModelFileError(file, `weight '${name}' ${formatShape(shape)} at element ${offset} lies outside ${binName} (${floats.length} floats)`);
    }
    weights[name] = { shape, data: floats.slice(offset, offset + n) };
  }
  return { name: json.name, inputs: json.inputs, outputs: json.outputs, nodes: json.nodes, weights };
}
