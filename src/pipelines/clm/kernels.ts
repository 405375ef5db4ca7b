// Factories of the CLM kernels (shaders/clm/): the model's arrays uploaded once per fitter, and the
// steps of one batch's schedule (anchor -> patches -> responses -> iterations per stage, finish).
import type { GpuContext } from '../../gpu/context.js';
import { BoundKernel, type KernelStep } from '../../gpu/kernel.js';
import type { KernelSource } from '../../gpu/pipeline-cache.js';
import type { Defines } from '../../gpu/shader-library.js';
import { pixelDefines, windowPixels, type PixelBindings } from '../floor/pixels.js';
import { SVM_RESPONSES, type ClmModel, type SvmResponse } from './model.js';
import type { ClmOptions } from './options.js';
import { eulerToRotation } from './reference-ccnf.js';

export const CLM_WORKGROUP_SIZE = 64;
/**
 * Floats per face after params and anchor: a, b, converged, iterations, move, likelihood, sigma2,
 * window, stage done, view, then (3-D models) the rotation matrix, 9 floats row-major.
 */
export const STATE_EXTRA = 19;
const ROTATION_SLOT = 10;

/**
 * Floats per face in the state buffer: params, anchor [2n], the STATE_EXTRA slots, then the
 * iteration's scratch Jacobian [2n x params] (clm_fit.wgsl: built once, read by J^T J and J^T v).
 */
export function stateStride(params: number, points: number): number {
  return params + 2 * points + STATE_EXTRA + 2 * points * params;
}
/** Floats per face in the output list after its 2n coordinates: converged, iterations, likelihood, last move. */
export const OUTPUT_EXTRA = 4;
export const TRACE_FIELDS = 6;
/** Floats per (face, stage, landmark) in the diagnostics buffer (shaders/clm/clm_stats.wgsl). */
export const STATS_FIELDS = 10;

export interface ClmLayout {
  points: number;
  modes: number;
  params: number;
  stateStride: number;
  maxWindow: number;
  /** AOI side with margin at the largest window. */
  maxAoi: number;
  aoiStride: number;
  /** Iterations in the whole schedule (trace slots per face). */
  iterations: number;
}

export function clmLayout(model: ClmModel, o: ClmOptions): ClmLayout {
  const points = model.pdm.points;
  const params = 4 + model.pdm.modes;
  const maxWindow = Math.max(...o.stages.map((s) => s.windowSize));
  const maxAoi = maxWindow + model.experts.patchSize + 1;
  return {
    points,
    modes: model.pdm.modes,
    params,
    stateStride: stateStride(params, points),
    maxWindow,
    maxAoi,
    // The area, then each response type's raw map (shaders/clm/clm_response.wgsl).
    aoiStride: maxAoi * maxAoi + 3 * maxWindow * maxWindow,
    iterations: o.stages.reduce((s, st) => s + st.iterations.length, 0),
  };
}

export interface ModelBuffers {
  meanShape: GPUBuffer;
  eigenVectors: GPUBuffer;
  prior: GPUBuffer;
  filters: GPUBuffer;
  biases: GPUBuffer;
  /** Every landmark visible in the one view (u32 ones) and that view's centre (zeros). */
  visible: GPUBuffer;
  viewCentres: GPUBuffer;
}

/** The model's arrays on the GPU (every response type the model has: responseBlocks says where). */
export function uploadModel(ctx: GpuContext, model: ClmModel, label: string): ModelBuffers {
  const { pdm, experts } = model;
  const prior = new Float32Array(2 * pdm.modes);
  for (let k = 0; k < pdm.modes; k++) {
    prior[k] = pdm.unregularised.includes(k) ? 1e-7 : 1 / pdm.eigenValues[k]!;
    prior[pdm.modes + k] = 3 * Math.sqrt(pdm.eigenValues[k]!);
  }
  const types = modelResponseTypes(model);
  const concat = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return {
    meanShape: ctx.uploadBuffer(`${label} mean shape`, pdm.meanShape),
    eigenVectors: ctx.uploadBuffer(`${label} eigenvectors`, pdm.modes ? pdm.eigenVectors : new Float32Array(1)),
    prior: ctx.uploadBuffer(`${label} prior`, pdm.modes ? prior : new Float32Array(2)),
    filters: ctx.uploadBuffer(`${label} filters`, concat(types.map((t) => experts.weights[t]!))),
    biases: ctx.uploadBuffer(`${label} biases`, concat(types.map((t) => experts.bias[t]!))),
    visible: ctx.uploadBuffer(`${label} visibility`, new Uint32Array(pdm.points).fill(1)),
    viewCentres: ctx.uploadBuffer(`${label} view centres`, new Float32Array(4)),
  };
}

/** The response types a model has patch experts for: its filter blocks, in order. */
function modelResponseTypes(model: ClmModel): SvmResponse[] {
  return SVM_RESPONSES.filter((t) => model.experts.weights[t]);
}

/** A response type a fit averages: its patch transform and its filters' block in the model. */
export interface ResponseBlock {
  type: SvmResponse;
  block: number;
}

/** The response types `o` asks for, with their filter blocks in the model (uploadModel's order). */
export function responseBlocks(model: ClmModel, o: ClmOptions): ResponseBlock[] {
  const types = modelResponseTypes(model);
  return o.responses.map((type) => {
    const block = types.indexOf(type);
    if (block < 0) throw new RangeError(`${model.name} has no '${type}' patch experts (it has ${types.join(', ')})`);
    return { type, block };
  });
}

export interface BatchBuffers {
  faces: GPUBuffer;
  state: GPUBuffer;
  aoi: GPUBuffer;
  responses: GPUBuffer;
  trace: GPUBuffer;
  output: GPUBuffer;
  pixels: PixelBindings;
  /** Response statistics per stage ([face][stage][landmark + 1][STATS_FIELDS]), with diagnostics. */
  stats?: GPUBuffer;
}

interface StageValues {
  window: number;
  sigma2: number;
  reg: number;
  slot: number;
  /** This stage repeats the previous one: its anchor tests round convergence. */
  roundCheck?: boolean;
  stage: number;
}

function uniforms(l: ClmLayout, model: ClmModel, faces: number, o: ClmOptions, types: number, s: StageValues) {
  return {
    faces,
    points: l.points,
    modes: l.modes,
    state_stride: l.stateStride,
    window: s.window,
    patch_size: model.experts.patchSize,
    aoi_side: s.window + model.experts.patchSize + 1,
    max_window: l.maxWindow,
    types,
    sigma2: s.sigma2,
    reg: s.reg,
    convergence: o.convergence,
    trace_slot: s.slot,
    trace_stride: l.iterations,
    aoi_stride: l.aoiStride,
    round_check: s.roundCheck ? 1 : 0,
    round_convergence: o.roundConvergence,
    stage: s.stage,
    stages: o.stages.length,
    ref_scale: 1,
    rigid: 0,
    phase_start: 0,
    views: 1,
  };
}

export interface ClmSchedule {
  /** `responses`: the response kernels in dispatch order. */
  stages: Array<{ anchor: KernelStep; patches: KernelStep; responses: KernelStep[]; stats?: KernelStep; iterations: KernelStep[] }>;
  finish: KernelStep;
}

export type ClmKernelSources = Record<'anchor' | 'patches' | 'iterate' | 'finish' | 'stats', KernelSource> & {
  /** The response kernels in dispatch order. */
  responses: KernelSource[];
};

/** The kernels of a batch by step, for `pixels` (floor/pixels.ts uploadPixels' defines) and the response types `blocks`. */
export function kernelSources(l: ClmLayout, pixels: Defines, blocks: readonly ResponseBlock[]): ClmKernelSources {
  const defines = { WORKGROUP_SIZE: CLM_WORKGROUP_SIZE, POINTS: l.points, PARAMS: l.params };
  const fit = (entry: string) => ({ files: ['clm/common.wgsl', 'clm/pdm2d.wgsl', 'clm/clm_fit.wgsl'], entry, defines });
  // One raw-map pipeline per response type (its transform and filter block are defines), then the
  // normalisation, which reads the types from params.types.
  const response = (entry: string, b: ResponseBlock) => ({
    files: ['common/indexing.wgsl', 'clm/common.wgsl', 'clm/clm_response.wgsl'],
    entry,
    defines: { ...defines, BLOCK: b.block, KIND_SOBEL: b.type === 'sobel', KIND_LBP: b.type === 'lbp' },
  });
  return {
    anchor: fit('anchor'),
    patches: { files: ['image/pixels.wgsl', 'clm/common.wgsl', 'clm/clm_patches.wgsl'], entry: 'patches', defines: { ...defines, ...pixels } },
    responses: [...blocks.map((b) => response('response_map', b)), response('response_normalise', { type: 'raw', block: 0 })],
    iterate: fit('iterate'),
    finish: fit('finish'),
    stats: { files: ['clm/common.wgsl', 'clm/clm_stats.wgsl'], entry: 'stats_of_stage', defines },
  };
}

/**
 * Sends a fitter's kernels to lavapipe's helper device (gpu/jit-warmer.ts; a no-op elsewhere), for
 * a batch that fits one pixel window (the usual case), statistics only with diagnostics.
 */
export function prewarmKernels(ctx: GpuContext, label: string, sources: (pixels: Defines) => ClmKernelSources, diagnostics: boolean): void {
  const src = sources(pixelDefines(false, windowPixels(ctx)));
  const steps = ['anchor', 'patches', 'iterate', 'finish', ...(diagnostics ? ['stats' as const] : [])] as const;
  for (const step of steps) ctx.pipelines.prewarm(src[step], `${label} ${step}`);
  src.responses.forEach((r, k) => ctx.pipelines.prewarm(r, `${label} responses ${k}`));
}

/** Every step of one batch, in order. */
export async function schedule(ctx: GpuContext, label: string, model: ClmModel, o: ClmOptions, l: ClmLayout, faces: number, mb: ModelBuffers, b: BatchBuffers): Promise<ClmSchedule> {
  const blocks = responseBlocks(model, o);
  // Response types as a bit mask over the model's filter blocks.
  const typeMask = blocks.reduce((mask, r) => mask | (1 << r.block), 0);
  const src = kernelSources(l, b.pixels.defines, blocks);
  const fitBuffers = { state: b.state, mean_shape: mb.meanShape, eigen_vectors: mb.eigenVectors, prior: mb.prior, responses: b.responses, trace: b.trace, output_list: b.output, visible_mask: mb.visible, view_centres: mb.viewCentres };
  const fitKernel = (entry: 'anchor' | 'iterate' | 'finish', s: StageValues, name: string) => BoundKernel.create(ctx, { label: `${label} ${name}`, ...src[entry] }, uniforms(l, model, faces, o, typeMask, s), fitBuffers);
  let slot = 0;
  const stages: ClmSchedule['stages'] = [];
  for (const [k, stage] of o.stages.entries()) {
    const values: StageValues = { window: stage.windowSize, sigma2: 1, reg: 0, slot: 0, stage: k, roundCheck: k > 0 && o.stages[k - 1]!.windowSize === stage.windowSize };
    const anchor = (await fitKernel('anchor', values, `stage ${k} anchor`)).groups([faces, 1, 1]);
    const patches = (
      await BoundKernel.create(ctx, { label: `${label} stage ${k} patches`, ...src.patches }, uniforms(l, model, faces, o, typeMask, values), {
        ...b.pixels.buffers,
        faces: b.faces,
        state: b.state,
        aoi: b.aoi,
      })
    ).groups([l.points, faces, 1]);
    const responseBuffers = { state: b.state, aoi: b.aoi, responses: b.responses, filters: mb.filters, biases: mb.biases };
    const responseKernel = (source: KernelSource, name: string) => BoundKernel.create(ctx, { label: `${label} stage ${k} ${name}`, ...source }, uniforms(l, model, faces, o, typeMask, values), responseBuffers);
    // response_map: one invocation per row and block of 4 response pixels of each landmark's map.
    const mapInvocations = faces * l.points * stage.windowSize * Math.ceil(stage.windowSize / 4);
    const responses: KernelStep[] = [];
    for (const [j, r] of blocks.entries()) responses.push((await responseKernel(src.responses[j]!, `${r.type} responses`)).over(mapInvocations));
    responses.push((await responseKernel(src.responses[blocks.length]!, 'normalised responses')).over(faces * l.points));
    const iterations: KernelStep[] = [];
    for (const [j, it] of stage.iterations.entries()) {
      iterations.push((await fitKernel('iterate', { window: stage.windowSize, sigma2: it.sigma2, reg: it.reg, slot: slot++, stage: k }, `stage ${k} iteration ${j}`)).groups([faces, 1, 1]));
    }
    const stats = b.stats
      ? (
          await BoundKernel.create(ctx, { label: `${label} stage ${k} response statistics`, ...src.stats }, uniforms(l, model, faces, o, typeMask, values), {
            state: b.state,
            responses: b.responses,
            stats: b.stats,
          })
        ).groups([l.points, faces, 1])
      : undefined;
    stages.push({ anchor, patches, responses, iterations, ...(stats ? { stats } : {}) });
  }
  const finish = (await fitKernel('finish', { window: 1, sigma2: 1, reg: 0, slot: 0, stage: 0 }, 'finish')).groups([faces, 1, 1]);
  return { stages, finish };
}

/** Initial state of every face: parameters (similarity from the initialiser, modes 0), flags 0. */
export function initialState(l: ClmLayout, inits: ReadonlyArray<readonly number[]>): Float32Array<ArrayBuffer> {
  const state = new Float32Array(Math.max(1, inits.length) * l.stateStride);
  // The pose (2-D: 4 values, 3-D: 6), modes 0; a 3-D pose's rotation matrix in float64 (the
  // shader's sin / cos may be coarse).
  const globals = l.params - l.modes;
  inits.forEach((p, f) => {
    state.set(p.slice(0, globals), f * l.stateStride);
    if (globals === 6) state.set(eulerToRotation(p[1]!, p[2]!, p[3]!), f * l.stateStride + l.params + 2 * l.points + ROTATION_SLOT);
  });
  return state;
}
