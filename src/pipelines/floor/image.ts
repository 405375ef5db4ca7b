// The image every pipeline takes: 8-bit RGB, rows top to bottom (decoded by sharp in Node, by
// createImageBitmap in a browser), and the check every detector runs before any GPU work.

/** An RGB image, 8 bits per channel, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, R G B. */
  data: Uint8Array;
}

export class ImageError extends RangeError {
  constructor(readonly index: number, detail: string) {
    super(`image ${index}: ${detail}`);
    this.name = 'ImageError';
  }
}

/** Throws an ImageError naming the first image that is not a well-formed RGB image. */
export function checkImages(images: readonly RgbImage[]): void {
  images.forEach((im, i) => {
    if (!(Number.isInteger(im.width) && Number.isInteger(im.height) && im.width >= 1 && im.height >= 1) || !(im.data instanceof Uint8Array) || im.data.length !== im.width * im.height * 3) {
      throw new ImageError(i, `${im.width}x${im.height} with ${im.data?.length} bytes is not an RGB image (width * height * 3 bytes)`);
    }
  });
}

/**
 * The channel order a network is fed. 'rgb': as decoded (facenet reads images with scipy's imread,
 * RGB). 'bgr': red and blue swapped, as a port that reads with OpenCV's cv2.imread and does not
 * convert feeds its network: a convention, not a precision question, and a common cause of ports
 * disagreeing.
 */
export type ChannelOrder = 'rgb' | 'bgr';

/** The image in `order` (the same object for 'rgb'; a red/blue-swapped copy for 'bgr'). */
export function inChannelOrder(image: RgbImage, order: ChannelOrder): RgbImage {
  if (order === 'rgb') return image;
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = image.data[i + 2]!;
    data[i + 1] = image.data[i + 1]!;
    data[i + 2] = image.data[i]!;
  }
  return { width: image.width, height: image.height, data };
}
