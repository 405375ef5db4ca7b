// Node-only: "monitor dumps" of a detection evaluation (eval --format coco --dump DIR): per chosen
// image a PNG with the GT boxes and the detections drawn by what the crowd evaluation made of them
// (src/eval/crowd.ts), a header line with the image's numbers and a legend; with a second result
// set (--compare) the two side by side; and a contact sheet of all of them. The images are chosen by
// id (--ids, default the first 8 ids), so every run dumps the same ones.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CocoImage } from '../eval/coco.js';
import type { CrowdImage } from '../eval/crowd.js';

export const DUMP_COLORS = {
  gtMatched: '#1a9850',
  gtMissed: '#d73027',
  gtSwallowed: '#fc8d59',
  tp: '#00c853',
  fp: '#ff1744',
  dupe: '#d500f9',
  group: '#ff9100',
  ignored: '#9e9e9e',
} as const;

const HEADER = 22;
const LEGEND = 20;
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The per-image numbers of the header line. */
export function headerLine(title: string, im: CrowdImage): string {
  return `${title} gt ${im.gt} pred ${im.pred} matched ${im.matched} P ${im.precision.toFixed(3)} R ${im.recall.toFixed(3)} F1 ${im.f1.toFixed(3)} dupes ${im.duplicates} groups ${im.groupBoxes}`;
}

function panelSvg(width: number, height: number, title: string, im: CrowdImage): string {
  const stroke = Math.max(1.5, Math.min(width, height) / 300);
  const rect = (b: readonly number[], color: string, dash = false, w = stroke) =>
    `<rect x="${b[0]!.toFixed(1)}" y="${(b[1]! + HEADER).toFixed(1)}" width="${b[2]!.toFixed(1)}" height="${b[3]!.toFixed(1)}" fill="none" stroke="${color}" stroke-width="${w.toFixed(1)}"${dash ? ` stroke-dasharray="${(3 * stroke).toFixed(1)},${(2 * stroke).toFixed(1)}"` : ''}/>`;
  const gt = im.groundTruth.map((g) => rect(g.bbox, g.kind === 'matched' ? DUMP_COLORS.gtMatched : g.kind === 'swallowed' ? DUMP_COLORS.gtSwallowed : DUMP_COLORS.gtMissed, true));
  const dets = im.detections.map((d) => rect(d.bbox, DUMP_COLORS[d.kind], false, d.kind === 'group' ? 2 * stroke : stroke));
  const legend: Array<[string, string]> = [
    ['TP', DUMP_COLORS.tp], ['FP', DUMP_COLORS.fp], ['duplicate', DUMP_COLORS.dupe], ['group box', DUMP_COLORS.group], ['ignored', DUMP_COLORS.ignored],
    ['GT matched', DUMP_COLORS.gtMatched], ['GT missed', DUMP_COLORS.gtMissed], ['GT swallowed', DUMP_COLORS.gtSwallowed],
  ];
  let x = 4;
  const items = legend.map(([label, color]) => {
    const item = `<rect x="${x}" y="${height + HEADER + 5}" width="10" height="10" fill="${color}"/><text x="${x + 13}" y="${height + HEADER + 14}" font-family="sans-serif" font-size="11" fill="#000">${label}</text>`;
    x += 20 + label.length * 6.5;
    return item;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + HEADER + LEGEND}">
<rect x="0" y="0" width="${width}" height="${HEADER}" fill="#fff"/><rect x="0" y="${height + HEADER}" width="${width}" height="${LEGEND}" fill="#fff"/>
<text x="4" y="15" font-family="sans-serif" font-size="12" fill="#000">${escape(headerLine(title, im))}</text>
${gt.join('')}${dets.join('')}${items.join('')}</svg>`;
}

async function basePicture(image: CocoImage, imagesDir: string | undefined, fallback: { width: number; height: number }): Promise<{ data: Buffer; width: number; height: number }> {
  const path = imagesDir && image.file_name ? join(imagesDir, image.file_name) : undefined;
  if (path && existsSync(path)) {
    const { data, info } = await sharp(path).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  }
  const width = Math.max(1, Math.round(image.width ?? fallback.width));
  const height = Math.max(1, Math.round(image.height ?? fallback.height));
  return { data: Buffer.alloc(width * height * 3, 235), width, height };
}

/** One panel: the picture between a header and a legend band, the boxes drawn. */
async function panel(image: CocoImage, im: CrowdImage, title: string, imagesDir: string | undefined): Promise<{ png: Buffer; width: number; height: number }> {
  const extent = [...im.groundTruth.map((g) => g.bbox), ...im.detections.map((d) => d.bbox)].reduce((e, b) => ({ width: Math.max(e.width, b[0]! + b[2]!), height: Math.max(e.height, b[1]! + b[3]!) }), { width: 64, height: 64 });
  const pic = await basePicture(image, imagesDir, extent);
  const svg = panelSvg(pic.width, pic.height, title, im);
  const png = await sharp(pic.data, { raw: { width: pic.width, height: pic.height, channels: 3 } })
    .extend({ top: HEADER, bottom: LEGEND, background: '#ffffff' })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
  return { png, width: pic.width, height: pic.height + HEADER + LEGEND };
}

export interface DumpRun {
  /** Shown in the header ('a.jsonl'). */
  title: string;
  images: readonly CrowdImage[];
}

/** Writes <dir>/<id>_<file>.png per chosen image (runs side by side) and <dir>/contact-sheet.png; returns the paths. */
export async function writeMonitorDumps(dir: string, images: readonly CocoImage[], runs: readonly DumpRun[], options: { ids?: readonly number[]; imagesDir?: string; count?: number } = {}): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const byId = new Map(images.map((im) => [im.id, im]));
  const ids = options.ids ?? [...byId.keys()].sort((a, b) => a - b).slice(0, options.count ?? 8);
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length) throw new Error(`--ids ${unknown.join(', ')}: no such image id in the ground truth`);
  const written: string[] = [];
  const thumbs: Buffer[] = [];
  for (const id of ids) {
    const image = byId.get(id)!;
    const panels = await Promise.all(runs.map((r) => panel(image, r.images.find((x) => x.imageId === id)!, r.title, options.imagesDir)));
    const width = panels.reduce((s, p) => s + p.width, 0) + 8 * (panels.length - 1);
    const height = Math.max(...panels.map((p) => p.height));
    let left = 0;
    const composite = panels.map((p) => {
      const at = { input: p.png, top: 0, left };
      left += p.width + 8;
      return at;
    });
    const out = join(dir, `${id}_${(image.file_name ?? String(id)).replace(/[^\w.-]+/g, '_').replace(/\.\w+$/, '')}.png`);
    const png = await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(composite).png().toBuffer();
    await sharp(png).toFile(out);
    written.push(out);
    thumbs.push(await sharp(png).resize({ width: 480, height: 320, fit: 'contain', background: '#ffffff' }).png().toBuffer());
  }
  if (thumbs.length) {
    const columns = Math.min(4, thumbs.length);
    const rows = Math.ceil(thumbs.length / columns);
    const sheet = join(dir, 'contact-sheet.png');
    await sharp({ create: { width: columns * 488, height: rows * 328, channels: 3, background: '#dddddd' } })
      .composite(thumbs.map((t, i) => ({ input: t, left: (i % columns) * 488 + 4, top: Math.floor(i / columns) * 328 + 4 })))
      .png()
      .toFile(sheet);
    written.push(sheet);
  }
  return written;
}
