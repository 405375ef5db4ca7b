// The CLM diagnostics of one photo as Markdown tables (per stage and per iteration), and the
// converged / iterations / final mean-shift of every face of the sample photos. Not a test.
//
//   node --import tsx --import ./scripts/wgsl-hook.mjs harness/clm-diagnostics.ts [--image audrey.jpg] [--windows 11,9,7,5] [--all]
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { acquireGpu } from '../src/gpu/device.js';
import { loadClmModel } from '../src/io/clm-models.js';
import { loadPackagedGraph } from '../src/io/node-models.js';
import { decodeImage } from '../src/io/node-image.js';
import { clmtrackrSampleDir, clmtrackrSamples } from '../src/io/samples.js';
import { LandmarkFitter } from '../src/pipelines/clm/fitter.js';
import { clmSchedule } from '../src/pipelines/clm/options.js';
import { diagnosticsTables } from '../src/pipelines/clm/report.js';
import { MtcnnDetector } from '../src/pipelines/mtcnn/detector.js';

const { values: args } = parseArgs({ options: { image: { type: 'string', default: 'audrey.jpg' }, windows: { type: 'string', default: '11,9,7,5' }, model: { type: 'string' }, all: { type: 'boolean', default: false } } });
const ctx = await acquireGpu();
const detector = await MtcnnDetector.create(ctx, { pnet: await loadPackagedGraph('mtcnn', 'pnet'), rnet: await loadPackagedGraph('mtcnn', 'rnet'), onet: await loadPackagedGraph('mtcnn', 'onet') });
const model = await loadClmModel(args.model);
const fitter = LandmarkFitter.create(ctx, model);
console.log(`adapter: ${ctx.adapter.name}; model ${model.name}`);

const image = await decodeImage(join(clmtrackrSampleDir(), args.image!));
const face = (await detector.detect([image])).images[0]!.faces[0];
if (!face) throw new Error(`no face in ${args.image}`);
const stages = clmSchedule(args.windows!.split(',').map(Number));
const fit = (await fitter.fit([image], [{ image: 0, landmarks: face.landmarks }], { stages, diagnostics: true })).images[0]!;
console.log(`\n## ${args.image}, windows ${args.windows} (each a clmtrackr round: rho 10, 5, 1)\n`);
console.log(diagnosticsTables(fit));

if (args.all) {
  console.log('\n## Every sample photo, default schedule (up to 10 rounds of ws 11)\n');
  console.log('| photo | face | converged | iterations | final mean-shift (px) | last RMS move (px) | log-likelihood |');
  console.log('|---|---|---|---|---|---|---|');
  let converged = 0;
  let faces = 0;
  for (const file of clmtrackrSamples()) {
    const im = await decodeImage(file);
    const found = (await detector.detect([im])).images[0]!.faces;
    if (found.length === 0) {
      console.log(`| ${basename(file)} | - | no face found by MTCNN | | | | |`);
      continue;
    }
    const fits = (await fitter.fit([im], found.map((f) => ({ image: 0, landmarks: f.landmarks })), { diagnostics: true })).images;
    fits.forEach((r, k) => {
      faces++;
      if (r.converged) converged++;
      const last = r.diagnostics!.iterations.at(-1)!;
      console.log(`| ${basename(file)} | ${k} | ${r.converged ? 'yes' : 'no'} | ${r.iterations} | ${last.meanShift.toFixed(3)} | ${r.lastMove.toFixed(3)} | ${r.likelihood.toFixed(4)} |`);
    });
  }
  console.log(`\n${converged} of ${faces} faces converged.`);
}
