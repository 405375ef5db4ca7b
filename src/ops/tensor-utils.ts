// Shape arithmetic and small CPU-tensor helpers shared by op descriptors and references.
import { ShapeError, type Precision, type Shape, type Tensor } from './types.js';

export { DEFAULT_WORKGROUP_SIZE, MAX_WORKGROUPS_PER_DIMENSION } from '../gpu/launch.js';

export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function formatShape(shape: Shape | undefined): string {
  return shape ? `[${shape.join(', ')}]` : 'absent';
}

export function requireRank(shape: Shape | undefined, rank: number, what: string): Shape {
  if (!shape || shape.length !== rank) {
    throw new ShapeError(`${what} must have rank ${rank}, got ${formatShape(shape)}`);
  }
  return shape;
}

/** numpy-style broadcast of two shapes. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dim ${i}: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Left-pads a list of dims/strides to rank 6 with `fill`. */
export function padTo6(values: readonly number[], fill: number): number[] {
  if (values.length > 6) throw new ShapeError(`rank ${values.length} > 6 is not supported`);
  return [...new Array<number>(6 - values.length).fill(fill), ...values];
}

export function roundingFor(precision: Precision): (x: number) => number {
  return precision === 'f32' ? Math.fround : (x) => x;
}

export function newTensor(shape: number[], precision: Precision): Tensor {
  const n = sizeOf(shape);
  return { shape, data: precision === 'f32' ? new Float32Array(n) : new Float64Array(n) };
}

/** Normalises a possibly negative axis. */
export function normalizeAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ShapeError(`${what}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Attribute readers with readable errors. */
export function intList(raw: unknown, name: string, length?: number): number[] {
  if (!Array.isArray(raw) || !raw.every((v) => Number.isInteger(v))) {
    throw new Error(`attribute '${name}' must be a list of integers, got ${JSON.stringify(raw)}`);
  }
  if (length !== undefined && raw.length !== length) {
    throw new Error(`attribute '${name}' must have ${length} values, got ${raw.length}`);
  }
  return raw as number[];
}

export function numberAttr(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new Error(`attribute '${name}' must be a finite number, got ${JSON.stringify(raw)}`);
  return raw;
}

export function onlyKnownAttrs(raw: Readonly<Record<string, unknown>>, known: readonly string[], op: string): void {
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`${op}: unsupported attribute(s) ${unknown.join(', ')} (supported: ${known.join(', ') || 'none'})`);
}
