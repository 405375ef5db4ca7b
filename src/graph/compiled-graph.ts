// A graph compiled for one set of input shapes: pipelines, buffers and bind groups are built once;
// each run writes the inputs, encodes every dispatch into ONE command buffer, submits it once and
// reads back (once) only the outputs asked for.
import type { GpuContext } from '../gpu/context.js';
import { BufferUsage } from '../gpu/flags.js';
import type { CompiledKernel } from '../gpu/pipeline-cache.js';
import { packParams } from '../gpu/wgsl-reflect.js';
import { formatShape, sizeOf } from '../ops/tensor-utils.js';
import type { BindingTarget, Shape } from '../ops/types.js';
import { analyzeGraph, type Analysis } from './analyze.js';
import { planBuffers, type BufferPlan } from './liveness.js';
import { GraphError, nodeLabel, type Graph } from './types.js';

export interface CompileOptions {
  /** Concrete shapes for inputs with symbolic dims. */
  inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Debug mode: no buffer sharing, and every run returns every intermediate tensor. */
  debug?: boolean;
}

export interface OutputTensor {
  shape: number[];
  data: Float32Array;
}

export interface RunOptions {
  /** Tensors to read back (default: the graph outputs; in debug mode, every tensor). */
  outputs?: readonly string[];
}

export interface PlanStats {
  nodes: number;
  dispatches: number;
  /** Pool buffers for intermediates and outputs (after sharing). */
  peakBytes: number;
  /** One buffer per intermediate/output. */
  naiveBytes: number;
  weightBytes: number;
  inputBytes: number;
}

interface Dispatch {
  label: string;
  kernel: CompiledKernel;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

// Weights are uploaded once per graph and shared by all its compiled shapes.
const weightBuffers = new WeakMap<Graph, Map<string, GPUBuffer>>();

const UNIFORM_ALIGN = 256;

/** Workgroup grid for `invocations` along x, folded into y past the per-dimension limit. */
export function foldDispatch(invocations: number, workgroupSize: number, maxPerDim: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(invocations / workgroupSize));
  const x = Math.min(groups, maxPerDim);
  const y = Math.ceil(groups / x);
  if (y > maxPerDim) throw new Error(`launch of ${invocations} invocations exceeds the adapter's grid`);
  return [x, y, 1];
}

function checkGrid(grid: [number, number, number], maxPerDim: number, label: string): [number, number, number] {
  if (grid.some((g) => g > maxPerDim)) throw new GraphError(`${label}: grid ${JSON.stringify(grid)} exceeds ${maxPerDim} workgroups per dimension`);
  return grid;
}

export class CompiledGraph {
  private constructor(
    readonly ctx: GpuContext,
    readonly graph: Graph,
    readonly analysis: Analysis,
    readonly buffers: BufferPlan,
    readonly debug: boolean,
    private readonly storage: Map<string, GPUBuffer>,
    private readonly pool: GPUBuffer[],
    private readonly dispatches: Dispatch[],
    readonly stats: PlanStats,
  ) {}

  static compile(ctx: GpuContext, graph: Graph, options: CompileOptions = {}): Promise<CompiledGraph> {
    return ctx.scoped(`compiling graph '${graph.name}'`, () => CompiledGraph.build(ctx, graph, options));
  }

  private static async build(ctx: GpuContext, graph: Graph, options: CompileOptions): Promise<CompiledGraph> {
    const debug = options.debug ?? false;
    const analysis = analyzeGraph(graph, options.inputShapes);
    const plan = planBuffers(analysis, graph.outputs, !debug);
    const { device } = ctx;
    const label = `graph '${graph.name}'`;

    let weights = weightBuffers.get(graph);
    if (!weights) weightBuffers.set(graph, (weights = new Map()));
    const storage = new Map<string, GPUBuffer>();
    let weightBytes = 0;
    let inputBytes = 0;
    for (const [name, kind] of analysis.kind) {
      if (kind === 'weight') {
        let buffer = weights.get(name);
        if (!buffer) {
          buffer = ctx.uploadBuffer(`${label} weight '${name}'`, graph.weights[name]!.data);
          weights.set(name, buffer);
        }
        storage.set(name, buffer);
        weightBytes += buffer.size;
      } else if (kind === 'input') {
        const bytes = sizeOf(analysis.shapes.get(name)!) * 4;
        storage.set(name, ctx.storageBuffer(`${label} input '${name}'`, bytes));
        inputBytes += bytes;
      }
    }
    const pool = plan.slotBytes.map((bytes, i) => ctx.storageBuffer(`${label} pool buffer ${i}`, bytes));
    for (const [owner, slot] of plan.slotOf) storage.set(owner, pool[slot]!);
    for (const [tensor, owner] of plan.storageOf) {
      const buffer = storage.get(owner);
      if (buffer) storage.set(tensor, buffer);
    }

    // Kernels of every step; uniforms of all dispatches live in one buffer at aligned offsets.
    const calls = analysis.steps.flatMap((step) =>
      step.op.kernels(step.inputShapes, step.outputShapes, step.attrs).map((call) => ({ step, call })),
    );
    const kernels = await Promise.all(
      calls.map(({ step, call }) =>
        ctx.pipelines.get(call, `${nodeLabel(step.node)}${call.label ? ` ${call.label}` : ''}`),
      ),
    );
    const uniformData = calls.map(({ step, call }, i) =>
      kernels[i]!.params ? packParams(kernels[i]!.params!, call.params, nodeLabel(step.node)) : null,
    );
    const offsets: number[] = [];
    let uniformBytes = 0;
    for (const data of uniformData) {
      offsets.push(uniformBytes);
      if (data) uniformBytes += Math.ceil(data.byteLength / UNIFORM_ALIGN) * UNIFORM_ALIGN;
    }
    const uniforms = ctx.createBuffer(`${label} uniforms`, Math.max(uniformBytes, 16), BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    uniformData.forEach((data, i) => data && device.queue.writeBuffer(uniforms, offsets[i]!, data));

    const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
    const dispatches: Dispatch[] = calls.map(({ step, call }, i) => {
      const kernel = kernels[i]!;
      const dispatchLabel = `${nodeLabel(step.node)}${call.label ? ` ${call.label}` : ''}`;
      const entries = kernel.bindings.map((b): GPUBindGroupEntry => {
        if (b.kind === 'uniform') return { binding: b.binding, resource: { buffer: uniforms, offset: offsets[i]!, size: kernel.params!.size } };
        const target = call.bind?.[b.name] ?? defaultTarget(b.name);
        const tensor = 'input' in target ? step.node.inputs[target.input] : step.node.outputs[target.output];
        if (!tensor) throw new GraphError(`${dispatchLabel}: shader binding '${b.name}' has no tensor`);
        const bytes = sizeOf(analysis.shapes.get(tensor)!) * 4;
        return { binding: b.binding, resource: { buffer: storage.get(tensor)!, offset: 0, size: Math.max(4, bytes) } };
      });
      return {
        label: dispatchLabel,
        kernel,
        bindGroup: device.createBindGroup({ label: dispatchLabel, layout: kernel.bindGroupLayout, entries }),
        workgroups: call.workgroups ? checkGrid(call.workgroups, maxPerDim, dispatchLabel) : foldDispatch(call.invocations ?? 0, kernel.workgroupSize[0], maxPerDim),
      };
    });

    const stats: PlanStats = {
      nodes: analysis.steps.length,
      dispatches: dispatches.length,
      peakBytes: plan.peakBytes,
      naiveBytes: plan.naiveBytes,
      weightBytes,
      inputBytes,
    };
    return new CompiledGraph(ctx, graph, analysis, plan, debug, storage, pool, dispatches, stats);
  }

  shapeOf(tensor: string): Shape {
    const shape = this.analysis.shapes.get(tensor);
    if (!shape) throw new GraphError(`graph '${this.graph.name}' has no tensor '${tensor}'`);
    return shape;
  }

  /** The GPU buffer holding `tensor` (valid until the next run overwrites shared buffers). */
  bufferOf(tensor: string): GPUBuffer {
    this.shapeOf(tensor);
    return this.storage.get(tensor)!;
  }

  /** Writes graph inputs into their buffers (queue writes, ordered before the next submit). */
  writeInputs(inputs: Readonly<Record<string, Float32Array>>): void {
    for (const input of this.graph.inputs) {
      const data = inputs[input.name];
      const shape = this.shapeOf(input.name);
      if (!data) throw new GraphError(`graph '${this.graph.name}': input '${input.name}' not given`);
      if (data.length !== sizeOf(shape)) {
        throw new GraphError(`graph '${this.graph.name}': input '${input.name}' has ${data.length} values, shape ${formatShape(shape)} needs ${sizeOf(shape)}`);
      }
      this.ctx.device.queue.writeBuffer(this.storage.get(input.name)!, 0, data.buffer, data.byteOffset, data.byteLength);
    }
  }

  /** Encodes every dispatch of the graph into `pass` (for callers that build bigger command buffers). */
  encode(pass: GPUComputePassEncoder): void {
    for (const d of this.dispatches) {
      pass.setPipeline(d.kernel.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(...d.workgroups);
    }
  }

  /** Fills every intermediate/output buffer with NaN (tests use this to catch unwritten outputs). */
  poison(): void {
    for (const buffer of this.pool) {
      this.ctx.device.queue.writeBuffer(buffer, 0, new Float32Array(buffer.size / 4).fill(Number.NaN));
    }
  }

  async run(inputs: Readonly<Record<string, Float32Array>>, options: RunOptions = {}): Promise<Record<string, OutputTensor>> {
    const names = options.outputs ?? (this.debug ? [...this.analysis.shapes.keys()] : this.graph.outputs);
    if (!this.debug) {
      // Without debug mode, a shared buffer may already hold another tensor by the end of the run.
      const outputs = new Set(this.graph.outputs.map((t) => this.buffers.storageOf.get(t)));
      const lost = names.filter((t) => this.analysis.kind.get(t) === 'produced' && !outputs.has(this.buffers.storageOf.get(t)));
      if (lost.length) throw new GraphError(`graph '${this.graph.name}': ${lost.join(', ')} are intermediates; compile with debug: true to read them`);
    }
    const label = `graph '${this.graph.name}'`;
    return this.ctx.scoped(label, async () => {
      this.writeInputs(inputs);
      const encoder = this.ctx.device.createCommandEncoder({ label });
      const pass = encoder.beginComputePass({ label });
      this.encode(pass);
      pass.end();
      const data = await this.ctx.readback(
        names.map((t) => ({ buffer: this.bufferOf(t), size: sizeOf(this.shapeOf(t)) * 4 })),
        label,
        encoder,
      );
      return Object.fromEntries(names.map((t, i) => [t, { shape: [...this.shapeOf(t)], data: new Float32Array(data[i]!) }]));
    });
  }
}

function defaultTarget(binding: string): BindingTarget {
  const m = /^(input|output)_(\d+)$/.exec(binding);
  if (!m) throw new Error(`shader binding '${binding}' is not input_<k>/output_<k>; the op must map it in 'bind'`);
  return m[1] === 'input' ? { input: Number(m[2]) } : { output: Number(m[2]) };
}

/** Compiles `graph` on `ctx` for the given input shapes. */
export function compileGraph(ctx: GpuContext, graph: Graph, options?: CompileOptions): Promise<CompiledGraph> {
  return CompiledGraph.compile(ctx, graph, options);
}
