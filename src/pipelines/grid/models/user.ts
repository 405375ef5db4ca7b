// A user's own grid/anchor detector (an ONNX file), described by how to decode its outputs:
//   yolo         outputs[0] [N, A (5 + C), H, W], YOLOv2/v3 style: sigmoid offsets, exp sizes times
//                anchors (in grid cells), softmax class probabilities;
//   yolo-direct  outputs[0] [N, 5 + C, H, W]: x, y offsets in the cell, w, h as fractions of the
//                input, objectness (the network's own sigmoid), class scores;
//   ssd          outputs[0] box encodings [N, A, 4], outputs[1] class logits [N, A, C] against
//                MediaPipe's SsdAnchorsCalculator anchors (the oid_v4 layer options at this input
//                size), scales 10, 10, 5, 5, class 0 the background.
// Defaults: stretch to the input, values v / 255, RGB, confidence 0.5, greedy class-aware NMS at
// IoU 0.45, up to 300 detections.
import type { Graph } from '../../../graph/types.js';
import { OID_V4_ANCHORS, ssdAnchors } from '../anchors.js';
import type { GridOptions } from '../options.js';
import type { GridModel, HeadSpec } from '../types.js';

export type DecodeKind = 'yolo' | 'yolo-direct' | 'ssd';

export interface UserModelSpec {
  decode: DecodeKind;
  /** YOLO anchors (w, h) in grid cells. */
  anchors?: Array<[number, number]>;
  classes: number;
  labels?: string[];
}

export const USER_DEFAULTS: Omit<GridOptions, 'inputWidth' | 'inputHeight'> = {
  placement: 'stretch',
  sampling: 'half-pixel',
  scale: 1,
  mean: [0, 0, 0],
  std: [255, 255, 255],
  channelOrder: 'rgb',
  pad: [114, 114, 114],
  conf: 0.5,
  inclusive: false,
  iou: 0.45,
  nms: 'greedy',
  softMethod: 'linear',
  sigma: 0.5,
  maxDet: 300,
  agnostic: false,
  multiLabel: false,
  maxCandidates: 8192,
};

export function userGridModel(graph: Graph, spec: UserModelSpec, input: { width: number; height: number }, file: string): GridModel {
  const outputs = graph.outputs;
  if (spec.decode === 'ssd' && outputs.length < 2) throw new RangeError(`${file}: --decode ssd needs two outputs (box encodings, class logits); the model has ${outputs.join(', ')}`);
  if (spec.decode === 'yolo' && !spec.anchors?.length) throw new RangeError(`${file}: --decode yolo needs --anchors (w,h pairs in grid cells)`);
  if (spec.labels && spec.labels.length !== spec.classes) throw new RangeError(`${file}: ${spec.labels.length} labels for ${spec.classes} classes`);
  const head: HeadSpec =
    spec.decode === 'ssd'
      ? { kind: 'ssd', anchors: ssdAnchors({ ...OID_V4_ANCHORS, inputWidth: input.width, inputHeight: input.height }), classes: spec.classes, ignoreFirst: true, scales: [10, 5] }
      : spec.decode === 'yolo'
        ? { kind: 'yolo', anchors: spec.anchors!, classes: spec.classes }
        : { kind: 'yolo-direct', classes: spec.classes };
  return {
    name: file.split('/').pop()!,
    graph,
    head: outputs[0]!,
    ...(spec.decode === 'ssd' ? { logits: outputs[1]! } : {}),
    spec: head,
    ...(spec.labels ? { labels: spec.labels } : {}),
    source: file,
    defaults: { ...USER_DEFAULTS, inputWidth: input.width, inputHeight: input.height },
  };
}
