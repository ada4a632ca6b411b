//! Model quality with delayed ground truth (AWS docs: model-monitor-model-quality-merge).
//!
//! Two entry points:
//!
//! * [`suggest_model_quality`]: the model-quality baseline job. It reads a CSV or JSON Lines
//!   dataset holding a prediction, optionally a probability, and a ground-truth column, and
//!   writes `statistics.json`, `constraints.json` (SageMaker's model-quality formats) and
//!   `baseline_report.json` (what was read and rejected, with locations).
//! * [`run_model_quality`]: one model-quality execution. It reads the predictions of a capture
//!   window and the labels of a ground-truth window, joins them, computes the metrics and checks
//!   them against the baseline's constraints. The caller writes the results
//!   ([`write_outputs`]) and puts [`ModelQualityOutcome::summary`] into `drift_report.json`.
//!
//! # Windows (delayed ground truth)
//!
//! Labels arrive after the predictions, so the two windows differ: for example predictions made
//! 48 h to 24 h ago, joined with every label collected up to now. The capture window
//! `[start, end)` selects the hour folders `<capture>/<endpoint>/<variant>/YYYY/MM/DD/HH/` it
//! touches and then the records whose `eventMetadata.inferenceTime` lies inside it (as the data
//! quality run does). The ground-truth window selects the hour folders
//! `<ground_truth>/YYYY/MM/DD/HH/*.jsonl` (no endpoint level; the folder is the hour the label was
//! *collected*); every label in those folders counts, whatever its own `inferenceTime`.
//! SageMaker's `StartTimeOffset`/`EndTimeOffset` (`-P2D`, `-PT1H`) are read by
//! [`crate::control::schedule::parse_iso_duration`].
//!
//! # Join
//!
//! A capture record's key is `eventMetadata.inferenceId` when present, else `eventId`; a label's
//! key is its `eventMetadata.eventId`. The rows of a capture record (output columns first, then
//! input columns when [`ExtractConfig::use_input`] is on) pair with the rows of its label's
//! `groundTruthData.data` in order; one label row per prediction row (a request of many rows
//! needs that many labels). The inference and probability attributes are a column index (`"0"`)
//! or, for JSON rows that are flat objects, a key name.
//!
//! Nothing in the data stops a run; everything is counted and reported with example locations
//! (`file:line`), by kind:
//!
//! | kind | meaning |
//! | --- | --- |
//! | `bad_capture_line`, `bad_ground_truth_line` | the line is not a record (malformed JSON, …) |
//! | `missing_event_id` | a record without an id to join on |
//! | `bad_inference_time` | a capture record without a readable `inferenceTime` |
//! | `bad_capture_payload`, `bad_ground_truth_payload` | the payload does not decode |
//! | `duplicate_prediction` | a second capture record with the same key in the window; the first is kept |
//! | `duplicate_label` | a second label for the same id; the first (in object, then line order) is kept |
//! | `label_row_count_mismatch` | a label holds a different number of rows than its prediction |
//! | `label_for_unknown_id` | a label whose id is in no capture record read (often: a prediction outside the capture window's hours) |
//! | `label_for_prediction_outside_window` | a label whose prediction was read but lies outside the window |
//! | `label_for_rejected_prediction` | a label whose prediction was rejected |
//! | `missing_prediction`, `invalid_prediction` | the inference attribute is absent, or not usable |
//! | `missing_probability`, `invalid_probability` | the probability attribute is absent, or not a number |
//! | `missing_label`, `non_numeric_label`, `invalid_label` | the label is absent, not a number, or not 0/1 |
//!
//! Units: `predictions`, `matched` and `unmatched_predictions` count prediction rows; `labels`
//! counts label records (ids). The match rate is `matched / predictions`. A window with no label
//! yields [`ModelQualityStatus::NoGroundTruth`] ("no ground truth in the window"), and one whose
//! labels match no usable prediction yields [`ModelQualityStatus::NoMatchedPredictions`]; neither
//! computes metrics of nothing.
//!
//! # Memory
//!
//! The labels of the ground-truth window are held in a hash map (id, label texts, location),
//! and the joined samples in [`Observations`] (16 bytes each). Capture objects are streamed line
//! by line, one at a time: a model-quality window is small next to the capture of a
//! data-quality window, so no parallelism is needed.

mod cells;
mod issues;
mod join;
mod run;
mod suggest;
#[cfg(test)]
mod tests;

use driftmon_baseline::read::ReadError;
use driftmon_rules::model_quality::{ModelQualityError, ProblemType, StdDevOptions};
use driftmon_rules::report::ModelQualityOptionsRecord;
use serde_json::Value;

use crate::adapters::store::StoreError;
use crate::monitors::RunError;

pub use issues::{IssueCount, IssueExample, IssueLog};
pub(crate) use run::read_lines;
pub use run::{
    list_hours, run_model_quality, write_outputs, JoinCounts, ModelQualityOutcome,
    ModelQualityRunSpec, ModelQualityStatus,
};
pub use suggest::{suggest_model_quality, SuggestOutcome, SuggestSpec};

const HOUR_MS: i64 = 3_600_000;
const MAX_EXAMPLES: usize = 5;

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/// Where a value is in a row: a column index, or a key of a flat JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribute {
    /// Column index, 0-based (in a capture row: output columns first).
    Index(usize),
    /// Column name (CSV header) or key (flat JSON object).
    Name(String),
}

impl Attribute {
    /// `"3"` is the index 3; anything else is a name.
    pub fn parse(s: &str) -> Attribute {
        let t = s.trim();
        match t.parse::<usize>() {
            Ok(i) if t.bytes().all(|b| b.is_ascii_digit()) => Attribute::Index(i),
            _ => Attribute::Name(t.to_owned()),
        }
    }
}

impl std::fmt::Display for Attribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Attribute::Index(i) => write!(f, "{i}"),
            Attribute::Name(n) => f.write_str(n),
        }
    }
}

/// The analyzer parameters shared by the baseline job and the monitoring run.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelQualityOptions {
    /// `problem_type`.
    pub problem_type: ProblemType,
    /// `inference_attribute`: the predicted label or value.
    pub inference_attribute: Option<Attribute>,
    /// `probability_attribute`: the probability of class 1 (binary).
    pub probability_attribute: Option<Attribute>,
    /// `probability_threshold_attribute`: `probability > threshold` is class 1 when there is no
    /// inference attribute (default 0.5).
    pub probability_threshold: Option<f64>,
    /// Standard-deviation estimation.
    pub std_dev: StdDevOptions,
}

impl ModelQualityOptions {
    /// Options with only a problem type and an inference attribute.
    pub fn new(problem_type: ProblemType, inference_attribute: Option<Attribute>) -> Self {
        ModelQualityOptions {
            problem_type,
            inference_attribute,
            probability_attribute: None,
            probability_threshold: None,
            std_dev: StdDevOptions::default(),
        }
    }

    /// Checks that the attributes the problem type needs are there.
    pub fn validate(&self) -> Result<(), ModelQualityCmdError> {
        let cfg = |m: String| Err(ModelQualityCmdError::Config(m));
        if let Some(t) = self.probability_threshold {
            if !t.is_finite() {
                return cfg(format!("probability threshold {t} is not a finite number"));
            }
        }
        match self.problem_type {
            ProblemType::BinaryClassification => {
                if self.inference_attribute.is_none() && self.probability_attribute.is_none() {
                    return cfg("BinaryClassification needs an inference attribute (the \
                                predicted label) or a probability attribute (with a probability \
                                threshold, default 0.5)"
                        .into());
                }
            }
            p => {
                if self.inference_attribute.is_none() {
                    return cfg(format!("{p} needs an inference attribute"));
                }
            }
        }
        Ok(())
    }

    pub(super) fn threshold(&self) -> f64 {
        self.probability_threshold.unwrap_or(0.5)
    }

    pub(super) fn to_json(&self) -> Value {
        serde_json::to_value(self.record()).unwrap_or(Value::Null)
    }

    /// The options as `drift_report.json` and `baseline_report.json` record them.
    pub(super) fn record(&self) -> ModelQualityOptionsRecord {
        ModelQualityOptionsRecord {
            problem_type: self.problem_type,
            inference_attribute: self.inference_attribute.as_ref().map(|a| a.to_string()),
            probability_attribute: self.probability_attribute.as_ref().map(|a| a.to_string()),
            probability_threshold: self
                .probability_threshold
                .or(self.probability_attribute.as_ref().map(|_| 0.5)),
        }
    }
}

/// A model-quality command that cannot complete.
#[derive(Debug, thiserror::Error)]
pub enum ModelQualityCmdError {
    /// The options or the input's shape do not fit together.
    #[error("{0}")]
    Config(String),
    /// A store (local folder or S3) failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The dataset is unusable as a whole.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The metrics or the constraints could not be computed or checked.
    #[error(transparent)]
    Metrics(#[from] ModelQualityError),
    /// The baseline's constraints could not be read.
    #[error("baseline {path}: {msg}")]
    Baseline {
        /// The file.
        path: String,
        /// Why.
        msg: String,
    },
    /// No usable (prediction, label) pair in a baseline dataset.
    #[error("no usable rows: {0}")]
    NoData(String),
    /// An output could not be serialised.
    #[error("cannot serialise {0}")]
    Serialise(String),
    /// The window is empty or inverted.
    #[error("invalid window: {0}")]
    Window(String),
}

/// The model-quality monitor type: one [`run_model_quality`] over the job's window (the spec
/// carries its ground-truth window and analyzer options). An execution that computed no metric
/// — no label in the ground-truth window, or no label joined to a usable prediction — fails
/// with the reason (SageMaker's `Failed`), never a silent `Completed`.
#[derive(Debug, Clone)]
pub struct ModelQuality {
    /// What to read and compute.
    pub spec: ModelQualityRunSpec,
}

impl crate::monitors::Monitor for ModelQuality {
    fn monitor_type(&self) -> crate::monitors::MonitorType {
        crate::monitors::MonitorType::ModelQuality
    }

    fn execute(
        &self,
        _window: &crate::monitors::WindowSpec,
    ) -> Result<crate::monitors::Execution, RunError> {
        let outcome = run_model_quality(&self.spec).map_err(|e| match e {
            ModelQualityCmdError::Store(s) => RunError::Store(s),
            other => RunError::ModelQuality(other.to_string()),
        })?;
        if !outcome.status.has_metrics() {
            return Err(RunError::NoModelQuality(outcome.message));
        }
        Ok(crate::monitors::Execution {
            monitor_type: crate::monitors::MonitorType::ModelQuality,
            violations: outcome.violations(),
            statistics: outcome.statistics,
            section: crate::monitors::Section::ModelQuality(Box::new(outcome.section)),
        })
    }
}
