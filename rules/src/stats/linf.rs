//! SageMaker's L∞ distances for `baseline_drift_check`: `Simple` (D, or the largest difference
//! of category proportions) and `Robust` (less `c(α)·√((n+m)/(n·m))`).

use super::chi_square::counts_valid;
use super::*;

/// SageMaker/Deequ `Simple` L∞ distance between two numeric distributions given as sorted
/// weighted items (KLL sketch items): the KS statistic, see [`ks_statistic_weighted`].
pub fn linf_simple(a: &[(f64, u64)], b: &[(f64, u64)]) -> f64 {
    ks_statistic_weighted(a, b)
}

/// `c(α) = sqrt(−ln(α/2) / 2)`, the asymptotic two-sample KS critical coefficient used by
/// Deequ when an α is configured (c(0.05) ≈ 1.358; the default 1.8 ≈ c(0.0031)).
pub fn c_alpha(alpha: f64) -> f64 {
    (-(alpha / 2.0).ln() / 2.0).sqrt()
}

/// SageMaker/Deequ `Robust` L∞ distance: `max(0, d − c_alpha · sqrt((n + m)/(n·m)))`, i.e. the
/// distance minus the KS critical value, so small samples do not produce drift by noise.
/// Use [`DEFAULT_C_ALPHA`] (1.8). NaN if `n` or `m` is not positive or `d` is NaN.
pub fn linf_robust(d: f64, n: f64, m: f64, c_alpha: f64) -> f64 {
    if d.is_nan() || n.is_nan() || m.is_nan() || n <= 0.0 || m <= 0.0 {
        return f64::NAN;
    }
    (d - c_alpha * ((n + m) / (n * m)).sqrt()).max(0.0)
}

/// Categorical L∞ distance `max_v |p1(v) − p2(v)|` (Deequ's `LInfinityMethod`): the slices
/// are counts (or proportions) aligned over the union of categories, each normalised by its
/// own sum. NaN on mismatched lengths, invalid counts or a zero total.
pub fn linf_categorical(p1: &[f64], p2: &[f64]) -> f64 {
    if p1.len() != p2.len() || !counts_valid(p1) || !counts_valid(p2) {
        return f64::NAN;
    }
    let n: f64 = p1.iter().sum();
    let m: f64 = p2.iter().sum();
    if n <= 0.0 || m <= 0.0 {
        return f64::NAN;
    }
    p1.iter()
        .zip(p2)
        .map(|(a, b)| (a / n - b / m).abs())
        .fold(0.0, f64::max)
}
