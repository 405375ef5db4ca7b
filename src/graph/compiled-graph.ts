// A graph compiled for one set of input shapes: pipelines, buffers and bind groups are built once;
// each run writes the inputs, encodes every dispatch into ONE command buffer, submits it once and
// reads back (once) only the outputs asked for.
import type { GpuContext } from '../gpu/context.js';
import { BufferUsage } from '../gpu/flags.js';
import type { CompiledKernel } from '../gpu/pipeline-cache.js';
import { packParams } from '../gpu/wgsl-reflect.js';
import { shaderSource } from '../gpu/shader-library.js';
import { formatShape, sizeOf } from '../ops/tensor-utils.js';
import type { BindingTarget, KernelCall, KernelEnv, Shape } from '../ops/types.js';
import { analyzeGraph, type Analysis, type Step } from './analyze.js';
import type { BufferArena } from './arena.js';
import { foldDispatch, INDIRECT_ARGS_BYTES } from '../gpu/launch.js';
import { buildLaunchTable, packLaunchTable, type LaunchEntry } from './dynamic-batch.js';
import { planBuffers, type BufferPlan } from './liveness.js';
import { halfStorageTensors, storageBytes, storageOwners, unpackHalves, type Storage } from './half-storage.js';
import { GraphError, nodeLabel, type Graph, type GraphNode } from './types.js';

export interface CompileOptions {
  /** Concrete shapes for inputs with symbolic dims. */
  inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Debug mode: no buffer sharing, and every run returns every intermediate tensor. */
  debug?: boolean;
  /**
   * Put the graph's inputs and intermediates in these shared buffers instead of buffers of its own.
   * Graphs sharing an arena must not be in flight at the same time (encode them one after another).
   */
  arena?: BufferArena;
  /**
   * The inputs' dim 0 (given in inputShapes) is a capacity; `encode` with `indirect` runs only as
   * many samples as a GPU-side count says (see dynamic-batch.ts and `launchTable`).
   */
  dynamicBatch?: boolean;
  /**
   * 'f16': intermediate activations of ops that support it are stored as f16 pairs (half the
   * memory; arithmetic stays f32). Inputs, outputs and weights stay f32. See half-storage.ts.
   */
  storage?: Storage;
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
  /** Tensors stored in f16 (CompileOptions.storage 'f16'). */
  halfTensors: number;
}

interface Dispatch {
  label: string;
  kernel: CompiledKernel;
  entries: (storage: Map<string, GPUBuffer>) => GPUBindGroupEntry[];
  bindGroup?: GPUBindGroup;
  workgroups: [number, number, number];
}

// Weights are uploaded once per graph and shared by all its compiled shapes (packed copies too,
// keyed '<weight>#<layout>').
const weightBuffers = new WeakMap<Graph, Map<string, GPUBuffer>>();

/** What kernels() may know: the kernel family, the subgroup size, and which inputs of a step are weights. */
export function kernelEnv(ctx: GpuContext, analysis: Analysis, step: Step): KernelEnv {
  return {
    adapter: ctx.kernelClass,
    subgroupSize: ctx.subgroupSize,
    constant: (k) => analysis.kind.get(step.node.inputs[k] ?? '') === 'weight',
  };
}

const UNIFORM_ALIGN = 256;

function checkGrid(grid: [number, number, number], maxPerDim: number, label: string): [number, number, number] {
  if (grid.some((g) => g > maxPerDim)) throw new GraphError(`${label}: grid ${JSON.stringify(grid)} exceeds ${maxPerDim} workgroups per dimension`);
  return grid;
}

export class CompiledGraph {
  private storage = new Map<string, GPUBuffer>();
  private boundGeneration = -1;

  private constructor(
    readonly ctx: GpuContext,
    readonly graph: Graph,
    readonly analysis: Analysis,
    readonly buffers: BufferPlan,
    readonly debug: boolean,
    private readonly fixed: Map<string, GPUBuffer>,
    private readonly pool: GPUBuffer[],
    /** The shared arena and the slot sizes this graph needs in it. */
    private readonly shared: { arena: BufferArena; bytes: number[] } | undefined,
    private readonly dispatches: Dispatch[],
    readonly stats: PlanStats,
    /** Dynamic batch only: one entry per dispatch (see dynamic-batch.ts). */
    readonly launchTable: LaunchEntry[] | undefined,
    readonly batchCapacity: number | undefined,
    /** Uploads a weight no kernel binds unpacked, when it is asked for (bufferOf, debug reads). */
    private readonly ensureWeight: (name: string) => GPUBuffer,
    /** Tensors stored in f16 (their buffers hold two halves per u32). */
    readonly halfTensors: ReadonlySet<string>,
  ) {}

  static compile(ctx: GpuContext, graph: Graph, options: CompileOptions = {}): Promise<CompiledGraph> {
    return ctx.scoped(`compiling graph '${graph.name}'`, () => CompiledGraph.build(ctx, graph, options));
  }

  private static async build(ctx: GpuContext, graph: Graph, options: CompileOptions): Promise<CompiledGraph> {
    const debug = options.debug ?? false;
    const label = `graph '${graph.name}'`;
    const analysis = analyzeGraph(graph, options.inputShapes);
    const storage = options.storage ?? 'f32';
    const half = halfTensorsOf(ctx, graph, analysis, storage);
    const tensorBytes = (t: string) => storageBytes(sizeOf(analysis.shapes.get(t)!), half.has(t));
    const plan = planBuffers(analysis, graph.outputs, !debug, tensorBytes);
    const arena = options.arena;
    if (arena && debug) throw new GraphError(`${label}: debug mode keeps every tensor and cannot use a shared arena`);

    const weights = new WeightUploads(ctx, graph, label);
    const inputBytes = allocateInputs(ctx, analysis, label, arena ? undefined : weights.fixed);
    // Pool slot k -> arena slot k; input i -> arena slot (pool slots + i).
    const arenaBytes = [...plan.slotBytes, ...graph.inputs.map((i) => sizeOf(analysis.shapes.get(i.name)!) * 4)];
    let pool: GPUBuffer[] = [];
    if (arena) arena.reserve(arenaBytes);
    else pool = plan.slotBytes.map((bytes, i) => ctx.storageBuffer(`${label} pool buffer ${i}`, bytes));

    const calls = analysis.steps.flatMap((step) =>
      step.op.kernels(step.inputShapes, step.outputShapes, step.attrs, kernelEnv(ctx, analysis, step)).map((call) => ({ step, call: withHalfDefines(call, step.node, half, storage === 'f16-math') })),
    );
    const kernels = await Promise.all(calls.map(({ step, call }) => ctx.pipelines.get(call, callLabel(step, call))));
    if (half.size) calls.forEach(({ step, call }, i) => checkHalfBindings(kernels[i]!, call, step.node, half));
    const uniforms = uploadUniforms(ctx, label, calls, kernels);
    const packed = weights.bindAll(calls, kernels, analysis, plan);

    const maxPerDim = ctx.device.limits.maxComputeWorkgroupsPerDimension;
    const dispatches = calls.map(({ step, call }, i): Dispatch => {
      const kernel = kernels[i]!;
      const dispatchLabel = callLabel(step, call);
      const entries = (buffers: Map<string, GPUBuffer>) =>
        kernel.bindings.map((b): GPUBindGroupEntry => {
          if (b.kind === 'uniform') return { binding: b.binding, resource: { buffer: uniforms.buffer, offset: uniforms.offsets[i]!, size: kernel.params!.size } };
          const target = call.bind?.[b.name] ?? defaultTarget(b.name);
          const tensor = 'input' in target ? step.node.inputs[target.input] : step.node.outputs[target.output];
          if (!tensor) throw new GraphError(`${dispatchLabel}: shader binding '${b.name}' has no tensor`);
          if ('input' in target && target.pack) {
            const buffer = packed.get(`${tensor}#${target.pack.key}`)!;
            return { binding: b.binding, resource: { buffer, offset: 0, size: buffer.size } };
          }
          return { binding: b.binding, resource: { buffer: buffers.get(tensor)!, offset: 0, size: tensorBytes(tensor) } };
        });
      const workgroups = call.workgroups ? checkGrid(call.workgroups, maxPerDim, dispatchLabel) : foldDispatch(call.invocations ?? 0, kernel.workgroupSize[0], maxPerDim, dispatchLabel);
      return { label: dispatchLabel, kernel, entries, workgroups };
    });

    const launch = options.dynamicBatch
      ? buildLaunchTable(graph, options.inputShapes ?? {}, analysis, kernels.map((k) => k.workgroupSize[0]), maxPerDim, (a, step) => kernelEnv(ctx, a, step))
      : undefined;
    const stats: PlanStats = {
      nodes: analysis.steps.length,
      dispatches: dispatches.length,
      peakBytes: plan.peakBytes,
      naiveBytes: plan.naiveBytes,
      weightBytes: weights.bytes,
      inputBytes,
      halfTensors: half.size,
    };
    const shared = arena ? { arena, bytes: arenaBytes } : undefined;
    const compiled = new CompiledGraph(ctx, graph, analysis, plan, debug, weights.fixed, pool, shared, dispatches, stats, launch?.entries, launch?.capacity, (name) => weights.ensure(name), half);
    compiled.bind();
    return compiled;
  }

  private get arena(): BufferArena | undefined {
    return this.shared?.arena;
  }

  /** (Re)builds the tensor -> buffer map and the bind groups (again after the arena grew). */
  private bind(): void {
    // An arena may have been reset (after a failed batch) or grown by another graph: make sure it
    // holds this graph's slots (a no-op when it does).
    this.shared?.arena.reserve(this.shared.bytes);
    const generation = this.arena?.generation ?? 0;
    if (generation === this.boundGeneration) return;
    const storage = new Map(this.fixed);
    const slotBuffer = (slot: number) => (this.arena ? this.arena.buffer(slot) : this.pool[slot]!);
    for (const [owner, slot] of this.buffers.slotOf) storage.set(owner, slotBuffer(slot));
    if (this.arena) this.graph.inputs.forEach((input, i) => storage.set(input.name, this.arena!.buffer(this.buffers.slotBytes.length + i)));
    for (const [tensor, owner] of this.buffers.storageOf) {
      const buffer = storage.get(owner);
      if (buffer) storage.set(tensor, buffer);
    }
    this.storage = storage;
    for (const d of this.dispatches) {
      d.bindGroup = this.ctx.device.createBindGroup({ label: d.label, layout: d.kernel.bindGroupLayout, entries: d.entries(storage) });
    }
    this.boundGeneration = generation;
  }

  shapeOf(tensor: string): Shape {
    const shape = this.analysis.shapes.get(tensor);
    if (!shape) throw new GraphError(`graph '${this.graph.name}' has no tensor '${tensor}'`);
    return shape;
  }

  /** The GPU buffer holding `tensor` (valid until the next run overwrites shared buffers). */
  bufferOf(tensor: string): GPUBuffer {
    this.shapeOf(tensor);
    const owner = this.buffers.storageOf.get(tensor) ?? tensor;
    if (this.analysis.kind.get(owner) === 'weight' && !this.fixed.has(owner)) {
      this.ensureWeight(owner);
      this.boundGeneration = -1;
    }
    this.bind();
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
      this.ctx.device.queue.writeBuffer(this.bufferOf(input.name), 0, data.buffer, data.byteOffset, data.byteLength);
    }
  }

  /**
   * Encodes every dispatch of the graph into `pass` (for callers that build bigger command buffers).
   * With `indirect` (dynamic-batch graphs), dispatch i takes its grid from indirect.buffer at
   * indirect.offset + INDIRECT_ARGS_BYTES * i, as written by the batch-args kernel.
   */
  encode(pass: GPUComputePassEncoder, indirect?: { buffer: GPUBuffer; offset: number }): void {
    for (const step of this.steps(indirect)) step.encode(pass);
  }

  /** Every dispatch as a separately encodable step (per-dispatch timing, dispatch counts). */
  steps(indirect?: { buffer: GPUBuffer; offset: number }): Array<{ label: string; encode: (pass: GPUComputePassEncoder) => void }> {
    this.bind();
    if (indirect && !this.launchTable) throw new GraphError(`graph '${this.graph.name}' was not compiled with dynamicBatch`);
    return this.dispatches.map((d, i) => ({
      label: d.label,
      encode: (pass: GPUComputePassEncoder) => {
        pass.setPipeline(d.kernel.pipeline);
        pass.setBindGroup(0, d.bindGroup!);
        if (indirect) pass.dispatchWorkgroupsIndirect(indirect.buffer, indirect.offset + INDIRECT_ARGS_BYTES * i);
        else pass.dispatchWorkgroups(...d.workgroups);
      },
    }));
  }

  /** The launch table in the layout the batch-args kernel reads (dynamic-batch graphs). */
  packedLaunchTable(): Uint32Array {
    if (!this.launchTable) throw new GraphError(`graph '${this.graph.name}' was not compiled with dynamicBatch`);
    return packLaunchTable(this.launchTable);
  }

  /**
   * Fills every intermediate/output buffer with NaN (tests use this to catch unwritten outputs):
   * 0x7fc07fc0 is a NaN as an f32 and as both of its f16 halves.
   */
  poison(): void {
    this.bind();
    const buffers = new Set([...this.buffers.slotOf.values()].map((slot) => (this.arena ? this.arena.buffer(slot) : this.pool[slot]!)));
    for (const buffer of buffers) {
      this.ctx.device.queue.writeBuffer(buffer, 0, new Uint32Array(buffer.size / 4).fill(0x7fc07fc0));
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
        names.map((t) => ({ buffer: this.bufferOf(t), size: storageBytes(sizeOf(this.shapeOf(t)), this.halfTensors.has(t)) })),
        label,
        encoder,
      );
      return Object.fromEntries(
        names.map((t, i) => {
          const count = sizeOf(this.shapeOf(t));
          return [t, { shape: [...this.shapeOf(t)], data: this.halfTensors.has(t) ? unpackHalves(data[i]!, count) : new Float32Array(data[i]!, 0, count) }];
        }),
      );
    });
  }
}


type Call = { step: Step; call: KernelCall };

function callLabel(step: Step, call: KernelCall): string {
  return `${nodeLabel(step.node)}${call.label ? ` ${call.label}` : ''}`;
}

/** The tensors stored in f16 ('f16-math' needs the adapter's shader-f16). */
function halfTensorsOf(ctx: GpuContext, graph: Graph, analysis: Analysis, storage: Storage): Set<string> {
  if (storage === 'f16-math' && !ctx.device.features.has('shader-f16')) {
    throw new GraphError(`graph '${graph.name}': storage 'f16-math' needs the adapter's shader-f16 feature, which ${ctx.adapter.name} does not have (use 'f16' storage: f32 arithmetic, no feature needed)`);
  }
  return storage !== 'f32' ? halfStorageTensors(analysis, storageOwners(analysis), graph.outputs) : new Set<string>();
}

/** Buffers for the graph inputs (into `fixed`, unless they live in an arena); returns their bytes. */
function allocateInputs(ctx: GpuContext, analysis: Analysis, label: string, fixed: Map<string, GPUBuffer> | undefined): number {
  let bytes = 0;
  for (const [name, kind] of analysis.kind) {
    if (kind !== 'input') continue;
    const size = sizeOf(analysis.shapes.get(name)!) * 4;
    fixed?.set(name, ctx.storageBuffer(`${label} input '${name}'`, size));
    bytes += size;
  }
  return bytes;
}

/** Uniforms of all dispatches in one buffer, at aligned offsets. */
function uploadUniforms(ctx: GpuContext, label: string, calls: readonly Call[], kernels: readonly CompiledKernel[]): { buffer: GPUBuffer; offsets: number[] } {
  const data = calls.map(({ step, call }, i) => (kernels[i]!.params ? packParams(kernels[i]!.params!, call.params, nodeLabel(step.node)) : null));
  const offsets: number[] = [];
  let total = 0;
  for (const d of data) {
    offsets.push(total);
    if (d) total += Math.ceil(d.byteLength / UNIFORM_ALIGN) * UNIFORM_ALIGN;
  }
  const buffer = ctx.createBuffer(`${label} uniforms`, Math.max(total, 16), BufferUsage.UNIFORM | BufferUsage.COPY_DST);
  data.forEach((d, i) => d && ctx.device.queue.writeBuffer(buffer, offsets[i]!, d));
  return { buffer, offsets };
}

/**
 * Weights are uploaded once per graph (shared by all its compiled shapes) and only when something
 * binds them: a weight every kernel reads packed (see WeightPacking) never takes GPU memory in its
 * original layout. Packed copies are keyed '<weight>#<layout>'.
 */
class WeightUploads {
  /** Weights and graph inputs bound as they are, by tensor name. */
  readonly fixed = new Map<string, GPUBuffer>();
  bytes = 0;
  private readonly counted = new Set<string>();
  private readonly uploaded: Map<string, GPUBuffer>;

  constructor(
    private readonly ctx: GpuContext,
    private readonly graph: Graph,
    private readonly label: string,
  ) {
    let uploaded = weightBuffers.get(graph);
    if (!uploaded) weightBuffers.set(graph, (uploaded = new Map()));
    this.uploaded = uploaded;
  }

  private buffer(key: string, data: () => Float32Array): GPUBuffer {
    let buffer = this.uploaded.get(key);
    if (!buffer) {
      buffer = this.ctx.uploadBuffer(`${this.label} weight '${key}'`, data());
      this.uploaded.set(key, buffer);
    }
    if (!this.counted.has(key)) {
      this.counted.add(key);
      this.bytes += buffer.size;
    }
    return buffer;
  }

  /** A weight in its own layout (uploaded now if no kernel bound it yet). */
  ensure(name: string): GPUBuffer {
    const buffer = this.buffer(name, () => this.graph.weights[name]!.data);
    this.fixed.set(name, buffer);
    return buffer;
  }

  /** Uploads every weight the kernels bind, as it is or packed; returns the packed copies. */
  bindAll(calls: readonly Call[], kernels: readonly CompiledKernel[], analysis: Analysis, plan: BufferPlan): Map<string, GPUBuffer> {
    const packed = new Map<string, GPUBuffer>();
    calls.forEach(({ step, call }, i) => {
      for (const b of kernels[i]!.bindings) {
        if (b.kind === 'uniform') continue;
        const target = call.bind?.[b.name] ?? defaultTarget(b.name);
        if (!('input' in target)) continue;
        const tensor = step.node.inputs[target.input];
        if (!tensor) continue;
        const owner = plan.storageOf.get(tensor) ?? tensor;
        if (target.pack) {
          const weight = this.graph.weights[tensor];
          if (!weight) throw new GraphError(`${nodeLabel(step.node)}: input '${tensor}' must be a weight to be packed (${target.pack.key})`);
          const pack = target.pack;
          packed.set(`${tensor}#${pack.key}`, this.buffer(`${tensor}#${pack.key}`, () => pack.pack(weight.data, weight.shape)));
        } else if (analysis.kind.get(owner) === 'weight') {
          this.ensure(owner);
        }
      }
    });
    return packed;
  }
}

const HALF_BINDINGS = ['input_0', 'input_1', 'output_0'] as const;

/** The tensor a shader binding of a call reads or writes. */
function boundTensor(call: KernelCall, node: GraphNode, binding: string): string | undefined {
  const target = call.bind?.[binding] ?? defaultTarget(binding);
  return 'input' in target ? node.inputs[target.input] : node.outputs[target.output];
}

/**
 * The call with F16_<BINDING> defines (for the shaders that have them) true for the bindings whose
 * tensors are stored in f16, and F16_MATH (with the enable directive first) for shaders that can
 * compute in f16.
 */
function withHalfDefines(call: KernelCall, node: GraphNode, half: ReadonlySet<string>, math: boolean): KernelCall {
  const defines: Record<string, boolean> = {};
  let files = call.files;
  if (call.files.some((f) => shaderSource(f).includes('${F16_MATH}'))) {
    defines.F16_MATH = math;
    files = ['common/enable_f16.wgsl', ...call.files];
  }
  for (const b of HALF_BINDINGS) {
    const name = `F16_${b.toUpperCase()}`;
    if (!call.files.some((f) => shaderSource(f).includes(`\${${name}}`))) continue;
    const tensor = boundTensor(call, node, b);
    defines[name] = !!tensor && half.has(tensor);
  }
  return { ...call, files, defines: { ...call.defines, ...defines } };
}

/** Every f16 tensor a kernel binds must be bound where the shader has an f16 variant for it. */
function checkHalfBindings(kernel: CompiledKernel, call: KernelCall, node: GraphNode, half: ReadonlySet<string>): void {
  for (const b of kernel.bindings) {
    if (b.kind === 'uniform') continue;
    const tensor = boundTensor(call, node, b.name);
    if (tensor && half.has(tensor) && call.defines?.[`F16_${b.name.toUpperCase()}`] !== true) {
      throw new GraphError(`${nodeLabel(node)}: '${tensor}' is stored in f16 but shader binding '${b.name}' of ${call.files.at(-1)} has no f16 variant`);
    }
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
