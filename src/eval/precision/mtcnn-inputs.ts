// The inputs a precision study feeds MTCNN's three networks, built once on the CPU from a photo so
// every backend gets the same float32 values: PNet one pyramid level (the largest no wider than
// 200 px, normalised as the pipeline does), RNet 24 x 24 and ONet 48 x 48 crops of the candidates
// the float32 CPU reference pipeline passes to them (up to 16 and 8). Browser-safe.
import { DEFAULT_MTCNN_OPTIONS } from '../../pipelines/mtcnn/options.js';
import { pyramid } from '../../pipelines/mtcnn/pyramid.js';
import { cropReference, detectFacesReference, resampleArea } from '../../pipelines/mtcnn/reference.js';
import type { MtcnnGraphs } from '../../pipelines/mtcnn/types.js';
import type { RgbImage } from '../../pipelines/floor/image.js';
import type { NetworkInput } from './layers.js';

export interface MtcnnStudyInputs {
  pnet: NetworkInput;
  rnet?: NetworkInput;
  onet?: NetworkInput;
  /** What was taken: the level scale and size, the crop counts. */
  notes: string;
}

const INPUT = 'input';

export function mtcnnStudyInputs(image: RgbImage, graphs: MtcnnGraphs): MtcnnStudyInputs {
  const levels = pyramid(image.width, image.height, DEFAULT_MTCNN_OPTIONS.minFaceSize, DEFAULT_MTCNN_OPTIONS.factor);
  const level = levels.find((l) => Math.max(l.width, l.height) <= 200) ?? levels[levels.length - 1]!;
  const pnet = { shape: [1, 3, level.height, level.width], data: Float32Array.from(resampleArea(image, 0, 0, image.width, image.height, level.width, level.height, 'f64')) };
  const reference = detectFacesReference(image, graphs, DEFAULT_MTCNN_OPTIONS, 'f32');
  const crops = (boxes: ReadonlyArray<readonly number[]>, size: number, max: number): NetworkInput | undefined => {
    const list = boxes.slice(0, max);
    if (list.length === 0) return undefined;
    const data = new Float32Array(list.length * 3 * size * size);
    list.forEach((b, i) => data.set(cropReference(image, b, size, 'f64'), i * 3 * size * size));
    return { shape: [list.length, 3, size, size], data };
  };
  const rnet = crops(reference.candidates.pnet.map((c) => c.box), 24, 16);
  const onet = crops(reference.candidates.rnet.map((c) => c.box), 48, 8);
  return {
    pnet,
    ...(rnet ? { rnet } : {}),
    ...(onet ? { onet } : {}),
    notes: `PNet level ${level.index} (scale ${level.scale.toFixed(4)}, ${level.width} x ${level.height}); RNet ${rnet?.shape[0] ?? 0} crops, ONet ${onet?.shape[0] ?? 0} crops`,
  };
}

/** The network input name of each MTCNN graph. */
export function inputName(graphs: MtcnnGraphs, net: keyof MtcnnGraphs): string {
  return graphs[net].inputs[0]?.name ?? INPUT;
}
