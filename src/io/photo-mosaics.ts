// Real-photo crowd mosaics (Node-only): the six group photos @vladmandic/face-api ships
// (demo/sample1..6.jpg, 1920 px wide, 3-5 people each, overlapping) tiled into one image at run
// time, the photos never copied into this repository. Each photo's people were annotated once by
// hand (below); a tile's boxes are those boxes mapped exactly (scale, mirror, offset), so the ground
// truth is as good as the hand annotation: drawn by eye on a 100 px grid over the photo shown at
// 0.4 scale, so each edge is within about 25 px of the visible extent (IoU >= ~0.9 with a perfect
// box at these sizes), enough for IoU-0.5 matching, less so for AP at 0.85-0.95. Boxes follow COCO:
// the visible extent of each person, hair and raised arms included, cut at the photo's border.
import { join } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../graph/sample-graphs.js';
import type { DenseScene } from './dense-scenes.js';
import { findPackageDir } from './model-catalog.js';

/** Person boxes [x1, y1, x2, y2] in the original photo's pixels, left to right. */
export const FACE_API_SAMPLE_PEOPLE: Readonly<Record<string, ReadonlyArray<readonly [number, number, number, number]>>> = {
  'sample1.jpg': [
    [188, 212, 775, 1280],
    [725, 312, 1250, 1280],
    [1235, 175, 1825, 1280],
  ],
  'sample2.jpg': [
    [25, 45, 890, 1367],
    [800, 80, 1315, 1367],
    [1175, 38, 1875, 1367],
  ],
  'sample3.jpg': [
    [10, 250, 950, 1350],
    [912, 138, 1425, 1350],
    [1350, 220, 1900, 1350],
  ],
  'sample4.jpg': [
    [62, 88, 612, 1448],
    [212, 20, 975, 1448],
    [738, 100, 1312, 1448],
    [1100, 95, 1862, 1448],
  ],
  'sample5.jpg': [
    [100, 800, 712, 1398],
    [400, 320, 750, 1175],
    [725, 45, 1100, 1138],
    [1000, 162, 1475, 1050],
    [938, 275, 1850, 1398],
  ],
  'sample6.jpg': [
    [138, 375, 638, 1537],
    [600, 212, 1038, 1537],
    [988, 162, 1450, 1537],
    [1325, 155, 1788, 1537],
  ],
};

export interface MosaicOptions {
  /** Tiles across and down. */
  columns: number;
  rows: number;
  /** Width of a tile in pixels (its height keeps the photo's aspect ratio). */
  tileWidth: number;
}

interface Photo {
  name: string;
  width: number;
  height: number;
  people: ReadonlyArray<readonly [number, number, number, number]>;
}

function facePhotos(): { dir: string; photos: Photo[] } {
  const pkg = findPackageDir('@vladmandic/face-api');
  if (!pkg) throw new Error('photo mosaics need the photos of @vladmandic/face-api (npm install @vladmandic/face-api@1.7.15)');
  const sizes: Record<string, [number, number]> = {
    'sample1.jpg': [1920, 1280], 'sample2.jpg': [1920, 1367], 'sample3.jpg': [1920, 1350], 'sample4.jpg': [1920, 1448], 'sample5.jpg': [1920, 1398], 'sample6.jpg': [1920, 1537],
  };
  return { dir: join(pkg, 'demo'), photos: Object.entries(FACE_API_SAMPLE_PEOPLE).map(([name, people]) => ({ name, width: sizes[name]![0], height: sizes[name]![1], people })) };
}

/**
 * A mosaic of columns x rows tiles, each one of the photos (a seeded shuffle, repeated as needed,
 * mirrored at random) resized to tileWidth, placed top-left in its cell on a grey background.
 */
export async function photoMosaic(seed: number, o: MosaicOptions): Promise<DenseScene> {
  const { dir, photos } = facePhotos();
  const random = seededRandom(seed);
  const order = photos.map((p) => ({ p, key: random() })).sort((a, b) => a.key - b.key).map((x) => x.p);
  const tiles = Array.from({ length: o.columns * o.rows }, (_, i) => ({ photo: order[i % order.length]!, mirror: random() < 0.5 }));
  const tileHeight = (p: Photo) => Math.round((o.tileWidth * p.height) / p.width);
  const cellHeight = Math.max(...photos.map(tileHeight));
  const width = o.columns * o.tileWidth;
  const height = o.rows * cellHeight;
  const annotations: DenseScene['annotations'] = [];
  const layers: Array<{ input: Buffer; left: number; top: number }> = [];
  for (const [i, t] of tiles.entries()) {
    const left = (i % o.columns) * o.tileWidth;
    const top = Math.floor(i / o.columns) * cellHeight;
    const h = tileHeight(t.photo);
    let image = sharp(join(dir, t.photo.name)).resize(o.tileWidth, h, { fit: 'fill' });
    if (t.mirror) image = image.flop();
    layers.push({ input: await image.png().toBuffer(), left, top });
    // Exact in continuous coordinates: the resize maps [0, W] onto [0, tileWidth] (and H onto h).
    const sx = o.tileWidth / t.photo.width;
    const sy = h / t.photo.height;
    for (const [x1, y1, x2, y2] of t.photo.people) {
      const [a, b] = t.mirror ? [t.photo.width - x2, t.photo.width - x1] : [x1, x2];
      const bbox: [number, number, number, number] = [left + a * sx, top + y1 * sy, (b - a) * sx, (y2 - y1) * sy];
      annotations.push({ category_id: 1, bbox, area: bbox[2] * bbox[3], iscrowd: 0 });
    }
  }
  const { data } = await sharp({ create: { width, height, channels: 3, background: { r: 96, g: 96, b: 96 } } })
    .composite(layers)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { name: `mosaic_${seed}_${o.columns}x${o.rows}.png`, kind: 'mosaic', width, height, pixels: new Uint8Array(data), annotations };
}
