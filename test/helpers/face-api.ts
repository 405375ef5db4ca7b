// The reference library itself: @vladmandic/face-api 1.7.15's TinyFaceDetector on tfjs's CPU
// backend, in this Node process (face-api.node-wasm.js loads @tensorflow/tfjs; the CPU backend is
// selected). Images are given as int32 tensors of the same decoded RGB the GPU pipeline gets,
// which is face-api.js's tensor input path (padToSquare + tf.image.resizeBilinear).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findPackageDir } from '../../src/io/model-catalog.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';

interface FaceApiDetection {
  score: number;
  box: { x: number; y: number; width: number; height: number };
}

interface FaceApi {
  tf: { setBackend(name: string): Promise<boolean>; ready(): Promise<void>; getBackend(): string; tensor3d(data: Int32Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void }; version?: Record<string, string> };
  nets: { tinyFaceDetector: { loadFromDisk(dir: string): Promise<void> } };
  detectAllFaces(input: unknown, options: unknown): Promise<FaceApiDetection[]>;
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown;
}

let loaded: Promise<FaceApi> | undefined;

export function faceApi(): Promise<FaceApi> {
  loaded ??= (async () => {
    const dir = findPackageDir('@vladmandic/face-api');
    if (!dir) throw new Error('@vladmandic/face-api is not installed (npm ci installs it)');
    const require = createRequire(join(dir, 'package.json'));
    const api = require(join(dir, 'dist', 'face-api.node-wasm.js')) as FaceApi;
    await api.tf.setBackend('cpu');
    await api.tf.ready();
    await api.nets.tinyFaceDetector.loadFromDisk(join(dir, 'model'));
    return api;
  })();
  return loaded;
}

/** face-api.js's detections ([x, y, w, h] boxes in image pixels) for one image. */
export async function faceApiTinyFaces(image: RgbImage, inputSize: number, scoreThreshold = 0.5): Promise<Array<{ box: [number, number, number, number]; score: number }>> {
  const api = await faceApi();
  const tensor = api.tf.tensor3d(Int32Array.from(image.data), [image.height, image.width, 3], 'int32');
  try {
    const found = await api.detectAllFaces(tensor, new api.TinyFaceDetectorOptions({ inputSize, scoreThreshold }));
    return found.map((d) => ({ box: [d.box.x, d.box.y, d.box.width, d.box.height], score: d.score }));
  } finally {
    tensor.dispose();
  }
}
