// One graph taking images [N, 3, H, W], compiled once per (N, H, W), every size sharing one arena
// (their runs are encoded one after another; see arena.ts).
import type { GpuContext } from '../gpu/context.js';
import { BufferArena } from './arena.js';
import { compileGraph, type CompiledGraph } from './compiled-graph.js';
import type { Storage } from './half-storage.js';
import type { Graph } from './types.js';

export class ImagePlans {
  private readonly plans = new Map<string, Promise<CompiledGraph>>();
  readonly arena: BufferArena;

  constructor(
    private readonly ctx: GpuContext,
    private readonly graph: Graph,
    label: string,
    /** Storage of intermediate activations (half-storage.ts). */
    private readonly storage: Storage = 'f32',
  ) {
    this.arena = new BufferArena(ctx, `${label} arena`);
  }

  /**
   * Frees the shared buffers (after a failed batch: nothing half-grown survives it); the compiled
   * plans stay and reserve their buffers again when next used.
   */
  reset(): void {
    this.arena.destroy();
  }

  get(width: number, height: number, batch = 1): Promise<CompiledGraph> {
    const key = `${batch}x${height}x${width}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = compileGraph(this.ctx, this.graph, { inputShapes: { [this.graph.inputs[0]!.name]: [batch, 3, height, width] }, arena: this.arena, storage: this.storage });
      this.plans.set(key, plan);
      plan.catch(() => this.plans.delete(key));
    }
    return plan;
  }
}
