//! `statistics.json`: the typed model of the data-quality statistics (per feature: common
//! counts, numerical statistics with the KLL sketch and its buckets, string statistics with the
//! categorical distribution) and the model-quality metrics, in AWS's key order. Written by
//! [`crate::suggest`] from a profile, read back by the rules as the baseline.

use super::lenient::{lenient_f64, lenient_u64};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
