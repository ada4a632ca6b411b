//! Typed models of the SageMaker Model Monitor files `statistics.json`,
//! `constraints.json` and `constraint_violations.json` (data quality and model
//! quality), used both to read files written by AWS and to write our own.
//!
//! * Field order in every struct is the order of the keys in real AWS output,
//!   so [`to_jackson`] reproduces AWS files byte for byte.
//! * Reading is lenient: counts written as `24` or `24.0` are both accepted,
//!   doubles may be the strings `"NaN"`, `"Infinity"` or `"-Infinity"` (as the
//!   analyzer writes non-finite metrics), and unknown keys are kept in each
//!   struct's `extra` map (written back after the known keys).
//! * Writing: `f64` fields are always written as doubles (`231.0`), `u64`
//!   fields as integers (`100`), non-finite doubles as the strings `"NaN"`,
//!   `"Infinity"`, `"-Infinity"`.

use crate::jackson::to_jackson_pretty;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

// ---------------------------------------------------------------------------
// Errors and entry points
// ---------------------------------------------------------------------------

/// Error returned when reading, writing or validating a Model Monitor file.
#[derive(Debug)]
pub enum FilesError {
    /// The bytes are not valid JSON, or the JSON does not have the expected shape.
    Parse {
        /// Which document was being read, e.g. `"statistics.json"`.
        what: &'static str,
        /// The underlying error; carries the line and column.
        source: serde_json::Error,
    },
    /// A value could not be converted to JSON.
    Serialize {
        /// The underlying error.
        source: serde_json::Error,
    },
    /// A configuration knob has a value that Model Monitor does not accept.
    InvalidValue {
        /// Where the value was found, e.g. `monitoring_config.distribution_constraints.comparison_method`.
        field: String,
        /// The value found.
        value: String,
        /// The accepted values.
        expected: &'static str,
    },
}

impl fmt::Display for FilesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilesError::Parse { what, source } => write!(
                f,
                "cannot parse {what} (line {}, column {}): {source}",
                source.line(),
                source.column()
            ),
            FilesError::Serialize { source } => write!(f, "cannot serialize to JSON: {source}"),
            FilesError::InvalidValue {
                field,
                value,
                expected,
            } => write!(
                f,
                "invalid value {value:?} for {field}: expected {expected}"
            ),
        }
    }
}

impl std::error::Error for FilesError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FilesError::Parse { source, .. } | FilesError::Serialize { source } => Some(source),
            FilesError::InvalidValue { .. } => None,
        }
    }
}

/// Serializes `t` in the exact byte format of the Model Monitor analyzer
/// (Jackson's default pretty printer, no trailing newline); see
/// [`crate::jackson::to_jackson_pretty`].
pub fn to_jackson<T: Serialize>(t: &T) -> Result<String, FilesError> {
    let value = serde_json::to_value(t).map_err(|source| FilesError::Serialize { source })?;
    Ok(to_jackson_pretty(&value))
}

/// Parses a `statistics.json` (data quality or model quality).
pub fn parse_statistics(bytes: &[u8]) -> Result<Statistics, FilesError> {
    serde_json::from_slice(bytes).map_err(|source| FilesError::Parse {
        what: "statistics.json",
        source,
    })
}

/// Parses a `constraints.json` (data quality or model quality).
pub fn parse_constraints(bytes: &[u8]) -> Result<Constraints, FilesError> {
    serde_json::from_slice(bytes).map_err(|source| FilesError::Parse {
        what: "constraints.json",
        source,
    })
}

/// Parses a `constraint_violations.json`.
pub fn parse_violations(bytes: &[u8]) -> Result<ConstraintViolations, FilesError> {
    serde_json::from_slice(bytes).map_err(|source| FilesError::Parse {
        what: "constraint_violations.json",
        source,
    })
}

// ---------------------------------------------------------------------------
// statistics.json
// ---------------------------------------------------------------------------

/// A `statistics.json`: data-quality statistics (`features`) and/or
/// model-quality metrics (`*_metrics`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Statistics {
    /// Format version; real files write `0.0`. Defaults to `0.0` when absent.
    #[serde(default, with = "lenient_f64")]
    pub version: f64,
    /// The analysed dataset. Defaults to `item_count` 0 when absent (only in
    /// hand-edited files).
    #[serde(default)]
    pub dataset: Dataset,
    /// Per-column statistics (data quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<FeatureStatistics>>,
    /// Binary classification metrics (model quality), in file order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_classification_metrics: Option<Map<String, Value>>,
    /// Multiclass classification metrics (model quality), in file order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiclass_classification_metrics: Option<Map<String, Value>>,
    /// Regression metrics (model quality), in file order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression_metrics: Option<Map<String, Value>>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `dataset` block of `statistics.json`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Dataset {
    /// Number of rows analysed.
    #[serde(default, with = "lenient_u64")]
    pub item_count: u64,
    /// Evaluation time (model quality only), e.g. `"2023-03-30T21:08:34.729Z"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_time: Option<String>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Statistics of one column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FeatureStatistics {
    /// Column name (`_c0`, `_c1`, … for headerless CSV).
    pub name: String,
    /// `Integral`, `Fractional`, `String` or `Unknown`.
    pub inferred_type: String,
    /// Present for numeric columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerical_statistics: Option<NumericalStatistics>,
    /// Present for string columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_statistics: Option<StringStatistics>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Presence counts shared by numeric and string columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Common {
    /// Number of non-missing values.
    #[serde(with = "lenient_u64")]
    pub num_present: u64,
    /// Number of missing (null or empty) values.
    #[serde(with = "lenient_u64")]
    pub num_missing: u64,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Statistics of a numeric (`Integral` / `Fractional`) column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NumericalStatistics {
    /// Presence counts.
    pub common: Common,
    /// Mean of the present values.
    #[serde(with = "lenient_f64")]
    pub mean: f64,
    /// Sum of the present values.
    #[serde(with = "lenient_f64")]
    pub sum: f64,
    /// Population standard deviation of the present values.
    #[serde(with = "lenient_f64")]
    pub std_dev: f64,
    /// Minimum.
    #[serde(with = "lenient_f64")]
    pub min: f64,
    /// Maximum.
    #[serde(with = "lenient_f64")]
    pub max: f64,
    /// Histogram and KLL sketch.
    pub distribution: NumericDistribution,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `distribution` block of a numeric column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NumericDistribution {
    /// KLL histogram and sketch.
    pub kll: Kll,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// KLL histogram buckets and the sketch itself.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Kll {
    /// 10 equal-width buckets from min to max.
    pub buckets: Vec<KllBucket>,
    /// The KLL sketch (compactor buffers).
    pub sketch: KllSketch,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One histogram bucket: `[lower_bound, upper_bound)` (the last one closed).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KllBucket {
    /// Lower bound.
    #[serde(with = "lenient_f64")]
    pub lower_bound: f64,
    /// Upper bound.
    #[serde(with = "lenient_f64")]
    pub upper_bound: f64,
    /// Number of values in the bucket, written as a double (`24.0`).
    #[serde(with = "lenient_f64")]
    pub count: f64,
}

/// A serialized KLL sketch.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KllSketch {
    /// Sketch parameters.
    pub parameters: KllParameters,
    /// Compactor buffers, level 0 first. (Non-finite values here would be
    /// written as `null`; sketches never hold them.)
    pub data: Vec<Vec<f64>>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// KLL sketch parameters (Deequ's shrinking factor and sketch size).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KllParameters {
    /// Shrinking factor, `0.64` in real files.
    #[serde(with = "lenient_f64")]
    pub c: f64,
    /// Sketch size, `2048.0` in real files.
    #[serde(with = "lenient_f64")]
    pub k: f64,
}

/// Statistics of a `String` column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StringStatistics {
    /// Presence counts.
    pub common: Common,
    /// Approximate number of distinct values, written as a double.
    #[serde(with = "lenient_f64")]
    pub distinct_count: f64,
    /// Value frequencies.
    pub distribution: CategoricalDistribution,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `distribution` block of a string column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CategoricalDistribution {
    /// Value → count buckets.
    pub categorical: Categorical,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Categorical histogram.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Categorical {
    /// One bucket per observed value.
    pub buckets: Vec<CategoricalBucket>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One observed string value and its count.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CategoricalBucket {
    /// The value.
    pub value: String,
    /// How many rows hold it (an integer in real files).
    #[serde(with = "lenient_u64")]
    pub count: u64,
}

// ---------------------------------------------------------------------------
// constraints.json
// ---------------------------------------------------------------------------

/// A `constraints.json`: data-quality feature constraints and/or
/// model-quality metric constraints.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Constraints {
    /// Format version; real files write `0.0`. Defaults to `0.0` when absent.
    #[serde(default, with = "lenient_f64")]
    pub version: f64,
    /// Per-column constraints (data quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<FeatureConstraints>>,
    /// Global monitoring configuration (data quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_config: Option<MonitoringConfig>,
    /// Binary classification metric constraints (model quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_classification_constraints: Option<MetricConstraints>,
    /// Multiclass classification metric constraints (model quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiclass_classification_constraints: Option<MetricConstraints>,
    /// Regression metric constraints (model quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression_constraints: Option<MetricConstraints>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Constraints of one column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FeatureConstraints {
    /// Column name.
    pub name: String,
    /// Expected type: `Integral`, `Fractional`, `String` or `Unknown`.
    pub inferred_type: String,
    /// Minimum share of non-missing values.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub completeness: Option<f64>,
    /// Numeric constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_constraints: Option<NumConstraints>,
    /// String constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_constraints: Option<StringConstraints>,
    /// Feature-level overrides written in snake_case (`monitoring_config_overrides`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_config_overrides: Option<MonitoringConfigOverrides>,
    /// Feature-level overrides written in camelCase (`monitoringConfigOverrides`,
    /// the spelling of the AWS docs).
    #[serde(
        default,
        rename = "monitoringConfigOverrides",
        skip_serializing_if = "Option::is_none"
    )]
    pub monitoring_config_overrides_camel: Option<MonitoringConfigOverrides>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `num_constraints` block of a feature.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NumConstraints {
    /// Suggested `true` when the baseline minimum is ≥ 0 (no check is documented for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_non_negative: Option<bool>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `string_constraints` block of a feature.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StringConstraints {
    /// The allowed values (`categorical_values_check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Overrides in snake_case, as the SDK's `Constraints.set_monitoring` writes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_config_overrides: Option<MonitoringConfigOverrides>,
    /// Overrides in camelCase (`monitoringConfigOverrides`).
    #[serde(
        default,
        rename = "monitoringConfigOverrides",
        skip_serializing_if = "Option::is_none"
    )]
    pub monitoring_config_overrides_camel: Option<MonitoringConfigOverrides>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The global `monitoring_config` block. Absent knobs take the defaults listed
/// on [`ResolvedMonitoringConfig`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitoringConfig {
    /// `Enabled` or `Disabled`: whether constraints are checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluate_constraints: Option<String>,
    /// `Enabled` or `Disabled`: whether CloudWatch metrics are emitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit_metrics: Option<String>,
    /// Minimum share of values that must have the baseline type.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub datatype_check_threshold: Option<f64>,
    /// Minimum share of string values that must be in the domain.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub domain_content_threshold: Option<f64>,
    /// Drift check settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_constraints: Option<DistributionConstraints>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `distribution_constraints` block (baseline drift check).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DistributionConstraints {
    /// `Enabled` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perform_comparison: Option<String>,
    /// Numeric drift threshold.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub comparison_threshold: Option<f64>,
    /// `Simple` or `Robust`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_method: Option<String>,
    /// Drift threshold for string columns.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub categorical_comparison_threshold: Option<f64>,
    /// `LInfinity` or `ChiSquared`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical_drift_method: Option<String>,
    /// Legacy switch (SDK test data); `false` means `perform_comparison` `Disabled`
    /// unless `perform_comparison` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_comparisons: Option<bool>,
    /// Legacy key (SDK test data) with undocumented meaning; kept but not used.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_domain_mass: Option<f64>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Per-feature overrides of the global monitoring configuration. Every knob is
/// optional; absent knobs keep the global value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitoringConfigOverrides {
    /// `Enabled` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluate_constraints: Option<String>,
    /// `Enabled` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit_metrics: Option<String>,
    /// Minimum share of values that must have the baseline type.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub datatype_check_threshold: Option<f64>,
    /// Minimum share of string values that must be in the domain.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub domain_content_threshold: Option<f64>,
    /// `Enabled` or `Disabled` (drift check for this feature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perform_comparison: Option<String>,
    /// Numeric drift threshold.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub comparison_threshold: Option<f64>,
    /// `Simple` or `Robust`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_method: Option<String>,
    /// Drift threshold for string columns.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub categorical_comparison_threshold: Option<f64>,
    /// `LInfinity` or `ChiSquared`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical_drift_method: Option<String>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One model-quality metric constraint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MetricConstraint {
    /// The threshold.
    #[serde(with = "lenient_f64")]
    pub threshold: f64,
    /// e.g. `GreaterThanThreshold`, `LessThanThreshold`; a violation is raised
    /// when `value <operator> threshold` holds.
    pub comparison_operator: String,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Metric name → constraint, in file order (serialized as a JSON object).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricConstraints(pub Vec<(String, MetricConstraint)>);

impl MetricConstraints {
    /// The constraint of `metric`, if any (the first one if repeated).
    pub fn get(&self, metric: &str) -> Option<&MetricConstraint> {
        self.0.iter().find(|(k, _)| k == metric).map(|(_, c)| c)
    }

    /// Iterates over `(metric, constraint)` in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &MetricConstraint)> {
        self.0.iter().map(|(k, c)| (k.as_str(), c))
    }

    /// Number of metrics.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when there are no metrics.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for MetricConstraints {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for MetricConstraints {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MetricConstraints;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of metric name -> {threshold, comparison_operator}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((k, v)) = map.next_entry::<String, MetricConstraint>()? {
                    out.push((k, v));
                }
                Ok(MetricConstraints(out))
            }
        }
        deserializer.deserialize_map(V)
    }
}

// ---------------------------------------------------------------------------
// Resolved configuration
// ---------------------------------------------------------------------------

/// `comparison_method` of the numeric drift check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonMethod {
    /// The plain L-infinity (KS) distance.
    Simple,
    /// The distance minus the KS critical value (default).
    Robust,
}

/// `categorical_drift_method` of the string drift check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoricalDriftMethod {
    /// L-infinity distance between the category frequencies (default).
    LInfinity,
    /// Pearson chi-squared goodness-of-fit.
    ChiSquared,
}

const TOGGLE_VALUES: &str = "\"Enabled\" or \"Disabled\"";
const METHOD_VALUES: &str = "\"Simple\" or \"Robust\"";
const DRIFT_VALUES: &str = "\"LInfinity\" or \"ChiSquared\"";

fn parse_toggle(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("enabled") {
        Some(true)
    } else if s.eq_ignore_ascii_case("disabled") {
        Some(false)
    } else {
        None
    }
}

impl ComparisonMethod {
    /// Parses `Simple` / `Robust` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("simple") {
            Some(ComparisonMethod::Simple)
        } else if s.eq_ignore_ascii_case("robust") {
            Some(ComparisonMethod::Robust)
        } else {
            None
        }
    }

    /// The spelling used in constraints.json.
    pub fn as_str(self) -> &'static str {
        match self {
            ComparisonMethod::Simple => "Simple",
            ComparisonMethod::Robust => "Robust",
        }
    }
}

impl CategoricalDriftMethod {
    /// Parses `LInfinity` / `ChiSquared` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("linfinity") {
            Some(CategoricalDriftMethod::LInfinity)
        } else if s.eq_ignore_ascii_case("chisquared") {
            Some(CategoricalDriftMethod::ChiSquared)
        } else {
            None
        }
    }

    /// The spelling used in constraints.json.
    pub fn as_str(self) -> &'static str {
        match self {
            CategoricalDriftMethod::LInfinity => "LInfinity",
            CategoricalDriftMethod::ChiSquared => "ChiSquared",
        }
    }
}

/// Effective monitoring configuration, with every default applied.
///
/// Defaults ([`Default`]): `evaluate_constraints` Enabled, `emit_metrics`
/// Enabled, `datatype_check_threshold` 1.0, `domain_content_threshold` 1.0,
/// `perform_comparison` Enabled, `comparison_threshold` 0.1,
/// `comparison_method` Robust, `categorical_comparison_threshold` 0.1,
/// `categorical_drift_method` LInfinity. Unrecognised strings resolve to the
/// default (use [`Constraints::validate`] to reject them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResolvedMonitoringConfig {
    /// Whether constraints are checked.
    pub evaluate_constraints: bool,
    /// Whether CloudWatch metrics are emitted.
    pub emit_metrics: bool,
    /// Minimum share of values with the baseline type.
    pub datatype_check_threshold: f64,
    /// Minimum share of string values in the domain.
    pub domain_content_threshold: f64,
    /// Whether the baseline drift check runs.
    pub perform_comparison: bool,
    /// Numeric drift threshold.
    pub comparison_threshold: f64,
    /// Numeric drift method.
    pub comparison_method: ComparisonMethod,
    /// String drift threshold.
    pub categorical_comparison_threshold: f64,
    /// String drift method.
    pub categorical_drift_method: CategoricalDriftMethod,
}

impl Default for ResolvedMonitoringConfig {
    fn default() -> Self {
        ResolvedMonitoringConfig {
            evaluate_constraints: true,
            emit_metrics: true,
            datatype_check_threshold: 1.0,
            domain_content_threshold: 1.0,
            perform_comparison: true,
            comparison_threshold: 0.1,
            comparison_method: ComparisonMethod::Robust,
            categorical_comparison_threshold: 0.1,
            categorical_drift_method: CategoricalDriftMethod::LInfinity,
        }
    }
}

impl MonitoringConfig {
    /// The effective global configuration (defaults for absent knobs; legacy
    /// `enable_comparisons` is honoured when `perform_comparison` is absent).
    pub fn resolved(&self) -> ResolvedMonitoringConfig {
        let mut r = ResolvedMonitoringConfig::default();
        set_toggle(&mut r.evaluate_constraints, &self.evaluate_constraints);
        set_toggle(&mut r.emit_metrics, &self.emit_metrics);
        set_f64(
            &mut r.datatype_check_threshold,
            self.datatype_check_threshold,
        );
        set_f64(
            &mut r.domain_content_threshold,
            self.domain_content_threshold,
        );
        if let Some(d) = &self.distribution_constraints {
            match (&d.perform_comparison, d.enable_comparisons) {
                (Some(s), _) => set_toggle(&mut r.perform_comparison, &Some(s.clone())),
                (None, Some(b)) => r.perform_comparison = b,
                (None, None) => {}
            }
            set_f64(&mut r.comparison_threshold, d.comparison_threshold);
            set_method(&mut r.comparison_method, &d.comparison_method);
            // Files written before the categorical keys existed have one threshold for every
            // feature: it then applies to String features too.
            set_f64(
                &mut r.categorical_comparison_threshold,
                d.categorical_comparison_threshold
                    .or(d.comparison_threshold),
            );
            set_drift(&mut r.categorical_drift_method, &d.categorical_drift_method);
        }
        r
    }
}

impl MonitoringConfigOverrides {
    /// Applies every knob present here on top of `base`.
    pub fn apply_to(&self, base: &mut ResolvedMonitoringConfig) {
        set_toggle(&mut base.evaluate_constraints, &self.evaluate_constraints);
        set_toggle(&mut base.emit_metrics, &self.emit_metrics);
        set_f64(
            &mut base.datatype_check_threshold,
            self.datatype_check_threshold,
        );
        set_f64(
            &mut base.domain_content_threshold,
            self.domain_content_threshold,
        );
        set_toggle(&mut base.perform_comparison, &self.perform_comparison);
        set_f64(&mut base.comparison_threshold, self.comparison_threshold);
        set_method(&mut base.comparison_method, &self.comparison_method);
        set_f64(
            &mut base.categorical_comparison_threshold,
            self.categorical_comparison_threshold,
        );
        set_drift(
            &mut base.categorical_drift_method,
            &self.categorical_drift_method,
        );
    }
}

fn set_toggle(slot: &mut bool, v: &Option<String>) {
    if let Some(b) = v.as_deref().and_then(parse_toggle) {
        *slot = b;
    }
}

fn set_f64(slot: &mut f64, v: Option<f64>) {
    if let Some(x) = v {
        *slot = x;
    }
}

fn set_method(slot: &mut ComparisonMethod, v: &Option<String>) {
    if let Some(m) = v.as_deref().and_then(ComparisonMethod::parse) {
        *slot = m;
    }
}

fn set_drift(slot: &mut CategoricalDriftMethod, v: &Option<String>) {
    if let Some(m) = v.as_deref().and_then(CategoricalDriftMethod::parse) {
        *slot = m;
    }
}

impl FeatureConstraints {
    /// Every override block of this feature, highest precedence first:
    /// feature-level `monitoringConfigOverrides`, feature-level
    /// `monitoring_config_overrides`, `string_constraints.monitoring_config_overrides`,
    /// `string_constraints.monitoringConfigOverrides`.
    pub fn all_overrides(&self) -> Vec<&MonitoringConfigOverrides> {
        let sc = self.string_constraints.as_ref();
        [
            self.monitoring_config_overrides_camel.as_ref(),
            self.monitoring_config_overrides.as_ref(),
            sc.and_then(|s| s.monitoring_config_overrides.as_ref()),
            sc.and_then(|s| s.monitoring_config_overrides_camel.as_ref()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The highest-precedence override block of this feature (see
    /// [`FeatureConstraints::all_overrides`]), accepting both spellings at both
    /// places.
    pub fn overrides(&self) -> Option<&MonitoringConfigOverrides> {
        self.all_overrides().into_iter().next()
    }
}

/// The effective configuration for one feature: defaults, then the global
/// `monitoring_config` (if any), then the feature's override blocks (a knob set
/// in a higher-precedence block wins; see [`FeatureConstraints::all_overrides`]).
pub fn resolve_feature_config(
    global: Option<&MonitoringConfig>,
    feature: &FeatureConstraints,
) -> ResolvedMonitoringConfig {
    let mut r = global.map(MonitoringConfig::resolved).unwrap_or_default();
    for o in feature.all_overrides().into_iter().rev() {
        o.apply_to(&mut r);
    }
    r
}

impl Constraints {
    /// The effective global configuration (all defaults when there is no
    /// `monitoring_config`).
    pub fn resolved(&self) -> ResolvedMonitoringConfig {
        self.monitoring_config
            .as_ref()
            .map(MonitoringConfig::resolved)
            .unwrap_or_default()
    }

    /// The effective configuration for `feature` (see [`resolve_feature_config`]).
    pub fn resolved_for(&self, feature: &FeatureConstraints) -> ResolvedMonitoringConfig {
        resolve_feature_config(self.monitoring_config.as_ref(), feature)
    }

    /// The feature constraints named `name`, if any.
    pub fn feature(&self, name: &str) -> Option<&FeatureConstraints> {
        self.features.as_ref()?.iter().find(|f| f.name == name)
    }

    /// Checks that every `Enabled`/`Disabled`, `comparison_method` and
    /// `categorical_drift_method` string (globally and in every override block)
    /// is one Model Monitor accepts.
    pub fn validate(&self) -> Result<(), FilesError> {
        fn check(
            field: String,
            v: &Option<String>,
            ok: fn(&str) -> bool,
            expected: &'static str,
        ) -> Result<(), FilesError> {
            match v {
                Some(s) if !ok(s) => Err(FilesError::InvalidValue {
                    field,
                    value: s.clone(),
                    expected,
                }),
                _ => Ok(()),
            }
        }
        let toggle = |s: &str| parse_toggle(s).is_some();
        let method = |s: &str| ComparisonMethod::parse(s).is_some();
        let drift = |s: &str| CategoricalDriftMethod::parse(s).is_some();
        if let Some(m) = &self.monitoring_config {
            let p = "monitoring_config";
            check(
                format!("{p}.evaluate_constraints"),
                &m.evaluate_constraints,
                toggle,
                TOGGLE_VALUES,
            )?;
            check(
                format!("{p}.emit_metrics"),
                &m.emit_metrics,
                toggle,
                TOGGLE_VALUES,
            )?;
            if let Some(d) = &m.distribution_constraints {
                let p = "monitoring_config.distribution_constraints";
                check(
                    format!("{p}.perform_comparison"),
                    &d.perform_comparison,
                    toggle,
                    TOGGLE_VALUES,
                )?;
                check(
                    format!("{p}.comparison_method"),
                    &d.comparison_method,
                    method,
                    METHOD_VALUES,
                )?;
                check(
                    format!("{p}.categorical_drift_method"),
                    &d.categorical_drift_method,
                    drift,
                    DRIFT_VALUES,
                )?;
            }
        }
        for f in self.features.iter().flatten() {
            for o in f.all_overrides() {
                let p = format!("features[{}] overrides", f.name);
                check(
                    format!("{p}.evaluate_constraints"),
                    &o.evaluate_constraints,
                    toggle,
                    TOGGLE_VALUES,
                )?;
                check(
                    format!("{p}.emit_metrics"),
                    &o.emit_metrics,
                    toggle,
                    TOGGLE_VALUES,
                )?;
                check(
                    format!("{p}.perform_comparison"),
                    &o.perform_comparison,
                    toggle,
                    TOGGLE_VALUES,
                )?;
                check(
                    format!("{p}.comparison_method"),
                    &o.comparison_method,
                    method,
                    METHOD_VALUES,
                )?;
                check(
                    format!("{p}.categorical_drift_method"),
                    &o.categorical_drift_method,
                    drift,
                    DRIFT_VALUES,
                )?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// constraint_violations.json
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Lenient number (de)serialization
// ---------------------------------------------------------------------------

fn non_finite_name(x: f64) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else if x > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// Parses a double written as a string: `NaN`, `Infinity`, `-Infinity`
/// (also `+Infinity`, `inf`, …) or any decimal number.
fn f64_from_str(s: &str) -> Option<f64> {
    let t = s.trim();
    match t {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "+Infinity" | "inf" | "+inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => t.parse::<f64>().ok(),
    }
}

struct F64Visitor;

impl Visitor<'_> for F64Visitor {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or one of the strings \"NaN\", \"Infinity\", \"-Infinity\"")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        f64_from_str(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// An `f64` read leniently (see [`F64Visitor`]).
struct LenientF64(f64);

impl<'de> Deserialize<'de> for LenientF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(F64Visitor).map(LenientF64)
    }
}

fn serialize_f64<S: Serializer>(x: f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(x)
    } else {
        s.serialize_str(non_finite_name(x))
    }
}

/// `f64` fields: numbers or `"NaN"`/`"Infinity"` strings when reading; written
/// as doubles, non-finite values as those strings.
mod lenient_f64 {
    use super::{Deserializer, F64Visitor, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        super::serialize_f64(*x, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        d.deserialize_any(F64Visitor)
    }
}

/// `Option<f64>` fields: as [`lenient_f64`], `null` reads as `None`.
mod lenient_opt_f64 {
    use super::{Deserialize, Deserializer, LenientF64, Serializer};

    pub fn serialize<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match x {
            Some(v) => super::serialize_f64(*v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(Option::<LenientF64>::deserialize(d)?.map(|v| v.0))
    }
}

/// `u64` counts: accept `24`, `24.0` (any non-negative whole double) and
/// numeric strings; written as integers.
mod lenient_u64 {
    use super::{de, f64_from_str, fmt, Deserializer, Serializer, Visitor};

    struct U64Visitor;

    /// 2^64 as f64; whole doubles below it fit in u64.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;

    fn from_f64<E: de::Error>(v: f64) -> Result<u64, E> {
        if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < LIMIT {
            Ok(v as u64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &U64Visitor))
        }
    }

    impl Visitor<'_> for U64Visitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative whole number")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            from_f64(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            if let Ok(n) = v.trim().parse::<u64>() {
                return Ok(n);
            }
            match f64_from_str(v) {
                Some(x) => from_f64(x),
                None => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }

    pub fn serialize<S: Serializer>(x: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*x)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(U64Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::{Path, PathBuf};

    fn fixtures() -> Option<PathBuf> {
        let dir = match std::env::var_os("DRIFTMON_SHARED_DIR") {
            Some(d) => PathBuf::from(d),
            None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
        };
        let dir = dir.join("fixtures/sagemaker");
        if dir.is_dir() {
            Some(dir)
        } else {
            println!("skipped: shared fixtures absent");
            None
        }
    }

    /// JSON equality where numbers compare by their f64 value, so an integer in
    /// the original equals the same whole double in our output. This is only
    /// needed where a hand-written original used an integer for a field we type
    /// as `f64` (none of the AWS-written files do; byte identity covers those).
    /// Objects compare as key sets (order-insensitive).
    fn json_eq(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
            }
            _ => a == b,
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Statistics,
        Constraints,
        Violations,
    }

    /// How the written file must compare with the original.
    #[derive(Clone, Copy, PartialEq)]
    enum Expect {
        /// Jackson-formatted AWS output: byte-identical.
        Bytes,
        /// Byte-identical except that the original ends with one extra LF.
        BytesPlusTrailingLf,
        /// Hand-written: equal as JSON.
        Semantic,
        /// Hand-edited model-card file without `version`/`dataset`: equal as JSON
        /// once the `version`/`dataset` we add are removed.
        SemanticWithoutVersionDataset,
    }

    const FIXTURES: &[(&str, Kind, Expect)] = &[
        (
            "sdk-data-quality-baseline-headerless-csv/statistics.json",
            Kind::Statistics,
            Expect::Bytes,
        ),
        (
            "sdk-data-quality-baseline-headerless-csv/constraints.good_case.json",
            Kind::Constraints,
            Expect::Bytes,
        ),
        (
            "sdk-data-quality-baseline-headerless-csv/constraints.bad_case.json",
            Kind::Constraints,
            Expect::Bytes,
        ),
        (
            "sdk-model-quality-regression-baseline/statistics.json",
            Kind::Statistics,
            Expect::Bytes,
        ),
        (
            "sdk-model-quality-regression-baseline/constraints.good_case.json",
            Kind::Constraints,
            Expect::Bytes,
        ),
        (
            "sdk-model-quality-regression-baseline/constraints.bad_case.json",
            Kind::Constraints,
            Expect::Bytes,
        ),
        (
            "sdk-model-card-model-quality-statistics/model_monitor_model_quality_regression.json",
            Kind::Statistics,
            Expect::Bytes,
        ),
        (
            "sdk-model-card-model-quality-statistics/model_monitor_model_quality_binary_classification.json",
            Kind::Statistics,
            Expect::SemanticWithoutVersionDataset,
        ),
        (
            "sdk-monitor-testdata/statistics.json",
            Kind::Statistics,
            Expect::Semantic,
        ),
        (
            "sdk-monitor-testdata/constraints.json",
            Kind::Constraints,
            Expect::Semantic,
        ),
        (
            "sdk-monitor-testdata/constraint_violations.json",
            Kind::Violations,
            Expect::BytesPlusTrailingLf,
        ),
    ];

    fn round_trip(bytes: &[u8], kind: Kind) -> String {
        match kind {
            Kind::Statistics => to_jackson(&parse_statistics(bytes).unwrap()).unwrap(),
            Kind::Constraints => to_jackson(&parse_constraints(bytes).unwrap()).unwrap(),
            Kind::Violations => to_jackson(&parse_violations(bytes).unwrap()).unwrap(),
        }
    }

    #[test]
    fn fixtures_round_trip() {
        let Some(dir) = fixtures() else {
            return;
        };
        for &(rel, kind, expect) in FIXTURES {
            let path: &Path = &dir.join(rel);
            let bytes = std::fs::read(path).unwrap();
            let text = String::from_utf8(bytes.clone()).unwrap();
            let ours = round_trip(&bytes, kind);
            let original: Value = serde_json::from_slice(&bytes).unwrap();
            let mut reparsed: Value = serde_json::from_str(&ours).unwrap();
            if expect == Expect::SemanticWithoutVersionDataset {
                let obj = reparsed.as_object_mut().unwrap();
                assert_eq!(obj.shift_remove("version"), Some(json!(0.0)));
                assert_eq!(obj.shift_remove("dataset"), Some(json!({"item_count": 0})));
            }
            assert!(
                json_eq(&original, &reparsed),
                "{rel}: not equal as JSON\n--- ours ---\n{ours}"
            );
            match expect {
                Expect::Bytes => assert!(ours == text, "{rel}: bytes differ\n{ours}"),
                Expect::BytesPlusTrailingLf => {
                    assert!(format!("{ours}\n") == text, "{rel}: bytes differ\n{ours}")
                }
                Expect::Semantic | Expect::SemanticWithoutVersionDataset => {}
            }
            // Writing what we read back gives the same bytes again.
            assert_eq!(round_trip(ours.as_bytes(), kind), ours, "{rel}: not stable");
        }
    }

    #[test]
    fn typed_content_of_fixtures() {
        let Some(dir) = fixtures() else {
            return;
        };
        let read = |rel: &str| std::fs::read(dir.join(rel)).unwrap();

        let s = parse_statistics(&read(
            "sdk-data-quality-baseline-headerless-csv/statistics.json",
        ))
        .unwrap();
        assert_eq!(s.version, 0.0);
        assert_eq!(s.dataset.item_count, 100);
        let features = s.features.as_ref().unwrap();
        assert_eq!(features.len(), 6);
        let c0 = features[0].numerical_statistics.as_ref().unwrap();
        assert_eq!(features[0].name, "_c0");
        assert_eq!(c0.common.num_present, 100);
        assert_eq!(c0.sum, 231.0);
        assert_eq!(c0.std_dev, 0.8330066026148891);
        assert_eq!(c0.distribution.kll.buckets.len(), 10);
        assert_eq!(c0.distribution.kll.buckets[0].count, 24.0);
        assert_eq!(c0.distribution.kll.sketch.parameters.c, 0.64);
        assert_eq!(c0.distribution.kll.sketch.parameters.k, 2048.0);
        assert_eq!(c0.distribution.kll.sketch.data[0].len(), 100);
        assert!(s.extra.is_empty());

        let s = parse_statistics(&read(
            "sdk-model-card-model-quality-statistics/model_monitor_model_quality_regression.json",
        ))
        .unwrap();
        assert_eq!(s.dataset.item_count, 627);
        assert_eq!(
            s.dataset.evaluation_time.as_deref(),
            Some("2023-03-30T21:08:34.729Z")
        );
        let keys: Vec<&String> = s.regression_metrics.as_ref().unwrap().keys().collect();
        assert_eq!(keys, ["mae", "mse", "rmse", "r2"]);

        let s = parse_statistics(&read("sdk-monitor-testdata/statistics.json")).unwrap();
        let st = s.features.as_ref().unwrap()[0]
            .string_statistics
            .as_ref()
            .unwrap();
        assert_eq!(st.distinct_count, 1.0);
        assert_eq!(st.distribution.categorical.buckets[0].count, 418);

        let c = parse_constraints(&read(
            "sdk-model-quality-regression-baseline/constraints.good_case.json",
        ))
        .unwrap();
        let rc = c.regression_constraints.as_ref().unwrap();
        let names: Vec<&str> = rc.iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["mae", "mse", "rmse", "r2"]);
        let r2 = rc.get("r2").unwrap();
        assert_eq!(r2.threshold, -3.208758170289026);
        assert_eq!(r2.comparison_operator, "LessThanThreshold");

        let v = parse_violations(&read("sdk-monitor-testdata/constraint_violations.json")).unwrap();
        assert_eq!(v.violations.len(), 7);
        assert_eq!(
            v.violations[0].feature_name.as_deref(),
            Some("store_and_fwd_flag")
        );
        assert_eq!(
            v.violations[0].constraint_check_type,
            "categorical_values_check"
        );
    }

    #[test]
    fn resolved_config_of_real_suggestion() {
        let Some(dir) = fixtures() else {
            return;
        };
        let c = parse_constraints(
            &std::fs::read(
                dir.join("sdk-data-quality-baseline-headerless-csv/constraints.good_case.json"),
            )
            .unwrap(),
        )
        .unwrap();
        c.validate().unwrap();
        assert_eq!(c.resolved(), ResolvedMonitoringConfig::default());
        let f = c.feature("_c0").unwrap();
        assert_eq!(f.completeness, Some(1.0));
        assert_eq!(
            f.num_constraints.as_ref().unwrap().is_non_negative,
            Some(true)
        );
        assert!(f.overrides().is_none());
        assert_eq!(c.resolved_for(f), ResolvedMonitoringConfig::default());
    }

    #[test]
    fn resolved_config_with_legacy_keys() {
        let Some(dir) = fixtures() else {
            return;
        };
        let c = parse_constraints(
            &std::fs::read(dir.join("sdk-monitor-testdata/constraints.json")).unwrap(),
        )
        .unwrap();
        c.validate().unwrap();
        let d = c
            .monitoring_config
            .as_ref()
            .unwrap()
            .distribution_constraints
            .as_ref()
            .unwrap();
        assert_eq!(d.enable_comparisons, Some(true));
        assert_eq!(d.min_domain_mass, Some(1.0));
        assert!(d.extra.is_empty());
        let g = c.resolved();
        assert!(g.perform_comparison);
        assert_eq!(g.comparison_threshold, 1.0);
        assert_eq!(g.comparison_method, ComparisonMethod::Robust);
        assert_eq!(g.datatype_check_threshold, 1.0);

        let message = c.feature("message").unwrap();
        let o = message.overrides().unwrap();
        assert_eq!(o.evaluate_constraints.as_deref(), Some("Enabled"));
        assert_eq!(o.emit_metrics.as_deref(), Some("Enabled"));
        assert_eq!(c.resolved_for(message), g);
        assert!(c.feature("second_message").unwrap().overrides().is_none());

        // Legacy enable_comparisons=false disables the drift check, unless
        // perform_comparison says otherwise.
        let mut legacy = c.monitoring_config.clone().unwrap();
        let dc = legacy.distribution_constraints.as_mut().unwrap();
        dc.enable_comparisons = Some(false);
        assert!(!legacy.resolved().perform_comparison);
        let dc = legacy.distribution_constraints.as_mut().unwrap();
        dc.perform_comparison = Some("Enabled".to_string());
        assert!(legacy.resolved().perform_comparison);
    }

    #[test]
    fn overrides_both_spellings_and_places() {
        let c = parse_constraints(
            br#"{
  "version": 0,
  "features": [
    {"name": "a", "inferred_type": "String",
     "string_constraints": {"domains": ["x"],
        "monitoring_config_overrides": {"evaluate_constraints": "Disabled"}}},
    {"name": "b", "inferred_type": "String",
     "string_constraints": {"domains": ["x"],
        "monitoringConfigOverrides": {"categorical_drift_method": "ChiSquared"}}},
    {"name": "c", "inferred_type": "Integral",
     "monitoringConfigOverrides": {"comparison_threshold": 0.3, "comparison_method": "Simple",
                                   "future_knob": 1}},
    {"name": "d", "inferred_type": "Integral",
     "monitoring_config_overrides": {"datatype_check_threshold": 0.5, "emit_metrics": "Disabled"}},
    {"name": "e", "inferred_type": "String",
     "monitoringConfigOverrides": {"perform_comparison": "Disabled"},
     "string_constraints": {"monitoring_config_overrides":
        {"perform_comparison": "Enabled", "domain_content_threshold": 0.25}}}
  ],
  "monitoring_config": {"comparison_threshold": 0.7,
     "distribution_constraints": {"comparison_threshold": 0.2, "categorical_comparison_threshold": "0.4"}}
}"#,
        )
        .unwrap();
        c.validate().unwrap();
        // Unknown top-level key inside monitoring_config is kept.
        assert_eq!(
            c.monitoring_config
                .as_ref()
                .unwrap()
                .extra
                .get("comparison_threshold"),
            Some(&json!(0.7))
        );
        let g = c.resolved();
        assert_eq!(g.comparison_threshold, 0.2);
        assert_eq!(g.categorical_comparison_threshold, 0.4);

        let r = |n: &str| c.resolved_for(c.feature(n).unwrap());
        assert!(!r("a").evaluate_constraints);
        assert!(r("a").emit_metrics);
        assert_eq!(
            r("b").categorical_drift_method,
            CategoricalDriftMethod::ChiSquared
        );
        assert_eq!(r("c").comparison_threshold, 0.3);
        assert_eq!(r("c").comparison_method, ComparisonMethod::Simple);
        assert_eq!(r("c").categorical_comparison_threshold, 0.4);
        assert_eq!(
            c.feature("c")
                .unwrap()
                .overrides()
                .unwrap()
                .extra
                .get("future_knob"),
            Some(&json!(1))
        );
        assert_eq!(r("d").datatype_check_threshold, 0.5);
        assert!(!r("d").emit_metrics);
        // Feature-level camelCase beats string_constraints; knobs merge.
        let e = r("e");
        assert!(!e.perform_comparison);
        assert_eq!(e.domain_content_threshold, 0.25);
        assert_eq!(c.feature("e").unwrap().all_overrides().len(), 2);
        assert_eq!(
            c.feature("e")
                .unwrap()
                .overrides()
                .unwrap()
                .perform_comparison
                .as_deref(),
            Some("Disabled")
        );

        // Both spellings are written back as they were read.
        let out: Value = serde_json::from_str(&to_jackson(&c).unwrap()).unwrap();
        assert!(out["features"][1]["string_constraints"]["monitoringConfigOverrides"].is_object());
        assert!(out["features"][2]["monitoringConfigOverrides"].is_object());
        assert!(out["features"][3]["monitoring_config_overrides"].is_object());
        assert_eq!(
            out["features"][2]["monitoringConfigOverrides"]["future_knob"],
            json!(1)
        );
    }

    #[test]
    fn validate_rejects_unknown_values() {
        let c = parse_constraints(
            br#"{"version": 0.0, "monitoring_config": {"distribution_constraints": {"comparison_method": "Robustt"}}}"#,
        )
        .unwrap();
        // Resolution falls back to the default...
        assert_eq!(c.resolved().comparison_method, ComparisonMethod::Robust);
        // ...but validation reports it.
        let err = c.validate().unwrap_err();
        assert!(err.to_string().contains("Robustt"), "{err}");
        assert!(err.to_string().contains("comparison_method"), "{err}");
    }

    #[test]
    fn empty_violations() {
        let v = ConstraintViolations::default();
        assert_eq!(to_jackson(&v).unwrap(), "{\n  \"violations\" : [ ]\n}");
        let parsed = parse_violations(b"{\"violations\": []}").unwrap();
        assert_eq!(parsed, v);
    }

    #[test]
    fn model_quality_violation_order() {
        let v = ConstraintViolations {
            violations: vec![Violation {
                metric_name: Some("mse".to_string()),
                constraint_check_type: "GreaterThanThreshold".to_string(),
                description: "Metric mse with 0.33 was GreaterThanThreshold 0.03".to_string(),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            to_jackson(&v).unwrap(),
            "{\n  \"violations\" : [ {\n    \"metric_name\" : \"mse\",\n    \"constraint_check_type\" : \"GreaterThanThreshold\",\n    \"description\" : \"Metric mse with 0.33 was GreaterThanThreshold 0.03\"\n  } ]\n}"
        );
    }

    #[test]
    fn lenient_numbers() {
        let s = parse_statistics(
            br#"{"version": 0, "dataset": {"item_count": 24.0},
                 "features": [{"name": "x", "inferred_type": "Fractional",
                   "numerical_statistics": {"common": {"num_present": "3", "num_missing": 0.0},
                     "mean": "NaN", "sum": 1, "std_dev": "Infinity", "min": "-Infinity", "max": 2,
                     "distribution": {"kll": {"buckets": [{"lower_bound": 0, "upper_bound": 1, "count": 3}],
                       "sketch": {"parameters": {"c": 0.64, "k": 2048}, "data": [[1, 2.5]]}}}}}]}"#,
        )
        .unwrap();
        assert_eq!(s.dataset.item_count, 24);
        let n = s.features.as_ref().unwrap()[0]
            .numerical_statistics
            .as_ref()
            .unwrap();
        assert_eq!(n.common.num_present, 3);
        assert_eq!(n.common.num_missing, 0);
        assert!(n.mean.is_nan());
        assert_eq!(n.std_dev, f64::INFINITY);
        assert_eq!(n.min, f64::NEG_INFINITY);
        assert_eq!(n.sum, 1.0);
        let out = to_jackson(&s).unwrap();
        assert!(out.contains("\"item_count\" : 24\n"), "{out}");
        assert!(out.contains("\"num_present\" : 3,"), "{out}");
        assert!(out.contains("\"mean\" : \"NaN\","), "{out}");
        assert!(out.contains("\"sum\" : 1.0,"), "{out}");
        assert!(out.contains("\"std_dev\" : \"Infinity\","), "{out}");
        assert!(out.contains("\"min\" : \"-Infinity\","), "{out}");
        assert!(out.contains("\"k\" : 2048.0"), "{out}");
        assert!(out.contains("[ [ 1.0, 2.5 ] ]"), "{out}");

        for bad in [
            &br#"{"dataset": {"item_count": 2.5}}"#[..],
            br#"{"dataset": {"item_count": -1}}"#,
            br#"{"dataset": {"item_count": "many"}}"#,
            br#"{"version": "zero"}"#,
        ] {
            assert!(parse_statistics(bad).is_err());
        }
    }

    #[test]
    fn parse_error_mentions_file_and_position() {
        let err = parse_statistics(b"{\n  \"version\" : 0.0,\n  \"dataset\" : [ ]\n}").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("statistics.json"), "{msg}");
        assert!(msg.contains("line 3"), "{msg}");
        assert!(std::error::Error::source(&err).is_some());
        let err = parse_constraints(b"{").unwrap_err();
        assert!(err.to_string().contains("constraints.json"));
        let err = parse_violations(b"[]").unwrap_err();
        assert!(err.to_string().contains("constraint_violations.json"));
    }

    #[test]
    fn writes_our_own_statistics_in_aws_format() {
        let s = Statistics {
            version: 0.0,
            dataset: Dataset {
                item_count: 2,
                ..Default::default()
            },
            features: Some(vec![FeatureStatistics {
                name: "s".to_string(),
                inferred_type: "String".to_string(),
                string_statistics: Some(StringStatistics {
                    common: Common {
                        num_present: 2,
                        num_missing: 0,
                        ..Default::default()
                    },
                    distinct_count: 1.0,
                    distribution: CategoricalDistribution {
                        categorical: Categorical {
                            buckets: vec![CategoricalBucket {
                                value: "a".to_string(),
                                count: 2,
                            }],
                            ..Default::default()
                        },
                        ..Default::default()
                    },
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        };
        assert_eq!(
            to_jackson(&s).unwrap(),
            r#"{
  "version" : 0.0,
  "dataset" : {
    "item_count" : 2
  },
  "features" : [ {
    "name" : "s",
    "inferred_type" : "String",
    "string_statistics" : {
      "common" : {
        "num_present" : 2,
        "num_missing" : 0
      },
      "distinct_count" : 1.0,
      "distribution" : {
        "categorical" : {
          "buckets" : [ {
            "value" : "a",
            "count" : 2
          } ]
        }
      }
    }
  } ]
}"#
        );
    }
}
