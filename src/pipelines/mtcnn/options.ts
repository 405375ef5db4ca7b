// MTCNN options (facenet's detect_face defaults), flat, and their validation.
import type { CommonDetectOptions } from '../floor/batch.js';
import type { ChannelOrder } from '../floor/image.js';
import { IMAGE_RESAMPLINGS, type ImageResampling } from '../floor/image-kernels.js';

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
  /**
   * Pyramid levels: 'facenet' (level side ceil(side * scale), every level PNet can read) or
   * 'face-api' (floor(side * scale), levels whose shorter side exceeds 12, at most 10).
   */
  pyramidLevels: 'facenet' | 'face-api';
  /** How pyramid levels are resampled (facenet: 'area'; face-api.js: 'bilinear-tfjs'). */
  pyramidResampling: ImageResampling;
  /** How RNet/ONet crops are resampled (facenet: 'area'; face-api.js: 'bilinear-canvas'). */
  cropResampling: ImageResampling;
  /** Crops past the image border: 'zero-pad' (facenet) or 'stretch' the inside part (face-api.js). */
  cropBorder: 'zero-pad' | 'stretch';
  /**
   * Box arithmetic. 'facenet': boxes are inclusive pixel ranges (+1 in widths, NMS areas and bbreg),
   * cell corners and squared boxes truncated (np.fix), final boxes not squared, landmarks placed in
   * ONet's input box. 'face-api': no +1 anywhere, cell corners Math.round, squared boxes rounded as
   * x, y, width, height, final boxes squared and rounded, landmarks placed in the final box
   * (face-api.js 0.22 mtcnn/stage1-3.ts, Box.calibrate, iou).
   */
  boxes: 'facenet' | 'face-api';
}

export const DEFAULT_MTCNN_OPTIONS: Readonly<MtcnnOptions> = {
  minFaceSize: 20,
  factor: 0.709,
  thresholds: [0.6, 0.7, 0.7],
  nms: [0.5, 0.7, 0.7, 0.7],
  channelOrder: 'rgb',
  nmsOrder: 'margin',
  pyramidLevels: 'facenet',
  pyramidResampling: 'area',
  cropResampling: 'area',
  cropBorder: 'zero-pad',
  boxes: 'facenet',
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
    pyramidLevels: input.pyramidLevels ?? DEFAULT_MTCNN_OPTIONS.pyramidLevels,
    pyramidResampling: input.pyramidResampling ?? DEFAULT_MTCNN_OPTIONS.pyramidResampling,
    cropResampling: input.cropResampling ?? DEFAULT_MTCNN_OPTIONS.cropResampling,
    cropBorder: input.cropBorder ?? DEFAULT_MTCNN_OPTIONS.cropBorder,
    boxes: input.boxes ?? DEFAULT_MTCNN_OPTIONS.boxes,
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
  const oneOf = (what: keyof MtcnnOptions, allowed: readonly string[]) => {
    if (!allowed.includes(o[what] as string)) bad(`${what} (${allowed.map((a) => `'${a}'`).join(', ')})`, o[what]);
  };
  oneOf('pyramidLevels', ['facenet', 'face-api']);
  oneOf('pyramidResampling', IMAGE_RESAMPLINGS);
  oneOf('cropResampling', IMAGE_RESAMPLINGS);
  oneOf('cropBorder', ['zero-pad', 'stretch']);
  oneOf('boxes', ['facenet', 'face-api']);
  return { ...o, thresholds: [...o.thresholds] as MtcnnOptions['thresholds'], nms: [...o.nms] as MtcnnOptions['nms'] };
}

export interface RefineFlags {
  /** Regression in units of x2 - x1 ('exclusive') or x2 - x1 + 1 ('inclusive', facenet's bbreg). */
  regression?: 'exclusive' | 'inclusive';
  square?: boolean;
  /** Truncate the corners (np.fix). */
  fix?: boolean;
  /** Round x1, y1, width, height half up (face-api.js Box.round). */
  round?: boolean;
}

/** What happens to the survivors of stage 1 (PNet) or 2 (RNet) before the next network sees them. */
export function refineFlags(boxes: 'facenet' | 'face-api', stage: 'pnet' | 'rnet'): RefineFlags {
  if (boxes === 'face-api') return { regression: 'exclusive', square: true, round: true };
  return { regression: stage === 'pnet' ? 'exclusive' : 'inclusive', square: true, fix: true };
}
