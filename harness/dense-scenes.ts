// Writes a dense-scene set (src/io/dense-scenes.ts) with its COCO ground truth: bookshelves and
// audiences at densities 1..3, seeded (the same seed writes the same files and image ids).
//   node --import tsx harness/dense-scenes.ts --out harness/out/dense --count 6 --seed 1 [--size 640x480]
import { parseArgs } from 'node:util';
import { audience, bookshelf, writeDenseSet } from '../src/io/dense-scenes.js';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'harness/out/dense' }, count: { type: 'string', default: '6' }, seed: { type: 'string', default: '1' }, size: { type: 'string', default: '640x480' } } });
const [width, height] = args.size!.split('x').map(Number) as [number, number];
const seed = Number(args.seed);
const scenes = Array.from({ length: Number(args.count) }, (_, i) => (i % 2 === 0 ? bookshelf(seed * 1000 + i, width, height, 1 + (Math.floor(i / 2) % 3)) : audience(seed * 1000 + i, width, height, 1 + (Math.floor(i / 2) % 3))));
const gt = await writeDenseSet(args.out!, scenes);
console.log(`${args.out}: ${gt.images.length} images, ${gt.annotations.length} boxes (instances.json)`);
