// A shader from shaders/ bound to concrete buffers, outside any graph: the post-processing steps of
// the pipelines (box generation, NMS, crops...) and the batch-args kernel. Pipelines come from the
// shared cache; the uniform buffer and bind group belong to this instance. Bindings are checked by
// name against the shader, so a missing or misspelt buffer fails here, naming the kernel.
import type { GpuContext } from './context.js';
import { BufferUsage } from './flags.js';
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

export class BoundKernel {
  private constructor(
    readonly label: string,
    readonly kernel: CompiledKernel,
    private readonly bindGroup: GPUBindGroup,
    /** Buffers this instance created (its uniforms; tables handed over with `own`). */
    private readonly owned: GPUBuffer[],
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
    return new BoundKernel(label, kernel, ctx.device.createBindGroup({ label, layout: kernel.bindGroupLayout, entries }), uniform ? [uniform] : []);
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
