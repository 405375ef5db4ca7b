// The precision report: what one `webgpu-detect precision` run found, as JSON (this type) and as
// Markdown (the tables a person reads first: where each backend first leaves tolerance, stage
// counts per backend and convention, the flips with their causes, threshold sensitivity).
// Browser-safe.
import type { StageCounts } from '../../pipelines/mtcnn/types.js';
import type { Box, FlipCause } from './flips.js';
import type { LayerTolerance } from './compare.js';
import type { BackendStudy } from './study.js';
import type { RunComparison, StageSensitivity } from './stages.js';
import type { TextComparison } from './text-stages.js';

export interface ReportRun {
  label: string;
  backend: string;
  device: string;
  convention: string;
  images: Array<{ file: string; counts: StageCounts; faces: Box[] }>;
  deterministic?: boolean;
  nondeterminism?: string;
  orderDiffers?: boolean;
  sensitivity: StageSensitivity[];
}

export interface PrecisionReport {
  model: string;
  created: string;
  command: string;
  tolerance: LayerTolerance;
  images: Array<{ file: string; notes?: string }>;
  /** Every backend asked for, with its device or why it could not run. */
  backends: Array<{ backend: string; device: string; error?: string }>;
  layers: BackendStudy[];
  /** ppocr-det: components and boxes per backend, boxes against the float64 reference. */
  text?: {
    boxThreshold: number;
    runs: Array<{ backend: string; device: string; images: Array<{ file: string; components: number; boxes: number }>; deterministic?: boolean; nondeterminism?: string }>;
    comparisons: TextComparison[];
    /** Node (Dawn) and Chromium on SwiftShader. */
    crossRuntime: Array<{ a: string; b: string; identical: boolean; where?: string }>;
  };
  stages?: {
    thresholds: number[];
    conventionSets: Array<{ name: string; description: string }>;
    runs: ReportRun[];
    /** Each run against the float64 reference under the same convention. */
    precision: RunComparison[];
    /** Each backend under each convention against the same backend under the first. */
    conventions: RunComparison[];
    /** Node (Dawn) and Chromium on SwiftShader: the same candidates bit for bit, or where not. */
    crossRuntime: Array<{ a: string; b: string; identical: boolean; where?: string; orderDiffers: boolean }>;
  };
}

const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toPrecision(3) : v.toExponential(1));
const counts = (c: StageCounts) => `${c.pnet}/${c.rnet}/${c.onet}/${c.final}`;

/** A table both renderers draw: Markdown here, HTML in html.ts. `align`: Markdown's '---' / '---:'. */
export interface Table {
  head: string[];
  rows: string[][];
  align: string[];
}

function table(head: string[], rows: string[][], align?: string[]): Table {
  return { head, rows, align: align ?? head.map((_, i) => (i === 0 ? '---' : '---:')) };
}

export function markdownTable(t: Table): string {
  return [`| ${t.head.join(' | ')} |`, `|${t.align.join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Per backend and network (over images): the first departing tensor and the worst errors. */
export function departureTable(report: PrecisionReport): Table {
  const rows: string[][] = [];
  for (const b of report.layers) {
    if (b.error) {
      rows.push([b.backend, b.device, 'error', b.error, '', '', '', '']);
      continue;
    }
    const byNet = new Map<string, typeof b.networks>();
    for (const n of b.networks) byNet.set(n.network, [...(byNet.get(n.network) ?? []), n]);
    for (const [net, list] of byNet) {
      const departed = list.filter((n) => n.firstDeparture);
      const worst = Math.max(...list.flatMap((n) => n.rows.map((r) => r.comparison.relL2)));
      const ulp = Math.max(...list.flatMap((n) => n.rows.map((r) => r.comparison.maxUlp)));
      const abs = Math.max(...list.flatMap((n) => n.rows.map((r) => r.comparison.maxAbs)));
      const first = departed.length ? `${departed[0]!.firstDeparture} (${departed.length}/${list.length} inputs)` : 'none';
      const det = list.every((n) => n.deterministic === undefined) ? 'n/a' : list.every((n) => n.deterministic) ? 'yes' : `no: ${list.find((n) => !n.deterministic)!.firstNondeterministic}`;
      rows.push([b.backend, b.device, net, first, fmt(worst), fmt(abs), fmt(ulp), det]);
    }
  }
  return table(['backend', 'device', 'network', `first tensor over relL2 ${report.tolerance.relL2} and max abs ${report.tolerance.abs ?? 0}`, 'worst relL2', 'worst max abs', 'worst max ULP', 'bit-identical twice'], rows, ['---', '---', '---', '---', '---:', '---:', '---:', '---']);
}

/** One network (first image): relL2 per tensor per backend. */
export function layerTable(report: PrecisionReport, network: string, file: string): Table {
  const studies = report.layers.filter((b) => !b.error).map((b) => ({ backend: b.backend, net: b.networks.find((n) => n.network === network && n.file === file) })).filter((s) => s.net);
  if (studies.length === 0) return table([], []);
  const rows = studies[0]!.net!.rows.map((r, i) => [`${r.tensor}`, r.op, r.shape.join('x'), ...studies.map((s) => {
    const c = s.net!.rows[i]!.comparison;
    return `${fmt(c.relL2)} / ${fmt(c.maxUlp)}${s.net!.firstDeparture === r.tensor ? ' **first**' : ''}`;
  })]);
  return table(['tensor', 'op', 'shape', ...studies.map((s) => `${s.backend} relL2 / max ULP`)], rows, ['---', '---', '---', ...studies.map(() => '---:')]);
}

export function countsTable(report: PrecisionReport): Table {
  const s = report.stages!;
  const files = report.images.map((i) => i.file);
  const rows = files.map((f, i) => [f, ...s.runs.map((r) => counts(r.images[i]!.counts))]);
  return table(['image', ...s.runs.map((r) => r.label)], rows);
}

export function comparisonTable(list: readonly RunComparison[]): Table {
  const rows = list.map((c) => {
    const images = c.images.filter((i) => i.flips.length > 0 || i.onlyA + i.onlyB > 0);
    const iou = c.images.length ? Math.min(...c.images.map((i) => i.finalIou)) : 1;
    const causes = (Object.entries(c.causes) as Array<[FlipCause, number]>).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
    return [`${c.a} vs ${c.b}`, String(c.images.reduce((n, i) => n + i.flips.length, 0)), causes, String(images.length), iou.toFixed(4), String(c.images.reduce((n, i) => n + i.onlyA + i.onlyB, 0))];
  });
  return table(['runs', 'flips', 'causes', 'images with flips or unmatched boxes', 'worst mean final IoU', 'unmatched final boxes'], rows);
}

export function flipTable(list: readonly RunComparison[], limit = 60): Table & { more: number } {
  const flips = list.flatMap((c) => c.images.flatMap((i) => i.flips.map((f) => ({ c, f }))));
  const score = (v: number | undefined, below: boolean) => (v !== undefined ? v.toFixed(7) : below ? '< threshold' : 'not scored');
  const rows = flips.slice(0, limit).map(({ c, f }) => [
    `${c.a} vs ${c.b}`, f.file, f.stage, String(f.key), f.keptBy === 'a' ? c.a : c.b,
    score(f.scoreA, f.belowThreshold === 'a'), score(f.scoreB, f.belowThreshold === 'b'), String(f.threshold),
    f.marginA !== undefined ? f.marginA.toFixed(4) : f.marginB !== undefined ? f.marginB.toFixed(4) : '', f.cause,
  ]);
  return { ...table(['runs', 'image', 'stage', 'key', 'kept by', 'score a', 'score b', 'threshold', 'logit margin', 'cause'], rows, ['---', '---', '---', '---:', '---', '---:', '---:', '---:', '---:', '---']), more: Math.max(0, flips.length - limit) };
}

export function sensitivityTable(report: PrecisionReport): Table {
  const s = report.stages!;
  const rows = s.runs.flatMap((r) => r.sensitivity.map((x) => [r.label, x.stage, String(x.threshold), ...Object.values(x.near).map(String), x.oneSided ? '[t, t+δ] only' : '±δ']));
  const deltas = Object.keys(s.runs[0]?.sensitivity[0]?.near ?? {});
  return table(['run', 'stage', 'threshold', ...deltas.map((d) => `within ${d}`), 'window'], rows);
}

export function textCountsTable(report: PrecisionReport): Table {
  const t = report.text!;
  return table(['image', ...t.runs.map((r) => `${r.backend} components / boxes`)], report.images.map((im, i) => [im.file, ...t.runs.map((r) => `${r.images[i]!.components} / ${r.images[i]!.boxes}`)]));
}

export function textComparisonTable(report: PrecisionReport): Table {
  const rows = report.text!.comparisons.flatMap((c) =>
    c.images.map((i) => [`${c.a} vs ${c.b}`, i.file, `${i.componentsA} / ${i.componentsB}`, `${i.boxesA} / ${i.boxesB}`, i.meanIou.toFixed(4), i.flips.length ? i.flips.map((f) => `${f.keptBy} only: score ${f.score.toFixed(5)} (${f.margin >= 0 ? '+' : ''}${f.margin.toExponential(1)} from the box threshold)`).join('; ') : 'none']),
  );
  return table(['runs', 'image', 'components', 'boxes', 'mean polygon IoU', 'boxes in one run only'], rows, ['---', '---', '---:', '---:', '---:', '---']);
}

export function textDeterminismLine(report: PrecisionReport): string {
  const runs = report.text!.runs.filter((r) => r.deterministic !== undefined);
  const nd = runs.filter((r) => !r.deterministic);
  const cross = report.text!.crossRuntime.map((c) => ` Node vs Chromium on SwiftShader (${c.a} vs ${c.b}): ${c.identical ? 'bit-identical' : `differ at ${c.where}`}.`).join('');
  return (nd.length ? nd.map((r) => `${r.backend}: two runs differ at ${r.nondeterminism}`).join('; ') + '.' : `Every GPU run repeated gave bit-identical components, boxes and scores (${runs.map((r) => r.backend).join(', ') || 'none repeated'}).`) + cross;
}

export function backendTable(report: PrecisionReport): Table {
  return table(['backend', 'device', 'status'], report.backends.map((b) => [b.backend, b.device, b.error ? `failed: ${b.error}` : 'ok']), ['---', '---', '---']);
}

export function determinismLine(report: PrecisionReport): string {
  const runs = report.stages?.runs ?? [];
  const nd = runs.filter((r) => r.deterministic === false);
  const reordered = runs.filter((r) => r.orderDiffers).map((r) => r.label);
  const order = reordered.length ? ` Listed in another order on the repeat (atomic appends on a multi-threaded adapter; same candidates, same bits): ${reordered.join(', ')}.` : '';
  return (nd.length ? nd.map((r) => `${r.label}: two runs differ at ${r.nondeterminism}`).join('; ') + '.' : `Every GPU run repeated gave bit-identical candidates at every stage and final boxes (${runs.filter((r) => r.deterministic).map((r) => r.label).join(', ') || 'none repeated'}).`) + order;
}

export function crossRuntimeLine(report: PrecisionReport): string {
  return `Node vs Chromium on SwiftShader: ${report.stages!.crossRuntime.map((c) => `${c.a} vs ${c.b}: ${c.identical ? 'bit-identical candidates at every stage and final boxes' : `differ at ${c.where}`}${c.orderDiffers ? ' (lists in another order)' : ''}`).join('; ')}.`;
}

export function reportMarkdown(report: PrecisionReport): string {
  const out: string[] = [
    `# Precision study: ${report.model}`,
    '',
    `${report.created} · \`${report.command}\``,
    '',
    `Images: ${report.images.map((i) => i.file).join(', ')}.`,
    '',
    '## Backends',
    '',
    markdownTable(backendTable(report)),
    '',
    '## Layers: first tensor leaving tolerance (against the float64 CPU reference)',
    '',
    markdownTable(departureTable(report)),
    '',
  ];
  const first = report.images[0];
  const firstBackend = report.layers.find((b) => !b.error);
  if (first && firstBackend) {
    for (const network of [...new Set(firstBackend.networks.filter((n) => n.file === first.file).map((n) => n.network))]) {
      out.push(`### ${network} on ${first.file}${first.notes ? ` (${first.notes})` : ''}`, '', markdownTable(layerTable(report, network, first.file)), '');
    }
  }
  if (report.text) {
    out.push(
      `## Text detector: components of the binarized map and boxes kept (box threshold ${report.text.boxThreshold})`,
      '',
      markdownTable(textCountsTable(report)),
      '',
      '### Against the float64 reference',
      '',
      markdownTable(textComparisonTable(report)),
      '',
      textDeterminismLine(report),
      '',
    );
  }
  if (report.stages) {
    const s = report.stages;
    out.push(
      '## Stages: boxes after PNet / RNet / ONet / final NMS',
      '',
      `Thresholds ${s.thresholds.join(', ')}. Conventions: ${s.conventionSets.map((c) => `**${c.name}** (${c.description})`).join('; ')}.`,
      '',
      markdownTable(countsTable(report)),
      '',
      '### Against the float64 reference (same convention): precision',
      '',
      markdownTable(comparisonTable(s.precision)),
      '',
    );
    if (s.conventions.length) out.push('### Against the same backend under the first convention: conventions', '', markdownTable(comparisonTable(s.conventions)), '');
    const all = [...s.precision, ...s.conventions];
    if (all.some((c) => c.images.some((i) => i.flips.length))) {
      const flips = flipTable(all);
      out.push('### Flips', '', markdownTable(flips), ...(flips.more ? ['', `(${flips.more} more in report.json)`] : []), '');
    }
    out.push('### Threshold sensitivity: scored candidates near each threshold (summed over the images)', '', markdownTable(sensitivityTable(report)), '');
    out.push('### Determinism', '', determinismLine(report), '');
    if (s.crossRuntime.length) out.push(crossRuntimeLine(report), '');
  }
  return out.join('\n');
}
