// The packaged grid models built from their files' bytes (browser-safe): the Node catalog reads
// the bytes from node_modules (sha256-checked), the page fetches them from `serve`; both build the
// model here.
import { tfjsGraphToGraph } from '../../../import/tfjs/graph-model.js';
import { readTfjsWeights } from '../../../import/tfjs/weights.js';
import { readTflite } from '../../../import/tflite/reader.js';
import { tfliteToGraph } from '../../../import/tflite/to-graph.js';
import type { GridModel } from '../types.js';
import { CENTERNET_HEATMAP, CENTERNET_SIZES, centerNetModel } from './centernet.js';
import { ssdOidModel } from './ssd-oid.js';
import { tinyFaceGraph, tinyFaceModel } from './tiny-face.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** face-api's TinyFaceDetector: its weights manifest and its one weights shard. */
/** `shard(path)`: the bytes of a weights file the manifest names. */
export function tinyFaceFromFiles(manifest: Uint8Array, shard: (path: string) => Uint8Array, file: string, source?: string): GridModel {
  const w = readTfjsWeights(JSON.parse(text(manifest)) as unknown, file, shard);
  return tinyFaceModel(tinyFaceGraph(w, file), source);
}

/** MediaPipe's SSD OIDv4: the label map (one per line) and the .tflite. */
export function ssdOidFromFiles(labels: Uint8Array, tflite: Uint8Array, file: string, source?: string): GridModel {
  const names = text(labels).split('\n').filter((l) => l.length > 0);
  return ssdOidModel(tfliteToGraph(readTflite(tflite, file), { name: 'ssd-oid' }).graph, names, source);
}

/** Human's CenterNet: model.json and its weights shard, cut at the heatmap and the extents. */
export function centerNetFromFiles(modelJson: Uint8Array, shard: (path: string) => Uint8Array, file: string, source?: string): GridModel {
  const json = JSON.parse(text(modelJson)) as unknown;
  const w = readTfjsWeights(json, file, shard);
  return centerNetModel(tfjsGraphToGraph(json, w, file, { name: 'centernet', outputs: [CENTERNET_HEATMAP, CENTERNET_SIZES] }), source);
}
