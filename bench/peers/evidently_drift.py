#!/usr/bin/env python3
"""Peer: Evidently's default data-drift report (DataDriftPreset) on driftmon's benchmark files.

Usage: evidently_drift.py BASELINE_CSV CAPTURE_ROOT

Reads the baseline CSV as the reference and the capture window as the current data (see
common.py), runs Report([DataDriftPreset()]) with Evidently's default drift methods and
thresholds, and prints one JSON line: rows, columns, drifted columns (Evidently's own per-column
verdicts), the timing of each part. Pinned: evidently==0.7.23 (bench/run.sh installs it).
"""
import json
import os
import sys

os.environ.setdefault("DO_NOT_TRACK", "1")

from common import Clock, columns, load  # noqa: E402

clock = Clock()
from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402
import evidently  # noqa: E402

clock.lap("import")
reference, current = load(sys.argv[1], sys.argv[2])
clock.lap("load")
num, cat = columns(reference)
definition = DataDefinition(numerical_columns=num, categorical_columns=cat)
ref_ds = Dataset.from_pandas(reference, data_definition=definition)
cur_ds = Dataset.from_pandas(current, data_definition=definition)
snapshot = Report([DataDriftPreset()]).run(cur_ds, ref_ds)
clock.lap("report")
result = snapshot.dict()
count, drifted = None, []
for m in result["metrics"]:
    cfg = m.get("config", {})
    kind = str(cfg.get("type", ""))
    if kind.endswith("DriftedColumnsCount"):
        count = int(m["value"]["count"])
    elif kind.endswith("ValueDrift"):
        # Evidently's rule: distance-like scores drift above the threshold, p-values below it.
        v, t, method = float(m["value"]), float(cfg["threshold"]), str(cfg.get("method", ""))
        is_p_value = "p_value" in method
        if (v < t) if is_p_value else (v >= t):
            drifted.append(cfg["column"])
clock.lap("result")
print(json.dumps({
    "peer": f"evidently {evidently.__version__} DataDriftPreset",
    "rows_reference": len(reference), "rows_current": len(current),
    "columns": len(reference.columns),
    "drifted_count": count, "drifted": drifted,
    "seconds": clock.total(), "parts": clock.parts,
}))
