#!/usr/bin/env bash
# driftmon's benchmark.
#
#   bench/run.sh [ROWS ...]          default: 100000 1000000 (10000000 works too, ~11 GB of data)
#
# For each size: generates the data once (../shared/bench/gen_data.py, into bench/data/, skipped
# when already there), then runs REPS times each and reports the median of
#   (a) driftmon baseline suggest   on the baseline CSV,
#   (b) driftmon run                over the whole capture window with that baseline,
#   (c) parse_floor                 the least work of reading the capture and splitting its CSV
#                                   payloads (monitor/src/bin/parse_floor.rs), 1 thread and
#                                   as many threads as driftmon run uses,
#   (d) driftmon run over 1,000 records with the same baseline: the process plus the baseline,
#                                   what (b)'s peak RSS is compared with ("beyond the baseline"),
#   (e) the peers (BENCH_PEERS=1):  bench/peers/evidently_drift.py (Evidently's default
#                                   DataDriftPreset report) and bench/peers/scipy_drift.py (KS,
#                                   chi-square and PSI by hand with pandas/numpy/scipy), each
#                                   reading the same baseline CSV and capture files end to end,
#                                   installed into bench/.venv-peers (bench/peers/requirements.txt),
# wall time (own clock) and peak RSS (/usr/bin/time -v). Prints Markdown tables, writes them to
# bench/results.md and puts them in README.md between <!-- bench:start --> and <!-- bench:end -->.
#
# Measurements accumulate in bench/data/raw.tsv: a run replaces the rows of the sizes (and, for
# the peers, the sizes it runs them at) it measures and keeps the others, so the 10M row can be
# measured on its own (`bench/run.sh 10000000`) and land in the same table. BENCH_FRESH=1 starts
# over.
#
# Environment:
#   DRIFTMON_BIN         driftmon binary to time (default: cargo build --release -p
#   PARSE_FLOOR_BIN      driftmon-monitor, then <target>/release/{driftmon,parse_floor}); when
#                        both are set, nothing is built
#   DRIFTMON_SHARED_DIR  folder holding bench/gen_data.py (default: <repo>/../shared)
#   BENCH_REPS           repetitions per driftmon/floor command (default 3; the median is reported)
#   BENCH_WORKERS        driftmon run --workers and parse_floor threads (default: nproc)
#   BENCH_PEERS          1 (default): also time the peers; 0: driftmon and the floor only
#   BENCH_PEER_REPS      repetitions per peer (default: BENCH_REPS)
#   BENCH_PEER_MAX_ROWS  run the peers only at sizes up to this many rows (default: every size)
#   BENCH_PEER_TIMEOUT   seconds before a peer run is stopped and reported as "> N s (timed out)"
#                        (default 3600)
#   BENCH_PEER_MEM_MB    cap on a peer's address space (prlimit --as), so that a peer that would
#                        need more memory than the machine has stops with "out of memory" instead
#                        of pushing other processes out (default: no cap)
#   BENCH_MAX_LOAD       wait (at most BENCH_MAX_WAIT s, default 900) until the 1-minute load
#                        average is at most this before timing each size (default: don't wait)
#   BENCH_FRESH=1        forget earlier measurements (bench/data/raw.tsv) instead of merging
#   BENCH_NO_README=1    don't touch README.md
#   BENCH_REPORT_ONLY=1  measure nothing: rebuild the tables, results.md and README.md from the
#                        earlier measurements (bench/data/raw.tsv)
#   PYTHON               interpreter for the venvs (default python3)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
SHARED=${DRIFTMON_SHARED_DIR:-$REPO/../shared}
GEN=$SHARED/bench/gen_data.py
DATA=$BENCH_DIR/data
VENV=$BENCH_DIR/.venv
PEER_VENV=$BENCH_DIR/.venv-peers
REPS=${BENCH_REPS:-3}
WORKERS=${BENCH_WORKERS:-$(nproc)}
PEERS=${BENCH_PEERS:-1}
PEER_REPS=${BENCH_PEER_REPS:-$REPS}
PEER_MAX_ROWS=${BENCH_PEER_MAX_ROWS:-}
PEER_TIMEOUT=${BENCH_PEER_TIMEOUT:-3600}
PEER_MEM_MB=${BENCH_PEER_MEM_MB:-}
ENDPOINT=bench-endpoint
START=2026-11-20T10:00:00Z
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(100000 1000000); fi

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for n in "${SIZES[@]}"; do
  if ! [[ $n =~ ^[1-9][0-9]*$ ]] || [ "$n" -lt 1000 ]; then
    die "size '$n': expected a row count of at least 1000"
  fi
done
for v in REPS PEER_REPS PEER_TIMEOUT; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v=${!v}: expected a positive integer"
done
[ -z "$PEER_MAX_ROWS" ] || [[ $PEER_MAX_ROWS =~ ^[0-9]+$ ]] || die "BENCH_PEER_MAX_ROWS=$PEER_MAX_ROWS: expected a row count"
[ -z "$PEER_MEM_MB" ] || [[ $PEER_MEM_MB =~ ^[1-9][0-9]*$ ]] || die "BENCH_PEER_MEM_MB=$PEER_MEM_MB: expected MiB"

REPORT_ONLY=${BENCH_REPORT_ONLY:-0}
RAW=$DATA/raw.tsv     # rows tag command rep wall_s rss_kb cpu_s other_cores load1 status
LOADS=$DATA/loads.tsv # rows key value: load before/after, date, commit, reps, drifted columns
RAW_HEADER=$'rows\ttag\tcommand\trep\twall_s\trss_kb\tcpu_s\tother_cores\tload1\tstatus'
if [ "$REPORT_ONLY" = 1 ]; then
  if [ ! -f "$RAW" ] || [ ! -f "$LOADS" ]; then die "BENCH_REPORT_ONLY=1: no earlier measurements in $DATA"; fi
  PY=$VENV/bin/python
  [ -x "$PY" ] || PY=${PYTHON:-python3}
else
# --- tools -------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  log "installing Debian's time (for /usr/bin/time -v)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq time >/dev/null
fi
if ! "$VENV/bin/python" -c 'import numpy, pandas' 2>/dev/null; then
  log "creating $VENV with numpy and pandas"
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet numpy pandas
fi
PY=$VENV/bin/python
if [ "$PEERS" = 1 ]; then
  # Evidently 0.7.23 needs pandas < 3, hence a venv of its own; pinned in requirements.txt.
  if ! "$PEER_VENV/bin/python" -c 'import evidently, scipy, pandas' 2>/dev/null ||
    ! cmp -s "$BENCH_DIR/peers/requirements.txt" "$PEER_VENV/.requirements.txt"; then
    log "creating $PEER_VENV with the peers (bench/peers/requirements.txt)"
    "${PYTHON:-python3}" -m venv "$PEER_VENV"
    "$PEER_VENV/bin/pip" install --quiet -r "$BENCH_DIR/peers/requirements.txt"
    cp "$BENCH_DIR/peers/requirements.txt" "$PEER_VENV/.requirements.txt"
  fi
  command -v timeout >/dev/null || die "timeout (coreutils) not found"
fi

# --- data --------------------------------------------------------------------------------------
tag_of() { # gen_data.py's default tag
  if [ $(($1 % 1000000)) -eq 0 ]; then echo "$(($1 / 1000000))M"; else echo "$(($1 / 1000))k"; fi
}
mkdir -p "$DATA"
for n in "${SIZES[@]}"; do
  tag=$(tag_of "$n")
  if [ -f "$DATA/.complete_$tag" ] && [ -f "$DATA/baseline_$tag.csv" ] && [ -d "$DATA/capture_$tag/$ENDPOINT" ]; then
    log "data $tag: present"
    continue
  fi
  log "data $tag: generating $n rows"
  rm -rf "$DATA/capture_$tag" "$DATA/baseline_$tag.csv" "$DATA/current_$tag.jsonl" "$DATA/manifest_$tag.json"
  "$PY" "$GEN" --rows "$n" --out "$DATA" --tag "$tag" --endpoint "$ENDPOINT" >&2
  touch "$DATA/.complete_$tag"
done
# 1,000 records (the first ten seconds; every size's capture starts with the same records) for
# "driftmon run with the baseline and next to no data".
SMALL=$DATA/capture_1krecords
if [ ! -f "$SMALL/.complete" ]; then
  rm -rf "$SMALL"
  mkdir -p "$SMALL/$ENDPOINT/AllTraffic/2026/11/20/10"
  head -n 1000 "$DATA/current_$(tag_of "${SIZES[0]}").jsonl" \
    >"$SMALL/$ENDPOINT/AllTraffic/2026/11/20/10/00-00-000-00000001-0000-4000-8000-000000000001.jsonl"
  touch "$SMALL/.complete"
fi

# --- build -------------------------------------------------------------------------------------
if [ -n "${DRIFTMON_BIN:-}" ] && [ -n "${PARSE_FLOOR_BIN:-}" ]; then
  DRIFTMON=$DRIFTMON_BIN
  FLOOR=$PARSE_FLOOR_BIN
  log "binaries from DRIFTMON_BIN / PARSE_FLOOR_BIN (nothing built)"
else
  log "cargo build --release -p driftmon-monitor"
  (cd "$REPO" && cargo build --release -p driftmon-monitor)
  TARGET=${CARGO_TARGET_DIR:-$REPO/target}
  case $TARGET in /*) ;; *) TARGET=$REPO/$TARGET ;; esac
  DRIFTMON=${DRIFTMON_BIN:-$TARGET/release/driftmon}
  FLOOR=${PARSE_FLOOR_BIN:-$TARGET/release/parse_floor}
fi
if [ ! -x "$DRIFTMON" ] || [ ! -x "$FLOOR" ]; then die "binaries not found: $DRIFTMON, $FLOOR"; fi
# Time private copies: another build in the same target folder (other features, other code) must
# not swap the binaries in the middle of the measurements.
mkdir -p "$DATA/bin"
cp "$DRIFTMON" "$DATA/bin/.driftmon.tmp" && mv "$DATA/bin/.driftmon.tmp" "$DATA/bin/driftmon"
cp "$FLOOR" "$DATA/bin/.parse_floor.tmp" && mv "$DATA/bin/.parse_floor.tmp" "$DATA/bin/parse_floor"
DRIFTMON=$DATA/bin/driftmon
FLOOR=$DATA/bin/parse_floor

# --- measuring ---------------------------------------------------------------------------------
peers_at() { # whether the peers run at size $1
  [ "$PEERS" = 1 ] && { [ -z "$PEER_MAX_ROWS" ] || [ "$1" -le "$PEER_MAX_ROWS" ]; }
}
# Keep the earlier measurements of other sizes (and of peers not re-run); drop what is re-measured.
if [ "${BENCH_FRESH:-0}" = 1 ] || [ ! -f "$RAW" ] || [ "$(head -n1 "$RAW")" != "$RAW_HEADER" ]; then
  [ ! -f "$RAW" ] || [ "${BENCH_FRESH:-0}" = 1 ] || log "earlier $RAW has another layout: starting over"
  printf '%s\n' "$RAW_HEADER" >"$RAW"
  : >"$LOADS"
fi
peer_sizes=""
for n in "${SIZES[@]}"; do if peers_at "$n"; then peer_sizes="$peer_sizes $n"; fi; done
awk -F'\t' -v sizes=" ${SIZES[*]} " -v psizes="$peer_sizes " 'NR == 1 { print; next }
  { s = " " $1 " "; peer = ($3 ~ /^(evidently|scipy)$/) }
  index(sizes, s) && (!peer || index(psizes, s)) { next } { print }' "$RAW" >"$RAW.tmp"
mv "$RAW.tmp" "$RAW"
touch "$LOADS"
awk -F'\t' -v sizes=" ${SIZES[*]} " -v psizes="$peer_sizes " '
  { s = " " $1 " "; peer = ($2 ~ /^(evidently|scipy|peer)/) }
  index(sizes, s) && (!peer || index(psizes, s)) { next } { print }' "$LOADS" >"$LOADS.tmp"
mv "$LOADS.tmp" "$LOADS"
note() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$LOADS"; }

busy_jiffies() { # every CPU's non-idle time, in USER_HZ ticks
  awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat
}

# measure ROWS TAG COMMAND REP -- argv...: runs argv once under /usr/bin/time -v, appends a row
# to $RAW. "other_cores" is the CPU time the rest of the machine used meanwhile (from
# /proc/stat, minus this command's own), in cores: the interference during the measurement.
# With MEASURE_MAY_FAIL=1 a failure is recorded (status timeout, oom or exitN) instead of fatal.
measure() {
  local rows=$1 tag=$2 cmd=$3 rep=$4
  shift 5
  local tv=$DATA/.time.$$ out=$DATA/.out.$$ load1 b0 b1 t0 t1 rc=0 status=ok
  load1=$(cut -d' ' -f1 /proc/loadavg)
  b0=$(busy_jiffies)
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$tv" "$@" >"$out" 2>&1 || rc=$?
  t1=$(date +%s%N)
  b1=$(busy_jiffies)
  if [ "$rc" != 0 ]; then
    if [ "${MEASURE_MAY_FAIL:-0}" != 1 ]; then
      cat "$out" >&2
      die "$cmd failed: $*"
    fi
    if [ "$rc" = 124 ]; then
      status=timeout
    elif [ "$rc" = 137 ] || grep -q 'MemoryError\|Cannot allocate memory\|std::bad_alloc' "$out"; then
      status=oom
    else
      status="exit$rc"
    fi
    tail -n 5 "$out" >&2
  fi
  local rss cpu hz
  hz=$(getconf CLK_TCK)
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$tv")
  cpu=$(awk -F': ' '/User time \(seconds\)/{u=$2} /System time \(seconds\)/{s=$2} END{printf "%.2f", u+s}' "$tv")
  awk -v r="$rows" -v t="$tag" -v c="$cmd" -v k="$rep" -v w0="$t0" -v w1="$t1" -v m="${rss:-0}" \
      -v cpu="$cpu" -v b0="$b0" -v b1="$b1" -v hz="$hz" -v l="$load1" -v st="$status" 'BEGIN{
        w = (w1 - w0) / 1e9; o = ((b1 - b0) / hz - cpu) / w; if (o < 0) o = 0;
        printf "%s\t%s\t%s\t%s\t%.4f\t%s\t%s\t%.2f\t%s\t%s\n", r, t, c, k, w, m, cpu, o, l, st }' >>"$RAW"
  LAST_OUT=$(cat "$out")
  LAST_STATUS=$status
  rm -f "$tv" "$out"
  log "  $cmd #$rep: $(tail -n1 "$RAW" | cut -f5)s, $(($(tail -n1 "$RAW" | cut -f6) / 1024)) MB RSS, $status"
}

wait_for_load() {
  [ -n "${BENCH_MAX_LOAD:-}" ] || return 0
  local waited=0 max=${BENCH_MAX_WAIT:-900}
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$BENCH_MAX_LOAD" 'BEGIN{exit !(l > m)}'; do
    if [ "$waited" -ge "$max" ]; then
      log "load still $(cut -d' ' -f1-3 /proc/loadavg) after ${max}s; measuring anyway"
      return 0
    fi
    sleep 15
    waited=$((waited + 15))
  done
  log "load $(cut -d' ' -f1-3 /proc/loadavg)"
}

warm_cache() { # page cache warm for every command alike
  cat "$DATA/baseline_$1.csv" >/dev/null
  find "$DATA/capture_$1" -type f -name '*.jsonl' -exec cat {} + >/dev/null
}

COMMIT=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(cd "$REPO" && git status --porcelain 2>/dev/null)" ]; then COMMIT="$COMMIT + uncommitted changes"; fi
if [ -n "${DRIFTMON_BIN:-}" ]; then # the tree's HEAD need not be what the binary was built from
  COMMIT="binary from DRIFTMON_BIN (file dated $(date -u -r "$DRIFTMON_BIN" "+%Y-%m-%d %H:%M UTC"); HEAD at measurement: $COMMIT)"
fi
BINARY_SHA=$(sha256sum "$DRIFTMON" | cut -c1-12)
for n in "${SIZES[@]}"; do
  tag=$(tag_of "$n")
  hours=$(((n + 359999) / 360000))
  end=$("$PY" -c "import datetime as d; print((d.datetime(2026,11,20,10,tzinfo=d.timezone.utc)+d.timedelta(hours=$hours)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
  out=$DATA/out_$tag
  mkdir -p "$out"
  warm_cache "$tag"
  wait_for_load
  note "$n" before "$(cut -d' ' -f1-3 /proc/loadavg)"
  note "$n" date "$(date -u +%Y-%m-%d)"
  note "$n" commit "$COMMIT"
  note "$n" binary "$BINARY_SHA"
  note "$n" reps "$REPS"
  note "$n" workers "$WORKERS"
  log "size $n ($tag): window $START .. $end, $REPS reps, $WORKERS workers"
  for rep in $(seq 1 "$REPS"); do
    measure "$n" "$tag" suggest "$rep" -- \
      "$DRIFTMON" baseline suggest --input "$DATA/baseline_$tag.csv" --header --output "$out/baseline"
    measure "$n" "$tag" run "$rep" -- \
      "$DRIFTMON" run --capture "$DATA/capture_$tag" --endpoint "$ENDPOINT" --baseline "$out/baseline" \
      --output "$out/run" --start "$START" --end "$end" --workers "$WORKERS"
    status=$(printf '%s\n' "$LAST_OUT" | tail -n1)
    case $status in Completed | CompletedWithViolations) ;; *) die "driftmon run: $status" ;; esac
    measure "$n" "$tag" run1k "$rep" -- \
      "$DRIFTMON" run --capture "$SMALL" --endpoint "$ENDPOINT" --baseline "$out/baseline" \
      --output "$out/run1k" --start "$START" --end "$end" --workers "$WORKERS"
    measure "$n" "$tag" floor1 "$rep" -- "$FLOOR" "$DATA/capture_$tag" --threads 1
    measure "$n" "$tag" floorN "$rep" -- "$FLOOR" "$DATA/capture_$tag" --threads "$WORKERS"
  done
  note "$n" after "$(cut -d' ' -f1-3 /proc/loadavg)"
  # Sanity: every record was profiled, and the floor saw every line.
  drifted=$("$PY" - "$out/run/drift_report.json" "$n" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
r = rep["records"]
n = int(sys.argv[2])
if r["rows_profiled"] != n or r["rejected"] or r["outside_window"]:
    sys.exit(f"driftmon run profiled {r} instead of {n} rows")
print(",".join(f["name"] for f in rep["features"]
               if any(c["status"] != "pass" for c in f.get("checks", []))))
EOF
)
  note "$n" driftmon_drifted "$drifted"
  lines=$(printf '%s\n' "$LAST_OUT" | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["lines"])')
  [ "$lines" = "$n" ] || die "parse_floor read $lines lines instead of $n"

  if peers_at "$n"; then
    wait_for_load
    note "$n" peer_reps "$PEER_REPS"
    note "$n" peer_timeout "$PEER_TIMEOUT"
    note "$n" peer_versions "$("$PEER_VENV/bin/python" -c 'import evidently, pandas, numpy, scipy; print(f"evidently {evidently.__version__}, pandas {pandas.__version__}, numpy {numpy.__version__}, scipy {scipy.__version__}")' 2>/dev/null)"
    note "$n" peer_before "$(cut -d' ' -f1-3 /proc/loadavg)"
    cap=()
    if [ -n "$PEER_MEM_MB" ]; then
      cap=(prlimit "--as=$((PEER_MEM_MB * 1048576))" --)
      note "$n" peer_mem_mb "$PEER_MEM_MB"
    fi
    for peer in scipy evidently; do # the quick one first
      warm_cache "$tag"
      for rep in $(seq 1 "$PEER_REPS"); do
        MEASURE_MAY_FAIL=1 measure "$n" "$tag" "$peer" "$rep" -- \
          env DO_NOT_TRACK=1 timeout -k 30 "$PEER_TIMEOUT" "${cap[@]}" "$PEER_VENV/bin/python" \
          "$BENCH_DIR/peers/${peer}_drift.py" "$DATA/baseline_$tag.csv" "$DATA/capture_$tag"
        if [ "$LAST_STATUS" = ok ]; then
          result=$(printf '%s\n' "$LAST_OUT" | tail -n1)
          note "$n" "${peer}_drifted" "$(printf '%s' "$result" | "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["rows_current"] == int(sys.argv[1]) and r["rows_reference"] == int(sys.argv[1]), r
print(",".join(r["drifted"]))' "$n")"
        else
          break # a timeout or out of memory: once is enough
        fi
      done
    done
    note "$n" peer_after "$(cut -d' ' -f1-3 /proc/loadavg)"
  fi
done
fi # REPORT_ONLY

# --- report ------------------------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)
NPROC=$(nproc)
MEM_GB=$(awk '/^MemTotal/{printf "%.0f", $2/1048576}' /proc/meminfo)
export RAW LOADS DATA CPU_MODEL NPROC MEM_GB
"$PY" "$BENCH_DIR/report.py" "$BENCH_DIR/results.md" "$DATA/.readme_block.md"

if [ "${BENCH_NO_README:-0}" != 1 ] && [ -f "$REPO/README.md" ]; then
  # Replace only what lies between the markers.
  "$PY" - "$REPO/README.md" "$DATA/.readme_block.md" <<'EOF'
import sys
path, block = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read()
a, b = "<!-- bench:start -->", "<!-- bench:end -->"
i, j = text.find(a), text.find(b)
if i < 0 or j < i:
    sys.exit(f"{path}: markers {a} ... {b} not found; README left as it is")
new = text[: i + len(a)] + "\n" + block + text[j:]
if new != text:
    open(path, "w").write(new)
EOF
  log "README.md updated between the bench markers"
fi
log "wrote $BENCH_DIR/results.md"
