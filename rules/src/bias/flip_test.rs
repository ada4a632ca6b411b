//! FT, the flip test (clarify-monitors.md §3.4): a k-nearest-neighbour classifier fit on the
//! *a* rows' features and predicted labels predicts each *d* row; FT = (F⁺ − F⁻) / n_d with
//! F⁺ = #(ŷ_d ∧ ¬ŷ'_d), F⁻ = #(¬ŷ_d ∧ ŷ'_d) (smclarify's sign, not the docs').
//!
//! k = 5 when n_a > 9, else 1; Euclidean distance on the raw features (no scaling); uniform
//! vote. The neighbours are the k smallest (squared distance, row order) pairs, found with a
//! KD-tree (leaf size 30, as scikit-learn's default) and identical to a brute-force scan.
//! Exact-distance ties are therefore broken by row order; scikit-learn's tree may break them
//! differently, so FT equals smclarify's where the k nearest are unambiguous (as in the real
//! execution of §3.6, where duplicated rows are whole groups of equal points).

use super::metrics::{divide, Num, Outcome};

const LEAF: usize = 30;

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
    let a_x: Vec<f64> = a_rows
        .iter()
        .flat_map(|&i| features.iter().map(move |c| c[i]))
        .collect();
    let a_y: Vec<bool> = a_rows.iter().map(|&i| yhat[i]).collect();
    let tree = KdTree::new(&a_x, m);
    let (mut fpos, mut fneg) = (0i64, 0i64);
    let mut q = vec![0.0; m];
    let mut best = Vec::with_capacity(k + 1);
    for &i in &d_rows {
        for (j, c) in features.iter().enumerate() {
            q[j] = c[i];
        }
        tree.nearest(&q, k, &mut best);
        let votes = best.iter().filter(|&&(_, r)| a_y[r as usize]).count();
        // Uniform vote; on a tie numpy's argmax picks the first class (False).
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

enum Node {
    Leaf {
        start: usize,
        end: usize,
    },
    Split {
        dim: usize,
        value: f64,
        left: usize,
        right: usize,
    },
}

/// A KD-tree over row-major points, for exact k-nearest queries ordered by (squared distance,
/// row index).
struct KdTree<'a> {
    pts: &'a [f64],
    m: usize,
    order: Vec<u32>,
    nodes: Vec<Node>,
}

impl<'a> KdTree<'a> {
    fn new(pts: &'a [f64], m: usize) -> KdTree<'a> {
        let n = pts.len().checked_div(m).unwrap_or(0);
        let mut t = KdTree {
            pts,
            m,
            order: (0..n as u32).collect(),
            nodes: Vec::new(),
        };
        t.build(0, n);
        t
    }

    fn coord(&self, row: u32, j: usize) -> f64 {
        self.pts[row as usize * self.m + j]
    }

    fn build(&mut self, start: usize, end: usize) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node::Leaf { start, end });
        if end - start <= LEAF || self.m == 0 {
            return id;
        }
        // Split the widest dimension at its median.
        let (mut dim, mut spread) = (0, -1.0);
        for j in 0..self.m {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for &r in &self.order[start..end] {
                let x = self.coord(r, j);
                lo = lo.min(x);
                hi = hi.max(x);
            }
            if hi - lo > spread {
                (dim, spread) = (j, hi - lo);
            }
        }
        if spread <= 0.0 {
            return id; // all points equal: one leaf
        }
        let mid = (start + end) / 2;
        let pts = self.pts;
        let m = self.m;
        self.order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
            pts[a as usize * m + dim].total_cmp(&pts[b as usize * m + dim])
        });
        let value = self.coord(self.order[mid], dim);
        let left = self.build(start, mid);
        let right = self.build(mid, end);
        self.nodes[id] = Node::Split {
            dim,
            value,
            left,
            right,
        };
        id
    }

    /// The k nearest rows of q into `best`, sorted by (squared distance, row).
    fn nearest(&self, q: &[f64], k: usize, best: &mut Vec<(f64, u32)>) {
        best.clear();
        if !self.order.is_empty() {
            self.search(0, q, k, best);
        }
    }

    fn search(&self, node: usize, q: &[f64], k: usize, best: &mut Vec<(f64, u32)>) {
        match self.nodes[node] {
            Node::Leaf { start, end } => {
                for &r in &self.order[start..end] {
                    let p = &self.pts[r as usize * self.m..(r as usize + 1) * self.m];
                    let mut s = 0.0;
                    for j in 0..self.m {
                        let t = q[j] - p[j];
                        s += t * t;
                    }
                    let key = (s, r);
                    if best.len() < k || lt(key, best[best.len() - 1]) {
                        let pos = best.partition_point(|&b| lt(b, key));
                        best.insert(pos, key);
                        best.truncate(k);
                    }
                }
            }
            Node::Split {
                dim,
                value,
                left,
                right,
            } => {
                let diff = q[dim] - value;
                let (near, far) = if diff < 0.0 {
                    (left, right)
                } else {
                    (right, left)
                };
                self.search(near, q, k, best);
                // Every point of the far side is at least |diff| away along `dim`; visit it
                // while it could still hold a smaller (distance, row) key (ties included).
                if best.len() < k || diff * diff <= best[best.len() - 1].0 {
                    self.search(far, q, k, best);
                }
            }
        }
    }
}

fn lt(a: (f64, u32), b: (f64, u32)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bias::drift::Rng;

    fn brute(pts: &[f64], m: usize, q: &[f64], k: usize) -> Vec<(f64, u32)> {
        let mut all: Vec<(f64, u32)> = pts
            .chunks_exact(m)
            .enumerate()
            .map(|(r, p)| {
                let mut s = 0.0;
                for j in 0..m {
                    let t = q[j] - p[j];
                    s += t * t;
                }
                (s, r as u32)
            })
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all.truncate(k);
        all
    }

    #[test]
    fn tree_equals_brute_force_with_ties() {
        let mut rng = Rng::new(8);
        for (n, m) in [(1usize, 2usize), (25, 3), (500, 4), (2000, 13)] {
            // Small integer coordinates: many duplicate points and equal distances.
            let pts: Vec<f64> = (0..n * m).map(|_| rng.below(4) as f64).collect();
            let tree = KdTree::new(&pts, m);
            let mut best = Vec::new();
            for _ in 0..200 {
                let q: Vec<f64> = (0..m)
                    .map(|_| rng.below(5) as f64 - 0.5 * rng.below(2) as f64)
                    .collect();
                for k in [1, 5] {
                    tree.nearest(&q, k, &mut best);
                    assert_eq!(best, brute(&pts, m, &q, k), "n={n} m={m} k={k}");
                }
            }
        }
    }
}
