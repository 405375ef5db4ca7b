// `webgpu-detect sweep` on generated dense scenes with CenterNet: every row equals what `detect` at
// that threshold and IoU followed by `eval --format coco` gives (the prefix rule and the one-submit
// settings path change nothing), the table and JSON have one row per (IoU, conf), and bad flags
// fail with exit code 2 before any GPU work.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audience, bookshelf, writeDenseSet } from '../../src/io/dense-scenes.js';
import { cli } from '../helpers/cli.js';

interface Row {
  conf: number;
  iou: number;
  ap: number;
  ap50: number;
  precision: number;
  recall: number;
  duplicates: number;
  detectionsPerImage: number;
}

describe('webgpu-detect sweep', () => {
  it('centernet on a bookshelf and an audience: rows equal detect + eval at the same settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-sweep-'));
    await writeDenseSet(dir, [bookshelf(11, 512, 384, 2), audience(12, 512, 384, 2)]);
    const gt = join(dir, 'instances.json');
    const out = join(dir, 'sweep.json');
    // --batch 1: two batches, the second decoded while the first is detected (decoded-batches.ts);
    // detect below runs both images in one batch.
    const sweep = await cli(['sweep', '--model', 'centernet', '--gt', gt, '--conf', '0.1,0.2', '--iou', '0.4,1', '--max-dets', '1,10,100,300', '--batch', '1', '--out', out, '--no-progress', dir]);
    expect(sweep.code, sweep.stderr).toBe(0);
    console.log(sweep.stdout + sweep.stderr);
    const table = sweep.stdout.trim().split('\n');
    expect(table[0]).toMatch(/^\| conf \| IoU \| AP \| AP50 \| AR@300 \| P \| R \| F1 \| dupes \| groups/);
    expect(table.length).toBe(2 + 4);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[]; images: number; timing: { networkGpuMsPerImage: number | null } };
    expect(report.images).toBe(2);
    expect(report.rows.map((r) => [r.iou, r.conf])).toEqual([[0.4, 0.1], [0.4, 0.2], [1, 0.1], [1, 0.2]]);
    expect(report.rows.some((r) => r.detectionsPerImage > 0)).toBe(true);
    // Two rows recomputed the slow way: a detect run at that setting, then eval.
    for (const row of [report.rows[0]!, report.rows[3]!]) {
      const lines = join(dir, `detect-${row.conf}-${row.iou}.jsonl`);
      const detect = await cli(['detect', '--model', 'centernet', '--conf', String(row.conf), '--iou', String(row.iou), '--out', lines, '--quiet', '--no-progress', join(dir, 'bookshelf_11.png'), join(dir, 'audience_12.png')]);
      expect(detect.code, detect.stderr).toBe(0);
      const evalJson = join(dir, `eval-${row.conf}-${row.iou}.json`);
      const evaluated = await cli(['eval', '--format', 'coco', '--gt', gt, '--max-dets', '1,10,100,300', '--score-threshold', '0', '--out', evalJson, lines]);
      expect(evaluated.code, evaluated.stderr).toBe(0);
      const e = JSON.parse(readFileSync(evalJson, 'utf8')) as { stats: number[]; crowd: { overall: { precision: number; recall: number; duplicates: number } } };
      expect(row.ap).toBeCloseTo(e.stats[0]!, 12);
      expect(row.ap50).toBeCloseTo(e.stats[1]!, 12);
      expect([row.precision, row.recall, row.duplicates]).toEqual([e.crowd.overall.precision, e.crowd.overall.recall, e.crowd.overall.duplicates]);
    }
  });

  it('bad flags: exit code 2 with a readable message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-sweep-bad-'));
    await writeDenseSet(dir, [bookshelf(1, 128, 96, 1)]);
    const gt = join(dir, 'instances.json');
    const grid = await cli(['sweep', '--model', 'centernet', '--gt', gt, '--grid', '13,26', dir]);
    expect(grid.code).toBe(2);
    expect(grid.stderr).toMatch(/--grid applies to yolo \/ yolo-direct heads; centernet decodes a centernet head/);
    const conf = await cli(['sweep', '--model', 'centernet', '--gt', gt, '--conf', '0.2,1.5', dir]);
    expect(conf.code).toBe(2);
    expect(conf.stderr).toMatch(/--conf expects comma-separated numbers in \[0, 1\)/);
    const model = await cli(['sweep', '--model', 'mtcnn', '--gt', gt, dir]);
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/--model must be a grid model/);
  });
});
