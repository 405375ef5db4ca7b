// Node-only helpers (import from 'webgpu-detect/node'): image decoding with sharp, this package's
// model files, input resolution, overlays.
export { decodeImage, ImageDecodeError } from './io/node-image.js';
export { loadGraphFile, loadPackagedGraph } from './io/node-models.js';
export { resolveInputs, IMAGE_EXTENSIONS } from './io/inputs.js';
export { writeOverlay, type OverlayShape } from './io/overlay.js';
export { clmtrackrSamples } from './io/samples.js';
export { loadTinyFaceModel, loadSsdOidModel, loadCenterNetModel, loadUserOnnxModel, readModelFiles, findPackageDir } from './io/model-catalog.js';
export { bookshelf, audience, denseDataset, writeDenseSet, DENSE_CATEGORIES, type DenseScene } from './io/dense-scenes.js';
export { photoMosaic, FACE_API_SAMPLE_PEOPLE, type MosaicOptions } from './io/photo-mosaics.js';
export { loadClmModel, loadClmModelFile, loadOpenFaceModel, DEFAULT_CLM_MODEL, PACKAGED_CLM_MODELS } from './io/clm-models.js';
