// Browser image decoding: a Blob (from fetch or a file input) or any ImageBitmapSource -> 8-bit
// RGB, through createImageBitmap and an OffscreenCanvas. Orientation from EXIF is applied, colours
// are not converted (as sharp's decoding in Node).
import type { RgbImage } from '../pipelines/floor/image.js';

export async function decodeImageInBrowser(source: ImageBitmapSource): Promise<RgbImage> {
  const bitmap = await createImageBitmap(source, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('no 2d context on OffscreenCanvas');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    data[q] = rgba[p]!;
    data[q + 1] = rgba[p + 1]!;
    data[q + 2] = rgba[p + 2]!;
  }
  return { width, height, data };
}

/** Loads a graph file and its weights by URL (fetch). */
export async function fetchGraph(url: string): Promise<import('../graph/types.js').Graph> {
  const { deserializeGraph } = await import('../graph/serialize.js');
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const text = await response.text();
  const weightsFile = (JSON.parse(text) as { weightsFile: string }).weightsFile;
  const binUrl = new URL(weightsFile, new URL(url, globalThis.location?.href)).href;
  const bin = await fetch(binUrl);
  if (!bin.ok) throw new Error(`${binUrl}: HTTP ${bin.status}`);
  return deserializeGraph(text, new Uint8Array(await bin.arrayBuffer()), url);
}

/** A CLM landmark model (<name>.clm.json and the .bin it names) fetched over HTTP. */
export async function fetchClmModel(url: string): Promise<import('../pipelines/clm/model.js').ClmModel> {
  const { deserializeClmModel } = await import('../pipelines/clm/model-file.js');
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const text = await response.text();
  const weightsFile = (JSON.parse(text) as { weightsFile: string }).weightsFile;
  const binUrl = new URL(weightsFile, new URL(url, globalThis.location?.href)).href;
  const bin = await fetch(binUrl);
  if (!bin.ok) throw new Error(`${binUrl}: HTTP ${bin.status}`);
  return deserializeClmModel(text, new Uint8Array(await bin.arrayBuffer()), url);
}
