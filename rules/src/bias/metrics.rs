//! The 21 bias metrics of smclarify 0.5 (clarify-monitors.md §3.3–3.4), their registry order
//! and description strings, computed from cell counts.
//!
//! Every metric but FT (and GE's exact summation order, see [`ge_from_rows`]) depends only on
//! how many rows fall in each cell (facet `d`, label `y`, predicted label `ŷ`, group `g`), so a
//! window of a million rows is reduced once to a few dozen counts ([`Cells`]) and every metric,
//! and every bootstrap replicate, is computed from those. The operation order follows
//! smclarify's (two divisions, then a subtraction) so that the results are bit-identical.

use std::fmt;

/// A bias metric.
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Conditional Demographic Disparity in Labels.
    CDDL,
    /// Class Imbalance.
    CI,
    /// Difference in Positive Proportions in Labels.
    DPL,
    /// Jensen-Shannon Divergence.
    JS,
    /// Kullback-Leibler Divergence.
    KL,
    /// Kolmogorov-Smirnov Distance.
    KS,
    /// L-p Norm.
    LP,
    /// Total Variation Distance.
    TVD,
    /// Accuracy Difference.
    AD,
    /// Conditional Demographic Disparity in Predicted Labels.
    CDDPL,
    /// Difference in Acceptance Rates.
    DAR,
    /// Difference in Conditional Acceptance.
    DCA,
    /// Difference in Conditional Rejection.
    DCR,
    /// Disparate Impact.
    DI,
    /// Difference in Positive Proportions in Predicted Labels.
    DPPL,
    /// Difference in Rejection Rates.
    DRR,
    /// Flip Test (needs the feature rows, see `flip_test`).
    FT,
    /// Generalized Entropy.
    GE,
    /// Recall Difference.
    RD,
    /// Specificity Difference.
    SD,
    /// Treatment Equality.
    TE,
}

/// Pre- or post-training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// On labels only (`pre_training_bias_metrics`).
    PreTraining,
    /// On labels and predicted labels (`post_training_bias_metrics`).
    PostTraining,
}

impl Stage {
    /// The `analysis.json` key.
    pub fn key(self) -> &'static str {
        match self {
            Stage::PreTraining => "pre_training_bias_metrics",
            Stage::PostTraining => "post_training_bias_metrics",
        }
    }

    /// The CloudWatch `BiasStage` dimension value (capitalisation as documented).
    pub fn dimension(self) -> &'static str {
        match self {
            Stage::PreTraining => "Pre-training",
            Stage::PostTraining => "Post-Training",
        }
    }
}

/// One registry entry.
#[derive(Debug, Clone, Copy)]
pub struct MetricDescriptor {
    /// The metric.
    pub metric: Metric,
    /// Its short name (smclarify's function name).
    pub name: &'static str,
    /// Its `description` (the first docstring line, exactly).
    pub description: &'static str,
    /// Its stage.
    pub stage: Stage,
}

const fn d(
    metric: Metric,
    name: &'static str,
    description: &'static str,
    stage: Stage,
) -> MetricDescriptor {
    MetricDescriptor {
        metric,
        name,
        description,
        stage,
    }
}

/// All metrics: the pre-training ones, then the post-training ones, each sorted by name (the
/// order of `analysis.json`).
pub const REGISTRY: &[MetricDescriptor] = &[
    d(
        Metric::CDDL,
        "CDDL",
        "Conditional Demographic Disparity in Labels (CDDL)",
        Stage::PreTraining,
    ),
    d(Metric::CI, "CI", "Class Imbalance (CI)", Stage::PreTraining),
    d(
        Metric::DPL,
        "DPL",
        "Difference in Positive Proportions in Labels (DPL)",
        Stage::PreTraining,
    ),
    d(
        Metric::JS,
        "JS",
        "Jensen-Shannon Divergence (JS)",
        Stage::PreTraining,
    ),
    d(
        Metric::KL,
        "KL",
        "Kullback-Liebler Divergence (KL)",
        Stage::PreTraining,
    ),
    d(
        Metric::KS,
        "KS",
        "Kolmogorov-Smirnov Distance (KS)",
        Stage::PreTraining,
    ),
    d(Metric::LP, "LP", "L-p Norm (LP)", Stage::PreTraining),
    d(
        Metric::TVD,
        "TVD",
        "Total Variation Distance (TVD)",
        Stage::PreTraining,
    ),
    d(
        Metric::AD,
        "AD",
        "Accuracy Difference (AD)",
        Stage::PostTraining,
    ),
    d(
        Metric::CDDPL,
        "CDDPL",
        "Conditional Demographic Disparity in Predicted Labels (CDDPL)",
        Stage::PostTraining,
    ),
    d(
        Metric::DAR,
        "DAR",
        "Difference in Acceptance Rates (DAR)",
        Stage::PostTraining,
    ),
    d(
        Metric::DCA,
        "DCA",
        "Difference in Conditional Acceptance (DCA)",
        Stage::PostTraining,
    ),
    d(
        Metric::DCR,
        "DCR",
        "Difference in Conditional Rejection (DCR)",
        Stage::PostTraining,
    ),
    d(
        Metric::DI,
        "DI",
        "Disparate Impact (DI)",
        Stage::PostTraining,
    ),
    d(
        Metric::DPPL,
        "DPPL",
        "Difference in Positive Proportions in Predicted Labels (DPPL)",
        Stage::PostTraining,
    ),
    d(
        Metric::DRR,
        "DRR",
        "Difference in Rejection Rates (DRR)",
        Stage::PostTraining,
    ),
    d(Metric::FT, "FT", "Flip Test (FT)", Stage::PostTraining),
    d(
        Metric::GE,
        "GE",
        "Generalized Entropy (GE)",
        Stage::PostTraining,
    ),
    d(
        Metric::RD,
        "RD",
        "Recall Difference (RD)",
        Stage::PostTraining,
    ),
    d(
        Metric::SD,
        "SD",
        "Specificity Difference (SD)",
        Stage::PostTraining,
    ),
    d(
        Metric::TE,
        "TE",
        "Treatment Equality (TE)",
        Stage::PostTraining,
    ),
];

impl Metric {
    /// Its registry entry.
    pub fn descriptor(self) -> &'static MetricDescriptor {
        REGISTRY
            .iter()
            .find(|x| x.metric == self)
            .unwrap_or(&REGISTRY[0])
    }

    /// Its short name.
    pub fn name(self) -> &'static str {
        self.descriptor().name
    }

    /// By short name.
    pub fn from_name(name: &str) -> Option<Metric> {
        REGISTRY.iter().find(|x| x.name == name).map(|x| x.metric)
    }

    /// The metrics of a stage, in registry order.
    pub fn of_stage(stage: Stage) -> impl Iterator<Item = Metric> {
        REGISTRY
            .iter()
            .filter(move |x| x.stage == stage)
            .map(|x| x.metric)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A metric's value as smclarify returns it: a float, or the *integer* `0` that DCA, DCR, DAR,
/// DRR, RD and SD return when both rates are infinite (written `0`, not `0.0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// A float (possibly ±inf).
    Float(f64),
    /// An integer.
    Int(i64),
}

impl Num {
    /// The value as f64.
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Float(x) => x,
            Num::Int(i) => i as f64,
        }
    }
}

/// A metric's outcome: its value, or smclarify's error message.
pub type Outcome = Result<Num, String>;

/// Cell index: `d·4 + y·2 + ŷ`.
#[inline]
pub fn cell(d: bool, y: bool, yhat: bool) -> usize {
    (d as usize) << 2 | (y as usize) << 1 | (yhat as usize)
}

/// Row counts per cell (`d`, `y`, `ŷ`) and per group-variable value (sorted like
/// `numpy.unique`). Without a group variable there is one group and CDDL/CDDPL fail as
/// smclarify's do. Without predicted labels every `ŷ` is false.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cells {
    /// `counts[g][cell(d, y, ŷ)]`.
    pub counts: Vec<[u64; 8]>,
    /// Whether a group variable was given.
    pub has_group_variable: bool,
}

/// The counts summed over groups, with named accessors.
#[derive(Debug, Clone, Copy, Default)]
struct Totals([u64; 8]);

impl Totals {
    fn n(&self, f: impl Fn(bool, bool, bool) -> bool) -> u64 {
        let mut s = 0;
        for (i, c) in self.0.iter().enumerate() {
            if f(i & 4 != 0, i & 2 != 0, i & 1 != 0) {
                s += c;
            }
        }
        s
    }
}

/// smclarify's `common.divide`.
pub fn divide(a: f64, b: f64) -> f64 {
    if b == 0.0 && a == 0.0 {
        0.0
    } else if b == 0.0 {
        if a < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }
    } else {
        a / b
    }
}

fn div(a: u64, b: u64) -> f64 {
    divide(a as f64, b as f64)
}

/// `numpy.sum` of a contiguous 1-D float64 array: numpy's pairwise summation (8 accumulators
/// in blocks of at most 128 elements, halves above), checked against numpy on the CDDL golden.
pub fn np_sum(a: &[f64]) -> f64 {
    if a.is_empty() {
        0.0
    } else {
        pairwise(a)
    }
}

fn pairwise(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = -0.0;
        for x in a {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for j in 0..8 {
                r[j] += a[i + j];
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

impl Cells {
    /// Empty cells with `groups` groups.
    pub fn new(groups: usize, has_group_variable: bool) -> Cells {
        Cells {
            counts: vec![[0; 8]; groups.max(1)],
            has_group_variable,
        }
    }

    fn totals(&self) -> Totals {
        let mut t = [0u64; 8];
        for g in &self.counts {
            for i in 0..8 {
                t[i] += g[i];
            }
        }
        Totals(t)
    }

    /// The number of rows.
    pub fn rows(&self) -> u64 {
        self.totals().0.iter().sum()
    }

    /// Computes a metric from the counts. FT needs the rows and is not computed here
    /// (`None`); GE is computed by summing per cell (within a few ulps of smclarify's per-row
    /// pandas sum; [`ge_from_rows`] is the exact form).
    pub fn compute(&self, m: Metric) -> Option<Outcome> {
        let t = self.totals();
        let na = t.n(|d, _, _| !d);
        let nd = t.n(|d, _, _| d);
        let e = |s: &str| Err(s.to_owned());
        Some(match m {
            Metric::CI => {
                if na == 0 {
                    e("CI: negated facet set is empty. Check that x[~facet] has non-zero length.")
                } else if nd == 0 {
                    e("CI: facet set is empty. Check that x[facet] has non-zero length.")
                } else {
                    Ok(Num::Float((na as f64 - nd as f64) / (na + nd) as f64))
                }
            }
            Metric::DPL | Metric::DPPL => {
                let pos = |d: bool, y: bool, p: bool| if m == Metric::DPL { y } else { p } && d;
                let pos_a = |d: bool, y: bool, p: bool| if m == Metric::DPL { y } else { p } && !d;
                if na == 0 {
                    e("Negative facet set is empty.")
                } else if nd == 0 {
                    e("Facet set is empty.")
                } else {
                    let qa = t.n(pos_a) as f64 / na as f64;
                    let qd = t.n(pos) as f64 / nd as f64;
                    Ok(Num::Float(qa - qd))
                }
            }
            Metric::KL | Metric::JS | Metric::LP | Metric::TVD | Metric::KS => {
                let (pa, pd) = aligned_pdfs(
                    [t.n(|d, y, _| !d && !y), t.n(|d, y, _| !d && y)],
                    [t.n(|d, y, _| d && !y), t.n(|d, y, _| d && y)],
                );
                if pa.is_empty() {
                    e("No instance of common facet found, dataset may be too small")
                } else {
                    Ok(Num::Float(divergence(m, &pa, &pd)))
                }
            }
            Metric::CDDL => self.cdd(false),
            Metric::CDDPL => self.cdd(true),
            Metric::DI => {
                if na == 0 {
                    e("Negated facet set is empty")
                } else if nd == 0 {
                    e("Facet set is empty")
                } else {
                    let qa = t.n(|d, _, p| !d && p) as f64 / na as f64;
                    let qd = t.n(|d, _, p| d && p) as f64 / nd as f64;
                    Ok(Num::Float(divide(qd, qa)))
                }
            }
            Metric::DCA | Metric::DCR => {
                if nd == 0 {
                    e("DCO: Facet set is empty")
                } else if na == 0 {
                    e("DCO: Negated Facet set is empty")
                } else if m == Metric::DCA {
                    let ca = div(t.n(|d, y, _| !d && y), t.n(|d, _, p| !d && p));
                    let cd = div(t.n(|d, y, _| d && y), t.n(|d, _, p| d && p));
                    Ok(both_inf_int_zero(ca, cd, ca - cd))
                } else {
                    let ra = div(t.n(|d, y, _| !d && !y), t.n(|d, _, p| !d && !p));
                    let rd = div(t.n(|d, y, _| d && !y), t.n(|d, _, p| d && !p));
                    Ok(both_inf_int_zero(ra, rd, rd - ra))
                }
            }
            Metric::DAR | Metric::DRR => {
                if nd == 0 {
                    e("DLR: Facet set is empty")
                } else if na == 0 {
                    e("DLR: Negated Facet set is empty")
                } else if m == Metric::DAR {
                    let a = div(t.n(|d, y, p| !d && y && p), t.n(|d, _, p| !d && p));
                    let b = div(t.n(|d, y, p| d && y && p), t.n(|d, _, p| d && p));
                    Ok(both_inf_int_zero(a, b, a - b))
                } else {
                    let a = div(t.n(|d, y, p| !d && !y && !p), t.n(|d, _, p| !d && !p));
                    let b = div(t.n(|d, y, p| d && !y && !p), t.n(|d, _, p| d && !p));
                    Ok(both_inf_int_zero(a, b, b - a))
                }
            }
            Metric::RD | Metric::SD => {
                if nd == 0 {
                    e("DLA: Facet set is empty")
                } else if na == 0 {
                    e("DLA: Negated Facet set is empty")
                } else if m == Metric::RD {
                    let a = div(t.n(|d, y, p| !d && y && p), t.n(|d, y, _| !d && y));
                    let b = div(t.n(|d, y, p| d && y && p), t.n(|d, y, _| d && y));
                    Ok(both_inf_int_zero(a, b, a - b))
                } else {
                    let a = div(t.n(|d, y, p| !d && !y && !p), t.n(|d, y, _| !d && !y));
                    let b = div(t.n(|d, y, p| d && !y && !p), t.n(|d, y, _| d && !y));
                    Ok(both_inf_int_zero(a, b, b - a))
                }
            }
            Metric::AD => {
                if nd == 0 {
                    e("Facet set is empty")
                } else if na == 0 {
                    e("Negated Facet set is empty")
                } else {
                    let acc_a = div(t.n(|d, y, p| !d && y == p), na);
                    let acc_d = div(t.n(|d, y, p| d && y == p), nd);
                    let v = if acc_a == acc_d && acc_a == f64::INFINITY {
                        0.0
                    } else {
                        acc_a - acc_d
                    };
                    Ok(Num::Float(v))
                }
            }
            Metric::TE => {
                if nd == 0 {
                    e("Facet set is empty")
                } else if na == 0 {
                    e("Negated Facet set is empty")
                } else {
                    let tau_a = div(t.n(|d, y, p| !d && y && !p), t.n(|d, y, p| !d && !y && p));
                    let tau_d = div(t.n(|d, y, p| d && y && !p), t.n(|d, y, p| d && !y && p));
                    let v = if tau_a == tau_d && tau_a == f64::INFINITY {
                        0.0
                    } else {
                        tau_d - tau_a
                    };
                    Ok(Num::Float(v))
                }
            }
            Metric::GE => {
                let c0 = t.n(|_, y, p| y && !p);
                let c1 = t.n(|_, y, p| y == p);
                let c2 = t.n(|_, y, p| !y && p);
                ge_from_benefit_counts(c0, c1, c2)
            }
            Metric::FT => return None,
        })
    }

    fn cdd(&self, predicted: bool) -> Outcome {
        if !self.has_group_variable || self.rows() == 0 {
            return Err("Group variable is empty or not provided".into());
        }
        let z = |i: usize| if predicted { i & 1 != 0 } else { i & 2 != 0 };
        let dd = |i: usize| i & 4 != 0;
        let t = self.totals().0;
        let pos: u64 = (0..8).filter(|&i| z(i)).map(|i| t[i]).sum();
        if pos == 0 {
            return Err("No positive labels in set".into());
        }
        let neg: u64 = (0..8).filter(|&i| !z(i)).map(|i| t[i]).sum();
        if neg == 0 {
            return Err("No negative labels in set".into());
        }
        let mut counts = Vec::with_capacity(self.counts.len());
        let mut products = Vec::with_capacity(self.counts.len());
        for g in &self.counts {
            let n: u64 = g.iter().sum();
            let sum =
                |f: &dyn Fn(usize) -> bool| -> u64 { (0..8).filter(|&i| f(i)).map(|i| g[i]).sum() };
            let num_a = sum(&|i| z(i) && dd(i));
            let den_a = sum(&|i| z(i));
            let a = if den_a != 0 {
                num_a as f64 / den_a as f64
            } else {
                0.0
            };
            let num_d = sum(&|i| !z(i) && dd(i));
            let den_d = sum(&|i| !z(i));
            let dv = if den_d != 0 {
                num_d as f64 / den_d as f64
            } else {
                0.0
            };
            counts.push(n as f64);
            products.push(n as f64 * (dv - a));
        }
        Ok(Num::Float(divide(np_sum(&products), np_sum(&counts))))
    }
}

fn both_inf_int_zero(a: f64, b: f64, v: f64) -> Num {
    if a == b && a == f64::INFINITY {
        Num::Int(0)
    } else {
        Num::Float(v)
    }
}

/// `util.pdfs_aligned_nonzero` for the boolean label of the two groups: the probabilities of
/// `False` and `True` that are non-zero in both.
fn aligned_pdfs(a: [u64; 2], d: [u64; 2]) -> (Vec<f64>, Vec<f64>) {
    let (ta, td) = (a[0] + a[1], d[0] + d[1]);
    let mut pa = Vec::new();
    let mut pd = Vec::new();
    for k in 0..2 {
        if a[k] > 0 && d[k] > 0 {
            pa.push(a[k] as f64 / ta as f64);
            pd.push(d[k] as f64 / td as f64);
        }
    }
    (pa, pd)
}

fn divergence(m: Metric, pa: &[f64], pd: &[f64]) -> f64 {
    match m {
        Metric::KL => np_sum(
            &pa.iter()
                .zip(pd)
                .map(|(a, d)| a * (a / d).ln())
                .collect::<Vec<_>>(),
        ),
        Metric::JS => {
            let p: Vec<f64> = pa.iter().zip(pd).map(|(a, d)| 0.5 * (a + d)).collect();
            let s1 = np_sum(
                &pa.iter()
                    .zip(&p)
                    .map(|(a, p)| a * (a / p).ln())
                    .collect::<Vec<_>>(),
            );
            let s2 = np_sum(
                &pd.iter()
                    .zip(&p)
                    .map(|(d, p)| d * (d / p).ln())
                    .collect::<Vec<_>>(),
            );
            0.5 * (s1 + s2)
        }
        Metric::LP => {
            // `numpy.linalg.norm(x, 2)` = sqrt(x·x), and BLAS `ddot` accumulates with fused
            // multiply-adds: this reproduces the check-step fixture's last digit.
            let mut s = 0.0f64;
            for (a, d) in pa.iter().zip(pd) {
                let x = a - d;
                s = x.mul_add(x, s);
            }
            s.sqrt()
        }
        Metric::TVD => {
            0.5 * np_sum(
                &pa.iter()
                    .zip(pd)
                    .map(|(a, d)| (a - d).abs())
                    .collect::<Vec<_>>(),
            )
        }
        _ => pa
            .iter()
            .zip(pd)
            .map(|(a, d)| (a - d).abs())
            .fold(0.0, f64::max),
    }
}

fn ge_from_benefit_counts(c0: u64, c1: u64, c2: u64) -> Outcome {
    let n = c0 + c1 + c2;
    if n == 0 {
        return Err("dataset must be non-empty".into());
    }
    let mu = (c1 + 2 * c2) as f64 / n as f64;
    if mu == 0.0 {
        return Err("All predicted labels are false negatives. There should be at least one prediction that is not false negative.".into());
    }
    let term = |b: f64| {
        let r = b / mu;
        r * r - 1.0
    };
    let s = c0 as f64 * term(0.0) + c1 as f64 * term(1.0) + c2 as f64 * term(2.0);
    Ok(Num::Float(s / (n * 2) as f64))
}

/// GE as smclarify computes it from the rows: benefit `ŷ − y + 1` per row, its mean, and the
/// pandas (numpy pairwise) sum of `(b/μ)² − 1` in row order. Facet-independent.
pub fn ge_from_rows(y: &[bool], yhat: &[bool]) -> Outcome {
    let n = y.len();
    if n == 0 {
        return Err("dataset must be non-empty".into());
    }
    let b: Vec<f64> = y
        .iter()
        .zip(yhat)
        .map(|(&y, &p)| (p as i64 - y as i64 + 1) as f64)
        .collect();
    let mu = np_sum(&b) / n as f64;
    if mu == 0.0 {
        return Err("All predicted labels are false negatives. There should be at least one prediction that is not false negative.".into());
    }
    let terms: Vec<f64> = b
        .iter()
        .map(|x| {
            let r = x / mu;
            r * r - 1.0
        })
        .collect();
    Ok(Num::Float(np_sum(&terms) / (n * 2) as f64))
}
