// Reshape, Flatten, Squeeze, Unsqueeze: views. Their output shares the input's GPU buffer (the
// executor aliases it), so they cost no kernel and no copy.
import { formatShape, intList, normalizeAxis, onlyKnownAttrs, sizeOf } from './tensor-utils.js';
import { ShapeError, type OpDescriptor, type Shape, type Tensor } from './types.js';

function viewOp<A>(type: string, known: string[], parse: (raw: Readonly<Record<string, unknown>>) => A, shapeOf: (x: Shape, a: A) => number[]): OpDescriptor<A> {
  return {
    type,
    inputNames: ['data'],
    required: 1,
    outputs: 1,
    aliasesInput: true,
    attrs(raw) {
      onlyKnownAttrs(raw, known, type);
      return parse(raw);
    },
    inferShapes([x], a) {
      const shape = shapeOf(x!, a);
      if (sizeOf(shape) !== sizeOf(x!)) throw new ShapeError(`${type}: cannot view ${formatShape(x)} as ${formatShape(shape)}`);
      return [shape];
    },
    kernels: () => [],
    reference([x], a): Tensor[] {
      return [{ shape: shapeOf(x!.shape, a), data: x!.data.slice() }];
    },
  };
}

/** ONNX Reshape: 0 copies the input dim, one -1 is inferred. */
export const Reshape = viewOp(
  'Reshape',
  ['shape', 'allowzero'],
  (raw) => ({ shape: intList(raw.shape, 'shape') }),
  (x, a) => {
    const dims = a.shape.map((d, i) => (d === 0 ? x[i]! : d));
    const unknown = dims.indexOf(-1);
    if (unknown >= 0) {
      const known = sizeOf(dims.filter((d) => d !== -1));
      if (known === 0 || sizeOf(x) % known !== 0) throw new ShapeError(`Reshape: cannot infer -1 in ${JSON.stringify(a.shape)} for ${formatShape(x)}`);
      dims[unknown] = sizeOf(x) / known;
    }
    return dims;
  },
);

export const Flatten = viewOp(
  'Flatten',
  ['axis'],
  (raw) => ({ axis: raw.axis === undefined ? 1 : Number(raw.axis) }),
  (x, a) => {
    const axis = a.axis === x.length ? x.length : normalizeAxis(a.axis, x.length, 'Flatten');
    return [sizeOf(x.slice(0, axis)), sizeOf(x.slice(axis))];
  },
);

export const Squeeze = viewOp(
  'Squeeze',
  ['axes'],
  (raw) => ({ axes: raw.axes === undefined ? undefined : intList(raw.axes, 'axes') }),
  (x, a) => {
    const axes = a.axes ? a.axes.map((ax) => normalizeAxis(ax, x.length, 'Squeeze')) : x.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const ax of axes) if (x[ax] !== 1) throw new ShapeError(`Squeeze: dim ${ax} of ${formatShape(x)} is not 1`);
    return x.filter((_, i) => !axes.includes(i));
  },
);

export const Unsqueeze = viewOp(
  'Unsqueeze',
  ['axes'],
  (raw) => ({ axes: intList(raw.axes, 'axes') }),
  (x, a) => {
    const rank = x.length + a.axes.length;
    const axes = a.axes.map((ax) => normalizeAxis(ax, rank, 'Unsqueeze'));
    const out: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : x[k++]!);
    return out;
  },
);
