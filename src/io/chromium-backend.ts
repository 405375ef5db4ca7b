// Node-only: the `chromium` backend of a precision study: headless Chromium (WebGPU on SwiftShader,
// never downloaded: /usr/bin/chromium through playwright-core) running the browser bundle on a page
// served from 127.0.0.1. The page gets the study's graphs, float32 inputs and decoded pixels from
// this process (the same bytes every other backend gets), runs each network with every tensor kept
// and posts the tensors back as raw float32; the MTCNN detector runs there too, with stage lists.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serializeGraph } from '../graph/serialize.js';
import type { Graph } from '../graph/types.js';
import type { ImageRun } from '../eval/precision/stages.js';
import type { TextImageRun } from '../eval/precision/text-stages.js';
import type { StudyNetwork } from '../eval/precision/study.js';
import type { RgbImage } from '../pipelines/floor/image.js';
import type { ImageDetections, MtcnnGraphs } from '../pipelines/mtcnn/types.js';
import { packageRoot } from './package-root.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** WebGPU only with --enable-unsafe-webgpu (and on 127.0.0.1); never phone home. */
export const CHROMIUM_FLAGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>webgpu-detect precision</title></head><body><p id="status">loading</p>
<script type="module">import * as wd from './webgpu-detect.js'; window.webgpuDetect = wd; document.getElementById('status').textContent = 'ready';</script></body></html>`;

type Route = { type: string; body: Uint8Array | string };

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => done(Buffer.concat(parts)));
    req.on('error', fail);
  });
}

/** A page server: fixed routes, and POST /result/<id>/<tensor> collected into `posted`. */
class StudyServer {
  readonly routes = new Map<string, Route>();
  readonly posted = new Map<string, Map<string, Float32Array>>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (req.method === 'POST' && path.startsWith('/result/')) {
        const [, , id, ...tensor] = path.split('/');
        const bytes = await body(req);
        const map = this.posted.get(id!) ?? new Map<string, Float32Array>();
        map.set(tensor.join('/'), new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
        this.posted.set(id!, map);
        res.writeHead(204).end();
        return;
      }
      const route = this.routes.get(path);
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': route.type }).end(route.body);
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async addGraph(prefix: string, graph: Graph): Promise<void> {
    // The weights file is named relative to the graph file (fetchGraph resolves it so).
    const { json, bin } = await serializeGraph(graph, `${prefix.split('/').pop()}.bin`);
    this.routes.set(`/${prefix}.graph.json`, { type: 'application/json', body: JSON.stringify(json) });
    this.routes.set(`/${prefix}.bin`, { type: 'application/octet-stream', body: bin });
  }

  close(): void {
    this.server?.close();
  }
}

export interface ChromiumSession {
  device: string;
  /** Every tensor of a network, run once (or the second of two runs, with `identical` telling). */
  networkValues(net: StudyNetwork): Promise<Map<string, ArrayLike<number>>>;
  /** The MTCNN detector on every image with stage lists, under the given detect options. */
  detect(options: Record<string, unknown>): Promise<ImageRun[]>;
  /** The text detector on every image. */
  detectText(options: Record<string, unknown>): Promise<TextImageRun[]>;
  close(): Promise<void>;
}

export async function openChromium(images: readonly RgbImage[], files: readonly string[], mtcnn?: MtcnnGraphs, text?: Graph): Promise<ChromiumSession> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} not found: apt-get install -y chromium (the chromium backend never downloads a browser)`);
  const bundle = join(packageRoot(), 'dist', 'browser', 'webgpu-detect.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: run npm run build`);
  const server = new StudyServer();
  server.routes.set('/', { type: 'text/html', body: PAGE });
  server.routes.set('/webgpu-detect.js', { type: 'text/javascript', body: readFileSync(bundle) });
  images.forEach((im, i) => server.routes.set(`/image/${i}`, { type: 'application/octet-stream', body: im.data }));
  if (mtcnn) for (const n of ['pnet', 'rnet', 'onet'] as const) await server.addGraph(`mtcnn/${n}`, mtcnn[n]);
  if (text) await server.addGraph('text/net', text);
  await server.start();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    const adapter = await page.evaluate(async () => {
      const wd = (window as unknown as { webgpuDetect: typeof import('../index.js') }).webgpuDetect;
      const ctx = await wd.acquireGpu();
      (window as unknown as { ctx: unknown }).ctx = ctx;
      return ctx.adapter;
    });
    const device = `Chromium: ${[adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ')}`.trim();
    let ids = 0;
    return {
      device,
      async networkValues(net) {
        const id = String(ids++);
        await server.addGraph(`net/${id}`, net.graph);
        const inputs = Object.entries(net.inputs).map(([name, v]) => {
          server.routes.set(`/input/${id}/${name}`, { type: 'application/octet-stream', body: new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength) });
          return { name, shape: v.shape };
        });
        await page.evaluate(
          async ({ id, inputs }) => {
            const w = window as unknown as { webgpuDetect: typeof import('../index.js'); ctx: import('../gpu/context.js').GpuContext };
            const graph = await w.webgpuDetect.fetchGraph(`/net/${id}.graph.json`);
            const data: Record<string, Float32Array> = {};
            for (const i of inputs) data[i.name] = new Float32Array(await (await fetch(`/input/${id}/${i.name}`)).arrayBuffer());
            const plan = await w.webgpuDetect.compileGraph(w.ctx, graph, { inputShapes: Object.fromEntries(inputs.map((i) => [i.name, i.shape])), debug: true });
            const out = await plan.run(data);
            for (const [name, t] of Object.entries(out)) await fetch(`/result/${id}/${name}`, { method: 'POST', body: new Blob([t.data as Float32Array<ArrayBuffer>]) });
          },
          { id, inputs },
        );
        if (errors.length) throw new Error(`chromium page error: ${errors.join('; ')}`);
        return server.posted.get(id) ?? new Map();
      },
      async detect(options) {
        if (!mtcnn) throw new Error('chromium: no MTCNN graphs');
        const sizes = images.map((im) => ({ width: im.width, height: im.height }));
        const found = await page.evaluate(
          async ({ sizes, options }) => {
            const w = window as unknown as { webgpuDetect: typeof import('../index.js'); ctx: import('../gpu/context.js').GpuContext; detector?: unknown };
            const wd = w.webgpuDetect;
            const detector = (w.detector ??= await wd.MtcnnDetector.create(w.ctx, {
              pnet: await wd.fetchGraph('/mtcnn/pnet.graph.json'),
              rnet: await wd.fetchGraph('/mtcnn/rnet.graph.json'),
              onet: await wd.fetchGraph('/mtcnn/onet.graph.json'),
            })) as Awaited<ReturnType<typeof wd.MtcnnDetector.create>>;
            const imgs = await Promise.all(sizes.map(async (s, i) => ({ ...s, data: new Uint8Array(await (await fetch(`/image/${i}`)).arrayBuffer()) })));
            const out: unknown[] = [];
            for (let b = 0; b < imgs.length; b += 8) out.push(...(await detector.detect(imgs.slice(b, b + 8), { ...options, stages: true })).images);
            return out;
          },
          { sizes, options },
        );
        if (errors.length) throw new Error(`chromium page error: ${errors.join('; ')}`);
        return (found as ImageDetections[]).map((d, i) => ({ file: files[i]!, counts: d.stages, lists: d.candidates!, faces: d.faces.map((f) => f.box) }));
      },
      async detectText(options) {
        if (!text) throw new Error('chromium: no text graph');
        const sizes = images.map((im) => ({ width: im.width, height: im.height }));
        const found = await page.evaluate(
          async ({ sizes, options }) => {
            const w = window as unknown as { webgpuDetect: typeof import('../index.js'); ctx: import('../gpu/context.js').GpuContext; textDetector?: unknown };
            const wd = w.webgpuDetect;
            const detector = (w.textDetector ??= wd.TextDetector.create(w.ctx, await wd.fetchGraph('/text/net.graph.json'))) as ReturnType<typeof wd.TextDetector.create>;
            const imgs = await Promise.all(sizes.map(async (s, i) => ({ ...s, data: new Uint8Array(await (await fetch(`/image/${i}`)).arrayBuffer()) })));
            return (await detector.detect(imgs, options)).images.map((r) => ({ components: r.components, boxes: r.boxes }));
          },
          { sizes, options },
        );
        if (errors.length) throw new Error(`chromium page error: ${errors.join('; ')}`);
        return found.map((r, i) => ({ file: files[i]!, components: r.components, boxes: r.boxes }));
      },
      async close() {
        await browser.close();
        server.close();
      },
    };
  } catch (err) {
    await browser.close();
    server.close();
    throw err;
  }
}
