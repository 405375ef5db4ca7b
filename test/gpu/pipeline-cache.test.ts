import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShaderCompileError } from '../../src/gpu/errors.js';
import { pipelineKey } from '../../src/gpu/pipeline-cache.js';
import { shaderFiles } from '../../src/gpu/shader-files.js';
import { preprocess, registerShaderFile } from '../../src/gpu/shader-library.js';
import { packParams, reflectBindings, reflectParams } from '../../src/gpu/wgsl-reflect.js';
import { activationDefines, NO_ACTIVATION } from '../../src/ops/activation.js';
import { gpu } from '../helpers/gpu.js';

const convFiles = ['common/indexing.wgsl', 'common/activation.wgsl', 'common/half_load.wgsl', 'common/half_store.wgsl', 'conv/finish.wgsl', 'conv/epilogue.wgsl', 'conv/conv2d.wgsl'];
const convDefines = (over: Record<string, boolean | number> = {}) => ({
  WORKGROUP_SIZE: 64, OC_BLOCK: 4, OC_BLOCK_GE_2: true, OC_BLOCK_GE_4: true, OC_BLOCK_GE_8: false, OC_BLOCK_GE_12: false, OC_BLOCK_GE_16: false, W_SHARED: false, TWO_ROWS: false, SUBGROUP_8: false, WINDOW_3X3: false, WINDOW_S2: false, ROW_VEC4: false, WINDOW_UNROLLED: false, W_PACKED: false, HAS_BIAS: true, ACT_PRELU: false, F16_INPUT_0: false, F16_OUTPUT_0: false, F16_MATH: false, ...activationDefines(NO_ACTIVATION), ...over,
});

function listWgsl(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listWgsl(p) : p.endsWith('.wgsl') ? [p] : [];
  });
}

describe('shader library', () => {
  it('registers every file under shaders/ (and nothing else)', () => {
    const onDisk = listWgsl('shaders').map((p) => relative('shaders', p)).sort();
    expect(Object.keys(shaderFiles).sort()).toEqual(onDisk);
  });

  it('different defines give different sources and keys; equal defines the same key', () => {
    const a = preprocess(convFiles, convDefines());
    const b = preprocess(convFiles, convDefines({ HAS_BIAS: false }));
    const c = preprocess(convFiles, convDefines({ OC_BLOCK: 1, OC_BLOCK_GE_2: false, OC_BLOCK_GE_4: false }));
    const again = preprocess(convFiles, convDefines());
    const keys = [a, b, c].map((s) => pipelineKey(s.code, 'main'));
    expect(new Set(keys).size).toBe(3);
    expect(pipelineKey(again.code, 'main')).toBe(keys[0]);
    expect(a.code).toContain('input_2');
    expect(b.code).not.toContain('input_2');
    expect(pipelineKey(a.code, 'other')).not.toBe(keys[0]);
  });

  it('remembers a preprocessed source (defines in any order), and forgets it when an added file changes', () => {
    const defines = convDefines();
    const reordered = Object.fromEntries(Object.entries(defines).reverse());
    expect(preprocess(convFiles, reordered)).toBe(preprocess(convFiles, defines));
    expect(preprocess(convFiles, convDefines({ HAS_BIAS: false }))).not.toBe(preprocess(convFiles, defines));
    registerShaderFile('test/memo.wgsl', 'const memo_value = ${VALUE};');
    expect(preprocess(['test/memo.wgsl'], { VALUE: 1 }).code).toBe('const memo_value = 1;');
    registerShaderFile('test/memo.wgsl', 'const memo_value = ${VALUE} + 1;');
    expect(preprocess(['test/memo.wgsl'], { VALUE: 1 }).code).toBe('const memo_value = 1 + 1;');
  });

  it('rejects a missing define and an unused one, naming them', () => {
    const { HAS_BIAS: _, ...missing } = convDefines();
    expect(() => preprocess(convFiles, missing)).toThrow(/uses \$\{HAS_BIAS\}/);
    expect(() => preprocess(convFiles, convDefines({ HAS_BAIS: true }))).toThrow(/HAS_BAIS are not used/);
  });

  it('reflects bindings and packs Params with WGSL alignment (vec4 arrays at 16 bytes)', () => {
    const code = preprocess(['common/indexing.wgsl', 'elementwise/combine.wgsl', 'elementwise/binary.wgsl'], { WORKGROUP_SIZE: 64, BROADCAST: true, BLOCK_A: false, BLOCK_B: false, OP_ADD: true, OP_SUB: false, OP_MUL: false, OP_DIV: false }).code;
    expect(reflectBindings(code).map((b) => `${b.binding}:${b.name}:${b.kind}`)).toEqual([
      '0:input_0:read-only-storage', '1:input_1:read-only-storage', '2:output_0:storage', '3:params:uniform',
    ]);
    const layout = reflectParams(code)!;
    expect(layout.fields.map((f) => [f.name, f.offset])).toEqual([['count', 0], ['inner', 4], ['period', 8], ['out_dims', 16], ['a_strides', 48], ['b_strides', 80]]);
    expect(layout.size).toBe(112);
    const packed = new Uint32Array(packParams(layout, { count: 7, inner: 3, period: 2, out_dims: [1, 2, 3, 4, 5, 6], a_strides: [9], b_strides: [0] }, 'test'));
    expect([...packed.slice(0, 3), ...packed.slice(4, 10)]).toEqual([7, 3, 2, 1, 2, 3, 4, 5, 6]);
    expect(() => packParams(layout, { count: 1, inner: 1, period: 1, out_dims: [], a_strides: [] }, 'test op')).toThrow(/test op: param 'b_strides' not given/);
  });
});

describe('pipeline cache on the GPU', () => {
  it('compiles each distinct source once and hits the cache for equal defines', async () => {
    const ctx = await gpu();
    const before = { hits: ctx.pipelines.hits, misses: ctx.pipelines.misses };
    const first = await ctx.pipelines.get({ files: convFiles, defines: convDefines({ ACT_RELU: true }) }, 'conv A');
    const second = await ctx.pipelines.get({ files: convFiles, defines: convDefines({ ACT_RELU: true }) }, 'conv B');
    const other = await ctx.pipelines.get({ files: convFiles, defines: convDefines({ ACT_SIGMOID: true }) }, 'conv C');
    expect(second.pipeline).toBe(first.pipeline);
    expect(other.pipeline).not.toBe(first.pipeline);
    expect(ctx.pipelines.misses - before.misses).toBe(2);
    expect(ctx.pipelines.hits - before.hits).toBe(1);
  });

  it('a WGSL compile error reports file:line:column, the op label and the defines', async () => {
    const ctx = await gpu();
    registerShaderFile(
      'test/broken.wgsl',
      [
        '// line 1',
        '#if ${EXTRA}',
        'const unused_a = 1.0;',
        'const unused_b = 2.0;',
        '#endif',
        '@compute @workgroup_size(1)',
        'fn main() {',
        '  let x: f32 = undefined_thing;',
        '}',
      ].join('\n'),
    );
    for (const extra of [true, false]) {
      const err = await ctx.pipelines.get({ files: ['test/broken.wgsl'], defines: { EXTRA: extra } }, "node 'conv7' (Conv)").catch((e) => e);
      expect(err).toBeInstanceOf(ShaderCompileError);
      // Line 8 of the file whether or not the #if block was kept.
      expect(err.message).toMatch(/shaders\/test\/broken\.wgsl:8:\d+/);
      expect(err.message).toContain("node 'conv7' (Conv)");
      expect(err.message).toContain(`"EXTRA":${extra}`);
      expect(err.message).toContain('undefined_thing');
      console.log(err.message);
    }
  });
});
