// Images on the GPU: the packed pixel format every image kernel reads (shaders/image/pixels.wgsl)
// and its upload. One u32 per pixel, R in the low byte (0x00BBGGRR), images one after another, and
// a table of (first pixel, width, height, 0) per image.
//
// A batch's pixels may exceed one storage binding (maxStorageBufferBindingSize: 128 MiB = 33.5
// Mpx on lavapipe, less than one 50 Mpx phone photo). The buffer itself may be larger
// (maxBufferSize: 4 GiB on lavapipe, 1 GiB on SwiftShader), so such a batch is bound as
// PIXEL_WINDOWS windows of the same buffer and the shaders pick the window of each pixel
// (SPLIT_PIXELS). Batches beyond that capacity are split by the detectors (see `pixelCapacity`).
import type { GpuContext } from '../../gpu/context.js';
import type { BufferBinding } from '../../gpu/kernel.js';
import type { Defines } from '../../gpu/shader-library.js';
import type { RgbImage } from './image.js';

/** Windows a split pixel buffer is bound as (shaders/image/pixels.wgsl declares this many). */
export const PIXEL_WINDOWS = 4;

export interface PackedPixels {
  pixels: Uint32Array;
  /** (first pixel, width, height, 0) per image. */
  table: Uint32Array;
}

/** One packed entry: an image, or a gathered sub-image (see floor/resize.ts). */
export interface PixelSource {
  width: number;
  height: number;
  /** Writes width * height packed pixels into `out` from offset `at`. */
  write(out: Uint32Array, at: number): void;
}

export function wholeImage(image: RgbImage): PixelSource {
  return {
    width: image.width,
    height: image.height,
    write(out, at) {
      const d = image.data;
      const n = image.width * image.height;
      for (let p = 0; p < n; p++) out[at + p] = d[3 * p]! | (d[3 * p + 1]! << 8) | (d[3 * p + 2]! << 16);
    },
  };
}

export function packSources(sources: readonly PixelSource[]): PackedPixels {
  const total = sources.reduce((s, im) => s + im.width * im.height, 0);
  const pixels = new Uint32Array(Math.max(1, total));
  const table = new Uint32Array(Math.max(1, sources.length) * 4);
  let offset = 0;
  sources.forEach((src, i) => {
    src.write(pixels, offset);
    table.set([offset, src.width, src.height, 0], i * 4);
    offset += src.width * src.height;
  });
  return { pixels, table };
}

/** Packs whole images (the layout of shaders/image/pixels.wgsl). */
export function packImages(images: readonly RgbImage[]): PackedPixels {
  return packSources(images.map(wholeImage));
}

/** Pixels one binding holds, rounded down to the 256-byte offset alignment of storage bindings. */
export function windowPixels(ctx: GpuContext): number {
  const bytes = Math.min(ctx.device.limits.maxStorageBufferBindingSize, ctx.device.limits.maxBufferSize);
  return Math.floor(bytes / 256) * 64;
}

/** Most pixels one batch can hold on this device (all windows of one buffer). */
export function pixelCapacity(ctx: GpuContext): number {
  const buffer = Math.floor(ctx.device.limits.maxBufferSize / 4);
  return Math.min(PIXEL_WINDOWS * windowPixels(ctx), buffer);
}

export interface PixelBindings {
  /** Bindings of shaders/image/pixels.wgsl by name (pixels, image_table, pixels_1..). */
  buffers: Record<string, BufferBinding>;
  /** SPLIT_PIXELS and WINDOW_PIXELS for the kernels including pixels.wgsl. */
  defines: Defines;
  bytes: number;
}

/** The defines of image/pixels.wgsl: pixels in PIXEL_WINDOWS bindings of `window` each, or one. */
export function pixelDefines(split: boolean, window: number): Defines {
  return { SPLIT_PIXELS: split, WINDOW_PIXELS: window };
}

/**
 * Uploads packed pixels; `own` takes the buffers (batch resources release them). Fails with a
 * readable error when the batch cannot be bound at all (callers split batches before that).
 */
export function uploadPixels(ctx: GpuContext, packed: PackedPixels, label: string, own: (b: GPUBuffer) => GPUBuffer, test: { windowPixels?: number } = {}): PixelBindings {
  // `test.windowPixels` (a multiple of 64) forces small windows so tests exercise the split path.
  const window = test.windowPixels ?? windowPixels(ctx);
  const count = packed.pixels.length;
  const capacity = Math.min(PIXEL_WINDOWS * window, pixelCapacity(ctx));
  if (count > capacity) {
    throw new RangeError(`${label}: ${count} pixels exceed what one batch can bind on this adapter (${capacity}: ${PIXEL_WINDOWS} windows of ${window}); split the batch or shrink the image`);
  }
  const pixels = own(ctx.uploadBuffer(`${label} pixels`, packed.pixels));
  const table = own(ctx.uploadBuffer(`${label} image table`, packed.table));
  const split = count > window;
  const buffers: Record<string, BufferBinding> = { image_table: table };
  if (!split) {
    buffers.pixels = pixels;
  } else {
    for (let w = 0; w < PIXEL_WINDOWS; w++) {
      // Windows past the end repeat the last one (never read, but every binding needs a buffer).
      const first = Math.min(w, Math.ceil(count / window) - 1) * window;
      const size = Math.min(window, count - first) * 4;
      buffers[w === 0 ? 'pixels' : `pixels_${w}`] = { buffer: pixels, offset: first * 4, size };
    }
  }
  return { buffers, defines: pixelDefines(split, window), bytes: pixels.size + table.size };
}

/**
 * Splits a batch (pixels per image, in order) into consecutive parts of at most `capacity` pixels
 * each; an image alone larger than that gets a part of its own (the caller shrinks it first).
 */
export function splitByPixels(pixels: readonly number[], capacity: number): number[][] {
  const parts: number[][] = [];
  let current: number[] = [];
  let sum = 0;
  pixels.forEach((p, i) => {
    if (current.length > 0 && sum + p > capacity) {
      parts.push(current);
      current = [];
      sum = 0;
    }
    current.push(i);
    sum += p;
  });
  if (current.length) parts.push(current);
  return parts;
}
