// Minimal reflection over the WGSL this project writes: the bindings of group 0, the `Params`
// uniform struct and the workgroup size. Bind-group layouts and uniform packing are derived from
// the shader itself, so no alignment arithmetic or binding list is written by hand elsewhere.

export type BindingKind = 'read-only-storage' | 'storage' | 'uniform';

export interface BindingInfo {
  name: string;
  binding: number;
  kind: BindingKind;
}

export interface UniformField {
  name: string;
  /** 'f32' | 'i32' | 'u32' scalar type of each component. */
  scalar: 'f32' | 'i32' | 'u32';
  /** Components (1 for a scalar, 4 for vec4, 4*N for array<vec4, N>). */
  components: number;
  offset: number;
}

export interface UniformLayout {
  fields: UniformField[];
  size: number;
}

const BINDING = /@group\(\s*0\s*\)\s*@binding\(\s*(\d+)\s*\)\s*var<\s*(storage|uniform)\s*(?:,\s*(read|read_write)\s*)?>\s*(\w+)\s*:/g;

export function reflectBindings(code: string): BindingInfo[] {
  const out: BindingInfo[] = [];
  for (const m of code.matchAll(BINDING)) {
    const kind: BindingKind = m[2] === 'uniform' ? 'uniform' : m[3] === 'read_write' ? 'storage' : 'read-only-storage';
    out.push({ binding: Number(m[1]), kind, name: m[4]! });
  }
  return out.sort((a, b) => a.binding - b.binding);
}

/** The @workgroup_size of entry point `entry` (each entry of a multi-entry file has its own). */
export function reflectWorkgroupSize(code: string, entry = 'main'): [number, number, number] {
  const attr = new RegExp(`@workgroup_size\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?(?:,\\s*(\\d+)\\s*)?\\)\\s*fn\\s+${entry}\\b`);
  const m = attr.exec(code);
  if (!m) throw new Error(`shader has no '@workgroup_size(<literal>) fn ${entry}' (sizes come from defines such as \${WORKGROUP_SIZE})`);
  return [Number(m[1]), Number(m[2] ?? 1), Number(m[3] ?? 1)];
}

// size/alignment per WGSL's memory layout rules (uniform address space).
const TYPES: Record<string, { scalar: UniformField['scalar']; components: number; align: number; size: number }> = {
  f32: { scalar: 'f32', components: 1, align: 4, size: 4 },
  i32: { scalar: 'i32', components: 1, align: 4, size: 4 },
  u32: { scalar: 'u32', components: 1, align: 4, size: 4 },
  'vec4<f32>': { scalar: 'f32', components: 4, align: 16, size: 16 },
  'vec4<i32>': { scalar: 'i32', components: 4, align: 16, size: 16 },
  'vec4<u32>': { scalar: 'u32', components: 4, align: 16, size: 16 },
  vec4f: { scalar: 'f32', components: 4, align: 16, size: 16 },
  vec4i: { scalar: 'i32', components: 4, align: 16, size: 16 },
  vec4u: { scalar: 'u32', components: 4, align: 16, size: 16 },
};

/** Layout of `struct Params` in `code`, or null when the shader has none. */
export function reflectParams(code: string): UniformLayout | null {
  const m = /struct\s+Params\s*\{([^}]*)\}/.exec(code);
  if (!m) return null;
  const body = m[1]!.replace(/\/\/[^\n]*/g, '');
  const fields: UniformField[] = [];
  let offset = 0;
  let maxAlign = 4;
  for (const decl of splitTopLevel(body)) {
    const fm = /^(\w+)\s*:\s*(.+)$/.exec(decl);
    if (!fm) throw new Error(`cannot parse Params field '${decl}'`);
    const [, name, rawType] = fm as unknown as [string, string, string];
    const type = rawType.replace(/\s+/g, '');
    const arr = /^array<(.+),(\d+)u?>$/.exec(type);
    const elem = TYPES[arr ? arr[1]! : type];
    if (!elem || (arr && elem.align !== 16)) {
      throw new Error(`Params field '${name}: ${rawType}' has a type the uniform packer does not support (scalars, vec4, array<vec4, N>)`);
    }
    const count = arr ? Number(arr[2]) : 1;
    offset = Math.ceil(offset / elem.align) * elem.align;
    fields.push({ name, scalar: elem.scalar, components: elem.components * count, offset });
    offset += elem.size * count;
    maxAlign = Math.max(maxAlign, elem.align);
  }
  return { fields, size: Math.max(16, Math.ceil(offset / maxAlign) * maxAlign) };
}

/** Splits struct members at commas outside <...> (array<vec4<u32>, 2> has one inside). */
function splitTopLevel(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '<') depth++;
    if (ch === '>') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter(Boolean);
}

export type ParamValues = Readonly<Record<string, number | readonly number[]>>;

/** Packs values into the uniform layout; every field must be given, and nothing else. */
export function packParams(layout: UniformLayout, values: ParamValues, what: string): ArrayBuffer {
  const buffer = new ArrayBuffer(layout.size);
  const view = new DataView(buffer);
  const known = new Set(layout.fields.map((f) => f.name));
  const extra = Object.keys(values).filter((k) => !known.has(k));
  if (extra.length) throw new Error(`${what}: params ${extra.join(', ')} are not fields of the shader's Params`);
  for (const field of layout.fields) {
    const value = values[field.name];
    if (value === undefined) throw new Error(`${what}: param '${field.name}' not given`);
    const list = typeof value === 'number' ? [value] : value;
    if (list.length > field.components) {
      throw new Error(`${what}: param '${field.name}' has ${list.length} values, the field holds ${field.components}`);
    }
    list.forEach((v, i) => {
      const at = field.offset + 4 * i;
      if (field.scalar === 'f32') view.setFloat32(at, v, true);
      else {
        if (!Number.isInteger(v) || (field.scalar === 'u32' && v < 0)) {
          throw new Error(`${what}: param '${field.name}' = ${v} is not a valid ${field.scalar}`);
        }
        if (field.scalar === 'u32') view.setUint32(at, v, true);
        else view.setInt32(at, v, true);
      }
    });
  }
  return buffer;
}
