// Node-only: draws detections over the image (sharp + an SVG layer) and writes a PNG.
import sharp from 'sharp';
import type { ImageDetections } from '../pipelines/mtcnn/types.js';

export async function writeFaceOverlay(source: string, result: ImageDetections, out: string): Promise<void> {
  const { width, height } = result;
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const shapes = result.faces.flatMap((f) => {
    const [x, y, w, h] = f.box;
    return [
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="#00ff66" stroke-width="${stroke}"/>`,
      `<text x="${x}" y="${Math.max(12, y - 4)}" fill="#00ff66" font-family="sans-serif" font-size="${Math.max(12, stroke * 6)}">${f.score.toFixed(3)}</text>`,
      ...f.landmarks.map(([lx, ly]) => `<circle cx="${lx}" cy="${ly}" r="${stroke * 1.5}" fill="#ff3366"/>`),
    ];
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
  await sharp(source).rotate().composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).png().toFile(out);
}

/** Text boxes (polygons) with their scores over the image, as a PNG. */
export async function writePolygonOverlay(source: string, width: number, height: number, polygons: Array<Array<[number, number]>>, scores: number[], out: string): Promise<void> {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 300));
  const shapes = polygons.flatMap((p, i) => [
    `<polygon points="${p.map(([x, y]) => `${x},${y}`).join(' ')}" fill="none" stroke="#ff0066" stroke-width="${stroke}"/>`,
    `<text x="${p[0]![0]}" y="${Math.max(10, p[0]![1] - 3)}" fill="#ff0066" font-family="sans-serif" font-size="${Math.max(10, stroke * 5)}">${scores[i]!.toFixed(2)}</text>`,
  ]);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
  await sharp(source).rotate().composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).png().toFile(out);
}
