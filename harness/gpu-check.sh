#!/bin/sh
# One command for a machine with a real GPU: the op micro-benchmark with the GPU-class
# (workgroup-memory tiled) kernels the adapter gets by default and, for comparison, with the kernels
# tuned for the CPU rasterizers; then the MTCNN and PP-OCRv4 text benchmarks. Everything goes into
# one report, harness/reports/gpu-check-<adapter>.md (the benchmarks' own reports are written too).
#
#   harness/gpu-check.sh                      # the system's GPU (Vulkan driver found by Dawn)
#   harness/gpu-check.sh --adapter lavapipe   # a software adapter, GPU-class kernels forced
#
# Run alone (benchmarks on a shared machine disturb each other).
set -e
cd "$(dirname "$0")/.."
ADAPTER=auto
if [ "$1" = "--adapter" ]; then ADAPTER=$2; fi
npm run -s build > /dev/null
INFO=$(node bin/webgpu-detect.js info --adapter "$ADAPTER")
NAME=$(printf '%s\n' "$INFO" | sed -n 's/^adapter *//p' | head -1)
SLUG=$(printf '%s' "$NAME" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]\{1,\}/-/g; s/^-//; s/-$//' | cut -c1-40)
case "$NAME" in
  *llvmpipe*|*SwiftShader*) echo "gpu-check: $NAME is a software adapter: its GPU-class kernels are forced (WEBGPU_DETECT_KERNELS=gpu)" >&2; export WEBGPU_DETECT_KERNELS=gpu ;;
esac
REPORT=harness/reports/gpu-check-$SLUG.md
mkdir -p harness/out
run() { # title, command...: the command's output in the report
  title=$1; shift
  echo "gpu-check: $title" >&2
  { printf '\n## %s\n\n`%s`\n\n```\n' "$title" "$*"; "$@" 2>&1 | grep -v '^Warning: max' ; printf '```\n'; } >> "$REPORT"
}
{
  printf '# GPU check: %s\n\n%s, webgpu-detect %s (%s)\n\n```\n%s\n```\n' "$NAME" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(node -p "require('./package.json').version")" "$(git rev-parse --short HEAD 2>/dev/null || echo '-')" "$INFO"
} > "$REPORT"
run "Ops, GPU-class kernels" npm run -s bench:ops -- --adapter "$ADAPTER" --tag gpu-kernels
run "Ops, kernels tuned for CPU rasterizers (for comparison)" env WEBGPU_DETECT_KERNELS=llvmpipe npm run -s bench:ops -- --adapter "$ADAPTER" --tag cpu-kernels
run "MTCNN, 39 sample photos" npm run -s bench:mtcnn -- --adapter "$ADAPTER" --reference 0
run "PP-OCRv4 text detection" npm run -s bench:textdet -- --adapter "$ADAPTER"
echo "gpu-check: wrote $REPORT" >&2
