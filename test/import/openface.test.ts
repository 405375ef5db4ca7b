// OpenFace CLNF files (user-supplied; never in CI): small synthetic models written by a test
// serializer (2 views, 3 landmarks, 3 x 3 patches, windows [3, 5], 2 sigma components) read back
// exactly; truncated files, bad markers, trailing bytes, inconsistent counts, unsupported expert and
// neuron types, a corrupt Sigma and a schedule asking for a window the file has no sigma
// components for are refused at load with the file and what is wrong.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOpenFaceModel } from '../../src/io/clm-models.js';
import { checkSchedule, openFaceSchedule, resolveCcnfOptions } from '../../src/pipelines/clm/ccnf-options.js';
import { buildSigmaSet, MissingSigmaError, sigmaOf, sigmaSystem } from '../../src/pipelines/clm/sigma.js';
import { smallSynthModel, writeOpenFaceModel, type SynthModel } from '../helpers/openface-writer.js';

const synth = smallSynthModel();

describe('OpenFace CLNF reader', () => {
  it('reads the synthetic model back exactly (PDM, views, visibility, windows, components, neurons, betas)', async () => {
    const { main } = writeOpenFaceModel(synth);
    const model = await loadOpenFaceModel(main, { fivePoints: [[0], [1], [2], [0, 1], [1, 2]] });
    expect(model.pdm.points).toBe(3);
    expect(model.pdm.modes).toBe(2);
    expect(Array.from(model.pdm.meanShape)).toEqual(synth.mean.flat().map(Math.fround));
    expect(Array.from(model.pdm.eigenVectors)).toEqual(synth.components.flat().map(Math.fround));
    expect(model.scales.map((s) => s.patchScaling)).toEqual([0.25, 0.5]);
    const s = model.scales[0]!;
    expect(s.patchSize).toBe(3);
    expect(s.views.map((v) => v.centreDeg)).toEqual([
      [0, 0, 0],
      [0, 30, 0],
    ]);
    expect(Array.from(s.views[1]!.visible)).toEqual([1, 1, 0]);
    expect([...s.sigmaComponents.keys()]).toEqual([3, 5]);
    expect(Array.from(s.sigmaComponents.get(5)![0]!)).toEqual(synth.scales[0]!.windows[1]!.components[0]!);
    const p = s.views[0]!.patches[1]!;
    const want = synth.scales[0]!.patches[0]![1]!;
    expect(p.neurons.map((n) => [n.normWeights, n.bias, n.alpha])).toEqual(want.neurons.map((n) => [n.normWeights, n.bias, n.alpha]));
    expect(Array.from(p.neurons[0]!.weights)).toEqual(want.neurons[0]!.weights.map(Math.fround));
    expect(Array.from(p.betas)).toEqual(want.betas);
    expect(p.confidence).toBe(want.confidence);
    expect(s.views[1]!.patches[2]!.neurons).toEqual([]);
    expect(model.files.map((f) => f.split('/').slice(-1)[0])).toEqual(['main_clnf_synth.txt', 'clnf_synth.txt', 'pdm_synth.txt', 'ccnf_patches_0.25_synth.txt', 'ccnf_patches_0.5_synth.txt']);
  });

  it('refuses a truncated file, a bad marker, trailing bytes, naming the file and the byte', async () => {
    const cases: Array<[(b: Buffer) => Buffer, RegExp]> = [
      [(b) => b.subarray(0, b.length - 5), /ccnf_patches_0\.25_synth\.txt: at byte \d+: view 1 landmark 2 neuron count: the file ends \(\d+ bytes; truncated\?\)/],
      [(b) => b.subarray(0, 200), /ccnf_patches_0\.25_synth\.txt: at byte \d+: .*the file ends/],
      [(b) => Buffer.concat([b, Buffer.alloc(3)]), /3 bytes after the last patch/],
      [
        (b) => {
          // The first patch marker (5) sits right after the sigma components.
          const at = b.indexOf(Buffer.from([5, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0]));
          const c = Buffer.from(b);
          c.writeInt32LE(6, at);
          return c;
        },
        /view 0 landmark 0 patch: marker 6, expected 5/,
      ],
    ];
    for (const [edit, message] of cases) {
      const { main } = writeOpenFaceModel(synth, { ccnf: (b, k) => (k === 0 ? edit(b) : b) });
      await expect(loadOpenFaceModel(main, { fivePoints: [[0], [1], [2], [0], [1]] })).rejects.toThrow(message);
    }
  });

  it('refuses inconsistent component counts, depth neurons, unsupported expert types, bad PDMs, landmark mismatches', async () => {
    const five = { fivePoints: [[0], [1], [2], [0], [1]] };
    const variant = (edit: (m: SynthModel) => void): SynthModel => {
      const m = structuredClone(synth);
      edit(m);
      return m;
    };
    const load = (m: SynthModel, extra: Parameters<typeof writeOpenFaceModel>[1] = {}) => loadOpenFaceModel(writeOpenFaceModel(m, extra).main, five);
    await expect(load(variant((m) => m.scales[0]!.windows[1]!.components.pop()))).rejects.toThrow(/window 1 \(ws 5\) has 1 sigma components, window 0 has 2/);
    await expect(load(variant((m) => (m.scales[1]!.patches[0]![0]!.neurons[1]!.type = 3)))).rejects.toThrow(/ccnf_patches_0\.5_synth\.txt: at byte \d+: view 0 landmark 0 neuron 1: neuron type 3 \(depth\) is not supported/);
    await expect(load(synth, { clnfExtra: ['PatchesSVR patch_experts/svr_patches_0.25_general.txt'] })).rejects.toThrow(/clnf_synth\.txt: line \d+: 'PatchesSVR' patch experts \(SVR\) are not supported: only CCNF/);
    await expect(load(synth, { clnfExtra: ['PatchesCEN patch_experts/cen_patches_0.25_of.dat'] })).rejects.toThrow(/'PatchesCEN' patch experts \(CEN \(CE-CLM\)\) are not supported/);
    await expect(load(synth, { pdm: (t) => t.replace(/\n1 2 6\n9\.\d+/, '\n1 2 6\n-9') })).rejects.toThrow(/pdm_synth\.txt: eigenvalues\[0\]: -9 \(eigenvalues must be positive\)/);
    await expect(load(synth, { pdm: (t) => t.split('\n').slice(0, -3).join('\n') })).rejects.toThrow(/pdm_synth\.txt: .*eigenvalues/);
    await expect(load(variant((m) => m.mean.pop() && m.components.splice(-3)))).rejects.toThrow(/ccnf_patches_0\.25_synth\.txt: 3 landmarks, the PDM .*pdm_synth\.txt has 2/);
    const { main, dir } = writeOpenFaceModel(synth);
    writeFileSync(join(dir, 'clnf_synth.txt'), readFileSync(join(dir, 'clnf_synth.txt'), 'utf8').replace('ccnf_patches_0.5_synth.txt', 'missing.txt'));
    await expect(loadOpenFaceModel(main, five)).rejects.toThrow(/missing\.txt: cannot read it \(named by .*clnf_synth\.txt\)/);
    await expect(loadOpenFaceModel(writeOpenFaceModel(synth).main)).rejects.toThrow(/a 3-point model: give fivePoints/);
  });
});

describe('Sigma and the window schedule', () => {
  it('a schedule asking for a window without sigma components fails at load, saying what is missing and what OpenFace does', async () => {
    const model = await loadOpenFaceModel(writeOpenFaceModel(synth).main, { fivePoints: [[0], [1], [2], [0], [1]] });
    const o = resolveCcnfOptions(model, { stages: openFaceSchedule(model, { windows: [5, 7] }) });
    let error: unknown;
    try {
      checkSchedule(model, o);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingSigmaError);
    const message = (error as Error).message;
    console.log(message);
    expect(message).toMatch(/ccnf_patches_0\.5_synth\.txt: CCNF experts at scale 0\.50 have sigma components for window sizes \[3, 5\]; stage 1 requests ws 7\./);
    expect(message).toMatch(/OpenFace silently falls back to Sigma = I \/ \(2 sum alpha\) there \(no spatial smoothing\)/);
    expect(message).toMatch(/about 100x too large/);
    expect(message).toMatch(/missingSigma: 'diagonal'/);
    // Accepted explicitly: that stage runs with the diagonal fallback.
    expect(checkSchedule(model, { ...o, missingSigma: 'diagonal' })).toEqual(['components', 'diagonal']);
  });

  it('Sigma inverts 2 (sum alpha I + sum beta S) in float64; the diagonal fallback is 1 / (2 sum alpha); a corrupt component is refused', async () => {
    const model = await loadOpenFaceModel(writeOpenFaceModel(synth).main, { fivePoints: [[0], [1], [2], [0], [1]] });
    const scale = model.scales[0]!;
    for (const ws of [3, 5]) {
      const n = ws * ws;
      const sigma = sigmaOf(scale, 0, 1, ws, 'components');
      const system = sigmaSystem(scale.views[0]!.patches[1]!, scale.sigmaComponents.get(ws)!, ws);
      let worst = 0;
      for (let r = 0; r < n; r++)
        for (let c = 0; c < n; c++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += sigma[r * n + k]! * system[k * n + c]!;
          worst = Math.max(worst, Math.abs(s - (r === c ? 1 : 0)));
        }
      console.log(`ws ${ws}: |Sigma (2 (sum alpha I + sum beta S)) - I|max = ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-12);
    }
    const alphas = scale.views[0]!.patches[2]!.neurons.reduce((s, k) => s + k.alpha, 0);
    const diag = sigmaOf(scale, 0, 2, 3, 'diagonal');
    expect(diag[0]).toBeCloseTo(1 / (2 * alphas), 12);
    expect(diag[1]).toBe(0);
    // A hidden landmark's Sigma is zeros; every view is built.
    const set = buildSigmaSet(scale, 5, 'components');
    expect(set.views).toHaveLength(2);
    expect(set.views[1]!.subarray(2 * 625).every((v) => v === 0)).toBe(true);
    // Negative betas large enough to break positive definiteness.
    const corrupt = await loadOpenFaceModel(writeOpenFaceModel(structuredClone({ ...synth, scales: synth.scales.map((s, k) => (k === 0 ? { ...s, patches: s.patches.map((v) => v.map((p) => ({ ...p, betas: p.betas.map(() => -50) }))) } : s)) })).main, { fivePoints: [[0], [1], [2], [0], [1]] });
    expect(() => sigmaOf(corrupt.scales[0]!, 0, 0, 5, 'components')).toThrow(/ccnf_patches_0\.25_synth\.txt: view 0 landmark 0, ws 5: 2 \(sum alpha I \+ sum beta S\) is not positive definite/);
  });
});
