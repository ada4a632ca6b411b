//! Distribution distances between a baseline feature and the current window.
//!
//! Both sides are summarised the same way: numeric features by their KLL sketch (the baseline's
//! comes from `statistics.json`, so an AWS-written baseline works as it is), categorical features
//! by value counts. Every measure is computed for every feature on every run.

use driftmon_baseline::kll::{quantile_of_sorted, KllSketch};

use crate::stats;

/// The numeric summary of one side.
#[derive(Debug, Clone)]
pub struct NumericSide<'a> {
    /// The sketch of the non-null numeric values.
    pub sketch: &'a KllSketch,
    /// Rows of the dataset (for the missing share).
    pub rows: u64,
    /// Null or absent values.
    pub missing: u64,
}

/// Numeric drift measures.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericMeasures {
    /// KS statistic D = sup |F_b − F_c| over the sketches' items (= SageMaker's L∞ Simple).
    pub ks_statistic: f64,
    /// Two-sided KS p-value with n = baseline values, m = current values.
    pub ks_p_value: f64,
    /// Bound on |D̂ − D| from the two sketches' rank errors.
    pub ks_error_bound: f64,
    /// SageMaker's L∞ Robust: max(0, D − 1.8·√((n+m)/(n·m))).
    pub linf_robust: f64,
    /// PSI over baseline-quantile bins plus a missing bin.
    pub psi: f64,
    /// Chi-square test of homogeneity on the same bins (PSI's significance).
    pub psi_chi2_p_value: f64,
    /// Baseline and current counts per PSI bin (last bin: missing), for reports.
    pub bins: Bins,
    /// Values on each side.
    pub n: u64,
    /// Values on the current side.
    pub m: u64,
}

/// Bin edges and counts for PSI and plots.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bins {
    /// Interior edges e₁ < … < e_k: bins (−∞, e₁), [e₁, e₂), …, [e_k, +∞).
    pub edges: Vec<f64>,
    /// Baseline counts per bin, then the missing count.
    pub baseline: Vec<f64>,
    /// Current counts per bin, then the missing count.
    pub current: Vec<f64>,
}

/// Deequ's default c(α) for the Robust correction (α ≈ 0.003).
pub const ROBUST_C_ALPHA: f64 = 1.8;

/// Interior edges at the baseline's quantiles 1/b, …, (b−1)/b, deduplicated (discrete features
/// have repeated quantiles and get fewer bins).
pub fn quantile_edges(sketch: &KllSketch, bins: usize) -> Vec<f64> {
    quantile_edges_sorted(&sketch.sorted_weighted(), sketch.count(), bins)
}

/// [`quantile_edges`] from a sketch's `sorted_weighted()` list and `count()` (one sort for all
/// the edges).
pub fn quantile_edges_sorted(sorted: &[(f64, u64)], count: u64, bins: usize) -> Vec<f64> {
    let mut edges: Vec<f64> = (1..bins.max(1))
        .filter_map(|i| quantile_of_sorted(sorted, count, i as f64 / bins as f64))
        .collect();
    edges.dedup();
    // Bins are [e_i, e_{i+1}); an edge equal to the minimum would make the first bin empty.
    edges
}

/// Counts of a sketch's weighted items in the bins defined by `edges`.
pub fn bin_counts(sketch: &KllSketch, edges: &[f64]) -> Vec<f64> {
    stats::bin_counts(edges, &sketch.sorted_weighted())
}

/// All numeric measures for one feature; `None` when either side has no numeric value.
pub fn numeric(
    base: &NumericSide<'_>,
    cur: &NumericSide<'_>,
    bins: usize,
    eps: f64,
) -> Option<NumericMeasures> {
    let n = base.sketch.count();
    let m = cur.sketch.count();
    if n == 0 || m == 0 {
        return None;
    }
    let bw = base.sketch.sorted_weighted();
    let cw = cur.sketch.sorted_weighted();
    let d = stats::ks_statistic_weighted(&bw, &cw);
    let p = stats::ks_pvalue(d, n, m);
    let linf_robust = stats::linf_robust(d, n as f64, m as f64, ROBUST_C_ALPHA);
    let edges = quantile_edges_sorted(&bw, n, bins);
    let mut b = stats::bin_counts(&edges, &bw);
    let mut c = stats::bin_counts(&edges, &cw);
    b.push(base.missing as f64);
    c.push(cur.missing as f64);
    let psi = stats::psi(&b, &c, eps);
    let chi_p = stats::chi_square_homogeneity(&b, &c)
        .map(|x| x.p_value)
        .unwrap_or(1.0);
    Some(NumericMeasures {
        ks_statistic: d,
        ks_p_value: p,
        ks_error_bound: base.sketch.rank_error_bound() + cur.sketch.rank_error_bound(),
        linf_robust,
        psi,
        psi_chi2_p_value: chi_p,
        bins: Bins {
            edges,
            baseline: b,
            current: c,
        },
        n,
        m,
    })
}

/// Categorical drift measures.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoricalMeasures {
    /// L∞ distance between the two category frequency vectors (SageMaker's LInfinity, Simple).
    pub linf_simple: f64,
    /// The same with the Robust correction.
    pub linf_robust: f64,
    /// PSI over baseline categories + unseen + missing.
    pub psi: f64,
    /// Chi-square test of homogeneity (baseline vs current counts).
    pub chi2_statistic: f64,
    /// Its p-value.
    pub chi2_p_value: f64,
    /// Degrees of freedom.
    pub chi2_df: f64,
    /// Cramér's V = √(χ² / (N·(min(r, c) − 1))) for the 2 × k table: the effect size.
    pub cramers_v: f64,
    /// SageMaker's ChiSquared: goodness-of-fit p-value of the current counts against the
    /// baseline proportions (categories missing from the baseline ignored).
    pub gof_p_value: f64,
    /// Category labels (baseline categories, then `<unseen>`, then `<missing>`).
    pub labels: Vec<String>,
    /// Baseline counts per label.
    pub baseline: Vec<f64>,
    /// Current counts per label.
    pub current: Vec<f64>,
    /// Current values not seen in the baseline.
    pub unseen: f64,
}

/// Label of the bin of categories absent from the baseline.
pub const UNSEEN: &str = "<unseen>";
/// Label of the bin of missing values.
pub const MISSING: &str = "<missing>";

/// All categorical measures for one feature; `None` when either side has no value at all.
pub fn categorical(
    base: &[(String, u64)],
    base_missing: u64,
    cur: &dyn Fn(&str) -> u64,
    cur_total_present: u64,
    cur_missing: u64,
    eps: f64,
) -> Option<CategoricalMeasures> {
    let n: u64 = base.iter().map(|x| x.1).sum();
    if n == 0 || cur_total_present == 0 {
        return None;
    }
    let mut labels = Vec::with_capacity(base.len() + 2);
    let mut b = Vec::with_capacity(base.len() + 2);
    let mut c = Vec::with_capacity(base.len() + 2);
    let mut seen = 0u64;
    for (v, k) in base {
        labels.push(v.clone());
        b.push(*k as f64);
        let x = cur(v);
        seen += x;
        c.push(x as f64);
    }
    let unseen = cur_total_present.saturating_sub(seen) as f64;
    let m = cur_total_present as f64;
    // L∞ over the present values' frequencies (unseen values count on the current side only).
    let mut linf: f64 = unseen / m;
    for i in 0..base.len() {
        linf = linf.max((b[i] / n as f64 - c[i] / m).abs());
    }
    let linf_robust = stats::linf_robust(linf, n as f64, m, ROBUST_C_ALPHA);
    let props: Vec<f64> = b.iter().map(|x| x / n as f64).collect();
    let gof_p = stats::chi_square_goodness_of_fit(&c, &props)
        .map(|x| x.p_value)
        .unwrap_or(f64::NAN);
    labels.push(UNSEEN.into());
    b.push(0.0);
    c.push(unseen);
    labels.push(MISSING.into());
    b.push(base_missing as f64);
    c.push(cur_missing as f64);
    let psi = stats::psi(&b, &c, eps);
    let (chi2, df, p, cramers_v) = match stats::chi_square_homogeneity(&b, &c) {
        Some(x) => (x.statistic, x.df as f64, x.p_value, x.cramers_v()),
        // Fewer than two non-empty categories: nothing can differ.
        None => (0.0, 0.0, 1.0, 0.0),
    };
    Some(CategoricalMeasures {
        linf_simple: linf,
        linf_robust,
        psi,
        chi2_statistic: chi2,
        chi2_p_value: p,
        chi2_df: df,
        cramers_v,
        gof_p_value: gof_p,
        labels,
        baseline: b,
        current: c,
        unseen,
    })
}
