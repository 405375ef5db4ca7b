import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// .wgsl files are imported as text, as in the esbuild build (scripts/build.mjs).
const wgslText = {
  name: 'wgsl-text',
  transform(code: string, id: string) {
    if (id.endsWith('.wgsl')) return { code: `export default ${JSON.stringify(code)};`, map: null };
    return undefined;
  },
};

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
// In CI every adapter must be present: a missing one fails the run instead of being skipped.
const withSwiftShader = process.env.CI === 'true' || existsSync(SWIFTSHADER_ICD);

export default defineConfig({
  plugins: [wgslText],
  test: {
    // Dawn allows one GPU instance per process; every test file gets its own process.
    pool: 'forks',
    // CPU references are single-threaded JavaScript: two workers use both cores.
    maxWorkers: 2,
    isolate: true,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
    setupFiles: ['test/helpers/finish-gpu.ts'],
    projects: [
      {
        extends: true as const,
        test: { name: 'lavapipe', include: ['test/**/*.test.ts'], env: { WEBGPU_DETECT_ADAPTER: 'lavapipe' } },
      },
      ...(withSwiftShader
        ? [
            {
              extends: true as const,
              test: {
                name: 'swiftshader',
                include: ['test/ops/**/*.test.ts', 'test/gpu/jit-warmer.test.ts', 'test/gpu/dawn-ticks.test.ts', 'test/pipelines/mtcnn-kernels.test.ts', 'test/graph/half-storage.test.ts', 'test/import/onnx.test.ts', 'test/import/onnx-user.test.ts', 'test/pipelines/grid-kernels.test.ts', 'test/pipelines/centernet.test.ts', 'test/import/tfjs-graph.test.ts', 'test/pipelines/resize.test.ts', 'test/pipelines/clm-*.test.ts', 'test/eval/precision-study.test.ts'],
                env: { WEBGPU_DETECT_ADAPTER: 'swiftshader' },
              },
            },
          ]
        : []),
    ],
  },
});
