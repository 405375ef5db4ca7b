// Reads TensorFlow.js weights: a weights manifest (model.json's weightsManifest, or a
// *-weights_manifest.json) and its binary shards. Supports float32 and int32 tensors, float16, and
// the uint8/uint16 affine quantization tfjs-converter writes (value = q * scale + min, as
// tfjs-core's io.decodeWeights computes it). Browser-safe: bytes in; every error names the file and
// the tensor.

export interface TfjsQuantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
}

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | string;
  quantization?: TfjsQuantization;
}

export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

export interface TfjsTensor {
  shape: number[];
  data: Float32Array;
}

export class TfjsWeightsError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'TfjsWeightsError';
  }
}

/** IEEE half -> float (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function parseManifest(manifest: unknown, file: string): TfjsWeightGroup[] {
  const groups = Array.isArray(manifest) ? manifest : (manifest as { weightsManifest?: unknown })?.weightsManifest;
  if (!Array.isArray(groups)) throw new TfjsWeightsError(file, 'not a tfjs weights manifest (expected an array of {paths, weights}, or a model.json with weightsManifest)');
  groups.forEach((g, i) => {
    const group = g as Partial<TfjsWeightGroup>;
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new TfjsWeightsError(file, `weight group ${i} has no 'paths' or 'weights' list`);
    group.weights.forEach((w, k) => {
      if (typeof w?.name !== 'string' || !Array.isArray(w.shape) || w.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new TfjsWeightsError(file, `weight group ${i} entry ${k} needs a name and an integer shape`);
    });
  });
  return groups as TfjsWeightGroup[];
}

/**
 * Decodes every tensor of a manifest. `shard(path)` returns the bytes of a file the manifest names
 * (relative to the manifest). Shards of a group are concatenated, tensors laid out one after another.
 */
export function readTfjsWeights(manifest: unknown, file: string, shard: (path: string) => Uint8Array): Map<string, TfjsTensor> {
  const out = new Map<string, TfjsTensor>();
  for (const group of parseManifest(manifest, file)) {
    const parts = group.paths.map((p) => {
      try {
        return shard(p);
      } catch (err) {
        throw new TfjsWeightsError(file, `weights file '${p}' cannot be read: ${(err as Error).message}`);
      }
    });
    const total = parts.reduce((s, p) => s + p.length, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    // A copy with its own buffer: views below need aligned offsets only within it.
    const view = new DataView(bytes.buffer);
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const bytesPer = q ? (q.dtype === 'uint8' ? 1 : 2) : w.dtype === 'float32' || w.dtype === 'int32' ? 4 : 0;
      if (!bytesPer) throw new TfjsWeightsError(file, `tensor '${w.name}' has dtype ${w.dtype}${q ? ` quantized as ${q.dtype}` : ''}; supported: float32, int32, and uint8/uint16/float16 quantization`);
      if (q && q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16') throw new TfjsWeightsError(file, `tensor '${w.name}': quantization dtype ${String(q.dtype)} is not supported (uint8, uint16, float16)`);
      if (q && q.dtype !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number')) throw new TfjsWeightsError(file, `tensor '${w.name}': ${q.dtype} quantization without scale and min`);
      if (offset + count * bytesPer > total) {
        throw new TfjsWeightsError(file, `tensor '${w.name}' [${w.shape}] needs bytes ${offset}..${offset + count * bytesPer}, the weights files (${group.paths.join(', ')}) hold ${total}: truncated or the wrong file`);
      }
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const p = offset + i * bytesPer;
        if (!q) data[i] = w.dtype === 'int32' ? view.getInt32(p, true) : view.getFloat32(p, true);
        else if (q.dtype === 'float16') data[i] = halfToFloat(view.getUint16(p, true));
        else data[i] = (q.dtype === 'uint8' ? view.getUint8(p) : view.getUint16(p, true)) * q.scale! + q.min!;
      }
      if (out.has(w.name)) throw new TfjsWeightsError(file, `tensor '${w.name}' appears twice`);
      out.set(w.name, { shape: [...w.shape], data });
      offset += count * bytesPer;
    }
    if (offset !== total) throw new TfjsWeightsError(file, `the manifest describes ${offset} bytes, the weights files hold ${total}: the wrong manifest for these files?`);
  }
  return out;
}
