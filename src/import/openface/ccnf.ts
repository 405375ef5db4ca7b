// OpenFace's CCNF patch-expert files ("ccnf_patches_<scale>_<set>.txt", binary despite the name,
// little-endian), as OpenFace's reader walks them (layout researched in ../shared/design/clm.md
// section 1.3; written from that description):
//   f64 patch scaling; i32 views; views x Mat centre (3 x 1 f64, degrees); views x Mat visibility
//   (n x 1 i32);
//   i32 windows; per window: i32 ws, i32 components, components x Mat (ws^2 x ws^2 f32);
//   views x n patches: i32 5, i32 width, i32 height, i32 neurons; neurons == 0: one i32, done;
//     else per neuron: i32 2, i32 type, f64 norm weights, f64 bias, f64 alpha, Mat weights (h x w);
//     then betas: f64 x (components of the first window); then f64 confidence.
//   Mat = i32 rows, i32 cols, i32 OpenCV type (0 u8, 4 i32, 5 f32, 6 f64), then the row-major data.
// Every size, marker and count is checked; trailing bytes are an error. Errors name the file, the
// byte offset and what was expected.
import { ClmModelError } from '../../pipelines/clm/model.js';
import type { CcnfNeuron, CcnfPatch, CcnfScale, CcnfView } from '../../pipelines/clm/ccnf-model.js';

const CV_TYPES: Record<number, { name: string; bytes: number }> = { 0: { name: 'u8', bytes: 1 }, 4: { name: 'i32', bytes: 4 }, 5: { name: 'f32', bytes: 4 }, 6: { name: 'f64', bytes: 8 } };

export class ByteReader {
  private view: DataView;
  offset = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(what: string, at = this.offset): never {
    throw new ClmModelError(this.file, `at byte ${at}: ${what}`);
  }

  private need(n: number, what: string): void {
    if (this.offset + n > this.bytes.length) this.fail(`${what}: the file ends (${this.bytes.length} bytes; truncated?)`);
  }

  i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }

  /** A Mat of the given OpenCV type and, when given, shape; values as float64. */
  mat(what: string, type: number, rows?: number, cols?: number): { rows: number; cols: number; data: Float64Array } {
    const at = this.offset;
    const r = this.i32(`${what} rows`);
    const c = this.i32(`${what} cols`);
    const t = this.i32(`${what} type`);
    if (t !== type) this.fail(`${what}: matrix type ${t} (${CV_TYPES[t]?.name ?? 'unknown'}), expected ${type} (${CV_TYPES[type]!.name})`, at);
    if (!(r >= 0 && c >= 0) || (rows !== undefined && r !== rows) || (cols !== undefined && c !== cols)) this.fail(`${what}: a ${r} x ${c} matrix, expected ${rows ?? 'any'} x ${cols ?? 'any'}`, at);
    const size = CV_TYPES[t]!.bytes;
    this.need(r * c * size, `${what} (${r} x ${c} ${CV_TYPES[t]!.name})`);
    const data = new Float64Array(r * c);
    for (let k = 0; k < r * c; k++) {
      const o = this.offset + k * size;
      data[k] = t === 6 ? this.view.getFloat64(o, true) : t === 5 ? this.view.getFloat32(o, true) : t === 4 ? this.view.getInt32(o, true) : this.view.getUint8(o);
    }
    this.offset += r * c * size;
    return { rows: r, cols: c, data };
  }

  marker(expected: number, what: string): void {
    const at = this.offset;
    const v = this.i32(what);
    if (v !== expected) this.fail(`${what}: marker ${v}, expected ${expected}`, at);
  }
}

/** One scale's experts (the landmark count comes from the visibility rows). */
export function readCcnfScale(bytes: Uint8Array, file: string): CcnfScale {
  const r = new ByteReader(bytes, file);
  const patchScaling = r.f64('patch scaling');
  if (!(patchScaling > 0 && patchScaling < 100)) r.fail(`patch scaling ${patchScaling} is not a plausible reference scale`, 0);
  const nViews = r.i32('view count');
  if (!(nViews >= 1 && nViews <= 64)) r.fail(`view count ${nViews}`, 8);
  const centres: Array<[number, number, number]> = [];
  for (let v = 0; v < nViews; v++) {
    const m = r.mat(`view ${v} centre`, 6, 3, 1).data;
    centres.push([m[0]!, m[1]!, m[2]!]);
  }
  const visibility: Uint8Array[] = [];
  let n = -1;
  for (let v = 0; v < nViews; v++) {
    const at = r.offset;
    const m = r.mat(`view ${v} visibility`, 4, undefined, 1);
    if (n >= 0 && m.rows !== n) r.fail(`view ${v} visibility has ${m.rows} landmarks, view 0 has ${n}`, at);
    n = m.rows;
    visibility.push(Uint8Array.from(m.data, (x) => (x !== 0 ? 1 : 0)));
  }
  const sigmaComponents = new Map<number, Float32Array[]>();
  const windows = r.i32('window count');
  if (!(windows >= 0 && windows <= 32)) r.fail(`window count ${windows}`, r.offset - 4);
  let firstComponents = 0;
  for (let w = 0; w < windows; w++) {
    const at = r.offset;
    const ws = r.i32(`window ${w} size`);
    const comps = r.i32(`window ${w} (ws ${ws}) component count`);
    if (!(ws >= 1 && ws <= 64)) r.fail(`window ${w}: size ${ws}`, at);
    if (!(comps >= 0 && comps <= 16)) r.fail(`window ${w} (ws ${ws}): component count ${comps}`, at + 4);
    if (w === 0) firstComponents = comps;
    else if (comps !== firstComponents) r.fail(`window ${w} (ws ${ws}) has ${comps} sigma components, window 0 has ${firstComponents}: every patch stores one beta per component of the first window, so the counts must agree`, at + 4);
    const list: Float32Array[] = [];
    for (let c = 0; c < comps; c++) list.push(Float32Array.from(r.mat(`sigma component ${c} of ws ${ws}`, 5, ws * ws, ws * ws).data));
    if (sigmaComponents.has(ws)) r.fail(`window size ${ws} listed twice`, at);
    sigmaComponents.set(ws, list);
  }
  let patchSize = 0;
  const views: CcnfView[] = centres.map((centreDeg, v) => {
    const patches: CcnfPatch[] = [];
    for (let i = 0; i < n; i++) {
      const what = `view ${v} landmark ${i}`;
      r.marker(5, `${what} patch`);
      const at = r.offset;
      const w = r.i32(`${what} width`);
      const h = r.i32(`${what} height`);
      const count = r.i32(`${what} neuron count`);
      if (count === 0) {
        r.i32(`${what} (no neurons) padding`);
        // A visible landmark without an expert cannot be searched: it is fitted as hidden.
        visibility[v]![i] = 0;
        patches.push({ neurons: [], betas: new Float64Array(0), confidence: 0 });
        continue;
      }
      if (!(w === h && w % 2 === 1 && w >= 1)) r.fail(`${what}: a ${w} x ${h} patch (must be square with an odd side)`, at);
      if (patchSize && w !== patchSize) r.fail(`${what}: patch side ${w}, other patches of this scale have ${patchSize}`, at);
      patchSize = w;
      if (!(count >= 1 && count <= 256)) r.fail(`${what}: neuron count ${count}`, at + 8);
      const neurons: CcnfNeuron[] = [];
      for (let k = 0; k < count; k++) {
        r.marker(2, `${what} neuron ${k}`);
        const typeAt = r.offset;
        const type = r.i32(`${what} neuron ${k} type`);
        if (type !== 0) r.fail(`${what} neuron ${k}: neuron type ${type}${type === 3 ? ' (depth)' : ''} is not supported (only intensity neurons, type 0)`, typeAt);
        const normWeights = r.f64(`${what} neuron ${k} norm weights`);
        const bias = r.f64(`${what} neuron ${k} bias`);
        const alpha = r.f64(`${what} neuron ${k} alpha`);
        const weights = Float32Array.from(r.mat(`${what} neuron ${k} weights`, 5, h, w).data);
        if (![normWeights, bias, alpha].every(Number.isFinite) || weights.some((x) => !Number.isFinite(x))) r.fail(`${what} neuron ${k}: non-finite values`, typeAt);
        neurons.push({ type, normWeights, bias, alpha, weights });
      }
      const betas = new Float64Array(firstComponents);
      for (let b = 0; b < firstComponents; b++) betas[b] = r.f64(`${what} beta ${b}`);
      const confidence = r.f64(`${what} confidence`);
      patches.push({ neurons, betas, confidence });
    }
    return { centreDeg, visible: visibility[v]!, patches };
  });
  if (r.offset !== bytes.length) r.fail(`${bytes.length - r.offset} bytes after the last patch (a different layout or a wrong file)`);
  if (!patchSize) r.fail('no landmark has a patch expert', 0);
  return { file, patchScaling, patchSize, views, sigmaComponents };
}
