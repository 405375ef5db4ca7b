// Builds dist/: the Node library and CLI (dependencies external), the browser bundle (everything
// inlined, Node-only device code replaced by a stub) and the type declarations.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

rmSync('dist', { recursive: true, force: true });

const common = { bundle: true, format: 'esm', loader: { '.wgsl': 'text' }, sourcemap: true, logLevel: 'warning' };

// In the browser, navigator.gpu is the only way to a device: the Dawn loader must not be bundled.
const browserStub = {
  name: 'node-webgpu-stub',
  setup(build) {
    build.onResolve({ filter: /\/node-webgpu\.js$/ }, () => ({ path: 'node-webgpu', namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "export function nodeGpu() { throw new Error('Dawn (npm webgpu) is Node-only; in a browser navigator.gpu is used'); }",
      loader: 'js',
    }));
  },
};

await Promise.all([
  esbuild.build({ ...common, platform: 'node', target: 'node20', packages: 'external', entryPoints: { index: 'src/index.ts', node: 'src/node.ts', cli: 'src/cli/main.ts' }, outdir: 'dist' }),
  esbuild.build({ ...common, platform: 'browser', target: 'chrome120', entryPoints: { 'webgpu-detect': 'src/index.ts' }, outdir: 'dist/browser', plugins: [browserStub] }),
  // The detection page `webgpu-detect serve` serves.
  esbuild.build({ ...common, platform: 'browser', target: 'chrome120', entryPoints: { page: 'src/page/main.ts', sw: 'src/page/sw.ts' }, outdir: 'dist/page', plugins: [browserStub] }),
]);
mkdirSync('dist/page', { recursive: true });
copyFileSync('src/page/index.html', 'dist/page/index.html');
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/ (node library + cli, browser bundle, types)');
