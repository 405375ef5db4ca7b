// Node-only: one backend of a precision study. GPU backends (a Vulkan driver for Dawn) run in a
// worker process each (Dawn fixes the driver per process) and print their result as JSON; the CPU
// references and onnxruntime run in the calling process.
//   layers: every tensor of every study network vs the float64 reference (GPU ones run twice);
//   runs:   the MTCNN detector under each convention with every stage's candidates (GPU: twice).
import { basename } from 'node:path';
import { acquireGpu } from '../gpu/device.js';
import type { Storage } from '../graph/half-storage.js';
import type { GpuContext } from '../gpu/context.js';
import { gpuValues, referenceValues } from '../eval/precision/layers.js';
import type { DetectorRun, ImageRun } from '../eval/precision/stages.js';
import { firstDifference } from '../eval/precision/stages.js';
import { referenceOf, studyBackend, type BackendStudy, type StudyImage } from '../eval/precision/study.js';
import { firstTextDifference, type TextImageRun, type TextRun } from '../eval/precision/text-stages.js';
import { TextDetector } from '../pipelines/textdet/detector.js';
import { dbPostprocessReference } from '../pipelines/textdet/reference.js';
import type { LayerTolerance } from '../eval/precision/compare.js';
import { openChromium } from '../io/chromium-backend.js';
import { onnxruntimeValues } from '../io/onnxruntime-layers.js';
import type { StudyModel } from '../io/precision-networks.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import { mtcnnConvention } from '../pipelines/mtcnn/conventions.js';
import { MtcnnDetector } from '../pipelines/mtcnn/detector.js';
import { resolveMtcnnOptions } from '../pipelines/mtcnn/options.js';
import { detectFacesReference } from '../pipelines/mtcnn/reference.js';
import type { ImageDetections } from '../pipelines/mtcnn/types.js';

export const CPU_BACKENDS = ['cpu-f32', 'cpu-f64', 'onnxruntime'] as const;
/** Runs in the calling process too: the browser is its own process. */
export const CHROMIUM_BACKEND = 'chromium';

export interface BackendResult {
  backend: string;
  device: string;
  layers: BackendStudy;
  runs: DetectorRun[];
  /** ppocr-det: the text detector's components and boxes per image. */
  text?: TextRun;
}

export interface StudyInputs {
  files: string[];
  images: RgbImage[];
  study: StudyImage[];
  model: StudyModel;
  conventions: string[];
  tolerance: LayerTolerance;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

const BATCH = 8;

function imageRun(file: string, d: ImageDetections): ImageRun {
  if (!d.candidates) throw new Error(`${file}: the detector returned no stage lists`);
  return { file: basename(file), counts: d.stages, lists: d.candidates, faces: d.faces.map((f) => f.box) };
}

/** A GPU backend name with its storage variant: 'lavapipe' (f32), 'lavapipe+f16', 'lavapipe+f16-math'. */
export function parseGpuBackend(backend: string): { adapter: string; storage: Storage } {
  const m = /^(.*)\+(f16-math|f16|f32)$/.exec(backend);
  return m ? { adapter: m[1]!, storage: m[2] as Storage } : { adapter: backend, storage: 'f32' };
}

async function gpuDetectorRuns(ctx: GpuContext, backend: string, device: string, s: StudyInputs, storage: Storage): Promise<DetectorRun[]> {
  const detector = await MtcnnDetector.create(ctx, s.model.mtcnn!, { storage });
  const runs: DetectorRun[] = [];
  for (const name of s.conventions) {
    const options = { ...mtcnnConvention(name).options, stages: true };
    const once = async (): Promise<ImageRun[]> => {
      const out: ImageRun[] = [];
      for (let b = 0; b < s.images.length; b += BATCH) {
        const result = await detector.detect(s.images.slice(b, b + BATCH), options);
        result.images.forEach((d, i) => out.push(imageRun(s.files[b + i]!, d)));
      }
      return out;
    };
    s.log(`${backend}: MTCNN under '${name}', twice`);
    const run: DetectorRun = { backend, device, convention: name, images: await once() };
    const { where, orderDiffers } = firstDifference(run, { ...run, images: await once() });
    runs.push({ ...run, deterministic: !where, orderDiffers, ...(where ? { nondeterminism: where } : {}) });
  }
  return runs;
}

async function gpuTextRun(ctx: GpuContext, backend: string, device: string, s: StudyInputs, storage: Storage): Promise<TextRun> {
  const detector = TextDetector.create(ctx, s.model.text!.graph, { storage });
  const once = async (): Promise<TextImageRun[]> => {
    const result = await detector.detect(s.images, s.model.text!.options);
    return result.images.map((r, i) => ({ file: basename(s.files[i]!), components: r.components, boxes: r.boxes }));
  };
  s.log(`${backend}: text detector, twice`);
  const run: TextRun = { backend, device, images: await once() };
  const where = firstTextDifference(run, { ...run, images: await once() });
  return { ...run, deterministic: !where, ...(where ? { nondeterminism: where } : {}) };
}

/** The text detector on the CPU: the network's reference in f32 or f64, then the CPU post-processing. */
function cpuTextRun(backend: string, device: string, precision: 'f32' | 'f64', s: StudyInputs): TextRun {
  const { graph, options } = s.model.text!;
  s.log(`${backend}: text detector`);
  return {
    backend,
    device,
    images: s.study.map((im, i) => {
      const net = im.networks[0]!;
      const input = Object.values(net.inputs)[0]!;
      const prob = referenceOf(net, precision).get(graph.outputs[0]!)!;
      const [height, width] = input.shape.slice(2) as [number, number];
      const found = dbPostprocessReference(prob, width, height, { width: s.images[i]!.width, height: s.images[i]!.height }, options);
      return { file: im.file, components: found.components, boxes: found.boxes.map((b) => ({ polygon: b.polygon, score: b.score })) };
    }),
  };
}

/** A GPU backend, in this process (the worker); 'name+f16' runs it with f16 storage. */
export async function gpuBackend(backend: string, s: StudyInputs): Promise<BackendResult> {
  const { adapter, storage } = parseGpuBackend(backend);
  const ctx = await acquireGpu({ adapter });
  const device = `${ctx.adapter.name}${storage === 'f16' ? ', f16 storage' : storage === 'f16-math' ? ', f16 storage and arithmetic' : ''}`;
  s.log(`${backend}: ${device}: layers`);
  const layers = await studyBackend(backend, device, s.study, (net) => gpuValues(ctx, net.graph, net.inputs, storage), s.tolerance, true);
  const runs = s.model.mtcnn ? await gpuDetectorRuns(ctx, backend, device, s, storage) : [];
  return { backend, device, layers, runs, ...(s.model.text ? { text: await gpuTextRun(ctx, backend, device, s, storage) } : {}) };
}

/** Headless Chromium (WebGPU on SwiftShader): layers twice, the detector twice per convention. */
export async function chromiumBackend(s: StudyInputs): Promise<BackendResult> {
  const session = await openChromium(s.images, s.files.map((f) => basename(f)), s.model.mtcnn, s.model.text?.graph);
  try {
    s.log(`chromium: ${session.device}: layers`);
    const layers = await studyBackend(CHROMIUM_BACKEND, session.device, s.study, (net) => session.networkValues(net), s.tolerance, true);
    const runs: DetectorRun[] = [];
    if (s.model.mtcnn) {
      for (const name of s.conventions) {
        s.log(`chromium: MTCNN under '${name}', twice`);
        const options = mtcnnConvention(name).options as Record<string, unknown>;
        const run: DetectorRun = { backend: CHROMIUM_BACKEND, device: session.device, convention: name, images: await session.detect(options) };
        const { where, orderDiffers } = firstDifference(run, { ...run, images: await session.detect(options) });
        runs.push({ ...run, deterministic: !where, orderDiffers, ...(where ? { nondeterminism: where } : {}) });
      }
    }
    let text: TextRun | undefined;
    if (s.model.text) {
      s.log('chromium: text detector, twice');
      const options = s.model.text.options as unknown as Record<string, unknown>;
      const run: TextRun = { backend: CHROMIUM_BACKEND, device: session.device, images: await session.detectText(options) };
      const where = firstTextDifference(run, { ...run, images: await session.detectText(options) });
      text = { ...run, deterministic: !where, ...(where ? { nondeterminism: where } : {}) };
    }
    return { backend: CHROMIUM_BACKEND, device: session.device, layers, runs, ...(text ? { text } : {}) };
  } finally {
    await session.close();
  }
}

function cpuDetectorRuns(backend: 'cpu-f32' | 'cpu-f64', s: StudyInputs): DetectorRun[] {
  const precision = backend === 'cpu-f32' ? 'f32' : 'f64';
  return s.conventions.map((name): DetectorRun => {
    s.log(`${backend}: MTCNN under '${name}'`);
    const options = resolveMtcnnOptions(mtcnnConvention(name).options);
    return { backend, device: 'CPU', convention: name, images: s.images.map((im, i) => imageRun(s.files[i]!, detectFacesReference(im, s.model.mtcnn!, options, precision))) };
  });
}

/** cpu-f32 (the references in float32 arithmetic), cpu-f64 (the stage baseline) or onnxruntime. */
export async function cpuBackend(backend: (typeof CPU_BACKENDS)[number], s: StudyInputs): Promise<BackendResult> {
  if (backend === 'onnxruntime') {
    const ort = await import('onnxruntime-node');
    const device = `onnxruntime-node ${ort.env.versions?.common ?? ''} (CPU)`.replace('  ', ' ');
    s.log(`onnxruntime: layers (this project's ONNX export, every tensor an output)`);
    const layers = await studyBackend(backend, device, s.study, (net, tensors) => onnxruntimeValues(net.graph, net.inputs, tensors), s.tolerance, false);
    return { backend, device, layers, runs: [] };
  }
  const device = backend === 'cpu-f32' ? 'CPU, float32 arithmetic' : 'CPU, float64';
  s.log(`${backend}: layers`);
  const layers: BackendStudy =
    backend === 'cpu-f32'
      ? await studyBackend(backend, device, s.study, async (net) => referenceOf(net, 'f32'), s.tolerance, false)
      : { backend, device, networks: [] };
  const runs = s.model.mtcnn ? cpuDetectorRuns(backend, s) : [];
  return { backend, device, layers, runs, ...(s.model.text ? { text: cpuTextRun(backend, device, backend === 'cpu-f32' ? 'f32' : 'f64', s) } : {}) };
}
