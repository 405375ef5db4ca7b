// OpenFace's text files: the model list (main_clnf_*.txt), the CLNF description (clnf_*.txt: the
// PDM and one PatchesCCNF line per scale) and the PDM (three matrices, each after a '#' comment
// line: "rows cols type" then the values). Layout from ../shared/design/clm.md section 1.3.
import { ClmModelError } from '../../pipelines/clm/model.js';
import type { Pdm3d } from '../../pipelines/clm/ccnf-model.js';

/** The non-empty lines of a text file, each split at its first space: [keyword, rest]. */
function keyLines(text: string): Array<{ key: string; value: string; line: number }> {
  return text
    .split(/\r?\n/)
    .map((l, i) => ({ l: l.trim(), line: i + 1 }))
    .filter(({ l }) => l && !l.startsWith('#'))
    .map(({ l, line }) => {
      const at = l.search(/\s/);
      return at < 0 ? { key: l, value: '', line } : { key: l.slice(0, at), value: l.slice(at).trim(), line };
    });
}

/** main_clnf_*.txt -> the path (relative to it) of the CLNF description ("LandmarkDetector ..."). */
export function readMainFile(text: string, file: string): { clnf: string; ignored: string[] } {
  const lines = keyLines(text);
  const detector = lines.filter((l) => l.key === 'LandmarkDetector');
  if (detector.length !== 1) throw new ClmModelError(file, `expected one 'LandmarkDetector <clnf file>' line, found ${detector.length} (is this an OpenFace main_clnf_*.txt?)`);
  // Hierarchical part models (eyes, inner face), the face-detector conversion and the validator are not used.
  return { clnf: detector[0]!.value, ignored: lines.filter((l) => l.key !== 'LandmarkDetector').map((l) => `${l.key} ${l.value}`) };
}

/** clnf_*.txt -> the PDM path and one CCNF file per scale; other expert types are refused by name. */
export function readClnfFile(text: string, file: string): { pdm: string; scales: string[] } {
  const lines = keyLines(text);
  const pdm = lines.filter((l) => l.key === 'PDM');
  if (pdm.length !== 1) throw new ClmModelError(file, `expected one 'PDM <file>' line, found ${pdm.length}`);
  const scales: string[] = [];
  for (const l of lines) {
    if (l.key === 'PatchesCCNF') scales.push(l.value);
    else if (l.key.startsWith('Patches')) {
      const kind = /SVR/i.test(l.key) ? 'SVR' : /CEN/i.test(l.key) ? 'CEN (CE-CLM)' : l.key.slice('Patches'.length) || l.key;
      throw new ClmModelError(file, `line ${l.line}: '${l.key}' patch experts (${kind}) are not supported: only CCNF experts (PatchesCCNF) are`);
    }
  }
  if (scales.length === 0) throw new ClmModelError(file, "no 'PatchesCCNF <file>' line (no patch experts)");
  return { pdm: pdm[0]!.value, scales };
}

/** The PDM text: mean (3n x 1), principal components (3n x m), eigenvalues (1 x m). */
export function readPdmFile(text: string, file: string): Pdm3d {
  const tokens: Array<{ t: string; line: number }> = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (l.trim().startsWith('#')) return;
    for (const t of l.trim().split(/\s+/)) if (t) tokens.push({ t, line: i + 1 });
  });
  let at = 0;
  const matrix = (what: string): { rows: number; cols: number; data: Float64Array } => {
    const head = tokens.slice(at, at + 3);
    if (head.length < 3) throw new ClmModelError(file, `${what}: the file ends before its 'rows cols type' header`);
    const [rows, cols, type] = head.map((h) => Number(h.t));
    if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows! > 0 && cols! > 0)) throw new ClmModelError(file, `line ${head[0]!.line}: ${what}: header '${head.map((h) => h.t).join(' ')}' is not 'rows cols type'`);
    if (type !== 6 && type !== 5) throw new ClmModelError(file, `line ${head[0]!.line}: ${what}: matrix type ${type}, expected 6 (f64) or 5 (f32)`);
    at += 3;
    const data = new Float64Array(rows! * cols!);
    for (let k = 0; k < data.length; k++, at++) {
      const tok = tokens[at];
      if (!tok) throw new ClmModelError(file, `${what}: ${k} of ${data.length} values before the file ends (truncated?)`);
      const v = Number(tok.t);
      if (!Number.isFinite(v)) throw new ClmModelError(file, `line ${tok.line}: ${what}: '${tok.t}' is not a number`);
      data[k] = v;
    }
    return { rows: rows!, cols: cols!, data };
  };
  const mean = matrix('mean shape');
  const pcs = matrix('principal components');
  const ev = matrix('eigenvalues');
  if (at !== tokens.length) throw new ClmModelError(file, `line ${tokens[at]!.line}: ${tokens.length - at} values after the eigenvalues`);
  if (mean.cols !== 1 || mean.rows % 3 !== 0) throw new ClmModelError(file, `mean shape: ${mean.rows} x ${mean.cols}, expected 3n x 1 (all x, then all y, then all z)`);
  const n = mean.rows / 3;
  const m = pcs.cols;
  if (pcs.rows !== 3 * n) throw new ClmModelError(file, `principal components: ${pcs.rows} x ${pcs.cols}, expected ${3 * n} x m`);
  if (ev.rows * ev.cols !== m) throw new ClmModelError(file, `eigenvalues: ${ev.rows} x ${ev.cols}, expected ${m} values (one per component)`);
  ev.data.forEach((v, k) => {
    if (!(v > 0)) throw new ClmModelError(file, `eigenvalues[${k}]: ${v} (eigenvalues must be positive)`);
  });
  // OpenFace's layout (x block, y block, z block) -> interleaved points.
  const meanShape = new Float32Array(3 * n);
  const eigenVectors = new Float32Array(3 * n * m);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) {
      meanShape[3 * i + c] = mean.data[c * n + i]!;
      for (let k = 0; k < m; k++) eigenVectors[(3 * i + c) * m + k] = pcs.data[(c * n + i) * m + k]!;
    }
  return { kind: '3d', points: n, modes: m, meanShape, eigenVectors, eigenValues: Float32Array.from(ev.data) };
}
