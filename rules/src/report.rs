//! A run's verdicts: SageMaker's `constraint_violations.json`, the execution status, and the
//! per-feature scores of `drift_report.json`.

use driftmon_baseline::files::{ConstraintViolations, Violation};
use serde_json::{json, Map, Value};

use crate::evaluate::{descriptor, linf_distance, Context, Outcome, RuleKind, Status};

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

    fn verdict(&self, rule: RuleKind, feature: &str) -> &'static str {
        match self
            .outcomes
            .iter()
            .find(|o| o.rule == rule && o.feature == feature)
            .map(|o| &o.status)
        {
            Some(Status::Pass) => "ok",
            Some(Status::Violation) => "drift",
            Some(Status::Skipped(_)) | None => "skipped",
        }
    }
}

fn num(x: f64) -> Value {
    // JSON has no NaN/∞: those become null (the verdict then says why).
    serde_json::Number::from_f64(x)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// The `features` array of `drift_report.json`: every score of every feature, with thresholds
/// and verdicts, plus the bins behind PSI for plots.
pub fn feature_scores(ctx: &Context<'_>, report: &Report) -> Vec<Value> {
    let d = ctx.drift;
    ctx.features
        .iter()
        .map(|f| {
            let b = f.baseline;
            let mut o = Map::new();
            o.insert("name".into(), json!(b.name));
            o.insert("inferred_type".into(), json!(b.inferred_type.as_str()));
            if let Some(col) = f.current {
                let rows = ctx.current.item_count;
                o.insert("num_present".into(), json!(col.present()));
                o.insert("num_missing".into(), json!(rows.saturating_sub(col.present())));
                if rows > 0 {
                    o.insert("completeness".into(), num(col.present() as f64 / rows as f64));
                }
                if let Some(m) = col.moments.mean() {
                    o.insert("mean".into(), num(m));
                }
            } else {
                o.insert("absent".into(), json!(true));
            }
            if let Some(c) = b.completeness {
                o.insert("baseline_completeness".into(), num(c));
            }
            if let Some(m) = b.mean {
                o.insert("baseline_mean".into(), num(m));
            }
            if let Some((dist, thr, method, is_p)) = linf_distance(f) {
                let key = if is_p { "chi_squared_gof_p_value" } else { "linf_distance" };
                o.insert(key.into(), num(dist));
                o.insert("linf_method".into(), json!(method));
                o.insert("linf_threshold".into(), num(thr));
            }
            o.insert("linf_verdict".into(), json!(report.verdict(RuleKind::BaselineDrift, &b.name)));
            if let Some(m) = &f.numeric {
                o.insert("psi".into(), num(m.psi));
                o.insert("ks_statistic".into(), num(m.ks_statistic));
                o.insert("ks_threshold".into(), num(d.ks_threshold));
                o.insert("ks_p_value".into(), num(m.ks_p_value));
                o.insert("ks_p_value_adjusted".into(), f.ks_p_adjusted.map(num).unwrap_or(Value::Null));
                o.insert("ks_error_bound".into(), num(m.ks_error_bound));
                o.insert("ks_verdict".into(), json!(report.verdict(RuleKind::Ks, &b.name)));
                o.insert(
                    "bins".into(),
                    json!({"edges": m.bins.edges.iter().map(|x| num(*x)).collect::<Vec<_>>(),
                           "baseline": m.bins.baseline, "current": m.bins.current,
                           "last_bin": "missing"}),
                );
            }
            if let Some(m) = &f.categorical {
                o.insert("psi".into(), num(m.psi));
                o.insert("chi_squared".into(), num(m.chi2_statistic));
                o.insert("chi_squared_df".into(), num(m.chi2_df));
                o.insert("chi_squared_p_value".into(), num(m.chi2_p_value));
                o.insert("chi_squared_p_value_adjusted".into(), f.chi2_p_adjusted.map(num).unwrap_or(Value::Null));
                o.insert("cramers_v".into(), num(m.cramers_v));
                o.insert("cramers_v_threshold".into(), num(d.cramers_v_threshold));
                o.insert("chi_squared_verdict".into(), json!(report.verdict(RuleKind::ChiSquare, &b.name)));
                o.insert(
                    "categories".into(),
                    json!({"labels": m.labels, "baseline": m.baseline, "current": m.current}),
                );
            }
            if f.numeric.is_some() || f.categorical.is_some() {
                o.insert("psi_threshold".into(), num(d.psi_threshold));
                o.insert("psi_p_value_adjusted".into(), f.psi_p_adjusted.map(num).unwrap_or(Value::Null));
                o.insert("psi_verdict".into(), json!(report.verdict(RuleKind::Psi, &b.name)));
            }
            o.insert("alpha".into(), num(d.alpha));
            let checks: Vec<Value> = report
                .outcomes
                .iter()
                .filter(|x| x.feature == b.name)
                .map(|x| {
                    let (status, reason) = match &x.status {
                        Status::Pass => ("pass", None),
                        Status::Violation => ("violation", None),
                        Status::Skipped(r) => ("skipped", Some(r.clone())),
                    };
                    let mut c = json!({
                        "check": descriptor(x.rule).map(|d| d.name).unwrap_or("?"),
                        "constraint_check_type": descriptor(x.rule).map(|d| d.check_type).unwrap_or("?"),
                        "status": status,
                    });
                    if let Some(r) = reason {
                        c["reason"] = json!(r);
                    }
                    if !x.description.is_empty() {
                        c["description"] = json!(x.description);
                    }
                    c
                })
                .collect();
            o.insert("checks".into(), Value::Array(checks));
            Value::Object(o)
        })
        .collect()
}
