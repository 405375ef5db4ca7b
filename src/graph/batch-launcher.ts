// Runs a dynamic-batch graph over a GPU-sized number of samples, in chunks of its capacity: one
// batch-args dispatch fills the indirect arguments of every chunk from the count, then each chunk
// is encoded with indirect dispatches (chunks past the count get empty grids).
import type { GpuContext } from '../gpu/context.js';
import { BufferUsage } from '../gpu/flags.js';
import { BoundKernel, type KernelStep } from '../gpu/kernel.js';
import { DEFAULT_WORKGROUP_SIZE, INDIRECT_ARGS_BYTES } from '../gpu/launch.js';
import type { CompiledGraph } from './compiled-graph.js';
import { LAUNCH_FLAT, packLaunchTable, type LaunchEntry } from './dynamic-batch.js';

/** A kernel of the caller's that runs on each chunk with one invocation per `perSample` units. */
export interface ChunkKernel {
  perSample: number;
  workgroupSize: number;
}

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
   * `extra` sizes the caller's own per-chunk kernels (see `extraStep`).
   */
  static async create(ctx: GpuContext, plan: CompiledGraph, counts: GPUBuffer, countIndex: number, chunks: number, label: string, extra: readonly ChunkKernel[] = []): Promise<BatchLauncher> {
    const graphEntries = plan.launchTable!.length;
    const extraEntries = extra.map((k): LaunchEntry => ({ mode: LAUNCH_FLAT, axis: 0, perSample: k.perSample, workgroupSize: k.workgroupSize, grid: [0, 0, 0] }));
    const table = packLaunchTable([...plan.launchTable!, ...extraEntries]);
    const entries = graphEntries + extra.length;
    const tableBuffer = ctx.uploadBuffer(`${label} launch table`, table);
    const args = ctx.createBuffer(`${label} indirect args`, entries * chunks * INDIRECT_ARGS_BYTES, BufferUsage.STORAGE | BufferUsage.INDIRECT | BufferUsage.COPY_SRC);
    const argsKernel = await BoundKernel.create(
      ctx,
      { label: `${label} batch args`, files: ['dispatch/batch_args.wgsl'], defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE } },
      { entries, chunks, capacity: plan.batchCapacity!, count_index: countIndex, max_per_dim: ctx.device.limits.maxComputeWorkgroupsPerDimension },
      { counts, table: tableBuffer, args },
    );
    argsKernel.own(tableBuffer).own(args);
    return new BatchLauncher(plan, chunks, args, argsKernel, entries, graphEntries);
  }

  /** The kernel filling every chunk's indirect arguments from the count (run it first). */
  argsStep(): KernelStep {
    return this.argsKernel.over(this.entries * this.chunks, `${this.argsKernel.label}`);
  }

  /** Encodes the graph for chunk k (samples k*capacity ...). */
  encodeChunk(pass: GPUComputePassEncoder, chunk: number): void {
    this.plan.encode(pass, { buffer: this.args, offset: chunk * this.entries * INDIRECT_ARGS_BYTES });
  }

  /** The graph's dispatches for chunk k as separate steps (per-dispatch timing). */
  chunkSteps(chunk: number) {
    return this.plan.steps({ buffer: this.args, offset: chunk * this.entries * INDIRECT_ARGS_BYTES });
  }

  /** `kernel` (extra kernel j of `create`) launched on chunk k with its GPU-sized grid. */
  extraStep(kernel: BoundKernel, j: number, chunk: number): KernelStep {
    return kernel.indirect(this.args, (chunk * this.entries + this.graphEntries + j) * INDIRECT_ARGS_BYTES);
  }

  /** Frees the launch table and the arguments (after the work using them has completed). */
  destroy(): void {
    this.argsKernel.destroy();
  }
}
