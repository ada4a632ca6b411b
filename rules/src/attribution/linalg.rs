//! The small dense solve of Kernel SHAP's weighted least squares (`clarify-monitors.md` §5.2
//! step 8), as shap does it: `np.linalg.solve(XᵀWX, XᵀWy)` (LU with partial pivoting), and, when
//! that matrix is singular, the minimum-norm least-squares solution (`np.linalg.lstsq`, here
//! through the eigen-decomposition of `XᵀWX` with the same `rcond = ε·max(rows, cols)` cut).

/// Solves `a · x = b` for a square, row-major `n × n` matrix by Gaussian elimination with
/// partial pivoting (LAPACK `dgesv`). `None` when a pivot is exactly zero (LAPACK's `info > 0`).
pub fn lu_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut x = b.to_vec();
    for k in 0..n {
        let mut p = k;
        let mut best = m[k * n + k].abs();
        for i in k + 1..n {
            let v = m[i * n + k].abs();
            if v > best {
                best = v;
                p = i;
            }
        }
        if best == 0.0 || !best.is_finite() {
            return None;
        }
        if p != k {
            for j in 0..n {
                m.swap(k * n + j, p * n + j);
            }
            x.swap(k, p);
        }
        let pivot = m[k * n + k];
        for i in k + 1..n {
            let f = m[i * n + k] / pivot;
            if f != 0.0 {
                for j in k..n {
                    m[i * n + j] -= f * m[k * n + j];
                }
                x[i] -= f * x[k];
            }
        }
    }
    for k in (0..n).rev() {
        let mut s = x[k];
        for j in k + 1..n {
            s -= m[k * n + j] * x[j];
        }
        x[k] = s / m[k * n + k];
    }
    Some(x)
}

/// The minimum-norm solution of the normal equations `a · x = b` (`a = XᵀWX` symmetric
/// positive semi-definite): `x = V Λ⁺ Vᵀ b`, where eigenvalues up to `rcond² · λ_max` count as
/// zero (the singular values of `√W X` are `√λ`; `rows` is the number of rows of `X`).
pub fn min_norm_solve(a: &[f64], b: &[f64], n: usize, rows: usize) -> Vec<f64> {
    let (lambda, v) = jacobi_eigen(a, n);
    let lmax = lambda.iter().cloned().fold(0.0f64, f64::max);
    let rcond = f64::EPSILON * rows.max(n) as f64;
    let cut = rcond * rcond * lmax;
    let mut x = vec![0.0; n];
    for (k, &l) in lambda.iter().enumerate() {
        if l > cut && l > 0.0 {
            // coefficient (v_kᵀ b) / λ_k
            let mut dot = 0.0;
            for i in 0..n {
                dot += v[i * n + k] * b[i];
            }
            let c = dot / l;
            for i in 0..n {
                x[i] += c * v[i * n + k];
            }
        }
    }
    x
}

/// Cyclic Jacobi eigen-decomposition of a symmetric matrix: eigenvalues and the eigenvectors as
/// the columns of a row-major matrix.
fn jacobi_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let mut off = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                off += m[i * n + j] * m[i * n + j];
            }
        }
        if off == 0.0 || !off.is_finite() {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[q * n + q] - m[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let mkp = m[k * n + p];
                    let mkq = m[k * n + q];
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let mpk = m[p * n + k];
                    let mqk = m[q * n + k];
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| m[i * n + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_regular_system() {
        // [[2, 1], [1, 3]] x = [3, 5] → x = [0.8, 1.4]
        let x = lu_solve(&[2.0, 1.0, 1.0, 3.0], &[3.0, 5.0], 2).unwrap();
        assert!(
            (x[0] - 0.8).abs() < 1e-15 && (x[1] - 1.4).abs() < 1e-15,
            "{x:?}"
        );
        // needs a row swap
        let x = lu_solve(&[0.0, 1.0, 1.0, 0.0], &[2.0, 3.0], 2).unwrap();
        assert_eq!(x, vec![3.0, 2.0]);
    }

    #[test]
    fn singular_system_gets_the_minimum_norm_solution() {
        // [[1, 1], [1, 1]] x = [2, 2]: LU fails; the minimum-norm solution is [1, 1].
        let a = [1.0, 1.0, 1.0, 1.0];
        assert!(lu_solve(&a, &[2.0, 2.0], 2).is_none());
        let x = min_norm_solve(&a, &[2.0, 2.0], 2, 4);
        assert!(
            (x[0] - 1.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12,
            "{x:?}"
        );
    }

    #[test]
    fn eigen_solve_agrees_with_lu_on_a_regular_system() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0];
        let b = [1.0, 2.0, 3.0];
        let x = lu_solve(&a, &b, 3).unwrap();
        let y = min_norm_solve(&a, &b, 3, 3);
        for (p, q) in x.iter().zip(&y) {
            assert!((p - q).abs() < 1e-12, "{x:?} {y:?}");
        }
    }
}
