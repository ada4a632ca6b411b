//! The population stability index over fixed bins, with the same additive ε on both sides, and
//! the counting of sorted weighted values into frozen baseline-quantile bins.

/// Population Stability Index between baseline and current bin counts:
/// `PSI = Σ_i (a_i − b_i) ln(a_i / b_i)` with `b_i = base_i/N_base + eps` and
/// `a_i = cur_i/N_cur + eps` — the same additive `eps` on both sides, no renormalisation.
///
/// Counts may be fractional (weights). A bin empty on both sides contributes exactly 0; with
/// `eps = 0` a bin empty on exactly one side makes the result `+∞`. Returns NaN when the
/// lengths differ, the slices are empty, a total is not positive, a count is negative or NaN,
/// or `eps` is negative or NaN. Use [`DEFAULT_PSI_EPSILON`](super::DEFAULT_PSI_EPSILON) unless you have a reason not to.
pub fn psi(baseline_counts: &[f64], current_counts: &[f64], eps: f64) -> f64 {
    if baseline_counts.len() != current_counts.len()
        || baseline_counts.is_empty()
        || eps.is_nan()
        || eps < 0.0
    {
        return f64::NAN;
    }
    let valid = |c: &f64| c.is_finite() && *c >= 0.0;
    if !baseline_counts.iter().all(valid) || !current_counts.iter().all(valid) {
        return f64::NAN;
    }
    let nb: f64 = baseline_counts.iter().sum();
    let nc: f64 = current_counts.iter().sum();
    if nb <= 0.0 || nc <= 0.0 {
        return f64::NAN;
    }
    let mut s = 0.0;
    for (cb, cc) in baseline_counts.iter().zip(current_counts) {
        let b = cb / nb + eps;
        let a = cc / nc + eps;
        if a == b {
            continue; // includes the both-empty bin with eps = 0 (avoids 0·ln(0/0))
        }
        s += (a - b) * (a / b).ln();
    }
    s
}

/// Counts weighted items into the bins `(−∞, e_1), [e_1, e_2), …, [e_k, +∞)` defined by the
/// non-decreasing `edges` (`k = edges.len()`, so `k + 1` bins).
///
/// Bins are left-closed: a value equal to an edge goes to the bin on its right (NumPy's
/// `searchsorted(edges, x, side="right")`). With duplicate edges the bins between them are
/// always empty. `±∞` fall in the end bins; NaN items are skipped (missing values are counted
/// elsewhere). Items need not be sorted. `O(len · log k)`.
pub fn bin_counts(edges: &[f64], sorted_weighted: &[(f64, u64)]) -> Vec<f64> {
    debug_assert!(
        edges.windows(2).all(|w| w[0] <= w[1]),
        "edges must be sorted"
    );
    let mut counts = vec![0.0; edges.len() + 1];
    for &(x, w) in sorted_weighted {
        if x.is_nan() {
            continue;
        }
        let idx = edges.partition_point(|e| *e <= x);
        counts[idx] += w as f64;
    }
    counts
}
