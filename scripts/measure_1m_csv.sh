#!/usr/bin/env bash
# Measures `driftmon baseline suggest` on a generated 1,000,000-row x 10-column CSV: wall time
# and peak resident memory (the same data shape as tests/tests/large_csv.rs).
#
#   scripts/measure_1m_csv.sh [ROWS]
#
# Needs awk; uses GNU time (/usr/bin/time -v) for the peak RSS when it is installed, else
# reports the wall time only. Builds target/release/driftmon first.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${1:-1000000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release --quiet -p driftmon-monitor --bin driftmon
BIN=${CARGO_TARGET_DIR:-target}/release/driftmon

echo "== generating $ROWS rows x 10 columns"
awk -v n="$ROWS" 'BEGIN {
  srand(42);
  split("CA NY TX WA FL", states, " ");
  print "id,age,income,score,ts,state,city,flag,token,ratio";
  for (i = 0; i < n; i++) {
    ratio = (i % 100 == 0) ? "" : sprintf("%.4f", rand());
    printf "%d,%d,%d,%.4f,%d,%s,city%d,%s,t%d,%s\n",
      i, 18 + int(rand() * 70), int(rand() * 200000), rand() * 100,
      1700000000000 + i * 1000, states[1 + int(rand() * 5)], int(rand() * 50),
      (rand() < 0.5 ? "true" : "false"), int(rand() * 1000003), ratio;
  }
}' > "$WORK/1m.csv"
ls -l "$WORK/1m.csv" | awk '{ printf "input: %.1f MB\n", $5 / 1e6 }'

echo "== driftmon baseline suggest"
CMD=("$BIN" baseline suggest --header --input "$WORK/1m.csv" --output "$WORK/out")
if [ -x /usr/bin/time ]; then
  /usr/bin/time -v "${CMD[@]}" 2> "$WORK/time.txt" || { cat "$WORK/time.txt"; exit 1; }
  grep -v -e '^\s' "$WORK/time.txt" || true   # driftmon's own stderr (warnings), if any
  awk -F': ' '/Elapsed \(wall clock\)/ { print "wall time: " $2 }
              /Maximum resident set size/ { printf "peak RSS: %.1f MB\n", $2 / 1024 }' "$WORK/time.txt"
else
  start=$(date +%s.%N)
  "${CMD[@]}"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "wall time: %.2f s (install GNU time for the peak RSS)\n", e - s }'
fi
grep -o '"item_count" : [0-9]*' "$WORK/out/statistics.json" | head -1
