//! The `model_quality` section of `drift_report.json`: one model-quality execution beside the
//! data-quality run (options, windows, the ground-truth join's counters, issues, metrics and
//! constraint checks). Metric values and thresholds are in Jackson's spelling ([`super::num`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{num, TimeWindow};
use crate::model_quality::{Check, Operator, ProblemType};

/// How a model-quality execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelQualityStatus {
    /// Metrics computed, no violation.
    Completed,
    /// Metrics computed, at least one violation.
    CompletedWithViolations,
    /// No ground truth in the window.
    NoGroundTruth,
    /// Ground truth, but no usable (prediction, label) pair.
    NoMatchedPredictions,
}

impl ModelQualityStatus {
    /// The report's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelQualityStatus::Completed => "Completed",
            ModelQualityStatus::CompletedWithViolations => "CompletedWithViolations",
            ModelQualityStatus::NoGroundTruth => "NoGroundTruth",
            ModelQualityStatus::NoMatchedPredictions => "NoMatchedPredictions",
        }
    }

    /// Whether metrics were computed.
    pub fn has_metrics(self) -> bool {
        matches!(
            self,
            ModelQualityStatus::Completed | ModelQualityStatus::CompletedWithViolations
        )
    }
}

serde_by_name!(ProblemType, ProblemType::ALL, "problem_type");
serde_by_name!(Operator, Operator::ALL, "operator");

/// The options of the execution (`options`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelQualityOptionsRecord {
    /// The problem type.
    pub problem_type: ProblemType,
    /// Where the prediction is (a column index or a key), as given.
    pub inference_attribute: Option<String>,
    /// Where the probability is, as given.
    pub probability_attribute: Option<String>,
    /// The threshold turning a probability into a label (0.5 when a probability attribute is
    /// given without one).
    pub probability_threshold: Option<f64>,
}

/// Objects read (`objects`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectCounts {
    /// Capture objects.
    pub capture: u64,
    /// Ground-truth objects.
    pub ground_truth: u64,
}

/// The join's counters (`counts`), in the writer's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinCountsRecord {
    /// Capture records read.
    pub capture_records: u64,
    /// Capture records outside the capture window.
    pub outside_window: u64,
    /// Predictions in the window.
    pub predictions: u64,
    /// Predictions whose id was seen before.
    pub duplicate_predictions: u64,
    /// Ground-truth records read.
    pub label_records: u64,
    /// Distinct label ids kept.
    pub labels: u64,
    /// Later labels for an already labelled id.
    pub duplicate_labels: u64,
    /// Predictions paired with a label.
    pub matched: u64,
    /// Predictions without a label.
    pub unmatched_predictions: u64,
    /// Labels that joined no prediction.
    pub unmatched_labels: u64,
    /// … of which the id is in no capture record read.
    pub labels_for_unknown_ids: u64,
    /// … of which the prediction lies outside the capture window.
    pub labels_for_predictions_outside_window: u64,
    /// … of which the prediction was rejected.
    pub labels_for_rejected_predictions: u64,
    /// Issues of kind `non_numeric_label`.
    pub non_numeric_labels: u64,
    /// Issues of kind `invalid_label`.
    pub invalid_labels: u64,
    /// Issues of kind `missing_label`.
    pub missing_labels: u64,
    /// Issues of kind `missing_prediction`.
    pub missing_predictions: u64,
    /// Issues of kind `invalid_prediction`.
    pub invalid_predictions: u64,
    /// Issues of kind `missing_probability`.
    pub missing_probability: u64,
    /// Issues of kind `invalid_probability`.
    pub invalid_probability: u64,
    /// Lines that are not records.
    pub bad_lines: u64,
    /// Matched pairs that became samples.
    pub samples: u64,
}

/// One example of an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueExampleRecord {
    /// Where (`uri:line`).
    pub location: String,
    /// What.
    pub message: String,
}

/// One kind of issue (`issues.<kind>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRecord {
    /// Occurrences.
    pub count: u64,
    /// The first few examples.
    pub examples: Vec<IssueExampleRecord>,
}

/// The ground-truth window's hour folders (`ground_truth_hours`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroundTruthHours {
    /// Hours the window touches.
    pub listed: i64,
    /// Of which without objects (empty label hours are normal: only their number).
    pub without_objects: u64,
}

/// One model-quality constraint check (`checks[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricCheckRecord {
    /// The metric.
    pub metric: String,
    /// The comparison.
    pub operator: Operator,
    /// The threshold (Jackson's spelling).
    #[serde(with = "num::jackson")]
    pub threshold: f64,
    /// The window's value, `null` when the statistics lack it.
    #[serde(with = "num::jackson_opt")]
    pub value: Option<f64>,
    /// Whether `value <operator> threshold` holds.
    pub violated: bool,
    /// Why the check could not be evaluated.
    pub note: Option<String>,
}

impl From<&Check> for MetricCheckRecord {
    fn from(c: &Check) -> Self {
        MetricCheckRecord {
            metric: c.metric.clone(),
            operator: c.operator,
            threshold: c.threshold,
            value: c.value,
            violated: c.violated,
            note: c.note.clone(),
        }
    }
}

/// The scalar metrics of a window, by bare key in `statistics.json` order (Jackson's spelling).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MetricValues(#[serde(with = "num::jackson_map")] pub Vec<(String, f64)>);

impl MetricValues {
    /// The value of `metric`.
    pub fn get(&self, metric: &str) -> Option<f64> {
        self.0.iter().find(|(k, _)| k == metric).map(|(_, v)| *v)
    }
}

/// The `model_quality` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelQualitySection {
    /// How it ended.
    pub status: ModelQualityStatus,
    /// One line for people.
    pub message: String,
    /// The options.
    pub options: ModelQualityOptionsRecord,
    /// The endpoint.
    pub endpoint: String,
    /// The variants read.
    pub variants: Vec<String>,
    /// The capture window.
    pub capture_window: TimeWindow,
    /// The ground-truth window.
    pub ground_truth_window: TimeWindow,
    /// Objects read.
    pub objects: ObjectCounts,
    /// The join's counters.
    pub counts: JoinCountsRecord,
    /// `matched / predictions`, `null` without predictions.
    pub match_rate: Option<f64>,
    /// Ids of predictions still waiting for a label (a few).
    pub awaiting_labels_examples: Vec<String>,
    /// Issues by kind, sorted.
    pub issues: BTreeMap<String, IssueRecord>,
    /// Capture hours without objects.
    pub hours_without_capture: Vec<String>,
    /// The ground-truth window's hours.
    pub ground_truth_hours: GroundTruthHours,
    /// Scalar metrics, `null` when none were computed.
    pub metrics: Option<MetricValues>,
    /// Violations.
    pub violations: u64,
    /// The constraint checks, `null` without constraints or metrics.
    pub checks: Option<Vec<MetricCheckRecord>>,
}
