// Results of text detection, in original-image pixels.

export interface TextBox {
  /** Four corners, clockwise from the top-left as PaddleOCR orders them: [[x, y] x 4], integers. */
  polygon: Array<[number, number]>;
  /** Mean probability inside the box before unclipping. */
  score: number;
}

export interface TextDetections {
  width: number;
  height: number;
  /** Network input size (after the resize rule). */
  networkWidth: number;
  networkHeight: number;
  boxes: TextBox[];
  /** Connected components of the binarized map (all of them, before any filter). */
  components: number;
}
