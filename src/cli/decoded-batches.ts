// Images decoded batch by batch for the verbs that detect over many files (detect, sweep, worker):
// batch k + 1 is decoded (sharp, on its own threads) while the caller detects in batch k, so the
// GPU does not wait for the decoder between batches.
import { decodeImage } from '../io/node-image.js';
import type { RgbImage } from '../pipelines/floor/image.js';

/** A batch's images decoded (or the error that stopped each), in input order. */
export interface DecodedBatch {
  files: string[];
  images: Array<PromiseSettledResult<RgbImage>>;
}

export type ImageLoader = (input: string) => Promise<RgbImage>;

export async function decodeBatch(files: string[], load: ImageLoader = decodeImage): Promise<DecodedBatch> {
  return { files, images: await Promise.allSettled(files.map((f) => load(f))) };
}

/** `files` in batches of `size`, decoded one batch ahead of the caller. */
export async function* decodedBatches(files: readonly string[], size: number, load: ImageLoader = decodeImage): AsyncGenerator<DecodedBatch> {
  const decodeAt = (b: number) => (b < files.length ? decodeBatch(files.slice(b, b + size), load) : undefined);
  let next = decodeAt(0);
  for (let b = 0; b < files.length; b += size) {
    const decoded = await next!;
    next = decodeAt(b + size);
    yield decoded;
  }
}
