// One way to get a GpuContext in Node (Dawn) and in a browser (navigator.gpu).
import { GpuContext } from './context.js';
import { NoAdapterError } from './errors.js';

export interface AcquireOptions {
  /**
   * Node only: 'auto' (system driver, then lavapipe, then SwiftShader), 'lavapipe', 'swiftshader'
   * or the path of a Vulkan ICD .json. Default: $WEBGPU_DETECT_ADAPTER, else 'auto'.
   */
  adapter?: string;
  powerPreference?: GPUPowerPreference;
}

let shared: Promise<GpuContext> | undefined;

/**
 * The process-wide GpuContext (created on first call). One device per process keeps Dawn's
 * lifetime rules simple and lets every pipeline be compiled once.
 */
export function acquireGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  shared ??= createContext(options).catch((err) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

async function createContext(options: AcquireOptions): Promise<GpuContext> {
  const browserGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  let gpu: GPU;
  let source: string;
  if (browserGpu) {
    gpu = browserGpu;
    source = 'navigator.gpu';
  } else if (typeof process !== 'undefined' && process.versions?.node) {
    const { nodeGpu } = await import('./node-webgpu.js');
    const node = nodeGpu(options.adapter);
    gpu = node.gpu;
    source = node.icd;
  } else {
    throw new NoAdapterError('This JavaScript environment has no navigator.gpu (in Chrome, WebGPU needs a secure context such as http://127.0.0.1 or https).');
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new NoAdapterError(`requestAdapter() returned no adapter (driver source: ${source}).`);
  return GpuContext.fromAdapter(adapter, source);
}
