// Records which files of an npm package a packaged model is read from, with their sha256 (the
// model catalog refuses files that differ): npm run provenance -- tiny-face | ssd-oid. The files are
// read from node_modules at run time, never copied into this repository.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NPM_MODELS } from '../src/io/model-catalog.js';
import { packageRoot } from '../src/io/package-root.js';

const name = process.argv[2] ?? '';
const model = NPM_MODELS[name];
if (!model) throw new Error(`usage: npm run provenance -- ${Object.keys(NPM_MODELS).join(' | ')}`);
const pkgDir = join(packageRoot(), 'node_modules', model.package);
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string; license?: string };
const files = model.files.map((f) => {
  const all = readFileSync(join(pkgDir, f.file));
  const bytes = f.range ? all.subarray(f.range[0], f.range[1]) : all;
  return { ...f, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
});
const provenance = { package: model.package, version: pkg.version, license: pkg.license ?? model.license, origin: model.origin, files };
writeFileSync(join(packageRoot(), 'models', name, 'provenance.json'), JSON.stringify(provenance, null, 2) + '\n');
console.log(`models/${name}/provenance.json: ${model.package}@${pkg.version}, ${files.map((f) => `${f.file}${f.range ? ` [${f.range}]` : ''} ${f.sha256.slice(0, 12)}`).join(', ')}`);
