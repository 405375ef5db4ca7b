// Concat along an axis: one strided copy kernel per input into its slice of the output.
import { DEFAULT_WORKGROUP_SIZE, formatShape, newTensor, normalizeAxis, onlyKnownAttrs, sizeOf } from './tensor-utils.js';
import { ShapeError, type KernelCall, type OpDescriptor, type Shape } from './types.js';

export interface ConcatAttrs {
  axis: number;
}

const MAX_INPUTS = 16;

export const Concat: OpDescriptor<ConcatAttrs> = {
  type: 'Concat',
  inputNames: Array.from({ length: MAX_INPUTS }, (_, i) => `input ${i}`),
  required: 1,
  outputs: 1,
  attrs(raw) {
    onlyKnownAttrs(raw, ['axis'], 'Concat');
    if (!Number.isInteger(raw.axis)) throw new Error(`Concat: attribute 'axis' is required (an integer), got ${JSON.stringify(raw.axis)}`);
    return { axis: raw.axis as number };
  },
  inferShapes(inputs, a) {
    const shapes = inputs.filter((s): s is Shape => s !== undefined);
    const first = shapes[0]!;
    const axis = normalizeAxis(a.axis, first.length, 'Concat');
    let total = 0;
    for (const s of shapes) {
      if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
        throw new ShapeError(`Concat on axis ${axis}: ${formatShape(s)} does not match ${formatShape(first)} outside the axis`);
      }
      total += s[axis]!;
    }
    return [first.map((d, i) => (i === axis ? total : d))];
  },
  kernels(inputs, [out], a) {
    const axis = normalizeAxis(a.axis, out!.length, 'Concat');
    const inner = sizeOf(out!.slice(axis + 1));
    const calls: KernelCall[] = [];
    let offset = 0;
    inputs.forEach((s, i) => {
      if (!s) return;
      const count = sizeOf(s);
      if (count > 0) {
        // vec4 copies when every size and offset is a multiple of 4: one load and store per 4
        // values, one division per 4 values.
        const v = [s[axis]! * inner, out![axis]! * inner, offset * inner].every((n) => n % 4 === 0) ? 4 : 1;
        calls.push({
          label: `input ${i}`,
          files: ['common/indexing.wgsl', 'layout/concat.wgsl'],
          defines: { WORKGROUP_SIZE: DEFAULT_WORKGROUP_SIZE, VEC4: v === 4 },
          params: { count: count / v, in_axis_inner: (s[axis]! * inner) / v, out_axis_inner: (out![axis]! * inner) / v, offset_inner: (offset * inner) / v },
          invocations: count / v,
          bind: { input_0: { input: i }, output_0: { output: 0 } },
        });
      }
      offset += s[axis]!;
    });
    return calls;
  },
  reference(inputs, a, precision) {
    const present = inputs.filter((t) => t !== undefined);
    const [shape] = Concat.inferShapes(present.map((t) => t.shape), a);
    const axis = normalizeAxis(a.axis, shape!.length, 'Concat');
    const out = newTensor([...shape!], precision);
    const outer = sizeOf(shape!.slice(0, axis));
    const inner = sizeOf(shape!.slice(axis + 1));
    let k = 0;
    for (let o = 0; o < outer; o++) {
      for (const t of present) {
        const chunk = t.shape[axis]! * inner;
        for (let j = 0; j < chunk; j++) out.data[k++] = t.data[o * chunk + j]!;
      }
    }
    return [out];
  },
};
