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
import { loadPackagedGraph } from '../io/node-models.js';
import { writeFaceOverlay } from '../io/overlay.js';
import { MtcnnDetector } from '../pipelines/mtcnn/detector.js';
import { DEFAULT_MTCNN_OPTIONS, resolveMtcnnOptions, type MtcnnOptionsInput } from '../pipelines/mtcnn/options.js';
import type { ImageDetections, RgbImage } from '../pipelines/mtcnn/types.js';
import { ExitCode, UsageError } from './exit-codes.js';

interface DetectCliOptions {
  model: string;
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

const MODELS = ['mtcnn'];

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
    .description('detect faces in images; writes one JSON line per image: {file, width, height, faces:[{box:[x,y,w,h], score, landmarks}], stages}')
    .argument('<inputs...>', 'image files, directories (searched recursively) or glob patterns')
    .option('--model <name>', `detector (${MODELS.join(', ')})`, 'mtcnn')
    .option('--batch <n>', 'images per GPU batch (one submit, one readback each)', positiveInt, 8)
    .option('--out <file.jsonl>', 'append JSON lines to this file (default: standard output)')
    .option('--overlays <dir>', 'write a PNG per image with boxes and landmarks drawn')
    .option('--min-face <px>', 'smallest face to detect', positiveNumber, DEFAULT_MTCNN_OPTIONS.minFaceSize)
    .option('--factor <f>', 'pyramid scale factor', positiveNumber, DEFAULT_MTCNN_OPTIONS.factor)
    .option('--thresholds <p,r,o>', 'PNet, RNet, ONet score thresholds', numberList(3), [...DEFAULT_MTCNN_OPTIONS.thresholds])
    .option('--nms <a,b,c,d>', 'NMS thresholds: PNet per scale, PNet all scales, RNet, ONet (Min)', numberList(4))
    .option('--stages', 'add every candidate of every stage (box, score, logit margin) to each line')
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

      const ctx = await acquireGpu({ adapter: o.adapter });
      const detector = await MtcnnDetector.create(ctx, {
        pnet: await loadPackagedGraph('mtcnn', 'pnet'),
        rnet: await loadPackagedGraph('mtcnn', 'rnet'),
        onet: await loadPackagedGraph('mtcnn', 'onet'),
      });
      const bar = o.progress && process.stderr.isTTY && files.length > 1 ? new SingleBar({ format: 'detect [{bar}] {value}/{total} images | {faces} faces | {rate} img/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true }) : undefined;
      let faces = 0;
      let done = 0;
      bar?.start(files.length, 0, { faces: 0, rate: '-' });
      for (let b = 0; b < files.length; b += o.batch) {
        const batch = files.slice(b, b + o.batch);
        const decoded = await Promise.allSettled(batch.map((f) => decodeImage(f)));
        const lines: Array<Record<string, unknown> | undefined> = decoded.map((d, i) => (d.status === 'rejected' ? { file: batch[i]!, error: (d.reason as Error).message } : undefined));
        const ok = decoded.flatMap((d, i) => (d.status === 'fulfilled' ? [{ i, image: d.value }] : []));
        const detectAll = async (items: Array<{ i: number; image: RgbImage }>) => {
          try {
            const result = await detector.detect(items.map((x) => x.image), { options: mtcnn, stages: o.stages });
            items.forEach((x, k) => (lines[x.i] = faceLine(batch[x.i]!, result.images[k]!)));
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
              await writeFaceOverlay(batch[i]!, decodedResult(line), join(o.overlays!, name));
            }),
          );
        }
        const complete = lines.map((l, i) => l ?? { file: batch[i]!, error: 'not processed' });
        failed += complete.filter((l) => 'error' in l).length;
        faces += complete.reduce((s, l) => s + ((l.faces as unknown[] | undefined)?.length ?? 0), 0);
        write(complete);
        done += batch.length;
        bar?.update(done, { faces, rate: (done / ((performance.now() - started) / 1000)).toFixed(2) });
      }
      bar?.stop();
      const seconds = (performance.now() - started) / 1000;
      if (!o.quiet) {
        process.stderr.write(
          `webgpu-detect: ${files.length + missing.length} images (${failed} failed), ${faces} faces in ${seconds.toFixed(1)} s ` +
            `(${(files.length / seconds).toFixed(2)} images/s, batch ${o.batch}) on ${ctx.adapter.name}; ` +
            `${ctx.stats.submits} submits, ${ctx.stats.readbacks} GPU readbacks${o.out ? `; lines appended to ${o.out}` : ''}\n`,
        );
      }
      if (failed > 0) process.exitCode = ExitCode.SOME_INPUTS_FAILED;
    });
}

function decodedResult(line: Record<string, unknown>): ImageDetections {
  return { width: line.width as number, height: line.height as number, faces: line.faces as ImageDetections['faces'], stages: line.stages as ImageDetections['stages'] };
}
