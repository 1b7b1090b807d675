#!/usr/bin/env bash
# The suite must hold on a busy machine: runs CI (.ci/run) on fresh clones of this repository's HEAD, N times in a
# row (default 3), while stress-ng keeps every core busy beside it. Prints each run's result and wall time.
#   bash scripts/ci-under-load.sh [runs] [stress-ng workers]
set -uo pipefail
runs=${1:-3}
hogs=${2:-$(nproc)}
repo=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v stress-ng >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends stress-ng >/dev/null
fi
work=$(mktemp -d /tmp/aftercare-ci-load.XXXXXX)
stress-ng --cpu "$hogs" --cpu-load 100 --timeout 0 --quiet &
hog=$!
trap 'kill "$hog" 2>/dev/null; wait "$hog" 2>/dev/null' EXIT
echo "ci-under-load: $runs run(s) of .ci/run on fresh clones of $(git -C "$repo" rev-parse --short HEAD), stress-ng --cpu $hogs beside them"
failed=0
for i in $(seq 1 "$runs"); do
  dir="$work/run-$i"
  git clone -q "$repo" "$dir"
  start=$(date +%s)
  (cd "$dir" && CI=true bash .ci/run >"$work/run-$i.log" 2>&1)
  rc=$?
  secs=$(( $(date +%s) - start ))
  summary=$(grep -E '^jest: ' "$work/run-$i.log" | tail -1)
  echo "run $i: exit $rc in ${secs}s — ${summary:-no jest summary} (log: $work/run-$i.log)"
  [ $rc -eq 0 ] || failed=1
  rm -rf "$dir/node_modules"
done
exit $failed
