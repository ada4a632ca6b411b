//! Why model-quality metrics or checks cannot be computed.

use super::*;

/// A model-quality computation or evaluation that cannot proceed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelQualityError {
    /// A sample or batch of another problem type was added.
    #[error("a {found} sample cannot be added to {expected} observations")]
    ProblemMismatch {
        /// The observations' problem type.
        expected: ProblemType,
        /// The sample's problem type.
        found: ProblemType,
    },
    /// Metrics of no sample were asked for.
    #[error("no samples: model-quality metrics need at least one (prediction, label) pair")]
    NoSamples,
    /// The statistics have no section for the problem type.
    #[error("statistics.json has no {0} section")]
    MissingMetrics(&'static str),
    /// The constraints have no section for the problem type.
    #[error("constraints.json has no {section} section (is it a {problem} baseline?)")]
    MissingConstraints {
        /// The section looked for.
        section: &'static str,
        /// The problem type.
        problem: ProblemType,
    },
    /// A constraint's operator is not one of the four CloudWatch operators.
    #[error(
        "constraint {metric}: unknown comparison_operator {operator:?}; expected \
         GreaterThanThreshold, LessThanThreshold, GreaterThanOrEqualToThreshold or \
         LessThanOrEqualToThreshold"
    )]
    InvalidOperator {
        /// The metric.
        metric: String,
        /// The operator found.
        operator: String,
    },
}
