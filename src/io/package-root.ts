// Node-only: the directory of the installed webgpu-detect package (holding models/ and shaders/),
// found by walking up from this module, so it works from src/ (tsx, vitest) and from dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'webgpu-detect') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the webgpu-detect package directory above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
