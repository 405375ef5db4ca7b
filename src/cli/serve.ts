// `webgpu-detect serve`: the detection page on http://HOST:PORT (default 127.0.0.1:8080). Serves
// the page (dist/page), the converted models (models/), and the model files read from npm packages
// at /model/<name>/<role>, each checked against its sha256 (models/<name>/provenance.json) before
// it is sent. Nothing comes from elsewhere: the page works offline once loaded.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import type { Command } from 'commander';
import { NPM_MODELS, readModelFiles } from '../io/model-catalog.js';
import { packageRoot } from '../io/package-root.js';
import { UsageError } from './exit-codes.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.map': 'application/json', '.json': 'application/json', '.bin': 'application/octet-stream',
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the detection page (every model runs in the browser on WebGPU); open the printed URL in Chrome')
    .option('--port <n>', 'port (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on (WebGPU needs http://127.0.0.1 / localhost, or https)', '127.0.0.1')
    .action(async (o: { port: string; host: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port expects 0..65535, got '${o.port}'`);
      const root = packageRoot();
      const page = join(root, 'dist', 'page');
      if (!existsSync(join(page, 'index.html'))) throw new UsageError(`${page}/index.html is missing: run npm run build`);
      const models = join(root, 'models');
      const cache = new Map<string, Map<string, Uint8Array>>();
      const server = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        const fail = (code: number, text: string) => res.writeHead(code, { 'content-type': 'text/plain' }).end(text);
        const m = /^\/model\/([\w-]+)\/([\w-]+)$/.exec(path);
        if (m) {
          const [, name, role] = m;
          if (!(name! in NPM_MODELS)) return fail(404, `no npm model '${name}'`);
          try {
            if (!cache.has(name!)) cache.set(name!, readModelFiles(name!));
          } catch (err) {
            return fail(500, (err as Error).message);
          }
          const data = cache.get(name!)!.get(role!);
          if (!data) return fail(404, `model '${name}' has no file '${role}'`);
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length }).end(data);
          return;
        }
        const [base, rest] = path.startsWith('/models/') ? [models, path.slice('/models/'.length)] : [page, path === '/' ? 'index.html' : path.slice(1)];
        const file = resolve(base, normalize(rest));
        if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) return fail(404, `not found: ${path}`);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
      });
      await new Promise<void>((done, reject) => {
        server.once('error', (err) => reject(new UsageError(`cannot listen on ${o.host}:${port}: ${err.message}`)));
        server.listen(port, o.host, () => done());
      });
      const address = server.address() as AddressInfo;
      console.log(`webgpu-detect: serving the detection page on http://${o.host}:${address.port}/ (Ctrl-C stops)`);
      await new Promise<void>((done) => {
        const stop = () => server.close(() => done());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
