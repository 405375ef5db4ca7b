// Node-only: text detection ground truth and results for evaluation.
//   ground truth: a JSON Lines file ({file, lines: [{polygon, text}]}, as harness/synth-text.ts
//   writes) or a directory of ICDAR-2015 text files (gt_<image>.txt or <image>.txt, one
//   "x1,y1,x2,y2,x3,y3,x4,y4,transcription" per line; transcription ### = don't care).
//   results: JSON Lines from `webgpu-detect detect --model ppocr-det` ({file, polygons}).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { GroundTruthLine } from '../eval/icdar.js';

export type GroundTruth = Map<string, GroundTruthLine[]>;

const key = (file: string) => basename(file, extname(file));

export function readGroundTruth(path: string): GroundTruth {
  if (!existsSync(path)) throw new Error(`${path}: ground truth not found`);
  const gt: GroundTruth = new Map();
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path).filter((f) => f.endsWith('.txt'));
    if (!files.length) throw new Error(`${path}: no ICDAR .txt ground-truth files in this directory`);
    for (const f of files) {
      const lines = readFileSync(join(path, f), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
      gt.set(key(f).replace(/^gt_/, ''), lines.map((l, i) => {
        const parts = l.split(',');
        const coords = parts.slice(0, 8).map(Number);
        if (coords.length < 8 || coords.some((v) => !Number.isFinite(v))) throw new Error(`${join(path, f)}:${i + 1}: expected x1,y1,...,x4,y4,transcription`);
        return { polygon: [0, 1, 2, 3].map((k) => [coords[2 * k]!, coords[2 * k + 1]!] as [number, number]), ignore: parts.slice(8).join(',').trim() === '###' };
      }));
    }
  } else {
    readFileSync(path, 'utf8').split('\n').forEach((l, i) => {
      if (!l.trim()) return;
      let entry: { file?: string; lines?: Array<{ polygon: Array<[number, number]>; text?: string; ignore?: boolean }> };
      try {
        entry = JSON.parse(l);
      } catch {
        throw new Error(`${path}:${i + 1}: not JSON`);
      }
      if (!entry.file || !Array.isArray(entry.lines)) throw new Error(`${path}:${i + 1}: expected {"file", "lines": [{"polygon"}]}`);
      gt.set(key(entry.file), entry.lines.map((g) => ({ polygon: g.polygon, ignore: g.ignore ?? g.text === '###' })));
    });
  }
  return gt;
}

export function readDetections(path: string): Map<string, { polygons: Array<Array<[number, number]>>; error?: string }> {
  const out = new Map<string, { polygons: Array<Array<[number, number]>>; error?: string }>();
  readFileSync(path, 'utf8').split('\n').forEach((l, i) => {
    if (!l.trim()) return;
    let r: { file?: string; polygons?: Array<Array<[number, number]>>; error?: string };
    try {
      r = JSON.parse(l);
    } catch {
      throw new Error(`${path}:${i + 1}: not JSON`);
    }
    if (!r.file) throw new Error(`${path}:${i + 1}: no "file"`);
    if (!r.error && !Array.isArray(r.polygons)) throw new Error(`${path}:${i + 1}: no "polygons" (is this text detection output? run detect --model ppocr-det)`);
    out.set(key(r.file), { polygons: r.polygons ?? [], error: r.error });
  });
  return out;
}
