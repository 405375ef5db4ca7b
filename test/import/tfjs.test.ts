// The tfjs weights reader on hand-made manifests: float32, int32, uint8 / uint16 affine
// quantization and float16 values decoded exactly as tfjs-core's io.decodeWeights does, shards
// concatenated, and errors naming the file and the tensor.
import { describe, expect, it } from 'vitest';
import { halfToFloat, readTfjsWeights } from '../../src/import/tfjs/weights.js';

function bytes(...parts: ArrayBufferView[]): Uint8Array {
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return out;
}

describe('tfjs weights manifests', () => {
  it('decodes float32, int32, uint8, uint16 and float16 tensors across two shards', () => {
    const f32 = Float32Array.of(1.5, -2.25, 3e-8);
    const i32 = Int32Array.of(7, -3);
    const u8 = Uint8Array.of(0, 1, 255, 128);
    const u16 = Uint16Array.of(0, 65535, 1234);
    // float16: 1.0 (0x3c00), -2.0 (0xc000), 65504 (0x7bff), the smallest subnormal (0x0001).
    const f16 = Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001);
    const all = bytes(f32, i32, u8, u16, f16);
    const shards: Record<string, Uint8Array> = { 'a.bin': all.subarray(0, 17), 'b.bin': all.subarray(17) };
    const manifest = [
      {
        paths: ['a.bin', 'b.bin'],
        weights: [
          { name: 'f', shape: [3], dtype: 'float32' },
          { name: 'i', shape: [2], dtype: 'int32' },
          { name: 'q8', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
          { name: 'q16', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: 2 } },
          { name: 'h', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } },
        ],
      },
    ];
    const w = readTfjsWeights(manifest, 'm.json', (p) => shards[p]!);
    expect(Array.from(w.get('f')!.data)).toEqual(Array.from(f32));
    expect(Array.from(w.get('i')!.data)).toEqual([7, -3]);
    expect(w.get('q8')!.shape).toEqual([2, 2]);
    expect(Array.from(w.get('q8')!.data)).toEqual([-1, -0.5, 126.5, 63].map(Math.fround));
    expect(Array.from(w.get('q16')!.data)).toEqual([2, 65535 * 0.001 + 2, 1234 * 0.001 + 2].map(Math.fround));
    expect(Array.from(w.get('h')!.data)).toEqual([1, -2, 65504, 2 ** -24]);
    expect([halfToFloat(0x7c00), halfToFloat(0xfc00), Number.isNaN(halfToFloat(0x7e00))]).toEqual([Infinity, -Infinity, true]);
  });

  it('errors name the file and the tensor', () => {
    const one = (weights: unknown[], data: Uint8Array) => () => readTfjsWeights([{ paths: ['w.bin'], weights }], 'model.json', () => data);
    expect(one([{ name: 'conv/filters', shape: [4], dtype: 'float32' }], new Uint8Array(12))).toThrow(/model\.json: tensor 'conv\/filters' \[4\] needs bytes 0\.\.16, the weights files \(w\.bin\) hold 12: truncated/);
    expect(one([{ name: 'x', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8' } }], new Uint8Array(2))).toThrow(/tensor 'x': uint8 quantization without scale and min/);
    expect(one([{ name: 'x', shape: [2], dtype: 'string' }], new Uint8Array(8))).toThrow(/tensor 'x' has dtype string; supported/);
    expect(one([{ name: 'x', shape: [1], dtype: 'float32' }], new Uint8Array(8))).toThrow(/describes 4 bytes, the weights files hold 8/);
    expect(() => readTfjsWeights({ nope: 1 }, 'bad.json', () => new Uint8Array())).toThrow(/bad\.json: not a tfjs weights manifest/);
    expect(() => readTfjsWeights([{ paths: ['gone.bin'], weights: [] }], 'm.json', () => {
      throw new Error('ENOENT');
    })).toThrow(/m\.json: weights file 'gone\.bin' cannot be read: ENOENT/);
  });
});
