//! The points of one run, derived from its outputs: SageMaker's per-feature metrics from the
//! window's `statistics.json`, driftmon's scores and counters from the [`DriftReport`], and the
//! scalar metrics of a model-quality `statistics.json`.

use driftmon_baseline::files::Statistics;
use serde_json::Value;

use crate::report::{DriftReport, FeatureReport};

use super::*;

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
