// Each MTCNN post-processing kernel against its CPU reference (src/pipelines/mtcnn/reference.ts), on
// fresh random inputs, outputs poisoned first, including empty inputs.
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.js';
import { encodeStep, type BoundKernel, type KernelStep } from '../../src/gpu/kernel.js';
import { resampleCrops, resampleLevel } from '../../src/pipelines/floor/image-kernels.js';
import { packImages, uploadPixels } from '../../src/pipelines/floor/pixels.js';
import { CANDIDATE_BYTES, decodeCandidates, encodeCandidates, type CandidateRecord } from '../../src/pipelines/mtcnn/candidates.js';
import * as K from '../../src/pipelines/mtcnn/kernels.js';
import { cellCorners, pnetKey } from '../../src/pipelines/mtcnn/pyramid.js';
import { cropReference, filterStageReference, nmsReference, pnetCandidatesReference, refineReference, resampleArea, resampleBilinear, type NetScore, type RefCandidate } from '../../src/pipelines/mtcnn/reference.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';
import { freshSeed, gpu, relativeError, rng } from '../helpers/gpu.js';

const POISON = 0xffffffff;

async function run(ctx: GpuContext, work: Array<KernelStep | [BoundKernel, [number, number, number]]>, read: Array<{ buffer: GPUBuffer; size: number }>): Promise<ArrayBuffer[]> {
  const encoder = ctx.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (const w of work) {
    if (Array.isArray(w)) w[0].dispatch(pass, w[1]);
    else encodeStep(pass, w);
  }
  pass.end();
  return ctx.readback(read, 'kernel test', encoder);
}

function poisoned(ctx: GpuContext, label: string, bytes: number): GPUBuffer {
  const b = ctx.storageBuffer(label, bytes);
  ctx.device.queue.writeBuffer(b, 0, new Uint32Array(Math.ceil(bytes / 4)).fill(POISON));
  return b;
}

function randomImage(random: () => number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  // Smooth structure plus noise, so resampling errors would show.
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(128 + 90 * Math.sin(x / 7 + c) * Math.cos(y / 5) + 40 * (random() - 0.5))));
  return { width, height, data };
}

/** Random boxes on a coarse grid so that overlaps and exact score ties both occur. */
function randomCandidates(random: () => number, n: number, image = 0, integer = true): RefCandidate[] {
  return Array.from({ length: n }, (_, i) => {
    const x = Math.floor(random() * 60);
    const y = Math.floor(random() * 60);
    const w = 8 + Math.floor(random() * 30);
    const q = (v: number) => (integer ? v : v + random() - 0.5);
    return {
      box: [q(x), q(y), q(x + w), q(y + w + Math.floor(random() * 6))] as RefCandidate['box'],
      reg: [random() * 0.4 - 0.2, random() * 0.4 - 0.2, random() * 0.4 - 0.2, random() * 0.4 - 0.2] as RefCandidate['reg'],
      score: Math.fround(random()),
      // Coarse values: exact ties occur and must be broken by key.
      rank: Math.fround(Math.round(random() * 20) / 2 - 5),
      key: i * 7 + image,
    };
  });
}

describe('NMS kernel (segmented, greedy)', () => {
  for (const [mode, exclusive] of [['union', false], ['min', false], ['union', true], ['min', true]] as const) {
    it(`${mode}${exclusive ? ' (areas without +1, face-api)' : ''}: several segments (one empty) feeding two output lists, equal to the CPU NMS`, async () => {
      const ctx = await gpu();
      const seed = freshSeed();
      const random = rng(seed);
      const sizes = [37, 0, 150, 1, 64];
      const capacity = 160;
      const lists = sizes.map((n, s) => randomCandidates(random, n, s));
      const input = new ArrayBuffer(sizes.length * capacity * CANDIDATE_BYTES);
      lists.forEach((l, s) => new Uint8Array(input).set(new Uint8Array(encodeCandidates(l)).subarray(0, l.length * CANDIDATE_BYTES), s * capacity * CANDIDATE_BYTES));
      const inputBuffer = ctx.uploadBuffer('nms input', new Uint32Array(input));
      // counts: [in counts (5)], [out counts (2)], [overflow]
      const counts = ctx.uploadBuffer('counts', Uint32Array.from([...sizes, 0, 0, 0]));
      const outCapacity = 400;
      const output = poisoned(ctx, 'nms output', 2 * outCapacity * CANDIDATE_BYTES);
      const scratch = sizes.length * capacity * 4;
      // Segments 0, 1, 2 -> list 0; segments 3, 4 -> list 1 (as PNet's scales feed one image list).
      const target = [0, 0, 0, 1, 1];
      const step = await K.nms(ctx, 'nms test', {
        threshold: 0.5,
        mode,
        exclusive,
        segments: sizes.map((_, s) => ({ inOffset: s * capacity, inCount: s, inCapacity: capacity, outOffset: target[s]! * outCapacity, outCount: 5 + target[s]!, outCapacity, overflow: 7 })),
      }, { input: inputBuffer, output, counts, order: poisoned(ctx, 'order', scratch), suppressed: poisoned(ctx, 'suppressed', scratch) });
      const [c, out] = await run(ctx, [step], [{ buffer: counts, size: 32 }, { buffer: output, size: output.size }]);
      const got = new Uint32Array(c!);
      for (const list of [0, 1]) {
        const expected = lists.flatMap((l, s) => (target[s] === list ? nmsReference(l, 0.5, mode, 'f32', exclusive) : []));
        expect(got[5 + list]).toBe(expected.length);
        const actual = decodeCandidates(out!, list * outCapacity, got[5 + list]!);
        // Segments append in any order; within a segment, in rank order. Compare as sets of keys+boxes.
        const canon = (x: Array<Pick<CandidateRecord, 'key' | 'box' | 'score'>>) => x.map((k) => `${k.key}:${k.box.join(',')}:${k.score}`).sort();
        expect(canon(actual), `list ${list} (seed ${seed})`).toEqual(canon(expected));
      }
      expect(got[7], 'overflow').toBe(0);
      // Within segment 2 (only source of its keys), kept order is descending score then key.
      const seg2 = decodeCandidates(out!, 0, got[5]!).filter((k) => k.key % 7 === 2);
      expect(seg2.map((k) => k.key)).toEqual(nmsReference(lists[2]!, 0.5, mode, 'f32', exclusive).map((k) => k.key));
      console.log(`NMS ${mode}${exclusive ? ' exclusive' : ''}: kept ${got[5]} + ${got[6]} of ${sizes.join('+')} (seed ${seed})`);
    });
  }

  it('non-integer boxes, an output list too small: overflow is counted, nothing written past capacity', async () => {
    const ctx = await gpu();
    const seed = freshSeed();
    const list = randomCandidates(rng(seed), 90, 0, false);
    const expected = nmsReference(list, 0.3, 'union', 'f32');
    const outCapacity = Math.max(1, expected.length - 3);
    const counts = ctx.uploadBuffer('counts', Uint32Array.from([list.length, 0, 0]));
    const output = poisoned(ctx, 'out', (outCapacity + 1) * CANDIDATE_BYTES);
    const step = await K.nms(ctx, 'nms overflow', {
      threshold: 0.3, mode: 'union',
      segments: [{ inOffset: 0, inCount: 0, inCapacity: 128, outOffset: 0, outCount: 1, outCapacity, overflow: 2 }],
    }, { input: ctx.uploadBuffer('in', new Uint32Array(encodeCandidates(list))), output, counts, order: poisoned(ctx, 'o', 512), suppressed: poisoned(ctx, 's', 512) });
    const [c, out] = await run(ctx, [step], [{ buffer: counts, size: 12 }, { buffer: output, size: output.size }]);
    const got = new Uint32Array(c!);
    expect(got[1]).toBe(expected.length);
    expect(got[2]).toBe(expected.length - outCapacity);
    expect(decodeCandidates(out!, 0, outCapacity).map((k) => k.key)).toEqual(expected.slice(0, outCapacity).map((k) => k.key));
    expect(new Uint32Array(out!)[(outCapacity * CANDIDATE_BYTES) / 4], 'slot past capacity untouched').toBe(POISON);
  });
});

describe('refine + pack kernel', () => {
  for (const flags of [{ regression: 'exclusive', square: true, fix: true }, { regression: 'inclusive', square: true, fix: true }, { regression: 'inclusive' }, { regression: 'exclusive', square: true, round: true }] as const) {
    it(`${JSON.stringify(flags)}: three images (one empty) packed in order`, async () => {
      const ctx = await gpu();
      const seed = freshSeed();
      const random = rng(seed);
      const stride = 50;
      const lists = [randomCandidates(random, 23, 0, false), [], randomCandidates(random, 41, 2, false)];
      const input = new ArrayBuffer(3 * stride * CANDIDATE_BYTES);
      lists.forEach((l, i) => l.length && new Uint8Array(input).set(new Uint8Array(encodeCandidates(l.map((c) => ({ ...c, image: i })))), i * stride * CANDIDATE_BYTES));
      // counts: in [0..3), out total [3], image starts [4..7), overflow [7]
      const counts = ctx.uploadBuffer('counts', Uint32Array.from([23, 0, 41, 0, POISON, POISON, POISON, 0]));
      const output = poisoned(ctx, 'packed', 100 * CANDIDATE_BYTES);
      const k = await K.refinePack(ctx, 'refine test', { images: 3, inStride: stride, inCountBase: 0, outCapacity: 100, outCount: 3, outImageBase: 4, overflow: 7, flags }, { input: ctx.uploadBuffer('in', new Uint32Array(input)), output, counts });
      const [c, out] = await run(ctx, [k], [{ buffer: counts, size: 32 }, { buffer: output, size: output.size }]);
      expect([...new Uint32Array(c!).slice(3, 8)]).toEqual([64, 0, 23, 23, 0]);
      const got = decodeCandidates(out!, 0, 64);
      const expected = lists.flat().map((cand) => refineReference(cand, flags, 'f32'));
      let worst = 0;
      got.forEach((g, i) => {
        expect(g.key).toBe(expected[i]!.key);
        expect(g.aux).toBe(i);
        g.box.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[i]!.box[j]!))));
      });
      console.log(`refine ${JSON.stringify(flags)}: max |gpu - ref| = ${worst} px (seed ${seed})`);
      // Truncated or rounded boxes must agree exactly; unrounded ones to float32 rounding.
      expect(worst).toBeLessThanOrEqual('fix' in flags || 'round' in flags ? 0 : 1e-4);
    });
  }
});

describe('PNet box generation kernel', () => {
  it('thresholds a probability map and places cell boxes as facenet does', async () => {
    const ctx = await gpu();
    const seed = freshSeed();
    const random = rng(seed);
    const [w, h, scale, level] = [37, 23, 0.3456, 3];
    const plane = w * h;
    const prob = new Float32Array(2 * plane).map((_, i) => (i < plane ? 0 : random()));
    prob[plane + 5] = Math.fround(0.6); // exactly at the threshold: kept (>=)
    const reg = new Float32Array(4 * plane).map(() => random() - 0.5);
    const logits = new Float32Array(2 * plane).map(() => 8 * random() - 4);
    const table = new Float32Array([...cellCorners(w, scale), ...cellCorners(h, scale)]);
    const counts = ctx.uploadBuffer('counts', Uint32Array.of(0, 0));
    const out = poisoned(ctx, 'cands', plane * CANDIDATE_BYTES);
    const k = await K.pnetCandidates(ctx, 'pnet cands', { outWidth: w, outHeight: h, cellX: 0, cellY: 0, levelWidth: w, threshold: 0.6, segmentOffset: 0, segmentCapacity: plane, countIndex: 1, keyBase: pnetKey(level, 0), image: 4, xTable: 0, yTable: 2 * w }, {
      prob: ctx.uploadBuffer('prob', prob), logits: ctx.uploadBuffer('logits', logits), regression: ctx.uploadBuffer('reg', reg), boxTable: ctx.uploadBuffer('table', table), counts, candidates: out,
    });
    const [c, o] = await run(ctx, [k], [{ buffer: counts, size: 8 }, { buffer: out, size: out.size }]);
    const expected = pnetCandidatesReference(prob, logits, reg, w, h, scale, level, 0.6, 'f32');
    const n = new Uint32Array(c!)[1]!;
    expect(n).toBe(expected.length);
    const got = decodeCandidates(o!, 0, n).sort((a, b) => a.key - b.key);
    got.forEach((g, i) => {
      const e = expected[i]!;
      expect([g.key, g.image, ...g.box]).toEqual([e.key, 4, ...e.box]);
      expect(g.score).toBe(e.score);
      expect(g.rank).toBe(e.rank);
      expect(g.reg).toEqual(e.reg);
    });
    expect(got.some((g) => g.key === pnetKey(level, 5))).toBe(true);
    console.log(`PNet boxes: ${n} of ${plane} cells (seed ${seed})`);
  });

  it('tiles of a level give the candidates of the whole level; a full segment counts what it could not hold', async () => {
    const ctx = await gpu();
    const seed = freshSeed();
    const random = rng(seed);
    const [w, h, scale, level] = [31, 19, 0.4321, 2];
    const plane = w * h;
    const prob = new Float32Array(2 * plane).map((_, i) => (i < plane ? 0 : random()));
    const reg = new Float32Array(4 * plane).map(() => random() - 0.5);
    const logits = new Float32Array(2 * plane).map(() => 8 * random() - 4);
    const table = ctx.uploadBuffer('table', new Float32Array([...cellCorners(w, scale), ...cellCorners(h, scale)]));
    const expected = pnetCandidatesReference(prob, logits, reg, w, h, scale, level, 0.6, 'f32');
    // Four tiles (cells [0,12) x [0,8), [12,31) x [0,8), ...), each given its own crop of the maps.
    const crop = (data: Float32Array, channels: number, x0: number, y0: number, tw: number, th: number) =>
      Float32Array.from({ length: channels * tw * th }, (_, i) => {
        const c = Math.floor(i / (tw * th));
        const r = i % (tw * th);
        return data[c * plane + (y0 + Math.floor(r / tw)) * w + x0 + (r % tw)]!;
      });
    const tiles = [[0, 0, 12, 8], [12, 0, 19, 8], [0, 8, 12, 11], [12, 8, 19, 11]] as const;
    for (const capacity of [plane, 10]) {
      const counts = ctx.uploadBuffer('counts', Uint32Array.of(0, 0));
      const out = poisoned(ctx, 'cands', plane * CANDIDATE_BYTES);
      const steps = await Promise.all(
        tiles.map(([x0, y0, tw, th]) =>
          K.pnetCandidates(ctx, `pnet tile ${x0},${y0}`, { outWidth: tw, outHeight: th, cellX: x0, cellY: y0, levelWidth: w, threshold: 0.6, segmentOffset: 0, segmentCapacity: capacity, countIndex: 1, keyBase: pnetKey(level, 0), image: 1, xTable: 0, yTable: 2 * w }, {
            prob: ctx.uploadBuffer('prob', crop(prob, 2, x0, y0, tw, th)), logits: ctx.uploadBuffer('logits', crop(logits, 2, x0, y0, tw, th)), regression: ctx.uploadBuffer('reg', crop(reg, 4, x0, y0, tw, th)), boxTable: table, counts, candidates: out,
          }),
        ),
      );
      const [c, o] = await run(ctx, steps, [{ buffer: counts, size: 8 }, { buffer: out, size: out.size }]);
      const n = new Uint32Array(c!)[1]!;
      expect(n, 'the counter counts every passing cell').toBe(expected.length);
      const written = decodeCandidates(o!, 0, Math.min(n, capacity)).sort((a, b) => a.key - b.key);
      if (capacity === plane) {
        expect(written.map((g) => [g.key, ...g.box, g.score])).toEqual(expected.map((e) => [e.key, ...e.box, e.score]));
      } else {
        expect(written.length).toBe(10);
        const keys = new Set(expected.map((e) => e.key));
        written.forEach((g) => expect(keys.has(g.key)).toBe(true));
        const after = new Uint32Array(o!, 10 * CANDIDATE_BYTES, 16);
        expect([...after].every((v) => v === POISON), 'nothing written past the capacity').toBe(true);
      }
    }
    console.log(`PNet boxes from 4 tiles: ${expected.length} of ${plane} cells (seed ${seed})`);
  });

  it('an all-background map gives no candidate', async () => {
    const ctx = await gpu();
    const plane = 9 * 7;
    const prob = new Float32Array(2 * plane).fill(0.5);
    prob.fill(0.1, plane);
    const counts = ctx.uploadBuffer('counts', Uint32Array.of(0));
    const k = await K.pnetCandidates(ctx, 'pnet none', { outWidth: 9, outHeight: 7, cellX: 0, cellY: 0, levelWidth: 9, threshold: 0.6, segmentOffset: 0, segmentCapacity: 63, countIndex: 0, keyBase: 0, image: 0, xTable: 0, yTable: 18 }, {
      prob: ctx.uploadBuffer('p', prob), logits: ctx.uploadBuffer('l', new Float32Array(2 * plane)), regression: ctx.uploadBuffer('r', new Float32Array(4 * plane)), boxTable: ctx.uploadBuffer('t', new Float32Array(32)), counts, candidates: poisoned(ctx, 'c', 64),
    });
    const [c] = await run(ctx, [k], [{ buffer: counts, size: 4 }]);
    expect(new Uint32Array(c!)[0]).toBe(0);
  });
});

describe('resampling kernels (area, tfjs bilinear, canvas bilinear)', () => {
  // Pixels bound whole, and split into 1024-pixel windows (the path of batches larger than one
  // storage binding: floor/pixels.ts); every resampling convention.
  const cases = [
    { resampling: 'area' as const, windowPixels: undefined },
    { resampling: 'area' as const, windowPixels: 1024 },
    { resampling: 'bilinear-tfjs' as const, windowPixels: undefined },
    { resampling: 'bilinear-opencv' as const, windowPixels: undefined },
    { resampling: 'bilinear-canvas' as const, windowPixels: 1024 },
  ];
  for (const { resampling, windowPixels } of cases) {
    const how = `, ${resampling}${windowPixels ? ', pixels split into 1024-pixel windows' : ''}`;
    // The canvas convention truncates to 8 bits: its reference is the float32 emulation (sampling
    // positions rounded as the shader rounds them), the others' the float64 one.
    const refPrecision = resampling === 'bilinear-canvas' ? 'f32' : 'f64';
    const region = (im: RgbImage, x0: number, y0: number, w: number, h: number, ow: number, oh: number) =>
      resampling === 'area' ? resampleArea(im, x0, y0, w, h, ow, oh, refPrecision) : resampleBilinear(im, x0, y0, w, h, ow, oh, resampling, refPrecision);
    it(`pyramid level (down-scaling by a non-integer factor) of the second image in a batch, whole and as two tiles${how}`, async () => {
      const ctx = await gpu();
      const seed = freshSeed();
      const random = rng(seed);
      const images = [randomImage(random, 13, 9), randomImage(random, 61, 47)];
      const pixels = uploadPixels(ctx, packImages(images), 'test', (b) => b, { windowPixels });
      expect(pixels.defines.SPLIT_PIXELS).toBe(!!windowPixels);
      const [ow, oh] = [Math.ceil(61 * 0.4123), Math.ceil(47 * 0.4123)];
      const level = { image: 1, imageWidth: 61, imageHeight: 47, levelWidth: ow, levelHeight: oh, norm: K.NORM, resampling };
      const expected = region(images[1]!, 0, 0, 61, 47, ow, oh);
      const output = poisoned(ctx, 'level', 3 * ow * oh * 4);
      const whole = await resampleLevel(ctx, 'pyramid test', { ...level, tile: { x: 0, y: 0, width: ow, height: oh } }, { pixels, output });
      const [o] = await run(ctx, [whole], [{ buffer: output, size: output.size }]);
      const err = relativeError(new Float32Array(o!), expected);
      console.log(`pyramid resample ${61}x${47} -> ${ow}x${oh}${how}: rel.err vs ${refPrecision} reference ${err.toExponential(2)} (seed ${seed})`);
      expect(err).toBeLessThanOrEqual(1e-5);
      // A tile starting at (10, 4) of the same level: a window of the whole level, value for value.
      const tile = { x: 10, y: 4, width: ow - 10, height: oh - 4 };
      const tileOut = poisoned(ctx, 'tile', 3 * tile.width * tile.height * 4);
      const [t] = await run(ctx, [await resampleLevel(ctx, 'tile test', { ...level, tile }, { pixels, output: tileOut })], [{ buffer: tileOut, size: tileOut.size }]);
      const got = new Float32Array(t!);
      const all = new Float32Array(o!);
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < tile.height; y++)
          for (let x = 0; x < tile.width; x++) expect(got[(c * tile.height + y) * tile.width + x]).toBe(all[(c * oh + y + tile.y) * ow + x + tile.x]);
    });

    for (const cropBorder of ['zero-pad', 'stretch'] as const) it(`crops of boxes inside, across the border and larger than the image (${cropBorder}), up- and down-scaled${how}`, async () => {
      const ctx = await gpu();
      const seed = freshSeed();
      const random = rng(seed);
      const images = [randomImage(random, 40, 30), randomImage(random, 25, 33)];
      const pixels = uploadPixels(ctx, packImages(images), 'test', (b) => b, { windowPixels });
      const boxes: Array<[number, number, number, number, number]> = [
        [0, 5, 4, 30, 29], // inside, downscale
        [1, -6, -3, 10, 13], // top-left corner outside
        [0, 30, 20, 52, 42], // bottom-right outside
        [1, -10, -10, 40, 45], // larger than the image
        [0, 12, 12, 17, 17], // 6x6 upscaled to 24
      ];
      const list = boxes.map(([image, ...box], i) => ({ box: box as [number, number, number, number], score: 1, rank: 0, key: i, image }));
      const size = 24;
      const capacity = 8;
      const output = poisoned(ctx, 'crops', capacity * 3 * size * size * 4);
      const counts = ctx.uploadBuffer('counts', Uint32Array.of(9, list.length));
      // Chunk of `capacity` starting at candidate 1: crops candidates 1..4 into samples 0..3.
      const k = await resampleCrops(ctx, 'crop test', { size, first: 1, capacity, countIndex: 1, norm: K.NORM, resampling, stretch: cropBorder === 'stretch' }, { pixels, candidates: ctx.uploadBuffer('c', new Uint32Array(encodeCandidates(list))), counts, output });
      const [o] = await run(ctx, [k.over(capacity * size * size)], [{ buffer: output, size: output.size }]);
      const got = new Float32Array(o!);
      const sample = 3 * size * size;
      for (let s = 0; s < 4; s++) {
        const [image, ...box] = boxes[s + 1]!;
        const expected = cropReference(images[image]!, box, size, refPrecision, { cropResampling: resampling, cropBorder });
        const err = relativeError(got.subarray(s * sample, (s + 1) * sample), expected);
        console.log(`crop ${JSON.stringify(box)} of image ${image}${how}, ${cropBorder}: rel.err ${err.toExponential(2)}`);
        expect(err, `box ${s + 1} (seed ${seed})`).toBeLessThanOrEqual(1e-5);
      }
      // Samples past the count were not written.
      expect(new Uint32Array(o!)[4 * sample]).toBe(POISON);
    });
  }
});

describe('score filter kernel (RNet/ONet threshold)', () => {
  it('RNet and ONet share one pipeline (landmarks are a uniform), RNet with stand-in bindings', async () => {
    const ctx = await gpu();
    const buffer = (label: string) => ctx.storageBuffer(label, 64 * 16);
    const common = { packed: buffer('packed'), prob: buffer('prob'), logits: buffer('logits'), regression: buffer('regression'), counts: buffer('counts'), output: buffer('output') };
    const p = { first: 0, capacity: 16, totalCount: 0, threshold: 0.7, outStride: 16, outCountBase: 1, overflow: 3 };
    const rnet = await K.scoreFilter(ctx, 'rnet filter', { ...p, landmarks: false }, common);
    const onet = await K.scoreFilter(ctx, 'onet filter', { ...p, landmarks: true }, { ...common, points: buffer('points'), landmarks: buffer('landmarks') });
    expect(rnet.kernel.pipeline).toBe(onet.kernel.pipeline);
    await expect(K.scoreFilter(ctx, 'onet without points', { ...p, landmarks: true }, common)).rejects.toThrow(/onet without points: landmarks need the points and landmarks buffers/);
  });

  for (const [landmarks, boxes] of [[false, 'facenet'], [true, 'facenet'], [true, 'face-api']] as const) {
    it(`${landmarks ? `ONet (landmarks, regression, ${boxes} boxes)` : 'RNet'}: one chunk in the middle of the packed list, two images`, async () => {
      const ctx = await gpu();
      const seed = freshSeed();
      const random = rng(seed);
      const total = 45;
      const [first, capacity] = [16, 16];
      const packed = randomCandidates(random, total).map((c, i) => ({ ...c, image: i % 2 }));
      const scores: NetScore[] = packed.map(() => {
        const l0 = 6 * random() - 3;
        const l1 = 6 * random() - 3;
        const p1 = Math.fround(1 / (1 + Math.exp(l0 - l1)));
        return { score: p1, rank: Math.fround(Math.fround(l1) - Math.fround(l0)), reg: [0, 1, 2, 3].map(() => Math.fround(random() * 0.4 - 0.2)), points: landmarks ? Array.from({ length: 10 }, () => Math.fround(random())) : undefined, logits: [Math.fround(l0), Math.fround(l1)] };
      });
      scores[first + 3]!.score = Math.fround(0.7); // exactly at the threshold: dropped (>)
      const chunk = scores.slice(first, first + capacity);
      const prob = new Float32Array(capacity * 2).map((_, i) => (i % 2 ? chunk[i >> 1]!.score : 1 - chunk[i >> 1]!.score));
      const logits = new Float32Array(capacity * 2).map((_, i) => (chunk[i >> 1] as unknown as { logits: number[] }).logits[i % 2]!);
      const reg = new Float32Array(capacity * 4).map((_, i) => chunk[i >> 2]!.reg[i % 4]!);
      const points = new Float32Array(capacity * 10).map((_, i) => chunk[Math.floor(i / 10)]!.points?.[i % 10] ?? 0);
      const stride = 20;
      // counts: [0] total, [1..3) per-image out, [3] overflow
      const counts = ctx.uploadBuffer('counts', Uint32Array.of(total, 0, 0, 0));
      const output = poisoned(ctx, 'passed', 2 * stride * CANDIDATE_BYTES);
      const lm = poisoned(ctx, 'landmarks', total * 10 * 4);
      const k = await K.scoreFilter(ctx, 'filter test', { first, capacity, totalCount: 0, threshold: 0.7, outStride: stride, outCountBase: 1, overflow: 3, landmarks, faceApiBoxes: boxes === 'face-api' }, {
        packed: ctx.uploadBuffer('packed', new Uint32Array(encodeCandidates(packed))), prob: ctx.uploadBuffer('prob', prob), logits: ctx.uploadBuffer('logits', logits), regression: ctx.uploadBuffer('reg', reg), counts, output,
        ...(landmarks ? { points: ctx.uploadBuffer('points', points), landmarks: lm } : {}),
      });
      const [c, out, lms] = await run(ctx, [k.over(capacity)], [{ buffer: counts, size: 16 }, { buffer: output, size: output.size }, { buffer: lm, size: lm.size }]);
      const got = new Uint32Array(c!);
      const expected = filterStageReference(packed.slice(first, first + capacity), chunk, 0.7, 'f32', 'margin', boxes);
      expect(expected.some((e) => e.key === packed[first + 3]!.key)).toBe(false);
      for (const image of [0, 1]) {
        const want = expected.filter((e) => (e as RefCandidate & { image: number }).image === image).sort((a, b) => a.key - b.key);
        expect(got[1 + image], `image ${image} count (seed ${seed})`).toBe(want.length);
        const have = decodeCandidates(out!, image * stride, got[1 + image]!).sort((a, b) => a.key - b.key);
        have.forEach((h, i) => {
          const w = want[i]!;
          expect([h.key, h.score, h.rank]).toEqual([w.key, w.score, w.rank]);
          // face-api boxes are rounded to whole pixels: equal.
          h.box.forEach((v, j) => expect(Math.abs(v - w.box[j]!)).toBeLessThanOrEqual(boxes === 'face-api' ? 0 : 1e-4));
          if (landmarks) {
            const row = new Float32Array(lms!, h.aux * 40, 10);
            row.forEach((v, j) => expect(Math.abs(v - w.landmarks![j]!)).toBeLessThanOrEqual(1e-4));
          }
        });
      }
      console.log(`score filter${landmarks ? ` + landmarks (${boxes})` : ''}: ${got[1]! + got[2]!} of ${capacity} passed (seed ${seed})`);
    });
  }
});
