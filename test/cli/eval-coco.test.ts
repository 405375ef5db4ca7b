// `webgpu-detect eval --format coco`: the 12-line summary, eval.json, dense-scene maxDets, this
// project's JSON Lines matched by file name, and readable errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DUMP_COLORS } from '../../src/io/monitor-dump.js';
import { evaluateCoco, type CocoDataset, type CocoResult } from '../../src/eval/coco.js';
import { cli } from '../helpers/cli.js';

// Two images, two categories; image 2 has a crowd region. Numbers are checked against the library
// (test/eval/coco.test.ts derives the rules by hand).
const GT: CocoDataset = {
  images: [
    { id: 1, file_name: 'shelf_a.png', width: 200, height: 100 },
    { id: 2, file_name: 'crowd_b.png', width: 200, height: 100 },
  ],
  categories: [
    { id: 1, name: 'book' },
    { id: 3, name: 'person' },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 20, 80], area: 1600, iscrowd: 0 },
    { id: 2, image_id: 1, category_id: 1, bbox: [20, 0, 20, 80], area: 1600, iscrowd: 0 },
    { id: 3, image_id: 1, category_id: 1, bbox: [40, 0, 10, 60], area: 600, iscrowd: 0 },
    { id: 4, image_id: 2, category_id: 3, bbox: [10, 10, 40, 60], area: 2400, iscrowd: 0 },
    { id: 5, image_id: 2, category_id: 3, bbox: [100, 0, 100, 100], area: 10000, iscrowd: 1 },
  ],
};
const RESULTS: CocoResult[] = [
  { image_id: 1, category_id: 1, bbox: [1, 0, 20, 80], score: 0.9 },
  { image_id: 1, category_id: 1, bbox: [0, 0, 50, 80], score: 0.8 }, // a group box over the three books
  { image_id: 1, category_id: 1, bbox: [40, 0, 10, 58], score: 0.7 },
  { image_id: 2, category_id: 3, bbox: [12, 10, 40, 60], score: 0.95 },
  { image_id: 2, category_id: 3, bbox: [120, 20, 30, 30], score: 0.6 }, // inside the crowd: ignored
];

function files(): { dir: string; gt: string; results: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wd-coco-'));
  writeFileSync(join(dir, 'instances.json'), JSON.stringify(GT));
  writeFileSync(join(dir, 'results.json'), JSON.stringify(RESULTS));
  return { dir, gt: join(dir, 'instances.json'), results: join(dir, 'results.json') };
}

describe('webgpu-detect eval --format coco', () => {
  it('prints the 12-line summary and writes stats, per-category numbers and params', async () => {
    const f = files();
    const out = join(f.dir, 'eval.json');
    const r = await cli(['eval', '--format', 'coco', '--gt', f.gt, f.results, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.replace(/\n+$/, '').split('\n');
    const expected = evaluateCoco(GT, RESULTS);
    expect(lines.slice(0, 12)).toEqual(expected.summary);
    // Crowd metrics at 0.5: image 1: a TP on book 1 (IoU 1520/1680), the box over all three books
    // (IoU 1600/4000 = 0.4 with book 2: no TP; covers all three: a group box, book 2 swallowed), a
    // TP on book 3 (580/600); image 2: a TP on the person, one detection inside the crowd region
    // (ignored). gt 4, pred 4, matched 3.
    expect(lines[13]).toBe('Crowd metrics at score >= 0.5, IoU 0.5 (one-to-one, greedy by score, same class):');
    expect(lines[14]).toMatch(/^ {2}gt 4 {2}pred 4 {2}matched 3 /);
    expect(lines[15]).toMatch(/group boxes 1 .* ignored in crowd regions 1/);
    expect(lines[0]).toMatch(/^ Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = \d\.\d{3}$/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { stats: number[]; perCategory: Record<string, { name: string; AP: number }>; params: { maxDets: number[] }; crowd: { overall: { groupBoxes: number } } };
    expect(json.crowd.overall.groupBoxes).toBe(1);
    expect(json.stats).toEqual(expected.stats);
    expect(Object.keys(json.perCategory)).toEqual(['1', '3']);
    expect(json.perCategory['3']!.name).toBe('person');
    expect(json.params.maxDets).toEqual([1, 10, 100]);
  });

  it('dense-scene maxDets add the largest one to the summary; JSON Lines results are matched by file name and label', async () => {
    const f = files();
    const jsonl = join(f.dir, 'detect.jsonl');
    const line = (file: string, dets: CocoResult[], label: string) => JSON.stringify({ file: `/some/dir/${file}`, width: 200, height: 100, detections: dets.map((d) => ({ box: d.bbox, score: d.score, label })) });
    writeFileSync(jsonl, [line('shelf_a.png', RESULTS.slice(0, 3), 'book'), line('crowd_b.png', RESULTS.slice(3), 'person')].join('\n') + '\n');
    const r = await cli(['eval', '--format', 'coco', '--gt', f.gt, jsonl, '--max-dets', '1,10,100,300']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.replace(/\n+$/, '').split('\n');
    expect(lines.slice(0, 12)).toEqual(evaluateCoco(GT, RESULTS, { maxDets: [1, 10, 100, 300] }).summary);
    expect(lines[13]).toContain('maxDets=300');
  });

  it('an image without results counts as missed (exit 4, named); unreadable ground truth exits 2; other labels are left out', async () => {
    const f = files();
    const jsonl = join(f.dir, 'partial.jsonl');
    writeFileSync(jsonl, JSON.stringify({ file: 'shelf_a.png', detections: [{ box: [1, 0, 20, 80], score: 0.9, label: 'book' }] }) + '\n');
    const r = await cli(['eval', '--format', 'coco', '--gt', f.gt, jsonl]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/1 ground-truth images have no result line .*crowd_b\.png/);
    writeFileSync(join(f.dir, 'bad.json'), JSON.stringify({ images: [] }));
    const bad = await cli(['eval', '--format', 'coco', '--gt', join(f.dir, 'bad.json'), f.results]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no "annotations" list: not COCO instances/);
    const label = join(f.dir, 'label.jsonl');
    writeFileSync(label, JSON.stringify({ file: 'shelf_a.png', detections: [{ box: [1, 0, 20, 80], score: 0.9, label: 'cat' }] }) + '\n');
    // A label the GT does not annotate is left out (pycocotools evaluates only the GT's categories), and said.
    const unknown = await cli(['eval', '--format', 'coco', '--gt', f.gt, label]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/1 detections of labels the ground truth does not annotate were left out: cat 1/);
    expect(unknown.stdout).toMatch(/pred 0 /);
  });

  it('--dump draws monitor dumps (two runs side by side) on blank canvases of the GT size, and a contact sheet', async () => {
    const f = files();
    const dump = join(f.dir, 'dump');
    const other = join(f.dir, 'other.json');
    writeFileSync(other, JSON.stringify(RESULTS.slice(0, 1)));
    const r = await cli(['eval', '--format', 'coco', '--gt', f.gt, f.results, '--dump', dump, '--compare', other, '--ids', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 monitor dumps/);
    const png = join(dump, '1_shelf_a.png');
    const meta = await sharp(png).metadata();
    // Two 200 x 100 panels 8 px apart, each with a 22 px header and a 20 px legend.
    expect([meta.width, meta.height]).toEqual([408, 142]);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => '#' + [0, 1, 2].map((c) => data[(y * info.width + x) * 3 + c]!.toString(16).padStart(2, '0')).join('');
    // The group box [0,0,50,80] is drawn in the group colour: its right edge at x = 50, at y = 70
    // (below book 3 and its TP, which end at 60 and 58 and are drawn over it higher up).
    expect(at(50, 22 + 70)).toBe(DUMP_COLORS.group);
    expect((await sharp(join(dump, 'contact-sheet.png')).metadata()).width).toBe(488);
    const bad = await cli(['eval', '--format', 'coco', '--gt', f.gt, f.results, '--dump', dump, '--ids', '9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ids 9: no such image id/);
  });
});
