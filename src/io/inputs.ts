// Node-only: command-line inputs (files, directories, glob patterns) -> image file list, in a stable
// order. Directories are searched recursively for image extensions; a pattern matching nothing, or a
// missing path, is reported back (the CLI turns it into an error line, as for an unreadable image).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'avif', 'bmp'];

export interface ResolvedInputs {
  files: string[];
  /** Inputs that matched nothing: [input, reason]. */
  missing: Array<[string, string]>;
}

export async function resolveInputs(inputs: readonly string[]): Promise<ResolvedInputs> {
  const files: string[] = [];
  const missing: Array<[string, string]> = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    const abs = resolve(f);
    if (!seen.has(abs)) {
      seen.add(abs);
      files.push(f);
    }
  };
  for (const input of inputs) {
    if (existsSync(input) && statSync(input).isDirectory()) {
      const found = await glob(`**/*.{${IMAGE_EXTENSIONS.join(',')}}`, { cwd: input, caseSensitiveMatch: false });
      if (found.length === 0) missing.push([input, 'directory contains no image files']);
      found.sort().forEach((f) => add(`${input.replace(/\/$/, '')}/${f}`));
    } else if (existsSync(input)) {
      add(input);
    } else if (isDynamicPattern(input)) {
      const found = await glob(input, { onlyFiles: true });
      if (found.length === 0) missing.push([input, 'pattern matches no file']);
      found.sort().forEach(add);
    } else {
      missing.push([input, 'file not found']);
    }
  }
  return { files, missing };
}
