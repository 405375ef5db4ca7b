// Converts clmtrackr's SVM models (npm package clmtrackr, MIT) into this project's CLM model
// format under models/clm/, with provenance (package, version, sha256 of each source file) and
// the licence: npm run import:clm
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clmtrackrToModel } from '../../src/import/clm/clmtrackr.js';
import { serializeClmModel } from '../../src/pipelines/clm/model-file.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('clmtrackr/package.json'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string; version: string; license: string };
const MODELS = ['pca_20_svm', 'pca_10_svm', 'spca_20_svm', 'spca_10_svm'];

const sources: Record<string, { path: string; sha256: string; bytes: number }> = {};
const outputs: Record<string, { sha256: string; bytes: number }> = {};
for (const id of MODELS) {
  const rel = `models/model_${id}.js`;
  const path = join(pkgDir, rel);
  const bytes = readFileSync(path);
  sources[rel] = { path: `node_modules/clmtrackr/${rel}`, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  const raw = require(path) as { patchModel: { canvasSize: number[] }; hints: unknown };
  const name = `clmtrackr-${id.replace(/_/g, '-')}`;
  const model = clmtrackrToModel(raw, `clmtrackr/${rel}`, name);
  model.source = `${pkg.name}@${pkg.version} ${rel} (${pkg.license})`;
  const { json, bin } = await serializeClmModel(model, `${name}.clm.bin`, { canvasSize: raw.patchModel.canvasSize, hints: raw.hints, converted: 'float64 -> float32' });
  const text = JSON.stringify(json, null, 1) + '\n';
  writeFileSync(join(here, `${name}.clm.json`), text);
  writeFileSync(join(here, `${name}.clm.bin`), bin);
  outputs[`${name}.clm.json`] = { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
  outputs[`${name}.clm.bin`] = { sha256: json.weightsSha256, bytes: bin.length };
  console.log(`${name}: ${model.pdm.points} points, ${model.pdm.modes} modes, ${model.experts.patchSize}x${model.experts.patchSize} SVM experts (${Object.keys(model.experts.weights).join(', ')})`);
}
copyFileSync(join(pkgDir, 'LICENSE.txt'), join(here, 'LICENSE-clmtrackr.txt'));
const provenance = {
  package: pkg.name,
  version: pkg.version,
  license: pkg.license,
  licenseFile: 'LICENSE-clmtrackr.txt',
  origin: "clmtrackr's constrained local models (Audun Mathias Øygard): 71-point 2-D PDMs (PCA / sparse PCA, 10 / 20 modes) and 11x11 linear SVM patch experts on raw, sobel and lbp patches",
  sources,
  outputs,
};
writeFileSync(join(here, 'provenance.json'), JSON.stringify(provenance, null, 2) + '\n');
console.log(`models/clm: ${MODELS.length} models from ${pkg.name}@${pkg.version}`);
