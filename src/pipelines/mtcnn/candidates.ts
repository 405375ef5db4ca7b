// The Candidate record of shaders/postprocess/candidate.wgsl as seen from TypeScript: 64 bytes,
// box (4 f32), regression (4 f32), score f32, rank f32, key u32, image u32, aux u32, 3 pad.
export const CANDIDATE_BYTES = 64;
const WORDS = CANDIDATE_BYTES / 4;

export interface CandidateRecord {
  box: [number, number, number, number];
  reg: [number, number, number, number];
  score: number;
  /** NMS order key: the logit margin (see candidate.wgsl). */
  rank: number;
  key: number;
  image: number;
  aux: number;
}

export function decodeCandidates(bytes: ArrayBuffer, first: number, count: number): CandidateRecord[] {
  const f = new Float32Array(bytes);
  const u = new Uint32Array(bytes);
  return Array.from({ length: count }, (_, i) => {
    const o = (first + i) * WORDS;
    return {
      box: [f[o]!, f[o + 1]!, f[o + 2]!, f[o + 3]!],
      reg: [f[o + 4]!, f[o + 5]!, f[o + 6]!, f[o + 7]!],
      score: f[o + 8]!,
      rank: f[o + 9]!,
      key: u[o + 10]!,
      image: u[o + 11]!,
      aux: u[o + 12]!,
    };
  });
}

export function encodeCandidates(list: ReadonlyArray<Partial<CandidateRecord> & Pick<CandidateRecord, 'box' | 'score' | 'rank' | 'key'>>): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.max(1, list.length) * CANDIDATE_BYTES);
  const f = new Float32Array(bytes);
  const u = new Uint32Array(bytes);
  list.forEach((c, i) => {
    const o = i * WORDS;
    f.set(c.box, o);
    f.set(c.reg ?? [0, 0, 0, 0], o + 4);
    f[o + 8] = c.score;
    f[o + 9] = c.rank;
    u[o + 10] = c.key;
    u[o + 11] = c.image ?? 0;
    u[o + 12] = c.aux ?? 0;
  });
  return bytes;
}

/** The Segment struct of shaders/postprocess/nms.wgsl (8 u32). */
export interface NmsSegment {
  inOffset: number;
  inCount: number;
  inCapacity: number;
  outOffset: number;
  outCount: number;
  outCapacity: number;
  overflow: number;
}

export function encodeSegments(segments: readonly NmsSegment[]): Uint32Array {
  const out = new Uint32Array(Math.max(1, segments.length) * 8);
  segments.forEach((s, i) => out.set([s.inOffset, s.inCount, s.inCapacity, s.outOffset, s.outCount, s.outCapacity, s.overflow, 0], i * 8));
  return out;
}
