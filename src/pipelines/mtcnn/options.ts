// MTCNN options (facenet's detect_face defaults), flat, and their validation.
import type { CommonDetectOptions } from '../floor/batch.js';
import type { ChannelOrder } from '../floor/image.js';

export interface MtcnnOptions {
  /** Smallest face to find, in pixels (pyramid starts at scale 12 / minFaceSize). */
  minFaceSize: number;
  /** Pyramid scale step. */
  factor: number;
  /** Face-score thresholds of PNet (>=), RNet (>) and ONet (>). */
  thresholds: [number, number, number];
  /** NMS thresholds: PNet within a scale, PNet across scales, RNet, ONet ('Min' overlap). */
  nms: [number, number, number, number];
  /** Channel order fed to PNet/RNet/ONet (a convention: facenet 'rgb'; OpenCV-based ports 'bgr'). */
  channelOrder: ChannelOrder;
  /**
   * NMS order key: 'margin', the logit margin face - background (default: it orders candidates
   * whose float32 softmax has saturated to 1.0), or 'probability', the softmax score itself (as
   * facenet's nms() sorts); ties go to the lower candidate key either way.
   */
  nmsOrder: 'margin' | 'probability';
}

export const DEFAULT_MTCNN_OPTIONS: Readonly<MtcnnOptions> = {
  minFaceSize: 20,
  factor: 0.709,
  thresholds: [0.6, 0.7, 0.7],
  nms: [0.5, 0.7, 0.7, 0.7],
  channelOrder: 'rgb',
  nmsOrder: 'margin',
};

/** Everything `MtcnnDetector.detect` takes: the options above plus diagnostics. */
export interface MtcnnDetectOptions extends Partial<MtcnnOptions>, CommonDetectOptions {
  /** Also return every candidate at every stage. */
  stages?: boolean;
}

export function resolveMtcnnOptions(input: Partial<MtcnnOptions> = {}): MtcnnOptions {
  const o: MtcnnOptions = {
    minFaceSize: input.minFaceSize ?? DEFAULT_MTCNN_OPTIONS.minFaceSize,
    factor: input.factor ?? DEFAULT_MTCNN_OPTIONS.factor,
    thresholds: input.thresholds ?? DEFAULT_MTCNN_OPTIONS.thresholds,
    nms: input.nms ?? DEFAULT_MTCNN_OPTIONS.nms,
    channelOrder: input.channelOrder ?? DEFAULT_MTCNN_OPTIONS.channelOrder,
    nmsOrder: input.nmsOrder ?? DEFAULT_MTCNN_OPTIONS.nmsOrder,
  };
  const bad = (what: string, v: unknown) => {
    throw new RangeError(`MTCNN option ${what} = ${JSON.stringify(v)} is invalid`);
  };
  if (!(Number.isFinite(o.minFaceSize) && o.minFaceSize >= 12)) bad('minFaceSize (must be >= 12: PNet sees 12-pixel cells)', o.minFaceSize);
  if (!(o.factor > 0 && o.factor < 1)) bad('factor (must be in (0, 1))', o.factor);
  if (!Array.isArray(o.thresholds) || o.thresholds.length !== 3 || o.thresholds.some((t) => !(t >= 0 && t <= 1))) bad('thresholds (three numbers in [0, 1])', o.thresholds);
  if (!Array.isArray(o.nms) || o.nms.length !== 4 || o.nms.some((t) => !(t > 0 && t <= 1))) bad('nms (four numbers in (0, 1]: PNet per scale, PNet across scales, RNet, ONet)', o.nms);
  if (o.channelOrder !== 'rgb' && o.channelOrder !== 'bgr') bad("channelOrder ('rgb' or 'bgr')", o.channelOrder);
  if (o.nmsOrder !== 'margin' && o.nmsOrder !== 'probability') bad("nmsOrder ('margin' or 'probability')", o.nmsOrder);
  return { ...o, thresholds: [...o.thresholds] as MtcnnOptions['thresholds'], nms: [...o.nms] as MtcnnOptions['nms'] };
}
