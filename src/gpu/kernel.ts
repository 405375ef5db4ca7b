// A shader from shaders/ bound to concrete buffers, outside any graph: the post-processing steps of
// the pipelines (box generation, NMS, crops...) and the batch-args kernel. Pipelines come from the
// shared cache; the uniform buffer and bind group belong to this instance. Bindings are checked by
// name against the shader, so a missing or misspelt buffer fails here, naming the kernel.
//
// A kernel factory returns KernelSteps: the bound kernel with its launch, sized here from the
// workgroup size reflected from the WGSL (shaders take it as ${WORKGROUP_SIZE}), so no caller
// repeats a kernel's launch arithmetic.
import type { GpuContext } from './context.js';
import { BufferUsage } from './flags.js';
import { foldDispatch, type Grid } from './launch.js';
import type { CompiledKernel } from './pipeline-cache.js';
import type { Defines } from './shader-library.js';
import { packParams, type ParamValues } from './wgsl-reflect.js';

export interface KernelSpec {
  /** Names the op/stage in GPU labels and errors. */
  label: string;
  /** Files under shaders/, includes first. */
  files: readonly string[];
  defines?: Defines;
  entry?: string;
}

export type BufferBinding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

/** A bound kernel and how to launch it: one dispatch of a batch. */
export interface KernelStep {
  label: string;
  kernel: BoundKernel;
  launch: { grid: Grid } | { indirect: GPUBuffer; offset: number };
}

export function encodeStep(pass: GPUComputePassEncoder, step: KernelStep): void {
  if ('grid' in step.launch) step.kernel.dispatch(pass, step.launch.grid);
  else step.kernel.dispatchIndirect(pass, step.launch.indirect, step.launch.offset);
}

export class BoundKernel {
  private constructor(
    readonly label: string,
    readonly kernel: CompiledKernel,
    private readonly bindGroup: GPUBindGroup,
    /** Buffers this instance created (its uniforms; tables handed over with `own`). */
    private readonly owned: GPUBuffer[],
    private readonly maxPerDim: number,
  ) {}

  static async create(ctx: GpuContext, spec: KernelSpec, params: ParamValues, buffers: Readonly<Record<string, BufferBinding>>): Promise<BoundKernel> {
    const kernel = await ctx.pipelines.get({ files: spec.files, defines: spec.defines ?? {}, entry: spec.entry }, spec.label);
    return BoundKernel.bind(ctx, spec.label, kernel, params, buffers);
  }

  static bind(ctx: GpuContext, label: string, kernel: CompiledKernel, params: ParamValues, buffers: Readonly<Record<string, BufferBinding>>): BoundKernel {
    const names = kernel.bindings.filter((b) => b.kind !== 'uniform').map((b) => b.name);
    const missing = names.filter((n) => !(n in buffers));
    const extra = Object.keys(buffers).filter((n) => !names.includes(n));
    if (missing.length || extra.length) {
      throw new Error(`${label}: shader bindings are ${names.join(', ')}; ${missing.length ? `missing ${missing.join(', ')}` : ''}${extra.length ? ` unknown ${extra.join(', ')}` : ''}`);
    }
    let uniform: GPUBuffer | undefined;
    if (kernel.params) {
      const data = packParams(kernel.params, params, label);
      uniform = ctx.createBuffer(`${label} params`, data.byteLength, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
      ctx.device.queue.writeBuffer(uniform, 0, data);
    }
    const entries = kernel.bindings.map((b): GPUBindGroupEntry => {
      if (b.kind === 'uniform') return { binding: b.binding, resource: { buffer: uniform! } };
      const given = buffers[b.name]!;
      return { binding: b.binding, resource: isGpuBuffer(given) ? { buffer: given } : given };
    });
    const bindGroup = ctx.device.createBindGroup({ label, layout: kernel.bindGroupLayout, entries });
    return new BoundKernel(label, kernel, bindGroup, uniform ? [uniform] : [], ctx.device.limits.maxComputeWorkgroupsPerDimension);
  }

  /** Hands `buffer` to this kernel: destroyed with it. */
  own(buffer: GPUBuffer): this {
    this.owned.push(buffer);
    return this;
  }

  /** Frees the buffers this instance owns (after the work using it has completed). */
  destroy(): void {
    this.owned.forEach((b) => b.destroy());
    this.owned.length = 0;
  }

  get workgroupSize(): [number, number, number] {
    return this.kernel.workgroupSize;
  }

  /** One invocation per item along x (folded into y past the grid limit; see linear_index). */
  over(invocations: number, label = this.label): KernelStep {
    return { label, kernel: this, launch: { grid: foldDispatch(invocations, this.workgroupSize[0], this.maxPerDim, this.label) } };
  }

  /** `count` workgroups (one per block, component, ...) along x, folded into y past the limit. */
  overGroups(count: number, label = this.label): KernelStep {
    return { label, kernel: this, launch: { grid: foldDispatch(count, 1, this.maxPerDim, this.label) } };
  }

  /** An explicit workgroup grid (the shader gives meaning to workgroup_id). */
  groups(grid: Grid, label = this.label): KernelStep {
    if (grid.some((g) => g > this.maxPerDim)) throw new Error(`${this.label}: grid ${JSON.stringify(grid)} exceeds ${this.maxPerDim} workgroups per dimension`);
    return { label, kernel: this, launch: { grid } };
  }

  /** Workgroup counts read on the GPU from `buffer` at `offset` (sized by an earlier kernel). */
  indirect(buffer: GPUBuffer, offset: number, label = this.label): KernelStep {
    return { label, kernel: this, launch: { indirect: buffer, offset } };
  }

  dispatch(pass: GPUComputePassEncoder, grid: readonly [number, number, number]): void {
    if (grid[0] * grid[1] * grid[2] === 0) return;
    pass.setPipeline(this.kernel.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
  }

  dispatchIndirect(pass: GPUComputePassEncoder, buffer: GPUBuffer, offset: number): void {
    pass.setPipeline(this.kernel.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroupsIndirect(buffer, offset);
  }
}

function isGpuBuffer(b: BufferBinding): b is GPUBuffer {
  return typeof (b as GPUBuffer).getMappedRange === 'function';
}
