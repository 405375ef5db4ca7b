#!/usr/bin/env bash
# The pipeline benchmarks of harness/reports/speed-pipelines.md, before and after, back to back
# (one at a time: this machine has 2 cores). Usage: harness/pipelines-bench.sh /tmp/before
# (a worktree of the earlier commit with node_modules linked and dist/ built). Each checkout writes
# its own harness/reports/bench-*.{json,md}; logs go to harness/out/pipelines-bench/.
set -euo pipefail
before=${1:?usage: harness/pipelines-bench.sh <earlier checkout>}
after=$(cd "$(dirname "$0")/.." && pwd)
out="$after/harness/out/pipelines-bench"
mkdir -p "$out"
run() { # tree name command...
  local tree=$1 name=$2; shift 2
  echo "== $name in $tree" >&2
  (cd "$tree" && "$@") > "$out/$name-$(basename "$tree").log" 2>&1
}
for tree in "$before" "$after"; do
  run "$tree" grid npm run bench:grid -- --adapter lavapipe --batches 8 --face-api 0 --runs 5
  run "$tree" clm npm run bench:clm -- --adapter lavapipe --batches 8 --clmtrackr 0 --runs 5
  run "$tree" textdet npm run bench:textdet -- --adapter lavapipe --runs 5
done
run "$after" textdet-chromium npm run bench:textdet -- --chromium
run "$after" browser-mtcnn node --import tsx --import ./scripts/wgsl-hook.mjs harness/bench-browser-mtcnn.ts
echo "logs in $out" >&2
