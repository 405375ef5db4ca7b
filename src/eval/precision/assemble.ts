// Backend results -> the precision report: the stage baseline is the float64 CPU reference (cpu-f64)
// under each convention; every other run is compared with it (precision), and every backend under
// each further convention with itself under the first (conventions). Browser-safe.
import type { MtcnnConvention } from '../../pipelines/mtcnn/conventions.js';
import type { LayerTolerance } from './compare.js';
import type { PrecisionReport, ReportRun } from './report.js';
import { compareRuns, firstDifference, mtcnnStages, runLabel, sensitivity, type DetectorRun, type RunComparison } from './stages.js';
import type { BackendStudy, StudyImage } from './study.js';
import { compareTextRuns, firstTextDifference, type TextRun } from './text-stages.js';
import { DEFAULT_MTCNN_OPTIONS } from '../../pipelines/mtcnn/options.js';

export interface AssembleInput {
  model: string;
  command: string;
  tolerance: LayerTolerance;
  study: readonly StudyImage[];
  results: ReadonlyArray<{ backend: string; device: string; layers: BackendStudy; runs: DetectorRun[]; text?: TextRun } | { backend: string; error: string }>;
  /** ppocr-det: the box threshold (flip margins are measured from it). */
  boxThreshold?: number;
  conventions: readonly MtcnnConvention[];
}

export const BASELINE = 'cpu-f64';

export function assembleReport(input: AssembleInput): PrecisionReport {
  const ok = input.results.filter((r): r is Extract<AssembleInput['results'][number], { device: string }> => !('error' in r));
  const report: PrecisionReport = {
    model: input.model,
    created: new Date().toISOString(),
    command: input.command,
    tolerance: input.tolerance,
    images: input.study.map((s) => ({ file: s.file, ...(s.notes ? { notes: s.notes } : {}) })),
    backends: input.results.map((r) => ('error' in r ? { backend: r.backend, device: '', error: r.error } : { backend: r.backend, device: r.device })),
    layers: ok.filter((r) => r.layers.networks.length > 0).map((r) => r.layers),
  };
  const textRuns = ok.flatMap((r) => (r.text ? [r.text] : []));
  const textBase = textRuns.find((r) => r.backend === BASELINE);
  if (textRuns.length) {
    report.text = {
      boxThreshold: input.boxThreshold ?? 0,
      runs: textRuns.map((r) => ({ backend: r.backend, device: r.device, images: r.images.map((i) => ({ file: i.file, components: i.components, boxes: i.boxes.length })), ...(r.deterministic !== undefined ? { deterministic: r.deterministic } : {}), ...(r.nondeterminism ? { nondeterminism: r.nondeterminism } : {}) })),
      comparisons: textBase ? textRuns.filter((r) => r !== textBase).map((r) => compareTextRuns(textBase, r, input.boxThreshold ?? 0)) : [],
      crossRuntime: textRuns
        .filter((r) => r.backend === 'chromium')
        .flatMap((c) => {
          const node = textRuns.find((r) => r.backend === 'swiftshader');
          if (!node) return [];
          const where = firstTextDifference(node, c);
          return [{ a: node.backend, b: c.backend, identical: !where, ...(where ? { where } : {}) }];
        }),
    };
  }
  const runs = ok.flatMap((r) => r.runs);
  if (runs.length === 0) return report;
  const stages = mtcnnStages(DEFAULT_MTCNN_OPTIONS);
  const first = input.conventions[0]!.name;
  const precision: RunComparison[] = [];
  const conventions: RunComparison[] = [];
  for (const run of runs) {
    const base = runs.find((r) => r.backend === BASELINE && r.convention === run.convention);
    if (base && run !== base) precision.push(compareRuns(stages, base, run));
    const own = runs.find((r) => r.backend === run.backend && r.convention === first);
    if (own && run !== own) conventions.push(compareRuns(stages, own, run));
  }
  // Node and Chromium on the same adapter kind (SwiftShader): identical, or where not.
  const crossRuntime = runs
    .filter((r) => r.backend === 'chromium')
    .flatMap((c) => {
      const node = runs.find((r) => r.backend === 'swiftshader' && r.convention === c.convention);
      if (!node) return [];
      const d = firstDifference(node, c);
      return [{ a: runLabel(node), b: runLabel(c), identical: !d.where, ...(d.where ? { where: d.where } : {}), orderDiffers: d.orderDiffers }];
    });
  report.stages = {
    crossRuntime,
    thresholds: [...DEFAULT_MTCNN_OPTIONS.thresholds],
    conventionSets: input.conventions.map((c) => ({ name: c.name, description: c.description })),
    runs: runs.map((r): ReportRun => ({
      label: runLabel(r),
      backend: r.backend,
      device: r.device,
      convention: r.convention,
      images: r.images.map((i) => ({ file: i.file, counts: i.counts, faces: i.faces })),
      ...(r.deterministic !== undefined ? { deterministic: r.deterministic } : {}),
      ...(r.nondeterminism ? { nondeterminism: r.nondeterminism } : {}),
      ...(r.orderDiffers !== undefined ? { orderDiffers: r.orderDiffers } : {}),
      sensitivity: sensitivity(stages, r),
    })),
    precision,
    conventions,
  };
  return report;
}
