// The `webgpu-detect` command as a user runs it (the built CLI in a child process).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { clmtrackrSamples } from '../../src/io/samples.js';


interface ShapeLine {
  faces: Array<{
    box: number[];
    shape: {
      model: string;
      points: number[][];
      converged: boolean;
      iterations: number;
      likelihood: number;
      diagnostics: { stages: Array<{ windowSize: number; responses: { max: number; nonFinite: number }; landmarks: unknown[] }>; iterations: unknown[] };
    };
  }>;
}

describe('webgpu-detect CLI', () => {
  it('--help on every verb', async () => {
    for (const verb of [[], ['detect'], ['eval'], ['info'], ['demo'], ['models'], ['precision']]) {
      const { code, stdout } = await cli([...verb, '--help']);
      expect(code, verb.join(' ')).toBe(0);
      expect(stdout).toMatch(/Usage: webgpu-detect/);
    }
    const { stdout } = await cli(['detect', '--help']);
    for (const flag of ['--batch', '--out', '--overlays', '--min-face', '--thresholds', '--stages', '--model']) expect(stdout).toContain(flag);
  });

  it('detects faces, writes error lines for bad inputs, appends to --out, draws overlays, exits 4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-cli-'));
    const corrupt = join(dir, 'corrupt.jpg');
    writeFileSync(corrupt, 'not an image');
    const truncated = join(dir, 'truncated.jpg');
    const good = ['queen20_crop.jpg', 'walter2_crop.jpg'].map((n) => clmtrackrSamples().find((f) => basename(f) === n)!);
    writeFileSync(truncated, readFileSync(good[0]!).subarray(0, 2000));
    const out = join(dir, 'faces.jsonl');
    const overlays = join(dir, 'overlays');
    const args = ['detect', good[0]!, corrupt, join(dir, 'missing.png'), truncated, good[1]!, '--out', out, '--overlays', overlays, '--batch', '2', '--stages'];
    const first = await cli(args);
    expect(first.code, first.stderr).toBe(4);
    expect(first.stderr).toMatch(/5 images \(3 failed\), 2 faces/);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => basename(l.file as string)).sort()).toEqual(['corrupt.jpg', 'missing.png', 'queen20_crop.jpg', 'truncated.jpg', 'walter2_crop.jpg']);
    const byName = Object.fromEntries(lines.map((l) => [basename(l.file as string), l]));
    expect(byName['corrupt.jpg']!.error).toMatch(/cannot decode image/);
    expect(byName['missing.png']!.error).toMatch(/file not found/);
    expect(byName['truncated.jpg']!.error).toMatch(/cannot decode image/);
    for (const name of ['queen20_crop.jpg', 'walter2_crop.jpg']) {
      const line = byName[name]! as { width: number; height: number; faces: Array<{ box: number[]; score: number; landmarks: number[][] }>; stages: Record<string, number>; candidates: Record<string, unknown[]> };
      expect(line.faces.length).toBe(1);
      expect(line.faces[0]!.box.length).toBe(4);
      expect(line.faces[0]!.landmarks.length).toBe(5);
      expect(line.faces[0]!.score).toBeGreaterThan(0.9);
      expect(Object.keys(line.stages)).toEqual(['pnet', 'rnet', 'onet', 'final']);
      expect(line.candidates.pnet!.length).toBe(line.stages.pnet);
      const png = join(overlays, name.replace('.jpg', '.png'));
      expect(existsSync(png)).toBe(true);
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', line.width, line.height]);
    }
    // Appends: a second run adds lines, keeping the first ones.
    await cli(['detect', good[0]!, '--out', out]);
    expect(readFileSync(out, 'utf8').trim().split('\n').length).toBe(6);
  });

  it('models lists every packaged model with its source, licence and sha256 status', async () => {
    const table = await cli(['models']);
    expect(table.code, table.stderr).toBe(0);
    for (const name of ['mtcnn', 'ppocr-det', 'tiny-face', 'ssd-oid', 'centernet']) expect(table.stdout).toMatch(new RegExp(`\\| ${name} \\|.*\\| ok \\|`));
    const json = JSON.parse((await cli(['models', '--json'])).stdout) as Array<{ name: string; source: string; license: string; status: string }>;
    expect(json.map((m) => m.name)).toEqual(['mtcnn', 'ppocr-det', 'tiny-face', 'ssd-oid', 'centernet']);
    expect(json.find((m) => m.name === 'tiny-face')!.source).toBe('@vladmandic/face-api@1.7.15');
    expect(json.every((m) => m.status === 'ok')).toBe(true);
    const unknown = await cli(['detect', 'x.jpg', '--model', 'yolo9000']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown model 'yolo9000' \(known: mtcnn, ppocr-det, tiny-face, ssd-oid, centernet, or a path to an \.onnx/);
  });

  it('grid models: tiny-face lines and overlays; a user .onnx with decode flags and --stages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-grid-'));
    const photos = ['cage.jpg', 'audrey.jpg'].map((n) => clmtrackrSamples().find((f) => basename(f) === n)!);
    const out = join(dir, 'faces.jsonl');
    const tiny = await cli(['detect', '--model', 'tiny-face', ...photos, '--out', out, '--overlays', join(dir, 'ov'), '--input', '320']);
    expect(tiny.code, tiny.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { detections: Array<{ box: number[]; score: number; class: number; label: string }> });
    expect(lines[0]!.detections.length).toBe(1);
    expect(lines[0]!.detections[0]!.label).toBe('face');
    expect(existsSync(join(dir, 'ov', 'cage.png'))).toBe(true);
    const bad = await cli(['detect', '--model', 'tiny-face', photos[0]!, '--input', '300']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/multiple of 32/);
    const { torchStyleGridModel } = await import('../../harness/torch-style-onnx.js');
    const model = join(dir, 'user.onnx');
    writeFileSync(model, torchStyleGridModel({ opset: 13, grid: 26, form: 'sizes', seed: 7 }));
    const userOut = join(dir, 'user.jsonl');
    const user = await cli(['detect', '--model', model, photos[1]!, '--decode', 'yolo-direct', '--grid', '13', '--conf', '0.4', '--iou', '0.5', '--max-det', '5', '--nms', 'weighted', '--stages', '--out', userOut]);
    expect(user.code, user.stderr).toBe(0);
    const line = JSON.parse(readFileSync(userOut, 'utf8').trim()) as { detections: unknown[]; candidates: unknown[] };
    console.log(`user model at S=13: ${line.candidates.length} candidates -> ${line.detections.length} detections (max 5, weighted NMS)`);
    expect(line.detections.length).toBeLessThanOrEqual(5);
    expect(line.candidates.length).toBeGreaterThanOrEqual(line.detections.length);
    const wrong = await cli(['detect', '--model', model, photos[1]!, '--decode', 'yolo']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--decode yolo needs --anchors/);
    // Another model's flags are not checked: --min-face 5 is an MTCNN concern.
    const text = await cli(['detect', '--model', 'ppocr-det', photos[0]!, '--min-face', '5']);
    expect(text.code, text.stderr).toBe(0);
  });

  it('--landmarks clm adds a fitted shape to every face (with diagnostics); clm flags are checked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-clm-'));
    const photos = ['audrey.jpg', 'franck_02045.jpg'].map((n) => clmtrackrSamples().find((f) => basename(f) === n)!);
    const out = join(dir, 'shapes.jsonl');
    const fitted = await cli(['detect', ...photos, '--landmarks', 'clm', '--clm-windows', '11,11,9,7', '--clm-diagnostics', '--out', out, '--overlays', join(dir, 'ov')]);
    expect(fitted.code, fitted.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ShapeLine);
    for (const line of lines) {
      const face = line.faces[0]!;
      const { shape } = face;
      expect(shape.model).toBe('clmtrackr-pca-20-svm');
      expect(shape.points).toHaveLength(71);
      // The fitted points lie on the face: most of them inside the (slightly grown) MTCNN box.
      const [x, y, w, h] = face.box as [number, number, number, number];
      const inside = shape.points.filter(([px, py]) => px! > x - 0.15 * w && px! < x + 1.15 * w && py! > y - 0.15 * h && py! < y + 1.15 * h);
      expect(inside.length).toBeGreaterThanOrEqual(68);
      expect(shape.iterations).toBeGreaterThan(0);
      expect(shape.iterations).toBeLessThanOrEqual(12);
      expect(shape.diagnostics.iterations).toHaveLength(shape.iterations);
      expect(shape.diagnostics.stages.map((s) => s.windowSize)).toEqual([11, 11, 9, 7].slice(0, shape.diagnostics.stages.length));
      for (const s of shape.diagnostics.stages) {
        expect(s.landmarks).toHaveLength(71);
        expect(s.responses.nonFinite).toBe(0);
      }
    }
    expect(existsSync(join(dir, 'ov', 'audrey.png'))).toBe(true);
    for (const [args, message] of [
      [['--landmarks', 'asm'], /--landmarks: 'asm' is not a landmark fitter/],
      [['--clm-windows', '11,9'], /--clm-windows needs --landmarks clm/],
      [['--landmarks', 'clm', '--clm-windows', '11,8'], /--clm-windows expects odd window sizes/],
      [['--model', 'tiny-face', '--landmarks', 'clm'], /--model tiny-face does not have them/],
    ] as const) {
      const bad = await cli(['detect', photos[0]!, ...args]);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
    const missing = await cli(['detect', photos[0]!, '--landmarks', 'clm', '--clm-model', join(dir, 'none.clm.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/none\.clm\.json: cannot read/);
  });

  it('--landmarks clm with an OpenFace CLNF model (synthetic files): the schedule is checked at load; --clm-missing-sigma diagonal accepts the fallback', async () => {
    const { smallSynthModel, writeOpenFaceModel } = await import('../helpers/openface-writer.js');
    const { main } = writeOpenFaceModel(smallSynthModel(3, { landmarks: 68, patchSize: 3, windows: [3, 5], depth: 20 }));
    const photo = clmtrackrSamples().find((f) => basename(f) === 'audrey.jpg')!;
    // OpenFace's default windows (11, 9 for two scales) have no sigma components in this file.
    const refused = await cli(['detect', photo, '--landmarks', 'clm', '--clm-model', main]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ccnf_patches_0\.25_synth\.txt: CCNF experts at scale 0\.25 have sigma components for window sizes \[3, 5\]; stage 0 requests ws 11\. OpenFace silently falls back/);
    for (const [args, sigma] of [
      [['--clm-windows', '5,3'], ['components', 'components']],
      [['--clm-windows', '7,5', '--clm-missing-sigma', 'diagonal'], ['diagonal', 'components']],
    ] as const) {
      const run = await cli(['detect', photo, '--landmarks', 'clm', '--clm-model', main, '--clm-diagnostics', ...args]);
      expect(run.code, run.stderr).toBe(0);
      const line = JSON.parse(run.stdout.trim()) as { faces: Array<{ shape: { model: string; points: number[][]; diagnostics: { stages: Array<{ sigma: string; windowSize: number }> } } }> };
      const shape = line.faces[0]!.shape;
      expect(shape.model).toBe('main_clnf_synth');
      expect(shape.points).toHaveLength(68);
      expect(shape.points.flat().every(Number.isFinite)).toBe(true);
      expect(shape.diagnostics.stages.map((s) => s.sigma)).toEqual(sigma);
    }
  });

  it('bad option values exit 2 with a message', async () => {
    const bad = await cli(['detect', 'x.jpg', '--thresholds', '0.6,0.7']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected 3 comma-separated numbers/);
    const range = await cli(['detect', 'x.jpg', '--min-face', '5']);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/minFaceSize/);
  });
});

describe('webgpu-detect CLI: text detection and evaluation', () => {
  it('detect --model ppocr-det writes polygons; eval scores them against the ground truth', async () => {
    const { textFixtures } = await import('../helpers/textdet.js');
    const { dir, set } = await textFixtures(3, 11);
    const out = join(dir, 'text.jsonl');
    const run1 = await cli(['detect', '--model', 'ppocr-det', ...set.map((im) => join(dir, im.name)), '--out', out, '--overlays', join(dir, 'ov')]);
    expect(run1.code, run1.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; polygons: number[][][]; scores: number[] });
    expect(lines.length).toBe(3);
    for (const l of lines) {
      expect(l.polygons.length).toBe(l.scores.length);
      l.polygons.forEach((p) => expect(p.length).toBe(4));
    }
    expect(existsSync(join(dir, 'ov', set[0]!.name))).toBe(true);
    const evalOut = join(dir, 'eval.json');
    const run2 = await cli(['eval', '--gt', join(dir, 'gt.jsonl'), out, '--out', evalOut]);
    expect(run2.code, run2.stderr).toBe(0);
    expect(run2.stdout).toMatch(/\| \*\*all \(3\)\*\* \|/);
    const e = JSON.parse(readFileSync(evalOut, 'utf8')) as { hmean: number; gt: number; groupBoxes: number };
    console.log(`CLI text detection on 3 generated images: ${e.gt} lines, H-mean ${e.hmean}`);
    expect(e.hmean).toBeGreaterThan(0.8);
    expect(e.groupBoxes).toBe(0);
  });
});
