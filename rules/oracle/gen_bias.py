#!/usr/bin/env python3
"""Reference values for driftmon's bias metrics, computed by smclarify 0.5 itself.

Writes rules/oracle/bias_reference.json: generated tables (several facets, thresholds, group
variables, label values, and the edge cases: empty groups, division by zero, all-negative
predictions, the small-window type hazard, string columns) with the output of
smclarify.bias.report.bias_report for the pre- and post-training stages of every facet.
The Rust test rules/tests/bias_oracle.rs recomputes each and compares.

Deterministic: numpy's legacy RandomState with fixed seeds, JSON with sorted case order.

    python3 -m venv /work/venv-oracle
    /work/venv-oracle/bin/pip install smclarify==0.5 --no-deps
    /work/venv-oracle/bin/pip install pandas==3.1.1 numpy==2.4.6 scikit-learn==1.9.1 pyfunctional==1.5.0
    /work/venv-oracle/bin/python rules/oracle/gen_bias.py
"""
import json
import logging
import os
import sys

import numpy as np
import pandas as pd
import smclarify
from smclarify.bias import report

logging.disable(logging.CRITICAL)


def col_json(s: pd.Series):
    if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        return {"type": "str", "values": [str(x) for x in s]}
    if s.dtype == bool:
        return {"type": "bool", "values": [bool(x) for x in s]}
    if np.issubdtype(s.dtype, np.integer):
        return {"type": "int", "values": [int(x) for x in s]}
    if np.issubdtype(s.dtype, np.floating):
        return {"type": "float", "values": [float(x) for x in s]}
    return {"type": "str", "values": [str(x) for x in s]}


def run_stage(df, facet, values, label, label_values, pred, group, stage):
    try:
        facet_col = report.FacetColumn(facet, None if values is None else list(values))
        label_col = report.LabelColumn(label, df[label], list(label_values))
        pred_col = report.LabelColumn(pred, df[pred], list(label_values)) if pred else None
        g = df[group] if group else None
        return {
            "result": report.bias_report(
                df, facet_col, label_col, stage, pred_col if stage == report.StageType.POST_TRAINING else None,
                ["all"], group_variable=g,
            )
        }
    except Exception as e:  # a stage- or facet-level abort
        return {"error": str(e)}


def case(name, df, features, label, label_values, facets, group, pred="pred"):
    out = {
        "name": name,
        "features": [[f, col_json(df[f])] for f in features],
        "label": col_json(df[label]),
        "predicted_label": col_json(df[pred]) if pred else None,
        "label_values": label_values,
        "group_variable": group,
        "facets": [],
    }
    for facet, values in facets:
        sub = df[features + [label] + ([pred] if pred else [])]
        out["facets"].append(
            {
                "name": facet,
                "values": values,
                "pre": run_stage(sub, facet, values, label, label_values, pred, group, report.StageType.PRE_TRAINING),
                "post": run_stage(sub, facet, values, label, label_values, pred, group, report.StageType.POST_TRAINING)
                if pred
                else None,
            }
        )
    return out


def base(n, seed):
    r = np.random.RandomState(seed)
    df = pd.DataFrame(
        {
            "x1": r.normal(size=n),
            "x2": r.uniform(size=n),
            "sex": r.randint(0, 2, size=n),
            "race": r.randint(0, 3, size=n),
            "age": r.randint(18, 30, size=n),
            "score": r.uniform(size=n),
        }
    )
    logit = 0.8 * df["x1"] - 0.7 * df["sex"] + 0.3 * df["race"] - 0.2
    p = 1 / (1 + np.exp(-logit))
    df["y"] = (r.uniform(size=n) < p).astype(np.int64)
    df["pred"] = (r.uniform(size=n) < 0.8 * p + 0.1).astype(np.int64)
    return df


def main():
    cases = []
    df = base(600, 1)
    feats = ["x1", "x2", "sex", "race", "age", "score"]
    cases.append(case("int facets, values and one-vs-rest, int group", df, feats, "y", [1],
                      [("sex", [0]), ("race", [1, 2]), ("race", None), ("x2", [0.5]), ("score", [0.25])], "age"))
    cases.append(case("float group variable", df, feats, "y", [1], [("sex", [1])], "x2"))
    cases.append(case("no group variable", df, feats, "y", [1], [("sex", [0])], None))
    cases.append(case("label value 0", df, feats, "y", [0], [("sex", [0]), ("race", [2])], "race"))
    cases.append(case("facet value absent (empty d)", df, feats, "y", [1], [("sex", [5]), ("race", [0, 1, 2])], "age"))

    d2 = df.copy()
    d2["y"] = d2["score"]
    d2["pred"] = np.clip(d2["score"] + np.random.RandomState(7).normal(scale=0.2, size=len(d2)), 0, 1)
    cases.append(case("continuous label threshold", d2, feats, "y", [0.6], [("sex", [0])], "age"))

    d3 = df.copy()
    d3["pred"] = 0
    d3.loc[d3["sex"] == 0, "pred"] = d3.loc[d3["sex"] == 0, "y"]  # d has no positive predictions
    cases.append(case("d never predicted positive (inf)", d3, feats, "y", [1], [("sex", [1]), ("sex", [0])], "age"))

    d4 = df.copy()
    d4["pred"] = 1
    cases.append(case("all predicted positive (int 0)", d4, feats, "y", [1], [("sex", [0])], "age"))

    d5 = df.copy()
    d5["pred"] = 0
    cases.append(case("all predicted negative (stage error)", d5, feats, "y", [1], [("sex", [0])], "age"))

    d6 = df.copy()
    d6["y"] = 0
    cases.append(case("no positive labels", d6, feats, "y", [1], [("sex", [0])], "age"))

    d7 = df.copy()
    d7.loc[d7["sex"] == 1, "y"] = 1
    d7.loc[d7["sex"] == 1, "pred"] = 1
    cases.append(case("one class in d (KL on one key)", d7, feats, "y", [1], [("sex", [1]), ("sex", [0])], "age"))

    small = base(30, 3)
    small["y"] = small["y"] == 1
    small["pred"] = small["pred"] == 1
    cases.append(case("small window: int 0/1 becomes continuous; bool label", small, feats, "y", [True], [("sex", [0]), ("race", [1])], "age"))
    tiny = base(12, 4)
    tiny["y"] = tiny["y"] == 1
    tiny["pred"] = tiny["pred"] == 1
    cases.append(case("n_a <= 9: FT with k=1", tiny, feats, "y", [True], [("x2", [0.3])], "age"))

    r = np.random.RandomState(11)
    d8 = df.copy()
    # object dtype, as pandas < 3 makes strings (smclarify 0.5 fails on pandas 3's StringDtype)
    d8["gender"] = pd.Series(np.where(df["sex"] == 1, "F", "M"), dtype=object)
    d8["y"] = pd.Series(np.where(df["y"] == 1, "yes", "no"), dtype=object)
    d8["pred"] = pd.Series(np.where(df["pred"] == 1, "yes", "no"), dtype=object)
    d8["city"] = pd.Series(r.choice(["a", "b", "c"], size=len(d8)), dtype=object)
    f8 = ["x1", "x2", "gender", "age", "score"]
    cases.append(case("string facet and label", d8, f8, "y", ["yes"], [("gender", ["F"]), ("gender", None)], "age"))
    cases.append(case("string feature (FT error), string group", d8, f8 + ["city"], "y", ["yes"], [("gender", ["M"])], "city"))
    cases.append(case("numeric values for string label (converted)", d8.assign(y=df["y"].astype(str).astype(object), pred=df["pred"].astype(str).astype(object)),
                      f8, "y", [1], [("sex" if False else "gender", ["F"])], "age"))

    d9 = base(400, 5)
    d9["y"] = d9["race"]
    d9["pred"] = (d9["race"] + (np.random.RandomState(9).uniform(size=400) < 0.2)) % 3
    cases.append(case("multiclass label, two positive values", d9, feats, "y", [1, 2], [("sex", [0])], "age"))

    out = {"smclarify": smclarify.__version__ if hasattr(smclarify, "__version__") else "0.5",
           "pandas": pd.__version__, "numpy": np.__version__, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bias_reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
