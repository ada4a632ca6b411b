//! One entry of `drift_report.json`'s `features` array: a baseline feature's window summary,
//! SageMaker's L∞ score, driftmon's PSI with KS (numeric) or χ² (categorical), and every rule's
//! outcome for it.
//!
//! The public types say which fields go together (a numeric feature has KS and bins, a
//! categorical one χ² and categories, never both); the file is flat. The private `FeatureWire`
//! is the flat form, in the file's field order, and the conversion both ways is total on what
//! the writer produces and refuses anything else, so that parse → write gives the same bytes.

use serde::{Deserialize, Serialize};

use super::num;

/// A drift verdict of one score: `ok`, `drift` or `skipped` (no outcome counts as skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The check passed.
    Ok,
    /// The check found drift (a violation).
    Drift,
    /// The check was skipped, or did not run.
    Skipped,
}

impl Verdict {
    /// The report's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Drift => "drift",
            Verdict::Skipped => "skipped",
        }
    }
}

/// The status of one rule's outcome: `pass`, `violation` or `skipped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Within the constraint.
    Pass,
    /// A violation.
    Violation,
    /// Not evaluated (the reason is in [`CheckRecord::reason`]).
    Skipped,
}

/// One rule's outcome for a feature (`checks[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRecord {
    /// The rule's name in the registry (`"PSI (driftmon)"`, …).
    pub check: String,
    /// SageMaker's `constraint_check_type` of the rule.
    pub constraint_check_type: String,
    /// The outcome.
    pub status: CheckStatus,
    /// Why the rule was skipped (only for [`CheckStatus::Skipped`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The violation's description (absent when the rule wrote none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The window's side of a feature present in the window.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentColumn {
    /// Rows with a value.
    pub num_present: u64,
    /// Rows without one (`rows − num_present`).
    pub num_missing: u64,
    /// `num_present / rows`; `None` when the window has no rows.
    pub completeness: Option<f64>,
    /// The mean, for numeric columns that have one.
    pub mean: Option<f64>,
}

/// What SageMaker's `baseline_drift_check` compares to its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinfKind {
    /// An L∞ distance (`linf_distance`): drift when over the threshold.
    Distance,
    /// A chi-squared goodness-of-fit p-value (`chi_squared_gof_p_value`, method `ChiSquared`):
    /// drift when under the threshold.
    PValue,
}

/// SageMaker's L∞ score of a feature.
#[derive(Debug, Clone, PartialEq)]
pub struct LinfScore {
    /// Distance or p-value.
    pub kind: LinfKind,
    /// The value (NaN when not finite).
    pub value: f64,
    /// `Simple`, `Robust`, `LInfinity` or `ChiSquared`.
    pub method: String,
    /// The threshold from `constraints.json`.
    pub threshold: f64,
}

/// PSI of a feature (numeric or categorical).
#[derive(Debug, Clone, PartialEq)]
pub struct PsiScore {
    /// The population stability index.
    pub value: f64,
    /// Its effect-size threshold.
    pub threshold: f64,
    /// The corrected p-value of the chi-squared test behind it.
    pub p_value_adjusted: Option<f64>,
    /// The verdict of the PSI rule.
    pub verdict: Verdict,
}

/// The frozen baseline-quantile bins behind numeric PSI, for plots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BinsRecord {
    /// Inner edges.
    #[serde(deserialize_with = "num::nan_vec")]
    pub edges: Vec<f64>,
    /// Baseline counts per bin (last: missing).
    #[serde(deserialize_with = "num::nan_vec")]
    pub baseline: Vec<f64>,
    /// Window counts per bin (last: missing).
    #[serde(deserialize_with = "num::nan_vec")]
    pub current: Vec<f64>,
    /// What the last bin holds: always `"missing"`.
    pub last_bin: String,
}

/// The categories behind categorical PSI and χ², for plots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoriesRecord {
    /// The category labels (baseline categories, then unseen and missing).
    pub labels: Vec<String>,
    /// Baseline counts per label.
    #[serde(deserialize_with = "num::nan_vec")]
    pub baseline: Vec<f64>,
    /// Window counts per label.
    #[serde(deserialize_with = "num::nan_vec")]
    pub current: Vec<f64>,
}

/// The two-sample KS test of a numeric feature.
#[derive(Debug, Clone, PartialEq)]
pub struct KsScore {
    /// D.
    pub statistic: f64,
    /// The effect-size threshold on D.
    pub threshold: f64,
    /// The p-value.
    pub p_value: f64,
    /// The corrected p-value.
    pub p_value_adjusted: Option<f64>,
    /// The bound on D's error when a side is a sketch.
    pub error_bound: f64,
    /// The verdict of the KS rule.
    pub verdict: Verdict,
    /// The PSI bins.
    pub bins: BinsRecord,
}

/// The chi-square test of a categorical feature.
#[derive(Debug, Clone, PartialEq)]
pub struct ChiSquaredScore {
    /// The statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// The p-value.
    pub p_value: f64,
    /// The corrected p-value.
    pub p_value_adjusted: Option<f64>,
    /// Cramér's V (the effect size).
    pub cramers_v: f64,
    /// Its threshold.
    pub cramers_v_threshold: f64,
    /// The verdict of the chi-square rule.
    pub verdict: Verdict,
    /// The categories.
    pub categories: CategoriesRecord,
}

/// The test beside PSI: KS for numeric features, χ² for categorical ones.
#[derive(Debug, Clone, PartialEq)]
pub enum DriftTest {
    /// Numeric feature.
    Ks(KsScore),
    /// Categorical feature.
    ChiSquared(ChiSquaredScore),
}

/// driftmon's own drift scores of a feature (when both sides have a distribution).
#[derive(Debug, Clone, PartialEq)]
pub struct DriftScores {
    /// PSI.
    pub psi: PsiScore,
    /// KS or χ².
    pub test: DriftTest,
}

/// One entry of `features`: a baseline feature, in baseline order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "FeatureWire", try_from = "FeatureWire")]
pub struct FeatureReport {
    /// The feature's name.
    pub name: String,
    /// The baseline's inferred type (`Integral`, `Fractional`, `String`, …).
    pub inferred_type: String,
    /// The window's side; `None` when the feature is absent from the window (`"absent": true`).
    pub current: Option<CurrentColumn>,
    /// The baseline's completeness.
    pub baseline_completeness: Option<f64>,
    /// The baseline's mean.
    pub baseline_mean: Option<f64>,
    /// SageMaker's score, when both sides have a distribution.
    pub linf: Option<LinfScore>,
    /// The verdict of SageMaker's `baseline_drift_check`.
    pub linf_verdict: Verdict,
    /// PSI with KS or χ².
    pub drift: Option<DriftScores>,
    /// The significance level of the run.
    pub alpha: f64,
    /// Every rule's outcome for this feature, in registry order.
    pub checks: Vec<CheckRecord>,
}

/// How a score is compared to its threshold ([`FeatureScore`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreKind {
    /// Drift when the value exceeds the threshold.
    Distance,
    /// Drift when the p-value is below the threshold.
    PValue,
}

/// Which score a [`FeatureScore`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// PSI.
    Psi,
    /// KS D.
    Ks,
    /// Cramér's V of the χ² test.
    ChiSquared,
    /// SageMaker's L∞ distance or chi-squared GOF p-value.
    Linf,
}

/// One drift score of a feature with its threshold and verdict, as a report lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureScore<'a> {
    /// Which score.
    pub measure: Measure,
    /// The report key of the value (`psi`, `ks_statistic`, `cramers_v`, `linf_distance` or
    /// `chi_squared_gof_p_value`), e.g. to find it again in earlier reports.
    pub key: &'static str,
    /// The value (NaN when not finite).
    pub value: f64,
    /// Its threshold.
    pub threshold: f64,
    /// The verdict.
    pub verdict: Verdict,
    /// How value and threshold compare.
    pub kind: ScoreKind,
    /// The uncorrected p-value of the test (KS only).
    pub p_value: Option<f64>,
    /// The corrected p-value (PSI, KS, χ²).
    pub p_value_adjusted: Option<f64>,
    /// The χ² statistic and its degrees of freedom (χ² only).
    pub chi_squared: Option<(f64, f64)>,
    /// L∞'s method (`Simple`, `Robust`, `LInfinity`, `ChiSquared`).
    pub method: Option<&'a str>,
}

impl FeatureReport {
    /// The drift scores in the order a report shows them: PSI, KS, χ², then L∞.
    pub fn scores(&self) -> Vec<FeatureScore<'_>> {
        let mut out = Vec::new();
        let base = |measure, key, value, threshold, verdict| FeatureScore {
            measure,
            key,
            value,
            threshold,
            verdict,
            kind: ScoreKind::Distance,
            p_value: None,
            p_value_adjusted: None,
            chi_squared: None,
            method: None,
        };
        if let Some(d) = &self.drift {
            let p = &d.psi;
            out.push(FeatureScore {
                p_value_adjusted: p.p_value_adjusted,
                ..base(Measure::Psi, "psi", p.value, p.threshold, p.verdict)
            });
            match &d.test {
                DriftTest::Ks(k) => out.push(FeatureScore {
                    p_value: Some(k.p_value),
                    p_value_adjusted: k.p_value_adjusted,
                    ..base(
                        Measure::Ks,
                        "ks_statistic",
                        k.statistic,
                        k.threshold,
                        k.verdict,
                    )
                }),
                DriftTest::ChiSquared(c) => out.push(FeatureScore {
                    p_value_adjusted: c.p_value_adjusted,
                    chi_squared: Some((c.statistic, c.df)),
                    ..base(
                        Measure::ChiSquared,
                        "cramers_v",
                        c.cramers_v,
                        c.cramers_v_threshold,
                        c.verdict,
                    )
                }),
            }
        }
        if let Some(l) = &self.linf {
            let (key, kind) = match l.kind {
                LinfKind::Distance => ("linf_distance", ScoreKind::Distance),
                LinfKind::PValue => ("chi_squared_gof_p_value", ScoreKind::PValue),
            };
            out.push(FeatureScore {
                kind,
                method: Some(&l.method),
                ..base(Measure::Linf, key, l.value, l.threshold, self.linf_verdict)
            });
        }
        out
    }

    /// The outcomes that are violations.
    pub fn violated_checks(&self) -> impl Iterator<Item = &CheckRecord> {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Violation)
    }

    /// The KS test, for numeric features.
    pub fn ks(&self) -> Option<&KsScore> {
        match &self.drift.as_ref()?.test {
            DriftTest::Ks(k) => Some(k),
            DriftTest::ChiSquared(_) => None,
        }
    }

    /// The χ² test, for categorical features.
    pub fn chi_squared(&self) -> Option<&ChiSquaredScore> {
        match &self.drift.as_ref()?.test {
            DriftTest::ChiSquared(c) => Some(c),
            DriftTest::Ks(_) => None,
        }
    }
}

/// The flat form of [`FeatureReport`], field for field in the file's order.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureWire {
    name: String,
    inferred_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    num_present: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    num_missing: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    completeness: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    absent: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    baseline_completeness: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    baseline_mean: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    linf_distance: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    chi_squared_gof_p_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    linf_method: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    linf_threshold: Option<f64>,
    linf_verdict: Verdict,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    psi: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    ks_statistic: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    ks_threshold: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    ks_p_value: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present_nullable"
    )]
    ks_p_value_adjusted: Option<Option<f64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    ks_error_bound: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ks_verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bins: Option<BinsRecord>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    chi_squared: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    chi_squared_df: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    chi_squared_p_value: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present_nullable"
    )]
    chi_squared_p_value_adjusted: Option<Option<f64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    cramers_v: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    cramers_v_threshold: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chi_squared_verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    categories: Option<CategoriesRecord>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present"
    )]
    psi_threshold: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "num::present_nullable"
    )]
    psi_p_value_adjusted: Option<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    psi_verdict: Option<Verdict>,
    #[serde(deserialize_with = "num::nan")]
    alpha: f64,
    checks: Vec<CheckRecord>,
}

impl From<FeatureReport> for FeatureWire {
    fn from(f: FeatureReport) -> Self {
        let mut w = FeatureWire {
            name: f.name,
            inferred_type: f.inferred_type,
            num_present: None,
            num_missing: None,
            completeness: None,
            mean: None,
            absent: None,
            baseline_completeness: f.baseline_completeness,
            baseline_mean: f.baseline_mean,
            linf_distance: None,
            chi_squared_gof_p_value: None,
            linf_method: None,
            linf_threshold: None,
            linf_verdict: f.linf_verdict,
            psi: None,
            ks_statistic: None,
            ks_threshold: None,
            ks_p_value: None,
            ks_p_value_adjusted: None,
            ks_error_bound: None,
            ks_verdict: None,
            bins: None,
            chi_squared: None,
            chi_squared_df: None,
            chi_squared_p_value: None,
            chi_squared_p_value_adjusted: None,
            cramers_v: None,
            cramers_v_threshold: None,
            chi_squared_verdict: None,
            categories: None,
            psi_threshold: None,
            psi_p_value_adjusted: None,
            psi_verdict: None,
            alpha: f.alpha,
            checks: f.checks,
        };
        match f.current {
            Some(c) => {
                w.num_present = Some(c.num_present);
                w.num_missing = Some(c.num_missing);
                w.completeness = c.completeness;
                w.mean = c.mean;
            }
            None => w.absent = Some(true),
        }
        if let Some(l) = f.linf {
            match l.kind {
                LinfKind::Distance => w.linf_distance = Some(l.value),
                LinfKind::PValue => w.chi_squared_gof_p_value = Some(l.value),
            }
            w.linf_method = Some(l.method);
            w.linf_threshold = Some(l.threshold);
        }
        if let Some(d) = f.drift {
            w.psi = Some(d.psi.value);
            match d.test {
                DriftTest::Ks(k) => {
                    w.ks_statistic = Some(k.statistic);
                    w.ks_threshold = Some(k.threshold);
                    w.ks_p_value = Some(k.p_value);
                    w.ks_p_value_adjusted = Some(k.p_value_adjusted);
                    w.ks_error_bound = Some(k.error_bound);
                    w.ks_verdict = Some(k.verdict);
                    w.bins = Some(k.bins);
                }
                DriftTest::ChiSquared(c) => {
                    w.chi_squared = Some(c.statistic);
                    w.chi_squared_df = Some(c.df);
                    w.chi_squared_p_value = Some(c.p_value);
                    w.chi_squared_p_value_adjusted = Some(c.p_value_adjusted);
                    w.cramers_v = Some(c.cramers_v);
                    w.cramers_v_threshold = Some(c.cramers_v_threshold);
                    w.chi_squared_verdict = Some(c.verdict);
                    w.categories = Some(c.categories);
                }
            }
            w.psi_threshold = Some(d.psi.threshold);
            w.psi_p_value_adjusted = Some(d.psi.p_value_adjusted);
            w.psi_verdict = Some(d.psi.verdict);
        }
        w
    }
}

impl TryFrom<FeatureWire> for FeatureReport {
    type Error = String;

    fn try_from(w: FeatureWire) -> Result<Self, String> {
        let name = w.name;
        let err = |e: &str| format!("feature `{name}`: {e}");
        let current = match (w.absent, w.num_present, w.num_missing) {
            (Some(true), None, None) if w.completeness.is_none() && w.mean.is_none() => None,
            (None, Some(num_present), Some(num_missing)) => Some(CurrentColumn {
                num_present,
                num_missing,
                completeness: w.completeness,
                mean: w.mean,
            }),
            _ => return Err(err("either `absent: true` or num_present and num_missing")),
        };
        let linf_value = match (w.linf_distance, w.chi_squared_gof_p_value) {
            (Some(d), None) => Some((LinfKind::Distance, d)),
            (None, Some(p)) => Some((LinfKind::PValue, p)),
            (None, None) => None,
            (Some(_), Some(_)) => {
                return Err(err("both linf_distance and chi_squared_gof_p_value"))
            }
        };
        let linf = match (linf_value, w.linf_method, w.linf_threshold) {
            (Some((kind, value)), Some(method), Some(threshold)) => Some(LinfScore {
                kind,
                value,
                method,
                threshold,
            }),
            (None, None, None) => None,
            _ => return Err(err("some but not all of the L-infinity fields")),
        };
        let ks = match (
            w.ks_statistic,
            w.ks_threshold,
            w.ks_p_value,
            w.ks_p_value_adjusted,
            w.ks_error_bound,
            w.ks_verdict,
            w.bins,
        ) {
            (Some(s), Some(t), Some(p), Some(pa), Some(e), Some(v), Some(bins)) => {
                Some(DriftTest::Ks(KsScore {
                    statistic: s,
                    threshold: t,
                    p_value: p,
                    p_value_adjusted: pa,
                    error_bound: e,
                    verdict: v,
                    bins,
                }))
            }
            (None, None, None, None, None, None, None) => None,
            _ => return Err(err("some but not all of the KS fields")),
        };
        let chi = match (
            w.chi_squared,
            w.chi_squared_df,
            w.chi_squared_p_value,
            w.chi_squared_p_value_adjusted,
            w.cramers_v,
            w.cramers_v_threshold,
            w.chi_squared_verdict,
            w.categories,
        ) {
            (Some(s), Some(df), Some(p), Some(pa), Some(v), Some(vt), Some(verdict), Some(c)) => {
                Some(DriftTest::ChiSquared(ChiSquaredScore {
                    statistic: s,
                    df,
                    p_value: p,
                    p_value_adjusted: pa,
                    cramers_v: v,
                    cramers_v_threshold: vt,
                    verdict,
                    categories: c,
                }))
            }
            (None, None, None, None, None, None, None, None) => None,
            _ => return Err(err("some but not all of the chi-squared fields")),
        };
        let psi = match (
            w.psi,
            w.psi_threshold,
            w.psi_p_value_adjusted,
            w.psi_verdict,
        ) {
            (Some(v), Some(t), Some(pa), Some(verdict)) => Some((v, t, pa, verdict)),
            (None, None, None, None) => None,
            _ => return Err(err("some but not all of the PSI fields")),
        };
        let drift = match (psi, ks, chi) {
            (None, None, None) => None,
            (Some((value, threshold, p_value_adjusted, verdict)), Some(test), None)
            | (Some((value, threshold, p_value_adjusted, verdict)), None, Some(test)) => {
                Some(DriftScores {
                    psi: PsiScore {
                        value,
                        threshold,
                        p_value_adjusted,
                        verdict,
                    },
                    test,
                })
            }
            _ => return Err(err("PSI needs exactly one of the KS and chi-squared tests")),
        };
        Ok(FeatureReport {
            name,
            inferred_type: w.inferred_type,
            current,
            baseline_completeness: w.baseline_completeness,
            baseline_mean: w.baseline_mean,
            linf,
            linf_verdict: w.linf_verdict,
            drift,
            alpha: w.alpha,
            checks: w.checks,
        })
    }
}
