// The dense-scene generator (src/io/dense-scenes.ts): seeded and deterministic, boxes exact (the
// extent of the object's own pixels), occlusion order and visible boxes of audiences, stable ids.
import { describe, expect, it } from 'vitest';
import { audience, bookshelf, denseDataset } from '../../src/io/dense-scenes.js';
import { FACE_API_SAMPLE_PEOPLE, photoMosaic } from '../../src/io/photo-mosaics.js';

describe('dense scenes', () => {
  it('the same seed gives the same pixels and annotations; another seed does not', () => {
    const a = bookshelf(5, 320, 240, 3);
    const b = bookshelf(5, 320, 240, 3);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    expect(a.annotations).toEqual(b.annotations);
    expect(Buffer.from(bookshelf(6, 320, 240, 3).pixels).equals(Buffer.from(a.pixels))).toBe(false);
    expect(audience(2, 320, 240, 2).annotations).toEqual(audience(2, 320, 240, 2).annotations);
  });

  it('bookshelf: spines 8-40 px wide inside the image, touching at density 3, each box exactly its spine', () => {
    const s = bookshelf(11, 400, 300, 3);
    expect(s.annotations.length).toBeGreaterThan(30);
    const px = (x: number, y: number) => Array.from(s.pixels.subarray(3 * (y * s.width + x), 3 * (y * s.width + x) + 3));
    const byRow = new Map<number, number[][]>();
    for (const a of s.annotations) {
      const [x, y, w, h] = a.bbox;
      expect(w).toBeGreaterThanOrEqual(8);
      expect(w).toBeLessThanOrEqual(40);
      expect(x >= 0 && y >= 0 && x + w <= s.width && y + h <= s.height).toBe(true);
      expect(a.area).toBe(w * h);
      // The spine's colour fills its box from the top row to the bottom row (bands are darker
      // shades, glyphs are in the middle): the corners are the spine's colour...
      const colour = px(x, y);
      expect(px(x + w - 1, y)).toEqual(colour);
      expect(px(x, y + h - 1)).toEqual(colour);
      // ... and the pixel above the box is the wall (the spine ends there).
      if (y > 0) expect(px(x, y - 1)).toEqual([92, 64, 42]);
      byRow.set(y + h, [...(byRow.get(y + h) ?? []), a.bbox]);
    }
    // Density 3: no gaps, each spine starts where the previous one ends.
    for (const row of byRow.values()) for (let i = 1; i < row.length; i++) expect(row[i]![0]).toBe(row[i - 1]![0]! + row[i - 1]![2]!);
  });

  it('audience: front rows hide back rows; visible boxes inside full boxes; area = visible pixels', () => {
    const s = audience(9, 320, 240, 3);
    expect(s.annotations.length).toBeGreaterThan(40);
    let occluded = 0;
    for (const a of s.annotations) {
      const [x, y, w, h] = a.bbox;
      const [vx, vy, vw, vh] = a.visible_bbox!;
      expect(vx >= x && vy >= y && vx + vw <= x + w && vy + vh <= y + h).toBe(true);
      expect(a.area).toBeGreaterThan(0);
      expect(a.area).toBeLessThanOrEqual(w * h);
      if (vw * vh < w * h) occluded++;
    }
    // In a dense audience most figures are partly hidden by the row in front.
    expect(occluded).toBeGreaterThan(s.annotations.length / 2);
  });

  it('a COCO set: image ids 1.. in order, annotation ids 1.., categories person and book', () => {
    const gt = denseDataset([bookshelf(1, 160, 120, 2), audience(2, 160, 120, 1)]);
    expect(gt.images.map((i) => [i.id, i.file_name])).toEqual([[1, 'bookshelf_1.png'], [2, 'audience_2.png']]);
    expect(gt.annotations.map((a) => a.id)).toEqual(gt.annotations.map((_, i) => i + 1));
    expect(new Set(gt.annotations.map((a) => a.category_id))).toEqual(new Set([84, 1]));
  });

  it('photo mosaics: seeded; one tile at full size keeps the hand-annotated boxes exactly (or mirrors them)', async () => {
    const a = await photoMosaic(3, { columns: 3, rows: 2, tileWidth: 320 });
    const b = await photoMosaic(3, { columns: 3, rows: 2, tileWidth: 320 });
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    expect(a.annotations).toEqual(b.annotations);
    // Six tiles: every photo once, so every annotated person once (3 + 3 + 3 + 4 + 5 + 4).
    const people = Object.values(FACE_API_SAMPLE_PEOPLE).reduce((n, p) => n + p.length, 0);
    expect(a.annotations.length).toBe(people);
    expect(people).toBe(22);
    for (const ann of a.annotations) {
      const [x, y, w, h] = ann.bbox;
      expect(ann.category_id).toBe(1);
      // Each box lies inside its own tile (320 wide; cell height the tallest tile, 256).
      const column = Math.floor(x / 320);
      expect(x + w).toBeLessThanOrEqual((column + 1) * 320 + 1e-9);
      expect(y + h).toBeLessThanOrEqual((Math.floor(y / 257) + 1) * 257);
    }
    // One tile at the photo's own width: scale 1, boxes are the annotations, mirrored or not.
    for (const seed of [1, 2, 3, 4]) {
      const one = await photoMosaic(seed, { columns: 1, rows: 1, tileWidth: 1920 });
      const got = one.annotations.map((q) => q.bbox.map((v) => Math.round(v * 1e9) / 1e9));
      const candidates = Object.values(FACE_API_SAMPLE_PEOPLE).flatMap((boxes) => [
        boxes.map(([x1, y1, x2, y2]) => [x1, y1, x2 - x1, y2 - y1]),
        boxes.map(([x1, y1, x2, y2]) => [1920 - x2, y1, x2 - x1, y2 - y1]),
      ]);
      expect(candidates, `seed ${seed}`).toContainEqual(got);
    }
  });
});
