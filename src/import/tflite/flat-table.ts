// Bounds-checked reads of FlatBuffer tables on top of the `flatbuffers` runtime. The runtime trusts
// its input (a truncated file reads past the end as garbage), so every offset is checked here and a
// bad one raises a FlatBufferError that says which table and field it was reading.
import { ByteBuffer } from 'flatbuffers';

export class FlatBufferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlatBufferError';
  }
}

export class FlatTable {
  private constructor(
    private readonly bb: ByteBuffer,
    readonly pos: number,
    /** What this table is, for messages (e.g. 'SubGraph 0 > Tensor 12'). */
    readonly path: string,
  ) {}

  /** The root table of `bytes`; checks the 4-byte file identifier when one is given. */
  static root(bytes: Uint8Array, identifier: string | undefined, path: string): FlatTable {
    if (bytes.length < 8) throw new FlatBufferError(`${path}: ${bytes.length} bytes is too short for a FlatBuffer`);
    const bb = new ByteBuffer(bytes);
    if (identifier !== undefined && bb.getBufferIdentifier() !== identifier) {
      throw new FlatBufferError(`${path}: file identifier is '${printable(bb.getBufferIdentifier())}', expected '${identifier}'`);
    }
    return FlatTable.at(bb, bb.readUint32(0), path);
  }

  private static at(bb: ByteBuffer, pos: number, path: string): FlatTable {
    const size = bb.capacity();
    if (pos < 0 || pos + 4 > size) throw new FlatBufferError(`${path}: table offset ${pos} is outside the ${size}-byte file (truncated?)`);
    const vtable = pos - bb.readInt32(pos);
    if (vtable < 0 || vtable + 4 > size) throw new FlatBufferError(`${path}: vtable offset ${vtable} is outside the file (truncated?)`);
    const vtableBytes = bb.readUint16(vtable);
    if (vtableBytes < 4 || vtable + vtableBytes > size) throw new FlatBufferError(`${path}: vtable of ${vtableBytes} bytes runs past the end of the file`);
    const tableBytes = bb.readUint16(vtable + 2);
    if (pos + tableBytes > size) throw new FlatBufferError(`${path}: table of ${tableBytes} bytes runs past the end of the file (truncated?)`);
    return new FlatTable(bb, pos, path);
  }

  /** Absolute position of field `slot` (0-based field id in the schema), or 0 when absent. */
  private field(slot: number): number {
    const rel = this.bb.__offset(this.pos, 4 + 2 * slot);
    return rel === 0 ? 0 : this.pos + rel;
  }

  private need(at: number, bytes: number, what: string): void {
    if (at + bytes > this.bb.capacity()) {
      throw new FlatBufferError(`${this.path}: ${what} at byte ${at} runs past the end of the ${this.bb.capacity()}-byte file (truncated?)`);
    }
  }

  /** A scalar field of `bytes` bytes read with `read`, or `fallback` when the field is absent. */
  private scalar(slot: number, bytes: number, read: (at: number) => number, fallback: number): number {
    const at = this.field(slot);
    if (!at) return fallback;
    this.need(at, bytes, `field ${slot}`);
    return read(at);
  }

  int8(slot: number, fallback = 0): number {
    return this.scalar(slot, 1, (at) => this.bb.readInt8(at), fallback);
  }

  uint8(slot: number, fallback = 0): number {
    return this.scalar(slot, 1, (at) => this.bb.readUint8(at), fallback);
  }

  bool(slot: number, fallback = false): boolean {
    return this.uint8(slot, fallback ? 1 : 0) !== 0;
  }

  int32(slot: number, fallback = 0): number {
    return this.scalar(slot, 4, (at) => this.bb.readInt32(at), fallback);
  }

  uint32(slot: number, fallback = 0): number {
    return this.scalar(slot, 4, (at) => this.bb.readUint32(at), fallback);
  }

  float32(slot: number, fallback = 0): number {
    return this.scalar(slot, 4, (at) => this.bb.readFloat32(at), fallback);
  }

  uint64(slot: number, fallback = 0): number {
    return this.scalar(slot, 8, (at) => Number(this.bb.readUint64(at)), fallback);
  }

  /** Start and length of the vector in field `slot`, or undefined when absent. */
  private vector(slot: number, elementBytes: number): { start: number; length: number } | undefined {
    const at = this.field(slot);
    if (!at) return undefined;
    this.need(at, 4, `vector field ${slot}`);
    const header = at + this.bb.readUint32(at);
    this.need(header, 4, `vector field ${slot} header`);
    const length = this.bb.readUint32(header);
    this.need(header + 4, length * elementBytes, `vector field ${slot} (${length} elements)`);
    return { start: header + 4, length };
  }

  string(slot: number): string | undefined {
    const v = this.vector(slot, 1);
    if (!v) return undefined;
    return new TextDecoder().decode(this.bb.bytes().subarray(v.start, v.start + v.length));
  }

  int32s(slot: number): number[] {
    const v = this.vector(slot, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => this.bb.readInt32(v.start + 4 * i));
  }

  /** The bytes of a [ubyte] vector (a view into the file, not a copy). */
  bytes(slot: number): Uint8Array | undefined {
    const v = this.vector(slot, 1);
    return v && this.bb.bytes().subarray(v.start, v.start + v.length);
  }

  table(slot: number, what: string): FlatTable | undefined {
    const at = this.field(slot);
    if (!at) return undefined;
    this.need(at, 4, what);
    return FlatTable.at(this.bb, at + this.bb.readUint32(at), `${this.path} > ${what}`);
  }

  tables(slot: number, what: string): FlatTable[] {
    const v = this.vector(slot, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => {
      const at = v.start + 4 * i;
      return FlatTable.at(this.bb, at + this.bb.readUint32(at), `${this.path} > ${what} ${i}`);
    });
  }

  /** The whole file, for buffers stored outside the FlatBuffer (Buffer.offset/size). */
  fileBytes(): Uint8Array {
    return this.bb.bytes();
  }
}

function printable(s: string): string {
  return [...s].map((c) => (c >= ' ' && c <= '~' ? c : '?')).join('');
}
