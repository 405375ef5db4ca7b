// Writes a dense-scene set (src/io/dense-scenes.ts) with its COCO ground truth: bookshelves and
// audiences at densities 1..3, seeded (the same seed writes the same files and image ids); with
// --mosaics, real-photo crowd mosaics too (src/io/photo-mosaics.ts: @vladmandic/face-api's group
// photos tiled 3x2, 4x3, 5x4, 6x5, ..., their hand-annotated people mapped exactly).
//   node --import tsx harness/dense-scenes.ts --out harness/out/dense --count 6 --seed 1 [--size 640x480] [--mosaics 4]
import { parseArgs } from 'node:util';
import { audience, bookshelf, writeDenseSet, type DenseScene } from '../src/io/dense-scenes.js';
import { photoMosaic } from '../src/io/photo-mosaics.js';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'harness/out/dense' }, count: { type: 'string', default: '6' }, seed: { type: 'string', default: '1' }, size: { type: 'string', default: '640x480' }, mosaics: { type: 'string', default: '0' } } });
const [width, height] = args.size!.split('x').map(Number) as [number, number];
const seed = Number(args.seed);
const scenes: DenseScene[] = Array.from({ length: Number(args.count) }, (_, i) => (i % 2 === 0 ? bookshelf(seed * 1000 + i, width, height, 1 + (Math.floor(i / 2) % 3)) : audience(seed * 1000 + i, width, height, 1 + (Math.floor(i / 2) % 3))));
for (let m = 0; m < Number(args.mosaics); m++) {
  const columns = 3 + m;
  scenes.push(await photoMosaic(seed * 1000 + 500 + m, { columns, rows: columns - 1, tileWidth: Math.round(1920 / columns) }));
}
const gt = await writeDenseSet(args.out!, scenes);
console.log(`${args.out}: ${gt.images.length} images, ${gt.annotations.length} boxes (instances.json)`);
