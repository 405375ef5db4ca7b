#!/usr/bin/env bash
# The sweep on generated dense scenes (not a test; ~2 min on lavapipe): 12 synthetic scenes
# (6 bookshelves, 6 audiences, densities 1-3, seed 1) and 4 real-photo crowd mosaics (3x2, 4x3,
# 5x4, 6x5 tiles of @vladmandic/face-api's group photos), swept with centernet, ssd-oid and the
# user's torch-style grid architecture (seeded weights: it shows the grid axis and the timings, its
# AP is 0 by construction), plus monitor dumps of a bookshelf, an audience and a mosaic.
# Writes harness/reports/sweep-dense.md (+ .json per run) and harness/out/sweep/ (images, dumps).
#   npm run build && harness/sweep-reports.sh [--adapter lavapipe]
set -euo pipefail
cd "$(dirname "$0")/.."
ADAPTER=("$@")
OUT=harness/out/sweep
REPORT=harness/reports/sweep-dense.md
CLI="node bin/webgpu-detect.js"
rm -rf "$OUT" && mkdir -p "$OUT" harness/reports
node --import tsx harness/dense-scenes.ts --out "$OUT/synthetic" --count 12 --seed 1 >/dev/null
node --import tsx harness/dense-scenes.ts --out "$OUT/mosaics" --count 0 --mosaics 4 --seed 1 >/dev/null
npm run -s fixtures:onnx -- --out "$OUT/user.onnx" --opset 13 --grid 26 >/dev/null

section() { # title, set, json name, sweep args...
  local title=$1 set=$2 name=$3; shift 3
  {
    echo "## $title"
    echo
    $CLI sweep --gt "$OUT/$set/instances.json" "$OUT/$set" --max-dets 1,10,100,300 --out "harness/reports/sweep-$name.json" --no-progress "${ADAPTER[@]}" "$@" 2> "$OUT/$name.err" | tee "$OUT/$name.md"
    echo
    grep -v Warning "$OUT/$name.err" | sed 's/^/    /'
    echo
  } >> "$REPORT"
}

{
  echo "# Threshold / grid sweeps on generated dense scenes"
  echo
  echo "Written by harness/sweep-reports.sh ($(date -u +%Y-%m-%d)). Bold: the best AP and the best F1. AP is pycocotools' stats[0]"
  echo "(maxDets 100), AR at maxDets 300; P/R/F1, dupes, groups at the row's confidence, IoU 0.5 one-to-one; dets/img counts"
  echo "detections of the ground truth's classes (person, book); GPU ms/img is one setting's decode + sort + NMS."
  echo
} > "$REPORT"
section "CenterNet (COCO-80), 12 synthetic scenes" synthetic centernet-synthetic --model centernet --conf 0.05,0.1,0.15,0.2,0.3 --iou 0.3,0.4,0.5,0.6,1
section "CenterNet (COCO-80), 4 real-photo crowd mosaics" mosaics centernet-mosaics --model centernet --conf 0.1,0.2,0.3,0.4,0.5 --iou 0.3,0.4,0.5,0.6,1
section "ssd-oid (Open Images 24), 12 synthetic scenes" synthetic ssd-synthetic --model ssd-oid --conf 0.1,0.2,0.3,0.4,0.5 --iou 0.3,0.4,0.5,0.6
section "ssd-oid (Open Images 24), 4 real-photo crowd mosaics" mosaics ssd-mosaics --model ssd-oid --conf 0.1,0.2,0.3,0.4,0.5 --iou 0.3,0.4,0.5,0.6
section "The user's grid architecture (torch-style ONNX, seeded weights), 12 synthetic scenes, as books" synthetic user-synthetic --model "$OUT/user.onnx" --decode yolo-direct --classes 0 --category book --grid 13,26,52 --conf 0.3,0.5,0.7 --iou 0.45

# Monitor dumps: centernet beside ssd-oid at conf 0.1, IoU 0.5.
for set in synthetic mosaics; do
  for model in centernet ssd-oid; do
    rm -f "$OUT/$set-$model.jsonl"
    $CLI detect --model "$model" --conf 0.1 --iou 0.5 --out "$OUT/$set-$model.jsonl" --quiet --no-progress "${ADAPTER[@]}" "$OUT/$set"/*.png 2>/dev/null
  done
done
$CLI eval --format coco --gt "$OUT/synthetic/instances.json" --max-dets 1,10,100,300 --score-threshold 0.1 --dump "$OUT/dumps-synthetic" --images "$OUT/synthetic" --ids 5,6 --compare "$OUT/synthetic-ssd-oid.jsonl" "$OUT/synthetic-centernet.jsonl" > "$OUT/eval-synthetic-centernet.txt" 2>/dev/null || true
$CLI eval --format coco --gt "$OUT/mosaics/instances.json" --max-dets 1,10,100,300 --score-threshold 0.1 --dump "$OUT/dumps-mosaics" --images "$OUT/mosaics" --ids 1,2 --compare "$OUT/mosaics-ssd-oid.jsonl" "$OUT/mosaics-centernet.jsonl" > "$OUT/eval-mosaics-centernet.txt" 2>/dev/null || true
echo "Monitor dumps (centernet left, ssd-oid right, conf 0.1, IoU 0.5): $OUT/dumps-synthetic/, $OUT/dumps-mosaics/" >> "$REPORT"
echo "$REPORT"
