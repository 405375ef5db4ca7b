// Node-only: paces dawn.node's event polling so that waiting for the GPU does not take a CPU core.
//
// While any promise of dawn.node (npm `webgpu` 0.6.2: mapAsync, onSubmittedWorkDone,
// createComputePipelineAsync) is pending, its AsyncRunner re-queues a native tick through the
// global setImmediate, creating a new function each time (crbug.com/dawn/1127): the main thread
// spins. Measured on this 2-core machine, one MTCNN CLI run over the 39 sample photos queued 345,213
// ticks in 7.4 s, and the spin plus its garbage took ~4.5 s of main-thread CPU from lavapipe's
// worker threads. Deferring the tick by a 1 ms timer once a wait has lasted SPIN_MS: the same run
// took 6.3 s instead of 8.6-9.0 s, the README command 7.7 s instead of 11.3 s (alternated runs).
//
// Dawn's tick is recognised as what it is: a nameless native function. Every other setImmediate
// call goes through untouched. WEBGPU_DETECT_DAWN_TICK_MS=0 restores Dawn's own behaviour.

/** Env var: milliseconds between Dawn ticks once a wait is older than SPIN_MS; 0 = Dawn's spin. */
export const DAWN_TICK_ENV = 'WEBGPU_DETECT_DAWN_TICK_MS';
/** A wait's first milliseconds keep Dawn's immediate ticks: a real GPU often answers within them. */
const SPIN_MS = 2;

export interface DawnTickStats {
  /** Ticks queued at once (in a wait's first SPIN_MS). */
  immediate: number;
  /** Ticks deferred by the timer. */
  paced: number;
  /** The timer's delay; 0 when pacing is off. */
  delayMs: number;
}

const stats: DawnTickStats = { immediate: 0, paced: 0, delayMs: 0 };
let installed = false;

export function dawnTickStats(): Readonly<DawnTickStats> {
  return { ...stats };
}

function isDawnTick(callback: unknown): boolean {
  return typeof callback === 'function' && callback.name === '' && Function.prototype.toString.call(callback).includes('[native code]');
}

/** Installs the pacing once per process, before dawn.node's create(). Returns the delay in use. */
export function paceDawnTicks(delayMs = Number(process.env[DAWN_TICK_ENV] ?? 1)): number {
  if (installed) return stats.delayMs;
  installed = true;
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new Error(`${DAWN_TICK_ENV} must be a number of milliseconds >= 0, got '${process.env[DAWN_TICK_ENV]}'`);
  }
  stats.delayMs = delayMs;
  if (delayMs === 0) return 0;
  const immediate = globalThis.setImmediate;
  // Captured now: a test framework's fake timers installed later must not stall the GPU's promises.
  const timer = globalThis.setTimeout;
  // A tick queued from inside a Dawn tick continues a wait; one queued from elsewhere (a new
  // mapAsync etc. while no tick was queued) starts one.
  let inTick = false;
  let waitStart = 0;
  const run = (callback: (...args: unknown[]) => void, args: unknown[]) => {
    inTick = true;
    try {
      callback(...args);
    } finally {
      inTick = false;
    }
  };
  const paced = function setImmediate(callback: (...args: unknown[]) => void, ...args: unknown[]) {
    if (!isDawnTick(callback)) return immediate(callback, ...args);
    const now = performance.now();
    if (!inTick) waitStart = now;
    if (now - waitStart < SPIN_MS) {
      stats.immediate++;
      return immediate(run, callback, args);
    }
    stats.paced++;
    return timer(run, delayMs, callback, args);
  };
  // util.promisify(setImmediate) keeps working: it reads this symbol.
  const promisified = Symbol.for('nodejs.util.promisify.custom');
  Object.defineProperty(paced, promisified, { value: (immediate as unknown as Record<symbol, unknown>)[promisified] });
  globalThis.setImmediate = paced as typeof globalThis.setImmediate;
  return delayMs;
}
