//! The metric catalog: every CloudWatch metric driftmon publishes, with SageMaker's namespaces,
//! names and dimensions (`sagemaker-compat.md` §7), plus driftmon's own; the points of one run,
//! derived from its outputs; and [`encode`], which packs points into `PutMetricData` requests
//! within the API's limits.
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

use driftmon_baseline::capture::format_timestamp_ms;
use driftmon_baseline::files::Statistics;
use serde_json::{json, Map, Value};

use crate::report::{DriftReport, FeatureReport};

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

/// What a metric is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One metric per feature; the name has a `{feature}` placeholder.
    Feature,
    /// One metric per model-quality key; the name is the key (`{metric}`).
    ModelMetric,
    /// One metric per run.
    Run,
}

/// Every kind of metric published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// `feature_data_{f}`: the window's numeric values as statistic values.
    FeatureData,
    /// `feature_non_null_{f}`: completeness.
    FeatureNonNull,
    /// `feature_baseline_drift_{f}`: SageMaker's drift distance.
    FeatureBaselineDrift,
    /// A model-quality metric (bare key).
    ModelQuality,
    /// `feature_psi_{f}` (driftmon).
    FeaturePsi,
    /// `feature_ks_statistic_{f}` (driftmon).
    FeatureKsStatistic,
    /// `feature_ks_p_value_{f}` (driftmon; raw, before the correction across features).
    FeatureKsPValue,
    /// `records_read` (driftmon).
    RecordsRead,
    /// `records_rejected` (driftmon).
    RecordsRejected,
    /// `records_rejected_ratio` (driftmon): rejected / read.
    RecordsRejectedRatio,
    /// `constraint_violations` (driftmon): violations written.
    ConstraintViolations,
}

/// One entry of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// The kind.
    pub kind: MetricKind,
    /// Namespace for endpoint monitoring.
    pub namespace: &'static str,
    /// Namespace for batch-transform monitoring.
    pub batch_namespace: &'static str,
    /// The name, with `{feature}` for per-feature metrics; empty for model-quality keys.
    pub name: &'static str,
    /// What the metric is about.
    pub scope: Scope,
    /// CloudWatch unit.
    pub unit: &'static str,
    /// The statistic dashboards and alarms read.
    pub statistic: &'static str,
    /// What it means.
    pub description: &'static str,
}

impl MetricDef {
    /// The metric name for `subject` (a feature, a model-quality key; ignored for run metrics).
    pub fn metric_name(&self, subject: &str) -> String {
        match self.scope {
            Scope::Feature => self.name.replace("{feature}", subject),
            Scope::ModelMetric => subject.to_owned(),
            Scope::Run => self.name.to_owned(),
        }
    }

    /// The namespace for `target`.
    pub fn namespace_for(&self, target: &Target<'_>) -> &'static str {
        match target {
            Target::Endpoint(_) => self.namespace,
            Target::Batch => self.batch_namespace,
        }
    }
}

/// The catalog, in publishing order.
pub static CATALOG: &[MetricDef] = &[
    MetricDef {
        kind: MetricKind::FeatureData,
        namespace: DATA_QUALITY_NAMESPACE,
        batch_namespace: DATA_QUALITY_BATCH_NAMESPACE,
        name: "feature_data_{feature}",
        scope: Scope::Feature,
        unit: "None",
        statistic: "Average",
        description: "SageMaker: the window's values of a numeric feature (SampleCount, Sum, Minimum, Maximum)",
    },
    MetricDef {
        kind: MetricKind::FeatureNonNull,
        namespace: DATA_QUALITY_NAMESPACE,
        batch_namespace: DATA_QUALITY_BATCH_NAMESPACE,
        name: "feature_non_null_{feature}",
        scope: Scope::Feature,
        unit: "None",
        statistic: "Sum",
        description: "SageMaker: completeness, the share of rows where the feature is present",
    },
    MetricDef {
        kind: MetricKind::FeatureBaselineDrift,
        namespace: DATA_QUALITY_NAMESPACE,
        batch_namespace: DATA_QUALITY_BATCH_NAMESPACE,
        name: "feature_baseline_drift_{feature}",
        scope: Scope::Feature,
        unit: "None",
        statistic: "Sum",
        description: "SageMaker: the baseline drift distance (L-infinity; chi-squared p-value with ChiSquared)",
    },
    MetricDef {
        kind: MetricKind::ModelQuality,
        namespace: MODEL_QUALITY_NAMESPACE,
        batch_namespace: MODEL_QUALITY_BATCH_NAMESPACE,
        name: "",
        scope: Scope::ModelMetric,
        unit: "None",
        statistic: "Average",
        description: "SageMaker: a model-quality metric, named by its key in statistics.json",
    },
    MetricDef {
        kind: MetricKind::FeaturePsi,
        namespace: DRIFTMON_NAMESPACE,
        batch_namespace: DRIFTMON_BATCH_NAMESPACE,
        name: "feature_psi_{feature}",
        scope: Scope::Feature,
        unit: "None",
        statistic: "Maximum",
        description: "driftmon: population stability index against the baseline",
    },
    MetricDef {
        kind: MetricKind::FeatureKsStatistic,
        namespace: DRIFTMON_NAMESPACE,
        batch_namespace: DRIFTMON_BATCH_NAMESPACE,
        name: "feature_ks_statistic_{feature}",
        scope: Scope::Feature,
        unit: "None",
        statistic: "Maximum",
        description: "driftmon: two-sample Kolmogorov-Smirnov statistic D",
    },
    MetricDef {
        kind: MetricKind::FeatureKsPValue,
        namespace: DRIFTMON_NAMESPACE,
        batch_namespace: DRIFTMON_BATCH_NAMESPACE,
        name: "feature_ks_p_value_{feature}",
        scope: Scope::Feature,
        unit: "None",
        statistic: "Minimum",
        description: "driftmon: KS p-value (raw; values below 2^-260 are published as 0)",
    },
    MetricDef {
        kind: MetricKind::RecordsRead,
        namespace: DRIFTMON_NAMESPACE,
        batch_namespace: DRIFTMON_BATCH_NAMESPACE,
        name: "records_read",
        scope: Scope::Run,
        unit: "Count",
        statistic: "Sum",
        description: "driftmon: capture records read in the window's objects",
    },
    MetricDef {
        kind: MetricKind::RecordsRejected,
        namespace: DRIFTMON_NAMESPACE,
        batch_namespace: DRIFTMON_BATCH_NAMESPACE,
        name: "records_rejected",
        scope: Scope::Run,
        unit: "Count",
        statistic: "Sum",
        description: "driftmon: records rejected (malformed, wrong width, bad time, ...)",
    },
    MetricDef {
        kind: MetricKind::RecordsRejectedRatio,
        namespace: DRIFTMON_NAMESPACE,
        batch_namespace: DRIFTMON_BATCH_NAMESPACE,
        name: "records_rejected_ratio",
        scope: Scope::Run,
        unit: "None",
        statistic: "Maximum",
        description: "driftmon: records rejected / records read",
    },
    MetricDef {
        kind: MetricKind::ConstraintViolations,
        namespace: DRIFTMON_NAMESPACE,
        batch_namespace: DRIFTMON_BATCH_NAMESPACE,
        name: "constraint_violations",
        scope: Scope::Run,
        unit: "Count",
        statistic: "Maximum",
        description: "driftmon: violations written to constraint_violations.json",
    },
];

/// The catalog entry of `kind`.
pub fn def(kind: MetricKind) -> &'static MetricDef {
    // Every kind has exactly one entry (a unit test checks it); the fallback is unreachable.
    CATALOG
        .iter()
        .find(|d| d.kind == kind)
        .unwrap_or(&CATALOG[0])
}

/// Model-quality keys of binary classification (scalar ones: the ones published).
pub const BINARY_CLASSIFICATION_METRICS: &[&str] = &[
    "accuracy",
    "precision",
    "recall",
    "f0_5",
    "f1",
    "f2",
    "auc",
    "true_positive_rate",
    "true_negative_rate",
    "false_positive_rate",
    "false_negative_rate",
    "accuracy_best_constant_classifier",
    "precision_best_constant_classifier",
    "recall_best_constant_classifier",
    "f0_5_best_constant_classifier",
    "f1_best_constant_classifier",
    "f2_best_constant_classifier",
];
/// Model-quality keys of multiclass classification.
pub const MULTICLASS_CLASSIFICATION_METRICS: &[&str] = &[
    "accuracy",
    "weighted_recall",
    "weighted_precision",
    "weighted_f0_5",
    "weighted_f1",
    "weighted_f2",
    "accuracy_best_constant_classifier",
    "weighted_recall_best_constant_classifier",
    "weighted_precision_best_constant_classifier",
    "weighted_f0_5_best_constant_classifier",
    "weighted_f1_best_constant_classifier",
    "weighted_f2_best_constant_classifier",
];
/// Model-quality keys of regression.
pub const REGRESSION_METRICS: &[&str] = &["mae", "mse", "rmse", "r2"];

/// Whether a larger value of a model-quality metric is worse (errors and false rates).
pub fn lower_is_better(metric: &str) -> bool {
    matches!(
        metric,
        "mae" | "mse" | "rmse" | "false_positive_rate" | "false_negative_rate"
    )
}

/// What is monitored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// A real-time endpoint.
    Endpoint(&'a str),
    /// A batch-transform job (no endpoint dimension).
    Batch,
}

/// Where a run's points go: the monitored target, the schedule, and the time (ms since the epoch).
#[derive(Debug, Clone, Copy)]
pub struct PointContext<'a> {
    /// The endpoint (or batch).
    pub target: Target<'a>,
    /// The `MonitoringSchedule` dimension.
    pub schedule: &'a str,
    /// The timestamp: the end of the window.
    pub timestamp_ms: i64,
}

impl PointContext<'_> {
    /// SageMaker's dimensions: `Endpoint` (endpoints only) and `MonitoringSchedule`.
    pub fn dimensions(&self) -> Vec<Dimension> {
        let mut d = Vec::with_capacity(2);
        if let Target::Endpoint(e) = self.target {
            d.push(Dimension::new(DIM_ENDPOINT, e));
        }
        d.push(Dimension::new(DIM_SCHEDULE, self.schedule));
        d
    }

    fn point(&self, kind: MetricKind, subject: &str, value: MetricValue) -> MetricPoint {
        let def = def(kind);
        MetricPoint {
            namespace: def.namespace_for(&self.target).to_owned(),
            name: def.metric_name(subject),
            dimensions: self.dimensions(),
            value,
            unit: def.unit.to_owned(),
            timestamp_ms: self.timestamp_ms,
        }
    }
}

/// A dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl Dimension {
    /// A dimension.
    pub fn new(name: &str, value: &str) -> Dimension {
        Dimension {
            name: name.to_owned(),
            value: value.to_owned(),
        }
    }
}

/// A datum's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricValue {
    /// One value.
    Single(f64),
    /// A set of values summarised (PutMetricData's `StatisticValues`).
    Statistics {
        /// How many values.
        sample_count: f64,
        /// Their sum.
        sum: f64,
        /// The smallest.
        minimum: f64,
        /// The largest.
        maximum: f64,
    },
}

impl MetricValue {
    fn numbers(&self) -> Vec<f64> {
        match *self {
            MetricValue::Single(v) => vec![v],
            MetricValue::Statistics {
                sample_count,
                sum,
                minimum,
                maximum,
            } => vec![sample_count, sum, minimum, maximum],
        }
    }
}

/// One datum to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    /// The namespace.
    pub namespace: String,
    /// The metric name.
    pub name: String,
    /// The dimensions.
    pub dimensions: Vec<Dimension>,
    /// The value.
    pub value: MetricValue,
    /// CloudWatch unit (`None`, `Count`, …).
    pub unit: String,
    /// When, ms since the epoch.
    pub timestamp_ms: i64,
}

impl MetricPoint {
    /// The point as JSON: PutMetricData's `MetricDatum` fields (the schema of SageMaker's
    /// bring-your-own-container metric files) plus `Namespace`. One line of the local sink.
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("Namespace".into(), json!(self.namespace));
        o.insert("MetricName".into(), json!(self.name));
        o.insert(
            "Timestamp".into(),
            json!(format_timestamp_ms(self.timestamp_ms)),
        );
        o.insert(
            "Dimensions".into(),
            Value::Array(
                self.dimensions
                    .iter()
                    .map(|d| json!({"Name": d.name, "Value": d.value}))
                    .collect(),
            ),
        );
        match self.value {
            MetricValue::Single(v) => {
                o.insert("Value".into(), json!(v));
            }
            MetricValue::Statistics {
                sample_count,
                sum,
                minimum,
                maximum,
            } => {
                o.insert(
                    "StatisticValues".into(),
                    json!({"SampleCount": sample_count, "Sum": sum,
                           "Minimum": minimum, "Maximum": maximum}),
                );
            }
        }
        o.insert("Unit".into(), json!(self.unit));
        Value::Object(o)
    }
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v {
        // A score the report could not express (NaN/∞ are written as null) stays visible as NaN,
        // which `encode` drops and counts.
        Some(Value::Null) => Some(f64::NAN),
        Some(v) => v.as_f64(),
        None => None,
    }
}

/// The points of one data-quality run: SageMaker's per-feature metrics from the window's
/// `statistics.json` and the drift distances of `drift_report.json`, then driftmon's own scores
/// and counters from `drift_report.json`.
pub fn data_quality_points(
    ctx: &PointContext<'_>,
    stats: &Statistics,
    drift_report: &DriftReport,
) -> Vec<MetricPoint> {
    let mut out = Vec::new();
    let features = stats.features.as_deref().unwrap_or(&[]);
    for f in features {
        if let Some(n) = &f.numerical_statistics {
            if n.common.num_present > 0 {
                out.push(ctx.point(
                    MetricKind::FeatureData,
                    &f.name,
                    MetricValue::Statistics {
                        sample_count: n.common.num_present as f64,
                        sum: n.sum,
                        minimum: n.min,
                        maximum: n.max,
                    },
                ));
            }
        }
    }
    for f in features {
        let common = f
            .numerical_statistics
            .as_ref()
            .map(|n| &n.common)
            .or(f.string_statistics.as_ref().map(|s| &s.common));
        if let Some(c) = common {
            let total = c.num_present + c.num_missing;
            if total > 0 {
                out.push(ctx.point(
                    MetricKind::FeatureNonNull,
                    &f.name,
                    MetricValue::Single(c.num_present as f64 / total as f64),
                ));
            }
        }
    }
    for f in &drift_report.features {
        if let Some(l) = &f.linf {
            out.push(ctx.point(
                MetricKind::FeatureBaselineDrift,
                &f.name,
                MetricValue::Single(l.value),
            ));
        }
    }
    type Pick = fn(&FeatureReport) -> Option<f64>;
    let picks: [(MetricKind, Pick); 3] = [
        (MetricKind::FeaturePsi, |f| {
            f.drift.as_ref().map(|d| d.psi.value)
        }),
        (MetricKind::FeatureKsStatistic, |f| {
            f.ks().map(|k| k.statistic)
        }),
        (MetricKind::FeatureKsPValue, |f| f.ks().map(|k| k.p_value)),
    ];
    for (kind, pick) in picks {
        for f in &drift_report.features {
            if let Some(v) = pick(f) {
                out.push(ctx.point(kind, &f.name, MetricValue::Single(v)));
            }
        }
    }
    let records = &drift_report.records;
    let (read, rejected) = (records.read as f64, records.rejected as f64);
    out.push(ctx.point(MetricKind::RecordsRead, "", MetricValue::Single(read)));
    out.push(ctx.point(
        MetricKind::RecordsRejected,
        "",
        MetricValue::Single(rejected),
    ));
    if read > 0.0 {
        out.push(ctx.point(
            MetricKind::RecordsRejectedRatio,
            "",
            MetricValue::Single(rejected / read),
        ));
    }
    out.push(ctx.point(
        MetricKind::ConstraintViolations,
        "",
        MetricValue::Single(drift_report.violations as f64),
    ));
    out
}

/// The points of one model-quality run: every scalar metric (`{"value": x, …}`) of the
/// `binary_classification_metrics`, `multiclass_classification_metrics` and `regression_metrics`
/// sections of its `statistics.json`, named by its bare key. Curves and confusion matrices are
/// not published.
pub fn model_quality_points(ctx: &PointContext<'_>, stats: &Statistics) -> Vec<MetricPoint> {
    let mut out = Vec::new();
    for section in [
        &stats.binary_classification_metrics,
        &stats.multiclass_classification_metrics,
        &stats.regression_metrics,
    ]
    .into_iter()
    .flatten()
    {
        for (key, m) in section {
            if let Some(v) = m.as_object().and_then(|o| o.get("value")) {
                if let Some(x) = num(Some(v)) {
                    out.push(ctx.point(MetricKind::ModelQuality, key, MetricValue::Single(x)));
                }
            }
        }
    }
    out
}

/// One `PutMetricData` request: a namespace and at most [`MAX_DATUMS_PER_REQUEST`] points.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The request's namespace.
    pub namespace: String,
    /// Its data, in input order.
    pub points: Vec<MetricPoint>,
}

/// What [`encode`] produced and left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Encoded {
    /// The requests, each within the API's limits.
    pub batches: Vec<Batch>,
    /// Points dropped because a value was NaN or infinite.
    pub dropped_non_finite: usize,
    /// Points dropped because CloudWatch would reject them (the reason of each).
    pub dropped_invalid: Vec<String>,
}

impl Encoded {
    /// Points kept.
    pub fn points(&self) -> usize {
        self.batches.iter().map(|b| b.points.len()).sum()
    }
}

fn clamp_tiny(v: f64) -> f64 {
    if v != 0.0 && v.abs() < MIN_MAGNITUDE {
        0.0
    } else {
        v
    }
}

fn url_len(s: &str) -> usize {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                1
            } else {
                3
            }
        })
        .sum()
}

/// A conservative estimate of a datum's size in a request: its strings URL-encoded (the largest
/// of the wire protocols CloudWatch speaks) plus the member prefixes of the query protocol.
pub fn encoded_size(p: &MetricPoint) -> usize {
    const MEMBER: usize = 48; // `&MetricData.member.1000.Dimensions.member.30.Value=`
    let dims: usize = p
        .dimensions
        .iter()
        .map(|d| 2 * MEMBER + url_len(&d.name) + url_len(&d.value))
        .sum();
    let value = match p.value {
        MetricValue::Single(_) => MEMBER + 24,
        MetricValue::Statistics { .. } => 4 * (MEMBER + 24),
    };
    3 * MEMBER + url_len(&p.name) + dims + value + url_len(&p.unit) + 32
}

fn check(p: &MetricPoint) -> Result<(), String> {
    let what = || format!("{}/{}", p.namespace, p.name);
    if p.namespace.is_empty() || p.namespace.len() > MAX_NAME_LEN {
        return Err(format!(
            "{}: namespace must be 1-{MAX_NAME_LEN} characters",
            what()
        ));
    }
    if p.name.is_empty() || p.name.len() > MAX_NAME_LEN {
        return Err(format!(
            "{}: metric name must be 1-{MAX_NAME_LEN} characters",
            what()
        ));
    }
    if p.dimensions.len() > MAX_DIMENSIONS {
        return Err(format!(
            "{}: {} dimensions, at most {MAX_DIMENSIONS}",
            what(),
            p.dimensions.len()
        ));
    }
    for d in &p.dimensions {
        if d.name.is_empty() || d.name.len() > MAX_NAME_LEN {
            return Err(format!(
                "{}: dimension name {:?} too long or empty",
                what(),
                d.name
            ));
        }
        if d.value.is_empty() || d.value.len() > MAX_DIMENSION_VALUE_LEN {
            return Err(format!(
                "{}: dimension {} value must be 1-{MAX_DIMENSION_VALUE_LEN} characters",
                what(),
                d.name
            ));
        }
    }
    if p.value.numbers().iter().any(|v| v.abs() > MAX_MAGNITUDE) {
        return Err(format!(
            "{}: value beyond CloudWatch's range (2^360)",
            what()
        ));
    }
    if let MetricValue::Statistics {
        sample_count,
        minimum,
        maximum,
        ..
    } = p.value
    {
        if sample_count <= 0.0 || minimum > maximum {
            return Err(format!(
                "{}: statistic values need SampleCount > 0 and Minimum <= Maximum",
                what()
            ));
        }
    }
    Ok(())
}

/// Packs points into `PutMetricData` requests: one namespace per request (in order of first
/// appearance), at most [`MAX_DATUMS_PER_REQUEST`] points and [`REQUEST_BYTES_BUDGET`] estimated
/// bytes each. Points with a NaN or infinite value are dropped and counted; points CloudWatch
/// would reject (over 30 dimensions, names too long, values beyond ±2³⁶⁰) are dropped with the
/// reason; magnitudes below 2⁻²⁶⁰ become 0.
pub fn encode(points: &[MetricPoint]) -> Encoded {
    let mut enc = Encoded::default();
    let mut namespaces: Vec<&str> = Vec::new();
    for p in points {
        if !namespaces.contains(&p.namespace.as_str()) {
            namespaces.push(&p.namespace);
        }
    }
    for ns in namespaces {
        let mut cur = Batch {
            namespace: ns.to_owned(),
            points: Vec::new(),
        };
        let mut bytes = url_len(ns) + 64;
        for p in points.iter().filter(|p| p.namespace == ns) {
            if p.value.numbers().iter().any(|v| !v.is_finite()) {
                enc.dropped_non_finite += 1;
                continue;
            }
            if let Err(why) = check(p) {
                enc.dropped_invalid.push(why);
                continue;
            }
            let mut p = p.clone();
            p.value = match p.value {
                MetricValue::Single(v) => MetricValue::Single(clamp_tiny(v)),
                MetricValue::Statistics {
                    sample_count,
                    sum,
                    minimum,
                    maximum,
                } => MetricValue::Statistics {
                    sample_count,
                    sum: clamp_tiny(sum),
                    minimum: clamp_tiny(minimum),
                    maximum: clamp_tiny(maximum),
                },
            };
            let size = encoded_size(&p);
            if !cur.points.is_empty()
                && (cur.points.len() >= MAX_DATUMS_PER_REQUEST
                    || bytes + size > REQUEST_BYTES_BUDGET)
            {
                enc.batches.push(std::mem::replace(
                    &mut cur,
                    Batch {
                        namespace: ns.to_owned(),
                        points: Vec::new(),
                    },
                ));
                bytes = url_len(ns) + 64;
            }
            bytes += size;
            cur.points.push(p);
        }
        if !cur.points.is_empty() {
            enc.batches.push(cur);
        }
    }
    enc
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftmon_baseline::files::parse_statistics;

    fn ctx() -> PointContext<'static> {
        PointContext {
            target: Target::Endpoint("ep"),
            schedule: "sched",
            timestamp_ms: 1_795_000_000_000,
        }
    }

    fn point(ns: &str, name: &str, v: f64) -> MetricPoint {
        MetricPoint {
            namespace: ns.into(),
            name: name.into(),
            dimensions: ctx().dimensions(),
            value: MetricValue::Single(v),
            unit: "None".into(),
            timestamp_ms: 0,
        }
    }

    #[test]
    fn every_kind_has_one_entry() {
        use MetricKind::*;
        for k in [
            FeatureData,
            FeatureNonNull,
            FeatureBaselineDrift,
            ModelQuality,
            FeaturePsi,
            FeatureKsStatistic,
            FeatureKsPValue,
            RecordsRead,
            RecordsRejected,
            RecordsRejectedRatio,
            ConstraintViolations,
        ] {
            assert_eq!(CATALOG.iter().filter(|d| d.kind == k).count(), 1, "{k:?}");
            assert_eq!(def(k).kind, k);
        }
    }

    #[test]
    fn sagemaker_names_namespaces_and_dimensions() {
        assert_eq!(
            def(MetricKind::FeatureData).metric_name("age"),
            "feature_data_age"
        );
        assert_eq!(
            def(MetricKind::FeatureNonNull).metric_name("age"),
            "feature_non_null_age"
        );
        assert_eq!(
            def(MetricKind::FeatureBaselineDrift).metric_name("age"),
            "feature_baseline_drift_age"
        );
        assert_eq!(def(MetricKind::ModelQuality).metric_name("f2"), "f2");
        assert_eq!(
            def(MetricKind::FeatureData).namespace_for(&Target::Endpoint("e")),
            "aws/sagemaker/Endpoints/data-metrics"
        );
        assert_eq!(
            def(MetricKind::ModelQuality).namespace_for(&Target::Endpoint("e")),
            "aws/sagemaker/Endpoints/model-metrics"
        );
        assert_eq!(
            def(MetricKind::FeatureData).namespace_for(&Target::Batch),
            "aws/sagemaker/ModelMonitoring/data-metrics"
        );
        assert!(CATALOG
            .iter()
            .filter(|d| d.namespace.starts_with("driftmon/"))
            .all(|d| d.batch_namespace.starts_with("driftmon/")));
        assert_eq!(
            ctx().dimensions(),
            vec![
                Dimension::new("Endpoint", "ep"),
                Dimension::new("MonitoringSchedule", "sched")
            ]
        );
        let batch = PointContext {
            target: Target::Batch,
            ..ctx()
        };
        assert_eq!(
            batch.dimensions(),
            vec![Dimension::new("MonitoringSchedule", "sched")]
        );
    }

    const STATS: &str = r#"{"version":0.0,"dataset":{"item_count":4},"features":[
      {"name":"age","inferred_type":"Fractional","numerical_statistics":{"common":{"num_present":3,"num_missing":1},
        "mean":2.0,"sum":6.0,"std_dev":0.8,"min":1.0,"max":3.0,
        "distribution":{"kll":{"buckets":[],"sketch":{"parameters":{"c":0.64,"k":2048.0},"data":[]}}}}},
      {"name":"city","inferred_type":"String","string_statistics":{"common":{"num_present":4,"num_missing":0},
        "distinct_count":2.0,"distribution":{"categorical":{"buckets":[]}}}}]}"#;

    /// A report with `violations: 2`, 10 records read of which 1 rejected, a numeric `age` (L∞
    /// 0.25, PSI 0.5, KS 0.3 with p 1e-300) and a categorical `city` (L∞ null, PSI 0.1).
    fn report() -> DriftReport {
        let feature = |name: &str, linf: &str, psi: f64, test: &str| {
            format!(
                r#"{{"name": "{name}", "inferred_type": "Fractional", "num_present": 3, "num_missing": 1,
                   "linf_distance": {linf}, "linf_method": "Simple", "linf_threshold": 0.1,
                   "linf_verdict": "ok", "psi": {psi}, {test}, "psi_threshold": 0.25,
                   "psi_p_value_adjusted": null, "psi_verdict": "ok", "alpha": 0.05, "checks": []}}"#
            )
        };
        let ks = r#""ks_statistic": 0.3, "ks_threshold": 0.1, "ks_p_value": 1e-300,
            "ks_p_value_adjusted": null, "ks_error_bound": 0.0, "ks_verdict": "ok",
            "bins": {"edges": [], "baseline": [], "current": [], "last_bin": "missing"}"#;
        let chi = r#""chi_squared": 1.0, "chi_squared_df": 1.0, "chi_squared_p_value": 0.5,
            "chi_squared_p_value_adjusted": null, "cramers_v": 0.0, "cramers_v_threshold": 0.1,
            "chi_squared_verdict": "ok", "categories": {"labels": [], "baseline": [], "current": []}"#;
        let text = format!(
            r#"{{"endpoint": "ep", "variants": [], "window": {{"start": "", "end": ""}},
              "status": "CompletedWithViolations", "message": "", "violations": 2,
              "records": {{"objects": 1, "read": 10, "outside_window": 0, "rejected": 1, "rows_profiled": 9}},
              "rejected_by_kind": {{}}, "rejected_examples": [], "hours_without_data": [],
              "drift_config": {{"psi_threshold": 0.25, "psi_bins": 10, "psi_epsilon": 0.0001,
                "ks_threshold": 0.1, "cramers_v_threshold": 0.1, "alpha": 0.05, "correction": "none"}},
              "features": [{}, {}]}}"#,
            feature("age", "0.25", 0.5, ks),
            feature("city", "null", 0.1, chi)
        );
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn data_quality_points_from_outputs() {
        let stats = parse_statistics(STATS.as_bytes()).unwrap();
        let pts = data_quality_points(&ctx(), &stats, &report());
        let find = |n: &str| {
            pts.iter()
                .find(|p| p.name == n)
                .unwrap_or_else(|| panic!("{n}"))
        };
        assert_eq!(
            find("feature_data_age").value,
            MetricValue::Statistics {
                sample_count: 3.0,
                sum: 6.0,
                minimum: 1.0,
                maximum: 3.0
            }
        );
        assert!(!pts.iter().any(|p| p.name == "feature_data_city"));
        assert_eq!(
            find("feature_non_null_age").value,
            MetricValue::Single(0.75)
        );
        assert_eq!(
            find("feature_non_null_city").value,
            MetricValue::Single(1.0)
        );
        assert_eq!(
            find("feature_baseline_drift_age").value,
            MetricValue::Single(0.25)
        );
        assert_eq!(find("feature_psi_age").namespace, DRIFTMON_NAMESPACE);
        assert_eq!(
            find("feature_ks_statistic_age").value,
            MetricValue::Single(0.3)
        );
        assert_eq!(find("records_read").value, MetricValue::Single(10.0));
        assert_eq!(find("records_rejected").value, MetricValue::Single(1.0));
        assert_eq!(
            find("records_rejected_ratio").value,
            MetricValue::Single(0.1)
        );
        assert_eq!(
            find("constraint_violations").value,
            MetricValue::Single(2.0)
        );
        assert_eq!(find("records_read").unit, "Count");
        assert_eq!(find("feature_data_age").namespace, DATA_QUALITY_NAMESPACE);
        // The null drift distance of `city` is kept as NaN, so encode counts it.
        let enc = encode(&pts);
        assert_eq!(enc.dropped_non_finite, 1);
        assert_eq!(enc.points(), pts.len() - 1);
        // The tiny p-value is published as 0.
        let p = enc
            .batches
            .iter()
            .flat_map(|b| &b.points)
            .find(|p| p.name == "feature_ks_p_value_age")
            .unwrap();
        assert_eq!(p.value, MetricValue::Single(0.0));
    }

    #[test]
    fn model_quality_points_are_bare_keys() {
        let stats = parse_statistics(
            br#"{"version":0.0,"dataset":{"item_count":100},"binary_classification_metrics":{
              "confusion_matrix":{"0":{"0":1,"1":2},"1":{"0":0,"1":1}},
              "f2":{"value":0.8,"standard_deviation":"NaN"},
              "auc":{"value":0.9,"standard_deviation":0.01},
              "receiver_operating_characteristic_curve":{"false_positive_rates":[0.0],"true_positive_rates":[1.0]}}}"#,
        )
        .unwrap();
        let pts = model_quality_points(&ctx(), &stats);
        let names: Vec<&str> = pts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["f2", "auc"]);
        assert!(pts.iter().all(|p| p.namespace == MODEL_QUALITY_NAMESPACE));
    }

    #[test]
    fn encode_splits_at_1000_datums_per_namespace() {
        let mut pts: Vec<MetricPoint> = (0..2500)
            .map(|i| {
                point(
                    DATA_QUALITY_NAMESPACE,
                    &format!("feature_data_f{i}"),
                    i as f64,
                )
            })
            .collect();
        pts.insert(10, point(DRIFTMON_NAMESPACE, "records_read", 5.0));
        let enc = encode(&pts);
        let sizes: Vec<(String, usize)> = enc
            .batches
            .iter()
            .map(|b| (b.namespace.clone(), b.points.len()))
            .collect();
        assert_eq!(
            sizes,
            vec![
                (DATA_QUALITY_NAMESPACE.to_owned(), 1000),
                (DATA_QUALITY_NAMESPACE.to_owned(), 1000),
                (DATA_QUALITY_NAMESPACE.to_owned(), 500),
                (DRIFTMON_NAMESPACE.to_owned(), 1)
            ]
        );
        assert!(enc
            .batches
            .iter()
            .all(|b| b.points.iter().all(|p| p.namespace == b.namespace)));
        // Order is kept.
        assert_eq!(enc.batches[1].points[0].name, "feature_data_f1000");
    }

    #[test]
    fn encode_splits_at_the_payload_limit() {
        // 900-character dimension values: ~1 KB (query-encoded, more) per datum.
        let big = "x".repeat(900);
        let pts: Vec<MetricPoint> = (0..1000)
            .map(|i| {
                let mut p = point(DRIFTMON_NAMESPACE, &format!("m{i}"), 1.0);
                p.dimensions.push(Dimension::new("Big", &big));
                p.dimensions
                    .push(Dimension::new("Big2", &big.replace('x', "/")));
                p
            })
            .collect();
        let enc = encode(&pts);
        assert!(enc.batches.len() > 1, "{}", enc.batches.len());
        assert_eq!(enc.points(), 1000);
        for b in &enc.batches {
            let est: usize = b.points.iter().map(encoded_size).sum();
            assert!(est <= REQUEST_BYTES_BUDGET);
            assert!(b.points.len() <= MAX_DATUMS_PER_REQUEST);
            // The real query-protocol body, as a check of the estimate.
            let body: usize = b
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let m = format!("&MetricData.member.{}.", i + 1);
                    let mut n = m.len() + "MetricName=".len() + url_len(&p.name);
                    for (j, d) in p.dimensions.iter().enumerate() {
                        let dm = format!("{m}Dimensions.member.{}.", j + 1);
                        n += 2 * dm.len() + "Name=".len() + "&Value=".len();
                        n += url_len(&d.name) + url_len(&d.value);
                    }
                    n + m.len() + "Value=1.0".len() + m.len() + "Unit=None".len() + 60
                })
                .sum();
            assert!(body < MAX_REQUEST_BYTES, "{body}");
        }
    }

    #[test]
    fn encode_drops_what_cloudwatch_rejects() {
        let mut many_dims = point(DRIFTMON_NAMESPACE, "a", 1.0);
        many_dims.dimensions = (0..31)
            .map(|i| Dimension::new(&format!("d{i}"), "v"))
            .collect();
        let mut thirty = many_dims.clone();
        thirty.name = "thirty".into();
        thirty.dimensions.truncate(30);
        let pts = vec![
            point(DRIFTMON_NAMESPACE, "nan", f64::NAN),
            point(DRIFTMON_NAMESPACE, "inf", f64::INFINITY),
            point(DRIFTMON_NAMESPACE, "ninf", f64::NEG_INFINITY),
            point(DRIFTMON_NAMESPACE, "huge", 1e200),
            point(DRIFTMON_NAMESPACE, &"n".repeat(256), 1.0),
            many_dims,
            thirty,
            MetricPoint {
                value: MetricValue::Statistics {
                    sample_count: 2.0,
                    sum: f64::NAN,
                    minimum: 0.0,
                    maximum: 1.0,
                },
                ..point(DRIFTMON_NAMESPACE, "stats_nan", 0.0)
            },
            point(DRIFTMON_NAMESPACE, "ok", -0.5),
        ];
        let enc = encode(&pts);
        assert_eq!(enc.dropped_non_finite, 4);
        assert_eq!(enc.dropped_invalid.len(), 3, "{:?}", enc.dropped_invalid);
        assert!(enc
            .dropped_invalid
            .iter()
            .any(|w| w.contains("31 dimensions")));
        let kept: Vec<&str> = enc.batches[0]
            .points
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(kept, vec!["thirty", "ok"]);
        assert!(encode(&[]).batches.is_empty());
    }

    #[test]
    fn json_line_has_the_byoc_schema() {
        let p = MetricPoint {
            timestamp_ms: 1_574_737_200_000,
            value: MetricValue::Statistics {
                sample_count: 3.0,
                sum: 6.0,
                minimum: 1.0,
                maximum: 3.0,
            },
            ..point(DATA_QUALITY_NAMESPACE, "feature_data_age", 0.0)
        };
        assert_eq!(
            p.to_json().to_string(),
            r#"{"Namespace":"aws/sagemaker/Endpoints/data-metrics","MetricName":"feature_data_age","Timestamp":"2019-11-26T03:00:00Z","Dimensions":[{"Name":"Endpoint","Value":"ep"},{"Name":"MonitoringSchedule","Value":"sched"}],"StatisticValues":{"SampleCount":3.0,"Sum":6.0,"Minimum":1.0,"Maximum":3.0},"Unit":"None"}"#
        );
    }
}
