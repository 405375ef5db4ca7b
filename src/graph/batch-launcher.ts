// Runs a dynamic-batch graph over a GPU-sized number of samples, in chunks of its capacity: one
// batch-args dispatch fills the indirect arguments of every chunk from the count, then each chunk
// is encoded with indirect dispatches (chunks past the count get empty grids).
import type { GpuContext } from '../gpu/context.js';
import { BufferUsage } from '../gpu/flags.js';
import { BoundKernel } from '../gpu/kernel.js';
import type { CompiledGraph } from './compiled-graph.js';
import { packLaunchTable, type LaunchEntry } from './dynamic-batch.js';

export class BatchLauncher {
  private constructor(
    readonly plan: CompiledGraph,
    readonly chunks: number,
    readonly args: GPUBuffer,
    private readonly argsKernel: BoundKernel,
    private readonly entries: number,
    private readonly graphEntries: number,
  ) {}

  /**
   * `counts[countIndex]` (u32) is the number of samples; up to chunks * capacity are processed.
   * `extra` entries size the caller's own per-chunk kernels (e.g. 'flat' with one invocation per
   * sample); see `extraArgs`.
   */
  static async create(ctx: GpuContext, plan: CompiledGraph, counts: GPUBuffer, countIndex: number, chunks: number, label: string, extra: LaunchEntry[] = []): Promise<BatchLauncher> {
    const graphEntries = plan.launchTable!.length;
    const table = packLaunchTable([...plan.launchTable!, ...extra]);
    const entries = graphEntries + extra.length;
    const tableBuffer = ctx.uploadBuffer(`${label} launch table`, table);
    const args = ctx.createBuffer(`${label} indirect args`, entries * chunks * 12, BufferUsage.STORAGE | BufferUsage.INDIRECT | BufferUsage.COPY_SRC);
    const argsKernel = await BoundKernel.create(
      ctx,
      { label: `${label} batch args`, files: ['dispatch/batch_args.wgsl'] },
      { entries, chunks, capacity: plan.batchCapacity!, count_index: countIndex, max_per_dim: ctx.device.limits.maxComputeWorkgroupsPerDimension },
      { counts, table: tableBuffer, args },
    );
    return new BatchLauncher(plan, chunks, args, argsKernel, entries, graphEntries);
  }

  encodeArgs(pass: GPUComputePassEncoder): void {
    this.argsKernel.dispatch(pass, [Math.ceil((this.entries * this.chunks) / 64), 1, 1]);
  }

  /** Encodes the graph for chunk k (samples k*capacity ...). */
  encodeChunk(pass: GPUComputePassEncoder, chunk: number): void {
    this.plan.encode(pass, { buffer: this.args, offset: chunk * this.entries * 12 });
  }

  /** The graph's dispatches for chunk k as separate steps (per-dispatch timing). */
  chunkSteps(chunk: number) {
    return this.plan.steps({ buffer: this.args, offset: chunk * this.entries * 12 });
  }

  /** Byte offset in `args` of extra entry j for chunk k. */
  extraArgs(chunk: number, j: number): number {
    return (chunk * this.entries + this.graphEntries + j) * 12;
  }
}
