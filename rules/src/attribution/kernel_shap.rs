//! Kernel SHAP as shap's `KernelExplainer` computes it (`clarify-monitors.md` §5.2–5.3; shap
//! `shap/explainers/_kernel.py`, `Kernel.explain` and `Kernel.solve`), with `l1_reg=False`.
//!
//! For each explained record `x`, against the background rows `b_1..b_N` (weights `1/N`):
//!
//! 1. `fnull = Σ_k f(b_k)/N`, `expected_value = g(fnull)`; `g` is the identity or, with
//!    `use_logit`, `ln(p/(1−p))` with `p` clamped to `[1e-15, 1 − 1e-15]` (§5.3).
//! 2. Only *varying* features take part: `x_j` differs from some `b_kj` by numpy's
//!    `allclose` (`|x − b| > 1e-8 + 1e-5·|b|`). No varying feature: φ = 0; one: it gets
//!    `g(f(x)) − g(fnull)`.
//! 3. `n = min(num_samples or 2M + 2048, 2^M − 2)` coalitions (`M` varying features, `2^30`
//!    cap above 30). Subset sizes are enumerated completely, smallest first, while the budget
//!    allows (shap's rule, tolerance `1e-8`); the remaining sizes are sampled with shap's
//!    size distribution, a complement drawn with every paired size, repeated masks adding to
//!    their weight, and the sampled weights rescaled to the weight left. When `n = 2^M − 2`
//!    every coalition is enumerated and the values are the exact Shapley values of
//!    `v(S) = Σ_k f(x_S, b_k,S̄)/N`.
//! 4. Weighted least squares with the efficiency constraint `Σφ = g(f(x)) − g(fnull)`, the
//!    last varying feature eliminated; `np.linalg.solve` of the normal equations, the
//!    minimum-norm least-squares solution if they are singular; `|φ| < 1e-10` set to 0 (shap's
//!    clean-up).
//!
//! Randomness: [`Xoshiro256`] seeded from `seed` (default [`DEFAULT_SEED`]), one stream per
//! record index, so a record's values do not depend on batching. shap draws from numpy's
//! global generator instead: the *distribution* of coalitions is shap's, the stream is not.
//!
//! Model traffic: all coalitions of all records are planned before the first call (pure, from
//! the seed), so the exact number of calls and rows is known up front ([`plan`]); a run whose
//! plan exceeds its [`Budget`] fails before any call. Records are grouped into calls of at most
//! [`RunOptions::max_rows_per_call`] rows (a record's rows are never split; a record larger
//! than the limit goes alone); the background rows ride in the first call. So a run makes
//! `⌈rows / limit⌉`-ish calls, where Clarify makes one request per record plus two (§5.1).
//!
//! `features_to_explain` (driftmon's reading, \[INFER\]: Clarify's semantics are undocumented):
//! features outside the list keep the record's own value in every synthetic row, so they are
//! neither attributed nor part of the coalition space; the efficiency constraint then uses
//! `g(Σ_k f(x_F̄, b_k,F)/N)` for that record, and `expected_value` stays `g(fnull)`.

use std::collections::HashMap;

use super::linalg::{lu_solve, min_norm_solve};
use super::model::{Budget, CallError, Counted, Model, Usage};
use super::ndcg::numpy_sum;
use super::rng::Xoshiro256;

/// The seed when the config has none (`methods.shap.seed` absent): driftmon stays reproducible.
pub const DEFAULT_SEED: u64 = 0;

/// Default [`RunOptions::max_rows_per_call`].
pub const DEFAULT_MAX_ROWS_PER_CALL: usize = 50_000;

/// `methods.shap.agg_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AggMethod {
    /// `mean_i |φ_ij|` (default).
    #[default]
    MeanAbs,
    /// Median of the signed `φ_ij`; for an even count the mean of the two middle values.
    Median,
    /// `mean_i φ_ij²`.
    MeanSq,
}

impl AggMethod {
    /// Clarify's spelling (`mean_abs`, `median`, `mean_sq`).
    pub fn as_str(self) -> &'static str {
        match self {
            AggMethod::MeanAbs => "mean_abs",
            AggMethod::Median => "median",
            AggMethod::MeanSq => "mean_sq",
        }
    }

    /// From Clarify's spelling.
    pub fn parse(s: &str) -> Option<AggMethod> {
        match s {
            "mean_abs" => Some(AggMethod::MeanAbs),
            "median" => Some(AggMethod::Median),
            "mean_sq" => Some(AggMethod::MeanSq),
            _ => None,
        }
    }
}

/// A feature named in `features_to_explain`: a 0-based index or a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureRef {
    /// By position among the features.
    Index(usize),
    /// By header.
    Name(String),
}

/// The SHAP settings of `analysis_config.json` (`methods.shap`, plus `headers` and
/// `predictor.label_headers`), already decoded: the config reader fills this.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShapSettings {
    /// `methods.shap.baseline`: background rows, features only (at least one).
    pub baseline: Vec<Vec<f64>>,
    /// `methods.shap.num_samples`; `None` = shap's `2M + 2048`. Capped at `2^M − 2`.
    pub num_samples: Option<usize>,
    /// `methods.shap.agg_method`.
    pub agg_method: AggMethod,
    /// `methods.shap.use_logit`.
    pub use_logit: bool,
    /// `methods.shap.seed`; `None` = [`DEFAULT_SEED`].
    pub seed: Option<u64>,
    /// `methods.shap.features_to_explain`; `None` = all.
    pub features_to_explain: Option<Vec<FeatureRef>>,
    /// `headers` (features only); `None` = `column_0, column_1, …`.
    pub headers: Option<Vec<String>>,
    /// `predictor.label_headers`; `None` = `label0, label1, …`.
    pub label_headers: Option<Vec<String>>,
}

/// How a run talks to the model (driftmon's, not in Clarify's config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Most rows per [`Model::predict`] call (records are never split across calls).
    pub max_rows_per_call: usize,
    /// Per-run limits.
    pub budget: Budget,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            max_rows_per_call: DEFAULT_MAX_ROWS_PER_CALL,
            budget: Budget::UNLIMITED,
        }
    }
}

/// Why Kernel SHAP could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShapError {
    /// `methods.shap.baseline` is empty.
    #[error("the SHAP baseline has no rows")]
    NoBaseline,
    /// `methods.shap.num_samples` is 0.
    #[error("num_samples must be at least 1")]
    NoSamples,
    /// Nothing to explain (an empty window fails, as in SageMaker).
    #[error("no records to explain")]
    NoRecords,
    /// A row of the wrong width.
    #[error("{what} has {got} features, expected {expected}")]
    Width {
        /// `baseline row 2`, `record 17`.
        what: String,
        /// Its width.
        got: usize,
        /// The baseline's width (or the headers').
        expected: usize,
    },
    /// `features_to_explain` names a feature that does not exist.
    #[error("features_to_explain: no feature {0}")]
    UnknownFeature(String),
    /// `label_headers` does not match the model's outputs.
    #[error("label_headers has {headers} names but the model returns {outputs} scores per row")]
    LabelCount {
        /// Names given.
        headers: usize,
        /// Scores per row.
        outputs: usize,
    },
    /// The model returned NaN or ±∞.
    #[error("the model returned a non-finite score ({value}) for output {output}")]
    NonFinite {
        /// The output column.
        output: usize,
        /// The score.
        value: f64,
    },
    /// The model failed, or the budget refused a call.
    #[error(transparent)]
    Call(#[from] CallError),
}

/// The SHAP values of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalShap {
    /// `phi[d][j]`: output `d`, explained feature `j` (in [`Explanation::features`] order).
    pub phi: Vec<Vec<f64>>,
    /// `f(x)` per output (raw model score, before the link).
    pub fx: Vec<f64>,
    /// Coalitions evaluated (0 when fewer than two features vary).
    pub coalitions: usize,
}

/// Kernel SHAP over a set of records.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The explained features' names, in header order.
    pub features: Vec<String>,
    /// Their 0-based positions among all features.
    pub feature_indices: Vec<usize>,
    /// The label names (`label_headers`, else `label0`, …), one per model output.
    pub labels: Vec<String>,
    /// `g(fnull)` per output.
    pub expected_value: Vec<f64>,
    /// One entry per record, in input order.
    pub local: Vec<LocalShap>,
    /// The model traffic of the run.
    pub usage: Usage,
}

/// The global SHAP values of one label.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelGlobal {
    /// The label name (key under `kernel_shap`).
    pub label: String,
    /// `(feature, value)` in header order.
    pub global_shap_values: Vec<(String, f64)>,
    /// `g(fnull)` (`None` when a baseline file read back has none).
    pub expected_value: Option<f64>,
}

impl Explanation {
    /// The global values per label, aggregated with `agg`.
    pub fn global(&self, agg: AggMethod) -> Vec<LabelGlobal> {
        self.labels
            .iter()
            .enumerate()
            .map(|(d, label)| LabelGlobal {
                label: label.clone(),
                global_shap_values: self
                    .features
                    .iter()
                    .enumerate()
                    .map(|(j, f)| {
                        let col: Vec<f64> = self.local.iter().map(|l| l.phi[d][j]).collect();
                        (f.clone(), aggregate(&col, agg))
                    })
                    .collect(),
                expected_value: Some(self.expected_value[d]),
            })
            .collect()
    }
}

/// One aggregate of a feature's local values: `np.mean` of a 1-D array (pairwise sum / n) and
/// `np.median`. `NaN` for no values. (Clarify's aggregation code is closed source; another
/// summation order would differ by a few ulp, far below the run-to-run spread of §5.1.)
pub fn aggregate(values: &[f64], agg: AggMethod) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let n = values.len() as f64;
    match agg {
        AggMethod::MeanAbs => {
            let a: Vec<f64> = values.iter().map(|v| v.abs()).collect();
            numpy_sum(&a) / n
        }
        AggMethod::MeanSq => {
            let a: Vec<f64> = values.iter().map(|v| v * v).collect();
            numpy_sum(&a) / n
        }
        AggMethod::Median => {
            let mut s = values.to_vec();
            s.sort_by(f64::total_cmp);
            let k = s.len();
            if k % 2 == 1 {
                s[k / 2]
            } else {
                numpy_sum(&[s[k / 2 - 1], s[k / 2]]) / 2.0
            }
        }
    }
}

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

    fn mask(&self, s: usize) -> &[bool] {
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
fn for_each_combination(n: usize, k: usize, mut f: impl FnMut(&[usize])) {
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

/// numpy's `allclose(x, b)` for one value (rtol 1e-5, atol 1e-8, NaN equal to NaN).
fn close(x: f64, b: f64) -> bool {
    if x.is_nan() || b.is_nan() {
        return x.is_nan() && b.is_nan();
    }
    if x.is_infinite() || b.is_infinite() {
        return x == b;
    }
    (x - b).abs() <= 1e-8 + 1e-5 * b.abs()
}

/// What one record needs: its varying features, coalitions, and whether it needs its own base
/// rows (features outside `features_to_explain`).
#[derive(Debug, Clone)]
struct RecordPlan {
    varying: Vec<usize>,
    coalitions: Option<Coalitions>,
    own_base: bool,
}

impl RecordPlan {
    /// Rows this record sends: `x`, then `N` rows per coalition, then `N` base rows if needed.
    fn rows(&self, n_background: usize) -> usize {
        1 + self.coalitions.as_ref().map_or(0, |c| c.len()) * n_background
            + if self.own_base { n_background } else { 0 }
    }
}

/// Validated inputs of a run.
struct Prepared<'a> {
    background: &'a [Vec<f64>],
    width: usize,
    explained: Vec<usize>,
    fixed: Vec<usize>,
    features: Vec<String>,
    plans: Vec<RecordPlan>,
    batches: Vec<std::ops::Range<usize>>,
}

fn prepare<'a>(
    records: &[Vec<f64>],
    settings: &'a ShapSettings,
    options: &RunOptions,
) -> Result<Prepared<'a>, ShapError> {
    let background = &settings.baseline[..];
    let width = background.first().ok_or(ShapError::NoBaseline)?.len();
    if settings.num_samples == Some(0) {
        return Err(ShapError::NoSamples);
    }
    for (k, b) in background.iter().enumerate() {
        if b.len() != width {
            return Err(ShapError::Width {
                what: format!("baseline row {k}"),
                got: b.len(),
                expected: width,
            });
        }
    }
    if records.is_empty() {
        return Err(ShapError::NoRecords);
    }
    for (i, r) in records.iter().enumerate() {
        if r.len() != width {
            return Err(ShapError::Width {
                what: format!("record {i}"),
                got: r.len(),
                expected: width,
            });
        }
    }
    let headers: Vec<String> = match &settings.headers {
        Some(h) if h.len() == width => h.clone(),
        Some(h) => {
            return Err(ShapError::Width {
                what: "headers".into(),
                got: h.len(),
                expected: width,
            })
        }
        None => (0..width).map(|i| format!("column_{i}")).collect(),
    };
    let explained: Vec<usize> = match &settings.features_to_explain {
        None => (0..width).collect(),
        Some(list) => {
            let mut v = Vec::with_capacity(list.len());
            for f in list {
                let i = match f {
                    FeatureRef::Index(i) if *i < width => *i,
                    FeatureRef::Index(i) => return Err(ShapError::UnknownFeature(i.to_string())),
                    FeatureRef::Name(n) => headers
                        .iter()
                        .position(|h| h == n)
                        .ok_or_else(|| ShapError::UnknownFeature(n.clone()))?,
                };
                if !v.contains(&i) {
                    v.push(i);
                }
            }
            v.sort_unstable();
            v
        }
    };
    let fixed: Vec<usize> = (0..width).filter(|j| !explained.contains(j)).collect();
    let seed = settings.seed.unwrap_or(DEFAULT_SEED);
    let plans: Vec<RecordPlan> = records
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let varying: Vec<usize> = explained
                .iter()
                .copied()
                .filter(|&j| background.iter().any(|b| !close(x[j], b[j])))
                .collect();
            let coalitions = (varying.len() >= 2).then(|| {
                let mut rng = Xoshiro256::for_record(seed, i as u64);
                coalitions(varying.len(), settings.num_samples, &mut rng)
            });
            // Features held at x change the base only where they differ from the background.
            let own_base = fixed
                .iter()
                .any(|&j| background.iter().any(|b| b[j].to_bits() != x[j].to_bits()));
            RecordPlan {
                varying,
                coalitions,
                own_base,
            }
        })
        .collect();
    // Group records into calls; the background rows ride in the first.
    let n = background.len();
    let limit = options.max_rows_per_call.max(1);
    let mut batches = Vec::new();
    let mut start = 0;
    let mut rows = n;
    for (i, p) in plans.iter().enumerate() {
        let r = p.rows(n);
        if i > start && rows + r > limit {
            batches.push(start..i);
            start = i;
            rows = 0;
        }
        rows += r;
    }
    batches.push(start..plans.len());
    let features = explained.iter().map(|&j| headers[j].clone()).collect();
    Ok(Prepared {
        background,
        width,
        explained,
        fixed,
        features,
        plans,
        batches,
    })
}

/// The model traffic a run will need, computed without calling the model (the same plan
/// [`explain`] follows).
pub fn plan(
    records: &[Vec<f64>],
    settings: &ShapSettings,
    options: &RunOptions,
) -> Result<Usage, ShapError> {
    Ok(prepare(records, settings, options)?.usage())
}

impl Prepared<'_> {
    /// The calls and rows of the plan.
    fn usage(&self) -> Usage {
        let n = self.background.len();
        let rows = n as u64 + self.plans.iter().map(|r| r.rows(n) as u64).sum::<u64>();
        Usage {
            calls: self.batches.len() as u64,
            rows,
        }
    }
}

/// The link `g`.
fn link(use_logit: bool, p: f64) -> f64 {
    if use_logit {
        let q = p.clamp(1e-15, 1.0 - 1e-15);
        (q / (1.0 - q)).ln()
    } else {
        p
    }
}

/// Kernel SHAP of every record (`records[i]` = one row of features, in header order).
///
/// Fails before any model call when the plan exceeds `options.budget`; fails on the first model
/// error (no partial result: global values over part of a window would be misleading).
pub fn explain<M: Model>(
    model: M,
    records: &[Vec<f64>],
    settings: &ShapSettings,
    options: &RunOptions,
) -> Result<Explanation, ShapError> {
    let p = prepare(records, settings, options)?;
    options.budget.check(p.usage()).map_err(CallError::from)?;
    let mut model = Counted::new(model, options.budget);
    let bg = p.background;
    let n_bg = bg.len();
    let bw = 1.0 / n_bg as f64;

    let mut fnull: Vec<f64> = Vec::new();
    let mut local: Vec<LocalShap> = Vec::with_capacity(records.len());
    let mut labels_checked = false;
    let mut labels: Vec<String> = Vec::new();

    let mut buf: Vec<f64> = Vec::new();
    for (b, range) in p.batches.iter().enumerate() {
        // Build every row of the batch into one flat buffer.
        buf.clear();
        if b == 0 {
            for row in bg {
                buf.extend_from_slice(row);
            }
        }
        for i in range.clone() {
            let x = &records[i];
            let plan = &p.plans[i];
            buf.extend_from_slice(x);
            if let Some(c) = &plan.coalitions {
                for s in 0..c.len() {
                    let mask = c.mask(s);
                    for row in bg {
                        let start = buf.len();
                        buf.extend_from_slice(row);
                        let r = &mut buf[start..];
                        for &j in &p.fixed {
                            r[j] = x[j];
                        }
                        for (v, &j) in plan.varying.iter().enumerate() {
                            if mask[v] {
                                r[j] = x[j];
                            }
                        }
                    }
                }
            }
            if plan.own_base {
                for row in bg {
                    let start = buf.len();
                    buf.extend_from_slice(row);
                    for &j in &p.fixed {
                        buf[start + j] = x[j];
                    }
                }
            }
        }
        let rows: Vec<&[f64]> = buf.chunks(p.width).collect();
        let out = model.call(&rows)?;
        for row in &out {
            for (d, &v) in row.iter().enumerate() {
                if !v.is_finite() {
                    return Err(ShapError::NonFinite {
                        output: d,
                        value: v,
                    });
                }
            }
        }
        let dims = out.first().map_or(0, Vec::len);
        if !labels_checked {
            labels = match &settings.label_headers {
                Some(h) if h.len() == dims => h.clone(),
                Some(h) => {
                    return Err(ShapError::LabelCount {
                        headers: h.len(),
                        outputs: dims,
                    })
                }
                None => (0..dims).map(|d| format!("label{d}")).collect(),
            };
            labels_checked = true;
        }
        let mut at = 0;
        if b == 0 {
            fnull = weighted_mean(&out[..n_bg], bw, dims);
            at = n_bg;
        }
        for i in range.clone() {
            let plan = &p.plans[i];
            let fx = out[at].clone();
            at += 1;
            let ncoal = plan.coalitions.as_ref().map_or(0, |c| c.len());
            let ey_rows = &out[at..at + ncoal * n_bg];
            at += ncoal * n_bg;
            let base = if plan.own_base {
                let m = weighted_mean(&out[at..at + n_bg], bw, dims);
                at += n_bg;
                m
            } else {
                fnull.clone()
            };
            let mut phi = vec![vec![0.0; p.explained.len()]; dims];
            let pos_of = |j: usize| p.explained.iter().position(|&e| e == j).unwrap_or(0);
            match (&plan.coalitions, plan.varying.len()) {
                (_, 0) => {}
                (None, _) => {
                    let j = pos_of(plan.varying[0]);
                    for d in 0..dims {
                        phi[d][j] =
                            link(settings.use_logit, fx[d]) - link(settings.use_logit, base[d]);
                    }
                }
                (Some(c), _) => {
                    let ey: Vec<Vec<f64>> = ey_rows
                        .chunks(n_bg)
                        .map(|chunk| weighted_mean(chunk, bw, dims))
                        .collect();
                    for d in 0..dims {
                        let v = solve(c, &ey, d, fx[d], base[d], settings.use_logit);
                        for (k, &j) in plan.varying.iter().enumerate() {
                            phi[d][pos_of(j)] = v[k];
                        }
                    }
                }
            }
            local.push(LocalShap {
                phi,
                fx,
                coalitions: ncoal,
            });
        }
    }
    let expected_value = fnull.iter().map(|&f| link(settings.use_logit, f)).collect();
    Ok(Explanation {
        features: p.features,
        feature_indices: p.explained,
        labels,
        expected_value,
        local,
        usage: model.usage(),
    })
}

/// `Σ_k w·f(row_k)` per output (shap's `np.sum(y * weights)` with `weights = 1/N`).
fn weighted_mean(rows: &[Vec<f64>], w: f64, dims: usize) -> Vec<f64> {
    (0..dims)
        .map(|d| {
            let v: Vec<f64> = rows.iter().map(|r| r[d] * w).collect();
            numpy_sum(&v)
        })
        .collect()
}

/// shap's `Kernel.solve` for output `d` (no L1 selection): the constrained weighted least
/// squares over the coalitions `c`, the last varying feature eliminated.
fn solve(c: &Coalitions, ey: &[Vec<f64>], d: usize, fx: f64, fnull: f64, logit: bool) -> Vec<f64> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::model::FnModel;

    fn settings(baseline: Vec<Vec<f64>>) -> ShapSettings {
        ShapSettings {
            baseline,
            ..Default::default()
        }
    }

    #[test]
    fn combinations_follow_itertools_order() {
        let mut all = Vec::new();
        for_each_combination(4, 2, |c| all.push(c.to_vec()));
        assert_eq!(
            all,
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        let mut n = 0;
        for_each_combination(5, 5, |_| n += 1);
        assert_eq!(n, 1);
    }

    #[test]
    fn full_enumeration_covers_every_proper_coalition_once() {
        let mut rng = Xoshiro256::seed_from(1);
        for m in 2..=9 {
            let c = coalitions(m, None, &mut rng);
            assert!(c.complete);
            assert_eq!(c.len(), (1 << m) - 2, "m = {m}");
            let mut seen = std::collections::HashSet::new();
            for s in 0..c.len() {
                assert!(seen.insert(c.mask(s).to_vec()));
            }
            let total: f64 = c.weights.iter().sum();
            assert!((total - 1.0).abs() < 1e-12, "{total}");
        }
    }

    #[test]
    fn sampling_respects_the_sample_count() {
        let mut rng = Xoshiro256::seed_from(3);
        let c = coalitions(10, Some(100), &mut rng);
        assert!(!c.complete);
        assert_eq!(c.nsamples, 100);
        assert!(c.len() <= 100 && c.len() >= 90, "{}", c.len());
        let total: f64 = c.weights.iter().sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
    }

    #[test]
    fn linear_model_is_exact_with_any_sample() {
        let w = [0.5, -2.0, 3.0, 0.25, 1.0, -1.5];
        let f = move |r: &[f64]| vec![w.iter().zip(r).map(|(a, b)| a * b).sum::<f64>() + 0.1];
        let b = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let x = vec![2.0, 0.0, 1.0, 8.0, 5.0, 7.0];
        for ns in [10, 30, 62] {
            let mut s = settings(vec![b.clone()]);
            s.num_samples = Some(ns);
            let e = explain(
                FnModel(f),
                std::slice::from_ref(&x),
                &s,
                &RunOptions::default(),
            )
            .unwrap();
            for j in 0..6 {
                let want = w[j] * (x[j] - b[j]);
                assert!((e.local[0].phi[0][j] - want).abs() < 1e-9, "ns {ns} j {j}");
            }
        }
    }

    /// The Shapley formula by brute force: `φ_j = Σ_S |S|!(M−|S|−1)!/M! (v(S∪j) − v(S))`.
    fn brute_force_shapley(f: &dyn Fn(&[f64]) -> f64, x: &[f64], bg: &[Vec<f64>]) -> Vec<f64> {
        let m = x.len();
        let v = |set: usize| -> f64 {
            bg.iter()
                .map(|b| {
                    let r: Vec<f64> = (0..m)
                        .map(|j| if set >> j & 1 == 1 { x[j] } else { b[j] })
                        .collect();
                    f(&r)
                })
                .sum::<f64>()
                / bg.len() as f64
        };
        let fact = |n: usize| (1..=n).map(|i| i as f64).product::<f64>();
        (0..m)
            .map(|j| {
                let mut phi = 0.0;
                for set in 0..(1usize << m) {
                    if set >> j & 1 == 1 {
                        continue;
                    }
                    let s = set.count_ones() as usize;
                    let w = fact(s) * fact(m - s - 1) / fact(m);
                    phi += w * (v(set | 1 << j) - v(set));
                }
                phi
            })
            .collect()
    }

    #[test]
    fn full_enumeration_gives_the_shapley_values() {
        let f = |r: &[f64]| (r[0] * r[1]).sin() + r[2] * r[3] * r[4] + (r[5] - r[0]).exp();
        let bg = vec![
            vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
            vec![1.0, -1.0, 0.5, 0.0, 2.0, -0.5],
            vec![0.3, 0.9, -0.2, 1.1, 0.0, 0.4],
        ];
        let x = vec![0.7, 1.3, -0.4, 2.0, 1.5, 0.2];
        let want = brute_force_shapley(&f, &x, &bg);
        let s = settings(bg.clone());
        let e = explain(
            FnModel(|r: &[f64]| vec![f(r)]),
            std::slice::from_ref(&x),
            &s,
            &RunOptions::default(),
        )
        .unwrap();
        assert_eq!(e.local[0].coalitions, 62);
        for j in 0..6 {
            assert!(
                (e.local[0].phi[0][j] - want[j]).abs() < 1e-12,
                "{j}: {:?} {want:?}",
                e.local[0].phi[0]
            );
        }
    }

    #[test]
    fn one_varying_feature_gets_the_whole_difference() {
        let f = |r: &[f64]| vec![r[0] * r[1]];
        let s = settings(vec![vec![1.0, 2.0]]);
        let e = explain(FnModel(f), &[vec![3.0, 2.0]], &s, &RunOptions::default()).unwrap();
        assert_eq!(e.local[0].phi[0], vec![4.0, 0.0]);
        assert_eq!(e.local[0].coalitions, 0);
        assert_eq!(e.expected_value, vec![2.0]);
    }

    #[test]
    fn budget_is_checked_before_any_call() {
        let mut calls = 0;
        let f = |r: &[f64]| {
            calls += 1;
            vec![r[0] + r[1] + r[2]]
        };
        let s = settings(vec![vec![0.0, 0.0, 0.0]]);
        let recs = vec![vec![1.0, 2.0, 3.0]; 4];
        let opts = RunOptions {
            max_rows_per_call: 8,
            budget: Budget {
                max_calls: Some(2),
                max_rows: None,
            },
        };
        let need = plan(&recs, &s, &opts).unwrap();
        // 1 background row + 4 records × (1 + 6 coalitions) rows, 7 rows a record, 8 per call
        assert_eq!(need, Usage { calls: 4, rows: 29 });
        let err = explain(FnModel(f), &recs, &s, &opts).unwrap_err();
        assert!(
            matches!(err, ShapError::Call(CallError::Budget(_))),
            "{err}"
        );
        assert_eq!(calls, 0);
    }

    #[test]
    fn results_do_not_depend_on_batching() {
        let f = |r: &[f64]| vec![(r[0] * r[1]).sin() + r[2] * r[3], r[0].tanh()];
        let mut s = settings(vec![vec![0.1, 0.2, 0.3, 0.4], vec![1.0, -1.0, 0.5, 0.0]]);
        s.num_samples = Some(8);
        s.seed = Some(9);
        let recs: Vec<Vec<f64>> = (0..5)
            .map(|i| vec![i as f64, 1.0 - i as f64, 0.5 * i as f64, 2.0])
            .collect();
        let one = explain(
            FnModel(f),
            &recs,
            &s,
            &RunOptions {
                max_rows_per_call: 1,
                ..Default::default()
            },
        )
        .unwrap();
        let all = explain(FnModel(f), &recs, &s, &RunOptions::default()).unwrap();
        assert_eq!(one.local, all.local);
        assert_eq!(one.usage.calls, 5);
        assert_eq!(all.usage.calls, 1);
        assert_eq!(one.labels, vec!["label0", "label1"]);
    }

    #[test]
    fn features_to_explain_holds_the_others_at_x() {
        let f = |r: &[f64]| vec![r[0] + 2.0 * r[1] + 3.0 * r[2]];
        let mut s = settings(vec![vec![0.0, 0.0, 0.0]]);
        s.headers = Some(vec!["a".into(), "b".into(), "c".into()]);
        s.features_to_explain = Some(vec![FeatureRef::Name("c".into()), FeatureRef::Index(0)]);
        let e = explain(
            FnModel(f),
            &[vec![1.0, 1.0, 1.0]],
            &s,
            &RunOptions::default(),
        )
        .unwrap();
        assert_eq!(e.features, vec!["a", "c"]);
        assert_eq!(e.local[0].phi[0], vec![1.0, 3.0]);
        assert_eq!(e.expected_value, vec![0.0]);
    }

    #[test]
    fn model_errors_end_the_run_with_endpoint_and_status() {
        use crate::attribution::model::ModelError;
        struct Down;
        impl Model for Down {
            fn predict(&mut self, _: &[&[f64]]) -> Result<Vec<Vec<f64>>, ModelError> {
                Err(ModelError::Http {
                    endpoint: "shadow-ep".into(),
                    status: 503,
                    message: "ServiceUnavailable".into(),
                })
            }
        }
        let s = settings(vec![vec![0.0, 0.0]]);
        let err = explain(Down, &[vec![1.0, 1.0]], &s, &RunOptions::default()).unwrap_err();
        match &err {
            ShapError::Call(CallError::Model(m)) => {
                assert_eq!(m.endpoint(), Some("shadow-ep"));
                assert_eq!(m.status(), Some(503));
                assert!(m.is_retryable());
            }
            e => panic!("{e:?}"),
        }
        assert_eq!(
            err.to_string(),
            "model shadow-ep: HTTP 503: ServiceUnavailable"
        );
    }

    #[test]
    fn label_headers_name_the_outputs() {
        let f = |r: &[f64]| vec![r[0], 1.0 - r[0]];
        let mut s = settings(vec![vec![0.0, 0.0]]);
        s.label_headers = Some(vec!["yes".into(), "no".into()]);
        let e = explain(FnModel(f), &[vec![1.0, 1.0]], &s, &RunOptions::default()).unwrap();
        assert_eq!(e.labels, vec!["yes", "no"]);
        s.label_headers = Some(vec!["yes".into()]);
        let err = explain(FnModel(f), &[vec![1.0, 1.0]], &s, &RunOptions::default()).unwrap_err();
        assert_eq!(
            err,
            ShapError::LabelCount {
                headers: 1,
                outputs: 2
            }
        );
    }

    #[test]
    fn bad_inputs_are_named() {
        let f = |r: &[f64]| vec![r[0]];
        let s = settings(vec![vec![0.0, 0.0]]);
        let e = explain(FnModel(f), &[vec![1.0]], &s, &RunOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "record 0 has 1 features, expected 2");
        assert_eq!(
            explain(FnModel(f), &[], &s, &RunOptions::default()).unwrap_err(),
            ShapError::NoRecords
        );
        assert_eq!(
            explain(
                FnModel(f),
                &[vec![1.0]],
                &settings(vec![]),
                &RunOptions::default()
            )
            .unwrap_err(),
            ShapError::NoBaseline
        );
        let nan = |_: &[f64]| vec![f64::NAN];
        assert!(matches!(
            explain(FnModel(nan), &[vec![1.0, 2.0]], &s, &RunOptions::default()),
            Err(ShapError::NonFinite { output: 0, .. })
        ));
    }

    #[test]
    fn aggregates_are_numpy_s() {
        let v = [-1.0, 2.0, -3.0, 4.0];
        assert_eq!(aggregate(&v, AggMethod::MeanAbs), 2.5);
        assert_eq!(aggregate(&v, AggMethod::MeanSq), 7.5);
        assert_eq!(aggregate(&v, AggMethod::Median), 0.5);
        assert_eq!(aggregate(&v[..3], AggMethod::Median), -1.0);
    }

    #[test]
    fn logit_link_clamps() {
        assert_eq!(link(true, 0.5), 0.0);
        assert!(link(true, 1.0).is_finite() && link(true, 0.0).is_finite());
    }
}
