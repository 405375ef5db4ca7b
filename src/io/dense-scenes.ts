// Dense scenes with exact COCO ground truth, drawn pixel by pixel (no anti-aliasing, so every box is
// exactly the extent of its object's pixels), from a seed (the same seed gives the same bytes and
// image ids):
// - bookshelves: shelf rows of touching book spines 8-40 px wide, of varied heights and colours,
//   with bands and a column of glyph strokes ("vertical text") on each spine; category 'book';
// - audiences: rows of overlapping head-and-shoulder figures, back rows first (smaller, higher),
//   each front figure hiding what is behind it; the box is the whole figure (as CrowdHuman's full
//   box), `visible_bbox` the extent of its visible pixels, `area` the visible pixel count; figures
//   hidden entirely are left out. Category 'person'.
// Density 1 (sparse) .. 3 (dense) sets gaps and overlaps. PNGs through sharp (Node-only).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CocoAnnotation, CocoDataset } from '../eval/coco.js';
import { seededRandom } from '../graph/sample-graphs.js';

export const DENSE_CATEGORIES = [
  { id: 1, name: 'person' },
  { id: 84, name: 'book' },
];

export interface DenseScene {
  name: string;
  kind: 'bookshelf' | 'audience' | 'mosaic';
  width: number;
  height: number;
  /** RGB, row-major. */
  pixels: Uint8Array;
  annotations: Array<Omit<CocoAnnotation, 'id' | 'image_id'> & { visible_bbox?: [number, number, number, number] }>;
}

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: readonly number[],
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.pixels.set(background, 3 * i);
  }
  fill(x0: number, y0: number, x1: number, y1: number, color: readonly number[]): void {
    for (let y = Math.max(0, y0); y < Math.min(this.height, y1); y++) for (let x = Math.max(0, x0); x < Math.min(this.width, x1); x++) this.pixels.set(color, 3 * (y * this.width + x));
  }
}

const shade = (c: readonly number[], f: number) => c.map((v) => Math.max(0, Math.min(255, Math.round(v * f))));

export function bookshelf(seed: number, width = 640, height = 480, density = 2): DenseScene {
  const rnd = seededRandom(seed);
  const canvas = new Canvas(width, height, [92, 64, 42]);
  const rows = 3 + (density > 2 ? 1 : 0);
  const board = 10;
  const rowHeight = Math.floor((height - board) / rows);
  const gapMax = density >= 3 ? 0 : density === 2 ? 2 : 6;
  const annotations: DenseScene['annotations'] = [];
  for (let r = 0; r < rows; r++) {
    const top = r * rowHeight + board;
    const bottom = (r + 1) * rowHeight; // the board below the row starts here
    canvas.fill(0, bottom, width, bottom + board, [140, 100, 62]);
    let x = 4 + Math.floor(rnd() * 10);
    while (x < width - 12) {
      const w = Math.min(8 + Math.floor(rnd() * 33), width - 4 - x);
      if (w < 8) break;
      const h = Math.floor((bottom - top) * (0.55 + 0.4 * rnd()));
      const y = bottom - h;
      const color = [40 + Math.floor(rnd() * 200), 40 + Math.floor(rnd() * 200), 40 + Math.floor(rnd() * 200)];
      canvas.fill(x, y, x + w, bottom, color);
      // Bands near the ends and a column of glyph strokes (vertical text) down the middle.
      const band = shade(color, 0.6);
      canvas.fill(x, y + 4, x + w, y + 7, band);
      canvas.fill(x, bottom - 8, x + w, bottom - 5, band);
      const ink = shade(color, rnd() < 0.5 ? 0.35 : 1.6);
      const gw = Math.max(2, Math.floor(w / 3));
      for (let gy = y + 12; gy + 5 < bottom - 12; gy += 7) if (rnd() < 0.8) canvas.fill(x + Math.floor((w - gw) / 2), gy, x + Math.floor((w - gw) / 2) + gw, gy + 4 + Math.floor(rnd() * 2), ink);
      annotations.push({ category_id: 84, bbox: [x, y, w, h], area: w * h, iscrowd: 0 });
      x += w + Math.floor(rnd() * (gapMax + 1));
    }
  }
  return { name: `bookshelf_${seed}.png`, kind: 'bookshelf', width, height, pixels: canvas.pixels, annotations };
}

interface Figure {
  cx: number;
  headY: number;
  /** Head radii and shoulder half-width / height. */
  hr: number;
  vr: number;
  sw: number;
  sh: number;
  skin: number[];
  cloth: number[];
}

/** Whether pixel (x, y) belongs to the figure, and which colour it has there. */
function figureAt(f: Figure, x: number, y: number): number[] | undefined {
  const dx = (x + 0.5 - f.cx) / f.hr;
  const dy = (y + 0.5 - f.headY) / f.vr;
  if (dx * dx + dy * dy <= 1) return f.skin;
  const top = f.headY + f.vr * 0.8;
  if (y + 0.5 >= top && y + 0.5 < top + f.sh) {
    // Shoulders: a half ellipse widening from the neck down, then straight.
    const t = Math.min(1, (y + 0.5 - top) / (f.sh * 0.45));
    const half = f.sw * Math.sqrt(Math.max(0, 1 - (1 - t) * (1 - t)));
    if (Math.abs(x + 0.5 - f.cx) <= Math.max(half, f.hr * 0.5)) return f.cloth;
  }
  return undefined;
}

function figureBox(f: Figure, width: number, height: number): [number, number, number, number] {
  const x0 = Math.max(0, Math.floor(f.cx - Math.max(f.sw, f.hr)));
  const x1 = Math.min(width, Math.ceil(f.cx + Math.max(f.sw, f.hr)));
  const y0 = Math.max(0, Math.floor(f.headY - f.vr));
  const y1 = Math.min(height, Math.ceil(f.headY + f.vr * 0.8 + f.sh));
  // Tighten to the pixels the figure covers.
  let [bx0, by0, bx1, by1] = [Infinity, Infinity, -1, -1];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++)
      if (figureAt(f, x, y)) {
        bx0 = Math.min(bx0, x);
        by0 = Math.min(by0, y);
        bx1 = Math.max(bx1, x);
        by1 = Math.max(by1, y);
      }
  return bx1 < 0 ? [0, 0, 0, 0] : [bx0, by0, bx1 - bx0 + 1, by1 - by0 + 1];
}

export function audience(seed: number, width = 640, height = 480, density = 2): DenseScene {
  const rnd = seededRandom(seed);
  const canvas = new Canvas(width, height, [48, 52, 70]);
  const rows = 3 + density;
  const figures: Figure[] = [];
  for (let r = 0; r < rows; r++) {
    // Back rows (r = 0) are higher up and smaller.
    const scale = 0.45 + (0.55 * r) / Math.max(1, rows - 1);
    const hr = 11 * scale * (width / 640) * 1.6;
    const spacing = hr * (density >= 3 ? 2.1 : density === 2 ? 2.6 : 3.4);
    const headY = height * (0.18 + (0.7 * r) / rows);
    for (let cx = hr + rnd() * spacing; cx < width - hr / 2; cx += spacing * (0.85 + 0.3 * rnd())) {
      const skin = [150 + Math.floor(rnd() * 90), 110 + Math.floor(rnd() * 70), 80 + Math.floor(rnd() * 60)];
      const cloth = [20 + Math.floor(rnd() * 220), 20 + Math.floor(rnd() * 220), 20 + Math.floor(rnd() * 220)];
      figures.push({ cx, headY: headY + (rnd() - 0.5) * hr * 0.6, hr, vr: hr * 1.25, sw: hr * 2.1, sh: hr * 2.6, skin, cloth });
    }
  }
  // Paint back to front, remembering which figure owns each pixel.
  const owner = new Int32Array(width * height).fill(-1);
  figures.forEach((f, i) => {
    const [bx, by, bw, bh] = figureBox(f, width, height);
    for (let y = by; y < by + bh; y++)
      for (let x = bx; x < bx + bw; x++) {
        const c = figureAt(f, x, y);
        if (!c) continue;
        owner[y * width + x] = i;
        canvas.pixels.set(c, 3 * (y * width + x));
      }
  });
  const visible = figures.map(() => ({ x0: Infinity, y0: Infinity, x1: -1, y1: -1, count: 0 }));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = owner[y * width + x]!;
      if (i < 0) continue;
      const v = visible[i]!;
      v.x0 = Math.min(v.x0, x);
      v.y0 = Math.min(v.y0, y);
      v.x1 = Math.max(v.x1, x);
      v.y1 = Math.max(v.y1, y);
      v.count++;
    }
  const annotations: DenseScene['annotations'] = [];
  figures.forEach((f, i) => {
    const v = visible[i]!;
    if (v.count === 0) return;
    annotations.push({ category_id: 1, bbox: figureBox(f, width, height), area: v.count, iscrowd: 0, visible_bbox: [v.x0, v.y0, v.x1 - v.x0 + 1, v.y1 - v.y0 + 1] });
  });
  return { name: `audience_${seed}.png`, kind: 'audience', width, height, pixels: canvas.pixels, annotations };
}

/** A COCO set of scenes; image ids 1.. in the order given, annotation ids 1.. in order. */
export function denseDataset(scenes: readonly DenseScene[]): CocoDataset {
  let id = 1;
  return {
    images: scenes.map((s, i) => ({ id: i + 1, file_name: s.name, width: s.width, height: s.height })),
    categories: DENSE_CATEGORIES,
    annotations: scenes.flatMap((s, i) => s.annotations.map((a) => ({ id: id++, image_id: i + 1, ...a }))),
  };
}

/** Writes every scene's PNG and instances.json into `dir`. */
export async function writeDenseSet(dir: string, scenes: readonly DenseScene[]): Promise<CocoDataset> {
  mkdirSync(dir, { recursive: true });
  for (const s of scenes) await sharp(s.pixels, { raw: { width: s.width, height: s.height, channels: 3 } }).png().toFile(join(dir, s.name));
  const gt = denseDataset(scenes);
  writeFileSync(join(dir, 'instances.json'), JSON.stringify(gt));
  return gt;
}
