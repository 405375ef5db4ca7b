// GpuContext: one device plus what every part of the library shares on it: the pipeline cache,
// submit/readback counters, and error reporting that names the op or node that failed.
import { adapterClass } from './adapter-class.js';
import { summarizeAdapter, type AdapterSummary } from './adapter-info.js';
import type { AdapterClass } from '../ops/types.js';
import { DeviceLostError, GpuValidationError } from './errors.js';
import { BufferUsage, MapMode } from './flags.js';
import { PipelineCache } from './pipeline-cache.js';

export interface GpuStats {
  /** queue.submit calls. */
  submits: number;
  /** GPU->CPU transfers (mapAsync of a staging buffer). */
  readbacks: number;
  bytesRead: number;
}

export interface ReadRegion {
  buffer: GPUBuffer;
  offset?: number;
  /** Bytes. */
  size: number;
}

export class GpuContext {
  readonly pipelines: PipelineCache;
  readonly stats: GpuStats = { submits: 0, readbacks: 0, bytesRead: 0 };
  /** Errors no error scope caught; each is also printed to stderr when it happens. */
  readonly uncapturedErrors: string[] = [];
  lost: GPUDeviceLostInfo | undefined;
  /**
   * Which kernel variants graphs compiled from now on use: the adapter's own family by default;
   * WEBGPU_DETECT_KERNELS=gpu (or assigning 'gpu') forces the workgroup-memory variants meant for
   * real GPUs, so they can be tested and compared on the software adapters.
   */
  kernelClass: AdapterClass;

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
  ) {
    this.pipelines = new PipelineCache(device);
    this.kernelClass = forcedKernelClass() ?? adapterClass(adapter);
    device.addEventListener('uncapturederror', (event) => {
      // Reported here, on standard error: by default dawn.node would also print it on standard
      // output, in the middle of the JSON lines.
      event.preventDefault();
      const message = (event as GPUUncapturedErrorEvent).error.message;
      this.uncapturedErrors.push(message);
      console.error(`webgpu-detect: uncaptured GPU error: ${message}`);
    });
    void device.lost.then((info) => {
      this.lost = info;
      if (info.reason !== 'destroyed') console.error(`webgpu-detect: GPU device lost (${info.reason}): ${info.message}`);
    });
  }

  static async fromAdapter(adapter: GPUAdapter, source: string): Promise<GpuContext> {
    return new GpuContext(await requestDevice(adapter, 'webgpu-detect'), summarizeAdapter(adapter, source));
  }

  /**
   * The subgroup size kernels may assume (subgroup builtins enabled and the adapter's size fixed),
   * else undefined.
   */
  get subgroupSize(): number | undefined {
    const { subgroupMinSize: min, subgroupMaxSize: max } = this.adapter;
    return this.device.features.has('subgroups' as GPUFeatureName) && min > 0 && min === max ? min : undefined;
  }

  get hasTimestamps(): boolean {
    return this.device.features.has('timestamp-query');
  }

  assertAlive(): void {
    if (this.lost) throw new DeviceLostError(this.lost.reason, this.lost.message);
  }

  submit(buffers: GPUCommandBuffer[]): void {
    this.assertAlive();
    this.device.queue.submit(buffers);
    this.stats.submits++;
    // The helper device compiles the pipelines queued for it while this work runs (jit-warmer.ts).
    this.pipelines.warmer?.kick();
  }

  /**
   * Runs `work` inside validation and out-of-memory error scopes and throws a GpuValidationError
   * naming `where` if either caught something (Dawn's message also names the labelled object).
   */
  async scoped<T>(where: string, work: () => Promise<T> | T): Promise<T> {
    this.assertAlive();
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let result: T;
    try {
      result = await work();
    } finally {
      const validation = await this.device.popErrorScope();
      const memory = await this.device.popErrorScope();
      const error = validation ?? memory;
      if (error) throw new GpuValidationError(where, error.message);
    }
    return result;
  }

  createBuffer(label: string, size: number, usage: number): GPUBuffer {
    // Storage bindings must be a multiple of 4 bytes and non-empty.
    return this.device.createBuffer({ label, size: Math.max(4, Math.ceil(size / 4) * 4), usage });
  }

  storageBuffer(label: string, bytes: number, extraUsage = 0): GPUBuffer {
    return this.createBuffer(label, bytes, BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST | extraUsage);
  }

  /** A storage buffer holding `data` (uploaded through the queue). */
  uploadBuffer(label: string, data: Float32Array | Uint32Array | Int32Array): GPUBuffer {
    const buffer = this.storageBuffer(label, data.byteLength);
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  }

  /**
   * Copies `regions` into ONE staging buffer (optionally appending to `encoder`, which is then
   * submitted here) and maps it once: one readback however many tensors are read.
   */
  async readback(regions: ReadRegion[], label: string, encoder?: GPUCommandEncoder): Promise<ArrayBuffer[]> {
    const enc = encoder ?? this.device.createCommandEncoder({ label: `${label} readback` });
    const offsets: number[] = [];
    let total = 0;
    for (const r of regions) {
      offsets.push(total);
      total += Math.ceil(r.size / 4) * 4;
    }
    if (total === 0) {
      this.submit([enc.finish()]);
      return regions.map(() => new ArrayBuffer(0));
    }
    const staging = this.createBuffer(`${label} staging`, total, BufferUsage.MAP_READ | BufferUsage.COPY_DST);
    regions.forEach((r, i) => enc.copyBufferToBuffer(r.buffer, r.offset ?? 0, staging, offsets[i]!, Math.ceil(r.size / 4) * 4));
    this.submit([enc.finish()]);
    await staging.mapAsync(MapMode.READ);
    const mapped = staging.getMappedRange();
    const out = regions.map((r, i) => mapped.slice(offsets[i]!, offsets[i]! + r.size));
    staging.unmap();
    staging.destroy();
    this.stats.readbacks++;
    this.stats.bytesRead += total;
    return out;
  }
}

/** A device with every optional feature this library uses and the adapter's own key limits. */
export async function requestDevice(adapter: GPUAdapter, label: string): Promise<GPUDevice> {
  const wanted: Record<string, number> = {};
  for (const key of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxStorageBuffersPerShaderStage',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupStorageSize',
  ]) {
    wanted[key] = (adapter.limits as unknown as Record<string, number>)[key]!;
  }
  const optional: GPUFeatureName[] = ['timestamp-query', 'shader-f16', 'subgroups' as GPUFeatureName];
  return adapter.requestDevice({
    label,
    requiredFeatures: optional.filter((f) => adapter.features.has(f)),
    requiredLimits: wanted,
  });
}

function forcedKernelClass(): AdapterClass | undefined {
  const value = typeof process === 'undefined' ? undefined : process.env?.WEBGPU_DETECT_KERNELS;
  if (!value) return undefined;
  if (value === 'gpu' || value === 'llvmpipe' || value === 'swiftshader') return value;
  throw new Error(`WEBGPU_DETECT_KERNELS must be gpu, llvmpipe or swiftshader, got '${value}'`);
}
