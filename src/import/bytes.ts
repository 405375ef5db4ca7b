// Byte helpers shared by the model readers.

/**
 * A copy of `bytes` in an ArrayBuffer of its own. Never `bytes.slice().buffer`: for a Node Buffer
 * (what readFileSync returns, and what most callers pass) `slice()` is a view of the whole file,
 * so `.buffer` would start at the file's first byte.
 */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
