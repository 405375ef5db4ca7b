// This project's CLM model format: a JSON description (sizes, point roles, where each array lies)
// beside one little-endian float32 .bin, its sha256 in the JSON. Browser-safe: bytes in, model out.
import { sha256Hex } from '../../graph/serialize.js';
import { ownBuffer } from '../../import/bytes.js';
import { ClmModelError, SVM_RESPONSES, validateClmModel, type ClmModel, type SvmResponse } from './model.js';

export const CLM_FORMAT = 'webgpu-detect-clm';
export const CLM_FORMAT_VERSION = 1;

export interface ClmFile {
  format: typeof CLM_FORMAT;
  version: number;
  name: string;
  source?: string;
  points: number;
  modes: number;
  patchSize: number;
  responses: SvmResponse[];
  fivePoints: number[];
  unregularised: number[];
  /** Array name -> [offset, length] in float32 elements of the .bin. */
  arrays: Record<string, [number, number]>;
  weightsFile: string;
  weightsBytes: number;
  weightsSha256: string;
  /** Free-form facts about the source (canvas size, hints, ...). */
  notes?: Record<string, unknown>;
}

export async function serializeClmModel(m: ClmModel, weightsFile: string, notes?: Record<string, unknown>): Promise<{ json: ClmFile; bin: Uint8Array }> {
  const parts: Array<[string, Float32Array]> = [
    ['meanShape', m.pdm.meanShape],
    ['eigenVectors', m.pdm.eigenVectors],
    ['eigenValues', m.pdm.eigenValues],
  ];
  const responses = SVM_RESPONSES.filter((t) => m.experts.weights[t]);
  for (const t of responses) parts.push([`weights.${t}`, m.experts.weights[t]!], [`bias.${t}`, m.experts.bias[t]!]);
  const total = parts.reduce((s, [, a]) => s + a.length, 0);
  const all = new Float32Array(total);
  const arrays: Record<string, [number, number]> = {};
  let at = 0;
  for (const [name, a] of parts) {
    all.set(a, at);
    arrays[name] = [at, a.length];
    at += a.length;
  }
  const bin = new Uint8Array(all.buffer);
  return {
    json: {
      format: CLM_FORMAT, version: CLM_FORMAT_VERSION, name: m.name, ...(m.source ? { source: m.source } : {}), points: m.pdm.points, modes: m.pdm.modes, patchSize: m.experts.patchSize,
      responses, fivePoints: [...m.fivePoints], unregularised: [...m.pdm.unregularised], arrays, weightsFile, weightsBytes: bin.length, weightsSha256: await sha256Hex(bin), ...(notes ? { notes } : {}),
    },
    bin,
  };
}

/** A model from its JSON text and .bin bytes; every failure names `file` and the field. */
export async function deserializeClmModel(text: string, bin: Uint8Array, file: string): Promise<ClmModel> {
  let json: ClmFile;
  try {
    json = JSON.parse(text) as ClmFile;
  } catch (err) {
    throw new ClmModelError(file, `not JSON: ${(err as Error).message}`);
  }
  if (json.format !== CLM_FORMAT) throw new ClmModelError(file, `format is ${JSON.stringify(json.format)}, expected "${CLM_FORMAT}"`);
  if (json.version !== CLM_FORMAT_VERSION) throw new ClmModelError(file, `version ${json.version}, this reader knows ${CLM_FORMAT_VERSION}`);
  if (bin.byteLength !== json.weightsBytes) throw new ClmModelError(file, `weights file ${json.weightsFile} has ${bin.byteLength} bytes, the model expects ${json.weightsBytes} (truncated or wrong file)`);
  const hash = await sha256Hex(bin);
  if (hash !== json.weightsSha256) throw new ClmModelError(file, `weights file ${json.weightsFile} has sha256 ${hash}, the model expects ${json.weightsSha256}`);
  const floats = new Float32Array(ownBuffer(bin));
  const array = (name: string): Float32Array => {
    const entry = json.arrays?.[name];
    if (!entry) throw new ClmModelError(file, `arrays.${name} is missing`);
    const [offset, length] = entry;
    if (!(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && offset + length <= floats.length)) throw new ClmModelError(file, `arrays.${name} [${entry}] lies outside ${json.weightsFile} (${floats.length} floats)`);
    return floats.slice(offset, offset + length);
  };
  const weights: Partial<Record<SvmResponse, Float32Array>> = {};
  const bias: Partial<Record<SvmResponse, Float32Array>> = {};
  for (const t of json.responses ?? []) {
    if (!SVM_RESPONSES.includes(t)) throw new ClmModelError(file, `responses: unknown response type '${t}' (raw, sobel, lbp)`);
    weights[t] = array(`weights.${t}`);
    bias[t] = array(`bias.${t}`);
  }
  const five = json.fivePoints;
  if (!Array.isArray(five) || five.length !== 5) throw new ClmModelError(file, `fivePoints: ${JSON.stringify(five)} (five point indices: left eye, right eye, nose, mouth corners)`);
  return validateClmModel(
    {
      name: json.name,
      ...(json.source ? { source: json.source } : {}),
      pdm: { kind: '2d', points: json.points, modes: json.modes, meanShape: array('meanShape'), eigenVectors: array('eigenVectors'), eigenValues: array('eigenValues'), unregularised: json.unregularised ?? [] },
      experts: { kind: 'svm', patchSize: json.patchSize, weights, bias },
      fivePoints: five as ClmModel['fivePoints'],
    },
    file,
  );
}
