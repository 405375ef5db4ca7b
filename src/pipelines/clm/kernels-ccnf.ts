// Factories of the CCNF (OpenFace CLNF) kernels: the model's arrays uploaded once per fitter (3-D
// PDM; per scale the neurons, visibility and view centres; per (scale, ws) the Sigma set, built in
// float64 on first use), and one batch's schedule: per stage anchor (Procrustes onto the scale's
// reference shape, view) -> patches -> CCNF responses -> (statistics) -> rigid, then non-rigid
// iterations; finish. The patches, statistics and iteration kernels are the SVM path's.
import type { GpuContext } from '../../gpu/context.js';
import { BoundKernel, type KernelStep } from '../../gpu/kernel.js';
import type { Defines } from '../../gpu/shader-library.js';
import type { CcnfModel } from './ccnf-model.js';
import type { CcnfOptions } from './ccnf-options.js';
import * as K from './kernels.js';
import type { SigmaCache, SigmaMode } from './sigma.js';

export function ccnfLayout(model: CcnfModel, o: CcnfOptions): K.ClmLayout {
  const points = model.pdm.points;
  const params = 6 + model.pdm.modes;
  const maxWindow = Math.max(...o.stages.map((s) => s.windowSize));
  const maxPatch = Math.max(...o.stages.map((s) => model.scales[s.scale]!.patchSize));
  const maxAoi = maxWindow + maxPatch + 1;
  return {
    points,
    modes: model.pdm.modes,
    params,
    stateStride: K.stateStride(params, points),
    maxWindow,
    maxAoi,
    // The area, then the raw response map (shaders/clm/ccnf_response.wgsl).
    aoiStride: maxAoi * maxAoi + maxWindow * maxWindow,
    iterations: o.stages.reduce((s, st) => s + st.rigidIterations + st.iterations, 0),
  };
}

export interface CcnfScaleBuffers {
  neuronRanges: GPUBuffer;
  neuronTerms: GPUBuffer;
  neuronWeights: GPUBuffer;
  visible: GPUBuffer;
  viewCentres: GPUBuffer;
}

export interface CcnfModelBuffers {
  meanShape: GPUBuffer;
  eigenVectors: GPUBuffer;
  prior: GPUBuffer;
  scales: CcnfScaleBuffers[];
  destroy(): void;
}

export function uploadCcnfModel(ctx: GpuContext, model: CcnfModel, label: string): CcnfModelBuffers {
  const { pdm } = model;
  const prior = new Float32Array(2 * Math.max(1, pdm.modes));
  for (let k = 0; k < pdm.modes; k++) {
    prior[k] = 1 / pdm.eigenValues[k]!;
    prior[pdm.modes + k] = 3 * Math.sqrt(pdm.eigenValues[k]!);
  }
  const scales = model.scales.map((scale, s): CcnfScaleBuffers => {
    const n = pdm.points;
    const ps2 = scale.patchSize ** 2;
    const ranges = new Uint32Array(2 * scale.views.length * n);
    const neurons = scale.views.flatMap((view, v) =>
      view.patches.flatMap((patch, i) => {
        ranges[2 * (v * n + i) + 1] = patch.neurons.length;
        return patch.neurons;
      }),
    );
    let at = 0;
    for (let e = 0; e < scale.views.length * n; e++) {
      ranges[2 * e] = at;
      at += ranges[2 * e + 1]!;
    }
    const terms = new Float32Array(4 * Math.max(1, neurons.length));
    const weights = new Float32Array(ps2 * Math.max(1, neurons.length));
    neurons.forEach((k, j) => {
      terms.set([k.normWeights, k.bias, 2 * k.alpha, 0], 4 * j);
      weights.set(k.weights, j * ps2);
    });
    const visible = Uint32Array.from(scale.views.flatMap((v) => Array.from(v.visible)));
    const centres = Float32Array.from(scale.views.flatMap((v) => [...v.centreDeg.map((d) => (d * Math.PI) / 180), 0]));
    const l = `${label} scale ${s}`;
    return {
      neuronRanges: ctx.uploadBuffer(`${l} neuron ranges`, ranges),
      neuronTerms: ctx.uploadBuffer(`${l} neuron terms`, terms),
      neuronWeights: ctx.uploadBuffer(`${l} neuron weights`, weights),
      visible: ctx.uploadBuffer(`${l} visibility`, visible),
      viewCentres: ctx.uploadBuffer(`${l} view centres`, centres),
    };
  });
  const buffers: CcnfModelBuffers = {
    meanShape: ctx.uploadBuffer(`${label} mean shape`, pdm.meanShape),
    eigenVectors: ctx.uploadBuffer(`${label} eigenvectors`, pdm.modes ? pdm.eigenVectors : new Float32Array(1)),
    prior: ctx.uploadBuffer(`${label} prior`, prior),
    scales,
    destroy() {
      for (const b of [buffers.meanShape, buffers.eigenVectors, buffers.prior, ...scales.flatMap((x) => Object.values(x) as GPUBuffer[])]) b.destroy();
    },
  };
  return buffers;
}

/** Sigma sets on the GPU per (scale, ws, mode), uploaded on first use (every view). */
export class SigmaBuffers {
  private readonly buffers = new Map<string, GPUBuffer>();

  constructor(
    private readonly ctx: GpuContext,
    private readonly cache: SigmaCache,
    private readonly label: string,
  ) {}

  get(scale: number, ws: number, mode: SigmaMode): GPUBuffer {
    const key = `${scale}:${ws}:${mode}`;
    let b = this.buffers.get(key);
    if (!b) {
      const set = this.cache.get(scale, ws, mode);
      const all = new Float32Array(set.views.reduce((s, v) => s + v.length, 0));
      let at = 0;
      for (const v of set.views) {
        all.set(v, at);
        at += v.length;
      }
      b = this.ctx.uploadBuffer(`${this.label} sigma scale ${scale} ws ${ws} (${mode})`, all);
      this.buffers.set(key, b);
    }
    return b;
  }

  destroy(): void {
    this.buffers.forEach((b) => b.destroy());
    this.buffers.clear();
  }
}

interface StepValues {
  stage: number;
  window: number;
  sigma2: number;
  reg: number;
  slot: number;
  rigid: boolean;
  phaseStart: boolean;
}

function uniforms(l: K.ClmLayout, model: CcnfModel, faces: number, o: CcnfOptions, v: StepValues) {
  const stage = o.stages[v.stage]!;
  const scale = model.scales[stage.scale]!;
  return {
    faces,
    points: l.points,
    modes: l.modes,
    state_stride: l.stateStride,
    window: v.window,
    patch_size: scale.patchSize,
    aoi_side: v.window + scale.patchSize + 1,
    max_window: l.maxWindow,
    types: 0,
    sigma2: v.sigma2,
    reg: v.reg,
    convergence: o.convergence,
    trace_slot: v.slot,
    trace_stride: l.iterations,
    aoi_stride: l.aoiStride,
    round_check: 0,
    round_convergence: 0,
    stage: v.stage,
    stages: o.stages.length,
    ref_scale: scale.patchScaling,
    rigid: v.rigid ? 1 : 0,
    phase_start: v.phaseStart ? 1 : 0,
    views: scale.views.length,
  };
}

export interface CcnfScheduleInput {
  model: CcnfModel;
  options: CcnfOptions;
  sigmaModes: readonly SigmaMode[];
  layout: K.ClmLayout;
  faces: number;
  modelBuffers: CcnfModelBuffers;
  sigmas: SigmaBuffers;
  batch: K.BatchBuffers;
}

/** The kernels of a batch by step: the SVM path's (kernels.ts) with the 3-D PDM and CCNF responses. */
export function ccnfKernelSources(l: K.ClmLayout, pixels: Defines): K.ClmKernelSources {
  const svm = K.kernelSources(l, pixels, []);
  const fit = (entry: string) => ({ files: ['clm/common.wgsl', 'clm/pdm3d.wgsl', 'clm/clm_fit.wgsl'], entry, defines: svm.anchor.defines });
  return {
    ...svm,
    anchor: fit('anchor'),
    responses: ['ccnf_raw', 'ccnf_sigma', 'ccnf_shift'].map((entry) => ({ files: ['common/indexing.wgsl', 'clm/common.wgsl', 'clm/ccnf_response.wgsl'], entry, defines: svm.anchor.defines })),
    iterate: fit('iterate'),
    finish: fit('finish'),
  };
}

/** Every step of one batch, in order (the SVM schedule's shape: anchor, patches, response, stats, iterations). */
export async function ccnfSchedule(ctx: GpuContext, label: string, x: CcnfScheduleInput): Promise<K.ClmSchedule> {
  const { model, options: o, layout: l, faces, modelBuffers: mb, batch: b } = x;
  const src = ccnfKernelSources(l, b.pixels.defines);
  const fitKernel = (entry: 'anchor' | 'iterate' | 'finish', v: StepValues, name: string) => {
    const sb = mb.scales[o.stages[v.stage]!.scale]!;
    return BoundKernel.create(ctx, { label: `${label} ${name}`, ...src[entry] }, uniforms(l, model, faces, o, v), {
      state: b.state,
      mean_shape: mb.meanShape,
      eigen_vectors: mb.eigenVectors,
      prior: mb.prior,
      responses: b.responses,
      trace: b.trace,
      output_list: b.output,
      visible_mask: sb.visible,
      view_centres: sb.viewCentres,
    });
  };
  let slot = 0;
  const stages: K.ClmSchedule['stages'] = [];
  for (const [k, stage] of o.stages.entries()) {
    const sb = mb.scales[stage.scale]!;
    const base: StepValues = { stage: k, window: stage.windowSize, sigma2: stage.sigma2, reg: stage.reg, slot: 0, rigid: false, phaseStart: false };
    const anchor = (await fitKernel('anchor', base, `stage ${k} anchor`)).groups([faces, 1, 1]);
    const patches = (
      await BoundKernel.create(ctx, { label: `${label} stage ${k} patches`, ...src.patches }, uniforms(l, model, faces, o, base), {
        ...b.pixels.buffers,
        faces: b.faces,
        state: b.state,
        aoi: b.aoi,
      })
    ).groups([l.points, faces, 1]);
    const responseBuffers = {
      state: b.state,
      aoi: b.aoi,
      responses: b.responses,
      neuron_ranges: sb.neuronRanges,
      neuron_terms: sb.neuronTerms,
      neuron_weights: sb.neuronWeights,
      sigma: x.sigmas.get(stage.scale, stage.windowSize, x.sigmaModes[k]!),
      visible_mask: sb.visible,
    };
    const responseKernel = (j: number, name: string) => BoundKernel.create(ctx, { label: `${label} stage ${k} ${name}`, ...src.responses[j]! }, uniforms(l, model, faces, o, base), responseBuffers);
    const cells = faces * l.points * stage.windowSize ** 2;
    const responses = [
      (await responseKernel(0, 'raw responses')).over(cells),
      (await responseKernel(1, 'Sigma responses')).over(cells),
      (await responseKernel(2, 'shifted responses')).over(faces * l.points),
    ];
    const stats = b.stats
      ? (
          await BoundKernel.create(ctx, { label: `${label} stage ${k} response statistics`, ...src.stats }, uniforms(l, model, faces, o, base), {
            state: b.state,
            responses: b.responses,
            stats: b.stats,
          })
        ).groups([l.points, faces, 1])
      : undefined;
    const iterations: KernelStep[] = [];
    for (const [rigid, count] of [
      [true, stage.rigidIterations],
      [false, stage.iterations],
    ] as const) {
      for (let j = 0; j < count; j++) {
        const v: StepValues = { ...base, slot: slot++, rigid, phaseStart: j === 0 };
        iterations.push((await fitKernel('iterate', v, `stage ${k} ${rigid ? 'rigid' : 'non-rigid'} iteration ${j}`)).groups([faces, 1, 1]));
      }
    }
    stages.push({ anchor, patches, responses, iterations, ...(stats ? { stats } : {}) });
  }
  const finish = (await fitKernel('finish', { stage: o.stages.length - 1, window: 1, sigma2: 1, reg: 0, slot: 0, rigid: false, phaseStart: false }, 'finish')).groups([faces, 1, 1]);
  return { stages, finish };
}
