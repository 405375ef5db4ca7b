// What `webgpu-detect detect` needs of each model: its own options read from the command line
// (validated alone: another model's flags are never checked), the detector, the JSON line of a
// result, and the shapes of its overlay (drawn from the typed result, not from the rounded line).
import type { GpuContext } from '../gpu/context.js';
import { loadPackagedGraph, loadPpocrDetGraph } from '../io/node-models.js';
import type { OverlayShape } from '../io/overlay.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import { MtcnnDetector } from '../pipelines/mtcnn/detector.js';
import { mtcnnConvention } from '../pipelines/mtcnn/conventions.js';
import { resolveMtcnnOptions, type MtcnnDetectOptions, type MtcnnOptions } from '../pipelines/mtcnn/options.js';
import { TextDetector, type TextResult } from '../pipelines/textdet/detector.js';
import { resolveTextDetOptions, type TextDetOptions } from '../pipelines/textdet/options.js';
import { loadCenterNetModel, loadSsdOidModel, loadTinyFaceModel, loadUserOnnxModel } from '../io/model-catalog.js';
import { GridDetector } from '../pipelines/grid/detector.js';
import type { GridModel, GridDetections } from '../pipelines/grid/types.js';
import { clmFlags, createClmStep } from './clm-flags.js';
import { faceLine, gridLine, textLine, type FaceResult, type Line } from '../io/result-lines.js';
import { UsageError } from './exit-codes.js';
import type { Storage } from '../graph/half-storage.js';
import { gridOptionFlags, parseInputSize, userModelFlags } from './grid-flags.js';

export type { Line } from '../io/result-lines.js';
export { faceLine, gridLine, textLine, round, type FaceResult } from '../io/result-lines.js';

/** The detect verb's parsed flags (every model's; each model reads its own). */
export type DetectFlags = Record<string, unknown> & { stages?: boolean };

/**
 * --precision: 'f32' (default), 'f16-storage' (activations stored as f16) or 'f16-math' (stored
 * as f16, convolutions and matrix products computed in f16: shader-f16): graph/half-storage.ts.
 */
export function storageOf(flags: DetectFlags): Storage {
  const p = flags.precision ?? 'f32';
  if (p === 'f32') return 'f32';
  if (p === 'f16-storage') return 'f16';
  if (p === 'f16-math') return 'f16-math';
  throw new UsageError(`--precision must be f32, f16-storage or f16-math, got '${String(p)}'`);
}

export interface CliRun<R> {
  /** What the summary calls the detections (faces, text boxes, objects). */
  countName: string;
  detect(images: RgbImage[]): Promise<R[]>;
  line(file: string, result: R): Line;
  shapes(result: R): OverlayShape[];
  count(result: R): number;
}

export interface CliModel {
  name: string;
  /** Checks this model's flags (UsageError on a bad value) before any GPU work; returns the run factory. */
  prepare(flags: DetectFlags): (ctx: GpuContext) => Promise<CliRun<unknown>>;
}


/** The object without its undefined values (flags not given fall back to each model's defaults). */
export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Runs a resolve function, turning its RangeError into a UsageError (exit code 2). */
export function usage<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const mtcnn: CliModel = {
  name: 'mtcnn',
  prepare(flags) {
    const storage = storageOf(flags);
    const nms = flags.nms === undefined ? undefined : String(flags.nms).split(',').map(Number);
    if (nms && (nms.length !== 4 || nms.some((v) => !Number.isFinite(v)))) throw new UsageError(`--nms for mtcnn expects 4 comma-separated numbers (PNet per scale, PNet across scales, RNet, ONet), got '${String(flags.nms)}'`);
    // A profile's conventions first, explicit flags over them.
    const profile = flags.profile === undefined ? {} : usage(() => mtcnnConvention(String(flags.profile)).options);
    const options: MtcnnOptions = usage(() =>
      resolveMtcnnOptions({
        ...profile,
        ...defined({
          minFaceSize: flags.minFace as number | undefined,
          factor: flags.factor as number | undefined,
          thresholds: flags.thresholds as MtcnnOptions['thresholds'] | undefined,
          nms: nms as MtcnnOptions['nms'] | undefined,
          channelOrder: flags.channelOrder as MtcnnOptions['channelOrder'] | undefined,
          nmsOrder: flags.nmsOrder as MtcnnOptions['nmsOrder'] | undefined,
          pyramidLevels: flags.pyramidLevels as MtcnnOptions['pyramidLevels'] | undefined,
          pyramidResampling: flags.pyramidResampling as MtcnnOptions['pyramidResampling'] | undefined,
          cropResampling: flags.cropResampling as MtcnnOptions['cropResampling'] | undefined,
          cropBorder: flags.cropBorder as MtcnnOptions['cropBorder'] | undefined,
          boxes: flags.boxes as MtcnnOptions['boxes'] | undefined,
        }),
      }),
    );
    const detectOptions: MtcnnDetectOptions = { ...options, stages: !!flags.stages };
    const clm = clmFlags(flags);
    return async (ctx) => {
      // The fitter first: on lavapipe its pipelines then compile on the helper device while MTCNN's
      // models load and its first batch runs (gpu/jit-warmer.ts).
      const fitShapes = clm ? await createClmStep(ctx, clm) : undefined;
      const detector = await MtcnnDetector.create(ctx, { pnet: await loadPackagedGraph('mtcnn', 'pnet'), rnet: await loadPackagedGraph('mtcnn', 'rnet'), onet: await loadPackagedGraph('mtcnn', 'onet') }, { storage });
      const run: CliRun<FaceResult> = {
        countName: 'faces',
        detect: async (images) => {
          const found = (await detector.detect(images, detectOptions)).images;
          if (!fitShapes) return found;
          const shapes = await fitShapes(images, found.map((r) => r.faces));
          return found.map((r, i) => ({ ...r, shapes: shapes[i]! }));
        },
        line: faceLine,
        count: (r) => r.faces.length,
        shapes: (r) =>
          r.faces.flatMap((f, i): OverlayShape[] => [
            { kind: 'box', box: f.box, label: f.score.toFixed(3) },
            ...f.landmarks.map((p): OverlayShape => ({ kind: 'point', at: p, color: '#ff3366' })),
            ...(r.shapes?.[i]?.points.map((p): OverlayShape => ({ kind: 'point', at: p, color: r.shapes![i]!.converged ? '#33ddff' : '#ffcc00', size: 0.6 })) ?? []),
          ]),
      };
      return run as CliRun<unknown>;
    };
  },
};

const ppocrDet: CliModel = {
  name: 'ppocr-det',
  prepare(flags) {
    const storage = storageOf(flags);
    const options: TextDetOptions = usage(() =>
      resolveTextDetOptions(
        defined({
          limitSideLen: flags.limitSide as number | undefined,
          threshold: flags.binarize as number | undefined,
          boxThreshold: flags.boxThreshold as number | undefined,
          unclipRatio: flags.unclipRatio as number | undefined,
          maxCandidates: flags.maxCandidates as number | undefined,
          channelOrder: flags.channelOrder as TextDetOptions['channelOrder'] | undefined,
          dilation: flags.dilation as number | undefined,
        }),
      ),
    );
    return async (ctx) => {
      const detector = TextDetector.create(ctx, await loadPpocrDetGraph(), { storage });
      const run: CliRun<TextResult> = {
        countName: 'text boxes',
        detect: async (images) => (await detector.detect(images, options)).images,
        line: textLine,
        count: (r) => r.boxes.length,
        shapes: (r) => r.boxes.map((b): OverlayShape => ({ kind: 'polygon', points: b.polygon, label: b.score.toFixed(2), color: '#ff0066' })),
      };
      return run as CliRun<unknown>;
    };
  },
};

const PALETTE = ['#00ff66', '#ff3366', '#33aaff', '#ffcc00', '#cc66ff', '#00ddcc', '#ff8833', '#aaff33'];

/** A grid model's CLI: the model loaded from `load`, options from the grid flags. */
function gridCli(name: string, load: () => GridModel, countName: string): CliModel {
  return {
    name,
    prepare(flags) {
      const storage = storageOf(flags);
      const options = gridOptionFlags(flags);
      const stages = !!flags.stages;
      return async (ctx) => {
        const detector = GridDetector.create(ctx, load(), { storage });
        usage(() => detector.resolve(options));
        const run: CliRun<GridDetections> = {
          countName,
          detect: async (images) => (await detector.detect(images, { ...options, stages })).images,
          line: gridLine,
          count: (r) => r.detections.length,
          shapes: (r) => r.detections.map((d): OverlayShape => ({ kind: 'box', box: d.box, label: `${d.label ?? d.class} ${d.score.toFixed(2)}`, color: PALETTE[d.class % PALETTE.length] })),
        };
        return run as CliRun<unknown>;
      };
    },
  };
}

/** The packaged grid models by name. */
export const GRID_MODELS: Readonly<Record<string, () => GridModel>> = { 'tiny-face': loadTinyFaceModel, 'ssd-oid': loadSsdOidModel, centernet: loadCenterNetModel };

/** A packaged grid model, or a user's .onnx decoded as the flags say (their errors are UsageErrors); undefined otherwise. */
export function gridModelLoader(name: string, flags: DetectFlags): (() => GridModel) | undefined {
  if (name in GRID_MODELS) return GRID_MODELS[name];
  if (!name.endsWith('.onnx')) return undefined;
  const spec = userModelFlags(flags);
  const input = flags.input !== undefined ? parseInputSize(flags.input) : undefined;
  return () => usage(() => loadUserOnnxModel(name, spec, input));
}

export const CLI_MODELS: readonly CliModel[] = [
  mtcnn,
  ppocrDet,
  gridCli('tiny-face', loadTinyFaceModel, 'faces'),
  gridCli('ssd-oid', loadSsdOidModel, 'objects'),
  gridCli('centernet', loadCenterNetModel, 'objects'),
];

/** `--model path/to/model.onnx`: a user's grid detector, decoded as the flags say. */
export function onnxCliModel(path: string, flags: DetectFlags): CliModel {
  return gridCli(path, gridModelLoader(path, flags)!, 'objects');
}
