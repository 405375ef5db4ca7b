// `detect --landmarks clm`: the landmark fitter's flags (model, window schedule, diagnostics),
// checked before any GPU work, and the step that fits every detected face of a batch (one submit,
// one readback for all of them) and rounds the results for the JSON line.
import type { GpuContext } from '../gpu/context.js';
import { DEFAULT_CLM_MODEL, loadClmModel, loadOpenFaceModel } from '../io/clm-models.js';
import { CcnfFitter } from '../pipelines/clm/ccnf-fitter.js';
import { openFaceSchedule } from '../pipelines/clm/ccnf-options.js';
import { LandmarkFitter } from '../pipelines/clm/fitter.js';
import { clmSchedule, resolveClmOptions, type ClmOptions } from '../pipelines/clm/options.js';
import type { ClmFit } from '../pipelines/clm/types.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import { UsageError } from './exit-codes.js';

export interface ClmFlags {
  model: string;
  /** clmtrackr-style models: the checked options (OpenFace models are checked against their files at load). */
  options: ClmOptions;
  windows?: number[];
  missingSigma: 'error' | 'diagonal';
  diagnostics: boolean;
}

/** An OpenFace CLNF model (main_clnf_*.txt or clnf_*.txt) rather than this project's .clm.json. */
export const isOpenFaceModel = (model: string) => /\.txt$/i.test(model);

/** The fitter's flags, or undefined without --landmarks. */
export function clmFlags(flags: Record<string, unknown>): ClmFlags | undefined {
  const given = ['clmModel', 'clmWindows', 'clmDiagnostics', 'clmMissingSigma'].filter((k) => flags[k] !== undefined);
  if (flags.landmarks === undefined) {
    if (given.length) throw new UsageError(`--${given[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --landmarks clm`);
    return undefined;
  }
  if (flags.landmarks !== 'clm') throw new UsageError(`--landmarks: '${String(flags.landmarks)}' is not a landmark fitter (known: clm)`);
  let stages: ClmOptions['stages'] | undefined;
  let windows: number[] | undefined;
  if (flags.clmWindows !== undefined) {
    windows = String(flags.clmWindows).split(',').map(Number);
    if (windows.some((w) => !(Number.isInteger(w) && w >= 1 && w % 2 === 1))) throw new UsageError(`--clm-windows expects odd window sizes, comma-separated (e.g. 11,9,7), got '${String(flags.clmWindows)}'`);
    stages = clmSchedule(windows);
  }
  const missingSigma = flags.clmMissingSigma ?? 'error';
  if (missingSigma !== 'error' && missingSigma !== 'diagonal') throw new UsageError(`--clm-missing-sigma: '${String(missingSigma)}' (error | diagonal)`);
  let options: ClmOptions;
  try {
    options = resolveClmOptions(stages ? { stages } : {});
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { model: String(flags.clmModel ?? DEFAULT_CLM_MODEL), options, ...(windows ? { windows } : {}), missingSigma, diagnostics: flags.clmDiagnostics === true };
}

export type FitFaces = (images: readonly RgbImage[], faces: ReadonlyArray<ReadonlyArray<{ landmarks: ReadonlyArray<readonly [number, number]> }>>) => Promise<ClmFit[][]>;

/**
 * Loads the model and returns the batch step. An OpenFace model's schedule (its default windows, or
 * --clm-windows per scale) is checked against its sigma components here, before any image: a
 * missing window is a named error unless --clm-missing-sigma diagonal.
 */
export async function createClmStep(ctx: GpuContext, f: ClmFlags): Promise<FitFaces> {
  let fit: (images: readonly RgbImage[], list: Array<{ image: number; landmarks: ReadonlyArray<readonly [number, number]> }>) => Promise<ClmFit[]>;
  if (isOpenFaceModel(f.model)) {
    const model = await loadOpenFaceModel(f.model);
    const options = { stages: openFaceSchedule(model, f.windows ? { windows: f.windows } : {}), missingSigma: f.missingSigma };
    const fitter = CcnfFitter.create(ctx, model, options);
    fitter.prewarm({ ...options, diagnostics: f.diagnostics });
    fit = async (images, list) => (await fitter.fit(images, list, { ...options, diagnostics: f.diagnostics })).images;
  } else {
    const fitter = LandmarkFitter.create(ctx, await loadClmModel(f.model));
    fitter.prewarm({ ...f.options, diagnostics: f.diagnostics });
    fit = async (images, list) => (await fitter.fit(images, list, { ...f.options, diagnostics: f.diagnostics })).images;
  }
  return async (images, faces) => {
    const fits = await fit(images, faces.flatMap((fs, image) => fs.map((face) => ({ image, landmarks: face.landmarks }))));
    let at = 0;
    return faces.map((fs) => fits.slice(at, (at += fs.length)));
  };
}

