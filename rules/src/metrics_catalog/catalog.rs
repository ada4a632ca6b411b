//! The catalog proper: [`MetricKind`], one [`MetricDef`] per kind in [`CATALOG`] (namespace,
//! name template, unit, scope), and the model-quality metric names per problem type.

use super::*;

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

impl MetricKind {
    /// Every kind, in declaration order.
    pub const ALL: [MetricKind; 11] = [
        MetricKind::FeatureData,
        MetricKind::FeatureNonNull,
        MetricKind::FeatureBaselineDrift,
        MetricKind::ModelQuality,
        MetricKind::FeaturePsi,
        MetricKind::FeatureKsStatistic,
        MetricKind::FeatureKsPValue,
        MetricKind::RecordsRead,
        MetricKind::RecordsRejected,
        MetricKind::RecordsRejectedRatio,
        MetricKind::ConstraintViolations,
    ];
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
