// Results of the grid/anchor detectors, in original-image pixels, and what a model is.
import type { Graph } from '../../graph/types.js';
import type { GridOptions } from './options.js';

export interface ObjectDetection {
  /** [x, y, width, height], continuous pixel coordinates (the top-left corner of the image is 0, 0). */
  box: [number, number, number, number];
  score: number;
  class: number;
  label?: string;
}

export interface GridDetections {
  width: number;
  height: number;
  detections: ObjectDetection[];
  /** Candidates above the confidence threshold, before NMS. */
  candidates: number;
  /** With `stages`: those candidates (sorted by score). */
  candidateList?: ObjectDetection[];
}

/** How a head is decoded (shaders/postprocess/grid_decode.wgsl). */
export type HeadSpec =
  | { kind: 'yolo'; anchors: Array<[number, number]>; classes: number }
  | { kind: 'yolo-direct'; classes: number }
  | { kind: 'ssd'; anchors: Float32Array; classes: number; ignoreFirst: boolean; scales: [number, number] }
  /** Heatmap peaks (3 x 3) with left/top/right/bottom extents; `stride` input pixels per cell. */
  | { kind: 'centernet'; classes: number; stride: number };

/** A grid/anchor detection model: the network, where its heads are, how to decode them. */
export interface GridModel {
  name: string;
  graph: Graph;
  /** Output tensors: the head (YOLO, direct), the box encodings (SSD) or the heatmap (CenterNet); SSD's class logits; CenterNet's box extents. */
  head: string;
  logits?: string;
  sizes?: string;
  spec: HeadSpec;
  labels?: string[];
  /** Dataset category id of each class (COCO's 1..90 for a COCO-80 model), when it differs from the index. */
  categoryIds?: number[];
  /** The model's conventions (input size, normalization, thresholds, NMS). */
  defaults: GridOptions;
  /** Checks an input size the caller asks for (message when the model cannot take it). */
  checkInput?(width: number, height: number): string | undefined;
  /** Where the weights came from (package, version, file, sha256). */
  source?: string;
}
