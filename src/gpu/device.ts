// One way to get a GpuContext in Node (Dawn) and in a browser (navigator.gpu).
import { GpuContext, requestDevice } from './context.js';
import { adapterClass } from './adapter-class.js';
import { JitWarmer } from './jit-warmer.js';
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
  const powerPreference = options.powerPreference ?? 'high-performance';
  const adapter = await gpu.requestAdapter({ powerPreference });
  if (!adapter) throw new NoAdapterError(`requestAdapter() returned no adapter (driver source: ${source}).`);
  const ctx = await GpuContext.fromAdapter(adapter, source);
  if (!browserGpu && wantsJitWarmer(ctx)) {
    // A second device of the same adapter (an adapter gives one device): see jit-warmer.ts.
    const again = await gpu.requestAdapter({ powerPreference });
    if (again) ctx.pipelines.warmer = new JitWarmer(await requestDevice(again, 'webgpu-detect jit warmer'));
  }
  return ctx;
}

/**
 * Waits for the GPU work this library started in the background (lavapipe's helper device
 * compiling pipelines ahead) and stops it. Call it before process.exit(): see JitWarmer.stop().
 */
export async function finishBackgroundGpuWork(): Promise<void> {
  const ctx = await shared?.catch(() => undefined);
  await ctx?.pipelines.warmer?.stop();
}

/** Env var: 0 turns the helper device that compiles pipelines ahead (lavapipe only) off. */
export const JIT_WARMER_ENV = 'WEBGPU_DETECT_JIT_WARMER';

function wantsJitWarmer(ctx: GpuContext): boolean {
  const env = process.env;
  if (env[JIT_WARMER_ENV] === '0') return false;
  const cacheOff = ['true', '1', 'yes'].includes((env.MESA_SHADER_CACHE_DISABLE ?? '').toLowerCase());
  // Only lavapipe compiles at first dispatch and shares compiled code between devices (Mesa's cache).
  return adapterClass(ctx.adapter) === 'llvmpipe' && !cacheOff;
}
