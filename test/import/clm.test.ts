// CLM model files: clmtrackr's models re-imported equal the packaged conversions (sha256 in
// models/clm/provenance.json), the format round-trips, and every broken field is refused at load
// with the file and the field named.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadClmModel, loadClmModelFile, PACKAGED_CLM_MODELS } from '../../src/io/clm-models.js';
import { clmtrackrToModel } from '../../src/import/clm/clmtrackr.js';
import { deserializeClmModel, serializeClmModel } from '../../src/pipelines/clm/model-file.js';
import { validateClmModel, type ClmModel } from '../../src/pipelines/clm/model.js';

const require = createRequire(import.meta.url);
const provenance = JSON.parse(readFileSync('models/clm/provenance.json', 'utf8')) as { version: string; sources: Record<string, { sha256: string }>; outputs: Record<string, { sha256: string }> };

function copy(m: ClmModel): ClmModel {
  return structuredClone(m);
}

describe('clmtrackr models', () => {
  it('the npm package is the version and bytes the conversions came from, and re-imports to the same files', async () => {
    expect((require('clmtrackr/package.json') as { version: string }).version).toBe(provenance.version);
    for (const name of PACKAGED_CLM_MODELS) {
      const id = name.replace(/^clmtrackr-/, '').replace(/-/g, '_');
      const rel = `models/model_${id}.js`;
      const path = require.resolve(`clmtrackr/${rel}`);
      expect(createHash('sha256').update(readFileSync(path)).digest('hex'), rel).toBe(provenance.sources[rel]!.sha256);
      const model = clmtrackrToModel(require(path), rel, name);
      const packaged = await loadClmModel(name);
      expect(packaged.pdm.points).toBe(71);
      expect(packaged.experts.patchSize).toBe(11);
      expect(Object.keys(packaged.experts.weights).sort()).toEqual(['lbp', 'raw', 'sobel']);
      expect(packaged.fivePoints).toEqual([27, 32, 62, 44, 50]);
      const { bin } = await serializeClmModel(model, `${name}.clm.bin`);
      expect(createHash('sha256').update(bin).digest('hex'), name).toBe(provenance.outputs[`${name}.clm.bin`]!.sha256);
      expect(packaged.pdm.modes).toBe(model.pdm.modes);
      expect(Array.from(packaged.pdm.eigenValues)).toEqual(Array.from(model.pdm.eigenValues));
    }
  });

  it('refuses non-SVM, non-square and inconsistent clmtrackr objects, naming the field', async () => {
    const raw = require('clmtrackr/models/model_pca_20_svm.js') as { patchModel: Record<string, unknown>; shapeModel: Record<string, unknown> };
    const broken = (edit: (r: typeof raw) => void) => {
      const r = structuredClone(raw);
      edit(r);
      return () => clmtrackrToModel(r, 'model_x.js', 'x');
    };
    expect(broken((r) => (r.patchModel.patchType = 'MOSSE'))).toThrow(/model_x\.js: patchModel\.patchType: 'MOSSE': only SVM/);
    expect(broken((r) => (r.patchModel.patchSize = [11, 9]))).toThrow(/model_x\.js: patchModel\.patchSize: \[11, 9\] is not square/);
    expect(broken((r) => (r.patchModel.numPatches = 70))).toThrow(/patchModel\.numPatches: 70, the mean shape has 71 points/);
    expect(broken((r) => (r.shapeModel.eigenVectors as number[][]).pop())).toThrow(/shapeModel\.eigenVectors: 141 rows/);
    expect(broken((r) => delete (r as Record<string, unknown>).shapeModel)).toThrow(/shapeModel: missing/);
  });
});

describe('validation at load', () => {
  it('names the file and the field of every broken array', async () => {
    const good = await loadClmModel();
    const bad = (edit: (m: ClmModel) => void) => {
      const m = copy(good);
      edit(m);
      return () => validateClmModel(m, 'my.clm.json');
    };
    expect(bad(() => undefined)).not.toThrow();
    expect(bad((m) => (m.experts.patchSize = 10))).toThrow(/my\.clm\.json: experts\.patchSize: 10 \(patches must be square with an odd side\)/);
    expect(bad((m) => (m.experts.weights.sobel = m.experts.weights.sobel!.subarray(1)))).toThrow(/experts\.weights\.sobel: 8590 values, 71 patches of 11x11 need 8591/);
    expect(bad((m) => (m.experts.bias.lbp = new Float32Array(70)))).toThrow(/experts\.bias\.lbp: 70 values for 71 patches/);
    expect(bad((m) => (m.pdm.eigenVectors = new Float32Array(142 * 19)))).toThrow(/pdm\.eigenVectors: 2698 values, a 142 x 20 matrix needs 2840/);
    expect(bad((m) => (m.pdm.eigenValues = m.pdm.eigenValues.subarray(1)))).toThrow(/pdm\.eigenValues: 19 values for 20 modes/);
    expect(bad((m) => (m.pdm.eigenValues[3] = -1))).toThrow(/pdm\.eigenValues\[3\]: -1 \(eigenvalues must be positive\)/);
    expect(bad((m) => (m.pdm.meanShape = m.pdm.meanShape.subarray(2)))).toThrow(/pdm\.meanShape: 140 values for 71 points/);
    expect(bad((m) => (m.pdm.meanShape[5] = Number.NaN))).toThrow(/pdm: non-finite values/);
    expect(bad((m) => (m.fivePoints[2] = 71))).toThrow(/fivePoints\[2\]: point 71 out of 0\.\.70/);
  });

  it('refuses a truncated or altered weights file, a wrong format, a missing array', async () => {
    const text = readFileSync('models/clm/clmtrackr-pca-10-svm.clm.json', 'utf8');
    const bin = new Uint8Array(readFileSync('models/clm/clmtrackr-pca-10-svm.clm.bin'));
    const model = await deserializeClmModel(text, bin, 'a.clm.json');
    expect(model.pdm.modes).toBe(10);
    await expect(deserializeClmModel(text, bin.subarray(0, bin.length - 4), 'a.clm.json')).rejects.toThrow(/a\.clm\.json: weights file clmtrackr-pca-10-svm\.clm\.bin has \d+ bytes, the model expects \d+ \(truncated or wrong file\)/);
    const altered = bin.slice();
    altered[100] = altered[100]! ^ 1;
    await expect(deserializeClmModel(text, altered, 'a.clm.json')).rejects.toThrow(/has sha256 [0-9a-f]{64}, the model expects/);
    const json = JSON.parse(text) as Record<string, unknown>;
    await expect(deserializeClmModel(JSON.stringify({ ...json, format: 'other' }), bin, 'a.clm.json')).rejects.toThrow(/format is "other", expected "webgpu-detect-clm"/);
    const arrays = { ...(json.arrays as Record<string, unknown>) };
    delete arrays['bias.raw'];
    await expect(deserializeClmModel(JSON.stringify({ ...json, arrays }), bin, 'a.clm.json')).rejects.toThrow(/arrays\.bias\.raw is missing/);
    await expect(deserializeClmModel('{', bin, 'a.clm.json')).rejects.toThrow(/a\.clm\.json: not JSON/);
    await expect(loadClmModelFile('/nonexistent/x.clm.json')).rejects.toThrow(/\/nonexistent\/x\.clm\.json: cannot read/);
  });
});
