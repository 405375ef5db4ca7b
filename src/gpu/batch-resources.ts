// The GPU buffers and bound kernels one pipeline batch creates, released together once its
// readback is done.
import type { GpuContext } from './context.js';
import type { BoundKernel } from './kernel.js';

export class BatchResources {
  private readonly buffers: GPUBuffer[] = [];
  private readonly kernels: BoundKernel[] = [];

  constructor(
    private readonly ctx: GpuContext,
    /** Prefix of every buffer label (names the pipeline in GPU errors). */
    private readonly label: string,
  ) {}

  storage(label: string, bytes: number): GPUBuffer {
    return this.own(this.ctx.storageBuffer(`${this.label} ${label}`, bytes));
  }

  upload(label: string, data: Uint32Array | Float32Array): GPUBuffer {
    return this.own(this.ctx.uploadBuffer(`${this.label} ${label}`, data));
  }

  own(buffer: GPUBuffer): GPUBuffer {
    this.buffers.push(buffer);
    return buffer;
  }

  keep(...kernels: BoundKernel[]): void {
    this.kernels.push(...kernels);
  }

  /** Bytes of the buffers held. */
  get bytes(): number {
    return this.buffers.reduce((s, b) => s + b.size, 0);
  }

  release(): void {
    this.kernels.forEach((k) => k.destroy());
    this.buffers.forEach((b) => b.destroy());
    this.kernels.length = 0;
    this.buffers.length = 0;
  }
}
