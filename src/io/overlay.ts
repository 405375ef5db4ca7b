// Node-only: draws detections over the decoded image (sharp + an SVG layer) and writes a PNG.
// Detectors describe what to draw as shapes in original-image pixels; overlays of images larger
// than MAX_SIDE are drawn scaled down to it (a 50 Mpx photo's overlay would take seconds to encode).
import sharp from 'sharp';
import type { RgbImage } from '../pipelines/floor/image.js';

export type OverlayShape =
  | { kind: 'box'; box: readonly [number, number, number, number]; label?: string; color?: string }
  | { kind: 'polygon'; points: ReadonlyArray<readonly [number, number]>; label?: string; color?: string }
  | { kind: 'point'; at: readonly [number, number]; color?: string; /** Radius relative to the default. */ size?: number };

const MAX_SIDE = 4096;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function writeOverlay(image: RgbImage, shapes: readonly OverlayShape[], out: string): Promise<void> {
  const scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 250));
  const font = Math.max(11, stroke * 6);
  const s = (v: number) => (v * scale).toFixed(1);
  const svg = shapes.map((shape) => {
    const color = shape.color ?? '#00ff66';
    if (shape.kind === 'box') {
      const [x, y, w, h] = shape.box;
      const text = shape.label ? `<text x="${s(x)}" y="${Math.max(font, y * scale - 4).toFixed(1)}" fill="${color}" font-family="sans-serif" font-size="${font}">${escape(shape.label)}</text>` : '';
      return `<rect x="${s(x)}" y="${s(y)}" width="${s(w)}" height="${s(h)}" fill="none" stroke="${color}" stroke-width="${stroke}"/>${text}`;
    }
    if (shape.kind === 'polygon') {
      const [x0, y0] = shape.points[0] ?? [0, 0];
      const text = shape.label ? `<text x="${s(x0)}" y="${Math.max(font, y0 * scale - 3).toFixed(1)}" fill="${color}" font-family="sans-serif" font-size="${font}">${escape(shape.label)}</text>` : '';
      return `<polygon points="${shape.points.map(([x, y]) => `${s(x)},${s(y)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="${stroke}"/>${text}`;
    }
    return `<circle cx="${s(shape.at[0])}" cy="${s(shape.at[1])}" r="${(stroke * 1.5 * (shape.size ?? 1)).toFixed(1)}" fill="${color}"/>`;
  });
  const layer = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svg.join('')}</svg>`;
  let base = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 }, limitInputPixels: false });
  if (scale < 1) base = sharp(await base.resize(width, height).raw().toBuffer(), { raw: { width, height, channels: 3 } });
  await base.composite([{ input: Buffer.from(layer), top: 0, left: 0 }]).png().toFile(out);
}
