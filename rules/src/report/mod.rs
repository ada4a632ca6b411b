//! A run's verdicts: SageMaker's `constraint_violations.json`, the execution status, and
//! `drift_report.json` as one typed [`DriftReport`].
//!
//! - [`Report`]: the outcomes of one evaluation, with the violations, status and exit message;
//! - [`feature_reports`]: the `features` array of the report, built from the evaluation
//!   [`Context`] (scores, thresholds and verdicts of every baseline feature);
//! - `drift_report`: [`DriftReport`] and the sections the run fills in (records, rejects, the
//!   drift settings in force); `feature`: [`FeatureReport`] with its scores ([`FeatureReport::scores`]
//!   lists them for a reader such as the HTML report); `model_quality`: the optional
//!   [`ModelQualitySection`]; `num`: how non-finite numbers are spelled in the file.

/// Serde for a closed enum through its `as_str` spelling; reading accepts exactly the spellings
/// of the variants listed (what the writer writes).
macro_rules! serde_by_name {
    ($t:ty, $all:expr, $what:literal) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                $all.into_iter()
                    .find(|x: &$t| x.as_str() == s)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown {} `{s}`", $what)))
            }
        }
    };
}

mod drift_report;
mod feature;
mod model_quality;
mod num;

use driftmon_baseline::files::{ConstraintViolations, Violation};
use serde_json::Value;

use crate::evaluate::{descriptor, linf_distance, Context, Outcome, RuleKind, Status};

pub use drift_report::{DriftReport, DriftSettings, RecordCounts, RejectedExample, TimeWindow};
pub use feature::{
    BinsRecord, CategoriesRecord, CheckRecord, CheckStatus, ChiSquaredScore, CurrentColumn,
    DriftScores, DriftTest, FeatureReport, FeatureScore, KsScore, LinfKind, LinfScore, Measure,
    PsiScore, ScoreKind, Verdict,
};
pub use model_quality::{
    GroundTruthHours, IssueExampleRecord, IssueRecord, JoinCountsRecord, MetricCheckRecord,
    MetricValues, ModelQualityOptionsRecord, ModelQualitySection, ModelQualityStatus, ObjectCounts,
};

/// SageMaker's execution status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionStatus {
    /// No violation.
    Completed,
    /// At least one violation.
    CompletedWithViolations,
}

impl ExecutionStatus {
    /// SageMaker's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Completed => "Completed",
            ExecutionStatus::CompletedWithViolations => "CompletedWithViolations",
        }
    }
}

/// The outcomes of one evaluation.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every outcome of every rule.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// The violations, in rule then feature order.
    pub fn violations(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(|o| o.status == Status::Violation)
    }

    /// The execution status.
    pub fn status(&self) -> ExecutionStatus {
        if self.violations().next().is_some() {
            ExecutionStatus::CompletedWithViolations
        } else {
            ExecutionStatus::Completed
        }
    }

    /// `constraint_violations.json` in SageMaker's schema.
    pub fn constraint_violations(&self) -> ConstraintViolations {
        ConstraintViolations {
            violations: self
                .violations()
                .map(|o| Violation {
                    feature_name: Some(o.feature.clone()),
                    metric_name: None,
                    constraint_check_type: descriptor(o.rule)
                        .map(|d| d.check_type)
                        .unwrap_or("baseline_drift_check")
                        .to_owned(),
                    description: o.description.clone(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    /// SageMaker's exit message: `Completed: Job completed successfully with no violations.` or
    /// `CompletedWithViolations: Job completed successfully with N violations.`
    pub fn message(&self) -> String {
        let n = self.violations().count();
        match self.status() {
            ExecutionStatus::Completed => {
                "Completed: Job completed successfully with no violations.".into()
            }
            ExecutionStatus::CompletedWithViolations => {
                format!("CompletedWithViolations: Job completed successfully with {n} violations.")
            }
        }
    }

    fn verdict(&self, rule: RuleKind, feature: &str) -> Verdict {
        match self
            .outcomes
            .iter()
            .find(|o| o.rule == rule && o.feature == feature)
            .map(|o| &o.status)
        {
            Some(Status::Pass) => Verdict::Ok,
            Some(Status::Violation) => Verdict::Drift,
            Some(Status::Skipped(_)) | None => Verdict::Skipped,
        }
    }
}

impl From<&Outcome> for CheckRecord {
    fn from(x: &Outcome) -> Self {
        let (status, reason) = match &x.status {
            Status::Pass => (CheckStatus::Pass, None),
            Status::Violation => (CheckStatus::Violation, None),
            Status::Skipped(r) => (CheckStatus::Skipped, Some(r.clone())),
        };
        CheckRecord {
            check: descriptor(x.rule).map_or("?", |d| d.name).to_owned(),
            constraint_check_type: descriptor(x.rule).map_or("?", |d| d.check_type).to_owned(),
            status,
            reason,
            description: (!x.description.is_empty()).then(|| x.description.clone()),
        }
    }
}

/// The `features` array of `drift_report.json`: every score of every baseline feature, with
/// thresholds and verdicts, plus the bins (numeric) or categories (categorical) behind PSI for
/// plots, and every rule's outcome for the feature.
pub fn feature_reports(ctx: &Context<'_>, report: &Report) -> Vec<FeatureReport> {
    let d = ctx.drift;
    ctx.features
        .iter()
        .map(|f| {
            let b = f.baseline;
            let current = f.current.map(|col| {
                let rows = ctx.current.item_count;
                CurrentColumn {
                    num_present: col.present(),
                    num_missing: rows.saturating_sub(col.present()),
                    completeness: (rows > 0).then(|| col.present() as f64 / rows as f64),
                    mean: col.moments.mean(),
                }
            });
            let linf = linf_distance(f).map(|(value, threshold, method, is_p)| LinfScore {
                kind: if is_p {
                    LinfKind::PValue
                } else {
                    LinfKind::Distance
                },
                value,
                method: method.to_owned(),
                threshold,
            });
            let test = if let Some(m) = &f.numeric {
                Some((
                    m.psi,
                    DriftTest::Ks(KsScore {
                        statistic: m.ks_statistic,
                        threshold: d.ks_threshold,
                        p_value: m.ks_p_value,
                        p_value_adjusted: f.ks_p_adjusted,
                        error_bound: m.ks_error_bound,
                        verdict: report.verdict(RuleKind::Ks, &b.name),
                        bins: BinsRecord {
                            edges: m.bins.edges.clone(),
                            baseline: m.bins.baseline.clone(),
                            current: m.bins.current.clone(),
                            last_bin: "missing".to_owned(),
                        },
                    }),
                ))
            } else {
                f.categorical.as_ref().map(|m| {
                    (
                        m.psi,
                        DriftTest::ChiSquared(ChiSquaredScore {
                            statistic: m.chi2_statistic,
                            df: m.chi2_df,
                            p_value: m.chi2_p_value,
                            p_value_adjusted: f.chi2_p_adjusted,
                            cramers_v: m.cramers_v,
                            cramers_v_threshold: d.cramers_v_threshold,
                            verdict: report.verdict(RuleKind::ChiSquare, &b.name),
                            categories: CategoriesRecord {
                                labels: m.labels.clone(),
                                baseline: m.baseline.clone(),
                                current: m.current.clone(),
                            },
                        }),
                    )
                })
            };
            let drift = test.map(|(psi, test)| DriftScores {
                psi: PsiScore {
                    value: psi,
                    threshold: d.psi_threshold,
                    p_value_adjusted: f.psi_p_adjusted,
                    verdict: report.verdict(RuleKind::Psi, &b.name),
                },
                test,
            });
            FeatureReport {
                name: b.name.clone(),
                inferred_type: b.inferred_type.as_str().to_owned(),
                current,
                baseline_completeness: b.completeness,
                baseline_mean: b.mean,
                linf,
                linf_verdict: report.verdict(RuleKind::BaselineDrift, &b.name),
                drift,
                alpha: d.alpha,
                checks: report
                    .outcomes
                    .iter()
                    .filter(|x| x.feature == b.name)
                    .map(CheckRecord::from)
                    .collect(),
            }
        })
        .collect()
}

/// [`feature_reports`] as JSON values (what `drift_report.json`'s `features` held before
/// [`DriftReport`]; the same bytes once written).
pub fn feature_scores(ctx: &Context<'_>, report: &Report) -> Vec<Value> {
    feature_reports(ctx, report)
        .iter()
        .map(|f| serde_json::to_value(f).unwrap_or(Value::Null))
        .collect()
}

#[cfg(test)]
mod tests;
