// Evaluation time: COCO AP/AR (src/eval/coco.ts) and the crowd metrics (src/eval/crowd.ts) on a
// synthetic set of 5,000 images x 100 detections (80 categories, ~7 GT boxes per image), against a
// plain-JS baseline: the same COCO rules written the obvious way (every (image, category) pair found
// by scanning the whole lists). Writes harness/reports/bench-eval.md.
// With --pythonpath DIR (a directory holding a pycocotools package; numpy needed), pycocotools
// itself is timed on the same set (evaluate + accumulate + summarize, the same stats checked).
//   node --import tsx harness/bench-eval.ts [--images 5000] [--dets 100] [--pythonpath DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { boxIou, evaluateCoco, type CocoDataset, type CocoResult } from '../src/eval/coco.js';
import { evaluateCrowd } from '../src/eval/crowd.js';

const { values: args } = parseArgs({ options: { images: { type: 'string', default: '5000' }, dets: { type: 'string', default: '100' }, pythonpath: { type: 'string' } } });
const I = Number(args.images);
const D = Number(args.dets);
let seed = 7;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const gt: CocoDataset = { images: [], annotations: [], categories: Array.from({ length: 80 }, (_, i) => ({ id: i + 1, name: `c${i + 1}` })) };
const results: CocoResult[] = [];
for (let i = 1; i <= I; i++) {
  gt.images.push({ id: i, file_name: `${i}.jpg`, width: 640, height: 480 });
  const boxes: Array<[number, number, number, number, number]> = [];
  for (let k = 0; k < 7; k++) {
    const b: [number, number, number, number] = [rnd() * 560, rnd() * 400, 10 + rnd() * 150, 10 + rnd() * 150];
    const cat = 1 + Math.floor(rnd() * 80);
    boxes.push([...b, cat]);
    gt.annotations.push({ id: gt.annotations.length + 1, image_id: i, category_id: cat, bbox: b, area: b[2] * b[3], iscrowd: rnd() < 0.02 ? 1 : 0 });
  }
  for (let d = 0; d < D; d++) {
    const near = boxes[Math.floor(rnd() * boxes.length)]!;
    const b: [number, number, number, number] = rnd() < 0.3 ? [near[0] + (rnd() - 0.5) * 20, near[1] + (rnd() - 0.5) * 20, near[2] * (0.8 + 0.4 * rnd()), near[3] * (0.8 + 0.4 * rnd())] : [rnd() * 560, rnd() * 400, 10 + rnd() * 150, 10 + rnd() * 150];
    results.push({ image_id: i, category_id: rnd() < 0.3 ? near[4] : 1 + Math.floor(rnd() * 80), bbox: b, score: rnd() });
  }
}

/** Plain baseline of the matching stage (the part that dominates): per (image, category), filter the whole lists, sort, greedy match at 10 thresholds. */
function baselineMatching(): number {
  let matched = 0;
  for (const im of gt.images) {
    for (const c of gt.categories) {
      const g = gt.annotations.filter((a) => a.image_id === im.id && a.category_id === c.id);
      const d = results.filter((r) => r.image_id === im.id && r.category_id === c.id).sort((a, b) => b.score - a.score);
      for (let t = 0; t < 10; t++) {
        const used = new Set<number>();
        for (const dd of d) {
          let best = -1;
          let bi = 0.5 + 0.05 * t;
          g.forEach((gg, j) => {
            const v = boxIou(dd.bbox, gg.bbox, !!gg.iscrowd);
            if (!used.has(j) && v >= bi) [best, bi] = [j, v];
          });
          if (best >= 0) {
            used.add(best);
            matched++;
          }
        }
      }
    }
  }
  return matched;
}

const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
};
const [coco, cocoS] = time(() => evaluateCoco(gt, results, { maxDets: [1, 10, 100] }));
const [crowd, crowdS] = time(() => evaluateCrowd(gt, results, { scoreThreshold: 0.5 }));
const baseImages = Math.min(I, 500);
const full = { ...gt };
gt.images = full.images.slice(0, baseImages);
const [, baseS] = time(() => baselineMatching());
gt.images = full.images;
/** pycocotools on the same set: seconds of evaluate + accumulate + summarize, and its stats. */
function pycocotools(dir: string): { seconds: number; stats: number[] } {
  const work = mkdtempSync(join(tmpdir(), 'bench-eval-'));
  writeFileSync(join(work, 'gt.json'), JSON.stringify(gt));
  writeFileSync(join(work, 'dt.json'), JSON.stringify(results));
  const script = `import json, sys, time, io, contextlib
sys.path.insert(0, ${JSON.stringify(dir)})
import numpy as np
np.float = float
_l = np.linspace
np.linspace = lambda a, b, num=50, **kw: _l(a, b, int(num), **kw)
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(); gt.dataset = json.load(open(sys.argv[1])); gt.createIndex()
    dt = gt.loadRes(json.load(open(sys.argv[2])))
    E = COCOeval(gt, dt, 'bbox')
    t0 = time.perf_counter()
    E.evaluate(); E.accumulate(); E.summarize()
    t = time.perf_counter() - t0
print(json.dumps({'seconds': t, 'stats': [float(x) for x in E.stats]}))`;
  return JSON.parse(execFileSync('python3', ['-c', script, join(work, 'gt.json'), join(work, 'dt.json')], { encoding: 'utf8', maxBuffer: 1 << 26 })) as { seconds: number; stats: number[] };
}
const py = args.pythonpath ? pycocotools(args.pythonpath) : undefined;
if (py && py.stats.some((v, i) => v !== coco.stats[i])) throw new Error(`pycocotools stats differ: ${JSON.stringify(py.stats)} vs ${JSON.stringify(coco.stats)}`);

const lines = [
  `# Evaluation time (${new Date().toISOString()}, Node ${process.version}, one thread)`,
  '',
  `${I} images x ${D} detections (${results.length} detections, ${gt.annotations.length} GT boxes, 80 categories).`,
  '',
  '| step | seconds |',
  '|---|---:|',
  `| COCO AP/AR (evaluate + accumulate + summarize, maxDets 1,10,100) | ${cocoS.toFixed(2)} |`,
  ...(py ? [`| pycocotools (Python ${execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1]}), evaluate + accumulate + summarize, the same 12 stats bit for bit | ${py.seconds.toFixed(2)} |`] : []),
  `| crowd metrics at score >= 0.5 | ${crowdS.toFixed(2)} |`,
  `| plain-JS baseline, matching only, first ${baseImages} images (scan every list per image x category) | ${baseS.toFixed(2)} (x${(I / baseImages).toFixed(0)} for all: ~${((baseS * I) / baseImages).toFixed(0)} s) |`,
  '',
  `AP ${coco.stats[0]!.toFixed(4)}, AP50 ${coco.stats[1]!.toFixed(4)}; crowd P ${crowd.overall.precision.toFixed(4)} R ${crowd.overall.recall.toFixed(4)}.`,
  '',
];
mkdirSync('harness/reports', { recursive: true });
writeFileSync('harness/reports/bench-eval.md', lines.join('\n'));
console.log(lines.join('\n'));
