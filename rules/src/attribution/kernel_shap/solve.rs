//! The link `g` and the constrained weighted least squares solve (shap's `Kernel.solve`).

use super::super::linalg::{lu_solve, min_norm_solve};
use super::Coalitions;

/// The link `g`.
pub(super) fn link(use_logit: bool, p: f64) -> f64 {
    if use_logit {
        let q = p.clamp(1e-15, 1.0 - 1e-15);
        (q / (1.0 - q)).ln()
    } else {
        p
    }
}

/// shap's `Kernel.solve` for output `d` (no L1 selection): the constrained weighted least
/// squares over the coalitions `c`, the last varying feature eliminated.
pub(super) fn solve(
    c: &Coalitions,
    ey: &[Vec<f64>],
    d: usize,
    fx: f64,
    fnull: f64,
    logit: bool,
) -> Vec<f64> {
    let m = c.m;
    let ns = c.len();
    let gnull = link(logit, fnull);
    let delta = link(logit, fx) - gnull;
    let k = m - 1; // unknowns
                   // y' = g(ey) - g(fnull) - z_M * Δ ; X = z_{1..M-1} - z_M
    let mut a = vec![0.0; k * k];
    let mut rhs = vec![0.0; k];
    let mut xrow = vec![0.0; k];
    for (s, eys) in ey.iter().enumerate().take(ns) {
        let mask = c.mask(s);
        let zl = mask[m - 1] as u8 as f64;
        let y = (link(logit, eys[d]) - gnull) - zl * delta;
        for (j, xj) in xrow.iter_mut().enumerate() {
            *xj = mask[j] as u8 as f64 - zl;
        }
        let w = c.weights[s];
        for i in 0..k {
            let wxi = w * xrow[i];
            if wxi == 0.0 {
                continue;
            }
            rhs[i] += wxi * y;
            for j in 0..k {
                a[i * k + j] += wxi * xrow[j];
            }
        }
    }
    let w = lu_solve(&a, &rhs, k).unwrap_or_else(|| min_norm_solve(&a, &rhs, k, ns));
    let mut phi = Vec::with_capacity(m);
    phi.extend_from_slice(&w);
    let mut sum = 0.0;
    for v in &w {
        sum += v; // Python's builtin sum: sequential
    }
    phi.push(delta - sum);
    for v in phi.iter_mut() {
        if v.abs() < 1e-10 {
            *v = 0.0;
        }
    }
    phi
}
