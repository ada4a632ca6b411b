"""Shared by the peer scripts: load the same files driftmon reads into pandas.

reference: the baseline CSV (header: score, then the 25 features), as `driftmon baseline
           suggest --header` reads it.
current:   every *.jsonl object under the capture folder (SageMaker's layout), as `driftmon run`
           reads it: per record, endpointOutput.data (the score) and endpointInput.data (the
           features), both CSV strings, joined output first, the way driftmon numbers captured
           columns; then parsed with pandas' CSV reader under the baseline's column names.

This is the plain, reasonably efficient way a team would do it: json.loads per record, one
pd.read_csv over the joined payloads (no per-row DataFrame building).
"""
import io
import json
import os
import sys
import time

import pandas as pd


def capture_files(root):
    out = []
    for d, _, fs in os.walk(root):
        out += [os.path.join(d, f) for f in fs if f.endswith(".jsonl")]
    return sorted(out)


def load(baseline_csv, capture_root):
    reference = pd.read_csv(baseline_csv)
    rows = []
    for path in capture_files(capture_root):
        with open(path) as f:
            for line in f:
                cd = json.loads(line)["captureData"]
                rows.append(cd["endpointOutput"]["data"] + "," + cd["endpointInput"]["data"])
    text = "\n".join(rows)
    del rows
    current = pd.read_csv(io.StringIO(text), header=None, names=list(reference.columns))
    del text
    if len(current) == 0:
        sys.exit(f"no records under {capture_root}")
    return reference, current


def columns(reference):
    """(numeric, categorical) column names, by the reference's dtypes."""
    num = [c for c in reference.columns if pd.api.types.is_numeric_dtype(reference[c])]
    cat = [c for c in reference.columns if c not in num]
    return num, cat


class Clock:
    def __init__(self):
        self.t0 = self.t = time.perf_counter()
        self.parts = {}

    def lap(self, name):
        t = time.perf_counter()
        self.parts[name] = round(t - self.t, 3)
        self.t = t

    def total(self):
        return round(time.perf_counter() - self.t0, 3)
