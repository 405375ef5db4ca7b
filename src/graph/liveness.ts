// Buffer plan: intermediate tensors whose lifetimes do not overlap share one GPU buffer (a shared
// buffer is as large as its largest tenant). Views (Reshape, Flatten...) share their input's
// storage, so a storage lives until the last use of any of its views.
import { sizeOf } from '../ops/tensor-utils.js';
import type { Analysis } from './analyze.js';
import { storageOwners } from './half-storage.js';

export interface BufferPlan {
  /** Tensor -> the tensor that owns its storage (itself unless it is a view). */
  storageOf: Map<string, string>;
  /** Owner tensor produced by a step -> pool slot. Graph inputs and weights are not pooled. */
  slotOf: Map<string, number>;
  slotBytes: number[];
  /** Sum of the pool's buffers: the peak GPU memory for intermediates and outputs. */
  peakBytes: number;
  /** What one buffer per intermediate/output would take. */
  naiveBytes: number;
}

/** `bytesOf` sizes a tensor's storage (default 4 bytes per value; f16 storage takes 2). */
export function planBuffers(analysis: Analysis, graphOutputs: readonly string[], reuse: boolean, bytesOf?: (tensor: string, storageOf: ReadonlyMap<string, string>) => number): BufferPlan {
  const { steps, shapes, kind } = analysis;
  const storageOf = storageOwners(analysis);
  const bytes = (t: string) => (bytesOf ? bytesOf(t, storageOf) : sizeOf(shapes.get(t)!) * 4);

  // Lifetime of each pooled storage: [defined at step, last read at step].
  const defined = new Map<string, number>();
  const lastUse = new Map<string, number>();
  steps.forEach((step, i) => {
    for (const t of step.node.inputs) {
      if (t !== '') lastUse.set(storageOf.get(t)!, i);
    }
    if (!step.op.aliasesInput) step.node.outputs.forEach((t) => defined.set(t, i));
  });
  for (const t of graphOutputs) lastUse.set(storageOf.get(t)!, steps.length);

  const slotOf = new Map<string, number>();
  const slotBytes: number[] = [];
  const free: number[] = [];
  let naiveBytes = 0;
  steps.forEach((step, i) => {
    if (!step.op.aliasesInput) {
      for (const t of step.node.outputs) {
        const need = bytes(t);
        naiveBytes += need;
        let slot: number;
        if (!reuse || free.length === 0) {
          slot = slotBytes.push(need) - 1;
        } else {
          // Best fit; else grow the largest free buffer.
          const fitting = free.filter((s) => slotBytes[s]! >= need).sort((a, b) => slotBytes[a]! - slotBytes[b]!);
          slot = fitting[0] ?? free.reduce((a, b) => (slotBytes[a]! >= slotBytes[b]! ? a : b));
          free.splice(free.indexOf(slot), 1);
          slotBytes[slot] = Math.max(slotBytes[slot]!, need);
        }
        slotOf.set(t, slot);
      }
    }
    // Release after this step's outputs are placed, so no op writes over its own inputs.
    for (const [owner, slot] of slotOf) {
      if ((lastUse.get(owner) ?? defined.get(owner)!) === i && !free.includes(slot)) free.push(slot);
    }
  });
  return { storageOf, slotOf, slotBytes, peakBytes: slotBytes.reduce((a, b) => a + b, 0), naiveBytes };
}
