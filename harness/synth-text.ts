// Synthetic text images with known line-level ground truth, for text detection tests and studies.
// Text is laid out with opentype.js in the DejaVu fonts of Debian's fonts-dejavu-core (installed by
// .ci/setup-system.sh), drawn as SVG paths and rasterized by sharp, so every ground-truth quad is the
// exact ink box of its line, rotated with it. Seeded: the same seed gives the same images.
//
//   npm run fixtures:text -- --out harness/out/text-fixtures --count 24 --seed 1
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import opentype from 'opentype.js';
import sharp from 'sharp';
import { seededRandom } from '../src/graph/sample-graphs.js';

export const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSerif.ttf', 'DejaVuSerif-Bold.ttf', 'DejaVuSansMono.ttf', 'DejaVuSansMono-Bold.ttf'];

const WORDS = (
  'the quick brown fox jumps over lazy dog detection pipeline graph shader buffer layer kernel image text line ' +
  'window river mountain coffee station market garden number report total invoice street north south 2026 ' +
  'open close price 42 17.50 item order delivery account page chapter section table figure model weight'
).split(' ');

let fonts: opentype.Font[] | undefined;
function loadFonts(): opentype.Font[] {
  if (fonts) return fonts;
  const missing = FONT_FILES.filter((f) => !existsSync(join(FONT_DIR, f)));
  if (missing.length) throw new Error(`fonts ${missing.join(', ')} not found in ${FONT_DIR}: apt-get install -y fonts-dejavu-core`);
  fonts = FONT_FILES.map((f) => {
    const b = readFileSync(join(FONT_DIR, f));
    return opentype.parse(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  });
  return fonts;
}

export type Quad = Array<[number, number]>;

// Glyph by glyph with kerning (opentype.js's own shaping stops at GSUB lookups DejaVu uses).
function linePath(font: opentype.Font, text: string, x: number, y: number, size: number): opentype.Path {
  const path = new opentype.Path();
  const scale = size / font.unitsPerEm;
  let pen = x;
  let previous: opentype.Glyph | undefined;
  for (const ch of text) {
    const glyph = font.charToGlyph(ch);
    if (previous) pen += font.getKerningValue(previous, glyph) * scale;
    path.extend(glyph.getPath(pen, y, size));
    pen += (glyph.advanceWidth ?? 0) * scale;
    previous = glyph;
  }
  return path;
}

function advance(font: opentype.Font, text: string, size: number): number {
  return [...text].reduce((w, ch) => w + (font.charToGlyph(ch).advanceWidth ?? 0), 0) * (size / font.unitsPerEm);
}

export interface TextLine {
  text: string;
  polygon: Quad;
}

export interface TextImage {
  name: string;
  width: number;
  height: number;
  kind: 'scattered' | 'paragraph';
  lines: TextLine[];
  png: Buffer;
}

function rotate([x, y]: [number, number], [cx, cy]: [number, number], degrees: number): [number, number] {
  const a = (degrees * Math.PI) / 180;
  const dx = x - cx;
  const dy = y - cy;
  return [cx + dx * Math.cos(a) - dy * Math.sin(a), cy + dx * Math.sin(a) + dy * Math.cos(a)];
}

const quadsOverlap = (a: Quad, b: Quad, margin: number) => {
  const box = (q: Quad) => [Math.min(...q.map((p) => p[0])) - margin, Math.min(...q.map((p) => p[1])) - margin, Math.max(...q.map((p) => p[0])) + margin, Math.max(...q.map((p) => p[1])) + margin];
  const [a0, a1, a2, a3] = box(a);
  const [b0, b1, b2, b3] = box(b);
  return a0! < b2! && b0! < a2! && a1! < b3! && b1! < a3!;
};

export async function generateTextImage(seed: number, name: string, kind: 'scattered' | 'paragraph'): Promise<TextImage> {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const width = 480 + 32 * Math.floor(random() * 11);
  const height = 360 + 32 * Math.floor(random() * 9);
  const dark = random() < 0.2;
  const bg = dark ? [30 + random() * 40, 30 + random() * 40, 40 + random() * 40] : [200 + random() * 55, 200 + random() * 55, 190 + random() * 65];
  const ink = dark ? '#f0f0e0' : pick(['#101010', '#202060', '#501010', '#103010']);
  const paths: string[] = [];
  const lines: TextLine[] = [];
  const place = (text: string, font: opentype.Font, size: number, x: number, y: number, angle: number, center: [number, number]) => {
    const path = linePath(font, text, x, y, size);
    const b = path.getBoundingBox();
    const quad = ([[b.x1, b.y1], [b.x2, b.y1], [b.x2, b.y2], [b.x1, b.y2]] as Quad).map((p) => rotate(p, center, angle));
    return { quad, svg: `<path d="${path.toPathData(2)}" fill="${ink}" transform="rotate(${angle.toFixed(3)} ${center[0].toFixed(2)} ${center[1].toFixed(2)})"/>`, inside: quad.every(([qx, qy]) => qx >= 2 && qy >= 2 && qx <= width - 2 && qy <= height - 2) };
  };
  const all = loadFonts();
  if (kind === 'paragraph') {
    // A crowded block: small line spacing, one font, the whole block rotated.
    const font = pick(all);
    const size = 15 + Math.floor(random() * 10);
    const spacing = size * (1.02 + random() * 0.18);
    const count = 4 + Math.floor(random() * 5);
    const angle = (random() * 2 - 1) * 10;
    const x0 = 20 + random() * 40;
    const y0 = 40 + random() * 40;
    const center: [number, number] = [width / 2, height / 2];
    for (let i = 0; i < count; i++) {
      let text = words(3 + Math.floor(random() * 4));
      while (text.length > 8 && advance(font, text, size) > width - x0 - 40) text = text.slice(0, text.lastIndexOf(' '));
      const line = place(text, font, size, x0, y0 + i * spacing, angle, center);
      if (!line.inside) continue;
      paths.push(line.svg);
      lines.push({ text, polygon: line.quad });
    }
  } else {
    const count = 3 + Math.floor(random() * 4);
    for (let attempt = 0; lines.length < count && attempt < 60; attempt++) {
      const font = pick(all);
      const size = 16 + Math.floor(random() * 28);
      const text = words(1 + Math.floor(random() * 3));
      const x = random() * width * 0.6;
      const y = size + random() * (height - 2 * size);
      const angle = (random() * 2 - 1) * 15;
      const line = place(text, font, size, x, y, angle, [x, y]);
      if (!line.inside || lines.some((l) => quadsOverlap(l.polygon, line.quad, size * 0.4))) continue;
      paths.push(line.svg);
      lines.push({ text, polygon: line.quad });
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="rgb(${bg.map(Math.round).join(',')})"/>${paths.join('')}</svg>`;
  const { data } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  // Light noise (+-10 levels) and a slight blur, as scanned or photographed text has.
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i]! + Math.round((random() - 0.5) * 20)));
  const png = await sharp(data, { raw: { width, height, channels: 3 } }).blur(0.6).png().toBuffer();
  return { name, width, height, kind, lines, png };
}

/** `count` images alternating scattered lines and crowded paragraphs. */
export async function generateTextSet(seed: number, count: number): Promise<TextImage[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => generateTextImage(seed * 1000 + i, `synth_${String(i).padStart(3, '0')}.png`, i % 2 ? 'paragraph' : 'scattered')));
}

/** Writes the images and gt.jsonl ({file, lines: [{polygon, text}]}) into `dir`. */
export async function writeTextSet(dir: string, seed: number, count: number): Promise<TextImage[]> {
  mkdirSync(dir, { recursive: true });
  const set = await generateTextSet(seed, count);
  for (const im of set) writeFileSync(join(dir, im.name), im.png);
  writeFileSync(join(dir, 'gt.jsonl'), set.map((im) => JSON.stringify({ file: im.name, width: im.width, height: im.height, kind: im.kind, lines: im.lines.map((l) => ({ text: l.text, polygon: l.polygon.map(([x, y]) => [+x.toFixed(2), +y.toFixed(2)]) })) })).join('\n') + '\n');
  return set;
}

if (process.argv[1]?.endsWith('synth-text.ts')) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'harness/out/text-fixtures' }, count: { type: 'string', default: '24' }, seed: { type: 'string', default: '1' } } });
  const set = await writeTextSet(values.out!, Number(values.seed), Number(values.count));
  console.log(`wrote ${set.length} images with ${set.reduce((s, im) => s + im.lines.length, 0)} text lines and gt.jsonl to ${values.out}`);
}
