// The GPU buffers and bound kernels one pipeline batch creates, released together once its
// readback is done.
import type { GpuContext } from './context.js';
import type { KernelStep } from './kernel.js';

/** Anything a batch creates and frees once its readback is done (bound kernels, launchers). */
export interface Destroyable {
  destroy(): void;
}

export class BatchResources {
  private readonly buffers: GPUBuffer[] = [];
  private readonly kernels: Destroyable[] = [];

  constructor(
    private readonly ctx: GpuContext,
    /** Prefix of every buffer label (names the pipeline in GPU errors). */
    private readonly label: string,
  ) {}

  /** A storage buffer bound whole by the batch's kernels: refused here, readably, past one binding. */
  storage(label: string, bytes: number): GPUBuffer {
    const limit = this.ctx.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) throw new RangeError(`${this.label} ${label}: ${bytes} bytes, more than one storage binding holds on this adapter (${limit})`);
    return this.own(this.ctx.storageBuffer(`${this.label} ${label}`, bytes));
  }

  upload(label: string, data: Uint32Array | Float32Array): GPUBuffer {
    return this.own(this.ctx.uploadBuffer(`${this.label} ${label}`, data));
  }

  own(buffer: GPUBuffer): GPUBuffer {
    this.buffers.push(buffer);
    return buffer;
  }

  /** Takes kernels (or any step's kernel) and other destroyables to free with the batch. */
  keep(...items: Array<Destroyable | KernelStep>): void {
    for (const item of items) this.kernels.push('launch' in item ? item.kernel : item);
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
