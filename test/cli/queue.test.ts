// Sharded detection over Redis (BullMQ): a redis-server of its own on 127.0.0.1 (Debian's, which
// .ci/setup-system.sh installs), two workers, one killed with SIGKILL in the middle of a chunk: its
// chunk is taken over after the lock expires, and the merged output has exactly one line per input,
// in input order. With --fail-on-errors a chunk with a corrupt input ends in the failed set with its
// error after its attempts; without it the corrupt input is an error line.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { cli } from '../helpers/cli.js';

const port = 20000 + Math.floor(Math.random() * 20000);
const url = `redis://127.0.0.1:${port}`;
let redis: ChildProcess;

function portOpen(): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

beforeAll(async () => {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  redis.on('error', (err) => {
    throw new Error(`redis-server could not start (apt-get install redis-server; .ci/setup-system.sh does): ${err.message}`);
  });
  for (let i = 0; i < 100 && !(await portOpen()); i++) await new Promise((r) => setTimeout(r, 100));
  expect(await portOpen()).toBe(true);
});

afterAll(() => {
  redis?.kill('SIGKILL');
});

/** A worker process; `log` collects its standard error. */
function startWorker(args: string[]): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/webgpu-detect.js', 'worker', '--redis', url, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, log: () => text, exited };
}

async function until(what: string, check: () => boolean, ms = 240_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('queue + workers (BullMQ on Redis)', () => {
  it('two workers, one killed mid-chunk: every input exactly once in the merged output, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-queue-'));
    const photos = clmtrackrSamples().slice(0, 12).map((f) => {
      const to = join(dir, basename(f));
      copyFileSync(f, to);
      return to;
    });
    const broken = join(dir, 'broken.jpg');
    writeFileSync(broken, Buffer.from('not an image'));
    const inputs = [...photos.slice(0, 6), broken, ...photos.slice(6)];
    const add = await cli(['queue', 'add', '--redis', url, '--queue', 'photos', '--chunk', '4', ...inputs]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toMatch(/13 inputs in 4 chunks \(0\.\.3\) added to queue 'photos'/);

    const out = join(dir, 'chunks');
    const common = ['--queue', 'photos', '--out', out, '--batch', '4', '--lock-duration', '4000'];
    const a = startWorker(common);
    const b = startWorker([...common, '--idle-exit', '3']);
    // Kill A as soon as it has started a chunk (it takes seconds to finish one).
    await until('worker A to start a chunk', () => /chunk \d+ started/.test(a.log()));
    const killedChunk = Number(/chunk (\d+) started/.exec(a.log())![1]);
    a.child.kill('SIGKILL');
    await a.exited;
    expect(a.log()).not.toMatch(new RegExp(`chunk ${killedChunk} done`));
    console.log(`worker A killed with SIGKILL during chunk ${killedChunk}`);
    const code = await b.exited;
    console.log(`worker B:\n${b.log()}`);
    expect(code, b.log()).toBe(0);
    expect(b.log()).toMatch(new RegExp(`chunk ${killedChunk} started \\(\\d+ inputs, attempt \\d+\\)`));
    expect(b.log()).toMatch(new RegExp(`chunk ${killedChunk} done`));

    const status = await cli(['queue', 'status', '--redis', url, '--queue', 'photos', '--json']);
    const s = JSON.parse(status.stdout) as Record<string, number>;
    console.log(status.stdout.trim());
    expect([s.waiting, s.active, s.completed, s.failed, s.chunks, s.inputs, s.inputsDone]).toEqual([0, 0, 4, 0, 4, 13, 13]);
    expect(s.imagesPerSecond).toBeGreaterThan(0);

    const merged = join(dir, 'merged.jsonl');
    const collect = await cli(['queue', 'collect', '--redis', url, '--queue', 'photos', '--from', out, '--out', merged]);
    expect(collect.code, collect.stderr).toBe(0);
    const lines = readFileSync(merged, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; error?: string; faces?: unknown[] });
    expect(lines.map((l) => l.file)).toEqual(inputs);
    expect(lines.find((l) => l.file === broken)!.error).toMatch(/cannot decode image/);
    expect(lines.filter((l) => l.faces).length).toBe(12);
  });

  it('--fail-on-errors: a chunk with a corrupt input ends in the failed set with its error after its attempts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-queue-fail-'));
    const broken = join(dir, 'corrupt.png');
    writeFileSync(broken, Buffer.from('\x89PNG broken'));
    expect((await cli(['queue', 'add', '--redis', url, '--queue', 'strict', '--chunk', '2', '--attempts', '2', broken])).code).toBe(0);
    const w = startWorker(['--queue', 'strict', '--out', join(dir, 'out'), '--fail-on-errors', '--idle-exit', '2', '--lock-duration', '4000']);
    expect(await w.exited, w.log()).toBe(0);
    const s = JSON.parse((await cli(['queue', 'status', '--redis', url, '--queue', 'strict', '--json'])).stdout) as { failed: number; completed: number; failures: Array<{ chunk: number; attempts: number; error: string }> };
    expect([s.failed, s.completed]).toEqual([1, 0]);
    expect(s.failures[0]).toMatchObject({ chunk: 0, attempts: 2 });
    expect(s.failures[0]!.error).toMatch(/1 of 1 inputs failed: .*corrupt\.png/);
    const collect = await cli(['queue', 'collect', '--redis', url, '--queue', 'strict', '--from', join(dir, 'out'), '--out', join(dir, 'm.jsonl')]);
    expect(collect.code).toBe(4);
    expect(collect.stderr).toMatch(/missing chunks: 0/);
    // An unreachable Redis is a usage error, not a hang.
    const down = await cli(['queue', 'status', '--redis', 'redis://127.0.0.1:1', '--queue', 'x']);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
