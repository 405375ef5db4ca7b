// Shared by the CLM tests: a batch whose steps run one by one (so every intermediate buffer can
// be read), random images and similarities, and small synthetic models.
import { BatchResources } from '../../src/gpu/batch-resources.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { encodeStep, type KernelStep } from '../../src/gpu/kernel.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';
import { prepareClmBatch, type ClmBatch } from '../../src/pipelines/clm/batch.js';
import type { Similarity } from '../../src/pipelines/clm/init.js';
import * as K from '../../src/pipelines/clm/kernels.js';
import type { ClmModel } from '../../src/pipelines/clm/model.js';
import type { ClmOptions } from '../../src/pipelines/clm/options.js';

export interface SteppedBatch {
  batch: ClmBatch;
  /** Encodes the steps in one pass, submits, and reads the given buffers back as float32. */
  run(steps: KernelStep[], read?: GPUBuffer[]): Promise<Float32Array[]>;
  write(buffer: GPUBuffer, data: Float32Array<ArrayBuffer>): void;
  release(): void;
}

export async function steppedBatch(ctx: GpuContext, model: ClmModel, o: ClmOptions, images: readonly RgbImage[], faces: ReadonlyArray<{ image: number; init: Similarity }>, diagnostics = false): Promise<SteppedBatch> {
  const res = new BatchResources(ctx, 'clm test');
  const mb = K.uploadModel(ctx, model, 'clm test');
  const batch = await prepareClmBatch(ctx, 'clm test', model, mb, o, { images, faces, diagnostics }, res);
  // Poison what the kernels write before they run.
  for (const b of [batch.buffers.aoi, batch.buffers.responses, batch.buffers.output]) ctx.device.queue.writeBuffer(b, 0, new Float32Array(b.size / 4).fill(Number.NaN));
  return {
    batch,
    async run(steps, read = []) {
      const encoder = ctx.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      for (const s of steps) encodeStep(pass, s);
      pass.end();
      const data = await ctx.readback(
        read.map((buffer) => ({ buffer, size: buffer.size })),
        'clm test',
        encoder,
      );
      return data.map((d) => new Float32Array(d));
    },
    write(buffer, data) {
      ctx.device.queue.writeBuffer(buffer, 0, data);
    },
    release() {
      res.release();
      for (const b of [mb.meanShape, mb.eigenVectors, mb.prior, mb.filters, mb.biases, mb.visible, mb.viewCentres]) b.destroy();
    },
  };
}

/** Smooth structure plus noise, so sampling and filtering errors would show. */
export function randomImage(random: () => number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(128 + 80 * Math.sin(x / 6 + c) * Math.cos(y / 4) + 60 * (random() - 0.5))));
  return { width, height, data };
}

/** A similarity [a - 1, b, tx, ty] of the given scale and rotation (degrees). */
export function similarity(scale: number, degrees: number, tx: number, ty: number): Similarity {
  const t = (degrees * Math.PI) / 180;
  return [scale * Math.cos(t) - 1, scale * Math.sin(t), tx, ty];
}

/** A model with 0 shape modes, the given mean shape, and one raw SVM expert per point. */
export function syntheticModel(meanShape: ReadonlyArray<readonly [number, number]>, patchSize: number, filter: (x: number, y: number) => number, bias = 0): ClmModel {
  const n = meanShape.length;
  const weights = new Float32Array(n * patchSize * patchSize);
  for (let k = 0; k < n; k++) for (let y = 0; y < patchSize; y++) for (let x = 0; x < patchSize; x++) weights[(k * patchSize + y) * patchSize + x] = filter(x, y);
  return {
    name: 'synthetic',
    pdm: { kind: '2d', points: n, modes: 0, meanShape: Float32Array.from(meanShape.flat()), eigenVectors: new Float32Array(0), eigenValues: new Float32Array(0), unregularised: [] },
    experts: { kind: 'svm', patchSize, weights: { raw: weights }, bias: { raw: new Float32Array(n).fill(bias) } },
    fivePoints: [0, 1, 2, 0, 1],
  };
}
