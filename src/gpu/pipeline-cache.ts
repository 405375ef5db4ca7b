// Compiled compute pipelines, keyed by what the GPU actually compiles: the preprocessed WGSL source
// and the entry point. Two variants can never share a pipeline unless their source is identical,
// and no key field is ever listed by hand.
import { ShaderCompileError } from './errors.js';
import { ShaderStage } from './flags.js';
import { preprocess, type Defines } from './shader-library.js';
import {
  reflectBindings,
  reflectParams,
  reflectWorkgroupSize,
  type BindingInfo,
  type UniformLayout,
} from './wgsl-reflect.js';
import type { JitWarmer } from './jit-warmer.js';

export interface KernelSource {
  /** Files under shaders/, includes first. */
  files: readonly string[];
  defines: Defines;
  entry?: string;
}

export interface CompiledKernel {
  key: string;
  code: string;
  entry: string;
  pipeline: GPUComputePipeline;
  bindGroupLayout: GPUBindGroupLayout;
  bindings: BindingInfo[];
  params: UniformLayout | null;
  workgroupSize: [number, number, number];
}

export function pipelineKey(code: string, entry: string): string {
  return `${entry}\n${code}`;
}

export class PipelineCache {
  private readonly kernels = new Map<string, Promise<CompiledKernel>>();
  hits = 0;
  misses = 0;
  /** Wall-clock milliseconds during which at least one compile was in progress (overlaps counted once). */
  compileMs = 0;
  private inFlight = 0;
  private busySince = 0;
  /** A second device that compiles new pipelines in parallel (lavapipe only, see jit-warmer.ts). */
  warmer: JitWarmer | undefined;

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.kernels.size;
  }

  /** Returns the compiled kernel for `source`, compiling it once. `label` names the op/node. */
  get(source: KernelSource, label: string): Promise<CompiledKernel> {
    const entry = source.entry ?? 'main';
    const shader = preprocess(source.files, source.defines);
    const key = pipelineKey(shader.code, entry);
    const cached = this.kernels.get(key);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    if (this.inFlight++ === 0) this.busySince = performance.now();
    const compiled = this.compile(shader.code, shader.lineOrigins, entry, source, label);
    void compiled.then(this.compileEnded, this.compileEnded);
    this.kernels.set(key, compiled);
    compiled.catch(() => this.kernels.delete(key));
    return compiled;
  }

  private readonly compileEnded = (): void => {
    if (--this.inFlight === 0) this.compileMs += performance.now() - this.busySince;
  };

  /**
   * Has the helper device compile `source` now, ahead of its first use (lavapipe; a no-op without
   * a warmer): for pipelines the main device needs after its current work.
   */
  prewarm(source: KernelSource, label: string): void {
    if (!this.warmer) return;
    const code = preprocess(source.files, source.defines).code;
    this.warmer.warmSoon({ code, entry: source.entry ?? 'main', bindings: reflectBindings(code), label });
  }

  /**
   * 'N pipelines created in X s' for run summaries. Drivers may compile further at a pipeline's
   * first dispatch: lavapipe JITs there (0.05 s to create, 1.3 s at the first dispatch for a 3x3
   * conv), which then shows as a slower first batch.
   */
  describe(): string {
    const ahead = this.warmer ? ` (${this.warmer.warmed} also compiled on a helper device, in parallel)` : '';
    return `${this.misses} pipelines created in ${(this.compileMs / 1000).toFixed(1)} s${ahead}`;
  }

  private async compile(
    code: string,
    lineOrigins: Array<{ file: string; line: number }>,
    entry: string,
    source: KernelSource,
    label: string,
  ): Promise<CompiledKernel> {
    const device = this.device;
    // The scope keeps a compile error out of the uncaptured-error stream: it is reported below,
    // mapped back to the .wgsl file and line.
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code, label });
    const info = await module.getCompilationInfo();
    const scopeError = await device.popErrorScope();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (scopeError && errors.length === 0) throw new ShaderCompileError(label, source.defines, [scopeError.message]);
    if (errors.length > 0) {
      const lines = code.split('\n');
      throw new ShaderCompileError(
        label,
        source.defines,
        errors.map((m) => {
          const origin = lineOrigins[m.lineNum - 1];
          const where = origin && origin.line > 0 ? `shaders/${origin.file}:${origin.line}:${m.linePos}` : `line ${m.lineNum}:${m.linePos} of the preprocessed source`;
          return `  ${where}: ${m.message}\n    ${(lines[m.lineNum - 1] ?? '').trim()}`;
        }),
      );
    }
    const bindings = reflectBindings(code);
    this.warmer?.request({ code, entry, bindings, label });
    await this.warmer?.ready(code, entry);
    const bindGroupLayout = device.createBindGroupLayout({
      label,
      entries: bindings.map((b) => ({
        binding: b.binding,
        visibility: ShaderStage.COMPUTE,
        buffer: { type: b.kind },
      })),
    });
    // An invalid pipeline rejects here (GPUPipelineError) with the label in its message.
    const pipeline = await device.createComputePipelineAsync({
      label,
      layout: device.createPipelineLayout({ label, bindGroupLayouts: [bindGroupLayout] }),
      compute: { module, entryPoint: entry },
    });
    return {
      key: pipelineKey(code, entry),
      code,
      entry,
      pipeline,
      bindGroupLayout,
      bindings,
      params: reflectParams(code),
      workgroupSize: reflectWorkgroupSize(code, entry),
    };
  }
}
