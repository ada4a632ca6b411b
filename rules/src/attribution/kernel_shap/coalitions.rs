//! Coalition enumeration and sampling: the masks and kernel weights of one record (step 3).

use std::collections::HashMap;

use super::super::ndcg::numpy_sum;
use super::super::rng::Xoshiro256;

/// The coalitions of one record: masks over its varying features, with kernel weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Coalitions {
    /// Number of varying features `M`.
    pub m: usize,
    /// `masks[s * m + j]`: coalition `s` contains varying feature `j`.
    pub masks: Vec<bool>,
    /// Kernel weight per coalition.
    pub weights: Vec<f64>,
    /// The requested sample count after the caps (`n` of step 3).
    pub nsamples: usize,
    /// Whether every coalition was enumerated (exact Shapley values).
    pub complete: bool,
}

impl Coalitions {
    /// Number of coalitions.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    pub(super) fn mask(&self, s: usize) -> &[bool] {
        &self.masks[s * self.m..(s + 1) * self.m]
    }
}

/// `scipy.special.binom(n, k)` for small integers, as a float.
fn binom(n: usize, k: usize) -> f64 {
    let mut r = 1.0f64;
    for i in 0..k {
        r = r * (n - i) as f64 / (i + 1) as f64;
    }
    r.round()
}

/// shap's coalition plan for `m ≥ 2` varying features (`Kernel.explain`, step 3).
pub fn coalitions(m: usize, num_samples: Option<usize>, rng: &mut Xoshiro256) -> Coalitions {
    let mut nsamples = num_samples.unwrap_or(2 * m + 2048);
    let max_samples: usize = if m <= 30 { (1usize << m) - 2 } else { 1 << 30 };
    if nsamples > max_samples {
        nsamples = max_samples;
    }
    let num_subset_sizes = m.saturating_sub(1).div_ceil(2); // ceil((M - 1) / 2)
    let num_paired = (m.saturating_sub(1)) / 2;
    let mut weight_vector: Vec<f64> = (1..=num_subset_sizes)
        .map(|i| (m as f64 - 1.0) / (i as f64 * (m - i) as f64))
        .collect();
    for w in weight_vector.iter_mut().take(num_paired) {
        *w *= 2.0;
    }
    let total = numpy_sum(&weight_vector);
    for w in weight_vector.iter_mut() {
        *w /= total;
    }

    let mut masks: Vec<bool> = Vec::new();
    let mut weights: Vec<f64> = Vec::new();
    let mut num_full_subsets = 0usize;
    let mut num_samples_left = nsamples as f64;
    let mut remaining = weight_vector.clone();
    for subset_size in 1..=num_subset_sizes {
        let mut nsubsets = binom(m, subset_size);
        let paired = subset_size <= num_paired;
        if paired {
            nsubsets *= 2.0;
        }
        if num_samples_left * remaining[subset_size - 1] / nsubsets >= 1.0 - 1e-8 {
            num_full_subsets += 1;
            num_samples_left -= nsubsets;
            let r = remaining[subset_size - 1];
            if r < 1.0 {
                for v in remaining.iter_mut() {
                    *v /= 1.0 - r;
                }
            }
            let mut w = weight_vector[subset_size - 1] / binom(m, subset_size);
            if paired {
                w /= 2.0;
            }
            for_each_combination(m, subset_size, |inds| {
                let mut mask = vec![false; m];
                for &i in inds {
                    mask[i] = true;
                }
                masks.extend_from_slice(&mask);
                weights.push(w);
                if paired {
                    masks.extend(mask.iter().map(|b| !b));
                    weights.push(w);
                }
            });
        } else {
            break;
        }
    }
    let nfixed = weights.len();
    let mut samples_left = nsamples.saturating_sub(nfixed);
    if num_full_subsets != num_subset_sizes {
        let mut rw = weight_vector.clone();
        for v in rw.iter_mut().take(num_paired) {
            *v /= 2.0;
        }
        let rw = &rw[num_full_subsets..];
        let s = numpy_sum(rw);
        let p: Vec<f64> = rw.iter().map(|v| v / s).collect();
        // np.random.choice: cdf = cumsum(p) / cdf[-1]; index = searchsorted(cdf, u, "right").
        let mut cdf = Vec::with_capacity(p.len());
        let mut acc = 0.0;
        for v in &p {
            acc += v;
            cdf.push(acc);
        }
        let last = *cdf.last().unwrap_or(&1.0);
        for v in cdf.iter_mut() {
            *v /= last;
        }
        let draws = 4 * samples_left;
        let ind_set: Vec<usize> = (0..draws)
            .map(|_| {
                let u = rng.next_f64();
                cdf.partition_point(|&c| c <= u).min(p.len() - 1)
            })
            .collect();
        let mut used: HashMap<Vec<bool>, usize> = HashMap::new();
        let mut perm: Vec<usize> = (0..m).collect();
        let mut pos = 0;
        while samples_left > 0 && pos < ind_set.len() {
            let subset_size = ind_set[pos] + num_full_subsets + 1;
            pos += 1;
            // a uniform random subset of that size (the head of a random permutation)
            for i in 0..subset_size {
                let j = i + rng.below((m - i) as u64) as usize;
                perm.swap(i, j);
            }
            let mut mask = vec![false; m];
            for &i in &perm[..subset_size] {
                mask[i] = true;
            }
            let at = weights.len();
            let new_sample = match used.get(&mask) {
                Some(&idx) => {
                    weights[idx] += 1.0;
                    None
                }
                None => {
                    used.insert(mask.clone(), at);
                    samples_left -= 1;
                    masks.extend_from_slice(&mask);
                    weights.push(1.0);
                    Some(at)
                }
            };
            if samples_left > 0 && subset_size <= num_paired {
                match new_sample {
                    Some(_) => {
                        samples_left -= 1;
                        masks.extend(mask.iter().map(|b| !b));
                        weights.push(1.0);
                    }
                    None => {
                        // shap: the complement is the sample right after the original.
                        let idx = used[&mask] + 1;
                        if idx < weights.len() {
                            weights[idx] += 1.0;
                        }
                    }
                }
            }
        }
        let weight_left = numpy_sum(&weight_vector[num_full_subsets..]);
        let sampled = numpy_sum(&weights[nfixed..]);
        if sampled > 0.0 {
            let scale = weight_left / sampled;
            for w in weights[nfixed..].iter_mut() {
                *w *= scale;
            }
        }
    }
    Coalitions {
        m,
        masks,
        weights,
        nsamples,
        complete: num_full_subsets == num_subset_sizes,
    }
}

/// Calls `f` with every `k`-subset of `0..n`, in `itertools.combinations` order.
pub(super) fn for_each_combination(n: usize, k: usize, mut f: impl FnMut(&[usize])) {
    if k > n {
        return;
    }
    let mut idx: Vec<usize> = (0..k).collect();
    loop {
        f(&idx);
        let mut i = k;
        loop {
            if i == 0 {
                return;
            }
            i -= 1;
            if idx[i] != i + n - k {
                break;
            }
            if i == 0 {
                return;
            }
        }
        idx[i] += 1;
        for j in i + 1..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
}
