//! nDCG of the current global SHAP ranking against the baseline's, as Clarify computes it
//! (`clarify-monitors.md` §5.5): `sklearn.metrics.ndcg_score([a], [c])` with `k=None` and
//! `ignore_ties=False`, where the baseline values `a` are the relevance and the current values
//! `c` the ranking score; no top-k; ties in `c` averaged as sklearn's `_tie_averaged_dcg`.
//!
//! The floating-point operations follow numpy's order, so the result is sklearn's to the last
//! digit (the golden tests check the three values of §5.5 bit for bit):
//!
//! * discount `dᵢ = 1 / (ln(i + 2) / ln 2)` (numpy writes `1 / (np.log(i + 2) / np.log(2))`);
//!   its running sum in order (`np.cumsum`);
//! * DCG: per tie group of `c` (in descending `c`), the mean of its `a` (summed in index order,
//!   `np.add.at`, then one division) times the discounts it occupies (a difference of the
//!   cumulative sums); the products summed with numpy's pairwise summation;
//! * iDCG: `discount · a_sorted` through BLAS `ddot`, which OpenBLAS computes for fewer than 16
//!   features as a sequential fused multiply-add (reproduced here with `mul_add`). For 16 or more
//!   features OpenBLAS switches to a CPU-specific SIMD kernel; driftmon keeps the sequential FMA
//!   there, which differs from numpy by a few ulp at most (1e-15 relative).

/// `sklearn.metrics.ndcg_score([baseline], [current])`: `DCG / iDCG`, `0.0` when `iDCG == 0`
/// (all baseline values zero; sklearn's rule). Empty input gives `0.0` as well.
pub fn ndcg(baseline: &[f64], current: &[f64]) -> f64 {
    let m = baseline.len().min(current.len());
    let (a, c) = (&baseline[..m], &current[..m]);
    if m == 0 {
        return 0.0;
    }
    let discount = discounts(m);
    let mut cumsum = Vec::with_capacity(m);
    let mut acc = 0.0;
    for &d in &discount {
        acc += d;
        cumsum.push(acc);
    }
    let gain = tie_averaged_dcg(a, c, &cumsum);
    let norm = ideal_dcg(a, &discount);
    if norm == 0.0 {
        0.0
    } else {
        gain / norm
    }
}

/// The discount `1 / log2(i + 2)` of rank `i` (0-based), computed as numpy does.
fn discounts(m: usize) -> Vec<f64> {
    let ln2 = 2f64.ln();
    (0..m)
        .map(|i| 1.0 / (((i + 2) as f64).ln() / ln2))
        .collect()
}

/// sklearn's `_tie_averaged_dcg(y_true, y_score, discount_cumsum)`.
fn tie_averaged_dcg(a: &[f64], c: &[f64], cumsum: &[f64]) -> f64 {
    // np.unique(-c): the distinct scores in descending order; `inv` maps each feature to its group.
    let mut order: Vec<usize> = (0..c.len()).collect();
    order.sort_by(|&i, &j| neg_key(c[i]).total_cmp(&neg_key(c[j])));
    let mut group_of = vec![0usize; c.len()];
    let mut counts: Vec<usize> = Vec::new();
    let mut last: Option<f64> = None;
    for &i in &order {
        let key = neg_key(c[i]);
        if last.map(|l| l != key).unwrap_or(true) {
            counts.push(0);
            last = Some(key);
        }
        let g = counts.len() - 1;
        counts[g] += 1;
        group_of[i] = g;
    }
    // np.add.at(ranked, inv, y_true): accumulation in feature (index) order.
    let mut ranked = vec![0.0f64; counts.len()];
    for (i, &g) in group_of.iter().enumerate() {
        ranked[g] += a[i];
    }
    for (r, &n) in ranked.iter_mut().zip(&counts) {
        *r /= n as f64;
    }
    // discount_sums[0] = cumsum[groups[0]]; discount_sums[1:] = diff(cumsum[groups]).
    let mut products = Vec::with_capacity(counts.len());
    let mut end = 0usize;
    let mut prev: Option<f64> = None;
    for (g, &n) in counts.iter().enumerate() {
        end += n;
        let at = cumsum[end - 1];
        let ds = match prev {
            None => at,
            Some(p) => at - p,
        };
        prev = Some(at);
        products.push(ranked[g] * ds);
    }
    numpy_sum(&products)
}

/// The key numpy sorts `-c` by; `-0.0` and `0.0` are one value for `np.unique`.
fn neg_key(x: f64) -> f64 {
    let k = -x;
    if k == 0.0 {
        0.0
    } else {
        k
    }
}

/// The ideal DCG: the baseline values in descending order against the discounts, accumulated as
/// OpenBLAS's `ddot` does for short vectors (sequential fused multiply-add).
fn ideal_dcg(a: &[f64], discount: &[f64]) -> f64 {
    let mut sorted = a.to_vec();
    sorted.sort_by(|x, y| y.total_cmp(x));
    let mut dot = 0.0f64;
    for (d, v) in discount.iter().zip(&sorted) {
        dot = d.mul_add(*v, dot);
    }
    dot
}

/// `np.sum` of a contiguous float64 array: `0.0 +` numpy's pairwise summation (blocks of 8
/// accumulators up to 128 elements, halves above).
pub(crate) fn numpy_sum(x: &[f64]) -> f64 {
    0.0 + pairwise(x)
}

fn pairwise(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = -0.0;
        for &v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise(&a[..n2]) + pairwise(&a[n2..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_rankings_score_one_up_to_sklearn_rounding() {
        // sklearn gives 0.9999999999999999 here too: DCG is a pairwise sum, iDCG a dot product.
        let a = [0.3, 0.1, 0.2];
        assert_eq!(ndcg(&a, &a), 0.9999999999999999);
        let b = [0.5, 0.25];
        assert_eq!(ndcg(&b, &b), 1.0);
    }

    #[test]
    fn all_zero_baseline_scores_zero() {
        assert_eq!(ndcg(&[0.0, 0.0], &[0.5, 0.1]), 0.0);
        assert_eq!(ndcg(&[], &[]), 0.0);
    }

    #[test]
    fn all_tied_current_averages_the_baseline() {
        // One tie group: mean(a) * (d0 + d1 + d2).
        let a = [0.7, 0.5, 0.05];
        let d = discounts(3);
        let expect_gain = ((0.7 + 0.5 + 0.05) / 3.0) * ((d[0] + d[1]) + d[2]);
        let ideal = d[2].mul_add(0.05, d[1].mul_add(0.5, d[0].mul_add(0.7, 0.0)));
        assert_eq!(ndcg(&a, &[1.0, 1.0, 1.0]), expect_gain / ideal);
    }

    #[test]
    fn pairwise_sum_matches_sequential_for_short_input() {
        assert_eq!(numpy_sum(&[0.1, 0.2, 0.3]), 0.1 + 0.2 + 0.3);
        let long: Vec<f64> = (0..300).map(|i| i as f64 * 0.1).collect();
        assert!((numpy_sum(&long) - 4485.0).abs() < 1e-9);
    }
}
