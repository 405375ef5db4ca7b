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
