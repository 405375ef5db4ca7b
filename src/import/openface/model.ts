// An OpenFace CLNF model from its files: main_clnf_*.txt -> clnf_*.txt -> the PDM text and one CCNF
// binary per scale, paths relative to the file that names them. Browser-safe: the caller supplies
// the bytes of a path. Cross-file checks: every scale has the PDM's landmark count.
import { IBUG68_FIVE_POINTS, type CcnfModel, type CcnfScale } from '../../pipelines/clm/ccnf-model.js';
import { ClmModelError } from '../../pipelines/clm/model.js';
import { readCcnfScale } from './ccnf.js';
import { readClnfFile, readMainFile, readPdmFile } from './text.js';

export type ReadBytes = (path: string) => Promise<Uint8Array>;

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '');
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function read(readBytes: ReadBytes, path: string, by: string): Promise<Uint8Array> {
  try {
    return await readBytes(path);
  } catch (err) {
    throw new ClmModelError(path, `cannot read it (named by ${by}): ${(err as Error).message}`);
  }
}

export interface OpenFaceOptions {
  /** Model points matching MTCNN's 5 landmarks (default: the iBUG 68-point groups for 68-point models). */
  fivePoints?: number[][];
  name?: string;
}

/** Reads main_clnf_*.txt (or a clnf_*.txt directly) and everything it names. */
export async function readOpenFaceModel(path: string, readBytes: ReadBytes, options: OpenFaceOptions = {}): Promise<CcnfModel> {
  const first = text(await read(readBytes, path, 'the caller'));
  let clnfPath = path;
  let clnfText = first;
  if (/^\s*LandmarkDetector\s/m.test(first)) {
    clnfPath = dirOf(path) + readMainFile(first, path).clnf;
    clnfText = text(await read(readBytes, clnfPath, path));
  }
  const clnf = readClnfFile(clnfText, clnfPath);
  const pdmPath = dirOf(clnfPath) + clnf.pdm;
  const pdm = readPdmFile(text(await read(readBytes, pdmPath, clnfPath)), pdmPath);
  const scales: CcnfScale[] = [];
  for (const s of clnf.scales) {
    const file = dirOf(clnfPath) + s;
    const scale = readCcnfScale(await read(readBytes, file, clnfPath), file);
    const n = scale.views[0]!.visible.length;
    if (n !== pdm.points) throw new ClmModelError(file, `${n} landmarks, the PDM ${pdmPath} has ${pdm.points}`);
    scales.push(scale);
  }
  scales.forEach((s, k) => {
    if (k > 0 && s.patchScaling <= scales[k - 1]!.patchScaling) throw new ClmModelError(s.file, `patch scaling ${s.patchScaling} after ${scales[k - 1]!.patchScaling}: scales must run coarse to fine`);
  });
  const fivePoints = options.fivePoints ?? (pdm.points === 68 ? IBUG68_FIVE_POINTS : undefined);
  if (!fivePoints) throw new ClmModelError(path, `a ${pdm.points}-point model: give fivePoints (the model points matching MTCNN's eyes, nose and mouth corners)`);
  fivePoints.flat().forEach((p) => {
    if (!(Number.isInteger(p) && p >= 0 && p < pdm.points)) throw new ClmModelError(path, `fivePoints: point ${p} out of 0..${pdm.points - 1}`);
  });
  const name = options.name ?? path.split('/').pop()!.replace(/\.txt$/, '');
  return { kind: 'ccnf', name, pdm, scales, fivePoints, files: [path, ...(clnfPath !== path ? [clnfPath] : []), pdmPath, ...scales.map((s) => s.file)], source: 'OpenFace CLNF (user-supplied; academic/non-commercial licence)' };
}
