//! The metric catalog: every CloudWatch metric driftmon publishes, with SageMaker's namespaces,
//! names and dimensions, plus driftmon's own; the points of one run, derived from its outputs;
//! and [`encode`], which packs points into `PutMetricData` requests within the API's limits.
//!
//! SageMaker's metrics are described by AWS in
//! <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-cloudwatch.html> and
//! <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-metrics.html>.
//! Where AWS's pages disagree on the data-quality namespace, the form in real alarms and AWS's own
//! samples is used (the table below).
//!
//! The CloudWatch sink, the local JSON-lines sink and `driftmon dashboards` all read this one
//! catalog, so a dashboard or alarm cannot name a metric the sink does not publish.
//!
//! | namespace | metric | value |
//! |---|---|---|
//! | `aws/sagemaker/Endpoints/data-metrics` | `feature_data_{feature}` | numeric features: `StatisticValues` (SampleCount, Sum, Minimum, Maximum) of the window |
//! | | `feature_non_null_{feature}` | completeness, `num_present / (num_present + num_missing)` |
//! | | `feature_baseline_drift_{feature}` | the value `baseline_drift_check` compares: the L∞ distance (or the χ² goodness-of-fit p-value when `categorical_drift_method` is `ChiSquared`) |
//! | `aws/sagemaker/Endpoints/model-metrics` | `accuracy`, `f1`, `auc`, `mae`, `rmse`, `r2`, … | the bare keys of model-quality `statistics.json` |
//! | `driftmon/Endpoints/drift-metrics` | `feature_psi_{feature}`, `feature_ks_statistic_{feature}`, `feature_ks_p_value_{feature}` | driftmon's drift scores |
//! | | `records_read`, `records_rejected`, `records_rejected_ratio`, `constraint_violations` | the run's counters |
//!
//! Dimensions: `Endpoint` and `MonitoringSchedule` (batch-transform monitoring: `MonitoringSchedule`
//! only, under the `…/ModelMonitoring/…` namespaces). The timestamp is the end of the window (the
//! execution's scheduled hour).
//!
//! Pure: no clock, no I/O.

/// SageMaker's data-quality namespace for endpoints.
pub const DATA_QUALITY_NAMESPACE: &str = "aws/sagemaker/Endpoints/data-metrics";
/// SageMaker's data-quality namespace for batch-transform monitoring.
pub const DATA_QUALITY_BATCH_NAMESPACE: &str = "aws/sagemaker/ModelMonitoring/data-metrics";
/// SageMaker's model-quality namespace for endpoints.
pub const MODEL_QUALITY_NAMESPACE: &str = "aws/sagemaker/Endpoints/model-metrics";
/// SageMaker's model-quality namespace for batch-transform monitoring.
pub const MODEL_QUALITY_BATCH_NAMESPACE: &str = "aws/sagemaker/ModelMonitoring/model-metrics";
/// driftmon's own metrics for endpoints.
pub const DRIFTMON_NAMESPACE: &str = "driftmon/Endpoints/drift-metrics";
/// driftmon's own metrics for batch-transform monitoring.
pub const DRIFTMON_BATCH_NAMESPACE: &str = "driftmon/ModelMonitoring/drift-metrics";
/// The endpoint dimension.
pub const DIM_ENDPOINT: &str = "Endpoint";
/// The schedule dimension.
pub const DIM_SCHEDULE: &str = "MonitoringSchedule";

/// PutMetricData: metrics per request.
pub const MAX_DATUMS_PER_REQUEST: usize = 1000;
/// PutMetricData: request payload, bytes.
pub const MAX_REQUEST_BYTES: usize = 1_048_576;
/// The share of [`MAX_REQUEST_BYTES`] a batch may fill by [`encoded_size`]'s estimate (the rest
/// is headroom for the envelope and signing headers).
pub const REQUEST_BYTES_BUDGET: usize = 960_000;
/// PutMetricData: dimensions per metric.
pub const MAX_DIMENSIONS: usize = 30;
/// Longest metric name, namespace or dimension name.
pub const MAX_NAME_LEN: usize = 255;
/// Longest dimension value.
pub const MAX_DIMENSION_VALUE_LEN: usize = 1024;
/// CloudWatch rejects magnitudes above 2³⁶⁰ …
pub const MAX_MAGNITUDE: f64 = 2.348_542_582_773_833_2e108;
/// … and below 2⁻²⁶⁰ (other than zero): such values are published as 0.
pub const MIN_MAGNITUDE: f64 = 5.397_605_346_934_028e-79;

mod catalog;
mod encode;
mod outputs;
mod point;

pub use catalog::*;
pub use encode::*;
pub use outputs::*;
pub use point::*;

#[cfg(test)]
mod tests;
