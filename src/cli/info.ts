// `webgpu-detect info`: the adapter (vendor, architecture, description, features, key limits) of the
// chosen driver, or of every software driver installed (--all: one child process per driver,
// because Dawn fixes the Vulkan driver per process).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { formatAdapter, type AdapterSummary } from '../gpu/adapter-info.js';
import { acquireGpu } from '../gpu/device.js';
import { SOFTWARE_ICDS } from '../gpu/node-webgpu.js';

interface InfoOptions {
  adapter?: string;
  all?: boolean;
  json?: boolean;
}

async function describeOne(adapter: string | undefined): Promise<AdapterSummary> {
  const ctx = await acquireGpu({ adapter });
  return ctx.adapter;
}

function describeInChild(adapter: string): AdapterSummary | { adapter: string; error: string } {
  try {
    const out = execFileSync(process.execPath, [process.argv[1]!, 'info', '--json', '--adapter', adapter], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out) as AdapterSummary;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    return { adapter, error: stderr.split('\n').filter((l) => l && !l.includes('artificially reduced')).join('\n') };
  }
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the WebGPU adapter: vendor, architecture, description, features and key limits')
    .option('--adapter <name>', 'auto | lavapipe | swiftshader | path to a Vulkan ICD .json (default: $WEBGPU_DETECT_ADAPTER or auto)')
    .option('--all', 'describe every software Vulkan driver installed (lavapipe, SwiftShader), one process each')
    .option('--json', 'print JSON instead of text')
    .action(async (options: InfoOptions) => {
      if (options.all) {
        const names = Object.entries(SOFTWARE_ICDS).filter(([, path]) => existsSync(path)).map(([name]) => name);
        const results = names.map(describeInChild);
        if (options.json) console.log(JSON.stringify(results, null, 2));
        else console.log(results.map((r) => ('error' in r ? `${r.adapter}: ${r.error}` : formatAdapter(r))).join('\n\n'));
        if (names.length === 0 || results.some((r) => 'error' in r)) process.exitCode = 3;
        return;
      }
      const summary = await describeOne(options.adapter);
      console.log(options.json ? JSON.stringify(summary, null, 2) : formatAdapter(summary));
    });
}
