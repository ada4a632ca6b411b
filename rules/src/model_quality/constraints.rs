//! Model-quality `constraints.json` and violations: the CloudWatch operators, the suggested
//! constraints (the baseline value in the bad direction), and [`evaluate`], which checks a
//! window's statistics against them.

use std::fmt;

use driftmon_baseline::files::{
    ConstraintViolations, Constraints, MetricConstraint, MetricConstraints, Statistics, Violation,
};
use driftmon_baseline::jackson::java_double;

use super::*;

/// A CloudWatch comparison operator; a violation is raised when `value <op> threshold` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `value > threshold`.
    GreaterThanThreshold,
    /// `value < threshold`.
    LessThanThreshold,
    /// `value >= threshold`.
    GreaterThanOrEqualToThreshold,
    /// `value <= threshold`.
    LessThanOrEqualToThreshold,
}

impl Operator {
    /// Every operator.
    pub const ALL: [Operator; 4] = [
        Operator::GreaterThanThreshold,
        Operator::LessThanThreshold,
        Operator::GreaterThanOrEqualToThreshold,
        Operator::LessThanOrEqualToThreshold,
    ];

    /// Parses an operator name (exact spelling, any case).
    pub fn parse(s: &str) -> Option<Operator> {
        Operator::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The CloudWatch spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::GreaterThanThreshold => "GreaterThanThreshold",
            Operator::LessThanThreshold => "LessThanThreshold",
            Operator::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Operator::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }

    /// Whether `value <op> threshold` holds (never for NaN).
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Operator::GreaterThanThreshold => value > threshold,
            Operator::LessThanThreshold => value < threshold,
            Operator::GreaterThanOrEqualToThreshold => value >= threshold,
            Operator::LessThanOrEqualToThreshold => value <= threshold,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The metrics that get a suggested constraint, with the operator of the bad direction, in
/// statistics order.
pub fn suggested_metrics(problem: ProblemType) -> &'static [(&'static str, Operator)] {
    use Operator::{GreaterThanThreshold as G, LessThanThreshold as L};
    match problem {
        ProblemType::BinaryClassification => &[
            ("recall", L),
            ("precision", L),
            ("accuracy", L),
            ("true_positive_rate", L),
            ("true_negative_rate", L),
            ("false_positive_rate", G),
            ("false_negative_rate", G),
            ("auc", L),
            ("f0_5", L),
            ("f1", L),
            ("f2", L),
        ],
        ProblemType::MulticlassClassification => &[
            ("accuracy", L),
            ("weighted_recall", L),
            ("weighted_precision", L),
            ("weighted_f0_5", L),
            ("weighted_f1", L),
            ("weighted_f2", L),
        ],
        ProblemType::Regression => &[("mae", G), ("mse", G), ("rmse", G), ("r2", L)],
    }
}

/// Suggested `constraints.json` from baseline statistics: threshold = the baseline value (see
/// the module documentation for which metrics and operators).
pub fn suggest_constraints(
    stats: &Statistics,
    problem: ProblemType,
) -> Result<Constraints, ModelQualityError> {
    let section = metrics_of(stats, problem)
        .ok_or(ModelQualityError::MissingMetrics(problem.metrics_key()))?;
    let mut list = Vec::new();
    for &(name, op) in suggested_metrics(problem) {
        if let Some(v) = metric_value(section, name).filter(|v| !v.is_nan()) {
            list.push((
                name.to_owned(),
                MetricConstraint {
                    threshold: v,
                    comparison_operator: op.as_str().to_owned(),
                    ..Default::default()
                },
            ));
        }
    }
    let mc = Some(MetricConstraints(list));
    let mut c = Constraints {
        version: 0.0,
        ..Default::default()
    };
    match problem {
        ProblemType::BinaryClassification => c.binary_classification_constraints = mc,
        ProblemType::MulticlassClassification => c.multiclass_classification_constraints = mc,
        ProblemType::Regression => c.regression_constraints = mc,
    }
    Ok(c)
}

/// The constraints section of `c` for `problem`, if present.
pub fn constraints_of(c: &Constraints, problem: ProblemType) -> Option<&MetricConstraints> {
    match problem {
        ProblemType::BinaryClassification => c.binary_classification_constraints.as_ref(),
        ProblemType::MulticlassClassification => c.multiclass_classification_constraints.as_ref(),
        ProblemType::Regression => c.regression_constraints.as_ref(),
    }
}

/// One constraint checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The metric.
    pub metric: String,
    /// The operator.
    pub operator: Operator,
    /// The threshold.
    pub threshold: f64,
    /// The current value, when the statistics have it.
    pub value: Option<f64>,
    /// Whether `value <operator> threshold` holds.
    pub violated: bool,
    /// Why the check could not be evaluated, if so.
    pub note: Option<String>,
}

/// The result of checking a window's statistics against model-quality constraints.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// Every constraint, in file order.
    pub checks: Vec<Check>,
    /// The violations, in SageMaker's schema (`metric_name`, no `feature_name`).
    pub violations: ConstraintViolations,
}

/// SageMaker clone's violation text: `Metric <name> with <value> was <Operator> <threshold>`.
pub fn violation_description(metric: &str, value: f64, op: Operator, threshold: f64) -> String {
    format!(
        "Metric {metric} with {} was {} {}",
        java_double(value),
        op.as_str(),
        java_double(threshold)
    )
}

/// Checks every constraint of `problem`'s section against `stats` (see the module
/// documentation). Errors: the constraints or the statistics lack the section, or an operator is
/// unknown (checked for every constraint before any is evaluated).
pub fn evaluate(
    stats: &Statistics,
    constraints: &Constraints,
    problem: ProblemType,
) -> Result<Evaluation, ModelQualityError> {
    let cons =
        constraints_of(constraints, problem).ok_or(ModelQualityError::MissingConstraints {
            section: problem.constraints_key(),
            problem,
        })?;
    let section = metrics_of(stats, problem)
        .ok_or(ModelQualityError::MissingMetrics(problem.metrics_key()))?;
    let mut ops = Vec::with_capacity(cons.len());
    for (metric, c) in cons.iter() {
        let op = Operator::parse(&c.comparison_operator).ok_or_else(|| {
            ModelQualityError::InvalidOperator {
                metric: metric.to_owned(),
                operator: c.comparison_operator.clone(),
            }
        })?;
        ops.push(op);
    }
    let mut ev = Evaluation::default();
    for ((metric, c), op) in cons.iter().zip(ops) {
        let value = metric_value(section, metric);
        let (violated, note) = match value {
            None => (false, Some("metric not in the statistics".to_owned())),
            Some(v) if v.is_nan() => (false, Some("metric value is NaN".to_owned())),
            Some(_) if c.threshold.is_nan() => (false, Some("threshold is NaN".to_owned())),
            Some(v) => (op.holds(v, c.threshold), None),
        };
        if violated {
            if let Some(v) = value {
                ev.violations.violations.push(Violation {
                    metric_name: Some(metric.to_owned()),
                    constraint_check_type: op.as_str().to_owned(),
                    description: violation_description(metric, v, op, c.threshold),
                    ..Default::default()
                });
            }
        }
        ev.checks.push(Check {
            metric: metric.to_owned(),
            operator: op,
            threshold: c.threshold,
            value,
            violated,
            note,
        });
    }
    Ok(ev)
}
