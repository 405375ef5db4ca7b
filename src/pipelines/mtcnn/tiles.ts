// PNet on a pyramid level too large for one storage binding runs in tiles. PNet is fully
// convolutional: output cell c sees level pixels [2c, 2c + 12). A tile starting at an even level
// pixel x0 therefore computes exactly the cells x0/2 + c' of the whole level (its 2x2 pooling
// windows line up with the level's). A tile T pixels wide (T even) has (T - 10)/2 output columns, so
// tiles starting every T - 10 pixels produce every cell of the level exactly once; the last tile
// ends where the level ends, so its 'SAME' pooling pads exactly where the whole level's does.
// Candidates keep the keys and boxes of the untiled level (src/pipelines/mtcnn/kernels.ts).
import { analyzeGraph } from '../../graph/analyze.js';
import type { Graph } from '../../graph/types.js';
import { sizeOf } from '../../ops/tensor-utils.js';
import { pnetOutputSize } from './pyramid.js';

export interface PnetTile {
  /** First level pixel (even) and size in level pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Its PNet output (cells), the first being cell (x / 2, y / 2) of the level. */
  cellsX: number;
  cellsY: number;
}

function spans(size: number, tile: number): Array<{ start: number; length: number }> {
  if (size <= tile) return [{ start: 0, length: size }];
  const step = tile - 10;
  const out: Array<{ start: number; length: number }> = [];
  for (let start = 0; ; start += step) {
    if (start + tile >= size) {
      // Empty when the previous tiles already produced the level's last cells.
      if (pnetOutputSize(size - start) > 0) out.push({ start, length: size - start });
      return out;
    }
    out.push({ start, length: tile });
  }
}

/** Tiles of a level (one tile, the whole level, when it fits). `tile` must be even and >= 12. */
export function pnetTiles(levelWidth: number, levelHeight: number, tile: number): PnetTile[] {
  if (tile % 2 !== 0 || tile < 12) throw new RangeError(`PNet tile size ${tile} must be even and at least 12`);
  const xs = spans(levelWidth, tile);
  const ys = spans(levelHeight, tile);
  return ys.flatMap((y) => xs.map((x) => ({ x: x.start, y: y.start, width: x.length, height: y.length, cellsX: pnetOutputSize(x.length), cellsY: pnetOutputSize(y.length) })));
}

/**
 * The largest even tile side whose PNet tensors all fit in `maxBytes` (each tensor is one storage
 * binding), found by shape inference alone.
 */
export function pnetTileSize(pnet: Graph, maxBytes: number): number {
  const largest = (side: number) => {
    const analysis = analyzeGraph(pnet, { [pnet.inputs[0]!.name]: [1, 3, side, side] });
    return Math.max(...[...analysis.shapes.values()].map((s) => sizeOf(s) * 4));
  };
  let lo = 12;
  let hi = 16384;
  if (largest(hi) <= maxBytes) return hi;
  while (hi - lo > 2) {
    const mid = Math.floor((lo + hi) / 4) * 2;
    if (largest(mid) <= maxBytes) lo = mid;
    else hi = mid;
  }
  return lo;
}
