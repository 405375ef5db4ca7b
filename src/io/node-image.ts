// Node-only image decoding with sharp: any format sharp reads -> 8-bit RGB, EXIF orientation applied.
import sharp from 'sharp';
import type { RgbImage } from '../pipelines/mtcnn/types.js';

export class ImageDecodeError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ImageDecodeError';
  }
}

export async function decodeImage(input: string | Uint8Array, name = typeof input === 'string' ? input : 'image'): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(input, { failOn: 'error' }).rotate().toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    if (info.width < 1 || info.height < 1) throw new Error('image has no pixels');
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    const message = (err as Error).message;
    throw new ImageDecodeError(name, message.startsWith('Input file is missing') ? 'file not found' : `cannot decode image: ${message}`);
  }
}
