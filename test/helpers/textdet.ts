// Shared by the text detection tests: one detector per process, the generated fixture set, and the
// guard that fails on merged (clustered) lines.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Evaluation } from '../../src/eval/icdar.js';
import { loadPpocrDetGraph } from '../../src/io/node-models.js';
import { TextDetector } from '../../src/pipelines/textdet/detector.js';
import { writeTextSet, type TextImage } from '../../harness/synth-text.js';
import { gpu } from './gpu.js';

let detector: Promise<TextDetector> | undefined;

export function textDetector(): Promise<TextDetector> {
  detector ??= (async () => TextDetector.create(await gpu(), await loadPpocrDetGraph()))();
  return detector;
}

/** The CI fixture set: generated afresh in a temporary directory (seeded, so always the same images). */
export async function textFixtures(count = 16, seed = 7): Promise<{ dir: string; set: TextImage[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'wd-text-'));
  return { dir, set: await writeTextSet(dir, seed, count) };
}

/** Fails when lines come out merged: any group box, or an H-mean below `minHmean`. */
export function assertNoMergedLines(e: Evaluation, minHmean: number): void {
  if (e.groupBoxes > 0) throw new Error(`${e.groupBoxes} predictions each cover two or more text lines (merged clusters); H-mean ${e.hmean.toFixed(3)}`);
  if (e.hmean < minHmean) throw new Error(`H-mean ${e.hmean.toFixed(3)} is below ${minHmean} (P ${e.precision.toFixed(3)}, R ${e.recall.toFixed(3)})`);
}
