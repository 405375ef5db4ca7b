// The page's detectors: each model loaded in the browser from the files `webgpu-detect serve`
// serves from the package (/models/... for converted models, /model/<name>/<role> for files read
// from npm packages, sha256-checked by the server), run with the same options as the CLI's
// defaults, and turned into the CLI's JSON lines (io/result-lines.ts) and overlay shapes.
import type { GpuContext } from '../gpu/context.js';
import { readOnnx } from '../import/onnx/reader.js';
import { onnxToGraph } from '../import/onnx/to-graph.js';
import { fetchClmModel, fetchGraph } from '../io/browser-image.js';
import { faceLine, gridLine, textLine, type FaceResult, type Line } from '../io/result-lines.js';
import { LandmarkFitter } from '../pipelines/clm/fitter.js';
import { resolveClmOptions } from '../pipelines/clm/options.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import { GridDetector } from '../pipelines/grid/detector.js';
import { centerNetFromFiles, ssdOidFromFiles, tinyFaceFromFiles } from '../pipelines/grid/models/from-files.js';
import type { GridModel } from '../pipelines/grid/types.js';
import { MtcnnDetector } from '../pipelines/mtcnn/detector.js';
import { resolveMtcnnOptions } from '../pipelines/mtcnn/options.js';
import { TextDetector } from '../pipelines/textdet/detector.js';
import { resolveTextDetOptions } from '../pipelines/textdet/options.js';

export type Shape = { kind: 'box'; box: number[]; label: string; color: string } | { kind: 'point'; at: readonly number[]; color: string } | { kind: 'polygon'; points: number[][]; label: string; color: string };

/** What the page shows of one image. */
export interface PageResult {
  line: Line;
  shapes: Shape[];
  /** Per-stage counts (MTCNN) or the number found. */
  counts: Record<string, number>;
}

export interface PageRun {
  results: PageResult[];
  /** GPU milliseconds per stage (timestamp queries), when the adapter has them. */
  gpuMs?: Record<string, number>;
}

export interface PageOptions {
  minFace: number;
  conf?: number;
  iou?: number;
}

export type PageDetector = (images: RgbImage[], names: string[], o: PageOptions) => Promise<PageRun>;

export const PAGE_MODELS = ['mtcnn', 'mtcnn+clm', 'tiny-face', 'ssd-oid', 'centernet', 'ppocr-det'] as const;
export type PageModelName = (typeof PAGE_MODELS)[number];

async function bytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

const PALETTE = ['#00ff66', '#ff3366', '#33aaff', '#ffcc00', '#cc66ff', '#00ddcc', '#ff8833', '#aaff33'];

async function gridModel(name: string): Promise<GridModel> {
  if (name === 'tiny-face') {
    const weights = await bytes('/model/tiny-face/weights');
    return tinyFaceFromFiles(await bytes('/model/tiny-face/manifest'), () => weights, 'tiny-face manifest');
  }
  if (name === 'ssd-oid') return ssdOidFromFiles(await bytes('/model/ssd-oid/labels'), await bytes('/model/ssd-oid/tflite'), 'ssd-oid.tflite');
  const weights = await bytes('/model/centernet/weights');
  return centerNetFromFiles(await bytes('/model/centernet/model'), () => weights, 'centernet.json');
}

/** Loads a model's files and returns its detector. */
export async function loadPageDetector(ctx: GpuContext, name: PageModelName): Promise<PageDetector> {
  if (name === 'mtcnn' || name === 'mtcnn+clm') {
    const detector = await MtcnnDetector.create(ctx, { pnet: await fetchGraph('/models/mtcnn/pnet.graph.json'), rnet: await fetchGraph('/models/mtcnn/rnet.graph.json'), onet: await fetchGraph('/models/mtcnn/onet.graph.json') });
    const fitter = name === 'mtcnn+clm' ? LandmarkFitter.create(ctx, await fetchClmModel('/models/clm/clmtrackr-pca-20-svm.clm.json')) : undefined;
    return async (images, names, o) => {
      const batch = await detector.detect(images, { ...resolveMtcnnOptions({ minFaceSize: o.minFace }), timing: 'stages' });
      let found: FaceResult[] = batch.images;
      if (fitter) {
        const list = found.flatMap((r, image) => r.faces.map((f) => ({ image, landmarks: f.landmarks })));
        const fits = (await fitter.fit(images, list, resolveClmOptions({}))).images;
        let at = 0;
        found = found.map((r) => ({ ...r, shapes: fits.slice(at, (at += r.faces.length)) }));
      }
      return {
        gpuMs: batch.stats.gpuMs,
        results: found.map((r, i) => ({
          line: faceLine(names[i]!, r),
          counts: { ...r.stages },
          shapes: r.faces.flatMap((f, k): Shape[] => [
            { kind: 'box', box: [...f.box], label: f.score.toFixed(3), color: '#00ff66' },
            ...f.landmarks.map((p): Shape => ({ kind: 'point', at: p, color: '#ff3366' })),
            ...(r.shapes?.[k]?.points.map((p): Shape => ({ kind: 'point', at: p, color: '#33ddff' })) ?? []),
          ]),
        })),
      };
    };
  }
  if (name === 'ppocr-det') {
    const graph = onnxToGraph(readOnnx(await bytes('/model/ppocr-det/onnx'), 'ch_PP-OCRv4_det_infer.onnx'), { name: 'ppocr-det' }).graph;
    const detector = TextDetector.create(ctx, graph);
    return async (images, names) => {
      const batch = await detector.detect(images, { ...resolveTextDetOptions({}), timing: 'stages' });
      return {
        gpuMs: batch.stats.gpuMs,
        results: batch.images.map((r, i) => ({
          line: textLine(names[i]!, r),
          counts: { boxes: r.boxes.length },
          shapes: r.boxes.map((b): Shape => ({ kind: 'polygon', points: b.polygon.map((p) => [...p]), label: b.score.toFixed(2), color: '#ff0066' })),
        })),
      };
    };
  }
  const detector = GridDetector.create(ctx, await gridModel(name));
  return async (images, names, o) => {
    const batch = await detector.detect(images, { ...(o.conf !== undefined ? { conf: o.conf } : {}), ...(o.iou !== undefined ? { iou: o.iou } : {}), timing: 'stages' });
    return {
      gpuMs: batch.stats.gpuMs,
      results: batch.images.map((r, i) => ({
        line: gridLine(names[i]!, r),
        counts: { candidates: r.candidates, kept: r.detections.length },
        shapes: r.detections.map((d): Shape => ({ kind: 'box', box: [...d.box], label: `${d.label ?? d.class} ${d.score.toFixed(2)}`, color: PALETTE[d.class % PALETTE.length]! })),
      })),
    };
  };
}
