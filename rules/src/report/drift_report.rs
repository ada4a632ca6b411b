//! [`DriftReport`]: the whole of `drift_report.json` as one serde type.
//!
//! `serde_json::to_string_pretty(&report)` writes the bytes the run writes; parsing a written
//! report and writing it again gives the same bytes (the field order is the declaration order,
//! fields written only sometimes are `Option`s skipped when `None`, non-finite scores are `null`
//! and read back as NaN). Every struct denies unknown fields: the type is the schema, and a
//! report from a newer or older writer is refused rather than half-read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::feature::FeatureReport;
use super::model_quality::ModelQualitySection;
use super::{num, ExecutionStatus};
use crate::config::{Correction, DriftConfig};

serde_by_name!(
    ExecutionStatus,
    [
        ExecutionStatus::Completed,
        ExecutionStatus::CompletedWithViolations
    ],
    "status"
);
serde_by_name!(
    Correction,
    [
        Correction::None,
        Correction::Bonferroni,
        Correction::BenjaminiHochberg
    ],
    "correction"
);

/// A time window, `[start, end)`, as ISO-8601 UTC timestamps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    /// The first instant (`2024-03-05T10:00:00Z`).
    pub start: String,
    /// The instant after the last.
    pub end: String,
}

/// What the run read (`records`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordCounts {
    /// Capture objects read.
    pub objects: u64,
    /// Records read.
    pub read: u64,
    /// Records outside the window.
    pub outside_window: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Rows profiled.
    pub rows_profiled: u64,
}

/// One rejected record, as an example (`rejected_examples[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedExample {
    /// Where (`uri:line`).
    pub location: String,
    /// The kind (`malformed_json`, …).
    pub kind: String,
    /// What.
    pub message: String,
}

/// The drift thresholds in force (`drift_config`), as the run applied them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftSettings {
    /// [`DriftConfig::psi_threshold`].
    #[serde(deserialize_with = "num::nan")]
    pub psi_threshold: f64,
    /// [`DriftConfig::psi_bins`].
    pub psi_bins: usize,
    /// [`DriftConfig::psi_epsilon`].
    #[serde(deserialize_with = "num::nan")]
    pub psi_epsilon: f64,
    /// [`DriftConfig::ks_threshold`].
    #[serde(deserialize_with = "num::nan")]
    pub ks_threshold: f64,
    /// [`DriftConfig::cramers_v_threshold`].
    #[serde(deserialize_with = "num::nan")]
    pub cramers_v_threshold: f64,
    /// [`DriftConfig::alpha`].
    #[serde(deserialize_with = "num::nan")]
    pub alpha: f64,
    /// [`DriftConfig::correction`].
    pub correction: Correction,
}

impl From<&DriftConfig> for DriftSettings {
    fn from(d: &DriftConfig) -> Self {
        DriftSettings {
            psi_threshold: d.psi_threshold,
            psi_bins: d.psi_bins,
            psi_epsilon: d.psi_epsilon,
            ks_threshold: d.ks_threshold,
            cramers_v_threshold: d.cramers_v_threshold,
            alpha: d.alpha,
            correction: d.correction,
        }
    }
}

/// `drift_report.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftReport {
    /// The endpoint (or the capture folder of a batch job).
    pub endpoint: String,
    /// The variants read.
    pub variants: Vec<String>,
    /// The capture window.
    pub window: TimeWindow,
    /// The execution status (data quality and model quality together).
    pub status: ExecutionStatus,
    /// SageMaker's exit message.
    pub message: String,
    /// Violations in `constraint_violations.json`.
    pub violations: u64,
    /// What was read.
    pub records: RecordCounts,
    /// Rejected records by kind, sorted.
    pub rejected_by_kind: BTreeMap<String, u64>,
    /// The first few rejected records.
    pub rejected_examples: Vec<RejectedExample>,
    /// Hour folders of the window without objects.
    pub hours_without_data: Vec<String>,
    /// The drift thresholds.
    pub drift_config: DriftSettings,
    /// Every baseline feature, in baseline order.
    pub features: Vec<FeatureReport>,
    /// The model-quality execution, when one ran beside the data-quality one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_quality: Option<ModelQualitySection>,
}

impl DriftReport {
    /// The feature named `name`.
    pub fn feature(&self, name: &str) -> Option<&FeatureReport> {
        self.features.iter().find(|f| f.name == name)
    }

    /// `serde_json::to_string_pretty`: the bytes of `drift_report.json`.
    pub fn to_json_pretty(&self) -> String {
        // Serialising plain data with string keys into a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses `drift_report.json`.
    pub fn from_json(bytes: &[u8]) -> Result<DriftReport, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}
