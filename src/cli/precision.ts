// `webgpu-detect precision`: the same networks (and, for MTCNN, the whole detector) on several
// backends and conventions, compared layer by layer against the float64 CPU reference and stage by
// stage, each difference attributed. GPU backends run in worker processes (this verb with --worker
// prints one backend's result as JSON); the report goes to --out as report.json, report.md and a
// self-contained report.html.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SOFTWARE_ICDS } from '../gpu/node-webgpu.js';
import { assembleReport } from '../eval/precision/assemble.js';
import { reportMarkdown, type PrecisionReport } from '../eval/precision/report.js';
import { reportHtml } from '../eval/precision/html.js';
import { flipCrops } from '../io/flip-crops.js';
import { decodeImage } from '../io/node-image.js';
import { resolveInputs } from '../io/inputs.js';
import { loadStudyInputs, loadStudyModel, saveStudyInputs, studyImage, STUDY_MODELS } from '../io/precision-networks.js';
import { MTCNN_CONVENTIONS, mtcnnConvention } from '../pipelines/mtcnn/conventions.js';
import { CHROMIUM_PATH } from '../io/chromium-backend.js';
import { packageRoot } from '../io/package-root.js';
import { CHROMIUM_BACKEND, chromiumBackend, CPU_BACKENDS, cpuBackend, gpuBackend, type BackendResult, type StudyInputs } from './precision-backends.js';
import { ExitCode, UsageError } from './exit-codes.js';

interface PrecisionFlags {
  model: string;
  backends?: string;
  storage?: string;
  conventions?: string;
  tolerance: number;
  absTolerance: number;
  out: string;
  worker?: string;
  studyInputs?: string;
  quiet?: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** Default backends: every software Vulkan driver installed, Chromium when there is one, the CPU references, onnxruntime. */
function defaultBackends(): string[] {
  const browser = existsSync(CHROMIUM_PATH) && existsSync(join(packageRoot(), 'dist', 'browser', 'webgpu-detect.js')) ? [CHROMIUM_BACKEND] : [];
  return [...Object.entries(SOFTWARE_ICDS).filter(([, p]) => existsSync(p)).map(([name]) => name), ...browser, ...CPU_BACKENDS];
}

const isCpu = (b: string): b is (typeof CPU_BACKENDS)[number] => (CPU_BACKENDS as readonly string[]).includes(b);

async function prepare(flags: PrecisionFlags, inputs: string[], log: (l: string) => void): Promise<StudyInputs> {
  const { files, missing } = await resolveInputs(inputs);
  if (missing.length) throw new UsageError(`cannot read ${missing.map(([f, e]) => `${f} (${e})`).join(', ')}`);
  if (files.length === 0) throw new UsageError('no images');
  const model = await loadStudyModel(flags.model);
  const conventions = (flags.conventions ?? 'facenet').split(',').filter(Boolean);
  if (!model.mtcnn && flags.conventions) throw new UsageError(`--conventions applies to the MTCNN stage study; --model ${flags.model} is compared layer by layer only`);
  for (const c of conventions) {
    try {
      mtcnnConvention(c);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const images = await Promise.all(files.map((f) => decodeImage(f)));
  log(`${files.length} images: building the study inputs`);
  const study = flags.studyInputs ? loadStudyInputs(model, readFileSync(flags.studyInputs, 'utf8')) : images.map((im, i) => studyImage(model, files[i]!, im));
  return { files, images, study, model, conventions, tolerance: { relL2: flags.tolerance, abs: flags.absTolerance }, log };
}

/** Every Node GPU backend once per storage variant ('lavapipe', 'lavapipe+f16', ...). */
function withStorageVariants(backends: string[], storage = 'f32'): string[] {
  const variants = storage.split(',').filter(Boolean);
  const bad = variants.filter((v) => !['f32', 'f16', 'f16-math'].includes(v));
  if (bad.length) throw new UsageError(`--storage takes f32, f16 and/or f16-math, got '${bad.join(',')}'`);
  return backends.flatMap((b) => (isCpu(b) || b === CHROMIUM_BACKEND || b.includes('+') ? [b] : variants.map((v) => (v === 'f32' ? b : `${b}+${v}`))));
}

/** Runs a GPU backend in a child process (this command with --worker) and parses its JSON. */
function inWorker(backend: string, flags: PrecisionFlags, inputs: string[], studyInputs: string, log: (l: string) => void): Promise<BackendResult> {
  const args = [process.argv[1]!, 'precision', '--worker', backend, '--study-inputs', studyInputs, '--model', flags.model, '--tolerance', String(flags.tolerance), '--abs-tolerance', String(flags.absTolerance), ...(flags.conventions ? ['--conventions', flags.conventions] : []), ...inputs];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      err += text;
      text.split('\n').filter((l) => l.startsWith('precision: ')).forEach((l) => log(l.slice('precision: '.length)));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        const reason = err.split('\n').filter((l) => l && !l.startsWith('precision: ') && !l.includes('artificially reduced')).join(' ').trim();
        reject(new Error(reason || `worker exited with code ${code}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString()) as BackendResult);
      } catch (e) {
        reject(new Error(`worker output is not JSON: ${(e as Error).message}`));
      }
    });
  });
}

export function registerPrecision(program: Command): void {
  program
    .command('precision')
    .description('compare a model on several backends and conventions: every tensor against the float64 CPU reference (max abs/rel, relL2, ULP histogram, first layer out of tolerance), and for mtcnn the boxes after each stage, the candidates that flipped and why (precision, ordering, convention, cascade), final-box IoU, threshold sensitivity and determinism; writes report.json, report.md and report.html')
    .argument('<images...>', 'image files, directories or glob patterns')
    .option('--model <name>', `${STUDY_MODELS.join(' | ')} | path/to/model.onnx`, 'mtcnn')
    .option('--backends <list>', `comma-separated: lavapipe, swiftshader, auto (the system's GPU), a Vulkan ICD .json (Dawn in Node), chromium (headless ${CHROMIUM_PATH}, WebGPU on SwiftShader), ${CPU_BACKENDS.join(', ')} (default: every software driver installed, chromium when installed, and the three CPU ones)`)
    .option('--conventions <list>', `mtcnn: convention sets to run on every backend, the first the baseline (${Object.keys(MTCNN_CONVENTIONS).join(', ')}; default facenet)`)
    .option('--storage <list>', 'variants of every GPU backend in Node: f32 (as is), f16 (intermediate activations stored as f16, f32 arithmetic: backend name+f16), f16-math (f16 storage, convolutions and matrix products in f16: needs shader-f16; name+f16-math); also accepted in --backends, e.g. lavapipe+f16', 'f32')
    .option('--tolerance <relL2>', 'a tensor leaves tolerance when ||backend - f64|| / ||f64|| exceeds this...', positiveNumber, 1e-5)
    .option('--abs-tolerance <x>', '...and some |backend - f64| exceeds this (a near-zero tensor flushed to 0 has a large relL2 and no error that matters)', Number, 1e-6)
    .option('--out <dir>', 'report directory', 'precision-report')
    .option('--quiet', 'no progress on standard error')
    .addOption(new Option('--worker <backend>', 'internal: run one GPU backend and print its result as JSON').hideHelp())
    .addOption(new Option('--study-inputs <file>', "internal: the parent's study inputs (a worker does not rebuild them)").hideHelp())
    .action(async (inputs: string[], flags: PrecisionFlags) => {
      const log = (l: string) => {
        if (!flags.quiet || flags.worker) process.stderr.write(`precision: ${l}\n`);
      };
      if (flags.worker) {
        const s = await prepare(flags, inputs, () => undefined);
        const json = JSON.stringify(await gpuBackend(flags.worker, { ...s, log }));
        // main.ts exits the process when the action returns: a pipe must have taken every byte first.
        await new Promise<void>((done, fail) => process.stdout.write(json, (err) => (err ? fail(err) : done())));
        return;
      }
      const backends = withStorageVariants(flags.backends ? flags.backends.split(',').filter(Boolean) : defaultBackends(), flags.storage);
      const started = performance.now();
      const s = await prepare(flags, inputs, log);
      const results: Array<BackendResult | { backend: string; error: string }> = [];
      const scratch = mkdtempSync(join(tmpdir(), 'webgpu-detect-precision-'));
      const studyInputs = join(scratch, 'inputs.json');
      writeFileSync(studyInputs, saveStudyInputs(s.study));
      for (const backend of backends) {
        try {
          results.push(isCpu(backend) ? await cpuBackend(backend, s) : backend === CHROMIUM_BACKEND ? await chromiumBackend(s) : await inWorker(backend, flags, inputs, studyInputs, log));
        } catch (err) {
          log(`${backend} failed: ${(err as Error).message}`);
          results.push({ backend, error: (err as Error).message });
        }
      }
      rmSync(scratch, { recursive: true, force: true });
      const command = `webgpu-detect precision --model ${flags.model} ${backends.length ? `--backends ${backends.join(',')} ` : ''}${s.model.mtcnn ? `--conventions ${s.conventions.join(',')} ` : ''}${inputs.map((i) => basename(i)).join(' ')}`;
      const report: PrecisionReport = assembleReport({ model: s.model.name, command, tolerance: s.tolerance, study: s.study, results, conventions: s.conventions.map((c) => mtcnnConvention(c)), ...(s.model.text ? { boxThreshold: s.model.text.options.boxThreshold } : {}) });
      mkdirSync(flags.out, { recursive: true });
      writeFileSync(join(flags.out, 'report.json'), JSON.stringify(report));
      const markdown = reportMarkdown(report);
      writeFileSync(join(flags.out, 'report.md'), markdown);
      const crops = report.stages ? await flipCrops(report, s.files, s.images) : {};
      writeFileSync(join(flags.out, 'report.html'), reportHtml(report, crops));
      console.log(markdown);
      log(`${((performance.now() - started) / 1000).toFixed(1)} s; report in ${flags.out}/report.{json,md,html}`);
      if (results.some((r) => 'error' in r)) process.exitCode = ExitCode.SOME_INPUTS_FAILED;
    });
}
