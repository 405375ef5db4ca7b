// The box record of shaders/postprocess/db_boxes.wgsl as seen from TypeScript: 48 bytes, a valid
// flag (u32), the score, two pad words, then the 4 corners (8 f32).
import type { TextBox } from './types.js';

export const BOX_BYTES = 48;

export function decodeBoxes(bytes: ArrayBuffer, count: number): TextBox[] {
  const f = new Float32Array(bytes);
  const u = new Uint32Array(bytes);
  const list: TextBox[] = [];
  for (let k = 0; k < count; k++) {
    const w = (k * BOX_BYTES) / 4;
    if (u[w] !== 1) continue;
    list.push({ polygon: [0, 1, 2, 3].map((j) => [f[w + 4 + 2 * j]!, f[w + 5 + 2 * j]!] as [number, number]), score: f[w + 1]! });
  }
  return list;
}
