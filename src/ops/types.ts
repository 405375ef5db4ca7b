// The contract every op implements: attribute parsing, shape inference, the GPU kernels to run
// (shader files + defines + uniform values + launch size) and an independent float64 CPU reference.
import type { Defines } from '../gpu/shader-library.js';
import type { ParamValues } from '../gpu/wgsl-reflect.js';

export type Shape = readonly number[];

/** A CPU tensor (NCHW, row-major). */
export interface Tensor {
  shape: number[];
  data: Float64Array | Float32Array;
}

export type RawAttrs = Readonly<Record<string, unknown>>;

/** Reference arithmetic: 'f64' (exact reference) or 'f32' (every result rounded to float32). */
export type Precision = 'f64' | 'f32';

/**
 * Which op tensor a shader binding refers to. Default: input_k -> inputs[k], output_k -> outputs[k].
 * `pack`: bind a re-laid-out copy of a constant input (made once when the weights are uploaded;
 * `key` names the layout so equal packings are shared).
 */
export type BindingTarget = { input: number; pack?: WeightPacking } | { output: number };

export interface WeightPacking {
  key: string;
  pack(data: Float32Array, shape: Shape): Float32Array;
}

/** Adapter families whose kernels are tuned differently (see harness/ for the measurements). */
export type AdapterClass = 'llvmpipe' | 'swiftshader' | 'gpu';

/** What an op may know about where its kernels will run. */
export interface KernelEnv {
  /** The kernel family: CPU rasterizers and real GPUs want different kernels. */
  adapter: AdapterClass;
  /** The fixed subgroup size when subgroup builtins may be used (GpuContext.subgroupSize). */
  subgroupSize?: number;
  /** Whether op input k is a constant (a graph weight): only constants can be packed. */
  constant(input: number): boolean;
}

export const DEFAULT_KERNEL_ENV: KernelEnv = { adapter: 'gpu', constant: () => false };

export interface KernelCall {
  /** Appended to the node label (e.g. 'input 2' for the 3rd copy of a Concat). */
  label?: string;
  /** Shader files under shaders/, includes first. */
  files: readonly string[];
  defines: Defines;
  params: ParamValues;
  /**
   * Launch size: `invocations` along x (folded into a 2-D grid when needed, see linear_index), or an
   * explicit grid of `workgroups` when the shader gives meaning to workgroup_id.y/z.
   */
  invocations?: number;
  workgroups?: [number, number, number];
  /**
   * For graphs run with a GPU-sized batch (src/graph/dynamic-batch.ts): grid axis `axis` spans
   * ceil(batch * perSample / perWorkgroup) workgroups. Checked against this call's own grids at
   * other batch sizes before it is used.
   */
  batchLaunch?: { axis: 0 | 1 | 2; perSample: number; perWorkgroup: number };
  bind?: Readonly<Record<string, BindingTarget>>;
}

export interface OpContext {
  maxWorkgroupsPerDimension: number;
}

export interface OpDescriptor<A = unknown> {
  type: string;
  /** Input names, for messages; inputs beyond `required` are optional ('' in the node = absent). */
  inputNames: readonly string[];
  required: number;
  outputs: number;
  /** Validates and completes the attributes; throws an Error with a readable message. */
  attrs(raw: RawAttrs): A;
  /** Output shapes; throws ShapeError for inputs the op cannot take. Absent inputs are undefined. */
  inferShapes(inputs: ReadonlyArray<Shape | undefined>, attrs: A): Shape[];
  /** GPU work; empty for pure views (see `aliasesInput`). */
  kernels(inputs: ReadonlyArray<Shape | undefined>, outputs: readonly Shape[], attrs: A, env?: KernelEnv): KernelCall[];
  /** The op computed on the CPU, written independently of the shader. */
  reference(inputs: ReadonlyArray<Tensor | undefined>, attrs: A, precision: Precision): Tensor[];
  /** Output 0 is a view of input 0's storage (Reshape, Flatten): no kernel, no copy. */
  aliasesInput?: boolean;
  /**
   * Every kernel of the op has F16_<binding> variants (input_0, input_1, output_0) that read or
   * write that tensor as packed f16 (graph/half-storage.ts): its activations may be stored in f16.
   */
  halfStorage?: boolean;
}

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}
