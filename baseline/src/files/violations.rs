//! `constraint_violations.json`: the typed model of the violations a run writes (the rules
//! build them; this crate only owns the file format).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A `constraint_violations.json`. An empty list is written as
/// `{\n  "violations" : [ ]\n}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConstraintViolations {
    /// The violations found.
    #[serde(default)]
    pub violations: Vec<Violation>,
    /// Unknown keys (e.g. Clarify's `version`), kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One violation. Data quality sets `feature_name`, model quality sets
/// `metric_name`; key order is `feature_name`, `metric_name`,
/// `constraint_check_type`, `description`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Violation {
    /// The column (data quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_name: Option<String>,
    /// The metric (model quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    /// e.g. `data_type_check`, `baseline_drift_check`, or a comparison operator
    /// for model quality.
    pub constraint_check_type: String,
    /// Human-readable description.
    pub description: String,
    /// Unknown keys (e.g. Clarify's `facet`), kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
