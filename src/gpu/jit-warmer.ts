// lavapipe compiles a pipeline's machine code (LLVM) at its first dispatch, on the queue thread of
// its device, one pipeline after another, while the dispatches behind it wait: on a fresh machine
// the 18 pipelines of the README command cost ~5-7 s there. Mesa's shader cache is shared by every
// device of the machine, so a second device of the same adapter can compile pipelines on its own
// queue thread, in parallel, and the main device then loads them from the cache. A dispatch of zero
// workgroups (indirect, so Dawn records it) is enough to make lavapipe compile, and runs nothing.
// Measured (harness/xdev.tmp.ts, 2 cores): two 0.5 s compiles on two devices take 0.55 s of wall
// time, on one device 0.94 s; the main device's first dispatch after the helper compiled: 32 ms.
// The README command on a fresh Mesa cache, alternated without/with: 10.8, 11.5, 13.0 s / 9.1,
// 10.7, 8.8 s (warm runs 6.1-6.5 s without, 6.2-7.7 s with). A second helper gained nothing measurable.
//
// The helper takes the newest request first: a batch asks for its pipelines in the order it
// dispatches them, so the main device compiles from the front while the helper works from the back,
// and it starts once the main device has work queued (kick()). Pipelines asked for ahead
// (warmSoon(): e.g. the landmark fitter's, needed after the first detections) go first.
import type { BindingInfo } from './wgsl-reflect.js';
import { BufferUsage, ShaderStage } from './flags.js';
import { pipelineKey } from './pipeline-cache.js';

export interface WarmRequest {
  code: string;
  entry: string;
  bindings: readonly BindingInfo[];
  label: string;
}

/** Storage buffers the helper binds: large enough for any fixed-size array our shaders declare. */
const STORAGE_BYTES = 256 * 1024;
const UNIFORM_BYTES = 4096;

/** A request with its pipeline key. */
interface Queued extends WarmRequest {
  key: string;
}

export class JitWarmer {
  /** Asked for ahead (warmSoon): compiled first, in order. */
  private readonly ahead: Queued[] = [];
  /** New pipelines of the main device's batches: compiled newest first. */
  private readonly pending: Queued[] = [];
  /** The pipeline being compiled, and its end. */
  private current: { key: string; done: Promise<unknown> } | undefined;
  private readonly seen = new Set<string>();
  private readonly helper: HelperDevice;
  /** The compile loop while it runs (stop() waits for it). */
  private draining: Promise<void> | undefined;
  private stopped = false;
  /** Pipelines compiled on the helper; failures (skipped, never fatal). */
  warmed = 0;
  failed = 0;

  constructor(device: GPUDevice) {
    this.helper = new HelperDevice(device);
  }

  /** Queues a pipeline; the helper compiles it once the main device is busy (kick). */
  request(r: WarmRequest): void {
    const key = pipelineKey(r.code, r.entry);
    if (!this.stopped && this.isNew(key)) this.pending.push({ ...r, key });
  }

  /** Queues and starts at once: pipelines needed later than the main device's next work. */
  warmSoon(r: WarmRequest): void {
    const key = pipelineKey(r.code, r.entry);
    if (!this.stopped && this.isNew(key)) this.ahead.push({ ...r, key });
    this.kick();
  }

  /**
   * The main device is about to use a pipeline that was asked for ahead: if the helper is compiling
   * it, waits for that (the main device then loads it from Mesa's cache instead of compiling it a
   * second time, from the start); if the helper has not started it, leaves it to the main device.
   */
  async ready(code: string, entry: string): Promise<void> {
    const key = pipelineKey(code, entry);
    const queued = this.ahead.findIndex((r) => r.key === key);
    if (queued >= 0) this.ahead.splice(queued, 1);
    if (this.current?.key === key) await this.current.done;
  }

  /** The main device has work queued: the helper, if idle, compiles what is waiting. */
  kick(): void {
    if (this.queued > 0 && !this.draining && !this.stopped && !this.helper.lost) {
      this.draining = this.drain().finally(() => {
        this.draining = undefined;
      });
    }
  }

  /**
   * Drops what is queued, waits for the pipeline being compiled, then destroys the helper device.
   * Call before process.exit(): exiting while the helper compiles tears Dawn down under a running
   * compile, which crashed 4 of 60 one-image CLI runs on a fresh cache (exit 139) and can leave
   * Dawn's own messages on standard output, where they corrupt the JSON lines.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.ahead.length = 0;
    this.pending.length = 0;
    await this.draining;
    this.helper.destroy();
  }

  get queued(): number {
    return this.ahead.length + this.pending.length;
  }

  /** The helper is compiling. */
  get busy(): boolean {
    return this.draining !== undefined;
  }

  private isNew(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  private next(): Queued | undefined {
    return this.ahead.shift() ?? this.pending.pop();
  }

  private async drain(): Promise<void> {
    const helper = this.helper;
    for (let r = this.next(); r && !helper.lost; r = this.next()) {
      // Never rejects (a lost helper device fails the compile, not the main device's wait on it).
      const done = helper.compile(r).catch(() => false);
      this.current = { key: r.key, done };
      if (await done) this.warmed++;
      else this.failed++;
      this.current = undefined;
    }
  }
}

/** One helper device: compiles a pipeline by dispatching zero workgroups of it. */
class HelperDevice {
  lost = false;
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly zeroArgs: GPUBuffer;

  constructor(private readonly device: GPUDevice) {
    this.zeroArgs = device.createBuffer({ label: 'jit warmer: zero workgroups', size: 12, usage: BufferUsage.INDIRECT | BufferUsage.COPY_DST });
    void device.lost.then(() => {
      this.lost = true;
    });
    // Its errors are caught by error scopes; without a listener that prevents the default,
    // dawn.node would print any other one on standard output.
    device.addEventListener('uncapturederror', (event) => event.preventDefault());
  }

  destroy(): void {
    this.device.destroy();
  }

  private buffer(kind: BindingInfo['kind'], binding: number): GPUBuffer {
    const key = `${kind} ${binding}`;
    let buffer = this.buffers.get(key);
    if (!buffer) {
      const uniform = kind === 'uniform';
      buffer = this.device.createBuffer({
        label: `jit warmer: ${key}`,
        size: uniform ? UNIFORM_BYTES : STORAGE_BYTES,
        usage: uniform ? BufferUsage.UNIFORM : BufferUsage.STORAGE,
      });
      this.buffers.set(key, buffer);
    }
    return buffer;
  }

  async compile(r: WarmRequest): Promise<boolean> {
    const device = this.device;
    device.pushErrorScope('validation');
    let built = true;
    try {
      const layout = device.createBindGroupLayout({
        label: `warm ${r.label}`,
        entries: r.bindings.map((b) => ({ binding: b.binding, visibility: ShaderStage.COMPUTE, buffer: { type: b.kind } })),
      });
      const pipeline = await device.createComputePipelineAsync({
        label: `warm ${r.label}`,
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: device.createShaderModule({ code: r.code, label: `warm ${r.label}` }), entryPoint: r.entry },
      });
      const group = device.createBindGroup({
        layout,
        entries: r.bindings.map((b) => ({ binding: b.binding, resource: { buffer: this.buffer(b.kind, b.binding) } })),
      });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroupsIndirect(this.zeroArgs, 0);
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
    } catch {
      // A pipeline the helper cannot build is simply compiled by the main device, as without it.
      built = false;
    }
    return (await device.popErrorScope()) === null && built;
  }
}
