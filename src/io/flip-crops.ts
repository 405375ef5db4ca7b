// Node-only: a small PNG (data URI) of each flipped candidate for the HTML report: the box with a
// margin of half its size, cut from the decoded image (as the detector saw it), the box drawn in,
// longer side 96 px.
import { basename } from 'node:path';
import sharp from 'sharp';
import { flipKey, type FlipCrops } from '../eval/precision/html.js';
import type { PrecisionReport } from '../eval/precision/report.js';
import type { RgbImage } from '../pipelines/floor/image.js';

const LIMIT = 48;
const SIDE = 96;

export async function flipCrops(report: PrecisionReport, files: readonly string[], images: readonly RgbImage[]): Promise<FlipCrops> {
  const byName = new Map(files.map((f, i) => [basename(f), images[i]!]));
  const flips = [...(report.stages?.precision ?? []), ...(report.stages?.conventions ?? [])].flatMap((c) => c.images.flatMap((i) => i.flips)).slice(0, LIMIT);
  const out: FlipCrops = {};
  for (const f of flips) {
    const key = flipKey(f.file, f.box);
    const image = byName.get(f.file);
    if (out[key] || !image) continue;
    const meta = { width: image.width, height: image.height };
    const [x1, y1, x2, y2] = f.box;
    const w = x2 - x1 + 1;
    const h = y2 - y1 + 1;
    if (!(w > 0 && h > 0) || !meta.width || !meta.height) continue;
    const left = Math.max(0, Math.floor(x1 - 1 - w / 2));
    const top = Math.max(0, Math.floor(y1 - 1 - h / 2));
    const right = Math.min(meta.width, Math.ceil(x2 + w / 2));
    const bottom = Math.min(meta.height, Math.ceil(y2 + h / 2));
    if (right - left < 2 || bottom - top < 2) continue;
    const scale = SIDE / Math.max(right - left, bottom - top);
    const cw = Math.max(1, Math.round((right - left) * scale));
    const ch = Math.max(1, Math.round((bottom - top) * scale));
    const rect = `<svg width="${cw}" height="${ch}"><rect x="${((x1 - 1 - left) * scale).toFixed(1)}" y="${((y1 - 1 - top) * scale).toFixed(1)}" width="${(w * scale).toFixed(1)}" height="${(h * scale).toFixed(1)}" fill="none" stroke="#ff2020" stroke-width="2"/></svg>`;
    const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 }, limitInputPixels: false }).extract({ left, top, width: right - left, height: bottom - top }).resize(cw, ch).composite([{ input: Buffer.from(rect), left: 0, top: 0 }]).png().toBuffer();
    out[key] = `data:image/png;base64,${png.toString('base64')}`;
  }
  return out;
}
