// Public API of webgpu-detect (Node and browser).
export { acquireGpu, type AcquireOptions } from './gpu/device.js';
export { GpuContext, type GpuStats } from './gpu/context.js';
export { formatAdapter, type AdapterSummary } from './gpu/adapter-info.js';
export { DeviceLostError, GpuValidationError, NoAdapterError, ShaderCompileError } from './gpu/errors.js';
export { registerShaderFile } from './gpu/shader-library.js';
export { compileGraph, CompiledGraph, type CompileOptions, type OutputTensor, type PlanStats, type RunOptions } from './graph/compiled-graph.js';
export { runReference, type ReferenceInput } from './graph/reference.js';
export { optimizeGraph, foldBatchNorms, fuseActivations } from './graph/optimize.js';
export { pnetLikeGraph, sampleInput, seededRandom } from './graph/sample-graphs.js';
export { GraphError, type Graph, type GraphInput, type GraphNode, type Weight } from './graph/types.js';
export { opRegistry, supportedOps } from './ops/registry.js';
export { ShapeError, type OpDescriptor, type Tensor } from './ops/types.js';
