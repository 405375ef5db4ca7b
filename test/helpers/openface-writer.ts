// Writes small synthetic OpenFace CLNF models (main, clnf, PDM text, CCNF binaries) in the layout
// src/import/openface/ reads: the real files are non-commercial and never available here.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SynthNeuron {
  type?: number;
  normWeights: number;
  bias: number;
  alpha: number;
  weights: number[]; // ps x ps row-major
}

export interface SynthScale {
  patchScaling: number;
  patchSize: number;
  centresDeg: Array<[number, number, number]>;
  visibility: number[][]; // [view][landmark]
  windows: Array<{ ws: number; components: number[][] }>; // each component ws^2 x ws^2 row-major
  /** [view][landmark]: neurons (empty: hidden), betas, confidence. */
  patches: Array<Array<{ neurons: SynthNeuron[]; betas: number[]; confidence: number }>>;
}

export interface SynthModel {
  /** n points (x, y, z), m modes as 3n x m row-major over interleaved points, m eigenvalues. */
  mean: Array<[number, number, number]>;
  components: number[][]; // [3i + c][k]
  eigenValues: number[];
  scales: SynthScale[];
}

class Bytes {
  private parts: Buffer[] = [];
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.parts.push(b);
    return this;
  }
  f64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.parts.push(b);
    return this;
  }
  mat(rows: number, cols: number, type: number, values: number[]): this {
    this.i32(rows).i32(cols).i32(type);
    const size = type === 6 ? 8 : type === 0 ? 1 : 4;
    const b = Buffer.alloc(rows * cols * size);
    values.forEach((v, k) => (type === 6 ? b.writeDoubleLE(v, 8 * k) : type === 5 ? b.writeFloatLE(v, 4 * k) : type === 4 ? b.writeInt32LE(v, 4 * k) : b.writeUInt8(v, k)));
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function ccnfBytes(s: SynthScale): Buffer {
  const b = new Bytes().f64(s.patchScaling).i32(s.centresDeg.length);
  for (const c of s.centresDeg) b.mat(3, 1, 6, c);
  for (const v of s.visibility) b.mat(v.length, 1, 4, v);
  b.i32(s.windows.length);
  for (const w of s.windows) {
    b.i32(w.ws).i32(w.components.length);
    for (const c of w.components) b.mat(w.ws * w.ws, w.ws * w.ws, 5, c);
  }
  for (const view of s.patches)
    for (const p of view) {
      b.i32(5).i32(s.patchSize).i32(s.patchSize).i32(p.neurons.length);
      if (p.neurons.length === 0) {
        b.i32(0);
        continue;
      }
      for (const n of p.neurons) b.i32(2).i32(n.type ?? 0).f64(n.normWeights).f64(n.bias).f64(n.alpha).mat(s.patchSize, s.patchSize, 5, n.weights);
      for (const beta of p.betas) b.f64(beta);
      b.f64(p.confidence);
    }
  return b.done();
}

export function pdmText(m: SynthModel): string {
  const n = m.mean.length;
  const modes = m.eigenValues.length;
  // OpenFace's layout: all x, then all y, then all z.
  const meanRows = [0, 1, 2].flatMap((c) => m.mean.map((p) => p[c]!));
  const pcRows = [0, 1, 2].flatMap((c) => m.mean.map((_, i) => m.components[3 * i + c]!));
  return [
    '# The mean values of the components (in mm)',
    `${3 * n}`,
    '1',
    '6',
    ...meanRows.map((v) => v.toPrecision(17)),
    '# Principal components',
    `${3 * n} ${modes} 6`,
    ...pcRows.map((row) => row.map((v) => v.toPrecision(17)).join(' ')),
    '# Eigenvalues',
    `1 ${modes} 6`,
    m.eigenValues.map((v) => v.toPrecision(17)).join(' '),
    '',
  ].join('\n');
}

/** Writes the model under a fresh directory; returns the main file's path (and the directory). */
export function writeOpenFaceModel(m: SynthModel, edit: { clnfExtra?: string[]; ccnf?: (bytes: Buffer, scale: number) => Buffer; pdm?: (text: string) => string } = {}): { main: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wd-openface-'));
  mkdirSync(join(dir, 'patch_experts'));
  mkdirSync(join(dir, 'pdms'));
  writeFileSync(join(dir, 'pdms', 'pdm_synth.txt'), (edit.pdm ?? ((t) => t))(pdmText(m)));
  const scaleFiles = m.scales.map((s, k) => {
    const name = `patch_experts/ccnf_patches_${s.patchScaling}_synth.txt`;
    writeFileSync(join(dir, name), (edit.ccnf ?? ((b) => b))(ccnfBytes(s), k));
    return name;
  });
  writeFileSync(join(dir, 'clnf_synth.txt'), ['PDM pdms/pdm_synth.txt', 'Triangulations tris_synth.txt', ...scaleFiles.map((f) => `PatchesCCNF ${f}`), ...(edit.clnfExtra ?? [])].join('\n') + '\n');
  const main = join(dir, 'main_clnf_synth.txt');
  writeFileSync(main, ['LandmarkDetector clnf_synth.txt', 'FaceDetConversion haarAlign.txt', 'DetectionValidator validator_general_68.txt'].join('\n') + '\n');
  return { main, dir };
}

/** Deterministic pseudo-random values (so a failing case can be replayed from the seed). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
}

/** The tests' small model: 3 landmarks, 2 views, 3 x 3 patches, windows [3, 5] with 2 components each. */
export function smallSynthModel(seed = 7, options: { windows?: number[]; patchSize?: number; landmarks?: number; depth?: number } = {}): SynthModel {
  const random = lcg(seed);
  const ps = options.patchSize ?? 3;
  const n = options.landmarks ?? 3;
  const windows = options.windows ?? [3, 5];
  // S_0: a neighbour Laplacian (diagonal = degree, -1 per 4-neighbour); S_1: the identity.
  const laplacian = (ws: number) => {
    const m = new Array(ws ** 4).fill(0);
    for (let y = 0; y < ws; y++)
      for (let x = 0; x < ws; x++) {
        const i = y * ws + x;
        for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= ws || yy >= ws) continue;
          m[i * ws * ws + i] += 1;
          m[i * ws * ws + yy * ws + xx] -= 1;
        }
      }
    return m;
  };
  const identity = (ws: number) => Array.from({ length: ws ** 4 }, (_, e) => (Math.floor(e / (ws * ws)) === e % (ws * ws) ? 1 : 0));
  const zeroMeanUnit = () => {
    const w = Array.from({ length: ps * ps }, () => random() - 0.5);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const c = w.map((v) => v - mean);
    const norm = Math.hypot(...c);
    return c.map((v) => v / norm);
  };
  const scale = (patchScaling: number): SynthScale => ({
    patchScaling,
    patchSize: ps,
    centresDeg: [
      [0, 0, 0],
      [0, 30, 0],
    ],
    visibility: [new Array(n).fill(1), Array.from({ length: n }, (_, i) => (i === n - 1 ? 0 : 1))],
    windows: windows.map((ws) => ({ ws, components: [laplacian(ws), identity(ws)] })),
    patches: [0, 1].map((v) =>
      Array.from({ length: n }, (_, i) =>
        v === 1 && i === n - 1
          ? { neurons: [], betas: [], confidence: 0 }
          : { neurons: Array.from({ length: 2 }, () => ({ normWeights: 5 + 10 * random(), bias: random() - 0.5, alpha: 0.5 + 2 * random(), weights: zeroMeanUnit() })), betas: [0.5 + random(), 0.1 + 0.2 * random()], confidence: 0.5 + random() },
      ),
    ),
  });
  return {
    mean: Array.from({ length: n }, (_, i) => [20 * Math.cos((2 * Math.PI * i) / n) + random(), 20 * Math.sin((2 * Math.PI * i) / n) + random(), (options.depth ?? 5) * random()] as [number, number, number]),
    components: Array.from({ length: 3 * n }, () => [random() - 0.5, random() - 0.5]),
    eigenValues: [9, 4],
    scales: [scale(0.25), scale(0.5)],
  };
}
