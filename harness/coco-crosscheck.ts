// Cross-check of src/eval/coco.ts against pycocotools itself: random COCO sets (crowds, area fields
// unlike w * h, tied scores, detections beyond maxDets, images without GT, several maxDets lists)
// evaluated by both; prints how many stats arrays are bit-identical and how many summaries match.
// Needs python3 with numpy and pycocotools importable (pip install pycocotools, or --pythonpath a
// directory holding a pycocotools package):
//   node --import tsx harness/coco-crosscheck.ts [--pythonpath DIR] [--cases 60]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateCoco, type CocoDataset, type CocoResult } from '../src/eval/coco.js';

const { values: args } = parseArgs({ options: { pythonpath: { type: 'string' }, cases: { type: 'string', default: '60' } } });
// The runner: COCO + loadRes + COCOeval(bbox) with the given maxDets; stats as JSON (repr floats).
// NumPy 2 dropped np.float and float linspace counts, which the 2018 code uses: shimmed.
const RUNNER = `import json, sys, io, contextlib
sys.path.insert(0, ${JSON.stringify(args.pythonpath ?? '')})
import numpy as np
np.float = float
_linspace = np.linspace
np.linspace = lambda start, stop, num=50, **kw: _linspace(start, stop, int(num), **kw)
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
out = []
for c in json.load(open(sys.argv[1])):
    with contextlib.redirect_stdout(io.StringIO()) as buf:
        gt = COCO(); gt.dataset = c['gt']; gt.createIndex()
        E = COCOeval(gt, gt.loadRes(c['results']), 'bbox')
        E.params.maxDets = c['maxDets']
        E.evaluate(); E.accumulate(); E.summarize()
    out.append({'stats': [float(x) for x in E.stats], 'summary': [l for l in buf.getvalue().split('\\n') if l.startswith(' Average')]})
print(json.dumps(out))
`;
const dir = mkdtempSync(join(tmpdir(), 'coco-crosscheck-'));
let seed = 12345;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const cases: Array<{ gt: CocoDataset; results: CocoResult[]; maxDets: number[] }> = [];
for (let c = 0; c < Number(args.cases); c++) {
  const nImg = 1 + Math.floor(rnd() * 6);
  const cats = [1, 3, 7].slice(0, 1 + Math.floor(rnd() * 3));
  const images = Array.from({ length: nImg }, (_, i) => ({ id: 10 + i * 3, file_name: `${i}.jpg`, width: 300, height: 300 }));
  const annotations: CocoDataset['annotations'] = [];
  const results: CocoResult[] = [];
  let id = 1;
  for (const im of images) {
    const n = Math.floor(rnd() * (c % 5 === 0 ? 40 : 8));
    for (let k = 0; k < n; k++) {
      const cat = cats[Math.floor(rnd() * cats.length)]!;
      const w = c % 3 === 0 ? Math.round(5 + rnd() * 120) : 5 + rnd() * 120;
      const h = c % 3 === 0 ? Math.round(5 + rnd() * 120) : 5 + rnd() * 120;
      const x = c % 3 === 0 ? Math.round(rnd() * 200) : rnd() * 200, y = c % 3 === 0 ? Math.round(rnd() * 200) : rnd() * 200;
      const crowd = rnd() < 0.1 ? 1 : 0;
      const area = rnd() < 0.2 ? rnd() * w * h : w * h;
      annotations.push({ id: id++, image_id: im.id, category_id: cat, bbox: [x, y, w, h], area, iscrowd: crowd });
      const ndet = Math.floor(rnd() * 3);
      for (let d = 0; d < ndet; d++) {
        const j = () => (c % 3 === 0 ? Math.round((rnd() - 0.5) * 10) : (rnd() - 0.5) * w * 0.3);
        results.push({ image_id: im.id, category_id: rnd() < 0.9 ? cat : cats[0]!, bbox: [x + j(), y + j(), Math.max(1, w + j()), Math.max(1, h + j())], score: c % 2 ? Math.round(rnd() * 10) / 10 : rnd() });
      }
    }
    const fps = Math.floor(rnd() * 4);
    for (let k = 0; k < fps; k++) results.push({ image_id: im.id, category_id: cats[Math.floor(rnd() * cats.length)]!, bbox: [rnd() * 250, rnd() * 250, 5 + rnd() * 60, 5 + rnd() * 60], score: c % 2 ? Math.round(rnd() * 10) / 10 : rnd() });
  }
  if (results.length === 0) results.push({ image_id: images[0]!.id, category_id: cats[0]!, bbox: [1, 1, 10, 10], score: 0.5 });
  const maxDets = [[1, 10, 100], [1, 5, 20], [1, 10, 100, 300], [2, 3, 4]][c % 4]!;
  cases.push({ gt: { images, annotations, categories: cats.map((id) => ({ id, name: `c${id}` })) }, results, maxDets });
}
writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
writeFileSync(join(dir, 'run.py'), RUNNER);
const py = JSON.parse(execFileSync('python3', [join(dir, 'run.py'), join(dir, 'cases.json')], { maxBuffer: 1 << 26 }).toString()) as Array<{ stats: number[]; summary: string[] }>;
let exact = 0, lines = 0, worst = 0;
cases.forEach((c, i) => {
  const ours = evaluateCoco(c.gt, c.results, { maxDets: c.maxDets });
  const same = ours.stats.every((v, k) => Object.is(v, py[i]!.stats[k]));
  if (same) exact++;
  else ours.stats.forEach((v, k) => { worst = Math.max(worst, Math.abs(v - py[i]!.stats[k]!)); if (!Object.is(v, py[i]!.stats[k])) console.log('case', i, 'stat', k, v, py[i]!.stats[k]); });
  if (JSON.stringify(ours.summary) === JSON.stringify(py[i]!.summary)) lines++;
  else console.log('summary differs', i, ours.summary, py[i]!.summary);
});
console.log(`${cases.length} random cases: stats bit-identical ${exact}, summaries identical ${lines}, worst |diff| ${worst}; GT boxes ${cases.reduce((s, c) => s + c.gt.annotations.length, 0)}, detections ${cases.reduce((s, c) => s + c.results.length, 0)}`);
