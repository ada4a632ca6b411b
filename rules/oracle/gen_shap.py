"""Kernel SHAP reference values from the `shap` package for driftmon's attribution::kernel_shap.

Setup (once):
    python3 -m venv /work/venv-shap
    /work/venv-shap/bin/pip install shap scikit-learn numpy
Run:
    /work/venv-shap/bin/python rules/oracle/gen_shap.py   (writes rules/oracle/shap_reference.json)

What it writes:
* a small nonlinear model, a scikit-learn MLPClassifier (8 features, one hidden layer of 12 ReLU
  units, logistic output), as its weights: the Rust test evaluates
  p1 = 1 / (1 + exp(-(relu(x W1 + b1) W2 + b2))), outputs [1 - p1, p1] (sklearn's predict_proba),
  and checks it against `predict_proba` (stored) to 1e-12;
* 5 background rows and 10 explained records (feature 7 is binary and 0 in every background row,
  so records with x7 = 0 exercise the "non-varying feature" path);
* exact values: shap.explainers.Exact with an Independent masker over the background (all
  2^8 coalitions), and shap.KernelExplainer at nsamples = 2^8 - 2 = 254 (complete enumeration),
  identity link; and KernelExplainer with link="logit" at 254 (exact in log-odds);
* sampled values: KernelExplainer(l1_reg=False) at nsamples 40 and 120, repeated over numpy
  seeds 0..SEEDS-1, as the mean and standard deviation over seeds of every phi, and the root
  mean square error of the runs against the exact values.
"""
import json
import os
import time

import numpy as np
import shap
import sklearn
from sklearn.neural_network import MLPClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
M = 8
SEEDS = 40
NSAMPLES = [40, 120]

t0 = time.time()
rng = np.random.default_rng(7)
n = 600
X = rng.normal(size=(n, M))
X[:, 7] = (rng.random(n) < 0.5).astype(float)
logit = 1.5 * X[:, 0] * X[:, 1] - np.abs(X[:, 2]) + np.sin(2 * X[:, 3]) + 0.8 * X[:, 4] \
    - 0.5 * X[:, 5] ** 2 + 0.3 * X[:, 6] + 1.2 * X[:, 7] * X[:, 0]
y = (logit + 0.3 * rng.normal(size=n) > 0).astype(int)
clf = MLPClassifier(hidden_layer_sizes=(12,), activation="relu", solver="lbfgs",
                    max_iter=3000, random_state=0, alpha=3.0).fit(X, y)
assert clf.out_activation_ == "logistic"


def f(data):
    return clf.predict_proba(np.asarray(data, dtype=float))


# alpha=3 keeps the probabilities of every coalition row inside [1e-5, 1 - 1e-3], so the logit
# link never meets the clamp (shap does not clamp, driftmon does at 1e-15).
background = X[np.flatnonzero(X[:, 7] == 0)[:5]].copy()
assert np.all(background[:, 7] == 0)
records = X[500:510].copy()

# exact: shap.explainers.Exact over the same background (Independent masker keeps all 5 rows)
masker = shap.maskers.Independent(background, max_samples=100)
exact = shap.explainers.Exact(f, masker)(records).values  # (records, features, outputs)
exact = np.asarray(exact)

def kernel(nsamples, link="identity", seed=None):
    if seed is not None:
        np.random.seed(seed)
    ex = shap.KernelExplainer(f, background, link=link)
    sv = ex.shap_values(records, nsamples=nsamples, l1_reg=False, silent=True)
    sv = np.asarray(sv)
    if sv.ndim == 3 and sv.shape[0] == 2 and sv.shape[1] == len(records):  # old list layout
        sv = np.transpose(sv, (1, 2, 0))
    return sv, np.asarray(ex.expected_value, dtype=float)

kernel_full, expected = kernel(2**M - 2)
kernel_logit_full, expected_logit = kernel(2**M - 2, link="logit")
gap = float(np.max(np.abs(kernel_full - exact)))
print(f"max |KernelExplainer(254) - Exact| = {gap:.3e}")
assert gap < 1e-10, gap

sampled = []
for ns in NSAMPLES:
    runs = np.stack([kernel(ns, seed=s)[0] for s in range(SEEDS)])  # (seeds, rec, feat, out)
    rmse = float(np.sqrt(np.mean((runs - exact[None]) ** 2)))
    sampled.append({
        "nsamples": ns,
        "seeds": SEEDS,
        "mean": runs.mean(axis=0).tolist(),
        "std": runs.std(axis=0, ddof=1).tolist(),
        "rmse_vs_exact": rmse,
    })
    print(f"nsamples {ns}: shap RMSE vs exact over {SEEDS} seeds = {rmse:.4e}")

out = {
    "generator": "rules/oracle/gen_shap.py",
    "versions": {"shap": shap.__version__, "sklearn": sklearn.__version__, "numpy": np.__version__},
    "model": {
        "kind": "mlp_relu_logistic_binary",
        "w1": clf.coefs_[0].tolist(),        # (features, hidden)
        "b1": clf.intercepts_[0].tolist(),   # (hidden,)
        "w2": clf.coefs_[1].tolist(),        # (hidden, 1)
        "b2": clf.intercepts_[1].tolist(),   # (1,)
        "outputs": ["1 - p1", "p1"],
    },
    "background": background.tolist(),
    "records": records.tolist(),
    "predict_proba_records": f(records).tolist(),
    "predict_proba_background": f(background).tolist(),
    "expected_value": expected.tolist(),
    "expected_value_logit": expected_logit.tolist(),
    "exact": exact.tolist(),                      # (records, features, outputs)
    "kernel_full": kernel_full.tolist(),
    "kernel_logit_full": kernel_logit_full.tolist(),
    "sampled": sampled,
}
with open(os.path.join(HERE, "shap_reference.json"), "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
print(f"wrote shap_reference.json in {time.time() - t0:.1f} s")
