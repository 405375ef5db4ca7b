// The `face-api` convention profile: Chromium's canvas resampling reproduced bit for bit, the GPU
// pipeline under the profile equal to its CPU reference, and both equal to face-api.js 0.22.2 itself
// (unmodified, in headless Chromium) on sample photos, stage counts and final boxes.
import { describe, expect, it } from 'vitest';
import { openCanvasOracle } from '../../src/io/chromium-canvas.js';
import { openFaceApi } from '../../src/io/face-api-mtcnn.js';
import { decodeImage } from '../../src/io/node-image.js';
import { clmtrackrSamples } from '../../src/io/samples.js';
import { mtcnnConvention } from '../../src/pipelines/mtcnn/conventions.js';
import { resolveMtcnnOptions } from '../../src/pipelines/mtcnn/options.js';
import { detectFacesReference, resampleBilinear } from '../../src/pipelines/mtcnn/reference.js';
import type { RgbImage } from '../../src/pipelines/floor/image.js';
import { freshSeed, gpu, rng } from '../helpers/gpu.js';
import { mtcnnDetector, mtcnnGraphs } from '../helpers/mtcnn.js';

const sample = (name: string) => clmtrackrSamples().find((f) => f.endsWith(`/${name}`))!;
const PROFILE = mtcnnConvention('face-api').options;

function noise(random: () => number, width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).map(() => Math.floor(256 * random())) };
}

describe("the 'bilinear-canvas' resampling is Chromium's canvas drawImage", () => {
  it('every 8-bit value of noise images of odd and even sizes drawn to 24 x 24 and 48 x 48', async () => {
    const seed = freshSeed();
    const random = rng(seed);
    const oracle = await openCanvasOracle();
    try {
      // Sizes where float32 positions or float weights would differ (23, 161: measured), upscales
      // and downscales, a random size.
      const sizes: Array<[number, number]> = [[23, 23], [161, 161], [19, 30], [100, 80], [7 + Math.floor(200 * random()), 9 + Math.floor(200 * random())]];
      let values = 0;
      for (const [w, h] of sizes) {
        for (const side of [24, 48]) {
          const image = noise(random, w, h);
          const canvas = await oracle.draw(image, side, side);
          const ours = resampleBilinear(image, 0, 0, w, h, side, side, 'bilinear-canvas', 'f64');
          const plane = side * side;
          let differ = 0;
          for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) if (Math.round(ours[c * plane + p]! / 0.0078125 + 127.5) !== canvas.data[3 * p + c]) differ++;
          values += 3 * plane;
          expect(differ, `${w}x${h} -> ${side} (seed ${seed})`).toBe(0);
        }
      }
      console.log(`${oracle.device}: ${values} values of ${sizes.length * 2} drawings equal the model (seed ${seed})`);
    } finally {
      await oracle.close();
    }
  });
});

describe('MTCNN face-api profile', () => {
  it('GPU equals the float32 CPU reference: counts, boxes, landmarks (crops stretched at the border)', async () => {
    const ctx = await gpu();
    const detector = await mtcnnDetector();
    const graphs = await mtcnnGraphs();
    const options = resolveMtcnnOptions(PROFILE);
    const names = ['Justin-Bieber2_crop.jpg', 'ri_1_crop.jpg', 'SeanConnery.jpg', 'joconde_crop.jpg'];
    const images = await Promise.all(names.map((n) => decodeImage(sample(n))));
    const { images: found } = await detector.detect(images, { ...PROFILE, stages: true });
    images.forEach((image, i) => {
      const ref = detectFacesReference(image, graphs, options, 'f32');
      expect(found[i]!.stages, names[i]).toEqual(ref.stages);
      expect(found[i]!.faces.map((f) => f.box), names[i]).toEqual(ref.faces.map((f) => f.box));
      found[i]!.faces.forEach((f, k) => {
        expect(Math.abs(f.score - ref.faces[k]!.score)).toBeLessThanOrEqual(1e-5);
        f.landmarks.forEach((p, j) => p.forEach((v, a) => expect(Math.abs(v - ref.faces[k]!.landmarks[j]![a]!)).toBeLessThanOrEqual(1e-3)));
      });
    });
    // Two of these boxes cross the image border: their crops were stretched, not zero-padded.
    expect(found.flatMap((r) => r.faces).filter((f) => f.box[0] < 0 || f.box[1] < 0).length).toBeGreaterThanOrEqual(2);
    console.log(`[${ctx.adapter.name}] face-api profile: ${names.map((n, i) => `${n} ${JSON.stringify(found[i]!.faces.map((f) => f.box))}`).join('; ')}`);
  });

  it('equals face-api.js 0.22.2 itself on sample photos: boxes after each stage and final boxes', async () => {
    const ctx = await gpu();
    const detector = await mtcnnDetector();
    // Border crops, several RNet/ONet candidates, no face found, two faces (joconde.jpg).
    const names = ['audrey.jpg', 'queen20_crop.jpg', 'terminator_crop.jpg', 'ironman.jpg', 'joconde.jpg', 'bieber_small.jpg'];
    const faceApi = await openFaceApi();
    try {
      const rows: string[] = [];
      for (const name of names) {
        const image = await decodeImage(sample(name));
        const theirs = await faceApi.detect(image);
        const ours = (await detector.detect([image], PROFILE)).images[0]!;
        expect({ pnet: ours.stages.pnet, rnet: ours.stages.rnet, final: ours.stages.final }, name).toEqual(theirs.stages);
        expect(ours.faces.map((f) => f.box), name).toEqual(theirs.faces.map((f) => f.box));
        const scoreDiff = Math.max(0, ...theirs.faces.map((f, k) => Math.abs(f.score - ours.faces[k]!.score)));
        // Both are float32 networks over identical inputs; summation orders differ.
        expect(scoreDiff, name).toBeLessThanOrEqual(1e-4);
        rows.push(`${name}: ${JSON.stringify(theirs.stages)} ${JSON.stringify(theirs.faces.map((f) => f.box))} score diff ${scoreDiff.toExponential(1)}`);
      }
      console.log(`[${ctx.adapter.name}] vs face-api.js:\n${rows.join('\n')}`);
    } finally {
      await faceApi.close();
    }
  });

  it('the profile is plain options: each convention can be switched alone, and bad values are named', () => {
    expect(resolveMtcnnOptions({ ...PROFILE, cropBorder: 'zero-pad' }).cropBorder).toBe('zero-pad');
    expect(() => resolveMtcnnOptions({ cropBorder: 'mirror' as never })).toThrow(/cropBorder \('zero-pad', 'stretch'\) = "mirror" is invalid/);
    expect(() => resolveMtcnnOptions({ pyramidResampling: 'bicubic' as never })).toThrow(/pyramidResampling \('area', 'bilinear-tfjs', 'bilinear-opencv', 'bilinear-canvas'\)/);
    expect(() => mtcnnConvention('face_api')).toThrow(/unknown MTCNN convention 'face_api' \(known: facenet, probability-nms, face-api, bgr\)/);
  });
});
