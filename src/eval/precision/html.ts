// The precision report as one self-contained HTML page (no script, no network): per-layer error by
// backend as log-scale SVG charts, the stage x run count table with counts that differ from the
// float64 reference marked, the flip list with a crop of each flipped candidate, sensitivity and
// determinism. Browser-safe (strings only).
import type { PrecisionReport, Table } from './report.js';
import { backendTable, comparisonTable, countsTable, crossRuntimeLine, departureTable, determinismLine, flipTable, sensitivityTable, textComparisonTable, textCountsTable, textDeterminismLine } from './report.js';
import type { RunComparison } from './stages.js';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function htmlTable(t: Table, cellClass?: (row: number, col: number) => string | undefined): string {
  const head = t.head.map((h) => `<th>${esc(h)}</th>`).join('');
  const rows = t.rows.map((r, i) => `<tr>${r.map((c, j) => `<td class="${[t.align[j]?.endsWith(':') ? 'num' : '', cellClass?.(i, j) ?? ''].join(' ').trim()}">${esc(c).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** relL2 per tensor per backend for one network on one image, log10 scale, tolerance dashed. */
export function layerChart(report: PrecisionReport, network: string, file: string): string {
  const series = report.layers
    .filter((b) => !b.error)
    .map((b) => ({ backend: b.backend, net: b.networks.find((n) => n.network === network && n.file === file) }))
    .filter((s) => s.net);
  if (series.length === 0) return '';
  const n = series[0]!.net!.rows.length;
  const W = 720;
  const H = 260;
  const L = 56;
  const B = 40;
  const floor = 1e-10;
  const values = series.flatMap((s) => s.net!.rows.map((r) => Math.max(floor, r.comparison.relL2)));
  const lo = Math.floor(Math.log10(Math.min(floor * 10, ...values, report.tolerance.relL2)));
  const hi = Math.ceil(Math.log10(Math.max(...values, report.tolerance.relL2 * 10)));
  const x = (i: number) => L + ((W - L - 10) * i) / Math.max(1, n - 1);
  const y = (v: number) => 10 + ((H - B - 10) * (hi - Math.log10(Math.max(floor, v)))) / Math.max(1, hi - lo);
  const grid = Array.from({ length: hi - lo + 1 }, (_, k) => {
    const e = hi - k;
    return `<line x1="${L}" x2="${W - 10}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" class="grid"/><text x="${L - 6}" y="${y(10 ** e) + 4}" text-anchor="end">1e${e}</text>`;
  }).join('');
  const ticks = series[0]!.net!.rows.map((r, i) => (n <= 24 || i % Math.ceil(n / 24) === 0 ? `<text x="${x(i)}" y="${H - B + 14}" text-anchor="end" transform="rotate(-35 ${x(i)} ${H - B + 14})" class="tick">${esc(r.op)}</text>` : '')).join('');
  const lines = series
    .map((s, k) => {
      const c = COLOURS[k % COLOURS.length];
      const pts = s.net!.rows.map((r, i) => `${x(i).toFixed(1)},${y(r.comparison.relL2).toFixed(1)}`).join(' ');
      const first = s.net!.rows.findIndex((r) => r.tensor === s.net!.firstDeparture);
      const mark = first >= 0 ? `<circle cx="${x(first)}" cy="${y(s.net!.rows[first]!.comparison.relL2)}" r="5" fill="none" stroke="${c}" stroke-width="2"><title>${esc(s.backend)}: first departure ${esc(s.net!.firstDeparture!)}</title></circle>` : '';
      return `<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="1.6" class="series" data-backend="${esc(s.backend)}"/>${mark}`;
    })
    .join('');
  const legend = series.map((s, k) => `<span><i style="background:${COLOURS[k % COLOURS.length]}"></i>${esc(s.backend)}</span>`).join('');
  const tol = `<line x1="${L}" x2="${W - 10}" y1="${y(report.tolerance.relL2)}" y2="${y(report.tolerance.relL2)}" class="tol"/><text x="${W - 12}" y="${y(report.tolerance.relL2) - 4}" text-anchor="end" class="tolt">tolerance ${report.tolerance.relL2}</text>`;
  return `<figure class="chart"><svg viewBox="0 0 ${W} ${H + 20}" width="${W}" height="${H + 20}" role="img" aria-label="relL2 per tensor, ${esc(network)}">${grid}${tol}${lines}${ticks}<text x="14" y="${(H - B) / 2}" transform="rotate(-90 14 ${(H - B) / 2})" text-anchor="middle">‖a−f64‖/‖f64‖</text></svg><figcaption>${esc(network)} on ${esc(file)}: relL2 per tensor (execution order), log scale; circles mark the first departure. ${legend}</figcaption></figure>`;
}

/** Crops of flipped candidates, keyed by flipKey (made in Node, see io/flip-crops.ts). */
export type FlipCrops = Record<string, string>;
export const flipKey = (file: string, box: readonly number[]) => `${file}|${box.map((v) => v.toFixed(1)).join(',')}`;

function flipCards(list: readonly RunComparison[], crops: FlipCrops, limit = 48): string {
  const flips = list.flatMap((c) => c.images.flatMap((i) => i.flips.map((f) => ({ c, f })))).slice(0, limit);
  return flips
    .map(({ c, f }) => {
      const img = crops[flipKey(f.file, f.box)];
      const s = (v: number | undefined, below: boolean) => (v !== undefined ? v.toFixed(6) : below ? '&lt; t' : '—');
      return `<div class="flip ${f.cause}">${img ? `<img src="${img}" alt="${esc(f.file)} ${f.stage} ${f.key}">` : '<div class="noimg">no crop</div>'}<div><b>${esc(f.cause)}</b> · ${esc(f.stage)} · key ${f.key}<br>${esc(f.file)}<br>kept by ${esc(f.keptBy === 'a' ? c.a : c.b)}<br>${esc(c.a)}: ${s(f.scoreA, f.belowThreshold === 'a')}<br>${esc(c.b)}: ${s(f.scoreB, f.belowThreshold === 'b')}<br>threshold ${f.threshold}</div></div>`;
    })
    .join('\n');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:8px 0 18px;font-size:12.5px}th,td{border:1px solid #ccc;padding:3px 7px}th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.diff{background:#fde2e1}td.same{background:#e6f4e6}
svg text{font-size:11px;fill:#333}svg .tick{font-size:9px}.grid{stroke:#e4e4e4}.tol{stroke:#888;stroke-dasharray:5 4}.tolt{fill:#666}
figure.chart{margin:10px 0 20px}figcaption span{margin-left:12px}figcaption i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
.flips{display:flex;flex-wrap:wrap;gap:10px}.flip{display:flex;gap:8px;border:1px solid #ccc;padding:6px;width:320px;font-size:12px}.flip img{width:96px;height:96px;object-fit:contain;background:#eee}
.flip.precision{border-left:5px solid #d62728}.flip.ordering{border-left:5px solid #ff7f0e}.flip.convention{border-left:5px solid #1f77b4}.flip.cascade{border-left:5px solid #999}.flip.missing{border-left:5px solid #000}
code{background:#f5f5f5;padding:1px 4px}`;

export function reportHtml(report: PrecisionReport, crops: FlipCrops = {}): string {
  const parts: string[] = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Precision study: ${esc(report.model)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Precision study: ${esc(report.model)}</h1><p>${esc(report.created)} · <code>${esc(report.command)}</code></p>`,
    `<p>Images: ${report.images.map((i) => esc(i.file)).join(', ')}</p>`,
    '<h2>Backends</h2>',
    htmlTable(backendTable(report)),
    '<h2>Layers against the float64 CPU reference</h2>',
    htmlTable(departureTable(report)),
  ];
  const first = report.images[0];
  const base = report.layers.find((b) => !b.error);
  if (first && base) for (const network of [...new Set(base.networks.filter((n) => n.file === first.file).map((n) => n.network))]) parts.push(layerChart(report, network, first.file));
  if (report.text) {
    parts.push(
      `<h2>Text detector: components and boxes (box threshold ${report.text.boxThreshold})</h2>`,
      htmlTable(textCountsTable(report)),
      '<h3>Against the float64 reference</h3>',
      htmlTable(textComparisonTable(report)),
      `<p>${esc(textDeterminismLine(report))}</p>`,
    );
  }
  if (report.stages) {
    const s = report.stages;
    const counts = countsTable(report);
    const baseCol = s.runs.findIndex((r) => r.backend === 'cpu-f64' && r.convention === s.runs[0]?.convention) + 1;
    parts.push(
      '<h2>Stages: boxes after PNet / RNet / ONet / final NMS</h2>',
      `<p>Thresholds ${s.thresholds.join(', ')}. Conventions: ${s.conventionSets.map((c) => `<b>${esc(c.name)}</b> (${esc(c.description)})`).join('; ')}. Cells differing from the float64 reference are red.</p>`,
      htmlTable(counts, (i, j) => (j === 0 || baseCol <= 0 ? undefined : counts.rows[i]![j] === counts.rows[i]![baseCol] ? 'same' : 'diff')),
      '<h3>Against the float64 reference (precision)</h3>',
      htmlTable(comparisonTable(s.precision)),
    );
    if (s.conventions.length) parts.push('<h3>Against the same backend under the first convention</h3>', htmlTable(comparisonTable(s.conventions)));
    const all = [...s.precision, ...s.conventions];
    if (all.some((c) => c.images.some((i) => i.flips.length))) parts.push('<h3>Flipped candidates</h3>', `<div class="flips">${flipCards(all, crops)}</div>`, htmlTable(flipTable(all)));
    parts.push('<h3>Threshold sensitivity</h3>', htmlTable(sensitivityTable(report)), '<h3>Determinism</h3>', `<p>${esc(determinismLine(report))}</p>`, ...(s.crossRuntime.length ? [`<p>${esc(crossRuntimeLine(report))}</p>`] : []));
  }
  parts.push('</body></html>');
  return parts.join('\n');
}
