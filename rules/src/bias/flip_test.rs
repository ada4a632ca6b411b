//! FT, the flip test (clarify-monitors.md §3.4): a k-nearest-neighbour classifier fit on the
//! *a* rows' features and predicted labels predicts each *d* row; FT = (F⁺ − F⁻) / n_d with
//! F⁺ = #(ŷ_d ∧ ¬ŷ'_d), F⁻ = #(¬ŷ_d ∧ ŷ'_d) (smclarify's sign, not the docs').
//!
//! k = 5 when n_a > 9, else 1; Euclidean distance on the raw features (no scaling); uniform
//! vote. Exact-distance ties are broken by row order here; scikit-learn's KD-tree may break
//! them differently, so FT equals smclarify's only where the k nearest are unambiguous.
//! Brute force, O(n_d · n_a · features): fine for the windows of the golden tests and a few
//! ten thousand rows; not for a million.

use super::metrics::{divide, Num, Outcome};

/// FT on a feature matrix (`features[j][i]` = feature j of row i, numeric), the facet index
/// and the predicted labels.
pub fn flip_test(features: &[Vec<f64>], d: &[bool], yhat: &[bool]) -> Outcome {
    let a_rows: Vec<usize> = (0..d.len()).filter(|&i| !d[i]).collect();
    let d_rows: Vec<usize> = (0..d.len()).filter(|&i| d[i]).collect();
    if d_rows.is_empty() {
        return Err("Facet set is empty".into());
    }
    if a_rows.is_empty() {
        return Err("Negated Facet set is empty".into());
    }
    let k = if a_rows.len() > 9 { 5 } else { 1 };
    let m = features.len();
    // Row-major copies for locality.
    let row = |i: usize| -> Vec<f64> { (0..m).map(|j| features[j][i]).collect() };
    let a_x: Vec<f64> = a_rows.iter().flat_map(|&i| row(i)).collect();
    let a_y: Vec<bool> = a_rows.iter().map(|&i| yhat[i]).collect();
    let (mut fpos, mut fneg) = (0i64, 0i64);
    let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
    for &i in &d_rows {
        let x = row(i);
        best.clear();
        for (r, ax) in a_x.chunks_exact(m.max(1)).enumerate().take(a_rows.len()) {
            let mut s = 0.0;
            for j in 0..m {
                let t = x[j] - ax[j];
                s += t * t;
            }
            if best.len() < k || s < best[best.len() - 1].0 {
                let pos = best.partition_point(|&(bs, _)| bs <= s);
                best.insert(pos, (s, r));
                best.truncate(k);
            }
        }
        let votes = best.iter().filter(|&&(_, r)| a_y[r]).count();
        // Uniform vote; with a tie numpy's argmax picks the first class (False).
        let pred = 2 * votes > best.len();
        match (yhat[i], pred) {
            (true, false) => fpos += 1,
            (false, true) => fneg += 1,
            _ => {}
        }
    }
    Ok(Num::Float(divide(
        (fpos - fneg) as f64,
        d_rows.len() as f64,
    )))
}
