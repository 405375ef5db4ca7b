// The one detector interface the CLI, the library and the browser page use alike: a detector is
// created from its model files (graphs) once, then `detect(images, options)` runs batches and
// returns typed results per image plus the batch's stats. Options are one flat object per detector.
import type { CommonDetectOptions, DetectionBatch } from './batch.js';
import type { RgbImage } from './image.js';

export interface Detector<Options extends CommonDetectOptions, Result> {
  /** The model name as the CLI and `webgpu-detect models` list it (mtcnn, ppocr-det, tiny-face, ...). */
  readonly model: string;
  detect(images: readonly RgbImage[], options?: Options): Promise<DetectionBatch<Result>>;
}
