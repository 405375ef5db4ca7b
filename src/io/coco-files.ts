// Node-only: reading COCO ground truth (instances.json) and detection results for `eval --format
// coco`: a COCO results list ([{image_id, category_id, bbox, score}]) or this project's JSON Lines
// (detect output: {file, detections: [{box, score, label?, class?}]} for grid models, {file, faces:
// [{box, score}]} for face detectors), matched to image ids by file name and to categories by label
// name (or the only category, when the ground truth has one).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { categoryMatcher } from '../eval/coco-labels.js';
import type { CocoDataset, CocoResult } from '../eval/coco.js';

export function readCocoGroundTruth(path: string): CocoDataset {
  let gt: Partial<CocoDataset>;
  try {
    gt = JSON.parse(readFileSync(path, 'utf8')) as Partial<CocoDataset>;
  } catch (err) {
    throw new Error(`${path}: not a COCO JSON file (${(err as Error).message})`);
  }
  for (const field of ['images', 'annotations', 'categories'] as const) {
    if (!Array.isArray(gt[field])) throw new Error(`${path}: no "${field}" list: not COCO instances`);
  }
  gt.annotations!.forEach((a, i) => {
    if (!Array.isArray(a.bbox) || a.bbox.length !== 4) throw new Error(`${path}: annotation ${i} (id ${a.id}) has no bbox [x, y, w, h]`);
    if (typeof a.area !== 'number') throw new Error(`${path}: annotation ${i} (id ${a.id}) has no "area" (COCO reads area ranges from it)`);
  });
  return gt as CocoDataset;
}

interface JsonLine {
  file?: string;
  error?: string;
  detections?: Array<{ box: number[]; score: number; label?: string; class?: number }>;
  faces?: Array<{ box: number[]; score: number }>;
}

export interface ReadResults {
  results: CocoResult[];
  /** JSON Lines only: result files with no image of that name in the ground truth. */
  unmatched: string[];
  /** JSON Lines only: ground-truth images with no result line (their GT counts as missed). */
  missing: string[];
  /** Detections left out because their label is not a ground-truth category (label -> count). */
  otherLabels: Map<string, number>;
}

export function readCocoResults(path: string, gt: CocoDataset): ReadResults {
  const text = readFileSync(path, 'utf8');
  if (text.trimStart().startsWith('[')) {
    const list = JSON.parse(text) as CocoResult[];
    list.forEach((r, i) => {
      if (typeof r.image_id !== 'number' || typeof r.category_id !== 'number' || !Array.isArray(r.bbox) || typeof r.score !== 'number') {
        throw new Error(`${path}: result ${i} is not {image_id, category_id, bbox, score}`);
      }
    });
    return { results: list, unmatched: [], missing: [], otherLabels: new Map() };
  }
  const byName = new Map(gt.images.map((im) => [basename(im.file_name ?? String(im.id)), im.id]));
  const results: CocoResult[] = [];
  const unmatched: string[] = [];
  const seen = new Set<number>();
  const otherLabels = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: JsonLine;
    try {
      r = JSON.parse(line) as JsonLine;
    } catch {
      throw new Error(`${path}:${i + 1}: not JSON`);
    }
    if (!r.file) throw new Error(`${path}:${i + 1}: no "file"`);
    const imageId = byName.get(basename(r.file));
    if (imageId === undefined) {
      unmatched.push(r.file);
      return;
    }
    seen.add(imageId);
    const boxes = r.detections ?? r.faces?.map((f) => ({ ...f, label: undefined })) ?? [];
    const categoryOf = categoryMatcher(gt, `${path}:${i + 1}`);
    for (const d of boxes) {
      const label = 'label' in d && d.label ? d.label : undefined;
      const category = categoryOf(label);
      if (category === 'other') {
        otherLabels.set(label!.toLowerCase(), (otherLabels.get(label!.toLowerCase()) ?? 0) + 1);
        continue;
      }
      results.push({ image_id: imageId, category_id: category, bbox: d.box.slice(0, 4) as CocoResult['bbox'], score: d.score });
    }
  });
  const missing = gt.images.filter((im) => !seen.has(im.id)).map((im) => im.file_name ?? String(im.id));
  return { results, unmatched, missing, otherLabels };
}
