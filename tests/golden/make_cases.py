#!/usr/bin/env python3
"""Regenerates the inputs of driftmon's golden cases (tests/tests/golden.rs).

For every case folder this writes `training.csv`, `capture/…`, `case.json`, and the baseline
(`driftmon baseline suggest --input training.csv`, then the hand edits listed per case below).
It never writes `expected/`: bless those with

    BLESS=1 cargo test -p driftmon-tests --release --test golden

Usage (from the repository root, after `cargo build --release -p driftmon-monitor`):

    python3 tests/golden/make_cases.py [path/to/driftmon]

Everything is deterministic: a fixed xorshift generator, no dependence on Python's `random`.
The `sdk_monitor_testdata` case has no inputs here: golden.rs builds it at test time from
`shared/fixtures/sagemaker/sdk-monitor-testdata/` (read in place, skipped when absent).
"""

import json
import math
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(ROOT))
DRIFTMON = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "target/release/driftmon")

ENDPOINT = "churn-ep"
VARIANT = "AllTraffic"
DAY = (2024, 3, 5)
HOUR = 10
TRAINING_ROWS = 100
HEADER = ["churn", "account_length", "day_mins", "plan", "state"]
PLANS = [("basic", 0.5), ("plus", 0.3), ("pro", 0.2)]
STATES = ["CA", "NY", "TX", "WA"]


class Rng:
    """xorshift64*: small, fast and identical on every Python version."""

    def __init__(self, seed):
        self.s = (seed * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF

    def u64(self):
        x = self.s
        x ^= (x >> 12)
        x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
        x ^= (x >> 27)
        self.s = x
        return (x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def uniform(self):
        return (self.u64() >> 11) / float(1 << 53)

    def below(self, n):
        return int(self.uniform() * n)

    def normal(self, mean, sd):
        u1 = max(self.uniform(), 1e-12)
        u2 = self.uniform()
        return mean + sd * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def weighted(self, items):
        x = self.uniform()
        acc = 0.0
        for v, w in items:
            acc += w
            if x < acc:
                return v
        return items[-1][0]


def training_rows(seed=1):
    r = Rng(seed)
    rows = []
    for _ in range(TRAINING_ROWS):
        churn = 1 if r.uniform() < 0.3 else 0
        acct = 1 + r.below(200)
        mins = "%.1f" % max(0.0, r.normal(180.0, 50.0))
        rows.append([str(churn), str(acct), mins, r.weighted(PLANS), STATES[r.below(4)]])
    return rows


def stamp(minute, second=0, hour=HOUR, sdk_style=False):
    y, m, d = DAY
    if sdk_style:
        # The SDK integration tests' `%Y-%m-%dT%H:%M:%S.%f`, no zone (UTC).
        return "%04d-%02d-%02dT%02d:%02d:%02d.000000" % (y, m, d, hour, minute, second)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, m, d, hour, minute, second)


def csv_record(i, output, inputs, t):
    return {
        "captureData": {
            "endpointInput": {
                "observedContentType": "text/csv",
                "mode": "INPUT",
                "data": ",".join(inputs),
                "encoding": "CSV",
            },
            "endpointOutput": {
                "observedContentType": "text/csv; charset=utf-8",
                "mode": "OUTPUT",
                "data": output,
                "encoding": "CSV",
            },
        },
        "eventMetadata": {"eventId": "ev-%04d" % i, "inferenceTime": t},
        "eventVersion": "0",
    }


def json_record(i, inp, out, t):
    return {
        "captureData": {
            "endpointInput": {
                "observedContentType": "application/json",
                "mode": "INPUT",
                "data": json.dumps(inp, separators=(",", ":")),
                "encoding": "JSON",
            },
            "endpointOutput": {
                "observedContentType": "application/json",
                "mode": "OUTPUT",
                "data": json.dumps(out, separators=(",", ":")),
                "encoding": "JSON",
            },
        },
        "eventMetadata": {"eventId": "ev-%04d" % i, "inferenceTime": t},
        "eventVersion": "0",
    }


def write_capture(case_dir, records, hour=HOUR, variant=VARIANT, name=None):
    y, m, d = DAY
    folder = os.path.join(case_dir, "capture", ENDPOINT, variant, "%04d" % y, "%02d" % m,
                          "%02d" % d, "%02d" % hour)
    os.makedirs(folder, exist_ok=True)
    name = name or "00-00-000-%s-%02d.jsonl" % (os.path.basename(case_dir).replace("_", "-"), hour)
    with open(os.path.join(folder, name), "w") as f:
        for rec in records:
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")


def csv_records(rows, minute0=0, hour=HOUR, id0=0):
    """One CSV capture record per row (row[0] is the model output, the rest its input)."""
    return [csv_record(id0 + i, row[0], row[1:], stamp((minute0 + 3 * i) % 60, i % 60, hour))
            for i, row in enumerate(rows)]


def sample(rows, step, offset=0):
    return [list(r) for r in rows[offset::step]]


def shifted(rows, col, delta, fmt):
    out = []
    for r in rows:
        r = list(r)
        r[col] = fmt % (float(r[col]) + delta)
        out.append(r)
    return out


def constraints_edit(case_dir, fn):
    p = os.path.join(case_dir, "baseline", "constraints.json")
    with open(p) as f:
        c = json.load(f)
    fn(c)
    with open(p, "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")


def feature(c, name):
    return next(f for f in c["features"] if f["name"] == name)


def dist(c):
    return c["monitoring_config"]["distribution_constraints"]


def case(name, description, records_by_hour, start, end, edit=None, extra=None, training=None):
    d = os.path.join(ROOT, name)
    for sub in ("capture", "baseline"):
        shutil.rmtree(os.path.join(d, sub), ignore_errors=True)
    os.makedirs(d, exist_ok=True)
    rows = training or training_rows()
    with open(os.path.join(d, "training.csv"), "w") as f:
        f.write(",".join(HEADER) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    for (hour, variant), recs in records_by_hour.items():
        write_capture(d, recs, hour=hour, variant=variant)
    subprocess.run([DRIFTMON, "baseline", "suggest", "--input", os.path.join(d, "training.csv"),
                    "--header", "--output", os.path.join(d, "baseline")], check=True,
                   stdout=subprocess.DEVNULL)
    os.remove(os.path.join(d, "baseline", "baseline_report.json"))
    if edit:
        constraints_edit(d, edit)
    spec = {"description": description, "endpoint": ENDPOINT, "start": start, "end": end}
    spec.update(extra or {})
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")


def window(h0=HOUR, h1=HOUR + 1):
    y, m, d = DAY
    return ("%04d-%02d-%02dT%02d:00:00Z" % (y, m, d, h0), "%04d-%02d-%02dT%02d:00:00Z" % (y, m, d, h1))


def main():
    base = training_rows()
    start, end = window()
    one_hour = lambda recs: {(HOUR, VARIANT): recs}

    # clean: every 5th training row, over two hours; a second variant holds garbage that the
    # run must not read because case.json names the variant.
    clean = sample(base, 5)
    start2, end2 = window(HOUR, HOUR + 2)
    case("clean",
         "Rows drawn from the training data itself, over two hour folders; variant AllTraffic "
         "only (the Shadow variant holds unparseable lines that must not be read). "
         "No violation: status Completed.",
         {(HOUR, VARIANT): csv_records(clean[:10]),
          (HOUR + 1, VARIANT): csv_records(clean[10:], hour=HOUR + 1, id0=10),
          (HOUR, "Shadow"): [{"not": "a capture record"}]},
         start2, end2, extra={"variant": VARIANT})

    # data_type_check: the churn example, the model's probability lands in the Integral label.
    r = Rng(2)
    dt = sample(base, 5, 1)
    for row in dt:
        row[0] = "%.6f" % r.uniform()
    case("data_type_check",
         "SageMaker's churn example: the endpoint returns a probability, which lands in the "
         "Integral output column `churn` (Only 0.0% of data is Integral).",
         one_hour(csv_records(dt)), start, end)

    # completeness_check: empty CSV fields.
    comp = sample(base, 5, 2)
    for i, row in enumerate(comp):
        if i % 4 == 0:
            row[1] = ""
        if i % 5 == 0:
            row[3] = ""
    case("completeness_check",
         "Empty CSV fields in account_length (1 in 4 rows) and plan (1 in 5 rows): "
         "completeness below the baseline's 1.0.",
         one_hour(csv_records(comp)), start, end)

    # missing_column_check: every record lacks the last input column.
    miss = [row[:-1] for row in sample(base, 5, 3)]
    case("missing_column_check",
         "Every record has 4 values instead of the baseline's 5 (`state` dropped): the window's "
         "majority width is evaluated and `state` is missing.",
         one_hour(csv_records(miss)), start, end)

    # extra_column_check (CSV): every record has one more input column.
    wide = [row + [str(10 + i)] for i, row in enumerate(sample(base, 5, 4))]
    case("extra_column_check_csv",
         "Every CSV record has 6 values instead of 5: the extra positional column `_c5`.",
         one_hour(csv_records(wide)), start, end)

    # extra_column_check (JSON named rows): flat objects with an extra key.
    named = []
    for i, row in enumerate(sample(base, 5, 0)):
        inp = {"account_length": int(row[1]), "day_mins": float(row[2]), "plan": row[3],
               "state": row[4], "zip_code": "9%04d" % (i * 37 % 10000)}
        named.append(json_record(i, inp, {"churn": int(row[0])}, stamp(2 * i)))
    case("extra_column_check_json",
         "JSON capture of flat objects (named rows): the input has a key `zip_code` that the "
         "baseline does not know.",
         one_hour(named), start, end)

    # categorical_values_check: a plan outside the domain.
    cat = sample(base, 5, 1)
    for i, row in enumerate(cat):
        if i % 6 == 0:
            row[3] = "enterprise"
    case("categorical_values_check",
         "`plan` = enterprise (outside the baseline domains) in 1 of 6 rows.",
         one_hour(csv_records(cat)), start, end)

    # Numeric drift: day_mins moves by +150 (far), account_length by +40 (moderate).
    num = shifted(sample(base, 5, 2), 2, 150.0, "%.1f")
    num = shifted(num, 1, 40.0, "%.0f")
    case("drift_numeric_robust",
         "day_mins +150 (large) and account_length +40 (moderate), comparison_method Robust: "
         "day_mins drifts; account_length stays under the Robust correction "
         "(1.8*sqrt((n+m)/(n*m)) = 0.44 for n=100, m=20).",
         one_hour(csv_records(num)), start, end)
    case("drift_numeric_simple",
         "The same window as drift_numeric_robust with comparison_method Simple (hand edit): "
         "the moderate shift of account_length is now a violation too.",
         one_hour(csv_records(num)), start, end,
         edit=lambda c: dist(c).update({"comparison_method": "Simple"}))

    # String drift: plan moves to mostly `pro` (every value still inside the domain).
    r = Rng(3)
    sd = sample(base, 5, 3)
    for row in sd:
        row[3] = "pro" if r.uniform() < 0.85 else "basic"
    case("drift_string_linfinity",
         "`plan` moves from 20% pro to about 85% pro (values inside the domain): "
         "categorical_drift_method LInfinity (Robust) flags it.",
         one_hour(csv_records(sd)), start, end)
    case("drift_string_chisquared",
         "The same window as drift_string_linfinity with categorical_drift_method ChiSquared "
         "(hand edit): the goodness-of-fit p-value is below the threshold.",
         one_hour(csv_records(sd)), start, end,
         edit=lambda c: dist(c).update({"categorical_drift_method": "ChiSquared"}))

    # driftmon's own drift measures, with SageMaker's L-infinity silenced.
    r = Rng(4)
    dm = shifted(sample(base, 5, 4), 2, 120.0, "%.1f")
    for row in dm:
        row[3] = "pro" if r.uniform() < 0.8 else "plus"
    case("driftmon_psi_ks_chisquare",
         "day_mins +120 and plan mostly `pro`, with comparison_threshold and "
         "categorical_comparison_threshold set to 1.0 (hand edit) so that SageMaker's L-infinity "
         "never fires: only driftmon's PSI, KS and chi-squared report the drift.",
         one_hour(csv_records(dm)), start, end,
         edit=lambda c: dist(c).update({"comparison_threshold": 1.0,
                                        "categorical_comparison_threshold": 1.0}))

    # Per-feature overrides.
    ov = sample(base, 5, 0)
    for i, row in enumerate(ov):
        row[2] = "%.1f" % (float(row[2]) + 200.0) if i % 7 else "n/a"
        row[3] = "" if i % 5 == 0 else ("enterprise" if i % 3 == 0 else row[3])
        row[1] = "" if i % 6 == 0 else str(int(row[1]) + 150)
        if i == 4:
            row[4] = "OR"

    def overrides(c):
        feature(c, "day_mins")["monitoringConfigOverrides"] = {"evaluate_constraints": "Disabled"}
        feature(c, "plan")["string_constraints"]["monitoring_config_overrides"] = {
            "evaluate_constraints": "Disabled"}
        feature(c, "account_length")["monitoring_config_overrides"] = {
            "perform_comparison": "Disabled"}

    case("override_disabled",
         "Per-feature overrides (hand edits): day_mins (feature-level monitoringConfigOverrides) "
         "and plan (string_constraints.monitoring_config_overrides, as the SDK's set_monitoring "
         "writes it) have evaluate_constraints Disabled, so their text values, shift, nulls and "
         "unknown plans are not reported; account_length has perform_comparison Disabled, so its "
         "nulls are reported but its shift is not; state's unknown value is reported.",
         one_hour(csv_records(ov)), start, end, edit=overrides)

    # JSON capture read with input_path / output_path; up to three rows per record.
    js = []
    rows = sample(base, 5, 1)
    for k in range(7):
        chunk = rows[3 * k:3 * k + 3]
        inp = {"instances": [{"features": [int(r_[1]), float(r_[2]), r_[3], r_[4]]} for r_ in chunk]}
        out = {"predictions": [{"predicted_label": int(r_[0]), "score": 0.25 + 0.5 * int(r_[0])}
                               for r_ in chunk]}
        js.append(json_record(k, inp, out, stamp(5 * k, sdk_style=True)))
    case("json_capture_paths",
         "JSON capture, up to three rows per record, read with input_path instances[*].features and "
         "output_path predictions[*].predicted_label; inferenceTime in the SDK's zone-less "
         "%Y-%m-%dT%H:%M:%S.%f form. Rows come from the training data: status Completed.",
         one_hour(js), start, end,
         extra={"input_path": "instances[*].features",
                "output_path": "predictions[*].predicted_label"})


if __name__ == "__main__":
    main()
