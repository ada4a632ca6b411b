#!/usr/bin/env bash
# The bias monitor's benchmark: `driftmon run --monitor-type model-bias` over one hour of N
# capture records joined with N ground-truth labels (bench/bias/gen_bias.py), the median of
# BENCH_REPS runs (default 3) of wall time and peak RSS (/usr/bin/time -v). Every pre- and
# post-training metric, FT included, and the bootstrap decision (B = 200) against a baseline
# made from the same window.
#
#   bench/bias/run.sh [N]       default N = 1000000 (about 590 MB of capture and labels)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
N=${1:-1000000}
REPS=${BENCH_REPS:-3}
DATA=$REPO/bench/data/bias-$N
BIN=${DRIFTMON_BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release -p driftmon-monitor --bin driftmon --manifest-path "$REPO/Cargo.toml" >&2
  BIN=$REPO/target/release/driftmon
fi
[ -f "$DATA/analysis_config.json" ] || python3 "$HERE/gen_bias.py" "$DATA" "$N"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
run() { # output [extra...]
  local out=$1; shift
  /usr/bin/time -v "$BIN" run --monitor-type model-bias --capture "$DATA/capture" --endpoint bench \
    --start 2026-11-21T10:00:00Z --end 2026-11-21T11:00:00Z --ground-truth "$DATA/ground-truth" \
    --analysis-config "$DATA/analysis_config.json" \
    --inference-attribute 'predictions[*].predicted_label' --output "$out" "$@" 2>"$OUT/time.txt" >/dev/null
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$OUT/time.txt" | awk -F': ' '{print $2}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident' "$OUT/time.txt" | awk '{print $NF}')
  echo "$wall $rss"
}
run "$OUT/baseline" >/dev/null
: >"$OUT/runs.txt"
for _ in $(seq "$REPS"); do
  run "$OUT/run" --baseline "$OUT/baseline/analysis.json" >>"$OUT/runs.txt"
done
read -r WALL RSS < <(sort -n "$OUT/runs.txt" | awk -v m=$(( (REPS + 1) / 2 )) 'NR==m')
printf '| records | driftmon run --monitor-type model-bias | peak RSS |\n|---|---|---|\n| %s | %.2f s | %d MiB |\n' \
  "$N" "$WALL" $(( RSS / 1024 )) | tee "$HERE/results.md"
