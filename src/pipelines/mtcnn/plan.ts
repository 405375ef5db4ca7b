// The CPU plan of one MTCNN batch: pyramid levels and PNet tiles per image, the candidate-list
// segments, the counter slots (named, in one u32 buffer the GPU advances atomically) and the list
// capacities. Sizes only: no pixel data. The counters are also how the GPU reports back how much
// room a list needed when it overflowed.
import type { MtcnnOptions } from './options.js';
import { cellCorners, pnetKey, pnetOutputSize, pyramid, type PyramidLevel } from './pyramid.js';
import { pnetTiles, type PnetTile } from './tiles.js';

/** Per-image capacities of the candidate lists (grown and retried when the GPU reports more). */
export interface Capacities {
  /** PNet candidates per (image, level) segment before NMS. */
  raw: number;
  /** Per image after PNet's NMS (RNet's inputs). */
  pnet: number;
  rnet: number;
  onet: number;
}

/** One (image, pyramid level): its PNet candidates before NMS. */
export interface Segment {
  image: number;
  level: PyramidLevel;
  /** PNet output of the whole level. */
  cellsX: number;
  cellsY: number;
  /** First slot and capacity in the raw candidate list. */
  offset: number;
  capacity: number;
  /** Where its cell-corner tables start in the box table (x, then y). */
  xTable: number;
  yTable: number;
  keyBase: number;
}

export interface TileWork {
  segment: number;
  tile: PnetTile;
}

/** Counter slots; per-image ones are `base + image`, per-segment ones `base + segment`. */
export interface Counters {
  raw: number;
  perScale: number;
  pnet: number;
  rnetBatch: number;
  rnetStart: number;
  rnetPassed: number;
  rnet: number;
  onetBatch: number;
  onetStart: number;
  onetPassed: number;
  final: number;
  /** Candidates that found no room, per list (any non-zero one means a re-run). */
  overflow: Record<'perScale' | 'pnet' | 'rnetBatch' | 'rnetPassed' | 'rnet' | 'onetBatch' | 'onetPassed' | 'final', number>;
  total: number;
}

export interface BatchPlan {
  images: number;
  segments: Segment[];
  tiles: TileWork[];
  /** Cell corners per level: 2 floats per cell column, then 2 per cell row. */
  boxTable: Float32Array;
  rawTotal: number;
  caps: { pnet: number; rnet: number; onet: number };
  counters: Counters;
}

export interface PlanInput {
  width: number;
  height: number;
  minFaceSize: number;
}

export function planBatch(images: readonly PlanInput[], o: Pick<MtcnnOptions, 'factor' | 'pyramidLevels' | 'boxes'>, caps: Capacities, tileSize: number): BatchPlan {
  const n = images.length;
  const segments: Segment[] = [];
  const tiles: TileWork[] = [];
  let rawTotal = 0;
  let tableFloats = 0;
  const cellsPerImage = images.map(() => 0);
  images.forEach((im, image) => {
    for (const level of pyramid(im.width, im.height, im.minFaceSize, o.factor, o.pyramidLevels)) {
      const cellsX = pnetOutputSize(level.width);
      const cellsY = pnetOutputSize(level.height);
      const capacity = Math.min(cellsX * cellsY, caps.raw);
      const segment = segments.length;
      segments.push({ image, level, cellsX, cellsY, offset: rawTotal, capacity, xTable: tableFloats, yTable: tableFloats + 2 * cellsX, keyBase: pnetKey(level.index, 0) });
      for (const tile of pnetTiles(level.width, level.height, tileSize)) tiles.push({ segment, tile });
      rawTotal += capacity;
      tableFloats += 2 * (cellsX + cellsY);
      cellsPerImage[image]! += cellsX * cellsY;
    }
  });
  const boxTable = new Float32Array(Math.max(1, tableFloats));
  for (const s of segments) {
    boxTable.set(cellCorners(s.cellsX, s.level.scale, o.boxes), s.xTable);
    boxTable.set(cellCorners(s.cellsY, s.level.scale, o.boxes), s.yTable);
  }
  let slots = 0;
  const take = (count: number) => ((slots += count), slots - count);
  const counters: Omit<Counters, 'total'> = {
    raw: take(segments.length),
    perScale: take(n),
    pnet: take(n),
    rnetBatch: take(1),
    rnetStart: take(n),
    rnetPassed: take(n),
    rnet: take(n),
    onetBatch: take(1),
    onetStart: take(n),
    onetPassed: take(n),
    final: take(n),
    overflow: { perScale: take(1), pnet: take(1), rnetBatch: take(1), rnetPassed: take(1), rnet: take(1), onetBatch: take(1), onetPassed: take(1), final: take(1) },
  };
  return {
    images: n,
    segments,
    tiles,
    boxTable,
    rawTotal: Math.max(1, rawTotal),
    caps: { pnet: Math.max(1, Math.min(caps.pnet, Math.max(...cellsPerImage, 1))), rnet: caps.rnet, onet: caps.onet },
    counters: { ...counters, total: slots },
  };
}

/** Room the GPU said it needed, or undefined when every list had enough. */
export function neededCapacities(plan: BatchPlan, counts: Uint32Array, caps: Capacities): Capacities | undefined {
  const c = plan.counters;
  const rawNeed = Math.max(0, ...plan.segments.map((s, i) => (counts[c.raw + i]! > s.capacity ? counts[c.raw + i]! : 0)));
  const overflowed = rawNeed > 0 || Object.values(c.overflow).some((slot) => counts[slot]! > 0);
  if (!overflowed) return undefined;
  const max = (base: number) => Math.max(0, ...Array.from({ length: plan.images }, (_, i) => counts[base + i]!));
  return {
    raw: Math.max(caps.raw, rawNeed),
    pnet: Math.max(caps.pnet, max(c.perScale), max(c.pnet)),
    rnet: Math.max(caps.rnet, max(c.rnetPassed), max(c.rnet), max(c.pnet)),
    onet: Math.max(caps.onet, max(c.onetPassed), max(c.final), max(c.rnet)),
  };
}
