#!/usr/bin/env python3
"""Generate oracle/model_quality_reference.json for the Rust `model_quality` tests.

Run from anywhere:

    python3 -m venv /tmp/venv-mq && /tmp/venv-mq/bin/pip install numpy scikit-learn
    /tmp/venv-mq/bin/python oracle/gen_model_quality.py

The file holds the inputs (deterministic, seeded datasets) and scikit-learn's values for them,
so `cargo test` needs no Python. Cases:

* binary: probabilities rounded to 2 decimals (many ties), predictions from a 0.5 threshold;
  predicted labels used as scores; every score tied; rare positives with coarse scores.
* multiclass: 4 classes of which one is never predicted; string classes with a predicted class
  that never occurs in the ground truth.
* regression: a noisy linear model, a small integer case, a constant ground truth (SST = 0,
  scikit-learn's force_finite gives r2 = 0).

Definitions mirrored here (see rules/src/model_quality.rs): zero_division=0 everywhere; the
binary best constant classifier always predicts 1; the multiclass one always predicts the least
frequent actual class (ties: the first in sorted order); weighted averages use the support.
"""

import json
import math
import os

import numpy as np
import sklearn
from sklearn import metrics as skm

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model_quality_reference.json")
SEED = 20260722


def f(x):
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite value {x}")
    return x


def fl(xs):
    return [f(x) for x in xs]


def trapezoid(y, x):
    fn = getattr(np, "trapezoid", None) or getattr(np, "trapz")
    return fn(y, x)


def binary_case(name, scores, predicted, labels):
    y = np.asarray(labels, dtype=int)
    p = np.asarray(predicted, dtype=int)
    s = np.asarray(scores, dtype=float)
    cm = skm.confusion_matrix(y, p, labels=[0, 1])
    tn, fp, fn, tp = (int(v) for v in cm.ravel())
    fpr_v = fp / (fp + tn) if fp + tn else 0.0
    tpr_v = tp / (tp + fn) if tp + fn else 0.0
    ones = np.ones_like(y)
    z = dict(zero_division=0)
    roc_fpr, roc_tpr, _ = skm.roc_curve(y, s, drop_intermediate=False)
    pr_p, pr_r, _ = skm.precision_recall_curve(y, s)
    e = {
        "confusion_matrix": [[tn, fp], [fn, tp]],
        "accuracy": f(skm.accuracy_score(y, p)),
        "precision": f(skm.precision_score(y, p, **z)),
        "recall": f(skm.recall_score(y, p, **z)),
        "f0_5": f(skm.fbeta_score(y, p, beta=0.5, **z)),
        "f1": f(skm.f1_score(y, p, **z)),
        "f2": f(skm.fbeta_score(y, p, beta=2, **z)),
        "auc": f(skm.roc_auc_score(y, s)),
        "auc_trapz": f(trapezoid(roc_tpr, roc_fpr)),
        "true_positive_rate": f(tpr_v),
        "false_positive_rate": f(fpr_v),
        "true_negative_rate": f(tn / (tn + fp) if tn + fp else 0.0),
        "false_negative_rate": f(fn / (fn + tp) if fn + tp else 0.0),
        "accuracy_best_constant_classifier": f(skm.accuracy_score(y, ones)),
        "precision_best_constant_classifier": f(skm.precision_score(y, ones, **z)),
        "recall_best_constant_classifier": f(skm.recall_score(y, ones, **z)),
        "f0_5_best_constant_classifier": f(skm.fbeta_score(y, ones, beta=0.5, **z)),
        "f1_best_constant_classifier": f(skm.f1_score(y, ones, **z)),
        "f2_best_constant_classifier": f(skm.fbeta_score(y, ones, beta=2, **z)),
        "roc_fpr": fl(roc_fpr),
        "roc_tpr": fl(roc_tpr),
        "pr_precision": fl(pr_p),
        "pr_recall": fl(pr_r),
    }
    return {
        "name": name,
        "scores": fl(s),
        "predicted": [int(v) for v in p],
        "labels": [int(v) for v in y],
        "expected": e,
    }


def sort_classes(classes):
    try:
        return sorted(classes, key=lambda c: (float(c), c))
    except ValueError:
        return sorted(classes)


def multiclass_case(name, predicted, labels):
    pred = [str(v) for v in predicted]
    true = [str(v) for v in labels]
    classes = sort_classes(set(pred) | set(true))
    cm = skm.confusion_matrix(true, pred, labels=classes)
    support = {c: true.count(c) for c in classes}
    present = [c for c in classes if support[c] > 0]
    bcc = min(present, key=lambda c: (support[c], classes.index(c)))
    const = [bcc] * len(true)

    def weighted(yp):
        out = {}
        out["weighted_recall"] = skm.recall_score(true, yp, labels=classes, average="weighted", zero_division=0)
        out["weighted_precision"] = skm.precision_score(true, yp, labels=classes, average="weighted", zero_division=0)
        for key, beta in (("weighted_f0_5", 0.5), ("weighted_f1", 1.0), ("weighted_f2", 2.0)):
            out[key] = skm.fbeta_score(true, yp, beta=beta, labels=classes, average="weighted", zero_division=0)
        return {k: f(v) for k, v in out.items()}

    e = {"classes": classes, "confusion_matrix": cm.tolist(), "best_constant_class": bcc}
    e["accuracy"] = f(skm.accuracy_score(true, pred))
    e.update(weighted(pred))
    e["accuracy_best_constant_classifier"] = f(skm.accuracy_score(true, const))
    for k, v in weighted(const).items():
        e[k + "_best_constant_classifier"] = v
    return {"name": name, "predicted": pred, "labels": true, "expected": e}


def regression_case(name, predicted, labels):
    p = np.asarray(predicted, dtype=float)
    y = np.asarray(labels, dtype=float)
    mse = skm.mean_squared_error(y, p)
    e = {
        "mae": f(skm.mean_absolute_error(y, p)),
        "mse": f(mse),
        "rmse": f(math.sqrt(mse)),
        "r2": f(skm.r2_score(y, p)),
    }
    return {"name": name, "predicted": fl(p), "labels": fl(y), "expected": e}


def main():
    rng = np.random.default_rng(SEED)
    binary = []

    n = 300
    y = (rng.random(n) < 0.35).astype(int)
    s = np.clip(0.35 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1).round(2)
    binary.append(binary_case("probabilities_with_ties", s, (s > 0.5).astype(int), y))

    n = 60
    y = (rng.random(n) < 0.5).astype(int)
    p = np.where(rng.random(n) < 0.2, 1 - y, y)
    binary.append(binary_case("labels_as_scores", p.astype(float), p, y))

    n = 40
    y = (rng.random(n) < 0.3).astype(int)
    y[0], y[1] = 0, 1
    binary.append(binary_case("all_scores_tied", np.full(n, 0.5), np.zeros(n, dtype=int), y))

    n = 250
    y = np.zeros(n, dtype=int)
    y[rng.choice(n, 5, replace=False)] = 1
    s = np.clip(0.2 + 0.4 * y + rng.normal(0, 0.15, n), 0, 1).round(1)
    binary.append(binary_case("rare_positives_coarse_scores", s, (s > 0.3).astype(int), y))

    multiclass = []
    n = 400
    y = rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1])
    p = np.where(rng.random(n) < 0.6, y, rng.integers(0, 3, n))
    p = np.where(p == 3, rng.integers(0, 3, n), p)  # class 3 is never predicted
    assert 3 not in set(p.tolist())
    multiclass.append(multiclass_case("four_classes_one_never_predicted", p, y))

    n = 120
    names = np.array(["cat", "dog", "bird"])
    y = names[rng.choice(3, n, p=[0.5, 0.3, 0.2])]
    p = np.where(rng.random(n) < 0.7, y, np.array(["cat", "dog", "bird", "fish"])[rng.integers(0, 4, n)])
    multiclass.append(multiclass_case("string_classes_unseen_prediction", p, y))

    regression = []
    n = 250
    y = rng.normal(3.0, 2.0, n)
    p = 0.8 * y + 0.5 + rng.normal(0, 0.7, n)
    regression.append(regression_case("noisy_linear", p, y))
    regression.append(regression_case("small_integers", [1, 2, 3, 4, 5, 6, 8], [2, 2, 3, 5, 4, 7, 7]))
    regression.append(regression_case("constant_truth", [1.0, 2.0, 3.0], [2.0, 2.0, 2.0]))

    out = {
        "generator": "rules/oracle/gen_model_quality.py",
        "seed": SEED,
        "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "binary": binary,
        "multiclass": multiclass,
        "regression": regression,
    }
    with open(OUT, "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
