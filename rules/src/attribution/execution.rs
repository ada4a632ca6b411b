//! One explainability job, end to end in the pure core: Kernel SHAP over the records, the
//! global values, `analysis.json`, and — in a monitoring execution — the drift check against the
//! baseline's `analysis.json`, `constraint_violations.json` and the status. The monitor reads
//! the window, calls [`execute`] with its model adapter, writes the files and publishes
//! [`attribution_points`](super::check::attribution_points).
//!
//! A baselining job (`suggest_baseline`) is [`execute`] without a baseline: its `analysis.json`
//! *is* the constraints file (`clarify-monitors.md` §1).

use super::analysis::write_analysis;
use super::check::{check_drift, DriftCheck};
use super::kernel_shap::{explain, Explanation, LabelGlobal, RunOptions, ShapError, ShapSettings};
use super::model::Model;
use crate::report::ExecutionStatus;

/// What one job produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// Local values, labels, expected values, model usage.
    pub explanation: Explanation,
    /// The global values per label (`settings.agg_method`).
    pub global: Vec<LabelGlobal>,
    /// `analysis.json`, as Clarify writes it.
    pub analysis_json: String,
    /// The drift check (monitoring executions only).
    pub check: Option<DriftCheck>,
    /// `constraint_violations.json`; `None` = write no file.
    pub violations_json: Option<String>,
    /// `Completed` or `CompletedWithViolations`.
    pub status: ExecutionStatus,
}

/// Runs Kernel SHAP over `records` and, when `baseline` is given (the labels of the baseline's
/// `analysis.json`, [`parse_analysis`](super::analysis::parse_analysis)), the drift check with
/// `threshold` ([`DEFAULT_THRESHOLD`](super::check::DEFAULT_THRESHOLD) = 0.9).
pub fn execute<M: Model>(
    model: M,
    records: &[Vec<f64>],
    settings: &ShapSettings,
    options: &RunOptions,
    baseline: Option<&[LabelGlobal]>,
    threshold: f64,
) -> Result<Execution, ShapError> {
    let explanation = explain(model, records, settings, options)?;
    let global = explanation.global(settings.agg_method);
    let analysis_json = write_analysis(&global);
    let check = baseline.map(|b| check_drift(b, &global, threshold));
    let violations_json = check
        .as_ref()
        .and_then(DriftCheck::constraint_violations_json);
    let status = if violations_json.is_some() {
        ExecutionStatus::CompletedWithViolations
    } else {
        ExecutionStatus::Completed
    };
    Ok(Execution {
        explanation,
        global,
        analysis_json,
        check,
        violations_json,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::analysis::parse_analysis;
    use crate::attribution::check::DEFAULT_THRESHOLD;
    use crate::attribution::model::FnModel;

    #[test]
    fn baseline_then_monitoring_execution() {
        let settings = ShapSettings {
            baseline: vec![vec![0.0, 0.0, 0.0]],
            headers: Some(vec!["a".into(), "b".into(), "c".into()]),
            ..Default::default()
        };
        let recs = vec![vec![1.0, 1.0, 1.0], vec![2.0, -1.0, 0.5]];
        let before = |r: &[f64]| vec![3.0 * r[0] + 2.0 * r[1] + r[2]];
        let base = execute(
            FnModel(before),
            &recs,
            &settings,
            &RunOptions::default(),
            None,
            DEFAULT_THRESHOLD,
        )
        .unwrap();
        assert_eq!(base.check, None);
        assert_eq!(base.status, ExecutionStatus::Completed);
        let baseline = parse_analysis(base.analysis_json.as_bytes()).unwrap();

        // Same model: clean.
        let same = execute(
            FnModel(before),
            &recs,
            &settings,
            &RunOptions::default(),
            Some(&baseline),
            DEFAULT_THRESHOLD,
        )
        .unwrap();
        assert_eq!(same.violations_json, None);
        assert_eq!(same.status, ExecutionStatus::Completed);

        // The ranking turned around: a violation.
        let after = |r: &[f64]| vec![r[0] + 2.0 * r[1] + 9.0 * r[2]];
        let drifted = execute(
            FnModel(after),
            &recs,
            &settings,
            &RunOptions::default(),
            Some(&baseline),
            DEFAULT_THRESHOLD,
        )
        .unwrap();
        assert_eq!(drifted.status, ExecutionStatus::CompletedWithViolations);
        assert!(drifted
            .violations_json
            .unwrap()
            .contains("\"constraint_check_type\": \"feature_attribution_drift_check\""));
    }
}
