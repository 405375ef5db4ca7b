// Node-only image decoding with sharp: any format sharp reads -> 8-bit RGB, EXIF orientation applied.
import { existsSync, statSync } from 'node:fs';
import sharp from 'sharp';
import type { RgbImage } from '../pipelines/floor/image.js';

export class ImageDecodeError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ImageDecodeError';
  }
}

export async function decodeImage(input: string | Uint8Array, name = typeof input === 'string' ? input : 'image'): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(input, { failOn: 'error' }).rotate().toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageDecodeError(name, `decoded to ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    const message = (err as Error).message;
    if (message.startsWith('Input file is missing')) throw new ImageDecodeError(name, 'file not found');
    if (typeof input === 'string' && existsSync(input) && statSync(input).size === 0) throw new ImageDecodeError(name, 'file is empty');
    // libvips says 'Unknown error' for JPEG data that ends early.
    throw new ImageDecodeError(name, `cannot decode image: ${message === 'Unknown error' ? 'corrupt or truncated image data' : message}`);
  }
}

/** A local path, or an http(s) URL fetched first (a worker's inputs may be either). */
export async function loadImage(input: string): Promise<RgbImage> {
  if (!/^https?:\/\//i.test(input)) return decodeImage(input);
  let response: Response;
  try {
    response = await fetch(input);
  } catch (err) {
    throw new ImageDecodeError(input, `cannot fetch: ${(err as Error).message}`);
  }
  if (!response.ok) throw new ImageDecodeError(input, `HTTP ${response.status} ${response.statusText}`);
  return decodeImage(new Uint8Array(await response.arrayBuffer()), input);
}
