// Anchor tables of the anchor decoders, computed on the CPU once per model.

/** SSD anchors as MediaPipe's SsdAnchorsCalculator generates them (ssd_anchors_calculator.cc). */
export interface SsdAnchorOptions {
  numLayers: number;
  minScale: number;
  maxScale: number;
  inputWidth: number;
  inputHeight: number;
  anchorOffsetX: number;
  anchorOffsetY: number;
  strides: number[];
  aspectRatios: number[];
  reduceBoxesInLowestLayer: boolean;
  /** 1.0 by default: one extra anchor per location at the interpolated scale sqrt(s_i s_i+1). */
  interpolatedScaleAspectRatio: number;
  fixedAnchorSize: boolean;
}

/** MediaPipe's object_detection_oid_v4 configuration (modules/objectron/object_detection_oid_v4_gpu.pbtxt). */
export const OID_V4_ANCHORS: SsdAnchorOptions = {
  numLayers: 6,
  minScale: 0.2,
  maxScale: 0.95,
  inputWidth: 300,
  inputHeight: 300,
  anchorOffsetX: 0.5,
  anchorOffsetY: 0.5,
  strides: [16, 32, 64, 128, 256, 512],
  aspectRatios: [1.0, 2.0, 0.5, 3.0, 0.3333],
  reduceBoxesInLowestLayer: true,
  interpolatedScaleAspectRatio: 1.0,
  fixedAnchorSize: false,
};

function scaleOf(min: number, max: number, index: number, count: number): number {
  return count === 1 ? (min + max) / 2 : min + ((max - min) * index) / (count - 1);
}

/** Anchors as (y centre, x centre, height, width), normalized to the input: 4 floats each. */
export function ssdAnchors(o: SsdAnchorOptions): Float32Array {
  const out: number[] = [];
  let layer = 0;
  while (layer < o.numLayers) {
    const heights: number[] = [];
    const widths: number[] = [];
    const ratios: number[] = [];
    const scales: number[] = [];
    let last = layer;
    while (last < o.strides.length && o.strides[last] === o.strides[layer]) {
      const scale = scaleOf(o.minScale, o.maxScale, last, o.strides.length);
      if (last === 0 && o.reduceBoxesInLowestLayer) {
        ratios.push(1.0, 2.0, 0.5);
        scales.push(0.1, scale, scale);
      } else {
        for (const r of o.aspectRatios) {
          ratios.push(r);
          scales.push(scale);
        }
        if (o.interpolatedScaleAspectRatio > 0) {
          const next = last === o.strides.length - 1 ? 1.0 : scaleOf(o.minScale, o.maxScale, last + 1, o.strides.length);
          scales.push(Math.sqrt(scale * next));
          ratios.push(o.interpolatedScaleAspectRatio);
        }
      }
      last++;
    }
    ratios.forEach((r, i) => {
      const root = Math.sqrt(r);
      heights.push(scales[i]! / root);
      widths.push(scales[i]! * root);
    });
    const stride = o.strides[layer]!;
    const fh = Math.ceil(o.inputHeight / stride);
    const fw = Math.ceil(o.inputWidth / stride);
    for (let y = 0; y < fh; y++)
      for (let x = 0; x < fw; x++)
        for (let a = 0; a < heights.length; a++) {
          out.push((y + o.anchorOffsetY) / fh, (x + o.anchorOffsetX) / fw, o.fixedAnchorSize ? 1 : heights[a]!, o.fixedAnchorSize ? 1 : widths[a]!);
        }
    layer = last;
  }
  return Float32Array.from(out);
}
