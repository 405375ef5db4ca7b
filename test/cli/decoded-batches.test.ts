// decodedBatches (detect, sweep, worker): batches in input order, a failed decode kept as that
// file's error without stopping the others, and batch k + 1 decoding while the caller works on
// batch k.
import { describe, expect, it } from 'vitest';
import { decodedBatches, type ImageLoader } from '../../src/cli/decoded-batches.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';

function image(width: number): RgbImage {
  return { width, height: 1, data: new Uint8Array(width * 3) };
}

describe('decodedBatches', () => {
  it('yields every file once, in order, in batches of the given size; a failed decode is that file\'s error', async () => {
    const files = ['a1', 'b2', 'bad', 'c3', 'd4', 'e5', 'f6'];
    const load: ImageLoader = async (f) => {
      if (f === 'bad') throw new Error('not an image');
      return image(Number(f.slice(1)));
    };
    const seen: string[][] = [];
    const widths: Array<number | string> = [];
    for await (const batch of decodedBatches(files, 3, load)) {
      seen.push(batch.files);
      batch.images.forEach((d) => widths.push(d.status === 'fulfilled' ? d.value.width : (d.reason as Error).message));
    }
    expect(seen).toEqual([['a1', 'b2', 'bad'], ['c3', 'd4', 'e5'], ['f6']]);
    expect(widths).toEqual([1, 2, 'not an image', 3, 4, 5, 6]);
  });

  it('starts decoding the next batch before the caller is done with the current one', async () => {
    const started: string[] = [];
    const load: ImageLoader = async (f) => {
      started.push(f);
      return image(1);
    };
    const atBatchEnd: string[][] = [];
    for await (const batch of decodedBatches(['p', 'q', 'r', 's', 't'], 2, load)) {
      // The caller's work on this batch (the GPU's, in the CLI) takes a while.
      await new Promise((resolve) => setTimeout(resolve, 20));
      atBatchEnd.push([...started]);
      expect(batch.images.every((d) => d.status === 'fulfilled')).toBe(true);
    }
    expect(atBatchEnd).toEqual([['p', 'q', 'r', 's'], ['p', 'q', 'r', 's', 't'], ['p', 'q', 'r', 's', 't']]);
  });

  it('an empty list yields nothing and decodes nothing', async () => {
    let calls = 0;
    const batches = [];
    for await (const b of decodedBatches([], 4, async () => (calls++, image(1)))) batches.push(b);
    expect(batches).toEqual([]);
    expect(calls).toBe(0);
  });
});
