#!/usr/bin/env python3
"""Generate oracle/reference.json for the Rust `stats` module tests.

Run from anywhere:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scipy
    /tmp/venv/bin/python oracle/gen_reference.py

The output is venv-independent: it holds the inputs (samples, counts, grids) and
the reference outputs computed by SciPy / NumPy, so `cargo test` needs no Python.
Everything is seeded, so re-running with the same NumPy/SciPy versions gives the
same file. statsmodels is used only as an optional cross-check of the numpy
multiple-testing formulas. mpmath (a pure-Python dependency of the scientific
stack, `pip install mpmath`) gives 40-digit references for the special functions,
next to SciPy's own values: SciPy's `gammaincc` loses up to ~1e-12 relative for
large `a` (it forms `a*log(x) - x - lgam(a)` directly), so the Rust tests hold the
special functions to the high-precision value tightly and to SciPy loosely.
"""

import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import special, stats
from scipy.stats import _stats_py

import mpmath as mp

mp.mp.dps = 40

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
SEED = 20240601


def f(x):
    """Plain float for JSON (keeps inf/nan out: callers must not pass them)."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite value {x} would not survive JSON")
    return x


def fl(xs):
    return [f(x) for x in xs]


def ks_case(name, a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    auto = stats.ks_2samp(a, b, method="auto")
    asymp = stats.ks_2samp(a, b, method="asymp")
    mode = "exact" if max(len(a), len(b)) <= 10000 else "asymp"
    return {
        "name": name,
        "a": fl(a),
        "b": fl(b),
        "auto_mode": mode,
        "stat_auto": f(auto.statistic),
        "p_auto": f(auto.pvalue),
        "stat_asymp": f(asymp.statistic),
        "p_asymp": f(asymp.pvalue),
    }


def weighted_case(name, va, wa, vb, wb):
    """Weighted (value, weight) samples; scipy sees the expanded samples."""
    va = np.asarray(va, dtype=float)
    vb = np.asarray(vb, dtype=float)
    wa = np.asarray(wa, dtype=np.int64)
    wb = np.asarray(wb, dtype=np.int64)
    oa = np.argsort(va, kind="stable")
    ob = np.argsort(vb, kind="stable")
    va, wa, vb, wb = va[oa], wa[oa], vb[ob], wb[ob]
    ea = np.repeat(va, wa)
    eb = np.repeat(vb, wb)
    auto = stats.ks_2samp(ea, eb, method="auto")
    return {
        "name": name,
        "a": [[f(v), int(w)] for v, w in zip(va, wa)],
        "b": [[f(v), int(w)] for v, w in zip(vb, wb)],
        "n": int(wa.sum()),
        "m": int(wb.sum()),
        "stat": f(auto.statistic),
        "p_auto": f(auto.pvalue),
    }


def gamma_entry(a, x):
    a_mp, x_mp = mp.mpf(a), mp.mpf(x)
    return {"a": f(a), "x": f(x), "p": f(special.gammainc(a, x)), "q": f(special.gammaincc(a, x)),
            "p_mp": f(mp.gammainc(a_mp, 0, x_mp, regularized=True)),
            "q_mp": f(mp.gammainc(a_mp, x_mp, mp.inf, regularized=True))}


def kolmogorov_mp(x):
    """Q_KS(x) = 2 sum (-1)^(k-1) exp(-2 k^2 x^2), at 40 digits (plenty of terms)."""
    x = mp.mpf(x)
    s = mp.mpf(0)
    k = 1
    while True:
        t = mp.exp(-2 * k * k * x * x)
        s += t if k % 2 else -t
        if t < mp.mpf(10) ** -45:
            break
        k += 1
    return 2 * s


def kstwo_cdf_durbin_mp(n, d):
    """P(D_n <= d) by Durbin's matrix (Marsaglia-Tsang-Wang layout) at 50 digits."""
    with mp.workdps(50):
        d = mp.mpf(d)
        nd = n * d
        k = int(mp.ceil(nd))
        h = k - nd
        m = 2 * k - 1
        H = mp.zeros(m, m)
        for i in range(m):
            for j in range(m):
                if i - j + 1 >= 0:
                    H[i, j] = 1 / mp.factorial(i - j + 1)
        for i in range(m):
            H[i, 0] -= h ** (i + 1) / mp.factorial(i + 1)
            H[m - 1, i] -= h ** (m - i) / mp.factorial(m - i)
        if 2 * h - 1 > 0:
            H[m - 1, 0] += (2 * h - 1) ** m / mp.factorial(m)
        s = (H ** n)[k - 1, k - 1]
        for i in range(1, n + 1):
            s = s * i / n
        return s


def main():
    rng = np.random.default_rng(SEED)
    out = {
        "meta": {
            "generator": "oracle/gen_reference.py",
            "seed": SEED,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "python": sys.version.split()[0],
        }
    }

    # ------------------------------------------------------------------ KS samples
    ks = []
    r4 = lambda x: np.round(x, 4)  # short JSON; ties are fine (scipy sees the same values)
    ks.append(ks_case("tiny_5_7_normal", r4(rng.normal(size=5)), r4(rng.normal(0.5, 1, size=7))))
    ks.append(ks_case("tiny_7_5_shift", r4(rng.normal(size=7)), r4(rng.normal(1.5, 1, size=5))))
    ks.append(ks_case("tiny_ties_6_6", [1, 1, 2, 2, 3, 3], [1, 2, 2, 3, 3, 3]))
    ks.append(ks_case("identical_4_4", [1, 2, 3, 4], [1, 2, 3, 4]))
    ks.append(ks_case("disjoint_3_4", [1, 2, 3], [4, 5, 6, 7]))
    ks.append(ks_case("one_vs_many_1_9", [0.5], r4(rng.normal(size=9))))
    ks.append(ks_case("medium_300_500_same", r4(rng.normal(size=300)), r4(rng.normal(size=500))))
    ks.append(ks_case("medium_300_500_shift", r4(rng.normal(size=300)), r4(rng.normal(0.3, 1, size=500))))
    ks.append(ks_case("medium_500_500_scale", r4(rng.normal(size=500)), r4(rng.normal(0, 1.3, size=500))))
    ks.append(ks_case("lognormal_400_250", r4(rng.lognormal(0, 1, size=400)), r4(rng.lognormal(0.1, 1.1, size=250))))
    ks.append(ks_case("discrete_ties_800_600", rng.poisson(3.0, size=800), rng.poisson(3.3, size=600)))
    ks.append(ks_case("discrete_few_values_1000_1000", rng.integers(0, 4, size=1000), rng.integers(0, 4, size=1000)))
    ks.append(ks_case("unequal_2000_37", r4(rng.normal(size=2000)), r4(rng.normal(0.4, 1, size=37))))
    ks.append(ks_case("exact_edge_10000_9999", r4(rng.normal(size=10000)), r4(rng.normal(0.02, 1, size=9999))))
    ks.append(ks_case("asymp_20000_30000_shift", r4(rng.normal(size=20000)), r4(rng.normal(0.03, 1, size=30000))))
    ks.append(ks_case("asymp_12000_12000_same", r4(rng.normal(size=12000)), r4(rng.normal(size=12000))))
    ks.append(ks_case("asymp_20000_60_small_en", r4(rng.normal(size=20000)), r4(rng.normal(0.5, 1, size=60))))
    out["ks_samples"] = ks

    # ------------------------------------------------------------ KS weighted
    wk = []
    # Discrete data compressed to (value, count).
    x = rng.poisson(4.0, size=3000)
    y = rng.poisson(4.4, size=2500)
    ux, cx = np.unique(x, return_counts=True)
    uy, cy = np.unique(y, return_counts=True)
    wk.append(weighted_case("poisson_unique_counts", ux, cx, uy, cy))
    # KLL-like: items with power-of-two weights, duplicates across levels allowed.
    va = np.round(rng.normal(size=300), 2)
    wa = 2 ** rng.integers(0, 8, size=300)
    vb = np.round(rng.normal(0.2, 1.0, size=200), 2)
    wb = 2 ** rng.integers(0, 8, size=200)
    wk.append(weighted_case("kll_like_pow2_weights", va, wa, vb, wb))
    # Small exact case with weights.
    wk.append(weighted_case("small_weighted", [1.0, 2.0, 3.0], [2, 1, 3], [1.5, 2.0, 4.0], [1, 3, 1]))
    out["ks_weighted"] = wk

    # ---------------------------------------------------------- KS exact grid
    # Exact two-sided p-values straight from scipy's internal routine, for (n, m, h).
    grid = []
    for n, m in [(1, 1), (1, 5), (2, 3), (5, 7), (7, 5), (10, 10), (10, 15), (20, 30), (3, 300),
                 (100, 100), (123, 456), (1000, 999), (1000, 1000), (2500, 10000),
                 (10000, 10000), (9999, 10000), (10000, 3)]:
        g = math.gcd(n, m)
        lcm = (n // g) * m
        for frac in [0.0, 0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0]:
            h = int(round(frac * lcm))
            d = h / lcm
            ok, d2, p = _stats_py._attempt_exact_2kssamp(n, m, g, d, "two-sided")
            if not ok:
                continue
            grid.append({"n": n, "m": m, "d": f(d), "p": f(p)})
    out["ks_exact_grid"] = grid

    # ------------------------------------------------------- kstwo.sf grid
    kst = []
    for n in [1, 2, 3, 5, 10, 30, 100, 140, 141, 500, 1000, 5000, 12000, 100000, 100001, 2000000]:
        for z in [0.3, 0.5, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5, 1.8, 2.2, 3.0, 5.0]:
            x = z / math.sqrt(n)
            if x >= 1.0:
                continue
            kst.append({"n": n, "x": f(x), "sf": f(stats.kstwo.sf(x, n))})
        for x in [0.6 / n, 1.0 / n, 1.5 / n, 0.55, 0.75, 1 - 1.5 / n if n > 2 else 0.9]:
            if 0 < x < 1:
                kst.append({"n": n, "x": f(x), "sf": f(stats.kstwo.sf(x, n))})
    out["kstwo_sf"] = kst

    # High-precision arbiter for the region where SciPy uses Pomeranz (n <= 140, 0.754693 < n x^2 <= 4).
    out["kstwo_mp"] = [{"n": n, "x": f(x), "mp": f(1 - kstwo_cdf_durbin_mp(n, x)), "scipy": f(stats.kstwo.sf(x, n))}
                       for n, x in [(140, 1.8 / math.sqrt(140)), (100, 0.18), (30, 1.8 / math.sqrt(30)), (10, 0.5 / math.sqrt(10) * 2)]]
    out["kolmogorov_sf"] = [{"x": f(x), "sf": f(special.kolmogorov(x)), "mp": f(kolmogorov_mp(x))}
                            for x in [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.81, 0.82, 0.83, 1.0,
                                      1.2, 1.5, 2.0, 3.0, 5.0, 8.0, 15.0]]

    # ---------------------------------------------------------- gamma / chi2
    gam = []
    for a in [0.5, 1.0, 1.5, 2.0, 2.5, 3.7, 5.0, 9.5, 10.0, 10.5, 25.0, 100.0, 499.5, 1000.0, 5000.0]:
        for rel in [0.01, 0.1, 0.5, 0.9, 1.0, 1.1, 1.5, 2.0, 4.0]:
            x = a * rel
            gam.append(gamma_entry(a, x))
        for x in [0.001, 1.0, 30.0, 200.0, 600.0]:
            if special.gammaincc(a, x) > 0:
                gam.append(gamma_entry(a, x))
    out["gamma"] = gam
    out["ln_gamma"] = [{"x": f(x), "v": f(special.gammaln(x)), "mp": f(mp.loggamma(x))}
                       for x in [1e-300, 1e-10, 0.001, 0.1, 0.5, 0.9, 1.0, 1.1, 1.5, 1.9, 2.0, 2.1,
                                 2.5, 3.0, 4.2, 7.5, 9.99, 10.0, 10.01, 15.5, 50.0, 123.4,
                                 1000.0, 1e5, 1e10, 1e100]]
    c2 = []
    for df in [1, 2, 3, 4, 5, 9, 10, 20, 50, 99, 100, 500, 1000, 9999]:
        for x in [0.0001 * df, 0.5 * df, 0.9 * df, df, 1.1 * df, 1.5 * df, 2 * df, 3 * df + 10,
                  df + 40, df + 200, df + 1000]:
            sf = stats.chi2.sf(x, df)
            if sf > 0:
                mps = mp.gammainc(mp.mpf(df) / 2, mp.mpf(x) / 2, mp.inf, regularized=True)
                c2.append({"x": f(x), "df": df, "sf": f(sf), "mp": f(mps)})
    out["chi2_sf"] = c2

    # ------------------------------------------------------------------ PSI
    def bin_counts(edges, values):
        idx = np.searchsorted(edges, values, side="right")  # left-closed bins
        return np.bincount(idx, minlength=len(edges) + 1).astype(float)

    def psi_np(base, cur, eps):
        b = base / base.sum() + eps
        a = cur / cur.sum() + eps
        return float(np.sum((a - b) * np.log(a / b)))

    psis = []
    cases = [
        ("normal_same", rng.normal(size=3000), rng.normal(size=2000), 10),
        ("normal_shift", rng.normal(size=3000), rng.normal(0.5, 1, size=2000), 10),
        ("lognormal_scale", rng.lognormal(0, 1, size=4000), rng.lognormal(0, 1.5, size=1500), 10),
        ("poisson_ties_dup_edges", rng.poisson(1.0, size=2000).astype(float),
         rng.poisson(1.6, size=2000).astype(float), 10),
        ("out_of_range", rng.normal(size=1000), rng.normal(4.0, 1, size=500), 5),
    ]
    for name, base, cur, nb in cases:
        base = np.round(base, 3)
        cur = np.round(cur, 3)
        edges = np.quantile(base, np.linspace(0, 1, nb + 1)[1:-1])
        # current as (value, weight) pairs: unique values with counts, sorted
        uc, wc = np.unique(cur, return_counts=True)
        ub, wb = np.unique(base, return_counts=True)
        bc = bin_counts(edges, base)
        cc = bin_counts(edges, cur)
        for eps in [1e-4, 1e-10]:
            psis.append({
                "name": f"{name}_eps{eps:g}",
                "edges": fl(edges),
                "baseline_items": [[f(v), int(w)] for v, w in zip(ub, wb)],
                "current_items": [[f(v), int(w)] for v, w in zip(uc, wc)],
                "baseline_counts": fl(bc),
                "current_counts": fl(cc),
                "eps": eps,
                "psi": psi_np(bc, cc, eps),
            })
    # direct counts with empty bins on one side
    for bcnt, ccnt in [([10, 20, 30, 0, 40], [12, 18, 25, 5, 0]), ([1, 1, 1, 1], [1, 1, 1, 1]),
                       ([100, 0, 0], [0, 0, 100])]:
        bc = np.asarray(bcnt, float)
        cc = np.asarray(ccnt, float)
        for eps in [1e-4, 1e-10]:
            psis.append({"name": f"direct_{bcnt}_{ccnt}_{eps:g}", "edges": None,
                         "baseline_counts": fl(bc), "current_counts": fl(cc), "eps": eps,
                         "psi": psi_np(bc, cc, eps)})
    out["psi"] = psis

    # ------------------------------------------------------------ chi-square
    cont = []
    cat_cases = [
        ([100, 200, 300], [110, 190, 320]),
        ([50, 0, 30, 20], [40, 10, 0, 55]),
        ([5, 0, 0, 7], [3, 0, 1, 9]),  # a both-zero category is dropped
        ([1000, 1], [990, 12]),
        (list(rng.integers(0, 500, size=40)), list(rng.integers(0, 500, size=40))),
        (list(rng.integers(1, 50, size=300)), list(rng.integers(1, 55, size=300))),
    ]
    for b, c in cat_cases:
        b = np.asarray(b, float)
        c = np.asarray(c, float)
        keep = (b + c) > 0
        res = stats.chi2_contingency(np.vstack([b[keep], c[keep]]), correction=False)
        cont.append({"baseline": fl(b), "current": fl(c), "stat": f(res.statistic),
                     "df": int(res.dof), "p": f(res.pvalue),
                     "cramers_v": f(stats.contingency.association(
                         np.vstack([b[keep], c[keep]]).astype(int), method="cramer"))})
    out["chi2_contingency"] = cont

    gof = []
    for obs, props in [([10, 20, 30], [0.2, 0.3, 0.5]), ([100, 80, 60, 40], [1, 1, 1, 1]),
                       ([5, 50, 500, 5000], [0.001, 0.01, 0.1, 0.889]),
                       ([7, 0, 3], [0.5, 0.0, 0.5]),  # zero-prop category ignored
                       (list(rng.integers(0, 100, size=30)), list(rng.random(30) + 0.01))]:
        obs = np.asarray(obs, float)
        props = np.asarray(props, float)
        keep = props > 0
        o = obs[keep]
        e = props[keep] / props[keep].sum() * o.sum()
        res = stats.chisquare(o, e)
        gof.append({"observed": fl(obs), "expected_props": fl(props), "stat": f(res.statistic),
                    "df": int(keep.sum() - 1), "p": f(res.pvalue)})
    out["chisquare"] = gof

    # Deequ regrouping (deterministic tie-break: first index) + scipy on the result.
    def regroup(obs, exp, abs_yates=5.0, perc_yates=0.2, abs_cochran=10.0):
        obs, exp = list(obs), list(exp)
        while len(exp) >= 2:
            if len(exp) > 2:
                thr, max_below = abs_yates, int(perc_yates * len(exp))
            else:
                thr, max_below = abs_cochran, 0
            below = sum(1 for e in exp if e < thr)
            if below <= max_below:
                break
            i = int(np.argmin(exp))
            eo, ee = obs.pop(i), exp.pop(i)
            j = int(np.argmin(exp))
            exp[j] += ee
            obs[j] += eo
        return obs, exp

    dq = []
    for obs, base in [([30, 25, 2, 1, 40], [300, 250, 10, 5, 435]),
                      ([12, 3], [100, 8]),
                      ([50, 40, 1, 0, 0, 2], [500, 400, 3, 2, 1, 4]),
                      ([5, 6, 7, 8, 9], [10, 10, 10, 10, 10])]:
        obs = np.asarray(obs, float)
        base = np.asarray(base, float)
        keep = base > 0
        o = obs[keep]
        e = base[keep] / base[keep].sum() * o.sum()
        ro, re = regroup(o, e)
        entry = {"observed": fl(obs), "baseline_counts": fl(base),
                 "regrouped_observed": fl(ro), "regrouped_expected": fl(re)}
        if len(ro) >= 2:
            res = stats.chisquare(ro, re)
            entry.update({"stat": f(res.statistic), "df": len(ro) - 1, "p": f(res.pvalue)})
        else:
            entry.update({"stat": None, "df": None, "p": None})
        dq.append(entry)
    out["chisquare_deequ"] = dq

    # --------------------------------------------------------- multiple tests
    mt = []
    pv_cases = [
        [0.01, 0.04, 0.03, 0.2, 0.5],
        [0.001, 0.001, 0.002, 0.9, 0.04, 0.04, 0.049],
        list(rng.random(25) ** 3),
        [0.5],
        [1.0, 0.99, 0.0, 1e-300],
    ]
    for p in pv_cases:
        p = np.asarray(p, float)
        n = len(p)
        bonf = np.minimum(p * n, 1.0)
        order = np.argsort(p)
        ps = p[order]
        raw = ps / (np.arange(1, n + 1) / n)
        adj = np.minimum.accumulate(raw[::-1])[::-1]
        adj = np.minimum(adj, 1.0)
        bh = np.empty(n)
        bh[order] = adj
        try:  # optional cross-check of the numpy formulas
            from statsmodels.stats.multitest import multipletests
            assert np.allclose(multipletests(p, method="bonferroni")[1], bonf, rtol=0, atol=0)
            assert np.allclose(multipletests(p, method="fdr_bh")[1], bh, rtol=1e-15, atol=0)
        except ImportError:
            pass
        mt.append({"p": fl(p), "bonferroni": fl(bonf), "bh": fl(bh)})
    out["multitest"] = mt

    # ---------------------------------------------------------------- L-inf
    linf = []
    for c1, c2 in [([10, 20, 30], [15, 15, 30]), ([1, 0, 0], [0, 0, 1]), ([5, 5], [5, 5])]:
        c1 = np.asarray(c1, float)
        c2 = np.asarray(c2, float)
        n, m = c1.sum(), c2.sum()
        d = float(np.max(np.abs(c1 / n - c2 / m)))
        linf.append({"c1": fl(c1), "c2": fl(c2), "linf": d,
                     "robust_1_8": max(0.0, d - 1.8 * math.sqrt((n + m) / (n * m)))})
    out["linf_categorical"] = linf

    s = json.dumps(out, separators=(",", ":"))
    with open(OUT, "w") as fh:
        fh.write(s)
        fh.write("\n")
    print(f"wrote {OUT}: {len(s) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
