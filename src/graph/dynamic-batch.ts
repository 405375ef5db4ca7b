// GPU-sized batches: a graph compiled for a batch capacity C runs on the first n <= C samples, where
// n lives in a GPU buffer (e.g. the number of face candidates a previous stage kept). Every dispatch
// then takes its grid from an indirect-arguments buffer that a small kernel fills from n, using the
// launch table built here.
//
// The table is derived mechanically: the graph is re-analysed at smaller batch sizes and each
// dispatch's grid is compared with its grid at C. A dispatch whose flat invocation count is
// proportional to the batch runs exactly n samples ('flat'); one whose grid has an axis equal to the
// batch times a constant runs exactly n along it ('axis'); anything else runs whole or not at all
// ('whole': the full capacity grid when n > 0, which only computes extra rows nobody reads).
// A kernel may also declare that an axis spans ceil(n * units / units-per-workgroup) workgroups
// ('ceil', KernelCall.batchLaunch); the declaration is used only if the probes confirm it.
// Batch-major layout is required: every produced tensor's dim 0 must be the batch.
import { foldDispatch } from '../gpu/launch.js';
import { analyzeGraph, type Analysis, type Step } from './analyze.js';
import { GraphError, nodeLabel, type Graph } from './types.js';
import type { KernelCall, KernelEnv } from '../ops/types.js';

export const LAUNCH_WHOLE = 0;
export const LAUNCH_FLAT = 1;
export const LAUNCH_AXIS = 2;
export const LAUNCH_CEIL = 3;

/** u32 per dispatch in the launch table: mode, axis, per-sample units, units per workgroup, grid at C (3), pad. */
export const LAUNCH_ENTRY_WORDS = 8;

export interface LaunchEntry {
  mode: typeof LAUNCH_WHOLE | typeof LAUNCH_FLAT | typeof LAUNCH_AXIS | typeof LAUNCH_CEIL;
  axis: number;
  perSample: number;
  workgroupSize: number;
  grid: [number, number, number];
}

type Call = { label: string; call: KernelCall; workgroupSize: number; grid: [number, number, number] };
type EnvOf = (analysis: Analysis, step: Step) => KernelEnv;

function calls(analysis: Analysis, workgroupSizes: number[], maxPerDim: number, envOf: EnvOf): Call[] {
  const out: Call[] = [];
  for (const step of analysis.steps) {
    for (const call of step.op.kernels(step.inputShapes, step.outputShapes, step.attrs, envOf(analysis, step))) {
      const wg = workgroupSizes[out.length] ?? 1;
      out.push({
        label: nodeLabel(step.node),
        call,
        workgroupSize: wg,
        grid: call.workgroups ?? foldDispatch(call.invocations ?? 0, wg, maxPerDim),
      });
    }
  }
  return out;
}

function predict(e: LaunchEntry, n: number, capacity: number, maxPerDim: number): [number, number, number] {
  if (n === 0) return [0, 0, 0];
  if (e.mode === LAUNCH_FLAT) return foldDispatch(n * e.perSample, e.workgroupSize, maxPerDim);
  if (e.mode === LAUNCH_AXIS) {
    const g: [number, number, number] = [...e.grid];
    g[e.axis] = n * e.perSample;
    return g;
  }
  if (e.mode === LAUNCH_CEIL) {
    const g: [number, number, number] = [...e.grid];
    g[e.axis] = Math.ceil((n * e.perSample) / e.workgroupSize);
    return g;
  }
  return n > 0 ? [...e.grid] : [0, 0, 0];
}

export function buildLaunchTable(
  graph: Graph,
  inputShapes: Readonly<Record<string, readonly number[]>>,
  atCapacity: Analysis,
  workgroupSizes: number[],
  maxPerDim: number,
  envOf: EnvOf,
): { entries: LaunchEntry[]; capacity: number } {
  const capacity = graph.inputs.map((i) => inputShapes[i.name]?.[0]).find((d) => d !== undefined);
  if (capacity === undefined || graph.inputs.some((i) => inputShapes[i.name]?.[0] !== capacity)) {
    throw new GraphError(`graph '${graph.name}': a dynamic batch needs every input's shape given with the same dim 0 (the capacity)`);
  }
  const base = calls(atCapacity, workgroupSizes, maxPerDim, envOf);
  const probes = [...new Set([capacity - 1, Math.ceil(capacity / 2), 1])].filter((b) => b >= 1 && b < capacity);
  const probed = probes.map((b) => {
    const shapes = Object.fromEntries(Object.entries(inputShapes).map(([k, s]) => [k, [b, ...s.slice(1)]]));
    const analysis = analyzeGraph(graph, shapes);
    for (const [tensor, kind] of analysis.kind) {
      if (kind !== 'produced') continue;
      const at = analysis.shapes.get(tensor)!;
      const full = atCapacity.shapes.get(tensor)!;
      if (at[0] !== b || full[0] !== capacity || at.slice(1).join() !== full.slice(1).join()) {
        throw new GraphError(`graph '${graph.name}': tensor '${tensor}' is not batch-major ([${full}] at batch ${capacity}, [${at}] at ${b}); it cannot run with a GPU-sized batch`);
      }
    }
    return { b, calls: calls(analysis, workgroupSizes, maxPerDim, envOf) };
  });
  const sameVariant = (a: KernelCall, b: KernelCall) => JSON.stringify([a.files, a.defines]) === JSON.stringify([b.files, b.defines]);
  const entries = base.map((c, i): LaunchEntry => {
    const comparable = probed.filter((p) => p.calls.length === base.length && sameVariant(p.calls[i]!.call, c.call));
    const candidates: LaunchEntry[] = [];
    if (!c.call.workgroups && c.call.invocations !== undefined && c.call.invocations % capacity === 0) {
      candidates.push({ mode: LAUNCH_FLAT, axis: 0, perSample: c.call.invocations / capacity, workgroupSize: c.workgroupSize, grid: c.grid });
    }
    if (c.call.batchLaunch) {
      const b = c.call.batchLaunch;
      candidates.push({ mode: LAUNCH_CEIL, axis: b.axis, perSample: b.perSample, workgroupSize: b.perWorkgroup, grid: c.grid });
    }
    if (c.call.workgroups) {
      c.grid.forEach((g, axis) => {
        if (g % capacity === 0) candidates.push({ mode: LAUNCH_AXIS, axis, perSample: g / capacity, workgroupSize: c.workgroupSize, grid: c.grid });
      });
    }
    const fits = candidates.find((e) => comparable.length > 0 && comparable.every((p) => predict(e, p.b, capacity, maxPerDim).join() === p.calls[i]!.grid.join()));
    return fits ?? { mode: LAUNCH_WHOLE, axis: 0, perSample: 0, workgroupSize: c.workgroupSize, grid: c.grid };
  });
  return { entries, capacity };
}

export function packLaunchTable(entries: LaunchEntry[]): Uint32Array {
  const out = new Uint32Array(entries.length * LAUNCH_ENTRY_WORDS);
  entries.forEach((e, i) => out.set([e.mode, e.axis, e.perSample, e.workgroupSize, ...e.grid, 0], i * LAUNCH_ENTRY_WORDS));
  return out;
}

/** CPU model of the args kernel (tests compare the two). */
export function launchGrid(e: LaunchEntry, n: number, capacity: number, maxPerDim: number): [number, number, number] {
  return predict(e, Math.min(Math.max(n, 0), capacity), capacity, maxPerDim);
}
