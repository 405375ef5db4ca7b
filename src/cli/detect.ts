// `webgpu-detect detect`: images (files, directories, globs) -> one JSON line per image. Batches are
// decoded, detected on the GPU and appended to the output (flushed per batch, so finished lines are
// never lost); an unreadable image gets an error line and the run goes on (exit code 4 at the end).
// Each model reads and validates only its own flags (detect-models.ts).
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { acquireGpu } from '../gpu/device.js';
import { resolveInputs } from '../io/inputs.js';
import { prepareResume } from '../io/resume.js';
import { writeOverlay } from '../io/overlay.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import { MTCNN_CONVENTIONS } from '../pipelines/mtcnn/conventions.js';
import { DEFAULT_MTCNN_OPTIONS } from '../pipelines/mtcnn/options.js';
import { DEFAULT_TEXTDET_OPTIONS } from '../pipelines/textdet/options.js';
import { CLI_MODELS, onnxCliModel, type CliModel, type CliRun, type DetectFlags, type Line } from './detect-models.js';
import { decodedBatches, type DecodedBatch } from './decoded-batches.js';
import { ExitCode, UsageError } from './exit-codes.js';

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

/** A model's flag: no commander default (the model applies its own), the default shown in --help. */
function modelOption(flags: string, description: string, parse?: (v: string) => unknown, shownDefault?: unknown): Option {
  const option = new Option(flags, description + (shownDefault !== undefined ? ` (default: ${Array.isArray(shownDefault) ? shownDefault.join(',') : String(shownDefault)})` : ''));
  if (parse) option.argParser(parse);
  return option;
}

interface CommonFlags {
  model: string;
  batch: number;
  out?: string;
  overlays?: string;
  adapter?: string;
  progress: boolean;
  quiet?: boolean;
  resume?: boolean;
  retryErrors?: boolean;
}

export function registerDetect(program: Command): void {
  const names = () => CLI_MODELS.map((m) => m.name).join(', ');
  const detect = program
    .command('detect')
    .description(
      'detect faces (mtcnn, tiny-face), text (ppocr-det) or objects (ssd-oid, centernet, your .onnx) in images; one JSON line per image: mtcnn {file, width, height, faces:[{box:[x,y,w,h], score, landmarks}], stages}; ppocr-det {file, width, height, polygons:[[[x,y] x 4]], scores, components}; grid models {file, width, height, detections:[{box:[x,y,w,h], score, class, label}]}',
    )
    .argument('<inputs...>', 'image files, directories (searched recursively) or glob patterns')
    .option('--model <name>', `detector: ${names()}, or path/to/model.onnx (webgpu-detect models lists them)`, 'mtcnn')
    .option('--batch <n>', 'images per GPU batch (one submit, one readback each)', positiveInt, 8)
    .option('--out <file.jsonl>', 'append JSON lines to this file (default: standard output)')
    .option('--overlays <dir>', 'write a PNG per image with the detections drawn');
  addModelOptions(detect)
    .option('--resume', 'with --out: skip inputs that already have a line in the file (a result or an error); a last line cut short by a crash is removed and redone')
    .option('--retry-errors', 'with --resume: also redo the inputs whose line is an error (their old lines are removed)')
    .option('--adapter <name>', 'auto | lavapipe | swiftshader | path to a Vulkan ICD .json')
    .option('--no-progress', 'no progress bar (it is only shown on a terminal anyway)')
    .option('--quiet', 'no summary on standard error')
    .action(async (inputs: string[], flags: CommonFlags & DetectFlags) => {
      const model = resolveCliModel(flags.model, flags);
      if (flags.resume && !flags.out) throw new UsageError('--resume needs --out FILE (the lines of the earlier run)');
      if (flags.retryErrors && !flags.resume) throw new UsageError('--retry-errors goes with --resume');
      const create = model.prepare(flags); // bad values fail before any work
      const started = performance.now();
      const resolved = await resolveInputs(inputs);
      const resume = flags.resume ? prepareResume(flags.out!, { retryErrors: flags.retryErrors }) : undefined;
      const files = resume ? resolved.files.filter((f) => !resume.done.has(f)) : resolved.files;
      const missing = resume ? resolved.missing.filter(([f]) => !resume.done.has(f)) : resolved.missing;
      if (resume && !flags.quiet) {
        process.stderr.write(
          `webgpu-detect: resuming ${flags.out}: ${resolved.files.length + resolved.missing.length - files.length - missing.length} inputs already have a line` +
            `${resume.keptErrors ? ` (${resume.keptErrors} errors kept${flags.retryErrors ? '' : '; --retry-errors redoes them'})` : ''}, ${files.length + missing.length} to go` +
            `${resume.cutTail ? '; a last line cut short was removed' : ''}${resume.dropped ? `; ${resume.dropped} unreadable or repeated lines removed` : ''}${resume.retried ? `; ${resume.retried} error lines removed to retry` : ''}\n`,
        );
      }
      const ctx = await acquireGpu({ adapter: flags.adapter });
      const run = await create(ctx);
      const out = new LineWriter(flags.out);
      let failed = missing.length;
      out.write(missing.map(([file, error]) => ({ file, error })));
      if (flags.overlays) mkdirSync(flags.overlays, { recursive: true });
      const bar = flags.progress && process.stderr.isTTY && files.length > 1 ? new SingleBar({ format: 'detect [{bar}] {value}/{total} images | {found} {what} | {rate} img/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true }) : undefined;
      let found = 0;
      let done = 0;
      bar?.start(files.length, 0, { found: 0, rate: '-', what: run.countName });
      let detectMs = 0;
      for await (const decoded of decodedBatches(files, flags.batch)) {
        const batch = decoded.files;
        const detectStart = performance.now();
        const lines = await detectDecoded(run, decoded, flags.overlays);
        detectMs += performance.now() - detectStart;
        failed += lines.filter((l) => 'error' in l).length;
        found += lines.reduce((s, l) => s + ((l.__count as number | undefined) ?? 0), 0);
        out.write(lines.map(({ __count, ...line }) => line));
        done += batch.length;
        bar?.update(done, { found, rate: (done / ((performance.now() - started) / 1000)).toFixed(2), what: run.countName });
      }
      bar?.stop();
      const seconds = (performance.now() - started) / 1000;
      if (!flags.quiet) {
        process.stderr.write(
          `webgpu-detect: ${files.length + missing.length} images (${failed} failed), ${found} ${run.countName} in ${seconds.toFixed(1)} s ` +
            `(${(files.length / seconds).toFixed(2)} images/s, batch ${flags.batch}, model ${model.name}) on ${ctx.adapter.name}; ` +
            `${ctx.stats.submits} submits, ${ctx.stats.readbacks} GPU readbacks, ${ctx.pipelines.describe()}, ${(detectMs / 1000).toFixed(1)} s of it detecting (upload, GPU, readback; the rest is start-up, decoding not hidden behind the GPU, writing)${flags.out ? `; lines appended to ${flags.out}` : ''}\n`,
        );
      }
      // Error lines kept from the earlier run count too: the file still has failed inputs.
      if (failed > 0 || (resume?.keptErrors ?? 0) > 0) process.exitCode = ExitCode.SOME_INPUTS_FAILED;
    });
}

/** Appends JSON lines to a file (or standard output), once per batch. */
class LineWriter {
  constructor(private readonly file: string | undefined) {}

  write(lines: readonly Line[]): void {
    if (lines.length === 0) return;
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    if (this.file) appendFileSync(this.file, text);
    else process.stdout.write(text);
  }
}

type BatchLine = Line & { __count?: number };

/**
 * Detects in a decoded batch; returns a line per file, in order (`__count`: detections, for the
 * summary). An image that fails is retried alone so the others keep their results; a failure never
 * stops the run.
 */
export async function detectDecoded(run: CliRun<unknown>, { files, images }: DecodedBatch, overlays: string | undefined): Promise<BatchLine[]> {
  const lines: Array<BatchLine | undefined> = images.map((d, i) => (d.status === 'rejected' ? { file: files[i]!, error: (d.reason as Error).message } : undefined));
  const ok = images.flatMap((d, i) => (d.status === 'fulfilled' ? [{ i, image: d.value }] : []));
  const results = new Map<number, unknown>();
  const detectAll = async (items: Array<{ i: number; image: RgbImage }>): Promise<void> => {
    try {
      const found = await run.detect(items.map((x) => x.image));
      items.forEach((x, k) => results.set(x.i, found[k]));
    } catch (err) {
      // Isolate the image that failed and keep the others.
      if (items.length > 1) for (const x of items) await detectAll([x]);
      else lines[items[0]!.i] = { file: files[items[0]!.i]!, error: `detection failed: ${(err as Error).message}` };
    }
  };
  if (ok.length) await detectAll(ok);
  for (const { i, image } of ok) {
    if (!results.has(i)) continue;
    const result = results.get(i);
    lines[i] = { ...run.line(files[i]!, result), __count: run.count(result) };
    if (overlays) await writeOverlay(image, run.shapes(result), join(overlays, `${basename(files[i]!, extname(files[i]!))}.png`));
  }
  return lines.map((l, i) => l ?? { file: files[i]!, error: 'not processed' });
}

/** Every model's flags (each model reads its own): detect and worker take the same. */
export function addModelOptions(command: Command): Command {
  return command
    .addOption(modelOption('--min-face <px>', 'mtcnn: smallest face to detect', positiveNumber, DEFAULT_MTCNN_OPTIONS.minFaceSize))
    .addOption(modelOption('--factor <f>', 'mtcnn: pyramid scale factor', positiveNumber, DEFAULT_MTCNN_OPTIONS.factor))
    .addOption(modelOption('--thresholds <p,r,o>', 'mtcnn: PNet, RNet, ONet score thresholds', numberList(3), DEFAULT_MTCNN_OPTIONS.thresholds))
    .addOption(modelOption('--nms <a,b,c,d|method>', `mtcnn: NMS thresholds: PNet per scale, PNet all scales, RNet, ONet (Min) (default: ${DEFAULT_MTCNN_OPTIONS.nms.join(',')}); grid models: greedy | soft | weighted | none (the best --max-det, no suppression)`))
    .addOption(modelOption('--landmarks <fitter>', 'mtcnn: fit facial landmarks to every face, from its 5 landmarks: clm (adds shape: {model, points, converged, iterations, likelihood} to each face)'))
    .addOption(modelOption('--clm-model <name|file>', `--landmarks clm: a packaged model (clmtrackr-pca-20-svm, clmtrackr-pca-10-svm, clmtrackr-spca-20-svm, clmtrackr-spca-10-svm), a .clm.json, or your OpenFace CLNF main_clnf_*.txt (non-commercial licence; never shipped)`, undefined, 'clmtrackr-pca-20-svm'))
    .addOption(modelOption('--clm-windows <ws,...>', '--landmarks clm: response window per stage: clmtrackr models, each a round (rho 10, 5, 1) (default: 10 rounds of 11, stopping once the shape settles); OpenFace models, one per scale (default 11,9,7,5)'))
    .addOption(modelOption('--clm-missing-sigma <error|diagonal>', "OpenFace models: a window without sigma components is an error at load (default), or runs OpenFace's silent fallback Sigma = I / (2 sum alpha)"))
    .addOption(modelOption('--clm-diagnostics', '--landmarks clm: per stage response statistics (min/max/mean/sum, non-finite, peak offsets and their bias) and per iteration mean-shift, |dp|, movement, clamps in shape.diagnostics'))
    .addOption(modelOption('--precision <f32|f16-storage|f16-math>', 'f16-storage: network activations between Conv/MaxPool/Gemm/PRelu layers stored as f16 (half their memory; f32 arithmetic; pack2x16float, so no shader-f16 needed); f16-math: also multiply and accumulate convolutions and matrix products in f16 (needs the adapter\'s shader-f16)', undefined, 'f32'))
    .option('--stages', 'mtcnn: every candidate of every stage (box, score, logit margin); grid models: the candidates before NMS')
    .addOption(modelOption('--limit-side <px>', 'ppocr-det: longest side of the network input (PaddleOCR limit_side_len)', positiveInt, DEFAULT_TEXTDET_OPTIONS.limitSideLen))
    .addOption(modelOption('--binarize <t>', 'ppocr-det: probability threshold of the binary map', positiveNumber, DEFAULT_TEXTDET_OPTIONS.threshold))
    .addOption(modelOption('--box-threshold <t>', 'ppocr-det: minimum mean probability inside a box', Number, DEFAULT_TEXTDET_OPTIONS.boxThreshold))
    .addOption(modelOption('--unclip-ratio <r>', 'ppocr-det: box growth ratio', positiveNumber, DEFAULT_TEXTDET_OPTIONS.unclipRatio))
    .addOption(modelOption('--max-candidates <n>', 'ppocr-det: components considered per image', positiveInt, DEFAULT_TEXTDET_OPTIONS.maxCandidates))
    .addOption(modelOption('--channel-order <bgr|rgb>', 'channel order fed to the network (ppocr-det default bgr; mtcnn and grid models rgb)'))
    .addOption(modelOption('--profile <name>', `mtcnn: a named convention set (src/pipelines/mtcnn/conventions.ts): ${Object.keys(MTCNN_CONVENTIONS).join(', ')} (facenet is the default; face-api reproduces face-api.js 0.22); explicit flags override it`))
    .addOption(modelOption('--nms-order <margin|probability>', 'mtcnn: NMS order key (logit margin, or the softmax probability as facenet sorts)'))
    .addOption(modelOption('--pyramid-levels <facenet|face-api>', 'mtcnn: level sizes ceil, every level (facenet) or floor, shorter side > 12, at most 10 (face-api.js)'))
    .addOption(modelOption('--pyramid-resampling <mode>', 'mtcnn: area (facenet) | bilinear-tfjs (face-api.js) | bilinear-opencv (cv2.resize INTER_LINEAR of a float image) | bilinear-canvas'))
    .addOption(modelOption('--crop-resampling <mode>', 'mtcnn: RNet/ONet crops: area (facenet) | bilinear-canvas (face-api.js: Chromium canvas drawImage) | bilinear-opencv | bilinear-tfjs'))
    .addOption(modelOption('--crop-border <zero-pad|stretch>', 'mtcnn: crops past the image border: zero-padded (facenet) or the inside stretched (face-api.js)'))
    .addOption(modelOption('--boxes <facenet|face-api>', 'mtcnn: box arithmetic: inclusive +1 widths and truncation (facenet) or no +1, rounding, squared final boxes (face-api.js)'))
    .addOption(modelOption('--dilation <k>', 'ppocr-det: dilate the binary map by a k x k square (0: off; PaddleOCR use_dilation = 2)', Number, DEFAULT_TEXTDET_OPTIONS.dilation))
    .addOption(modelOption('--input <WxH>', 'grid models: network input size (tiny-face: a multiple of 32, 224..608; a user model: when its file leaves it open)'))
    .addOption(modelOption('--grid <S>', 'yolo / yolo-direct: decode on an S x S grid (the head is resampled bilinearly, PyTorch align_corners=False)'))
    .addOption(modelOption('--decode <kind>', 'a user .onnx model: yolo | yolo-direct | ssd (default yolo-direct)'))
    .addOption(modelOption('--anchors <w,h,...>', 'yolo: anchor sizes in grid cells, w1,h1,w2,h2,...'))
    .addOption(modelOption('--classes <n>', 'a user model: number of classes (0: objectness only)'))
    .addOption(modelOption('--labels <file>', 'a user model: class names, one per line'))
    .addOption(modelOption('--mean <r,g,b>', 'grid models: value = (pixel * scale - mean) / std, pixel in 0..255'))
    .addOption(modelOption('--std <r,g,b>', 'grid models: see --mean'))
    .addOption(modelOption('--scale <s>', 'grid models: see --mean'))
    .addOption(modelOption('--resize <mode>', 'grid models: stretch | letterbox | pad (how the image is placed in the input)'))
    .addOption(modelOption('--conf <t>', 'grid models: confidence threshold'))
    .addOption(modelOption('--iou <t>', 'grid models: NMS IoU threshold (suppressed when intersection > t * union)'))
    .addOption(modelOption('--soft-method <m>', 'grid models, --nms soft: linear | gaussian'))
    .addOption(modelOption('--sigma <s>', 'grid models, --nms soft gaussian: sigma'))
    .addOption(modelOption('--max-det <n>', 'grid models: detections kept per image'))
    .addOption(modelOption('--agnostic', 'grid models: NMS across classes (default: per class)'))
    .addOption(modelOption('--multi-label', 'grid models: every class above the threshold is a candidate'));
}

/** The model `--model` names (a packaged one or an .onnx file), its flags checked against it. */
export function resolveCliModel(name: string, flags: DetectFlags): CliModel {
  const model = CLI_MODELS.find((m) => m.name === name) ?? (name.endsWith('.onnx') ? onnxCliModel(name, flags) : undefined);
  if (!model) throw new UsageError(`unknown model '${name}' (known: ${CLI_MODELS.map((m) => m.name).join(', ')}, or a path to an .onnx grid detector; webgpu-detect models lists them)`);
  if (model.name !== 'mtcnn' && ['landmarks', 'clmModel', 'clmWindows', 'clmDiagnostics', 'clmMissingSigma'].some((k) => flags[k] !== undefined)) {
    throw new UsageError(`--landmarks and --clm-* fit landmarks to MTCNN's faces (its 5 landmarks start the fit); --model ${model.name} does not have them`);
  }
  return model;
}
