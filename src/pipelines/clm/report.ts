// A fit's diagnostics as Markdown tables: per stage (window, scale, response statistics, peak
// offsets and their fitted bias) and per iteration (mean-shift, |dp|, movement, clamps) - the
// table a user otherwise draws by hand when a fit misbehaves.
import type { ClmFit } from './types.js';

const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : String(v));

export function diagnosticsTables(fit: ClmFit): string {
  const d = fit.diagnostics;
  if (!d) return '(fit without diagnostics)';
  const lines: string[] = [];
  lines.push('| stage | ws | Sigma | scale (px/ref) | rot (deg) | resp min | resp max | resp mean | resp sum | non-finite | mean abs peak offset (ref) | (px) | peak bias t (px) | bias scale | bias rot (deg) |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of d.stages) {
    const n = s.landmarks.length;
    const meanRef = s.landmarks.reduce((acc, l) => acc + Math.hypot(l.peak[0], l.peak[1]), 0) / n;
    const meanPx = s.landmarks.reduce((acc, l) => acc + Math.hypot(l.peakPx[0], l.peakPx[1]), 0) / n;
    const b = s.peakBias;
    lines.push(
      `| ${s.stage} | ${s.windowSize} | ${s.sigma} | ${f(s.scale)} | ${f(s.rotationDeg, 2)} | ${f(s.responses.min)} | ${f(s.responses.max)} | ${f(s.responses.mean)} | ${f(s.responses.sum, 1)} | ${s.responses.nonFinite} | ${f(meanRef, 2)} | ${f(meanPx, 2)} | (${f(b.meanOffsetPx[0], 2)}, ${f(b.meanOffsetPx[1], 2)}) | ${f(b.scale, 4)} | ${f(b.rotationDeg, 2)} |`,
    );
  }
  lines.push('');
  lines.push('| stage | iteration | mean-shift mean (px) | mean-shift max (px) | abs dp | RMS move (px) | clamped modes |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const t of d.iterations) lines.push(`| ${t.stage} | ${t.iteration} | ${f(t.meanShift)} | ${f(t.maxShift)} | ${f(t.stepNorm, 4)} | ${f(t.move)} | ${t.clamped} |`);
  lines.push('');
  lines.push(`converged: ${fit.converged}, iterations: ${fit.iterations}, log-likelihood: ${f(fit.likelihood, 4)}, last RMS move: ${f(fit.lastMove)} px`);
  return lines.join('\n');
}
