// Headless Debian Chromium (SwiftShader WebGPU) driven by playwright-core, on a page served from
// http://127.0.0.1 (WebGPU needs a secure context; about:blank has no navigator.gpu).
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { CHROMIUM_FLAGS, CHROMIUM_PATH as CHROMIUM } from '../../src/io/chromium-backend.js';

export { CHROMIUM };

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json', '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg' };

/** Serves test/browser/ at / and dist/browser/ at /dist/ (plus `extra` directories by URL prefix). */
export function serveTestPages(extra: Record<string, string> = {}): Promise<{ server: Server; url: string }> {
  const roots: Record<string, string> = { '/dist/': resolve('dist/browser'), ...extra, '/': resolve('test/browser') };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const prefix = Object.keys(roots).find((p) => path.startsWith(p))!;
    const file = join(roots[prefix]!, path.slice(prefix.length) || 'page.html');
    if (!file.startsWith(roots[prefix]!) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })));
}

export async function openTestPage(url: string): Promise<{ browser: Browser; page: Page }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (browser tests are never skipped)`);
  if (!existsSync('dist/browser/webgpu-detect.js')) throw new Error('dist/browser/webgpu-detect.js missing: run npm run build');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  const page = await browser.newPage();
  page.on('console', (m) => console.log(`[chromium] ${m.text()}`));
  page.on('pageerror', (e) => console.log(`[chromium page error] ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  return { browser, page };
}
