// Sharded batch detection over a Redis queue (BullMQ): `queue add` splits inputs (paths on a
// shared filesystem, or http(s) URLs) into numbered chunks, one job each; `worker` (one per GPU
// machine) takes chunks, runs them as detect batches and writes one file per chunk atomically
// (a temporary file renamed into place), so a chunk retried after a crash or a killed worker
// replaces its file instead of adding lines; `queue status` counts jobs and throughput; `queue
// collect` concatenates the chunk files in chunk (= input) order. A killed worker's chunk goes back
// to waiting when its lock expires (BullMQ's stalled-job check) and another worker takes it; a
// chunk that throws is retried up to --attempts times, then kept in the failed set with its error.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Command } from 'commander';
import { acquireGpu } from '../gpu/device.js';
import { writeFileAtomically } from '../io/atomic-write.js';
import { resolveInputs } from '../io/inputs.js';
import { loadImage } from '../io/node-image.js';
import { decodedBatches } from './decoded-batches.js';
import { addModelOptions, detectDecoded, resolveCliModel } from './detect.js';
import type { DetectFlags } from './detect-models.js';
import { ExitCode, UsageError } from './exit-codes.js';

interface ChunkJob {
  index: number;
  inputs: string[];
}

interface ChunkResult {
  lines: number;
  errors: number;
  seconds: number;
  worker: string;
}

/** Redis keys beside BullMQ's: chunk and input counters of a queue. */
const metaKey = (queue: string) => `webgpu-detect:${queue}:meta`;

export const chunkFile = (index: number) => `chunk-${String(index).padStart(6, '0')}.jsonl`;

function connect(url: string, forever = false): Redis {
  // Workers wait for Redis to come back; the short verbs give up with a readable error.
  return new Redis(url, forever ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, retryStrategy: (times) => (times > 2 ? null : 200), lazyConnect: true });
}

async function reachable(redis: Redis, url: string): Promise<void> {
  try {
    if (redis.status === 'wait') await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new UsageError(`cannot reach Redis at ${url}: ${(err as Error).message}`);
  }
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} expects a positive integer, got '${value}'`);
  return n;
}

export function registerQueue(program: Command): void {
  const queue = program.command('queue').description('sharded batch detection over Redis (BullMQ): add inputs as chunks, see status, collect the workers\' results (see also: webgpu-detect worker)');
  queue
    .command('add')
    .description('enqueue inputs (files, directories, globs on a filesystem every worker sees, or http(s) URLs) as chunks of --chunk inputs; chunk numbers continue across calls')
    .argument('<inputs...>', 'image files, directories, globs, or http(s) URLs')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .requiredOption('--queue <name>', 'queue name')
    .option('--chunk <n>', 'inputs per chunk (one job)', '64')
    .option('--attempts <n>', 'tries of a chunk that throws before it goes to the failed set', '3')
    .action(addChunks);
  queue
    .command('status')
    .description('waiting / active / completed / failed chunks, inputs done and throughput')
    .requiredOption('--redis <url>', 'Redis URL')
    .requiredOption('--queue <name>', 'queue name')
    .option('--json', 'one JSON object')
    .action(showStatus);
  queue
    .command('collect')
    .description('merge the workers\' chunk files in input order into one JSON Lines file (missing chunks are named; exit 4)')
    .requiredOption('--redis <url>', 'Redis URL')
    .requiredOption('--queue <name>', 'queue name')
    .requiredOption('--from <dir>', 'the --out directory of the workers (shared, or copied together)')
    .requiredOption('--out <file.jsonl>', 'merged output (written atomically)')
    .action(collectChunks);
}

/** queue add: the inputs as numbered chunks, one job each. */
async function addChunks(inputs: string[], o: { redis: string; queue: string; chunk: string; attempts: string }): Promise<void> {
  const size = positiveInt('chunk', o.chunk);
  const attempts = positiveInt('attempts', o.attempts);
  const urls = inputs.filter((i) => /^https?:\/\//i.test(i));
  const { files, missing } = await resolveInputs(inputs.filter((i) => !/^https?:\/\//i.test(i)));
  for (const [input, error] of missing) console.error(`webgpu-detect: ${input}: ${error} (not enqueued)`);
  const all = [...files, ...urls];
  if (all.length === 0) throw new UsageError('no inputs to enqueue');
  const redis = connect(o.redis);
  await reachable(redis, o.redis);
  const q = new Queue<ChunkJob>(o.queue, { connection: redis });
  try {
    const chunks = Math.ceil(all.length / size);
    // Reserve chunk numbers atomically (several `add` calls may run at once).
    const last = await redis.hincrby(metaKey(o.queue), 'chunks', chunks);
    await redis.hincrby(metaKey(o.queue), 'inputs', all.length);
    const first = last - chunks;
    await q.addBulk(
      Array.from({ length: chunks }, (_, c) => ({
        name: 'chunk',
        data: { index: first + c, inputs: all.slice(c * size, (c + 1) * size) },
        opts: { jobId: `chunk-${first + c}`, attempts, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
      })),
    );
    console.error(`webgpu-detect: ${all.length} inputs in ${chunks} chunks (${first}..${last - 1}) added to queue '${o.queue}'${missing.length ? `; ${missing.length} inputs not found` : ''}`);
  } finally {
    await q.close();
    redis.disconnect();
  }
  if (missing.length) process.exitCode = ExitCode.SOME_INPUTS_FAILED;
}

/** queue status: job counts, inputs done, throughput, failed chunks with their errors. */
async function showStatus(o: { redis: string; queue: string; json?: boolean }): Promise<void> {
  const redis = connect(o.redis);
  await reachable(redis, o.redis);
  const q = new Queue<ChunkJob, ChunkResult>(o.queue, { connection: redis });
  try {
    const counts = await q.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    const meta = await redis.hgetall(metaKey(o.queue));
    const completed = await q.getJobs(['completed'], 0, -1);
    const inputsDone = completed.reduce((s, j) => s + (j.returnvalue?.lines ?? 0), 0);
    const started = Math.min(...completed.map((j) => j.processedOn ?? Infinity));
    const finished = Math.max(...completed.map((j) => j.finishedOn ?? 0));
    const throughput = completed.length && finished > started ? inputsDone / ((finished - started) / 1000) : 0;
    const failed = await q.getJobs(['failed'], 0, 20);
    const status = {
      queue: o.queue,
      waiting: counts.waiting! + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
      active: counts.active!,
      completed: counts.completed!,
      failed: counts.failed!,
      chunks: Number(meta.chunks ?? 0),
      inputs: Number(meta.inputs ?? 0),
      inputsDone,
      imagesPerSecond: Number(throughput.toFixed(3)),
      failures: failed.map((j) => ({ chunk: j.data.index, attempts: j.attemptsMade, error: j.failedReason })),
    };
    if (o.json) console.log(JSON.stringify(status));
    else {
      console.log(`queue '${o.queue}': ${status.chunks} chunks, ${status.inputs} inputs`);
      console.log(`  waiting ${status.waiting}  active ${status.active}  completed ${status.completed}  failed ${status.failed}`);
      console.log(`  inputs done ${status.inputsDone} of ${status.inputs}, ${status.imagesPerSecond} images/s over the completed chunks`);
      for (const f of status.failures) console.log(`  failed chunk ${f.chunk} after ${f.attempts} attempts: ${f.error}`);
    }
  } finally {
    await q.close();
    redis.disconnect();
  }
}

/** queue collect: the chunk files concatenated in chunk (= input) order. */
async function collectChunks(o: { redis: string; queue: string; from: string; out: string }): Promise<void> {
  const redis = connect(o.redis);
  await reachable(redis, o.redis);
  let chunks: number;
  try {
    chunks = Number((await redis.hget(metaKey(o.queue), 'chunks')) ?? 0);
  } finally {
    redis.disconnect();
  }
  if (chunks === 0) throw new UsageError(`queue '${o.queue}' has no chunks (nothing was added)`);
  const parts: string[] = [];
  const missing: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const path = join(o.from, chunkFile(c));
    if (existsSync(path)) parts.push(readFileSync(path, 'utf8'));
    else missing.push(c);
  }
  writeFileAtomically(o.out, parts.join(''));
  const lines = parts.reduce((s, p) => s + p.split('\n').filter(Boolean).length, 0);
  console.error(`webgpu-detect: ${lines} lines from ${chunks - missing.length} of ${chunks} chunks in ${o.out}${missing.length ? `; missing chunks: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}` : ''}`);
  if (missing.length) process.exitCode = ExitCode.SOME_INPUTS_FAILED;
}

interface WorkerFlags extends DetectFlags {
  redis: string;
  queue: string;
  model: string;
  out: string;
  batch: string;
  concurrency: string;
  lockDuration: string;
  idleExit?: string;
  failOnErrors?: boolean;
  adapter?: string;
}

export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description('take chunks from a queue (webgpu-detect queue add) and detect them on this machine\'s GPU; one file per chunk in --out, written atomically; runs until stopped (SIGINT/SIGTERM finish the current chunk) or --idle-exit')
    .requiredOption('--redis <url>', 'Redis URL')
    .requiredOption('--queue <name>', 'queue name')
    .requiredOption('--out <dir>', 'directory for the chunk files (chunk-NNNNNN.jsonl)')
    .option('--model <name>', 'detector (as detect --model)', 'mtcnn')
    .option('--batch <n>', 'images per GPU batch', '8')
    .option('--concurrency <n>', 'chunks processed at once by this worker (the GPU is shared; 1 is usually right)', '1')
    .option('--lock-duration <ms>', 'how long a chunk stays locked without a heartbeat before another worker may take it (BullMQ lockDuration)', '30000')
    .option('--idle-exit <s>', 'exit once the queue has had nothing waiting or active for this many seconds')
    .option('--fail-on-errors', 'a chunk with any unreadable input fails (and is retried, then kept in the failed set) instead of writing error lines')
    .option('--adapter <name>', 'auto | lavapipe | swiftshader | path to a Vulkan ICD .json');
  addModelOptions(command).action(async (f: WorkerFlags) => runWorker(f));
}

async function runWorker(f: WorkerFlags): Promise<void> {
  const batch = positiveInt('batch', f.batch);
  const concurrency = positiveInt('concurrency', f.concurrency);
  const lockDuration = positiveInt('lock-duration', f.lockDuration);
  const idleExit = f.idleExit !== undefined ? positiveInt('idle-exit', f.idleExit) : undefined;
  const model = resolveCliModel(f.model, f);
  const create = model.prepare(f);
  mkdirSync(f.out, { recursive: true });
  const probe = connect(f.redis);
  await reachable(probe, f.redis);
  probe.disconnect();
  const ctx = await acquireGpu({ adapter: f.adapter });
  const run = await create(ctx);
  const name = `${process.pid}@${(await import('node:os')).hostname()}`;
  let done = 0;
  let images = 0;
  const started = performance.now();
  const processor = async (job: Job<ChunkJob, ChunkResult>): Promise<ChunkResult> => {
    const t0 = performance.now();
    const { index, inputs } = job.data;
    console.error(`worker ${name}: chunk ${index} started (${inputs.length} inputs, attempt ${job.attemptsMade + 1})`);
    const lines: Array<Record<string, unknown>> = [];
    for await (const decoded of decodedBatches(inputs, batch, loadImage)) {
      const part = await detectDecoded(run, decoded, undefined);
      lines.push(...part.map(({ __count, ...line }) => line));
      await job.updateProgress(Math.round((100 * lines.length) / inputs.length));
    }
    const errors = lines.filter((l) => 'error' in l);
    if (f.failOnErrors && errors.length) throw new Error(`${errors.length} of ${inputs.length} inputs failed: ${errors.slice(0, 3).map((e) => `${e.file}: ${e.error}`).join('; ')}`);
    writeFileAtomically(join(f.out, chunkFile(index)), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const seconds = (performance.now() - t0) / 1000;
    return { lines: lines.length, errors: errors.length, seconds, worker: name };
  };
  const worker = new Worker<ChunkJob, ChunkResult>(f.queue, processor, {
    connection: connect(f.redis, true),
    concurrency,
    lockDuration,
    stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
    maxStalledCount: 3,
  });
  worker.on('completed', (job, result) => {
    done++;
    images += result.lines;
    const rate = images / ((performance.now() - started) / 1000);
    console.error(`worker ${name}: chunk ${job.data.index} done: ${result.lines} lines (${result.errors} errors) in ${result.seconds.toFixed(1)} s; ${done} chunks, ${images} images, ${rate.toFixed(2)} images/s on ${ctx.adapter.name}`);
  });
  worker.on('failed', (job, err) => console.error(`worker ${name}: chunk ${job?.data.index} failed (attempt ${job?.attemptsMade}): ${err.message}`));
  worker.on('error', (err) => console.error(`worker ${name}: ${err.message}`));
  await new Promise<void>((finish) => {
    const stop = async (why: string) => {
      console.error(`worker ${name}: ${why}; finishing the current chunk`);
      await worker.close();
      finish();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    if (idleExit !== undefined) {
      const q = new Queue(f.queue, { connection: connect(f.redis, true) });
      let idleSince = performance.now();
      const timer = setInterval(async () => {
        const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const busy = (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) > 0;
        if (busy) idleSince = performance.now();
        else if (performance.now() - idleSince >= idleExit * 1000) {
          clearInterval(timer);
          await q.close();
          await stop(`queue idle for ${idleExit} s`);
        }
      }, 500);
    }
  });
  console.error(`worker ${name}: stopped after ${done} chunks, ${images} images`);
}
