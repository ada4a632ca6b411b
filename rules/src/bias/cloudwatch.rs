//! The bias monitor's CloudWatch points (clarify-monitors.md §4.3): `bias_metric_<NAME>` in
//! `aws/sagemaker/Endpoints/bias-metrics` (or `…/ModelMonitoring/…` for batch transform), one
//! per (stage, facet, facet value, metric), with SageMaker's dimensions. ±inf is published as
//! ±2^360 (CloudWatch's limit); undefined metrics are not published but counted.

use super::analysis::BiasAnalysis;
use crate::metrics_catalog::{Dimension, MetricPoint, MetricValue, PointContext, Target};

/// Namespace for a real-time endpoint.
pub const NAMESPACE_ENDPOINT: &str = "aws/sagemaker/Endpoints/bias-metrics";
/// Namespace for batch transform.
pub const NAMESPACE_BATCH: &str = "aws/sagemaker/ModelMonitoring/bias-metrics";

/// The value published for +inf: 2^360.
pub fn inf_value() -> f64 {
    2.0f64.powi(360)
}

/// The namespace of the bias metrics of `target`.
pub fn namespace(target: &Target) -> &'static str {
    match target {
        Target::Endpoint(_) => NAMESPACE_ENDPOINT,
        Target::Batch => NAMESPACE_BATCH,
    }
}

/// The points of one analysis, and how many undefined metrics were left out.
pub fn bias_points(ctx: &PointContext<'_>, analysis: &BiasAnalysis) -> (Vec<MetricPoint>, usize) {
    let namespace = namespace(&ctx.target);
    let mut out = Vec::new();
    let mut undefined = 0;
    for (stage, s) in analysis.stages() {
        for f in &s.facets {
            let Ok(values) = &f.values else { continue };
            for v in values {
                for m in &v.metrics {
                    let Ok(x) = m.outcome else {
                        undefined += 1;
                        continue;
                    };
                    let x = x.as_f64();
                    let x = if x == f64::INFINITY {
                        inf_value()
                    } else if x == f64::NEG_INFINITY {
                        -inf_value()
                    } else if x.is_nan() {
                        undefined += 1;
                        continue;
                    } else {
                        x
                    };
                    let mut dims = ctx.dimensions();
                    dims.push(Dimension::new("BiasStage", stage.dimension()));
                    dims.push(Dimension::new("Label", &s.label));
                    dims.push(Dimension::new("LabelValue", &s.label_value_or_threshold));
                    dims.push(Dimension::new("Facet", &f.name));
                    dims.push(Dimension::new("FacetValue", &v.value_or_threshold));
                    out.push(MetricPoint {
                        namespace: namespace.to_owned(),
                        name: format!("bias_metric_{}", m.metric.name()),
                        dimensions: dims,
                        value: MetricValue::Single(x),
                        unit: "None".to_owned(),
                        timestamp_ms: ctx.timestamp_ms,
                    });
                }
            }
        }
    }
    (out, undefined)
}
