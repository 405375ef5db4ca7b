// The detection page in real (headless) Chromium: `webgpu-detect serve` started as a user starts it,
// two photos given to the page's file input (PNG, so the browser and sharp decode the same pixels),
// MTCNN run in the page on WebGPU (SwiftShader), the "download JSON Lines" file compared with the
// CLI's lines for the same files and options (the CLI on SwiftShader too), no console errors, and
// a screenshot of the first result checked for the drawn face box; then, with the server stopped and
// the browser offline, the reloaded page runs again from what its service worker kept.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../../src/io/chromium-backend.js';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { cli } from '../helpers/cli.js';

let server: ChildProcess | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

type FaceLine = { file: string; width: number; height: number; faces: Array<{ box: number[]; score: number; landmarks: number[][] }>; stages: Record<string, number> };

/** Largest difference between two JSON values of the same shape (Infinity when the shapes differ). */
function maxDiff(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length ? Math.max(0, ...a.map((v, i) => maxDiff(v, b[i]))) : Infinity;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return Infinity;
    return Math.max(0, ...ka.map((k) => maxDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])));
  }
  return a === b ? 0 : Infinity;
}

describe('the detection page (webgpu-detect serve) in headless Chromium', () => {
  it('MTCNN on two photos: the downloaded lines are the CLI lines; overlays drawn; no console errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-page-'));
    const photos = await Promise.all(
      ['cage.jpg', 'franck_02045.jpg'].map(async (name) => {
        const to = join(dir, name.replace(/\.jpg$/, '.png'));
        await sharp(clmtrackrSamples().find((f) => basename(f) === name)!).png().toFile(to);
        return to;
      }),
    );
    server = spawn(process.execPath, ['bin/webgpu-detect.js', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((done, fail) => {
      let text = '';
      server!.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
        if (m) done(m[1]!);
      });
      server!.on('exit', (code) => fail(new Error(`serve exited with ${code}`)));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
    const page = await browser.newPage({ acceptDownloads: true });
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
    const adapter = await page.textContent('#adapter');
    // The service worker controls the page before anything is loaded (so the models are kept).
    await page.waitForSelector('body[data-offline="ready"]', { timeout: 60_000 });
    await page.selectOption('#model', 'mtcnn');
    await page.setInputFiles('#files', photos);
    await page.click('#run');
    await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 240_000 });
    expect(await page.textContent('#status')).toBe('done: 2 lines');
    const timings = await page.textContent('#timings');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const downloaded = readFileSync((await download.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FaceLine);

    // The CLI's lines for the same files, default options, on SwiftShader like the page.
    const out = join(dir, 'cli.jsonl');
    const run = await cli(['detect', '--adapter', 'swiftshader', '--out', out, '--quiet', '--no-progress', ...photos]);
    expect(run.code, run.stderr).toBe(0);
    const expected = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FaceLine);
    expect(downloaded.map((l) => l.file)).toEqual(expected.map((l) => basename(l.file)));
    let worst = 0;
    downloaded.forEach((l, i) => {
      const e = expected[i]!;
      expect(l.faces.length, l.file).toBe(e.faces.length);
      const diff = maxDiff({ ...l, file: '' }, { ...e, file: '' });
      worst = Math.max(worst, diff);
      expect(diff, `${l.file}: page vs CLI`).toBeLessThanOrEqual(1e-3);
    });
    console.log(`page (${adapter}): ${downloaded.map((l) => `${l.file} ${l.faces.length} faces, stages ${JSON.stringify(l.stages)}`).join('; ')}; largest difference from the CLI's lines ${worst}; ${timings}`);

    // The screenshot of the first result shows its first face box in the overlay colour (#00ff66).
    const figure = page.locator('figure.result').first();
    const shot = join(dir, 'result.png');
    await figure.locator('canvas').screenshot({ path: shot });
    const { data, info } = await sharp(shot).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const [x, y, w, h] = downloaded[0]!.faces[0]!.box as [number, number, number, number];
    const scale = info.width / downloaded[0]!.width;
    let green = 0;
    for (let py = Math.floor(y * scale) - 3; py <= Math.ceil((y + h) * scale) + 3; py++) {
      for (let px = Math.floor(x * scale) - 3; px <= Math.ceil((x + w) * scale) + 3; px++) {
        if (px < 0 || py < 0 || px >= info.width || py >= info.height) continue;
        const k = 3 * (py * info.width + px);
        if (data[k]! < 80 && data[k + 1]! > 180 && data[k + 2]! > 50 && data[k + 2]! < 160) green++;
      }
    }
    console.log(`screenshot ${info.width}x${info.height}: ${green} overlay-green pixels around the first face box`);
    expect(green).toBeGreaterThan(4 * Math.min(w, h) * scale);
    writeFileSync(join(dir, 'lines.jsonl'), downloaded.map((l) => JSON.stringify(l)).join('\n'));
    expect(problems, problems.join('\n')).toEqual([]);

    // Offline once loaded: the server stopped and the browser offline, a reload and the same run.
    server.kill('SIGTERM');
    await page.context().setOffline(true);
    await page.reload();
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
    await page.selectOption('#model', 'mtcnn');
    await page.setInputFiles('#files', photos);
    await page.click('#run');
    await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 240_000 });
    expect(await page.textContent('#status')).toBe('done: 2 lines');
    console.log('offline (server stopped, browser offline): reloaded and detected again from the kept page and models');
  });
});
