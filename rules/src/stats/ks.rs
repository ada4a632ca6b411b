//! The two-sample Kolmogorov–Smirnov test: D of sorted raw samples or of sorted (value, weight)
//! items such as a KLL sketch's, and its p-value as `scipy.stats.ks_2samp(method="auto")`
//! computes it (exact lattice-path recursion up to [`KS_EXACT_MAX_N`], `kstwo` beyond).

use super::*;

/// Two-sample KS statistic `D = sup |F_a − F_b|` of two **sorted** raw samples.
///
/// Both CDFs are right-continuous (`#{≤ x}/n`) and evaluated at every value of the union; ties
/// (within or across samples) are stepped over together, so the result is bit-for-bit SciPy's
/// `ks_2samp(a, b).statistic` in its asymptotic mode (the exact mode snaps D to `h/lcm(n,m)`,
/// a difference of at most a few ulps). `O(n + m)`.
///
/// Preconditions: ascending order and no NaN (checked in debug builds only). Returns NaN if
/// either sample is empty.
pub fn ks_statistic_sorted(a: &[f64], b: &[f64]) -> f64 {
    debug_assert!(
        a.windows(2).all(|w| w[0] <= w[1]),
        "a must be sorted, NaN-free"
    );
    debug_assert!(
        b.windows(2).all(|w| w[0] <= w[1]),
        "b must be sorted, NaN-free"
    );
    if a.is_empty() || b.is_empty() {
        return f64::NAN;
    }
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut d: f64 = 0.0;
    while i < a.len() && j < b.len() {
        let x = if a[i] <= b[j] { a[i] } else { b[j] };
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n - j as f64 / m).abs());
    }
    // Once one sample is exhausted its CDF is 1 and the other only grows towards 1, so the
    // remaining points cannot raise D.
    d
}

/// Two-sample KS statistic of two **sorted** weighted samples `(value, weight)`, e.g. the
/// sorted items of KLL sketches with their level weights (Deequ's `linfSimple`).
///
/// `F(x) = Σ{w : value ≤ x} / Σw` (inclusive rank, right-continuous), evaluated over the union
/// of the items; equal values (also repeated within one side) are merged. Equals SciPy's
/// `ks_2samp` on the expanded samples (each value repeated `weight` times). Zero weights are
/// allowed. Returns NaN if either total weight is 0.
pub fn ks_statistic_weighted(a: &[(f64, u64)], b: &[(f64, u64)]) -> f64 {
    debug_assert!(a.windows(2).all(|w| w[0].0 <= w[1].0), "a must be sorted");
    debug_assert!(b.windows(2).all(|w| w[0].0 <= w[1].0), "b must be sorted");
    let wa: u128 = a.iter().map(|p| p.1 as u128).sum();
    let wb: u128 = b.iter().map(|p| p.1 as u128).sum();
    if wa == 0 || wb == 0 {
        return f64::NAN;
    }
    let (n, m) = (wa as f64, wb as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut ca, mut cb) = (0u128, 0u128);
    let mut d: f64 = 0.0;
    while i < a.len() && j < b.len() {
        let x = if a[i].0 <= b[j].0 { a[i].0 } else { b[j].0 };
        while i < a.len() && a[i].0 <= x {
            ca += a[i].1 as u128;
            i += 1;
        }
        while j < b.len() && b[j].0 <= x {
            cb += b[j].1 as u128;
            j += 1;
        }
        d = d.max((ca as f64 / n - cb as f64 / m).abs());
    }
    d
}

/// Which null distribution [`ks_pvalue_with`] uses (SciPy's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KsMethod {
    /// Exact when `max(n, m) ≤ 10 000` ([`KS_EXACT_MAX_N`]), asymptotic otherwise.
    #[default]
    Auto,
    /// Exact; falls back to asymptotic when `lcm(n, m)` exceeds `i32::MAX` (as SciPy does).
    Exact,
    /// `kstwo.sf(D, round(n·m/(n+m)))`.
    Asymp,
}

pub(super) fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

/// `P(D_{n,n} ≥ h/n)` by the reflection sum, evaluated Horner-style to avoid cancellation
/// (SciPy's `_compute_prob_outside_square`). `O(n)`.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    // Signed: for the top k the factor n − k·h − j reaches 0 (then p1 stays ±0) before it
    // would turn negative, exactly as with Python integers.
    let (n, h) = (n as i64, h as i64);
    let mut p = 0.0;
    let mut k = n / h;
    loop {
        let mut p1 = 1.0;
        for j in 0..h {
            p1 = (n - k * h - j) as f64 * p1 / (n + k * h + j + 1) as f64;
        }
        p = p1 * (1.0 - p);
        if k == 0 {
            break;
        }
        k -= 1;
    }
    2.0 * p
}

/// Proportion of lattice paths from (0,0) to (m,n) that leave the band
/// `|x/m − y/n| < h/lcm`, computed directly as `1 − p` (Hodges' inside method with
/// Viehmann's stable recursion; SciPy's `_compute_outer_prob_inside_method`).
/// `O(max(n,m) · band width)`, memory `O(min(n,m))`.
fn outer_prob_inside_method(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (m, n, g, h) = (m as i64, n as i64, g as i64, h as i64);
    let mg = m / g;
    let ng = n / g;
    let ceil_div = |a: i64, b: i64| -> i64 { -((-a).div_euclid(b)) };
    let mut minj: i64 = 0;
    let mut maxj: i64 = ceil_div(h, mg).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    for v in a.iter_mut().take(maxj as usize) {
        *v = 0.0;
    }
    for i in 1..=m {
        let lastminj = minj;
        let lastlen = curlen;
        minj = ((ng * i - h).div_euclid(mg) + 1).max(0);
        minj = minj.min(n);
        maxj = ceil_div(ng * i + h, mg).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let fi = i as f64;
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        let off = (minj - lastminj) as usize;
        for jj in 0..(maxj - minj) as usize {
            let j = jj as f64 + minj as f64;
            val = (a[jj + off] * fi + val * j) / (fi + j);
            a[jj] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            // NumPy slice semantics: clipped at the end of the buffer.
            let start = ((maxj - minj) as usize).min(a.len());
            let end = (start + (lastlen - curlen) as usize).min(a.len());
            for v in a[start..end].iter_mut() {
                *v = 1.0;
            }
        }
    }
    a[(maxj - minj - 1) as usize]
}

/// Exact two-sided p-value `P(D_{n,m} ≥ d)` under H0 (continuous data), or `None` when it
/// cannot be computed reliably (`lcm(n,m) > i32::MAX`, as in SciPy, or a result outside
/// [0, 1] — as in SciPy this happens e.g. at `d = 1/n` for `n = m ∈ {5, 7, 13, …}`, where
/// rounding gives `1 + 2⁻⁵²`; [`ks_pvalue`] then falls back to the asymptotic value exactly as
/// SciPy does). `d` is first snapped to the lattice `h/lcm(n,m)`, `h = round(d·lcm)` (ties to
/// even, like NumPy), which absorbs rounding in the computed statistic.
///
/// Cost: `O(n)` for `n = m`; otherwise `O(max(n,m) · min(n+1, ~2·d·min(n,m) + 2))` time and
/// `O(min(n,m))` memory (≈ 10⁸ steps, a fraction of a second, in the worst case
/// `n ≈ m ≈ 10 000`, `d → 1`).
pub fn ks_pvalue_exact(d: f64, n: u64, m: u64) -> Option<f64> {
    if d.is_nan() || !(0.0..=1.0).contains(&d) || n == 0 || m == 0 {
        return None;
    }
    let g = gcd(n, m);
    let (ng, mg) = (n / g, m / g);
    if ng as f64 >= i32::MAX as f64 / mg as f64 {
        return None;
    }
    let lcm = ng * m;
    let h = (d * lcm as f64).round_ties_even() as u64;
    if h == 0 {
        return Some(1.0);
    }
    let p = if n == m {
        prob_outside_square(n, h)
    } else {
        outer_prob_inside_method(n, m, g, h)
    };
    if (0.0..=1.0).contains(&p) {
        Some(p)
    } else {
        None
    }
}

/// Asymptotic two-sided p-value, SciPy's `ks_2samp(method="asymp")`:
/// `kstwo.sf(d, round(en))` with `en = n·m/(n+m)` rounded half to even ([`kstwo_sf`]).
/// NaN for `n = 0`, `m = 0` or `d` outside [0, 1].
pub fn ks_pvalue_asymp(d: f64, n: u64, m: u64) -> f64 {
    if d.is_nan() || !(0.0..=1.0).contains(&d) || n == 0 || m == 0 {
        return f64::NAN;
    }
    let (big, small) = if n >= m {
        (n as f64, m as f64)
    } else {
        (m as f64, n as f64)
    };
    let en = big * small / (big + small);
    let en = en.round_ties_even().max(1.0) as u64;
    kstwo_sf(d, en).clamp(0.0, 1.0)
}

/// Two-sided KS p-value for statistic `d` with sample sizes (total weights) `n` and `m`,
/// matching `scipy.stats.ks_2samp(method="auto")`: exact for `max(n,m) ≤ 10 000`
/// ([`ks_pvalue_exact`]), asymptotic above ([`ks_pvalue_asymp`]).
///
/// With weighted or sketched samples pass the total weights; the p-value then treats them as
/// that many independent rows. NaN for `n = 0`, `m = 0` or `d` outside [0, 1].
pub fn ks_pvalue(d: f64, n: u64, m: u64) -> f64 {
    ks_pvalue_with(d, n, m, KsMethod::Auto)
}

/// [`ks_pvalue`] with an explicit [`KsMethod`].
pub fn ks_pvalue_with(d: f64, n: u64, m: u64, method: KsMethod) -> f64 {
    if d.is_nan() || !(0.0..=1.0).contains(&d) || n == 0 || m == 0 {
        return f64::NAN;
    }
    let exact = match method {
        KsMethod::Auto => n.max(m) <= KS_EXACT_MAX_N,
        KsMethod::Exact => true,
        KsMethod::Asymp => false,
    };
    if exact {
        let g = gcd(n, m);
        let (ng, mg) = (n / g, m / g);
        if ng as f64 >= i32::MAX as f64 / mg as f64 {
            // lcm too large for the lattice: SciPy switches to asymp with the raw statistic.
            return ks_pvalue_asymp(d, n, m);
        }
        if let Some(p) = ks_pvalue_exact(d, n, m) {
            return p;
        }
        // The exact attempt failed: SciPy continues with the statistic snapped to the lattice.
        let lcm = ng as f64 * m as f64;
        let snapped = (d * lcm).round_ties_even() / lcm;
        return ks_pvalue_asymp(snapped.clamp(0.0, 1.0), n, m);
    }
    ks_pvalue_asymp(d, n, m)
}
