"""nDCG reference values from scikit-learn for driftmon's attribution::ndcg.

Run: /work/venv-shap/bin/python rules/oracle/gen_ndcg.py  (writes rules/oracle/ndcg_reference.json)
Cases: the three worked values of clarify-monitors.md §5.5 (the fixtures' 14 Adult features),
random vectors of 2..15 features, vectors with ties in the current values, and ('long')
random vectors of 16..64 features.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import ndcg_score

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261203)
cases = []
for m in range(2, 16):
    for _ in range(6):
        a = rng.exponential(0.05, m)
        c = rng.exponential(0.05, m)
        cases.append(("random", a, c))
    # ties: current values drawn from a few levels
    for _ in range(3):
        a = rng.exponential(0.05, m)
        c = rng.choice([0.01, 0.02, 0.03], m)
        cases.append(("ties", a, c))
    a = rng.exponential(0.05, m)
    cases.append(("all_tied", a, np.full(m, 0.5)))
# 16 features and more: OpenBLAS's SIMD ddot kernel sums the ideal DCG in a CPU-specific order,
# so driftmon (sequential FMA) may differ by a few ulp there.
for m in (16, 20, 31, 40, 64):
    for _ in range(4):
        cases.append(("long", rng.exponential(0.05, m), rng.exponential(0.05, m)))
out = {
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
    "cases": [
        {"kind": k, "baseline": list(map(float, a)), "current": list(map(float, c)),
         "ndcg": float(ndcg_score(np.asarray([a]), np.asarray([c])))}
        for k, a, c in cases
    ],
}
with open(os.path.join(HERE, "ndcg_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(len(cases), "cases")
