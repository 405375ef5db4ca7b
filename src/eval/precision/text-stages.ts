// The text detector's stages in a precision study: per image and run, the connected components of
// the binarized map and the boxes kept, and per run against the float64 reference the boxes'
// polygon IoU (one-to-one, greedy, IoU >= 0.5) and the boxes found by one run only, each with its
// score and how far it lies from the box threshold. Browser-safe.
import { iou as polygonIou } from '../polygon.js';
import { matchBoxes } from './flips.js';
import type { TextBox } from '../../pipelines/textdet/types.js';

export interface TextImageRun {
  file: string;
  components: number;
  boxes: TextBox[];
}

export interface TextRun {
  backend: string;
  device: string;
  images: TextImageRun[];
  deterministic?: boolean;
  nondeterminism?: string;
}

export interface TextFlip {
  file: string;
  /** The run that kept the box. */
  keptBy: string;
  score: number;
  /** score - box threshold: a flip at the threshold has a small margin. */
  margin: number;
  polygon: Array<[number, number]>;
}

export interface TextComparison {
  a: string;
  b: string;
  images: Array<{ file: string; componentsA: number; componentsB: number; boxesA: number; boxesB: number; meanIou: number; flips: TextFlip[] }>;
}

export function compareTextRuns(a: TextRun, b: TextRun, boxThreshold: number): TextComparison {
  return {
    a: a.backend,
    b: b.backend,
    images: a.images.map((ia, i) => {
      const ib = b.images[i]!;
      const m = matchBoxes(ia.boxes, ib.boxes, 0.5, (x, y) => polygonIou(x.polygon, y.polygon));
      const flip = (run: TextRun, box: TextBox): TextFlip => ({ file: ia.file, keptBy: run.backend, score: box.score, margin: box.score - boxThreshold, polygon: box.polygon });
      return {
        file: ia.file,
        componentsA: ia.components,
        componentsB: ib.components,
        boxesA: ia.boxes.length,
        boxesB: ib.boxes.length,
        meanIou: m.meanIou,
        flips: [...m.onlyA.map((k) => flip(a, ia.boxes[k]!)), ...m.onlyB.map((k) => flip(b, ib.boxes[k]!))],
      };
    }),
  };
}

/** Where two runs of the same backend first differ, bit for bit (undefined when identical). */
export function firstTextDifference(a: TextRun, b: TextRun): string | undefined {
  for (const [i, ia] of a.images.entries()) {
    const ib = b.images[i]!;
    if (ia.components !== ib.components) return `${ia.file}: ${ia.components} vs ${ib.components} components`;
    if (ia.boxes.length !== ib.boxes.length) return `${ia.file}: ${ia.boxes.length} vs ${ib.boxes.length} boxes`;
    for (const [k, x] of ia.boxes.entries()) {
      const y = ib.boxes[k]!;
      if (!Object.is(x.score, y.score) || x.polygon.some((p, j) => p[0] !== y.polygon[j]![0] || p[1] !== y.polygon[j]![1])) return `${ia.file} box ${k}`;
    }
  }
  return undefined;
}
