// The browser bundle in headless Chromium (WebGPU on SwiftShader) runs the same graph as Node on the
// same input; both must agree with each other and with the float64 reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Server } from 'node:http';
import { compileGraph } from '../../src/graph/compiled-graph.js';
import { runReference } from '../../src/graph/reference.js';
import { pnetLikeGraph, sampleInput } from '../../src/graph/sample-graphs.js';
import { openTestPage, serveTestPages } from '../helpers/browser.js';
import { gpu, relativeError } from '../helpers/gpu.js';
import { F32_TOLERANCE } from '../helpers/op-check.js';

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const served = await serveTestPages();
  server = served.server;
  ({ browser, page } = await openTestPage(served.url));
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('browser bundle in headless Chromium', () => {
  it('runs the PNet-shaped graph (conv/PReLU/pool/softmax) with the same outputs as Node and float64', async () => {
    const shape: [number, number, number, number] = [2, 3, 37, 29];
    const image = sampleInput(shape, 5);
    const browserResult = await page.evaluate(
      async ({ shape, input }) => {
        const wd = (window as unknown as { webgpuDetect: typeof import('../../src/index.js') }).webgpuDetect;
        const ctx = await wd.acquireGpu();
        const plan = await wd.compileGraph(ctx, wd.pnetLikeGraph(), { inputShapes: { image: shape } });
        plan.poison();
        const before = { ...ctx.stats };
        const out = await plan.run({ image: new Float32Array(input) });
        return {
          adapter: ctx.adapter,
          submits: ctx.stats.submits - before.submits,
          readbacks: ctx.stats.readbacks - before.readbacks,
          prob: { shape: out.prob!.shape, data: Array.from(out.prob!.data) },
          box: { shape: out.box!.shape, data: Array.from(out.box!.data) },
        };
      },
      { shape, input: Array.from(image) },
    );
    console.log(`chromium adapter: vendor '${browserResult.adapter.vendor}', architecture '${browserResult.adapter.architecture}', source ${browserResult.adapter.source}`);
    expect(browserResult.adapter.source).toBe('navigator.gpu');
    expect(browserResult.submits).toBe(1);
    expect(browserResult.readbacks).toBe(1);

    const ctx = await gpu();
    const graph = pnetLikeGraph();
    const node = await (await compileGraph(ctx, graph, { inputShapes: { image: shape } })).run({ image });
    const ref = runReference(graph, { image: { shape, data: image } });
    for (const name of ['prob', 'box'] as const) {
      const chromiumData = browserResult[name].data;
      expect(browserResult[name].shape).toEqual(node[name]!.shape);
      const vsRef = relativeError(chromiumData, ref.get(name)!.data);
      const vsNode = relativeError(chromiumData, node[name]!.data);
      console.log(`${name}: chromium vs float64 ${vsRef.toExponential(2)}, chromium vs node (${ctx.adapter.name}) ${vsNode.toExponential(2)}`);
      expect(vsRef).toBeLessThanOrEqual(F32_TOLERANCE);
      expect(vsNode).toBeLessThanOrEqual(F32_TOLERANCE);
    }
  });
});
