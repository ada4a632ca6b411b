//! Chi-square tests on categorical counts: homogeneity of the 2×k baseline/current table (with
//! Cramér's V) and Spark's goodness of fit against baseline proportions, plus Deequ's regrouping
//! of small expected cells as SageMaker's `ChiSquared` method applies it.

use super::*;

/// Result of a chi-square test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    /// Pearson's statistic `Σ (O − E)² / E`.
    pub statistic: f64,
    /// Degrees of freedom (number of categories used − 1).
    pub df: u64,
    /// Upper-tail p-value `P(χ²_df ≥ statistic)`.
    pub p_value: f64,
    /// Total count the statistic was computed on (both rows for homogeneity, the observed
    /// total over the kept categories for goodness of fit).
    pub n: f64,
}

impl ChiSquare {
    /// Effect size `sqrt(χ² / n)`: Cramér's V for a 2×k homogeneity table (where
    /// `min(rows, cols) − 1 = 1`), in [0, 1]; for a goodness-of-fit result it is Cohen's w.
    pub fn cramers_v(&self) -> f64 {
        if self.n > 0.0 {
            (self.statistic / self.n).sqrt()
        } else {
            f64::NAN
        }
    }
}

pub(super) fn counts_valid(c: &[f64]) -> bool {
    c.iter().all(|x| x.is_finite() && *x >= 0.0)
}

/// Chi-square test of homogeneity for the 2×k table of baseline vs current category counts
/// (`scipy.stats.chi2_contingency(table, correction=False)`).
///
/// Categories with zero in both rows are dropped first. `E_ij = R_i C_j / N`, `df = k − 1`.
/// Returns `None` when the lengths differ, a count is negative or non-finite, a row total is 0,
/// or fewer than 2 categories remain.
pub fn chi_square_homogeneity(baseline: &[f64], current: &[f64]) -> Option<ChiSquare> {
    if baseline.len() != current.len() || !counts_valid(baseline) || !counts_valid(current) {
        return None;
    }
    let cols: Vec<(f64, f64)> = baseline
        .iter()
        .zip(current)
        .filter(|(b, c)| **b + **c > 0.0)
        .map(|(b, c)| (*b, *c))
        .collect();
    if cols.len() < 2 {
        return None;
    }
    let r1: f64 = cols.iter().map(|c| c.0).sum();
    let r2: f64 = cols.iter().map(|c| c.1).sum();
    if r1 <= 0.0 || r2 <= 0.0 {
        return None;
    }
    let n = r1 + r2;
    let mut stat = 0.0;
    for &(b, c) in &cols {
        let col = b + c;
        let e1 = r1 * col / n;
        let e2 = r2 * col / n;
        stat += (b - e1) * (b - e1) / e1 + (c - e2) * (c - e2) / e2;
    }
    let df = (cols.len() - 1) as u64;
    Some(ChiSquare {
        statistic: stat,
        df,
        p_value: chi2_sf(stat, df as f64),
        n,
    })
}

/// Spark's `chiSqTest(observed, expected)` on already aligned vectors: expected rescaled to
/// the observed total unless the totals agree within 1e-7.
fn spark_chi_sq(observed: &[f64], expected: &[f64]) -> Option<ChiSquare> {
    let obs_sum: f64 = observed.iter().sum();
    let exp_sum: f64 = expected.iter().sum();
    let scale = if (obs_sum - exp_sum).abs() < 1e-7 {
        1.0
    } else {
        obs_sum / exp_sum
    };
    let df = (observed.len() - 1) as u64;
    let mut stat = 0.0;
    for (&o, &e) in observed.iter().zip(expected) {
        if e == 0.0 {
            if o == 0.0 {
                return None; // Spark: undefined
            }
            return Some(ChiSquare {
                statistic: f64::INFINITY,
                df,
                p_value: 0.0,
                n: obs_sum,
            });
        }
        let e = if scale == 1.0 { e } else { e * scale };
        stat += (o - e) * (o - e) / e;
    }
    Some(ChiSquare {
        statistic: stat,
        df,
        p_value: chi2_sf(stat, df as f64),
        n: obs_sum,
    })
}

/// Pearson goodness-of-fit of current counts against baseline proportions, with the
/// Deequ/Spark semantics behind SageMaker's `ChiSquared` (without regrouping, see
/// [`chi_square_goodness_of_fit_regrouped`]).
///
/// `observed[i]` and `expected_props[i]` describe the same category; `expected_props` may be
/// counts or proportions (it is normalised). Categories with `expected_props[i] == 0` — absent
/// from the baseline — are ignored, and the observed total is taken over the kept categories
/// only (current-only categories are dropped, as in Deequ). Expected counts are
/// `props_i / Σprops · Σobserved`, `df = kept − 1`
/// (`scipy.stats.chisquare(observed, expected)` on the kept categories).
/// Returns `None` on mismatched lengths, invalid counts, an observed total of 0 or fewer than 2
/// kept categories.
pub fn chi_square_goodness_of_fit(observed: &[f64], expected_props: &[f64]) -> Option<ChiSquare> {
    if observed.len() != expected_props.len()
        || !counts_valid(observed)
        || !counts_valid(expected_props)
    {
        return None;
    }
    let kept: Vec<(f64, f64)> = observed
        .iter()
        .zip(expected_props)
        .filter(|(_, p)| **p > 0.0)
        .map(|(o, p)| (*o, *p))
        .collect();
    if kept.len() < 2 {
        return None;
    }
    let obs_sum: f64 = kept.iter().map(|k| k.0).sum();
    let prop_sum: f64 = kept.iter().map(|k| k.1).sum();
    if obs_sum <= 0.0 {
        return None;
    }
    let obs: Vec<f64> = kept.iter().map(|k| k.0).collect();
    let exp: Vec<f64> = kept.iter().map(|k| k.1 / prop_sum * obs_sum).collect();
    spark_chi_sq(&obs, &exp)
}

/// Thresholds for Deequ's regrouping of small expected cells before a chi-square test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegroupThresholds {
    /// Tables with more than 2 cells: a cell is "small" below this expected count (Yates: 5).
    pub abs_yates: f64,
    /// Tables with more than 2 cells: at most this share of cells may be small (Yates: 0.2).
    pub perc_yates: f64,
    /// Tables with 2 cells: every expected count must reach this (Cochran: 10).
    pub abs_cochran: f64,
}

impl Default for RegroupThresholds {
    fn default() -> Self {
        RegroupThresholds {
            abs_yates: 5.0,
            perc_yates: 0.2,
            abs_cochran: 10.0,
        }
    }
}

/// Deequ's `regroupCategories`: while too many expected counts are small (2 cells: any below
/// `abs_cochran`; more: more than `⌊perc_yates · k⌋` below `abs_yates`), remove the cell with
/// the smallest expected count and add it (observed and expected) to the next smallest.
/// Ties go to the lowest index (Deequ's hash-map order is unspecified). Returns the regrouped
/// `(observed, expected)`; it stops at a single cell.
pub fn deequ_regroup(
    observed: &[f64],
    expected: &[f64],
    thresholds: &RegroupThresholds,
) -> (Vec<f64>, Vec<f64>) {
    let mut obs = observed.to_vec();
    let mut exp = expected.to_vec();
    let argmin = |v: &[f64]| -> usize {
        let mut best = 0;
        for (i, x) in v.iter().enumerate() {
            if *x < v[best] {
                best = i;
            }
        }
        best
    };
    while exp.len() >= 2 && obs.len() == exp.len() {
        let (thr, max_below) = if exp.len() > 2 {
            (
                thresholds.abs_yates,
                (thresholds.perc_yates * exp.len() as f64).floor() as usize,
            )
        } else {
            (thresholds.abs_cochran, 0)
        };
        let below = exp.iter().filter(|e| **e < thr).count();
        if below <= max_below {
            break;
        }
        let i = argmin(&exp);
        let (eo, ee) = (obs.remove(i), exp.remove(i));
        let j = argmin(&exp);
        exp[j] += ee;
        obs[j] += eo;
    }
    (obs, exp)
}

/// Deequ's `ChisquareMethod` as SageMaker's `ChiSquared` drift method most likely runs it:
/// current counts against baseline counts over the baseline's categories (categories with a
/// zero baseline count are ignored; pass `observed` aligned with `baseline_counts`), expected
/// = baseline share × observed total, small cells regrouped ([`deequ_regroup`]), then Spark's
/// Pearson test. `None` when fewer than 2 cells remain (Deequ returns NaN) or on invalid input.
///
/// Spark computes the p-value as `1 − CDF`, which is 0 below ~1e-16; this returns the exact
/// upper tail.
pub fn chi_square_goodness_of_fit_regrouped(
    observed: &[f64],
    baseline_counts: &[f64],
    thresholds: &RegroupThresholds,
) -> Option<ChiSquare> {
    if observed.len() != baseline_counts.len()
        || !counts_valid(observed)
        || !counts_valid(baseline_counts)
    {
        return None;
    }
    let kept: Vec<(f64, f64)> = observed
        .iter()
        .zip(baseline_counts)
        .filter(|(_, b)| **b > 0.0)
        .map(|(o, b)| (*o, *b))
        .collect();
    let obs_sum: f64 = kept.iter().map(|k| k.0).sum();
    let base_sum: f64 = kept.iter().map(|k| k.1).sum();
    if kept.len() < 2 || obs_sum <= 0.0 {
        return None;
    }
    let obs: Vec<f64> = kept.iter().map(|k| k.0).collect();
    let exp: Vec<f64> = kept.iter().map(|k| k.1 / base_sum * obs_sum).collect();
    let (ro, re) = deequ_regroup(&obs, &exp, thresholds);
    if ro.len() < 2 {
        return None;
    }
    spark_chi_sq(&ro, &re)
}
