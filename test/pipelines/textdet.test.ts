// DB text detection (PP-OCRv4 det) on generated text images with known line quads: GPU boxes equal
// the CPU post-processing of the same probability map, H-mean on the set, and merged lines caught.
import { describe, expect, it } from 'vitest';
import { evaluateImage, summarize, type ImageEvaluation } from '../../src/eval/icdar.js';
import { decodeImage } from '../../src/io/node-image.js';
import { resolveTextDetOptions, type TextDetOptions } from '../../src/pipelines/textdet/options.js';
import { dbPostprocessReference } from '../../src/pipelines/textdet/reference.js';
import { gpu } from '../helpers/gpu.js';
import { assertNoMergedLines, textDetector, textFixtures } from '../helpers/textdet.js';

const fixtures = textFixtures(16, 7);

async function runSet(options: Partial<TextDetOptions>, withMaps = false) {
  const { dir, set } = await fixtures;
  const detector = await textDetector();
  const images = await Promise.all(set.map((im) => decodeImage(`${dir}/${im.name}`)));
  const results = [];
  for (let b = 0; b < images.length; b += 4) results.push(...(await detector.detect(images.slice(b, b + 4), { ...options, probabilityMaps: withMaps })).images);
  const evals: ImageEvaluation[] = results.map((r, i) => evaluateImage(set[i]!.name, set[i]!.lines, r.boxes.map((b) => b.polygon)));
  return { set, results, evaluation: summarize(evals) };
}

describe('text detection on generated images', () => {
  it('GPU post-processing gives the same boxes as the CPU reference on the same probability maps; H-mean on the set', async () => {
    const ctx = await gpu();
    const before = { ...ctx.stats };
    const { set, results, evaluation } = await runSet({}, true);
    expect(ctx.stats.readbacks - before.readbacks, 'one readback per batch of 4').toBe(4);
    const options = resolveTextDetOptions();
    let boxes = 0;
    results.forEach((r, i) => {
      const ref = dbPostprocessReference(r.probability!, r.networkWidth, r.networkHeight, { width: r.width, height: r.height }, options);
      expect(r.components, `${set[i]!.name} components`).toBe(ref.components);
      expect(r.boxes.map((b) => b.polygon), `${set[i]!.name} boxes`).toEqual(ref.boxes.map((b) => b.polygon));
      r.boxes.forEach((b, k) => expect(Math.abs(b.score - ref.boxes[k]!.score), 'score').toBeLessThanOrEqual(1e-5));
      boxes += r.boxes.length;
    });
    const e = evaluation;
    console.log(`[${ctx.adapter.name}] ${set.length} images, ${e.gt} lines, ${boxes} boxes (GPU = CPU post-processing on every image): P ${e.precision.toFixed(3)} R ${e.recall.toFixed(3)} H-mean ${e.hmean.toFixed(3)}, group boxes ${e.groupBoxes}`);
    for (const im of e.images) if (im.matched < im.gt || im.detections > im.matched) console.log(`  ${im.file}: ${im.matched}/${im.gt} lines matched, ${im.detections} boxes`);
    assertNoMergedLines(e, 0.9);
  });

  it('merged lines fail the check: a large dilation merges the crowded paragraphs into group boxes', async () => {
    const low = await runSet({ threshold: 0.03 });
    console.log(`binarized at 0.03: H-mean ${low.evaluation.hmean.toFixed(3)}, group boxes ${low.evaluation.groupBoxes} (this model's probability map is sharp: lines do not merge)`);
    const merged = await runSet({ dilation: 15, boxThreshold: 0.1 });
    const e = merged.evaluation;
    console.log(`dilated 15x15, box threshold 0.1: P ${e.precision.toFixed(3)} R ${e.recall.toFixed(3)} H-mean ${e.hmean.toFixed(3)}, group boxes ${e.groupBoxes}`);
    expect(e.groupBoxes).toBeGreaterThan(0);
    expect(() => assertNoMergedLines(e, 0.9)).toThrow(/cover two or more text lines/);
  });
});
