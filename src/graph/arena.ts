// Buffers shared by several compiled graphs that never run at the same time. A multi-stage pipeline
// encodes many graphs into one command buffer one after another (PNet at every pyramid scale of
// every image); since each graph's intermediates are dead before the next graph starts, they can all
// live in the same few buffers, each as large as its largest tenant.
import type { GpuContext } from '../gpu/context.js';
import { GraphError } from './types.js';

export class BufferArena {
  private readonly buffers: GPUBuffer[] = [];
  private readonly sizes: number[] = [];
  /** Bumped whenever a buffer is replaced by a larger one: bind groups made before must be rebuilt. */
  generation = 0;

  constructor(
    private readonly ctx: GpuContext,
    readonly label: string,
  ) {}

  /**
   * Makes slot i at least bytes[i] large (growing replaces the buffer; names[i], if given, names it
   * in errors). A slot larger than one storage binding is refused before anything changes, so a
   * refused size never sticks (an oversized buffer would otherwise fail every later graph bound to
   * it).
   */
  reserve(bytes: readonly number[], names?: readonly string[]): void {
    const limit = this.ctx.device.limits.maxStorageBufferBindingSize;
    const over = bytes.findIndex((need) => need > limit);
    if (over >= 0) {
      const what = names?.[over] ? `${names[over]}: ${bytes[over]} bytes` : `slot ${over} needs ${bytes[over]} bytes`;
      throw new GraphError(`${this.label}: ${what}, more than one storage binding holds on this adapter (${limit})`);
    }
    bytes.forEach((asked, i) => {
      // A binding cannot be empty: every slot holds at least 16 bytes.
      const need = Math.max(asked, 16);
      if ((this.sizes[i] ?? 0) >= need) return;
      this.buffers[i]?.destroy();
      // Grow by 1/4 beyond the need so that a series of slightly larger images does not re-allocate
      // each time (never past the binding limit).
      const size = Math.min(Math.ceil((need * 1.25) / 16) * 16, Math.floor(limit / 16) * 16);
      this.buffers[i] = this.ctx.storageBuffer(`${this.label} slot ${i}`, Math.max(size, need));
      this.sizes[i] = Math.max(size, need);
      this.generation++;
    });
  }

  /**
   * One slot per key of `bytes`, in key order (names[key] names it in errors): reserves them and
   * returns their buffers by key. For an arena whose slots are always taken this way.
   */
  take<K extends string>(bytes: Record<K, number>, names: Record<K, string>): Record<K, GPUBuffer> {
    const keys = Object.keys(bytes) as K[];
    this.reserve(keys.map((k) => bytes[k]), keys.map((k) => names[k]));
    return Object.fromEntries(keys.map((k, slot) => [k, this.buffer(slot)])) as Record<K, GPUBuffer>;
  }

  buffer(slot: number): GPUBuffer {
    const b = this.buffers[slot];
    if (!b) throw new Error(`${this.label}: slot ${slot} was never reserved`);
    return b;
  }

  get totalBytes(): number {
    return this.sizes.reduce((a, b) => a + b, 0);
  }

  get slots(): number {
    return this.buffers.length;
  }

  /** Frees every buffer; graphs bound to the arena reserve their slots again on their next use. */
  destroy(): void {
    this.buffers.forEach((b) => b.destroy());
    this.buffers.length = 0;
    this.sizes.length = 0;
    this.generation++;
  }
}
