#!/usr/bin/env python3
"""Peer: the drift check a team would write by hand with pandas, numpy and scipy.

Usage: scipy_drift.py BASELINE_CSV CAPTURE_ROOT

Reads the same files as driftmon (see common.py) and, per column of the baseline:
  numeric:     two-sample Kolmogorov-Smirnov (scipy.stats.ks_2samp) and PSI over 10 bins at the
               reference's deciles (numpy);
  categorical: chi-square test of homogeneity on the reference/current counts
               (scipy.stats.chi2_contingency) and PSI over the categories (numpy, epsilon 1e-4
               for empty cells).
A column drifts when its test's p-value is below 0.05 after a Bonferroni correction over the
columns and the effect is not negligible (KS statistic >= 0.1, Cramér's V >= 0.1), or PSI >= 0.25
(the thresholds driftmon uses by default). Prints one JSON line.
"""
import json
import sys

import numpy as np
import pandas as pd
import scipy
from scipy import stats

from common import Clock, columns, load

EPS = 1e-4


def psi(ref_counts, cur_counts):
    r = np.maximum(ref_counts / ref_counts.sum(), EPS)
    c = np.maximum(cur_counts / cur_counts.sum(), EPS)
    return float(np.sum((c - r) * np.log(c / r)))


clock = Clock()
reference, current = load(sys.argv[1], sys.argv[2])
clock.lap("load")
num, cat = columns(reference)
alpha = 0.05 / len(reference.columns)
out = {}
for col in num:
    r = reference[col].dropna().to_numpy(dtype=float)
    c = current[col].dropna().to_numpy(dtype=float)
    ks = stats.ks_2samp(r, c)
    edges = np.unique(np.quantile(r, np.linspace(0, 1, 11)[1:-1]))
    rb = np.bincount(np.searchsorted(edges, r, side="right"), minlength=len(edges) + 1)
    cb = np.bincount(np.searchsorted(edges, c, side="right"), minlength=len(edges) + 1)
    p = psi(rb.astype(float), cb.astype(float))
    drift = (ks.pvalue < alpha and ks.statistic >= 0.1) or p >= 0.25
    out[col] = {"test": "ks", "statistic": float(ks.statistic), "p_value": float(ks.pvalue),
                "psi": p, "drift": bool(drift)}
for col in cat:
    rc = reference[col].astype(str).value_counts()
    cc = current[col].astype(str).value_counts()
    cats = rc.index.union(cc.index)
    rv = rc.reindex(cats, fill_value=0).to_numpy(dtype=float)
    cv = cc.reindex(cats, fill_value=0).to_numpy(dtype=float)
    chi2, pv, _, _ = stats.chi2_contingency(np.vstack([rv, cv]))
    n = rv.sum() + cv.sum()
    cramers_v = float(np.sqrt(chi2 / n))  # 2 x k table: min(r, k) - 1 = 1
    p = psi(rv, cv)
    drift = (pv < alpha and cramers_v >= 0.1) or p >= 0.25
    out[col] = {"test": "chi2", "statistic": float(chi2), "p_value": float(pv),
                "cramers_v": cramers_v, "psi": p, "drift": bool(drift)}
clock.lap("tests")
drifted = [c for c, v in out.items() if v["drift"]]
print(json.dumps({
    "peer": f"pandas {pd.__version__}, numpy {np.__version__}, scipy {scipy.__version__}: KS + chi2 + PSI",
    "rows_reference": len(reference), "rows_current": len(current),
    "columns": len(reference.columns),
    "drifted_count": len(drifted), "drifted": drifted,
    "seconds": clock.total(), "parts": clock.parts,
}))
