// clmtrackr's model objects (models/model_*_svm.js in the npm package clmtrackr, MIT) -> ClmModel.
// The files are UMD modules with comments, not JSON: the Node import script loads them with
// require(); this turns the object into typed arrays and checks every field, naming the file.
import { ClmModelError, SVM_RESPONSES, validateClmModel, type ClmModel, type SvmResponse } from '../../pipelines/clm/model.js';

/** clmtrackr's points for MTCNN's 5 landmarks: eye centres 27 / 32, nose tip 62, mouth corners 44 / 50. */
export const CLMTRACKR_FIVE_POINTS: ClmModel['fivePoints'] = [27, 32, 62, 44, 50];

interface ClmtrackrModel {
  patchModel?: { patchType?: string; numPatches?: number; patchSize?: number[]; weights?: Record<string, number[][]>; bias?: Record<string, number[]> };
  shapeModel?: { numEvalues?: number; eigenValues?: number[]; eigenVectors?: number[][]; meanShape?: number[][]; nonRegularizedVectors?: number[] };
}

export function clmtrackrToModel(raw: unknown, file: string, name: string): ClmModel {
  const m = raw as ClmtrackrModel;
  const fail = (field: string, detail: string): never => {
    throw new ClmModelError(file, `${field}: ${detail}`);
  };
  const pm = m.patchModel ?? fail('patchModel', 'missing (is this a clmtrackr model file?)');
  const sm = m.shapeModel ?? fail('shapeModel', 'missing (is this a clmtrackr model file?)');
  if (pm.patchType !== 'SVM') fail('patchModel.patchType', `'${pm.patchType}': only SVM patch experts are supported (MOSSE models are not)`);
  const [pw, ph] = pm.patchSize ?? fail('patchModel.patchSize', 'missing');
  if (pw !== ph) fail('patchModel.patchSize', `[${pw}, ${ph}] is not square`);
  const meanShape = sm.meanShape ?? fail('shapeModel.meanShape', 'missing');
  const n = meanShape.length;
  if (pm.numPatches !== n) fail('patchModel.numPatches', `${pm.numPatches}, the mean shape has ${n} points`);
  const modes = sm.numEvalues ?? fail('shapeModel.numEvalues', 'missing');
  const ev = sm.eigenVectors ?? fail('shapeModel.eigenVectors', 'missing');
  if (ev.length !== 2 * n || ev.some((row) => row.length !== modes)) fail('shapeModel.eigenVectors', `${ev.length} rows (of ${ev[0]?.length}), expected ${2 * n} rows of ${modes}`);
  const weights: Partial<Record<SvmResponse, Float32Array>> = {};
  const bias: Partial<Record<SvmResponse, Float32Array>> = {};
  for (const t of SVM_RESPONSES) {
    const w = pm.weights?.[t];
    const b = pm.bias?.[t];
    if (!w && !b) continue;
    if (!w || w.length !== n || w.some((row) => row.length !== pw! * pw!)) fail(`patchModel.weights.${t}`, `${w?.length} patches of ${w?.[0]?.length}, expected ${n} of ${pw! * pw!}`);
    weights[t] = Float32Array.from(w!.flat());
    bias[t] = Float32Array.from(b ?? []);
  }
  return validateClmModel(
    {
      name,
      pdm: {
        kind: '2d',
        points: n,
        modes,
        meanShape: Float32Array.from(meanShape.flat()),
        eigenVectors: Float32Array.from(ev.flat()),
        eigenValues: Float32Array.from(sm.eigenValues ?? []),
        unregularised: sm.nonRegularizedVectors ?? [],
      },
      experts: { kind: 'svm', patchSize: pw!, weights, bias },
      fivePoints: CLMTRACKR_FIVE_POINTS,
    },
    file,
  );
}
