// Launch-size arithmetic shared by the executor and the dynamic-batch launch table.

/** Workgroup grid for `invocations` along x, folded into y past the per-dimension limit. */
export function foldDispatch(invocations: number, workgroupSize: number, maxPerDim: number): [number, number, number] {
  if (invocations === 0) return [0, 0, 0];
  const groups = Math.max(1, Math.ceil(invocations / workgroupSize));
  const x = Math.min(groups, maxPerDim);
  const y = Math.ceil(groups / x);
  if (y > maxPerDim) throw new Error(`launch of ${invocations} invocations exceeds the adapter's grid`);
  return [x, y, 1];
}
