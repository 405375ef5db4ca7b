// `webgpu-detect models`: every packaged model, where its weights come from and whether the files
// on this machine are the ones recorded (sha256), as a table or JSON.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { findPackageDir, provenanceOf } from '../io/model-catalog.js';
import { packageRoot } from '../io/package-root.js';

export interface ModelInfo {
  name: string;
  task: string;
  source: string;
  license: string;
  input: string;
  outputs: string;
  /** 'ok', or what is wrong (not installed, sha256 differs). */
  status: string;
}

const TASKS: Record<string, { task: string; input: string; outputs: string }> = {
  mtcnn: { task: 'face detection + 5 landmarks (cascade)', input: 'any size (pyramid from 12 / min-face)', outputs: 'faces: box, score, landmarks' },
  'ppocr-det': { task: 'text detection (DB)', input: 'long side <= 960, multiples of 32', outputs: 'text polygons, scores' },
  'tiny-face': { task: 'face detection (Tiny-YOLOv2, 13x13x5 anchors)', input: '416x416 (multiples of 32, 224..608)', outputs: 'faces: box, score' },
  'ssd-oid': { task: 'object detection, 24 Open Images classes (SSD)', input: '300x300', outputs: 'objects: box, score, label (Person, Book, Chair, Car, ...)' },
  centernet: { task: 'object detection, COCO-80 (CenterNet, heatmap peaks)', input: '512x512', outputs: 'objects: box, score, label (person, book, chair, ...)' },
};

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks the recorded files of a model on this machine. */
function statusOf(name: string): { source: string; license: string; status: string } {
  if (name === 'mtcnn') {
    const p = JSON.parse(readFileSync(join(packageRoot(), 'models', 'mtcnn', 'provenance.json'), 'utf8')) as { package: string; version: string; license: string; outputs: Record<string, { sha256: string }> };
    const bad = Object.entries(p.outputs).filter(([file, o]) => {
      const path = join(packageRoot(), 'models', 'mtcnn', file);
      return !existsSync(path) || sha256(readFileSync(path)) !== o.sha256;
    });
    return { source: `${p.package}@${p.version} (converted into models/mtcnn/)`, license: p.license, status: bad.length ? `sha256 differs or missing: ${bad.map(([f]) => f).join(', ')}` : 'ok' };
  }
  const p = provenanceOf(name);
  const dir = findPackageDir(p.package);
  const source = `${p.package}@${p.version}`;
  if (!dir) return { source, license: p.license, status: `not installed (npm install ${p.package}@${p.version})` };
  for (const f of p.files) {
    const path = join(dir, f.file);
    if (!existsSync(path)) return { source, license: p.license, status: `missing ${f.file}` };
    const all = readFileSync(path);
    const bytes = f.range ? all.subarray(f.range[0], f.range[1]) : all;
    if (sha256(bytes) !== f.sha256) return { source, license: p.license, status: `sha256 of ${f.file}${f.range ? ` [${f.range}]` : ''} differs from models/${name}/provenance.json` };
  }
  return { source, license: p.license, status: 'ok' };
}

export function listModels(): ModelInfo[] {
  return Object.entries(TASKS).map(([name, t]) => ({ name, ...t, ...statusOf(name) }));
}

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the packaged models: task, source package and version, licence, input size, outputs, and whether the weight files match their recorded sha256')
    .option('--json', 'print JSON instead of a table')
    .action((o: { json?: boolean }) => {
      const models = listModels();
      if (o.json) {
        console.log(JSON.stringify(models, null, 2));
      } else {
        console.log('| model | task | source | licence | input | outputs | sha256 |');
        console.log('|---|---|---|---|---|---|---|');
        for (const m of models) console.log(`| ${m.name} | ${m.task} | ${m.source} | ${m.license} | ${m.input} | ${m.outputs} | ${m.status} |`);
        console.log('\nAlso: --model path/to/model.onnx with --decode yolo|yolo-direct|ssd (see webgpu-detect detect --help).');
      }
      if (models.some((m) => m.status !== 'ok')) process.exitCode = 1;
    });
}
