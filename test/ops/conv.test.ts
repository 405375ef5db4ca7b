import { describe, expect, it } from 'vitest';
import { Conv } from '../../src/ops/conv2d.js';
import { gpu } from '../helpers/gpu.js';
import { checkOp } from '../helpers/op-check.js';

describe('Conv vs float64 reference', () => {
  it('3x3, pad 1, bias, batch 2, odd sizes', () =>
    checkOp({ op: 'Conv', inputs: [[2, 3, 13, 11], [8, 3, 3, 3], [8]], attrs: { pads: [1, 1, 1, 1] } }));
  it('stride 2, asymmetric pads, 5 output channels (partial channel block)', () =>
    checkOp({ op: 'Conv', inputs: [[1, 4, 17, 9], [5, 4, 3, 3], [5]], attrs: { strides: [2, 2], pads: [0, 1, 1, 0] } }));
  it('dilation 2, no bias', () => checkOp({ op: 'Conv', inputs: [[1, 3, 15, 15], [6, 3, 3, 3]], attrs: { dilations: [2, 2], pads: [2, 2, 2, 2] } }));
  it('depthwise 3x3 stride 2', () =>
    checkOp({ op: 'Conv', inputs: [[2, 7, 12, 10], [7, 1, 3, 3], [7]], attrs: { group: 7, strides: [2, 2], pads: [1, 1, 1, 1] } }));
  it('grouped (groups 2, 8 channels per group)', () =>
    checkOp({ op: 'Conv', inputs: [[1, 6, 9, 9], [16, 3, 3, 3], [16]], attrs: { group: 2, pads: [1, 1, 1, 1] } }));
  it('grouped with odd channels per group (3 groups, 3 out each)', () =>
    checkOp({ op: 'Conv', inputs: [[1, 6, 8, 7], [9, 2, 1, 1], [9]], attrs: { group: 3 } }));
  it('3x3 pad 1, width a multiple of 4 (window rows as vec4), 10 -> 20 channels, batch 2', async () => {
    await checkOp({ op: 'Conv', inputs: [[2, 10, 7, 12], [20, 10, 3, 3], [20]], attrs: { pads: [1, 1, 1, 1] } });
    await checkOp({ op: 'Conv', inputs: [[1, 3, 5, 4], [8, 3, 3, 3], [8]], attrs: { pads: [1, 1, 1, 1] }, constants: [1, 2] });
  });
  it('depthwise 3x3 stride 1 (shared 6-value window)', () =>
    checkOp({ op: 'Conv', inputs: [[2, 6, 11, 13], [6, 1, 3, 3], [6]], attrs: { group: 6, pads: [1, 1, 1, 1] } }));
  it('grouped, 2 channels per group, 3x3 stride 1 (window, block 2)', () =>
    checkOp({ op: 'Conv', inputs: [[1, 4, 9, 10], [8, 1, 3, 3], [8]], attrs: { group: 4, pads: [0, 1, 2, 1] } }));
  it('grouped, 4 channels per group (block 4)', () =>
    checkOp({ op: 'Conv', inputs: [[1, 6, 9, 10], [8, 3, 3, 3], [8]], attrs: { group: 2, pads: [1, 1, 1, 1] } }));
  it('1x1 stride 2 (direct path)', () => checkOp({ op: 'Conv', inputs: [[1, 8, 9, 11], [12, 8, 1, 1], [12]], attrs: { strides: [2, 2] } }));
  it('1x1 batch 2, H*W not a multiple of 4 (pointwise gemm, scalar loads), fused PReLU', () =>
    checkOp({ op: 'Conv', inputs: [[2, 5, 7, 3], [9, 5, 1, 1], [9], [9]], attrs: { activation: { type: 'PRelu' } } }));
  it('1x1 batch 3, H*W multiple of 4 (pointwise gemm, vec4 loads), 20 channels (partial row block)', () =>
    checkOp({ op: 'Conv', inputs: [[3, 7, 4, 6], [20, 7, 1, 1], [20]] }));
  it('1x1 conv, 64 -> 32', () => checkOp({ op: 'Conv', inputs: [[1, 64, 10, 10], [32, 64, 1, 1], [32]] }));
  it('rectangular kernel 2x3, SAME_UPPER', () => checkOp({ op: 'Conv', inputs: [[1, 3, 10, 9], [4, 3, 2, 3], [4]], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } }));
  it('fused ReLU', () => checkOp({ op: 'Conv', inputs: [[1, 3, 9, 9], [4, 3, 3, 3], [4]], attrs: { activation: { type: 'Relu' } } }));
  it('fused PReLU (per-channel slope)', () =>
    checkOp({ op: 'Conv', inputs: [[1, 3, 12, 12], [10, 3, 3, 3], [10], [10]], attrs: { activation: { type: 'PRelu' } } }));
  it('fused PReLU without bias', () =>
    checkOp({ op: 'Conv', inputs: [[1, 3, 12, 12], [10, 3, 3, 3], null, [10]], attrs: { activation: { type: 'PRelu' } } }));
  it('fused HardSwish', () => checkOp({ op: 'Conv', inputs: [[1, 3, 9, 9], [4, 3, 3, 3], [4]], attrs: { activation: { type: 'HardSwish' } }, ranges: [[-4, 4]] }));
  it('ConvTranspose 2x2 stride 2 (DB head upsampling: 2x2 kernel), bias, batch 2', () =>
    checkOp({ op: 'ConvTranspose', inputs: [[2, 6, 7, 9], [6, 4, 2, 2], [4]], attrs: { strides: [2, 2] } }));
  it('ConvTranspose 2x2 stride 2, 6 channels (partial block), sigmoid + affine, plane not a multiple of 64', () =>
    checkOp({ op: 'ConvTranspose', inputs: [[1, 5, 9, 11], [5, 6, 2, 2], [6]], attrs: { strides: [2, 2], activation: { type: 'Sigmoid', scale: 2, shift: -0.5 } } }));
  it('ConvTranspose 2x2 stride 2, 1 output channel, no bias (plane a multiple of 4: vec4 loads)', () =>
    checkOp({ op: 'ConvTranspose', inputs: [[1, 24, 8, 8], [24, 1, 2, 2], null], attrs: { strides: [2, 2] } }));
  it('ConvTranspose 2x2 stride 2, 8 channels, batch 2, plane a multiple of 4 (vec4 loads), ReLU', () =>
    checkOp({ op: 'ConvTranspose', inputs: [[2, 8, 6, 10], [8, 8, 2, 2], [8]], attrs: { strides: [2, 2], activation: { type: 'Relu' } } }));
  it('ConvTranspose 2x2 stride 2, 1 output channel, bias, odd plane (clamped scalar loads), batch 3', () =>
    checkOp({ op: 'ConvTranspose', inputs: [[3, 3, 5, 7], [3, 1, 2, 2], [1]], attrs: { strides: [2, 2], activation: { type: 'Sigmoid' } } }));
  it('ConvTranspose 3x3 stride 2, pads, output_padding, dilation 1, fused ReLU', () =>
    checkOp({ op: 'ConvTranspose', inputs: [[1, 5, 6, 5], [5, 3, 3, 3], [3]], attrs: { strides: [2, 2], pads: [1, 0, 1, 1], output_padding: [1, 1], activation: { type: 'Relu' } } }));
  it('ConvTranspose grouped (2 groups), dilation 2, stride 3, no bias', () =>
    checkOp({ op: 'ConvTranspose', inputs: [[1, 4, 5, 6], [4, 3, 2, 3], null], attrs: { strides: [3, 3], dilations: [2, 2], group: 2 } }));
  it('fused HardSwish + scalar affine after it (3x3 and depthwise)', async () => {
    await checkOp({ op: 'Conv', inputs: [[1, 3, 9, 11], [8, 3, 3, 3], [8]], attrs: { pads: [1, 1, 1, 1], activation: { type: 'HardSwish', scale: 0.61, shift: -0.27 } }, ranges: [[-4, 4]] });
    await checkOp({ op: 'Conv', inputs: [[2, 6, 9, 11], [6, 1, 3, 3], [6]], attrs: { group: 6, pads: [1, 1, 1, 1], activation: { type: 'HardSwish', scale: 1.7, shift: 0.4 } }, ranges: [[-4, 4]] });
  });
  it('pointwise conv (gemm path) with an affine after no activation', () =>
    checkOp({ op: 'Conv', inputs: [[1, 8, 6, 6], [5, 8, 1, 1], [5]], attrs: { activation: { type: 'None', scale: -0.5, shift: 2 } } }));
  it('ConvTranspose with fused ReLU and affine', () =>
    checkOp({ op: 'ConvTranspose', inputs: [[1, 4, 5, 6], [4, 2, 2, 2], [2]], attrs: { strides: [2, 2], activation: { type: 'Relu', scale: 3, shift: -1 } } }));
  it('constant weights, 8-channel blocks packed at upload: 3x3 window, 5x5 stride 2, partial block, fused PReLU', async () => {
    await checkOp({ op: 'Conv', inputs: [[1, 5, 13, 11], [16, 5, 3, 3], [16]], attrs: { pads: [1, 1, 1, 1] }, constants: [1, 2] });
    await checkOp({ op: 'Conv', inputs: [[2, 4, 17, 15], [13, 4, 5, 5], [13]], attrs: { strides: [2, 2], pads: [2, 2, 2, 2] }, constants: [1, 2] });
    await checkOp({ op: 'Conv', inputs: [[1, 3, 12, 12], [10, 3, 3, 3], [10], [10]], attrs: { activation: { type: 'PRelu' } }, constants: [1, 2, 3] });
    await checkOp({ op: 'Conv', inputs: [[3, 6, 4, 5], [9, 6, 2, 2], [9]], constants: [1, 2] });
  });
  it('fused Clip (ReLU6)', () => checkOp({ op: 'Conv', inputs: [[1, 3, 9, 9], [4, 3, 3, 3], [4]], attrs: { activation: { type: 'Clip', alpha: 0, beta: 6 } }, ranges: [[-5, 5]] }));
  // Subgroup paths (lavapipe: 8-wide subgroups, SwiftShader: 4-wide): weights or A rows loaded once
  // per subgroup and broadcast.
  it('constant 3x3 weights in 16-channel blocks through the subgroup: 40 channels (partial block), batch 2, odd width, fused PReLU', () =>
    checkOp({ op: 'Conv', inputs: [[2, 6, 11, 13], [40, 6, 3, 3], [40], [40]], attrs: { pads: [1, 1, 1, 1], activation: { type: 'PRelu' } }, constants: [1, 2, 3] }));
  it('constant 3x3 weights in 16-channel blocks, two output rows per invocation (rows as vec4): 40 channels (partial block), odd height, batch 2, fused PReLU; one row; vertical stride 2', async () => {
    // This adapter takes the two-row kernel for these shapes (else the checks below would not test it).
    const ctx = await gpu();
    const env = { adapter: ctx.kernelClass, subgroupSize: ctx.subgroupSize, constant: () => true };
    const attrs = Conv.attrs({ pads: [1, 1, 1, 1], activation: { type: 'PRelu' } });
    expect(Conv.kernels([[2, 6, 9, 12], [40, 6, 3, 3], [40], [40]], [[2, 40, 9, 12]], attrs, env)[0]!.defines.TWO_ROWS).toBe(true);
    await checkOp({ op: 'Conv', inputs: [[2, 6, 9, 12], [40, 6, 3, 3], [40], [40]], attrs: { pads: [1, 1, 1, 1], activation: { type: 'PRelu' } }, constants: [1, 2, 3] });
    await checkOp({ op: 'Conv', inputs: [[1, 5, 1, 8], [16, 5, 3, 3], [16]], attrs: { pads: [1, 1, 1, 1] }, constants: [1, 2] });
    // Vertical stride 2: the second output row reads 2 input rows down.
    await checkOp({ op: 'Conv', inputs: [[1, 4, 11, 8], [16, 4, 3, 3], [16]], attrs: { strides: [2, 1], pads: [1, 1, 1, 1] }, constants: [1, 2] });
  });
  it('constant 3x3 weights in 12-channel blocks through the subgroup: 24 channels (PP-OCR neck), batch 2, fused ReLU', () =>
    checkOp({ op: 'Conv', inputs: [[2, 7, 9, 10], [24, 7, 3, 3], [24]], attrs: { pads: [1, 1, 1, 1], activation: { type: 'Relu' } }, constants: [1, 2] }));
  it('3x3 stride 2 through the 9-value window (WINDOW_S2): constant weights through the subgroup, 20 outputs, batch 2, fused ReLU; x stride 2 with y stride 1; the scalar-weight path', async () => {
    const ctx = await gpu();
    const env = { adapter: ctx.kernelClass, subgroupSize: ctx.subgroupSize, constant: () => true };
    const attrs = { strides: [2, 2], pads: [1, 1, 1, 1], activation: { type: 'Relu' } };
    const call = Conv.kernels([[2, 5, 13, 17], [20, 5, 3, 3], [20]], [[2, 20, 7, 9]], Conv.attrs(attrs), env)[0]!;
    expect([call.defines.WINDOW_S2, call.defines.W_SHARED]).toEqual([true, ctx.subgroupSize === 4 || ctx.subgroupSize === 8]);
    await checkOp({ op: 'Conv', inputs: [[2, 5, 13, 17], [20, 5, 3, 3], [20]], attrs, constants: [1, 2] });
    await checkOp({ op: 'Conv', inputs: [[1, 6, 9, 14], [16, 6, 3, 3], [16]], attrs: { strides: [1, 2], pads: [0, 1, 2, 0] }, constants: [1, 2] });
    await checkOp({ op: 'Conv', inputs: [[1, 3, 11, 10], [5, 3, 3, 3], [5]], attrs: { strides: [2, 2] } });
  });
  it('PNet conv1 (3 -> 10, no padding, PReLU): 12-channel blocks on SwiftShader, 16 on lavapipe', async () => {
    const ctx = await gpu();
    const env = { adapter: ctx.kernelClass, subgroupSize: ctx.subgroupSize, constant: () => true };
    const attrs = Conv.attrs({ activation: { type: 'PRelu' } });
    const block = Conv.kernels([[2, 3, 14, 13], [10, 3, 3, 3], [10], [10]], [[2, 10, 12, 11]], attrs, env)[0]!.defines.OC_BLOCK;
    expect(block).toBe(ctx.kernelClass === 'swiftshader' ? 12 : 16);
    await checkOp({ op: 'Conv', inputs: [[2, 3, 14, 13], [10, 3, 3, 3], [10], [10]], attrs: { activation: { type: 'PRelu' } }, constants: [1, 2, 3] });
  });
  it('constant 3x3 weights in 12-channel blocks: 34 channels (partial block), no padding, fused PReLU', () =>
    checkOp({ op: 'Conv', inputs: [[1, 5, 8, 13], [34, 5, 3, 3], [34], [34]], attrs: { activation: { type: 'PRelu' } }, constants: [1, 2, 3] }));
  it('1x1 conv with weight rows through the subgroup: 36 rows (partial block of 16), 12 in, batch 2', () =>
    checkOp({ op: 'Conv', inputs: [[2, 12, 5, 8], [36, 12, 1, 1], [36]] }));
  it('Gemm with A rows through the subgroup: 35x24 @ 24x16 + C, fused Relu', () =>
    checkOp({ op: 'Gemm', inputs: [[35, 24], [24, 16], [16]], attrs: { activation: { type: 'Relu' } } }));
  // Depthwise K x K stride 1 on the CPU adapters: strips of 4 x 8 outputs (conv/depthwise.wgsl), or
  // on vec4 rows strips of 16 x 32 (conv/depthwise_rows.wgsl).
  it('depthwise 5x5 pad 2, 19 rows (partial strip), odd width, batch 2, fused PReLU', () =>
    checkOp({ op: 'Conv', inputs: [[2, 5, 19, 13], [5, 1, 5, 5], [5], [5]], attrs: { group: 5, pads: [2, 2, 2, 2], activation: { type: 'PRelu' } } }));
  it('depthwise 3x3 pad 1, width a multiple of 4 (rows loaded and stored as vec4), 21 rows, batch 2, fused PReLU', async () => {
    await checkOp({ op: 'Conv', inputs: [[2, 5, 21, 16], [5, 1, 3, 3], [5], [5]], attrs: { group: 5, pads: [1, 1, 1, 1], activation: { type: 'PRelu' } } });
    // One vec4 per row: both image edges in the same window.
    await checkOp({ op: 'Conv', inputs: [[1, 3, 6, 4], [3, 1, 3, 3], [3]], attrs: { group: 3, pads: [1, 1, 1, 1] } });
    // Constant weights (the graph's weights rather than inputs).
    await checkOp({ op: 'Conv', inputs: [[1, 6, 10, 8], [6, 1, 3, 3], [6], [6]], attrs: { group: 6, pads: [1, 1, 1, 1], activation: { type: 'PRelu' } }, constants: [1, 2, 3] });
    // 12 columns: the strip of 16 has only 3 vec4 inside.
    await checkOp({ op: 'Conv', inputs: [[1, 2, 9, 12], [2, 1, 3, 3], [2]], attrs: { group: 2, pads: [1, 1, 1, 1] } });
    // depthwise_rows.wgsl's strips of 16 columns x 32 rows: 40 columns (16 + 16 + 8) x 70 rows
    // (32 + 32 + 6), no top padding and 2 rows of bottom padding, batch 2.
    const ctx = await gpu();
    const dwAttrs = Conv.attrs({ group: 3, pads: [0, 1, 2, 1], activation: { type: 'PRelu' } });
    expect(Conv.kernels([[2, 3, 70, 40], [3, 1, 3, 3], [3], [3]], [[2, 3, 70, 40]], dwAttrs, { adapter: ctx.kernelClass, constant: () => false })[0]!.files).toContain('conv/depthwise_rows.wgsl');
    await checkOp({ op: 'Conv', inputs: [[2, 3, 70, 40], [3, 1, 3, 3], [3], [3]], attrs: { group: 3, pads: [0, 1, 2, 1], activation: { type: 'PRelu' } } });
  });
  it('depthwise 5x5 pad 2 on vec4 rows (depthwise_rows.wgsl K5): 40 columns (16 + 16 + 8), 70 rows (32 + 32 + 6), batch 2, fused PReLU', async () => {
    const ctx = await gpu();
    const attrs = { group: 3, pads: [2, 2, 2, 2], activation: { type: 'PRelu' } };
    const env = { adapter: ctx.kernelClass, constant: () => false };
    expect(Conv.kernels([[2, 3, 70, 40], [3, 1, 5, 5], [3], [3]], [[2, 3, 70, 40]], Conv.attrs(attrs), env)[0]!.defines.K5).toBe(true);
    await checkOp({ op: 'Conv', inputs: [[2, 3, 70, 40], [3, 1, 5, 5], [3], [3]], attrs });
    // One vec4 per row (both edges in one window), no top padding, 3 rows of bottom padding.
    await checkOp({ op: 'Conv', inputs: [[1, 4, 7, 4], [4, 1, 5, 5], [4]], attrs: { group: 4, pads: [1, 2, 3, 2] } });
    // 20 columns (a strip of 16 and one of 4), constant weights, HardSwish.
    await checkOp({ op: 'Conv', inputs: [[1, 2, 11, 20], [2, 1, 5, 5], [2]], attrs: { group: 2, pads: [2, 2, 2, 2], activation: { type: 'HardSwish' } }, constants: [1, 2] });
  });
  it('depthwise 3x3 stride 2 on vec4 rows (depthwise_rows.wgsl STRIDE2): 40 output columns (16 + 16 + 8), 70 output rows, batch 2, fused PReLU', async () => {
    const ctx = await gpu();
    const attrs = { group: 3, strides: [2, 2], pads: [1, 1, 1, 1], activation: { type: 'PRelu' } };
    const env = { adapter: ctx.kernelClass, constant: () => false };
    expect(Conv.kernels([[2, 3, 140, 80], [3, 1, 3, 3], [3], [3]], [[2, 3, 70, 40]], Conv.attrs(attrs), env)[0]!.defines.STRIDE2).toBe(true);
    await checkOp({ op: 'Conv', inputs: [[2, 3, 140, 80], [3, 1, 3, 3], [3], [3]], attrs });
    // Odd height, no top padding (the last output row's bottom row is padding), 8 columns in.
    await checkOp({ op: 'Conv', inputs: [[1, 5, 9, 8], [5, 1, 3, 3], [5]], attrs: { group: 5, strides: [2, 2], pads: [0, 1, 2, 1] } });
    // Constant weights, HardSwish, 33 rows in (17 out: one strip of 32 rows would hold them).
    await checkOp({ op: 'Conv', inputs: [[1, 4, 33, 24], [4, 1, 3, 3], [4]], attrs: { group: 4, strides: [2, 2], pads: [1, 1, 1, 1], activation: { type: 'HardSwish' } }, constants: [1, 2] });
  });
  it('depthwise on rows that are not vec4-aligned: depthwise_rows.wgsl value by value on lavapipe (SCALAR), 3x3 and 5x5 stride 1, 3x3 stride 2, several strips each way', async () => {
    const ctx = await gpu();
    const env = { adapter: ctx.kernelClass, constant: () => false };
    const s1 = { group: 3, pads: [1, 1, 1, 1], activation: { type: 'PRelu' } };
    const files = Conv.kernels([[2, 3, 45, 37], [3, 1, 3, 3], [3], [3]], [[2, 3, 45, 37]], Conv.attrs(s1), env)[0]!.files;
    expect(files.includes('conv/depthwise_rows.wgsl')).toBe(ctx.kernelClass === 'llvmpipe');
    await checkOp({ op: 'Conv', inputs: [[2, 3, 45, 37], [3, 1, 3, 3], [3], [3]], attrs: s1 });
    await checkOp({ op: 'Conv', inputs: [[1, 2, 38, 35], [2, 1, 5, 5], [2]], attrs: { group: 2, pads: [2, 1, 2, 3] } });
    await checkOp({ op: 'Conv', inputs: [[1, 4, 45, 37], [4, 1, 3, 3], [4]], attrs: { group: 4, strides: [2, 2], pads: [1, 0, 1, 1], activation: { type: 'Relu' } } });
  });
  it('depthwise 3x3 without padding, asymmetric pads, no bias, HardSwish', async () => {
    await checkOp({ op: 'Conv', inputs: [[1, 4, 17, 9], [4, 1, 3, 3]], attrs: { group: 4, activation: { type: 'HardSwish' } }, ranges: [[-4, 4]] });
    await checkOp({ op: 'Conv', inputs: [[1, 3, 10, 12], [3, 1, 3, 3], [3]], attrs: { group: 3, pads: [0, 2, 1, 0] } });
  });
});
