// ConvTranspose (ONNX semantics, 2-D): strides, pads, dilations, output_padding, groups, optional
// bias, optional fused activation. (auto_pad and output_shape are not supported: explicit pads only.)
import { activationDefines, applyActivation, parseFusedActivation, type Activation } from './activation.js';
import { parsePads } from './padding.js';
import { DEFAULT_WORKGROUP_SIZE, formatShape, intList, newTensor, onlyKnownAttrs, requireRank, roundingFor, sizeOf } from './tensor-utils.js';
import { ShapeError, type OpDescriptor, type Shape } from './types.js';

export interface ConvTransposeAttrs {
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number];
  outputPadding: [number, number];
  group: number;
  kernelShape?: [number, number];
  activation: Activation;
}

function geometry(inputs: ReadonlyArray<Shape | undefined>, a: ConvTransposeAttrs) {
  const [n, c, h, w] = requireRank(inputs[0], 4, 'ConvTranspose input X');
  const [cw, mg, kh, kw] = requireRank(inputs[1], 4, 'ConvTranspose weight W');
  if (cw !== c) throw new ShapeError(`ConvTranspose: weight ${formatShape(inputs[1])} has ${cw} input channels, X has ${c}`);
  if (c! % a.group !== 0) throw new ShapeError(`ConvTranspose: ${c} input channels do not divide by group=${a.group}`);
  if (a.kernelShape && (a.kernelShape[0] !== kh || a.kernelShape[1] !== kw)) throw new ShapeError(`ConvTranspose: kernel_shape ${formatShape(a.kernelShape)} disagrees with weight ${formatShape(inputs[1])}`);
  const m = mg! * a.group;
  const bias = inputs[2];
  if (bias && (bias.length !== 1 || bias[0] !== m)) throw new ShapeError(`ConvTranspose: bias must be [${m}], got ${formatShape(bias)}`);
  const oh = a.strides[0] * (h! - 1) + a.outputPadding[0] + (kh! - 1) * a.dilations[0] + 1 - a.pads[0] - a.pads[2];
  const ow = a.strides[1] * (w! - 1) + a.outputPadding[1] + (kw! - 1) * a.dilations[1] + 1 - a.pads[1] - a.pads[3];
  if (oh < 1 || ow < 1) throw new ShapeError(`ConvTranspose: output ${oh}x${ow} is empty`);
  return { n: n!, c: c!, h: h!, w: w!, m, kh: kh!, kw: kw!, oh, ow };
}

export const ConvTranspose: OpDescriptor<ConvTransposeAttrs> = {
  type: 'ConvTranspose',
  inputNames: ['X', 'W', 'B'],
  required: 2,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, ['kernel_shape', 'strides', 'dilations', 'pads', 'output_padding', 'group', 'auto_pad', 'output_shape', 'activation'], 'ConvTranspose');
    if (raw.auto_pad !== undefined && raw.auto_pad !== 'NOTSET') throw new Error(`ConvTranspose: auto_pad '${String(raw.auto_pad)}' is not supported (explicit pads only)`);
    if (raw.output_shape !== undefined) throw new Error('ConvTranspose: output_shape is not supported (give pads and output_padding)');
    const strides = (raw.strides === undefined ? [1, 1] : intList(raw.strides, 'strides', 2)) as [number, number];
    const dilations = (raw.dilations === undefined ? [1, 1] : intList(raw.dilations, 'dilations', 2)) as [number, number];
    const outputPadding = (raw.output_padding === undefined ? [0, 0] : intList(raw.output_padding, 'output_padding', 2)) as [number, number];
    if ([...strides, ...dilations].some((v) => v < 1)) throw new Error('ConvTranspose: strides and dilations must be >= 1');
    if (outputPadding.some((p, i) => p < 0 || p >= Math.max(strides[i]!, dilations[i]!))) throw new Error('ConvTranspose: output_padding must be smaller than the stride or dilation');
    const group = raw.group === undefined ? 1 : Number(raw.group);
    if (!Number.isInteger(group) || group < 1) throw new Error(`ConvTranspose: group must be a positive integer, got ${raw.group}`);
    const activation = parseFusedActivation(raw.activation);
    if (activation.type === 'PRelu') throw new Error('ConvTranspose: fused PRelu is not supported');
    return {
      strides, dilations, outputPadding, group, activation,
      pads: parsePads(raw.pads),
      kernelShape: raw.kernel_shape === undefined ? undefined : (intList(raw.kernel_shape, 'kernel_shape', 2) as [number, number]),
    };
  },
  inferShapes(inputs, a) {
    const g = geometry(inputs, a);
    return [[g.n, g.m, g.oh, g.ow]];
  },
  kernels(inputs, outputs, a) {
    const g = geometry(inputs, a);
    const count = sizeOf(outputs[0]!);
    const twoByTwo = g.kh === 2 && g.kw === 2 && a.strides.every((s) => s === 2) && a.dilations.every((d) => d === 1) && a.pads.every((p) => p === 0) && a.outputPadding.every((p) => p === 0) && a.group === 1;
    if (twoByTwo) {
      const ocBlock = g.m === 1 ? 1 : 4;
      return [
        {
          files: ['common/activation.wgsl', 'conv/finish.wgsl', 'conv/conv_transpose_2x2.wgsl'],
          // 4 input pixels per invocation: PP-OCRv4's 24->24 @160 and 24->1 @320 (sigmoid) on
          // lavapipe, 32-52 -> 11-12 ms and 35 -> < 6 ms (one pixel per invocation before).
          defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, HAS_BIAS: inputs[2] !== undefined, ACT_PRELU: false, OC_BLOCK: ocBlock, OC_BLOCK_4: ocBlock === 4, X_VEC4: (g.h * g.w) % 4 === 0, ...activationDefines(a.activation) },
          params: { in_channels: g.c, in_height: g.h, in_width: g.w, out_channels: g.m, alpha: a.activation.alpha, beta: a.activation.beta, post_scale: a.activation.scale, post_shift: a.activation.shift },
          // 4 input pixels per invocation along x, OC_BLOCK output channels per workgroup along y.
          workgroups: [Math.ceil((g.h * g.w) / (4 * DEFAULT_WORKGROUP_SIZE)), Math.ceil(g.m / ocBlock), g.n],
        },
      ];
    }
    return [
      {
        files: ['common/indexing.wgsl', 'common/activation.wgsl', 'conv/finish.wgsl', 'conv/conv_transpose.wgsl'],
        defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, HAS_BIAS: inputs[2] !== undefined, ACT_PRELU: false, ...activationDefines(a.activation) },
        params: {
          count, in_channels: g.c, in_height: g.h, in_width: g.w, out_channels: g.m, out_height: g.oh, out_width: g.ow,
          kernel_height: g.kh, kernel_width: g.kw, stride_y: a.strides[0], stride_x: a.strides[1], pad_top: a.pads[0], pad_left: a.pads[1],
          dilation_y: a.dilations[0], dilation_x: a.dilations[1], in_channels_per_group: g.c / a.group, out_channels_per_group: g.m / a.group,
          alpha: a.activation.alpha, beta: a.activation.beta, post_scale: a.activation.scale, post_shift: a.activation.shift,
        },
        invocations: count,
      },
    ];
  },
  reference([x, w, b], a, precision) {
    const g = geometry([x!.shape, w!.shape, b?.shape], a);
    const r = roundingFor(precision);
    // Scatter form (independent of the shader's gather form): every input pixel adds its weighted
    // kernel into the output.
    const acc = new Float64Array(g.n * g.m * g.oh * g.ow);
    const cg = g.c / a.group;
    const mg = g.m / a.group;
    for (let n = 0; n < g.n; n++)
      for (let c = 0; c < g.c; c++) {
        const group = Math.floor(c / cg);
        for (let iy = 0; iy < g.h; iy++)
          for (let ix = 0; ix < g.w; ix++) {
            const xv = x!.data[((n * g.c + c) * g.h + iy) * g.w + ix]!;
            for (let ml = 0; ml < mg; ml++) {
              const m = group * mg + ml;
              for (let ky = 0; ky < g.kh; ky++) {
                const oy = iy * a.strides[0] - a.pads[0] + ky * a.dilations[0];
                if (oy < 0 || oy >= g.oh) continue;
                for (let kx = 0; kx < g.kw; kx++) {
                  const ox = ix * a.strides[1] - a.pads[1] + kx * a.dilations[1];
                  if (ox < 0 || ox >= g.ow) continue;
                  const o = ((n * g.m + m) * g.oh + oy) * g.ow + ox;
                  acc[o] = r(acc[o]! + r(xv * w!.data[((c * mg + ml) * g.kh + ky) * g.kw + kx]!));
                }
              }
            }
          }
      }
    const out = newTensor([g.n, g.m, g.oh, g.ow], precision);
    for (let i = 0; i < acc.length; i++) {
      const m = Math.floor(i / (g.oh * g.ow)) % g.m;
      out.data[i] = r(applyActivation(a.activation, b ? r(acc[i]! + b.data[m]!) : acc[i]!));
    }
    return [out];
  },
};
