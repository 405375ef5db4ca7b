// MB3-CenterNet (github.com/610265158/mobilenetv3_centernet), the COCO-80 object detector
// @vladmandic/human ships as a tfjs graph model (models/centernet.json + .bin, MIT, weights f16),
// as a grid model. The graph is cut at its two maps: `tower_0/keypoints` [N, 128, 128, 80] (the
// sigmoid class heatmap) and `tower_0/wh` [N, 128, 128, 4] (left, top, right, bottom extents in
// input pixels, the x16 already applied); the graph's own decode (peak = heat == maxpool3x3(heat),
// top-100 over the flattened map, box = 4 (x, y) -/+ extents) is ours on the GPU
// (grid_decode.wgsl CENTERNET). Conventions from Human's src/object/centernet.ts: the 0..255 RGB
// image (not normalised) stretched to 512 x 512 by tf.image.resizeBilinear (align_corners and
// half_pixel_centers false: src = dst * in / out, our 'asymmetric' sampling); minConfidence 0.2,
// NMS IoU 0.4. The graph's top-k keeps 100 and uses no NMS; `maxDet` 100 matches it, `iou` 1
// turns NMS off.
import type { Graph } from '../../../graph/types.js';
import type { GridModel } from '../types.js';

/** COCO 2017's 80 detection categories in the order of their ids (the models' class index). */
export const COCO80_NAMES = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light', 'fire hydrant', 'stop sign',
  'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
  'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard',
  'surfboard', 'tennis racket', 'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv',
  'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase',
  'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

/** Their COCO category ids (1..90 with gaps: ids of categories the 2014 paper dropped are unused). */
export const COCO80_IDS = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
  44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85,
  86, 87, 88, 89, 90,
];

export const CENTERNET_HEATMAP = 'tower_0/keypoints';
export const CENTERNET_SIZES = 'tower_0/wh';

export function centerNetModel(graph: Graph, source?: string): GridModel {
  return {
    name: 'centernet',
    graph,
    head: CENTERNET_HEATMAP,
    sizes: CENTERNET_SIZES,
    spec: { kind: 'centernet', classes: 80, stride: 4 },
    labels: COCO80_NAMES,
    categoryIds: COCO80_IDS,
    source,
    defaults: {
      inputWidth: 512,
      inputHeight: 512,
      placement: 'stretch',
      sampling: 'asymmetric',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      channelOrder: 'rgb',
      pad: [0, 0, 0],
      conf: 0.2,
      inclusive: false,
      iou: 0.4,
      nms: 'greedy',
      softMethod: 'linear',
      sigma: 0.5,
      maxDet: 100,
      agnostic: false,
      multiLabel: true,
      maxCandidates: 8192,
    },
    checkInput: (w, h) => (w !== 512 || h !== 512 ? `the network takes 512x512 inputs (its upsampling sizes are fixed), got ${w}x${h}` : undefined),
  };
}
