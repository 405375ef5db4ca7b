// `detect --resume`: a run killed with SIGKILL, a last line cut short, then resumed: every input ends
// with exactly one line, the resumed lines equal an uninterrupted run's, error lines are kept (or
// redone with --retry-errors, still one line each), and a finished file is left alone.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { cli } from '../helpers/cli.js';

type Line = { file: string; error?: string; faces?: Array<{ box: number[] }> };
const lines = (path: string): Line[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

/** Starts detect, waits until `atLeast` lines are in `out`, kills the process with SIGKILL. */
async function killMidRun(args: string[], out: string, atLeast: number): Promise<number> {
  const child = spawn(process.execPath, ['bin/webgpu-detect.js', ...args], { stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  for (let waited = 0; waited < 240_000; waited += 100) {
    if (existsSync(out) && readFileSync(out, 'utf8').split('\n').filter(Boolean).length >= atLeast) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  await exited;
  return lines(out).length;
}

describe('detect --resume', () => {
  it('kill -9 mid-run, a line cut short, resume: one line per input, equal to an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-resume-'));
    const photos = clmtrackrSamples().slice(0, 10).map((f) => {
      const to = join(dir, basename(f));
      copyFileSync(f, to);
      return to;
    });
    const broken = join(dir, 'zz_broken.jpg');
    writeFileSync(broken, Buffer.from('not a jpeg at all'));
    const inputs = [...photos, broken];
    const out = join(dir, 'results.jsonl');
    const before = await killMidRun(['detect', '--batch', '2', '--out', out, '--no-progress', '--quiet', ...inputs], out, 2);
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(inputs.length);
    // A crash in the middle of a write: the next input's line cut short.
    const next = inputs.find((f) => !lines(out).some((l) => l.file === f))!;
    appendFileSync(out, `{"file":${JSON.stringify(next)},"width":64`);
    console.log(`killed with ${before} of ${inputs.length} lines written, then a line for ${basename(next)} cut short`);

    const resumed = await cli(['detect', '--batch', '2', '--out', out, '--resume', '--no-progress', ...inputs]);
    expect(resumed.code, resumed.stderr).toBe(4); // the broken image's error line
    expect(resumed.stderr).toMatch(new RegExp(`resuming .*: ${before} inputs already have a line, ${inputs.length - before} to go; a last line cut short was removed`));
    const after = lines(out);
    expect(after.map((l) => l.file).sort()).toEqual([...inputs].sort());
    expect(after.find((l) => l.file === broken)!.error).toBeTruthy();

    // The same lines as one uninterrupted run.
    const fresh = join(dir, 'fresh.jsonl');
    const whole = await cli(['detect', '--batch', '2', '--out', fresh, '--no-progress', '--quiet', ...inputs]);
    expect(whole.code).toBe(4);
    const byFile = new Map(lines(fresh).map((l) => [l.file, l]));
    for (const l of after) if (!l.error) expect(l).toEqual(byFile.get(l.file));

    // Resuming a finished file does nothing; --retry-errors redoes the error line only.
    const again = await cli(['detect', '--out', out, '--resume', '--no-progress', ...inputs]);
    expect(again.stderr).toMatch(new RegExp(`${inputs.length} inputs already have a line \\(1 errors kept; --retry-errors redoes them\\), 0 to go`));
    expect(lines(out).length).toBe(inputs.length);
    const retry = await cli(['detect', '--out', out, '--resume', '--retry-errors', '--no-progress', ...inputs]);
    expect(retry.stderr).toMatch(/1 error lines removed to retry/);
    expect(retry.stderr).toMatch(/, 1 to go/);
    const final = lines(out);
    expect(final.map((l) => l.file).sort()).toEqual([...inputs].sort());
    expect(final[final.length - 1]!.file).toBe(broken);
    // Flags that make no sense alone.
    expect((await cli(['detect', '--resume', ...inputs])).stderr).toMatch(/--resume needs --out FILE/);
    expect((await cli(['detect', '--out', out, '--retry-errors', ...inputs])).stderr).toMatch(/--retry-errors goes with --resume/);
  });
});
