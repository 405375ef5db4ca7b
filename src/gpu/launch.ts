// Launch geometry shared by graph kernels and pipeline kernels: the default workgroup size every
// shader takes as ${WORKGROUP_SIZE}, 1-D launches folded into a 2-D grid, and the layout of
// indirect dispatch arguments.

export type Grid = readonly [number, number, number];

/** Workgroup size of the shaders that take ${WORKGROUP_SIZE} unless an op or kernel tunes it. */
export const DEFAULT_WORKGROUP_SIZE = 64;

/** WebGPU's guaranteed workgroups per grid dimension (maxComputeWorkgroupsPerDimension's default). */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** One indirect dispatch = three u32 workgroup counts (WebGPU's dispatchWorkgroupsIndirect). */
export const INDIRECT_ARGS_BYTES = 12;

/**
 * Workgroup grid for `invocations` along x, folded into y past the per-dimension limit (shaders
 * recover the linear index with linear_index() of shaders/common/indexing.wgsl).
 */
export function foldDispatch(invocations: number, workgroupSize: number, maxPerDim: number, label = 'kernel'): [number, number, number] {
  if (invocations === 0) return [0, 0, 0];
  const groups = Math.max(1, Math.ceil(invocations / workgroupSize));
  const x = Math.min(groups, maxPerDim);
  const y = Math.ceil(groups / x);
  if (y > maxPerDim) throw new Error(`${label}: a launch of ${invocations} invocations exceeds the adapter's grid (${maxPerDim} x ${maxPerDim} workgroups of ${workgroupSize})`);
  return [x, y, 1];
}
