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
# wall time (own clock) and peak RSS (/usr/bin/time -v). Prints a Markdown table, writes it to
# bench/results.md and puts it in README.md between <!-- bench:start --> and <!-- bench:end -->.
#
# Environment:
#   DRIFTMON_SHARED_DIR  folder holding bench/gen_data.py (default: <repo>/../shared)
#   BENCH_REPS           repetitions per command (default 3; the median is reported)
#   BENCH_WORKERS        driftmon run --workers and parse_floor threads (default: nproc)
#   BENCH_MAX_LOAD       wait (at most BENCH_MAX_WAIT s, default 900) until the 1-minute load
#                        average is at most this before timing each size (default: don't wait)
#   BENCH_NO_README=1    don't touch README.md
#   BENCH_REPORT_ONLY=1  measure nothing: rebuild the table, results.md and README.md from the
#                        last run's measurements (bench/data/raw.tsv)
#   PYTHON               interpreter for the venv (default python3)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
SHARED=${DRIFTMON_SHARED_DIR:-$REPO/../shared}
GEN=$SHARED/bench/gen_data.py
DATA=$BENCH_DIR/data
VENV=$BENCH_DIR/.venv
REPS=${BENCH_REPS:-3}
WORKERS=${BENCH_WORKERS:-$(nproc)}
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
[ -f "$GEN" ] || die "$GEN not found (set DRIFTMON_SHARED_DIR to the folder holding bench/gen_data.py)"

REPORT_ONLY=${BENCH_REPORT_ONLY:-0}
RAW=$DATA/raw.tsv # rows tag command rep wall_s rss_kb cpu_s other_cores load1
LOADS=$DATA/loads.tsv
if [ "$REPORT_ONLY" = 1 ]; then
  [ -f "$RAW" ] && [ -f "$LOADS" ] || die "BENCH_REPORT_ONLY=1: no earlier measurements in $DATA"
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

# --- build -------------------------------------------------------------------------------------
log "cargo build --release -p driftmon-monitor"
(cd "$REPO" && cargo build --release -p driftmon-monitor)
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
case $TARGET in /*) ;; *) TARGET=$REPO/$TARGET ;; esac
DRIFTMON=$TARGET/release/driftmon
FLOOR=$TARGET/release/parse_floor
[ -x "$DRIFTMON" ] && [ -x "$FLOOR" ] || die "binaries not found in $TARGET/release"
# Time private copies: another build in the same target folder (other features, other code) must
# not swap the binaries in the middle of the measurements.
mkdir -p "$DATA/bin"
for b in "$DRIFTMON" "$FLOOR"; do
  cp "$b" "$DATA/bin/.$(basename "$b").tmp" && mv "$DATA/bin/.$(basename "$b").tmp" "$DATA/bin/$(basename "$b")"
done
DRIFTMON=$DATA/bin/driftmon
FLOOR=$DATA/bin/parse_floor

# --- measuring ---------------------------------------------------------------------------------
printf 'rows\ttag\tcommand\trep\twall_s\trss_kb\tcpu_s\tother_cores\tload1\n' >"$RAW"

busy_jiffies() { # every CPU's non-idle time, in USER_HZ ticks
  awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat
}

# measure ROWS TAG COMMAND REP -- argv...: runs argv once under /usr/bin/time -v, appends a row
# to $RAW. "other_cores" is the CPU time the rest of the machine used meanwhile (from
# /proc/stat, minus this command's own), in cores: the interference during the measurement.
measure() {
  local rows=$1 tag=$2 cmd=$3 rep=$4
  shift 5
  local tv=$DATA/.time.$$ out=$DATA/.out.$$ load1 b0 b1 t0 t1
  load1=$(cut -d' ' -f1 /proc/loadavg)
  b0=$(busy_jiffies)
  t0=$(date +%s%N)
  if ! /usr/bin/time -v -o "$tv" "$@" >"$out" 2>&1; then
    cat "$out" >&2
    die "$cmd failed: $*"
  fi
  t1=$(date +%s%N)
  b1=$(busy_jiffies)
  local rss cpu hz
  hz=$(getconf CLK_TCK)
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$tv")
  cpu=$(awk -F': ' '/User time \(seconds\)/{u=$2} /System time \(seconds\)/{s=$2} END{printf "%.2f", u+s}' "$tv")
  awk -v r="$rows" -v t="$tag" -v c="$cmd" -v k="$rep" -v w0="$t0" -v w1="$t1" -v m="$rss" \
      -v cpu="$cpu" -v b0="$b0" -v b1="$b1" -v hz="$hz" -v l="$load1" 'BEGIN{
        w = (w1 - w0) / 1e9; o = ((b1 - b0) / hz - cpu) / w; if (o < 0) o = 0;
        printf "%s\t%s\t%s\t%s\t%.4f\t%s\t%s\t%.2f\t%s\n", r, t, c, k, w, m, cpu, o, l }' >>"$RAW"
  LAST_OUT=$(cat "$out")
  rm -f "$tv" "$out"
  log "  $cmd #$rep: $(tail -n1 "$RAW" | cut -f5)s, $(($(tail -n1 "$RAW" | cut -f6) / 1024)) MB RSS"
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

: >"$LOADS"
for n in "${SIZES[@]}"; do
  tag=$(tag_of "$n")
  hours=$(((n + 359999) / 360000))
  end=$("$PY" -c "import datetime as d; print((d.datetime(2026,11,20,10,tzinfo=d.timezone.utc)+d.timedelta(hours=$hours)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
  out=$DATA/out_$tag
  mkdir -p "$out"
  # Page cache warm for every command alike.
  cat "$DATA/baseline_$tag.csv" >/dev/null
  find "$DATA/capture_$tag" -type f -name '*.jsonl' -exec cat {} + >/dev/null
  wait_for_load
  printf '%s\tbefore\t%s\n' "$n" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$LOADS"
  log "size $n ($tag): window $START .. $end, $REPS reps, $WORKERS workers"
  for rep in $(seq 1 "$REPS"); do
    measure "$n" "$tag" suggest "$rep" -- \
      "$DRIFTMON" baseline suggest --input "$DATA/baseline_$tag.csv" --header --output "$out/baseline"
    measure "$n" "$tag" run "$rep" -- \
      "$DRIFTMON" run --capture "$DATA/capture_$tag" --endpoint "$ENDPOINT" --baseline "$out/baseline" \
      --output "$out/run" --start "$START" --end "$end" --workers "$WORKERS"
    status=$(printf '%s\n' "$LAST_OUT" | tail -n1)
    case $status in Completed | CompletedWithViolations) ;; *) die "driftmon run: $status" ;; esac
    measure "$n" "$tag" floor1 "$rep" -- "$FLOOR" "$DATA/capture_$tag" --threads 1
    measure "$n" "$tag" floorN "$rep" -- "$FLOOR" "$DATA/capture_$tag" --threads "$WORKERS"
  done
  printf '%s\tafter\t%s\n' "$n" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$LOADS"
  # Sanity: every record was profiled, and the floor saw every line.
  "$PY" - "$out/run/drift_report.json" "$n" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["records"]
n = int(sys.argv[2])
if r["rows_profiled"] != n or r["rejected"] or r["outside_window"]:
    sys.exit(f"driftmon run profiled {r} instead of {n} rows")
EOF
  lines=$(printf '%s\n' "$LAST_OUT" | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["lines"])')
  [ "$lines" = "$n" ] || die "parse_floor read $lines lines instead of $n"
done
fi # REPORT_ONLY

# --- report ------------------------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)
NPROC=$(nproc)
MEM_GB=$(awk '/^MemTotal/{printf "%.0f", $2/1048576}' /proc/meminfo)
if [ "$REPORT_ONLY" = 1 ] && [ -f "$DATA/meta.env" ]; then
  . "$DATA/meta.env" # what was measured, and when
else
  COMMIT=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
  DIRTY=""
  if [ -n "$(cd "$REPO" && git status --porcelain 2>/dev/null)" ]; then DIRTY=" + uncommitted changes"; fi
  TODAY=$(date -u +%Y-%m-%d)
  printf 'COMMIT=%q\nDIRTY=%q\nTODAY=%q\nWORKERS=%q\nREPS=%q\n' "$COMMIT" "$DIRTY" "$TODAY" "$WORKERS" "$REPS" >"$DATA/meta.env"
fi
export RAW LOADS DATA CPU_MODEL NPROC MEM_GB COMMIT DIRTY TODAY WORKERS REPS
"$PY" - "$BENCH_DIR/results.md" <<'EOF'
import csv, os, statistics, sys
from collections import defaultdict

env = os.environ
raw = list(csv.DictReader(open(env["RAW"]), delimiter="\t"))
by = defaultdict(list)
for r in raw:
    by[(int(r["rows"]), r["command"])].append(r)
sizes = sorted({k[0] for k in by})
med = lambda rs, f: statistics.median(float(r[f]) for r in rs)
W = env["WORKERS"]

def fmt_rows(n):
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"

def fmt_big(x):
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.0f} k"

def capture_size(tag):
    """(bytes, objects) of a size's capture folder."""
    total, objects = 0, 0
    for d, _, fs in os.walk(os.path.join(env["DATA"], f"capture_{tag}")):
        for f in fs:
            if f.endswith(".jsonl"):
                total += os.path.getsize(os.path.join(d, f))
                objects += 1
    return total, objects

capture = {n: capture_size(fmt_rows(n)) for n in sizes}
hdr = ["rows", "capture MB", "suggest s", "suggest RSS MB", "run s", "run records/s",
       "run MB/s", "run RSS MB", "floor 1T s", f"floor {W}T s", "floor RSS MB",
       f"run / floor {W}T"]
lines = ["| " + " | ".join(hdr) + " |", "|" + "---:|" * len(hdr)]
for n in sizes:
    tag = fmt_rows(n)
    cap = capture[n][0] / 1e6
    s, r, f1, fn = (by[(n, c)] for c in ("suggest", "run", "floor1", "floorN"))
    rs = med(r, "wall_s")
    fns = med(fn, "wall_s")
    row = [tag, f"{cap:.0f}", f"{med(s, 'wall_s'):.2f}", f"{med(s, 'rss_kb') / 1024:.0f}",
           f"{rs:.2f}", fmt_big(n / rs), f"{cap / rs:.0f}", f"{med(r, 'rss_kb') / 1024:.0f}",
           f"{med(f1, 'wall_s'):.3f}", f"{fns:.3f}",
           f"{max(med(f1, 'rss_kb'), med(fn, 'rss_kb')) / 1024:.0f}", f"{rs / fns:.1f}x"]
    lines.append("| " + " | ".join(row) + " |")
table = "\n".join(lines)

loads = defaultdict(dict)
for l in open(env["LOADS"]):
    n, when, la = l.rstrip("\n").split("\t")
    loads[int(n)][when] = la
other = {n: [float(r["other_cores"]) for c in ("suggest", "run", "floor1", "floorN") for r in by[(n, c)]]
         for n in sizes}
load_notes = "; ".join(
    f"{fmt_rows(n)}: load average {loads[n].get('before', '?')} before, "
    f"{loads[n].get('after', '?')} after; other processes used "
    f"{statistics.median(other[n]):.2f} cores (median, max {max(other[n]):.2f}) while timing"
    for n in sizes)
if max(statistics.median(v) for v in other.values()) > 0.5:
    load_notes += (" — the machine was shared with other work while measuring, so these timings "
                   "(the multi-threaded ones most) are pessimistic")
machine = (f"{env['NPROC']} cores ({env['CPU_MODEL']}), {env['MEM_GB']} GB RAM; "
           f"driftmon {env['COMMIT']}{env['DIRTY']}; measured {env['TODAY']}; "
           f"median of {env['REPS']} runs, page cache warm, `driftmon run --workers {W}`.")
notes = (
    "MB = 10^6 bytes of capture JSONL. *floor*: `parse_floor` (monitor/src/bin/parse_floor.rs) reads "
    "the same files, finds each record's input/output `data` strings and splits them on commas — "
    "the least work any reader must do; 1T = one thread, "
    f"{W}T = {W} threads sharing the files. Both driftmon run and the floor parallelise over "
    "capture objects (one file per thread); objects per window: "
    + ", ".join(f"{fmt_rows(n)}: {capture[n][1]}" for n in sizes)
    + " (at most 100k records each, split at the hour). Peak RSS from `/usr/bin/time -v`; "
    "CPU seconds of every measurement are in bench/results.md. "
    "Load: " + load_notes + ". Reproduce with `bench/run.sh` (sizes as arguments, e.g. "
    "`bench/run.sh 10000000`).")
block = f"{table}\n\n{machine}\n\n{notes}\n"

raw_rows = "\n".join(
    f"| {fmt_rows(int(r['rows']))} | {r['command']} | {r['rep']} | {float(r['wall_s']):.3f} | "
    f"{int(r['rss_kb']) // 1024} | {r['cpu_s']} | {r['other_cores']} | {r['load1']} |" for r in raw)
results = (f"# driftmon benchmark\n\n{block}\n## Every measurement\n\n"
           "| rows | command | rep | wall s | RSS MB | CPU s (user+sys) | other cores | load 1 min |\n"
           "|---|---|---:|---:|---:|---:|---:|---:|\n" + raw_rows + "\n")
open(sys.argv[1], "w").write(results)
open(os.path.join(env["DATA"], ".readme_block.md"), "w").write(block)
print(block)
EOF

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
