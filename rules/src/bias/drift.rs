//! The bias drift rule (clarify-monitors.md §4.1) and `constraint_violations.json` (§4.2).
//!
//! For every (stage, facet, facet value, metric) present in both the baseline and the current
//! analysis, with `b` the baseline value and `v` the current one, the allowed range is
//! `[−|b|, |b|]` (symmetric around 0 for every metric, DI included, as the real service does):
//!
//! * **point**: violation ⇔ `|v| > |b|` — reproduces the 9 violations of the real execution.
//! * **bootstrap** (default): `B` resamples of the window's rows, the metric on each, `se` their
//!   sample standard deviation (ddof = 1, non-finite and failed replicates dropped), the normal
//!   interval `C = [v − z·se, v + z·se]`, `z = Φ⁻¹(1 − α/2)`; violation ⇔ `C ∩ [−|b|, |b|] = ∅`.
//!   Fewer than 2 finite replicates, `v = ±inf`, or FT (kNN is too costly to resample): point rule.
//!   Every metric but FT depends only on the cell counts, so a row resample is drawn as a
//!   multinomial over the cells (conditional binomials, see [`Resampler`]) — the same
//!   distribution as a row resample, at a cost independent of the number of rows.
//! * skipped: `b` or `v` undefined (a metric error; counted, never NaN); `b = ±inf` never
//!   violates; `v = ±inf` with `|b|` finite violates.
//!
//! Deterministic for a given seed (xoshiro256** seeded by SplitMix64; replicate streams are
//! independent of the number of metrics checked).

use super::analysis::{BiasAnalysis, FacetValueResult};
use super::metrics::{Cells, Metric, Num, Outcome, Stage};
use crate::clarify::pyjson::{dumps_indent4, py_float_repr};
use crate::stats::gamma_q;
use serde_json::{json, Map, Value};

/// How a drift verdict is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionMode {
    /// `|v| > |b|`.
    Point,
    /// Normal bootstrap interval disjoint from `[−|b|, |b|]`.
    Bootstrap,
}

/// Parameters of the rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftParams {
    /// Point or bootstrap.
    pub mode: DecisionMode,
    /// Number of bootstrap resamples `B`.
    pub resamples: usize,
    /// Two-sided level α (default 0.01, family-wise over a window's checks: an hourly monitor
    /// of an unchanged model then raises a false alarm about once in 100 windows).
    pub alpha: f64,
    /// The PRNG seed.
    pub seed: u64,
    /// Bootstrap: split α over the window's `m` checks (Bonferroni, `z = Φ⁻¹(1 − α/(2m))`), so
    /// that a window drawn from the baseline's distribution raises any alarm with probability
    /// at most about α, not `m·α/2`. On by default; off, each check has level α.
    pub family_wise: bool,
}

impl Default for DriftParams {
    fn default() -> Self {
        DriftParams {
            mode: DecisionMode::Bootstrap,
            resamples: 200,
            alpha: 0.01,
            seed: 0,
            family_wise: true,
        }
    }
}

/// Why a pair was not checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    /// The baseline value is null (a metric error there).
    BaselineUndefined(String),
    /// The current value is undefined: smclarify's error message (empty facet, no positive labels…).
    CurrentUndefined(String),
    /// Bootstrap mode has no interval for this metric (FT: its kNN is too costly to resample),
    /// and the point rule alarms on most stationary windows, so it is not checked; use
    /// `decision_mode = "point"` to check it as SageMaker does.
    NoInterval,
}

/// The verdict for one pair.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Within range.
    Pass,
    /// Drifted.
    Violation,
    /// Not checked.
    Skipped(Skip),
}

/// One (stage, facet, facet value, metric) compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The stage.
    pub stage: Stage,
    /// The facet name.
    pub facet: String,
    /// Its `value_or_threshold`.
    pub facet_value: String,
    /// The metric.
    pub metric: Metric,
    /// The baseline value, when defined.
    pub baseline: Option<Num>,
    /// The current value, when defined.
    pub current: Option<Num>,
    /// The bootstrap interval, when one was used.
    pub interval: Option<(f64, f64)>,
    /// The number of finite bootstrap replicates.
    pub replicates: usize,
    /// The verdict.
    pub verdict: Verdict,
}

/// One `bias_drift_check` violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `facet`.
    pub facet: String,
    /// `facet_value`.
    pub facet_value: String,
    /// `metric_name`.
    pub metric_name: String,
    /// `description`.
    pub description: String,
}

/// The outcome of the rule over a whole analysis.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DriftResult {
    /// Every pair, pre-training first, then post-training, each in registry order.
    pub checks: Vec<Check>,
    /// Stages (facet `None`) and facets of the current analysis that smclarify aborts, with the
    /// message: nothing of them is checked, written or published.
    pub aborted: Vec<(Stage, Option<String>, String)>,
}

impl DriftResult {
    /// The violations, in check order.
    pub fn violations(&self) -> Vec<Violation> {
        self.checks
            .iter()
            .filter(|c| c.verdict == Verdict::Violation)
            .map(|c| Violation {
                facet: c.facet.clone(),
                facet_value: c.facet_value.clone(),
                metric_name: c.metric.name().to_owned(),
                description: format!(
                    "Metric value {} doesn't meet the baseline constraint requirement {}",
                    c.current.map(num_text).unwrap_or_default(),
                    c.baseline.map(num_text).unwrap_or_default()
                ),
            })
            .collect()
    }

    /// How many pairs were skipped because a value was undefined.
    pub fn undefined(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| {
                matches!(
                    c.verdict,
                    Verdict::Skipped(Skip::BaselineUndefined(_) | Skip::CurrentUndefined(_))
                )
            })
            .count()
    }
}

/// A value as `analysis.json` prints it: Python repr, `Infinity` for inf, `0` for the integer 0.
pub fn num_text(n: Num) -> String {
    match n {
        Num::Int(i) => i.to_string(),
        Num::Float(x) if x == f64::INFINITY => "Infinity".into(),
        Num::Float(x) if x == f64::NEG_INFINITY => "-Infinity".into(),
        Num::Float(x) => py_float_repr(x),
    }
}

/// `constraint_violations.json` for bias, or `None` when there is no violation (no file is
/// written then).
pub fn violations_json(violations: &[Violation]) -> Option<String> {
    if violations.is_empty() {
        return None;
    }
    let list: Vec<Value> = violations
        .iter()
        .map(|v| {
            let mut o = Map::new();
            o.insert("facet".into(), json!(v.facet));
            o.insert("facet_value".into(), json!(v.facet_value));
            o.insert("metric_name".into(), json!(v.metric_name));
            o.insert("constraint_check_type".into(), json!("bias_drift_check"));
            o.insert("description".into(), json!(v.description));
            Value::Object(o)
        })
        .collect();
    let mut top = Map::new();
    top.insert("version".into(), json!("1.0"));
    top.insert("violations".into(), Value::Array(list));
    Some(dumps_indent4(&Value::Object(top)))
}

/// Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation refined by one Halley step).
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let pl = 0.02425;
    let mut x = if p < pl {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - pl {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    for _ in 0..2 {
        // Φ(x) − p with the upper tail taken from Q(½, x²/2) for accuracy.
        let tail = 0.5 * gamma_q(0.5, x * x / 2.0);
        let cdf = if x >= 0.0 { 1.0 - tail } else { tail };
        let e = cdf - p;
        let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
        x -= u / (1.0 + x * u / 2.0);
    }
    x
}

/// The bootstrap's generator: the crate's xoshiro256** ([`crate::rng`]), with the distributions
/// the resampler draws from.
pub use crate::rng::Xoshiro256 as Rng;

impl Rng {
    /// A generator for a seed (SplitMix64-seeded, as [`Rng::seed_from`]).
    pub fn new(seed: u64) -> Rng {
        Rng::seed_from(seed)
    }

    /// A uniform float in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        self.next_f64()
    }
}

impl Rng {
    /// A standard normal deviate (Marsaglia's polar method).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// A Gamma(shape, 1) deviate, shape ≥ 1 (Marsaglia and Tsang 2000).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform();
            if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
                return d * v;
            }
        }
    }

    /// A Binomial(n, p) deviate. Below 64 trials, Bernoulli trials; above, the order-statistic
    /// split (Devroye, *Non-Uniform Random Variate Generation*, X.4.1): the `a`-th smallest of
    /// `n` uniforms is Beta(a, n + 1 − a); the trials below it are `a − 1` uniforms on
    /// `[0, X)`, those above it `n − a` uniforms on `(X, 1]`. O(log n) beta draws.
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        let (mut n, mut p, mut acc) = (n, p, 0u64);
        loop {
            if p <= 0.0 || n == 0 {
                return acc;
            }
            if p >= 1.0 {
                return acc + n;
            }
            if n < 64 {
                return acc + (0..n).filter(|_| self.uniform() < p).count() as u64;
            }
            let a = 1 + n / 2;
            let b = n + 1 - a;
            let g1 = self.gamma(a as f64);
            let g2 = self.gamma(b as f64);
            let x = g1 / (g1 + g2);
            if x >= p {
                // All successes are among the a − 1 uniforms below X.
                n = a - 1;
                p /= x;
            } else {
                // The a uniforms up to X are successes; the rest are uniform on (X, 1].
                acc += a;
                n -= a;
                p = (p - x) / (1.0 - x);
            }
        }
    }
}

/// Row resampling of a window known only by its cell counts: a resample of `n` rows with
/// replacement has multinomial cell counts (n; count_i / n), drawn here as successive
/// conditional binomials — the same distribution as drawing rows, at O(cells · log n) random
/// numbers per replicate instead of O(n).
#[derive(Debug, Clone)]
pub struct Resampler {
    counts: Vec<u64>,
    groups: usize,
    has_group_variable: bool,
}

impl Resampler {
    /// The sampler for some cells.
    pub fn new(cells: &Cells) -> Resampler {
        Resampler {
            counts: cells
                .counts
                .iter()
                .flat_map(|g| g.iter().copied())
                .collect(),
            groups: cells.counts.len(),
            has_group_variable: cells.has_group_variable,
        }
    }

    /// One resample: as many rows as the window, drawn uniformly with replacement.
    pub fn draw(&self, rng: &mut Rng) -> Cells {
        let mut out = Cells::new(self.groups, self.has_group_variable);
        let mut weight: u64 = self.counts.iter().sum();
        let mut left = weight;
        for (i, &c) in self.counts.iter().enumerate() {
            if left == 0 {
                break;
            }
            let k = if c == weight {
                left
            } else {
                rng.binomial(left, c as f64 / weight as f64)
            };
            out.counts[i / 8][i % 8] = k;
            left -= k;
            weight -= c;
        }
        out
    }
}

/// Bootstrap replicates of several metrics over one facet value: `replicates[m][r]`, the
/// failed and non-finite ones dropped.
pub fn bootstrap(
    cells: &Cells,
    metrics: &[Metric],
    params: &DriftParams,
    stream: u64,
) -> Vec<Vec<f64>> {
    let mut rng = Rng::new(params.seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let sampler = Resampler::new(cells);
    let mut out = vec![Vec::with_capacity(params.resamples); metrics.len()];
    for _ in 0..params.resamples {
        let rc = sampler.draw(&mut rng);
        for (k, &m) in metrics.iter().enumerate() {
            if let Some(Ok(v)) = rc.compute(m) {
                let x = v.as_f64();
                if x.is_finite() {
                    out[k].push(x);
                }
            }
        }
    }
    out
}

fn sample_sd(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Applies the rule to every pair present in both analyses.
pub fn check_drift(
    baseline: &BiasAnalysis,
    current: &BiasAnalysis,
    params: &DriftParams,
) -> DriftResult {
    let m = if params.family_wise && params.mode == DecisionMode::Bootstrap {
        pairs_checked(baseline, current).max(1)
    } else {
        1
    };
    let z = normal_quantile(1.0 - params.alpha / (2.0 * m as f64));
    let mut checks = Vec::new();
    let mut aborted = Vec::new();
    let mut stream = 0u64;
    for (stage, r) in [
        (Stage::PreTraining, &current.pre_training),
        (Stage::PostTraining, &current.post_training),
    ] {
        if let Some(Err(e)) = r {
            aborted.push((stage, None, e.clone()));
        }
        for (_, s) in current.stages().filter(|(st, _)| *st == stage) {
            for f in &s.facets {
                let values = match &f.values {
                    Ok(v) => v,
                    Err(e) => {
                        aborted.push((stage, Some(f.name.clone()), e.clone()));
                        continue;
                    }
                };
                for v in values {
                    stream += 1;
                    checks.extend(check_value(baseline, stage, &f.name, v, params, z, stream));
                }
            }
        }
    }
    DriftResult { checks, aborted }
}

/// The number of (stage, facet value, metric) pairs present in both analyses, FT aside.
fn pairs_checked(baseline: &BiasAnalysis, current: &BiasAnalysis) -> usize {
    let mut n = 0;
    for (stage, s) in current.stages() {
        for f in &s.facets {
            let Ok(values) = &f.values else { continue };
            for v in values {
                n += v
                    .metrics
                    .iter()
                    .filter(|m| m.metric != Metric::FT)
                    .filter(|m| {
                        baseline
                            .find(stage, &f.name, &v.value_or_threshold, m.metric)
                            .is_some()
                    })
                    .count();
            }
        }
    }
    n
}

fn check_value(
    baseline: &BiasAnalysis,
    stage: Stage,
    facet: &str,
    v: &FacetValueResult,
    params: &DriftParams,
    z: f64,
    stream: u64,
) -> Vec<Check> {
    let pairs: Vec<(Metric, Outcome, Outcome)> = v
        .metrics
        .iter()
        .filter_map(|m| {
            baseline
                .find(stage, facet, &v.value_or_threshold, m.metric)
                .map(|b| (m.metric, b.outcome.clone(), m.outcome.clone()))
        })
        .collect();
    let resampled: Vec<Metric> = pairs
        .iter()
        .filter(|(m, b, c)| {
            *m != Metric::FT
                && matches!(b, Ok(x) if x.as_f64().is_finite())
                && matches!(c, Ok(x) if x.as_f64().is_finite())
        })
        .map(|(m, _, _)| *m)
        .collect();
    let reps = match (params.mode, &v.cells) {
        (DecisionMode::Bootstrap, Some(cells))
            if !resampled.is_empty() && params.resamples >= 2 =>
        {
            bootstrap(cells, &resampled, params, stream)
        }
        _ => Vec::new(),
    };
    pairs
        .into_iter()
        .map(|(metric, b, c)| {
            let mut check = Check {
                stage,
                facet: facet.to_owned(),
                facet_value: v.value_or_threshold.clone(),
                metric,
                baseline: b.clone().ok(),
                current: c.clone().ok(),
                interval: None,
                replicates: 0,
                verdict: Verdict::Pass,
            };
            let (b, c) = match (b, c) {
                (Err(e), _) => {
                    check.verdict = Verdict::Skipped(Skip::BaselineUndefined(e));
                    return check;
                }
                (_, Err(e)) => {
                    check.verdict = Verdict::Skipped(Skip::CurrentUndefined(e));
                    return check;
                }
                (Ok(b), Ok(c)) => (b.as_f64(), c.as_f64()),
            };
            if metric == Metric::FT && params.mode == DecisionMode::Bootstrap {
                check.verdict = Verdict::Skipped(Skip::NoInterval);
                return check;
            }
            let bound = b.abs();
            let violated = if !bound.is_finite() {
                false
            } else if !c.is_finite() {
                true
            } else {
                match resampled
                    .iter()
                    .position(|&m| m == metric)
                    .and_then(|k| reps.get(k))
                {
                    Some(r) if r.len() >= 2 => {
                        let se = sample_sd(r);
                        let (lo, hi) = (c - z * se, c + z * se);
                        check.interval = Some((lo, hi));
                        check.replicates = r.len();
                        lo > bound || hi < -bound
                    }
                    _ => c.abs() > bound,
                }
            };
            check.verdict = if violated {
                Verdict::Violation
            } else {
                Verdict::Pass
            };
            check
        })
        .collect()
}
