// Encodes work into compute passes with optional GPU timing. Modes:
//   'stages':     one pass per stage, timed with timestamp queries when the adapter has them;
//   'dispatches': one pass per dispatch, each timed (a profile: where the time goes, op by op).
// Without 'timestamp-query' both degrade to plain passes and report no times.
import type { GpuContext } from './context.js';
import { BufferUsage } from './flags.js';
import { encodeStep, type KernelStep } from './kernel.js';

export type TimingMode = 'none' | 'stages' | 'dispatches';

export interface TimingReport {
  stages: Record<string, number>;
  /** 'dispatches' mode: label and milliseconds of every dispatch, in encoding order. */
  dispatches: Array<{ stage: string; label: string; ms: number }>;
}

const MAX_QUERIES = 4096;

export class PassRecorder {
  private pass: GPUComputePassEncoder | undefined;
  private stageName = '';
  private readonly querySet: GPUQuerySet | undefined;
  private readonly entries: Array<{ stage: string; label: string }> = [];
  private resolveBuffer: GPUBuffer | undefined;
  /** Dispatches encoded so far (every step given to `dispatch`, `run` or `graph`). */
  dispatches = 0;

  constructor(
    private readonly ctx: GpuContext,
    readonly encoder: GPUCommandEncoder,
    readonly mode: TimingMode,
  ) {
    if (mode !== 'none' && ctx.hasTimestamps) {
      this.querySet = ctx.device.createQuerySet({ label: 'pass timestamps', type: 'timestamp', count: MAX_QUERIES });
    }
  }

  private timestamps(label: string): GPUComputePassTimestampWrites | undefined {
    if (!this.querySet) return undefined;
    const i = this.entries.length;
    if (2 * i + 2 > MAX_QUERIES) throw new Error(`timing: more than ${MAX_QUERIES / 2} timed passes in one command buffer`);
    this.entries.push({ stage: this.stageName, label });
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  beginStage(name: string): void {
    this.stageName = name;
    if (this.mode !== 'dispatches') {
      this.pass = this.encoder.beginComputePass({ label: name, timestampWrites: this.mode === 'stages' ? this.timestamps(name) : undefined });
    }
  }

  /** Encodes kernel steps in the current stage, in order. */
  run(...steps: KernelStep[]): void {
    for (const step of steps) this.dispatch(step.label, (pass) => encodeStep(pass, step));
  }

  /** Encodes a compiled graph's dispatches (CompiledGraph.steps) in the current stage. */
  graph(prefix: string, steps: ReadonlyArray<{ label: string; encode: (pass: GPUComputePassEncoder) => void }>): void {
    for (const step of steps) this.dispatch(`${prefix} ${step.label}`, step.encode);
  }

  /** Encodes `work` (one dispatch) in the current stage. */
  dispatch(label: string, work: (pass: GPUComputePassEncoder) => void): void {
    this.dispatches++;
    if (this.mode === 'dispatches') {
      const pass = this.encoder.beginComputePass({ label: `${this.stageName} ${label}`, timestampWrites: this.timestamps(label) });
      work(pass);
      pass.end();
    } else {
      work(this.pass!);
    }
  }

  endStage(): void {
    this.pass?.end();
    this.pass = undefined;
  }

  /** Resolves the timestamps (call after the last stage); returns the region to read back, if any. */
  finish(): { buffer: GPUBuffer; size: number } | undefined {
    if (!this.querySet || this.entries.length === 0) return undefined;
    const count = 2 * this.entries.length;
    this.resolveBuffer = this.ctx.createBuffer('pass timestamps', count * 8, BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC);
    this.encoder.resolveQuerySet(this.querySet, 0, count, this.resolveBuffer, 0);
    return { buffer: this.resolveBuffer, size: count * 8 };
  }

  report(data: ArrayBuffer | undefined): TimingReport | undefined {
    this.querySet?.destroy();
    this.resolveBuffer?.destroy();
    if (!data) return undefined;
    const t = new BigUint64Array(data);
    const report: TimingReport = { stages: {}, dispatches: [] };
    this.entries.forEach((e, i) => {
      const ms = Number(t[2 * i + 1]! - t[2 * i]!) / 1e6;
      report.stages[e.stage] = (report.stages[e.stage] ?? 0) + ms;
      if (this.mode === 'dispatches') report.dispatches.push({ ...e, ms });
    });
    return report;
  }
}
