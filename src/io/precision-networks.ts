// Node-only: the networks and inputs a precision study runs for each model, built once on the CPU
// (every backend gets the same float32 inputs):
//   mtcnn      PNet on one pyramid level, RNet / ONet on crops of the reference's candidates
//              (eval/precision/mtcnn-inputs.ts);
//   ppocr-det  the DB network on the image resized as the pipeline does, longer side <= 320 (the
//              study size: the float64 reference of the full 960 takes minutes per image);
//   tiny-face  the network at 224 x 224 (its smallest documented input), the pipeline's placement
//              and normalisation;
//   *.onnx     the file's network on the image stretched to its input (224 where a dim is
//              symbolic), values in [0, 1], RGB.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { mtcnnStudyInputs } from '../eval/precision/mtcnn-inputs.js';
import type { StudyImage, StudyNetwork } from '../eval/precision/study.js';
import { readOnnx } from '../import/onnx/reader.js';
import { onnxToGraph } from '../import/onnx/to-graph.js';
import type { Graph } from '../graph/types.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import { planResize, resizeReference, type Normalization, type ResizePlan } from '../pipelines/floor/resize.js';
import { gridInputPlan, gridNormalization } from '../pipelines/grid/detector.js';
import type { MtcnnGraphs } from '../pipelines/mtcnn/types.js';
import { resolveTextDetOptions, type TextDetOptions } from '../pipelines/textdet/options.js';
import { textInputPlan, textNormalization } from '../pipelines/textdet/detector.js';
import { loadTinyFaceModel } from './model-catalog.js';
import { loadPackagedGraph, loadPpocrDetGraph } from './node-models.js';

export const STUDY_MODELS = ['mtcnn', 'ppocr-det', 'tiny-face'] as const;
export const TEXT_STUDY_SIDE = 320;
export const GRID_STUDY_SIDE = 224;

export interface StudyModel {
  name: string;
  /** The networks and inputs of one image. */
  networks(image: RgbImage): { networks: StudyNetwork[]; notes: string };
  /** The graphs by study network name (a worker rebuilds StudyNetworks from saved inputs). */
  graphs: Record<string, Graph>;
  /** MTCNN's graphs (the stage study runs the whole detector). */
  mtcnn?: MtcnnGraphs;
  /** The text detector's network and options (its stage study: components, boxes). */
  text?: { graph: Graph; options: TextDetOptions };
}

function resized(graph: Graph, image: RgbImage, plan: ResizePlan, norm: Normalization): StudyNetwork {
  const input = graph.inputs[0]!;
  return { name: graph.name, graph, inputs: { [input.name]: { shape: [1, 3, plan.outHeight, plan.outWidth], data: Float32Array.from(resizeReference(image, plan, norm)) } } };
}

async function mtcnnModel(): Promise<StudyModel> {
  const [pnet, rnet, onet] = await Promise.all(['pnet', 'rnet', 'onet'].map((n) => loadPackagedGraph('mtcnn', n)));
  const graphs: MtcnnGraphs = { pnet: pnet!, rnet: rnet!, onet: onet! };
  return {
    name: 'mtcnn',
    mtcnn: graphs,
    graphs: { ...graphs },
    networks(image) {
      const inputs = mtcnnStudyInputs(image, graphs);
      const net = (name: keyof MtcnnGraphs, input: typeof inputs.pnet | undefined): StudyNetwork[] =>
        input ? [{ name, graph: graphs[name], inputs: { [graphs[name].inputs[0]!.name]: input } }] : [];
      return { networks: [...net('pnet', inputs.pnet), ...net('rnet', inputs.rnet), ...net('onet', inputs.onet)], notes: inputs.notes };
    },
  };
}

async function textModel(): Promise<StudyModel> {
  const graph = await loadPpocrDetGraph();
  const o = resolveTextDetOptions({ limitSideLen: TEXT_STUDY_SIDE });
  return {
    name: 'ppocr-det',
    graphs: { [graph.name]: graph },
    text: { graph, options: o },
    networks(image) {
      const plan = textInputPlan(image.width, image.height, o);
      return { networks: [resized(graph, image, plan, textNormalization(o))], notes: `input ${plan.outWidth} x ${plan.outHeight} (longer side <= ${TEXT_STUDY_SIDE}), BGR, ImageNet mean/std` };
    },
  };
}

function tinyFaceModel(): StudyModel {
  const model = loadTinyFaceModel();
  const o = { ...model.defaults, inputWidth: GRID_STUDY_SIDE, inputHeight: GRID_STUDY_SIDE };
  return {
    name: 'tiny-face',
    graphs: { [model.graph.name]: model.graph },
    networks(image) {
      const plan = gridInputPlan(image.width, image.height, o);
      return { networks: [resized(model.graph, image, plan, gridNormalization(o))], notes: `input ${GRID_STUDY_SIDE} x ${GRID_STUDY_SIDE}, ${o.placement}` };
    },
  };
}

function onnxFileModel(path: string): StudyModel {
  const probe = readOnnx(new Uint8Array(readFileSync(path)), path);
  const input = probe.inputs.find((i) => !probe.initializers.has(i.name));
  if (!input) throw new Error(`${path}: no graph input`);
  const dims = input.dims;
  const side = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : GRID_STUDY_SIDE);
  const width = side(dims[3]);
  const height = side(dims[2]);
  const name = basename(path).replace(/\.onnx$/, '');
  const graph = onnxToGraph(probe, { name, inputShapes: { [input.name]: [1, 3, height, width] } }).graph;
  const norm: Normalization = { scale: 1 / 255, mean: [0, 0, 0], invStd: [1, 1, 1], channelOrder: 'rgb', pad: [0, 0, 0] };
  return {
    name,
    graphs: { [graph.name]: graph },
    networks(image) {
      const plan = planResize(image.width, image.height, { outWidth: width, outHeight: height, placement: 'stretch', sampling: 'half-pixel' });
      return { networks: [resized(graph, image, plan, norm)], notes: `input ${width} x ${height}, stretched, RGB in [0, 1]` };
    },
  };
}

export async function loadStudyModel(model: string): Promise<StudyModel> {
  if (model === 'mtcnn') return mtcnnModel();
  if (model === 'ppocr-det') return textModel();
  if (model === 'tiny-face') return tinyFaceModel();
  if (model.endsWith('.onnx')) return onnxFileModel(model);
  throw new Error(`precision: unknown model '${model}' (use ${STUDY_MODELS.join(', ')} or a .onnx file)`);
}

export function studyImage(model: StudyModel, file: string, image: RgbImage): StudyImage {
  const { networks, notes } = model.networks(image);
  return { file: basename(file), networks, notes };
}

/** The study's inputs as JSON (float32 data base64), so a worker need not rebuild them. */
export function saveStudyInputs(images: readonly StudyImage[]): string {
  return JSON.stringify(
    images.map((im) => ({
      file: im.file,
      notes: im.notes,
      networks: im.networks.map((n) => ({ name: n.name, inputs: Object.fromEntries(Object.entries(n.inputs).map(([k, v]) => [k, { shape: v.shape, data: Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength).toString('base64') }])) })),
    })),
  );
}

export function loadStudyInputs(model: StudyModel, json: string): StudyImage[] {
  type Saved = Array<{ file: string; notes?: string; networks: Array<{ name: string; inputs: Record<string, { shape: number[]; data: string }> }> }>;
  return (JSON.parse(json) as Saved).map((im) => ({
    file: im.file,
    ...(im.notes ? { notes: im.notes } : {}),
    networks: im.networks.map((n): StudyNetwork => {
      const graph = model.graphs[n.name];
      if (!graph) throw new Error(`saved study inputs name network '${n.name}', which model ${model.name} does not have`);
      const inputs = Object.fromEntries(Object.entries(n.inputs).map(([k, v]) => {
        const bytes = Buffer.from(v.data, 'base64');
        return [k, { shape: v.shape, data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) }];
      }));
      return { name: n.name, graph, inputs };
    }),
  }));
}
