// MediaPipe's SSD-MobileNetV2 object detector trained on 24 Open Images classes
// (object_detection_ssd_mobilenetv2_oidv4_fp16.tflite, shipped inside @mediapipe/objectron,
// Apache-2.0) as a grid model. Conventions from MediaPipe's
// modules/objectron/object_detection_oid_v4_gpu.pbtxt: the image stretched to 300 x 300 (GPU
// bilinear, pixel centres), values in [-1, 1]; SsdAnchorsCalculator anchors (1917); boxes
// (ty, tx, th, tw) with scales 10, 10, 5, 5 and exponential sizes; sigmoid scores, class 0
// ("???", background) ignored, the best class per box, kept when score >= threshold. Objectron
// itself keeps one box (min_score_thresh 0.6, IoU 0.4, class-agnostic); as a general detector
// the defaults here are threshold 0.5, class-aware NMS at IoU 0.5 and at most 100 boxes.
import type { Graph } from '../../../graph/types.js';
import { OID_V4_ANCHORS, ssdAnchors } from '../anchors.js';
import type { GridModel } from '../types.js';

export function ssdOidModel(graph: Graph, labels: string[], source?: string): GridModel {
  return {
    name: 'ssd-oid',
    graph,
    head: 'raw_outputs/box_encodings',
    logits: 'raw_outputs/class_predictions',
    spec: { kind: 'ssd', anchors: ssdAnchors(OID_V4_ANCHORS), classes: labels.length, ignoreFirst: true, scales: [10, 5] },
    labels,
    source,
    defaults: {
      inputWidth: 300,
      inputHeight: 300,
      placement: 'stretch',
      sampling: 'half-pixel',
      scale: 1,
      mean: [127.5, 127.5, 127.5],
      std: [127.5, 127.5, 127.5],
      channelOrder: 'rgb',
      pad: [0, 0, 0],
      conf: 0.5,
      inclusive: true,
      iou: 0.5,
      nms: 'greedy',
      softMethod: 'linear',
      sigma: 0.5,
      maxDet: 100,
      agnostic: false,
      multiLabel: false,
      maxCandidates: 8192,
    },
    checkInput: (w, h) => (w !== 300 || h !== 300 ? `the network takes 300x300 inputs, got ${w}x${h}` : undefined),
  };
}
