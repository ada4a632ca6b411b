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

mod coalitions;
mod run_plan;
mod solve;
#[cfg(test)]
mod tests;

use super::model::{Budget, CallError, Counted, Model, Usage};
use super::ndcg::numpy_sum;
#[cfg(doc)]
use super::rng::Xoshiro256; // for the module docs' link

pub use coalitions::{coalitions, Coalitions};
use run_plan::prepare;
use solve::{link, solve};

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

/// The model traffic a run will need, computed without calling the model (the same plan
/// [`explain`] follows).
pub fn plan(
    records: &[Vec<f64>],
    settings: &ShapSettings,
    options: &RunOptions,
) -> Result<Usage, ShapError> {
    Ok(prepare(records, settings, options)?.usage())
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
