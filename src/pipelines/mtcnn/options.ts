// MTCNN options (facenet's detect_face defaults) and their validation.

export interface MtcnnOptions {
  /** Smallest face to find, in pixels (pyramid starts at scale 12 / minFaceSize). */
  minFaceSize: number;
  /** Pyramid scale step. */
  factor: number;
  /** Face-score thresholds of PNet (>=), RNet (>) and ONet (>). */
  thresholds: [number, number, number];
  /** NMS thresholds: PNet within a scale, PNet across scales, RNet, ONet ('Min' overlap). */
  nms: { pnetScale: number; pnetAll: number; rnet: number; onet: number };
}

export const DEFAULT_MTCNN_OPTIONS: Readonly<MtcnnOptions> = {
  minFaceSize: 20,
  factor: 0.709,
  thresholds: [0.6, 0.7, 0.7],
  nms: { pnetScale: 0.5, pnetAll: 0.7, rnet: 0.7, onet: 0.7 },
};

export type MtcnnOptionsInput = Partial<Omit<MtcnnOptions, 'nms'>> & { nms?: Partial<MtcnnOptions['nms']> };

export function resolveMtcnnOptions(input: MtcnnOptionsInput = {}): MtcnnOptions {
  const o: MtcnnOptions = {
    ...DEFAULT_MTCNN_OPTIONS,
    ...input,
    nms: { ...DEFAULT_MTCNN_OPTIONS.nms, ...input.nms },
  } as MtcnnOptions;
  const bad = (what: string, v: unknown) => {
    throw new RangeError(`MTCNN option ${what} = ${JSON.stringify(v)} is invalid`);
  };
  if (!(Number.isFinite(o.minFaceSize) && o.minFaceSize >= 12)) bad('minFaceSize (must be >= 12: PNet sees 12-pixel cells)', o.minFaceSize);
  if (!(o.factor > 0 && o.factor < 1)) bad('factor (must be in (0, 1))', o.factor);
  if (!Array.isArray(o.thresholds) || o.thresholds.length !== 3 || o.thresholds.some((t) => !(t >= 0 && t <= 1))) bad('thresholds (three numbers in [0, 1])', o.thresholds);
  for (const [k, v] of Object.entries(o.nms)) if (!(v > 0 && v <= 1)) bad(`nms.${k} (in (0, 1])`, v);
  return o;
}
