//! The two-condition drift verdict (effect size over its threshold and corrected p-value under
//! α) and the corrections across features: Bonferroni and Benjamini–Hochberg.

/// Drift verdict for large samples: drift only when the effect size reaches its threshold
/// **and** the (corrected) p-value is below `alpha`: `effect ≥ effect_threshold && p < alpha`.
/// Any NaN gives `false` (no evidence). (SageMaker's own `baseline_drift_check` is a plain
/// `distance > comparison_threshold` and stays separate.)
pub fn drift_verdict(effect: f64, effect_threshold: f64, p_value: f64, alpha: f64) -> bool {
    effect >= effect_threshold && p_value < alpha
}

/// Bonferroni-adjusted p-values `min(1, p · m)`, `m` = number of non-NaN p-values
/// (statsmodels `multipletests(method="bonferroni")`). NaN entries (skipped tests) stay NaN and
/// do not count as tests.
pub fn bonferroni(pvals: &[f64]) -> Vec<f64> {
    let m = pvals.iter().filter(|p| !p.is_nan()).count() as f64;
    // (f64::min would turn NaN into 1.0, hence the explicit branch.)
    pvals
        .iter()
        .map(|p| {
            if p.is_nan() {
                f64::NAN
            } else {
                (p * m).min(1.0)
            }
        })
        .collect()
}

/// Benjamini–Hochberg adjusted p-values (false discovery rate; statsmodels
/// `multipletests(method="fdr_bh")`): sorted ascending, `p_(i) · m / i`, then the running
/// minimum from the largest down, capped at 1, returned in input order. NaN entries stay NaN
/// and do not count as tests.
pub fn benjamini_hochberg(pvals: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..pvals.len()).filter(|&i| !pvals[i].is_nan()).collect();
    idx.sort_by(|&a, &b| pvals[a].total_cmp(&pvals[b]));
    let m = idx.len() as f64;
    let mut out = vec![f64::NAN; pvals.len()];
    let mut running = f64::INFINITY;
    for (rank0, &i) in idx.iter().enumerate().rev() {
        let raw = pvals[i] / ((rank0 + 1) as f64 / m);
        running = running.min(raw);
        out[i] = running.min(1.0);
    }
    out
}
