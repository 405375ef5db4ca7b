// Node-only: reads CLM landmark models (this project's format: <name>.clm.json + its .bin), the
// packaged clmtrackr conversions under models/clm/ or a user's file.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deserializeClmModel } from '../pipelines/clm/model-file.js';
import { ClmModelError, type ClmModel } from '../pipelines/clm/model.js';
import { packageRoot } from './package-root.js';

/** The default landmark model: clmtrackr's 71-point PCA model with 20 modes and SVM experts. */
export const DEFAULT_CLM_MODEL = 'clmtrackr-pca-20-svm';
export const PACKAGED_CLM_MODELS = ['clmtrackr-pca-20-svm', 'clmtrackr-pca-10-svm', 'clmtrackr-spca-20-svm', 'clmtrackr-spca-10-svm'] as const;

export async function loadClmModelFile(path: string): Promise<ClmModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ClmModelError(path, `cannot read: ${(err as Error).message}`);
  }
  let binName: unknown;
  try {
    binName = (JSON.parse(text) as { weightsFile?: unknown }).weightsFile;
  } catch (err) {
    throw new ClmModelError(path, `not JSON: ${(err as Error).message}`);
  }
  if (typeof binName !== 'string') throw new ClmModelError(path, "weightsFile: missing (the name of the model's .bin)");
  const binPath = join(dirname(path), binName);
  let bin: Uint8Array;
  try {
    bin = new Uint8Array(await readFile(binPath));
  } catch (err) {
    throw new ClmModelError(binPath, `cannot read the weights of ${path}: ${(err as Error).message}`);
  }
  return deserializeClmModel(text, bin, path);
}

/** A packaged model by name (see PACKAGED_CLM_MODELS), or a path to a .clm.json. */
export function loadClmModel(nameOrPath: string = DEFAULT_CLM_MODEL): Promise<ClmModel> {
  if ((PACKAGED_CLM_MODELS as readonly string[]).includes(nameOrPath)) return loadClmModelFile(join(packageRoot(), 'models', 'clm', `${nameOrPath}.clm.json`));
  return loadClmModelFile(nameOrPath);
}

/** An OpenFace CLNF model from the user's files (main_clnf_*.txt or clnf_*.txt and what it names). */
export async function loadOpenFaceModel(path: string, options: import('../import/openface/model.js').OpenFaceOptions = {}): Promise<import('../pipelines/clm/ccnf-model.js').CcnfModel> {
  const { readOpenFaceModel } = await import('../import/openface/model.js');
  return readOpenFaceModel(path, async (p) => new Uint8Array(await readFile(p)), options);
}
