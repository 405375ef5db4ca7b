// Named convention sets for MTCNN: the choices a port makes besides the weights, as option values.
// A precision study runs one backend under several and attributes what changes to the convention,
// not to precision. Browser-safe.
import type { MtcnnOptions } from './options.js';

export interface MtcnnConvention {
  name: string;
  /** Where the convention comes from. */
  description: string;
  options: Partial<MtcnnOptions>;
}

export const MTCNN_CONVENTIONS: Readonly<Record<string, MtcnnConvention>> = {
  facenet: {
    name: 'facenet',
    description: "facenet's detect_face.py (this project's default): RGB, exact area resampling, zero-padded crops, NMS by logit margin",
    options: { channelOrder: 'rgb' },
  },
  'probability-nms': {
    name: 'probability-nms',
    description: "facenet with NMS ordered by the softmax score (facenet's nms() sorts scores; in float32 many saturate to 1.0 and then tie, ties going to the lower candidate key) instead of the logit margin",
    options: { nmsOrder: 'probability' },
  },
  'face-api': {
    name: 'face-api',
    description:
      "face-api.js 0.22.2's MTCNN (build/commonjs/mtcnn/*.js of the npm package): BGR input (bgrToRgbTensor reverses the canvas' RGB), pyramid levels floor(side * scale) with the shorter side > 12, at most 10, resized by tf.image.resizeBilinear; cell corners Math.round; no +1 in IoU or regression; boxes squared then x, y, width, height rounded after every stage, final boxes too; RNet/ONet crops clipped at the border and stretched by canvas drawImage (bilinear, 8-bit); NMS ordered by probability; landmarks in the final box. Not reproduced: its landmark index bug (stage3 reads ONet's points of the n-th passing input, not of the n-th kept one) and its NMS tie order (stable ascending sort, later index first; none of the 39 sample photos has tied scores)",
    options: { channelOrder: 'bgr', nmsOrder: 'probability', pyramidLevels: 'face-api', pyramidResampling: 'bilinear-tfjs', cropResampling: 'bilinear-canvas', cropBorder: 'stretch', boxes: 'face-api' },
  },
  bgr: {
    name: 'bgr',
    description: 'facenet with blue and red swapped, as a port reading images with OpenCV cv2.imread without converting',
    options: { channelOrder: 'bgr' },
  },
};

export function mtcnnConvention(name: string): MtcnnConvention {
  const c = MTCNN_CONVENTIONS[name];
  if (!c) throw new RangeError(`unknown MTCNN convention '${name}' (known: ${Object.keys(MTCNN_CONVENTIONS).join(', ')})`);
  return c;
}
