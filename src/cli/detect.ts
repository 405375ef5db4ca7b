// `webgpu-detect detect`: images (files, directories, globs) -> one JSON line per image. Batches are
// decoded, detected on the GPU and appended to the output (flushed per batch, so finished lines are
// never lost); an unreadable image gets an error line and the run goes on (exit code 4 at the end).
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { acquireGpu } from '../gpu/device.js';
import { decodeImage } from '../io/node-image.js';
import { resolveInputs } from '../io/inputs.js';
import { loadPackagedGraph, loadPpocrDetGraph } from '../io/node-models.js';
import { writeFaceOverlay, writePolygonOverlay } from '../io/overlay.js';
import { MtcnnDetector } from '../pipelines/mtcnn/detector.js';
import { DEFAULT_MTCNN_OPTIONS, resolveMtcnnOptions, type MtcnnOptionsInput } from '../pipelines/mtcnn/options.js';
import type { ImageDetections, RgbImage } from '../pipelines/mtcnn/types.js';
import { TextDetector } from '../pipelines/textdet/detector.js';
import { DEFAULT_TEXTDET_OPTIONS, resolveTextDetOptions, type TextDetOptions } from '../pipelines/textdet/options.js';
import type { TextDetections } from '../pipelines/textdet/types.js';
import type { GpuContext } from '../gpu/context.js';
import { ExitCode, UsageError } from './exit-codes.js';

interface DetectCliOptions {
  model: string;
  limitSide: number;
  binarize: number;
  boxThreshold: number;
  unclipRatio: number;
  maxCandidates: number;
  channelOrder: string;
  dilation: number;
  batch: number;
  out?: string;
  overlays?: string;
  minFace: number;
  factor: number;
  thresholds: number[];
  nms?: number[];
  stages?: boolean;
  adapter?: string;
  progress: boolean;
  quiet?: boolean;
}

const MODELS = ['mtcnn', 'ppocr-det'];

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function numberList(count: number) {
  return (value: string): number[] => {
    const list = value.split(',').map(Number);
    if (list.length !== count || list.some((v) => !Number.isFinite(v))) throw new InvalidArgumentError(`expected ${count} comma-separated numbers`);
    return list;
  };
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

export function faceLine(file: string, r: ImageDetections): Record<string, unknown> {
  return {
    file,
    width: r.width,
    height: r.height,
    faces: r.faces.map((f) => ({ box: f.box.map((v) => round(v, 2)), score: round(f.score, 6), landmarks: f.landmarks.map(([x, y]) => [round(x, 2), round(y, 2)]) })),
    stages: r.stages,
    ...(r.candidates
      ? { candidates: Object.fromEntries(Object.entries(r.candidates).map(([stage, list]) => [stage, list.map((c) => ({ box: c.box.map((v) => round(v, 2)), score: round(c.score, 6), margin: round(c.rank, 4), key: c.key }))])) }
      : {}),
  };
}

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('detect faces (mtcnn) or text (ppocr-det) in images; one JSON line per image: mtcnn {file, width, height, faces:[{box:[x,y,w,h], score, landmarks}], stages}; ppocr-det {file, width, height, polygons:[[[x,y] x 4]], scores, components}')
    .argument('<inputs...>', 'image files, directories (searched recursively) or glob patterns')
    .option('--model <name>', `detector (${MODELS.join(', ')})`, 'mtcnn')
    .option('--batch <n>', 'images per GPU batch (one submit, one readback each)', positiveInt, 8)
    .option('--out <file.jsonl>', 'append JSON lines to this file (default: standard output)')
    .option('--overlays <dir>', 'write a PNG per image with boxes and landmarks drawn')
    .option('--min-face <px>', 'smallest face to detect', positiveNumber, DEFAULT_MTCNN_OPTIONS.minFaceSize)
    .option('--factor <f>', 'pyramid scale factor', positiveNumber, DEFAULT_MTCNN_OPTIONS.factor)
    .option('--thresholds <p,r,o>', 'PNet, RNet, ONet score thresholds', numberList(3), [...DEFAULT_MTCNN_OPTIONS.thresholds])
    .option('--nms <a,b,c,d>', 'NMS thresholds: PNet per scale, PNet all scales, RNet, ONet (Min)', numberList(4))
    .option('--stages', 'mtcnn: add every candidate of every stage (box, score, logit margin) to each line')
    .option('--limit-side <px>', 'ppocr-det: longest side of the network input (PaddleOCR limit_side_len)', positiveInt, DEFAULT_TEXTDET_OPTIONS.limitSideLen)
    .option('--binarize <t>', 'ppocr-det: probability threshold of the binary map', positiveNumber, DEFAULT_TEXTDET_OPTIONS.threshold)
    .option('--box-threshold <t>', 'ppocr-det: minimum mean probability inside a box', Number, DEFAULT_TEXTDET_OPTIONS.boxThreshold)
    .option('--unclip-ratio <r>', 'ppocr-det: box growth ratio', positiveNumber, DEFAULT_TEXTDET_OPTIONS.unclipRatio)
    .option('--max-candidates <n>', 'ppocr-det: components considered per image', positiveInt, DEFAULT_TEXTDET_OPTIONS.maxCandidates)
    .option('--channel-order <bgr|rgb>', 'ppocr-det: channel order fed to the network', DEFAULT_TEXTDET_OPTIONS.channelOrder)
    .option('--dilation <k>', 'ppocr-det: dilate the binary map by a k x k square (0: off; PaddleOCR use_dilation = 2)', Number, DEFAULT_TEXTDET_OPTIONS.dilation)
    .option('--adapter <name>', 'auto | lavapipe | swiftshader | path to a Vulkan ICD .json')
    .option('--no-progress', 'no progress bar (it is only shown on a terminal anyway)')
    .option('--quiet', 'no summary on standard error')
    .action(async (inputs: string[], o: DetectCliOptions) => {
      if (!MODELS.includes(o.model)) throw new UsageError(`unknown model '${o.model}' (known: ${MODELS.join(', ')})`);
      const mtcnn: MtcnnOptionsInput = {
        minFaceSize: o.minFace,
        factor: o.factor,
        thresholds: o.thresholds as [number, number, number],
        ...(o.nms ? { nms: { pnetScale: o.nms[0]!, pnetAll: o.nms[1]!, rnet: o.nms[2]!, onet: o.nms[3]! } } : {}),
      };
      try {
        resolveMtcnnOptions(mtcnn); // bad values fail before any work
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const started = performance.now();
      const { files, missing } = await resolveInputs(inputs);
      const write = (lines: Array<Record<string, unknown>>) => {
        if (lines.length === 0) return;
        const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
        if (o.out) appendFileSync(o.out, text);
        else process.stdout.write(text);
      };
      let failed = missing.length;
      write(missing.map(([file, error]) => ({ file, error })));
      if (o.overlays) mkdirSync(o.overlays, { recursive: true });

      const text: Partial<TextDetOptions> = {
        limitSideLen: o.limitSide, threshold: o.binarize, boxThreshold: o.boxThreshold, unclipRatio: o.unclipRatio,
        maxCandidates: o.maxCandidates, channelOrder: o.channelOrder as TextDetOptions['channelOrder'], dilation: o.dilation,
      };
      try {
        resolveTextDetOptions(text);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const ctx = await acquireGpu({ adapter: o.adapter });
      const model = o.model === 'mtcnn' ? await faceModel(ctx, mtcnn, !!o.stages) : await textModel(ctx, text);
      const bar = o.progress && process.stderr.isTTY && files.length > 1 ? new SingleBar({ format: 'detect [{bar}] {value}/{total} images | {faces} {what} | {rate} img/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true }) : undefined;
      let faces = 0;
      let done = 0;
      bar?.start(files.length, 0, { faces: 0, rate: '-', what: model.countName });
      for (let b = 0; b < files.length; b += o.batch) {
        const batch = files.slice(b, b + o.batch);
        const decoded = await Promise.allSettled(batch.map((f) => decodeImage(f)));
        const lines: Array<Record<string, unknown> | undefined> = decoded.map((d, i) => (d.status === 'rejected' ? { file: batch[i]!, error: (d.reason as Error).message } : undefined));
        const ok = decoded.flatMap((d, i) => (d.status === 'fulfilled' ? [{ i, image: d.value }] : []));
        const detectAll = async (items: Array<{ i: number; image: RgbImage }>) => {
          try {
            const result = await model.detect(items.map((x) => x.image), items.map((x) => batch[x.i]!));
            items.forEach((x, k) => (lines[x.i] = result[k]!));
          } catch (err) {
            // Isolate the image that failed (e.g. too large for the adapter) and keep the others.
            if (items.length > 1) for (const x of items) await detectAll([x]);
            else lines[items[0]!.i] = { file: batch[items[0]!.i]!, error: `detection failed: ${(err as Error).message}` };
          }
        };
        if (ok.length) await detectAll(ok);
        if (o.overlays) {
          await Promise.all(
            lines.map(async (line, i) => {
              if (!line || 'error' in line) return;
              const name = `${basename(batch[i]!, extname(batch[i]!))}.png`;
              await model.overlay(batch[i]!, line, join(o.overlays!, name));
            }),
          );
        }
        const complete = lines.map((l, i) => l ?? { file: batch[i]!, error: 'not processed' });
        failed += complete.filter((l) => 'error' in l).length;
        faces += complete.reduce((s, l) => s + ((l[model.countKey] as unknown[] | undefined)?.length ?? 0), 0);
        write(complete);
        done += batch.length;
        bar?.update(done, { faces, rate: (done / ((performance.now() - started) / 1000)).toFixed(2), what: model.countName });
      }
      bar?.stop();
      const seconds = (performance.now() - started) / 1000;
      if (!o.quiet) {
        process.stderr.write(
          `webgpu-detect: ${files.length + missing.length} images (${failed} failed), ${faces} ${model.countName} in ${seconds.toFixed(1)} s ` +
            `(${(files.length / seconds).toFixed(2)} images/s, batch ${o.batch}) on ${ctx.adapter.name}; ` +
            `${ctx.stats.submits} submits, ${ctx.stats.readbacks} GPU readbacks${o.out ? `; lines appended to ${o.out}` : ''}\n`,
        );
      }
      if (failed > 0) process.exitCode = ExitCode.SOME_INPUTS_FAILED;
    });
}

type Line = Record<string, unknown>;

interface CliModel {
  /** JSON key holding the detections, and what they are called in the summary. */
  countKey: string;
  countName: string;
  detect(images: RgbImage[], files: string[]): Promise<Line[]>;
  overlay(file: string, line: Line, out: string): Promise<void>;
}

async function faceModel(ctx: GpuContext, options: MtcnnOptionsInput, stages: boolean): Promise<CliModel> {
  const detector = await MtcnnDetector.create(ctx, {
    pnet: await loadPackagedGraph('mtcnn', 'pnet'),
    rnet: await loadPackagedGraph('mtcnn', 'rnet'),
    onet: await loadPackagedGraph('mtcnn', 'onet'),
  });
  return {
    countKey: 'faces',
    countName: 'faces',
    async detect(images, files) {
      const result = await detector.detect(images, { options, stages });
      return result.images.map((r, i) => faceLine(files[i]!, r));
    },
    overlay: (file, line, out) =>
      writeFaceOverlay(file, { width: line.width as number, height: line.height as number, faces: line.faces as ImageDetections['faces'], stages: line.stages as ImageDetections['stages'] }, out),
  };
}

export function textLine(file: string, r: TextDetections): Line {
  return {
    file,
    width: r.width,
    height: r.height,
    polygons: r.boxes.map((b) => b.polygon),
    scores: r.boxes.map((b) => round(b.score, 6)),
    components: r.components,
    network: [r.networkWidth, r.networkHeight],
  };
}

async function textModel(ctx: GpuContext, options: Partial<TextDetOptions>): Promise<CliModel> {
  const detector = TextDetector.create(ctx, await loadPpocrDetGraph());
  return {
    countKey: 'polygons',
    countName: 'text boxes',
    async detect(images, files) {
      const result = await detector.detect(images, { options });
      return result.images.map((r, i) => textLine(files[i]!, r));
    },
    overlay: (file, line, out) => writePolygonOverlay(file, line.width as number, line.height as number, line.polygons as Array<Array<[number, number]>>, line.scores as number[], out),
  };
}
