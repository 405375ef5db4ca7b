// `node --import tsx --import ./scripts/wgsl-hook.mjs file.ts`: lets Node import .wgsl files as
// text, as the esbuild build and the vitest config do.
import { register } from 'node:module';

register('./wgsl-loader.mjs', import.meta.url);
