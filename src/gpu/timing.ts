// GPU timing: each measured run is one compute pass in its own submit. With 'timestamp-query' the
// pass's begin/end timestamps give GPU time; otherwise wall time from submit to
// onSubmittedWorkDone (which includes submit overhead) is used, and the result says which.
import type { GpuContext } from './context.js';
import { BufferUsage, MapMode } from './flags.js';

export interface Timing {
  /** Milliseconds per run, in run order. */
  runs: number[];
  median: number;
  method: 'timestamp-query' | 'wall-clock';
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function timePass(
  ctx: GpuContext,
  label: string,
  encode: (pass: GPUComputePassEncoder) => void,
  options: { warmup?: number; runs?: number } = {},
): Promise<Timing> {
  const { device } = ctx;
  const warmup = options.warmup ?? 2;
  const count = options.runs ?? 10;
  const useTimestamps = ctx.hasTimestamps;
  const querySet = useTimestamps ? device.createQuerySet({ label: `${label} timestamps`, type: 'timestamp', count: 2 }) : undefined;
  const resolve = useTimestamps ? ctx.createBuffer(`${label} timestamps`, 16, BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC) : undefined;
  const staging = useTimestamps ? ctx.createBuffer(`${label} timestamps staging`, 16, BufferUsage.MAP_READ | BufferUsage.COPY_DST) : undefined;
  const runs: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const encoder = device.createCommandEncoder({ label });
    const pass = encoder.beginComputePass({
      label,
      timestampWrites: querySet ? { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } : undefined,
    });
    encode(pass);
    pass.end();
    if (querySet) {
      encoder.resolveQuerySet(querySet, 0, 2, resolve!, 0);
      encoder.copyBufferToBuffer(resolve!, 0, staging!, 0, 16);
    }
    const t0 = performance.now();
    ctx.submit([encoder.finish()]);
    let ms: number;
    if (staging) {
      await staging.mapAsync(MapMode.READ);
      const [begin, end] = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      ms = Number(end! - begin!) / 1e6;
    } else {
      await device.queue.onSubmittedWorkDone();
      ms = performance.now() - t0;
    }
    if (i >= warmup) runs.push(ms);
  }
  querySet?.destroy();
  resolve?.destroy();
  staging?.destroy();
  return { runs, median: median(runs), method: useTimestamps ? 'timestamp-query' : 'wall-clock' };
}
