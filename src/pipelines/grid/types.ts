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
  | { kind: 'ssd'; anchors: Float32Array; classes: number; ignoreFirst: boolean; scales: [number, number] };

/** A grid/anchor detection model: the network, where its heads are, how to decode them. */
export interface GridModel {
  name: string;
  graph: Graph;
  /** Output tensors: the head (YOLO, direct) or the box encodings (SSD), and SSD's class logits. */
  head: string;
  logits?: string;
  spec: HeadSpec;
  labels?: string[];
  /** The model's conventions (input size, normalization, thresholds, NMS). */
  defaults: GridOptions;
  /** Checks an input size the caller asks for (message when the model cannot take it). */
  checkInput?(width: number, height: number): string | undefined;
  /** Where the weights came from (package, version, file, sha256). */
  source?: string;
}
