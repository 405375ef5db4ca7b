// Results of face detection, in original-image pixels, and the three networks.
import type { Graph } from '../../graph/types.js';

/** PNet, RNet and ONet as imported (models/mtcnn/, or any graphs with facenet's TFLite names). */
export interface MtcnnGraphs {
  pnet: Graph;
  rnet: Graph;
  onet: Graph;
}

export interface Face {
  /** [x, y, width, height], x/y 0-based (the top-left pixel is 0, 0). */
  box: [number, number, number, number];
  score: number;
  /** Left eye, right eye, nose, left mouth corner, right mouth corner (image left/right), [x, y] each. */
  landmarks: Array<[number, number]>;
}

/** Boxes remaining after each stage (facenet's total_boxes at each point). */
export interface StageCounts {
  /** After PNet: thresholded, NMS per scale and across scales (the RNet inputs). */
  pnet: number;
  /** After RNet: thresholded and NMS (the ONet inputs). */
  rnet: number;
  /** After ONet's threshold, before the final NMS. */
  onet: number;
  final: number;
}

/** A candidate as seen at one stage (for --stages diagnostics). */
export interface StageCandidate {
  /** [x1, y1, x2, y2] in facenet's 1-based inclusive pixel coordinates. */
  box: [number, number, number, number];
  score: number;
  /**
   * The NMS order key: the logit margin (face - background) by default, the score with nmsOrder
   * 'probability'. In the `rnetScored` / `onetScored` lists always the logit margin.
   */
  rank: number;
  key: number;
}

export interface ImageDetections {
  width: number;
  height: number;
  /**
   * Present when the image was too large to bind on this adapter and was searched at 1/factor of
   * its size (see README, big images); boxes and landmarks are in original pixels regardless.
   */
  shrunk?: { factor: number; minFaceSize: number };
  faces: Face[];
  stages: StageCounts;
  /** Every candidate per stage, when asked for (`stages: true`). */
  candidates?: StageLists;
}

/** The candidate lists of a stage diagnosis; the `*Raw`/`*Scored` lists are what precision studies read. */
export interface StageLists {
  /** The kept lists: after PNet (RNet's inputs), after RNet (ONet's), after ONet's threshold, final. */
  pnet: StageCandidate[];
  rnet: StageCandidate[];
  onet: StageCandidate[];
  final: StageCandidate[];
  /** Every PNet cell at or over PNet's threshold, all levels, before NMS (a cell absent scored lower). */
  pnetRaw: StageCandidate[];
  /** Every RNet / ONet input (boxes as fed) with the score and logit margin that network gave it. */
  rnetScored: StageCandidate[];
  onetScored: StageCandidate[];
}

/**
 * Box [x1, y1, x2, y2] -> [x, y, w, h]. 'facenet': 1-based inclusive pixels -> 0-based. 'face-api':
 * x1, y1, x2 - x1, y2 - y1, the numbers face-api.js returns (its x and y are facenet's 1-based ones).
 */
export function toXywh(b: readonly number[], boxes: 'facenet' | 'face-api' = 'facenet'): [number, number, number, number] {
  if (boxes === 'face-api') return [b[0]!, b[1]!, b[2]! - b[0]!, b[3]! - b[1]!];
  return [b[0]! - 1, b[1]! - 1, b[2]! - b[0]! + 1, b[3]! - b[1]! + 1];
}
