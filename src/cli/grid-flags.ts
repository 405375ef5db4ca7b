// Command-line flags of the grid/anchor models (tiny-face, ssd-oid, a user's .onnx) -> options.
// Values are parsed here (not by commander) because some flag names mean something else to other
// models (--nms is four MTCNN thresholds, or a grid NMS method).
import { readFileSync } from 'node:fs';
import type { DecodeKind, UserModelSpec } from '../pipelines/grid/models/user.js';
import type { GridOptions, NmsKind } from '../pipelines/grid/options.js';
import type { Placement } from '../pipelines/floor/resize.js';
import { UsageError } from './exit-codes.js';

export type Flags = Record<string, unknown>;

function numbers(flag: string, value: unknown, count?: number): number[] {
  const list = String(value).split(',').map(Number);
  if (list.some((v) => !Number.isFinite(v)) || (count !== undefined && list.length !== count)) throw new UsageError(`--${flag} expects ${count ?? 'comma-separated'} numbers${count ? ` (comma-separated)` : ''}, got '${String(value)}'`);
  return list;
}

function number(flag: string, value: unknown): number {
  const v = Number(value);
  if (!Number.isFinite(v)) throw new UsageError(`--${flag} expects a number, got '${String(value)}'`);
  return v;
}

export function parseInputSize(value: unknown): { width: number; height: number } {
  const m = /^(\d+)(?:x(\d+))?$/.exec(String(value));
  if (!m) throw new UsageError(`--input expects WxH or N (square), got '${String(value)}'`);
  return { width: Number(m[1]), height: Number(m[2] ?? m[1]) };
}

/** The options flags set (undefined: the model's default). */
export function gridOptionFlags(f: Flags): Partial<GridOptions> {
  const o: Partial<GridOptions> = {};
  if (f.input !== undefined) {
    const { width, height } = parseInputSize(f.input);
    o.inputWidth = width;
    o.inputHeight = height;
  }
  if (f.grid !== undefined) o.grid = number('grid', f.grid);
  if (f.resize !== undefined) {
    if (!['stretch', 'letterbox', 'pad'].includes(String(f.resize))) throw new UsageError(`--resize expects stretch, letterbox or pad, got '${String(f.resize)}'`);
    o.placement = f.resize as Placement;
  }
  if (f.mean !== undefined) o.mean = numbers('mean', f.mean, 3) as GridOptions['mean'];
  if (f.std !== undefined) o.std = numbers('std', f.std, 3) as GridOptions['std'];
  if (f.scale !== undefined) o.scale = number('scale', f.scale);
  if (f.channelOrder !== undefined) o.channelOrder = f.channelOrder as GridOptions['channelOrder'];
  if (f.conf !== undefined) o.conf = number('conf', f.conf);
  if (f.iou !== undefined) o.iou = number('iou', f.iou);
  if (f.nms !== undefined) {
    if (!['greedy', 'soft', 'weighted', 'none'].includes(String(f.nms))) throw new UsageError(`--nms expects greedy, soft, weighted or none for grid models, got '${String(f.nms)}'`);
    o.nms = f.nms as NmsKind;
  }
  if (f.softMethod !== undefined) o.softMethod = f.softMethod as GridOptions['softMethod'];
  if (f.sigma !== undefined) o.sigma = number('sigma', f.sigma);
  if (f.maxDet !== undefined) o.maxDet = number('max-det', f.maxDet);
  if (f.maxCandidates !== undefined) o.maxCandidates = number('max-candidates', f.maxCandidates);
  if (f.agnostic) o.agnostic = true;
  if (f.multiLabel) o.multiLabel = true;
  return o;
}

/** How to decode a user's model (--decode, --anchors, --classes / --labels). */
export function userModelFlags(f: Flags): UserModelSpec {
  const decode = (f.decode ?? 'yolo-direct') as DecodeKind;
  if (!['yolo', 'yolo-direct', 'ssd'].includes(decode)) throw new UsageError(`--decode expects yolo, yolo-direct or ssd, got '${String(f.decode)}'`);
  let labels: string[] | undefined;
  if (f.labels !== undefined) {
    try {
      labels = readFileSync(String(f.labels), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    } catch (err) {
      throw new UsageError(`--labels ${String(f.labels)}: ${(err as Error).message}`);
    }
  }
  const classes = f.classes !== undefined ? number('classes', f.classes) : labels ? labels.length : 0;
  if (!Number.isInteger(classes) || classes < 0) throw new UsageError(`--classes expects a non-negative integer, got '${String(f.classes)}'`);
  let anchors: Array<[number, number]> | undefined;
  if (f.anchors !== undefined) {
    const list = numbers('anchors', f.anchors);
    if (list.length % 2 !== 0 || list.length === 0) throw new UsageError(`--anchors expects w,h pairs (in grid cells): w1,h1,w2,h2,...`);
    anchors = Array.from({ length: list.length / 2 }, (_, i) => [list[2 * i]!, list[2 * i + 1]!]);
  }
  return { decode, classes, ...(anchors ? { anchors } : {}), ...(labels ? { labels } : {}) };
}
