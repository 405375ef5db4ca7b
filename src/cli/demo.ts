// `webgpu-detect demo`: runs a small PNet-shaped network (seeded weights) on a generated sample
// image, prints the adapter and a summary of the outputs, and checks them against the float64 CPU
// reference. The smoke test of an installation.
import type { Command } from 'commander';
import { acquireGpu } from '../gpu/device.js';
import { compileGraph } from '../graph/compiled-graph.js';
import { runReference } from '../graph/reference.js';
import { pnetLikeGraph, sampleInput } from '../graph/sample-graphs.js';

interface DemoOptions {
  adapter?: string;
  json?: boolean;
  height: string;
  width: string;
}

function summarize(data: Float32Array) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, max, mean: sum / data.length };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run a small PNet-shaped network on a generated sample image and print the adapter and an output summary')
    .option('--adapter <name>', 'auto | lavapipe | swiftshader | path to a Vulkan ICD .json')
    .option('--height <px>', 'sample image height', '120')
    .option('--width <px>', 'sample image width', '160')
    .option('--json', 'print one JSON object')
    .action(async (options: DemoOptions) => {
      const ctx = await acquireGpu({ adapter: options.adapter });
      const shape: [number, number, number, number] = [1, 3, Number(options.height), Number(options.width)];
      const graph = pnetLikeGraph();
      const t0 = performance.now();
      const plan = await compileGraph(ctx, graph, { inputShapes: { image: shape } });
      const t1 = performance.now();
      const image = sampleInput(shape);
      await plan.run({ image });
      const t2 = performance.now();
      const out = await plan.run({ image });
      const t3 = performance.now();
      const ref = runReference(graph, { image: { shape, data: image } });
      const outputs = Object.fromEntries(
        Object.entries(out).map(([name, t]) => {
          const r = ref.get(name)!.data;
          let num = 0;
          let den = 0;
          t.data.forEach((v, i) => {
            num += (v - r[i]!) ** 2;
            den += r[i]! ** 2;
          });
          return [name, { shape: t.shape, ...summarize(t.data), relErrVsFloat64: Math.sqrt(num / den) }];
        }),
      );
      const report = {
        adapter: ctx.adapter.name,
        source: ctx.adapter.source,
        network: graph.name,
        input: shape,
        compileMs: +(t1 - t0).toFixed(1),
        firstRunMs: +(t2 - t1).toFixed(1),
        runMs: +(t3 - t2).toFixed(1),
        dispatches: plan.stats.dispatches,
        peakBytes: plan.stats.peakBytes,
        naiveBytes: plan.stats.naiveBytes,
        outputs,
      };
      if (options.json) {
        console.log(JSON.stringify(report));
        return;
      }
      console.log(`adapter   ${report.adapter} (${report.source})`);
      console.log(`network   ${report.network}, input ${JSON.stringify(shape)}, ${report.dispatches} dispatches, 1 submit + 1 readback per run`);
      console.log(`time      compile ${report.compileMs} ms, first run ${report.firstRunMs} ms, run ${report.runMs} ms`);
      console.log(`memory    ${report.peakBytes} B of intermediates (without buffer sharing: ${report.naiveBytes} B)`);
      for (const [name, s] of Object.entries(outputs)) {
        console.log(`output    ${name} ${JSON.stringify(s.shape)} min ${s.min.toFixed(4)} max ${s.max.toFixed(4)} mean ${s.mean.toFixed(4)}  |gpu-f64|/|f64| ${s.relErrVsFloat64.toExponential(2)}`);
      }
    });
}
