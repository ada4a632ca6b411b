//! The feature attribution drift check (`clarify-monitors.md` §5.5–5.7): per label of the
//! baseline, nDCG of the current global SHAP ranking against the baseline's; a violation when
//! it is below the threshold (0.9, strict); `constraint_violations.json` with Clarify's wording
//! (no file when clean); and the CloudWatch points.
//!
//! Edge cases (\[INFER\], §5.5): a feature missing from the current values ranks last
//! (`c = −∞`), features only in the current values are ignored, a label missing from the current
//! run is not checked (reported as [`LabelOutcome::MissingInCurrent`] for a warning), and an
//! all-zero baseline scores 0 (sklearn's rule), hence a violation.

use serde_json::{Map, Value};

use super::kernel_shap::LabelGlobal;
use super::ndcg::ndcg;
use crate::clarify::pyjson::{dumps_indent4, py_float_repr};
use crate::metrics_catalog::{Dimension, MetricPoint, MetricValue, PointContext, Target};

/// The documented threshold: "an nDCG score below 0.90 triggers an alert".
pub const DEFAULT_THRESHOLD: f64 = 0.9;

/// `constraint_check_type` of the violations.
pub const CHECK_TYPE: &str = "feature_attribution_drift_check";

/// SageMaker's namespace for endpoints.
pub const EXPLAINABILITY_NAMESPACE: &str = "aws/sagemaker/Endpoints/explainability-metrics";
/// SageMaker's namespace for batch-transform monitoring.
pub const EXPLAINABILITY_BATCH_NAMESPACE: &str =
    "aws/sagemaker/ModelMonitoring/explainability-metrics";
/// driftmon's own namespace (the nDCG, which SageMaker does not publish), endpoints.
pub const DRIFTMON_NAMESPACE: &str = "driftmon/Endpoints/drift-metrics";
/// driftmon's own namespace, batch transform.
pub const DRIFTMON_BATCH_NAMESPACE: &str = "driftmon/ModelMonitoring/drift-metrics";
/// The expected-value metric (its name is undocumented, §5.7 \[UNVERIFIED\]).
pub const EXPECTED_VALUE_METRIC: &str = "expected_value";
/// driftmon's nDCG metric, one per label.
pub const DRIFT_METRIC: &str = "feature_attribution_drift";

/// The check of one baseline label.
#[derive(Debug, Clone, PartialEq)]
pub enum LabelOutcome {
    /// Compared.
    Checked {
        /// The label.
        label: String,
        /// The nDCG.
        ndcg: f64,
        /// `ndcg < threshold`.
        violation: bool,
        /// Baseline features absent from the current values (ranked last).
        missing_features: Vec<String>,
    },
    /// The current run has no such label: not checked (log a warning).
    MissingInCurrent {
        /// The label.
        label: String,
    },
}

/// The check over every baseline label.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftCheck {
    /// One outcome per baseline label, in baseline order.
    pub labels: Vec<LabelOutcome>,
    /// The threshold used.
    pub threshold: f64,
}

/// One entry of `constraint_violations.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributionViolation {
    /// The label.
    pub label: String,
    /// Always `shap`.
    pub metric_name: String,
    /// Always [`CHECK_TYPE`].
    pub constraint_check_type: String,
    /// `Feature attribution drift {ndcg} exceeds threshold {threshold}` (sic: "exceeds" for a
    /// value below the threshold is Clarify's wording).
    pub description: String,
}

/// Compares `current` with `baseline`, label by label.
pub fn check_drift(
    baseline: &[LabelGlobal],
    current: &[LabelGlobal],
    threshold: f64,
) -> DriftCheck {
    let labels = baseline
        .iter()
        .map(|b| match current.iter().find(|c| c.label == b.label) {
            None => LabelOutcome::MissingInCurrent {
                label: b.label.clone(),
            },
            Some(c) => {
                let mut missing = Vec::new();
                let a: Vec<f64> = b.global_shap_values.iter().map(|(_, v)| *v).collect();
                let s: Vec<f64> = b
                    .global_shap_values
                    .iter()
                    .map(
                        |(f, _)| match c.global_shap_values.iter().find(|(g, _)| g == f) {
                            Some((_, v)) => *v,
                            None => {
                                missing.push(f.clone());
                                f64::NEG_INFINITY
                            }
                        },
                    )
                    .collect();
                let score = ndcg(&a, &s);
                LabelOutcome::Checked {
                    label: b.label.clone(),
                    ndcg: score,
                    violation: score < threshold,
                    missing_features: missing,
                }
            }
        })
        .collect();
    DriftCheck { labels, threshold }
}

impl DriftCheck {
    /// The violations, one per drifted label.
    pub fn violations(&self) -> Vec<AttributionViolation> {
        self.labels
            .iter()
            .filter_map(|o| match o {
                LabelOutcome::Checked {
                    label,
                    ndcg,
                    violation: true,
                    ..
                } => Some(AttributionViolation {
                    label: label.clone(),
                    metric_name: "shap".into(),
                    constraint_check_type: CHECK_TYPE.into(),
                    description: format!(
                        "Feature attribution drift {} exceeds threshold {}",
                        py_float_repr(*ndcg),
                        py_float_repr(self.threshold)
                    ),
                }),
                _ => None,
            })
            .collect()
    }

    /// Whether any label drifted.
    pub fn has_violations(&self) -> bool {
        !self.violations().is_empty()
    }

    /// `constraint_violations.json` (Python `json.dump(indent=4)` layout, keys `label`,
    /// `metric_name`, `constraint_check_type`, `description`), or `None` when there is no
    /// violation: then no file is written.
    pub fn constraint_violations_json(&self) -> Option<String> {
        let v = self.violations();
        if v.is_empty() {
            return None;
        }
        let list = v
            .into_iter()
            .map(|x| {
                let mut m = Map::new();
                m.insert("label".into(), Value::String(x.label));
                m.insert("metric_name".into(), Value::String(x.metric_name));
                m.insert(
                    "constraint_check_type".into(),
                    Value::String(x.constraint_check_type),
                );
                m.insert("description".into(), Value::String(x.description));
                Value::Object(m)
            })
            .collect();
        let mut root = Map::new();
        root.insert("version".into(), Value::String("1.0".into()));
        root.insert("violations".into(), Value::Array(list));
        Some(dumps_indent4(&Value::Object(root)))
    }
}

/// The CloudWatch points of a run (§5.7): per label, `feature_{X}` for every global value
/// (`ValueType=GlobalShapValues`) and `expected_value` (`ValueType=ExpectedValue`) under
/// SageMaker's explainability namespace, dimensions `Endpoint` (endpoints only),
/// `MonitoringSchedule`, `ExplainabilityMethod=KernelShap`, `Label`, `ValueType`; plus, when a
/// check ran, driftmon's `feature_attribution_drift` (the nDCG) per label under driftmon's
/// namespace, dimensions `Endpoint`, `MonitoringSchedule`, `Label`.
pub fn attribution_points(
    ctx: &PointContext<'_>,
    current: &[LabelGlobal],
    check: Option<&DriftCheck>,
) -> Vec<MetricPoint> {
    let (ns, own_ns) = match ctx.target {
        Target::Endpoint(_) => (EXPLAINABILITY_NAMESPACE, DRIFTMON_NAMESPACE),
        Target::Batch => (EXPLAINABILITY_BATCH_NAMESPACE, DRIFTMON_BATCH_NAMESPACE),
    };
    let dims = |label: &str, value_type: &str| {
        let mut d = ctx.dimensions();
        d.push(Dimension::new("ExplainabilityMethod", "KernelShap"));
        d.push(Dimension::new("Label", label));
        d.push(Dimension::new("ValueType", value_type));
        d
    };
    let point = |namespace: &str, name: String, dimensions: Vec<Dimension>, v: f64| MetricPoint {
        namespace: namespace.to_owned(),
        name,
        dimensions,
        value: MetricValue::Single(v),
        unit: "None".to_owned(),
        timestamp_ms: ctx.timestamp_ms,
    };
    let mut out = Vec::new();
    for l in current {
        for (f, v) in &l.global_shap_values {
            out.push(point(
                ns,
                format!("feature_{f}"),
                dims(&l.label, "GlobalShapValues"),
                *v,
            ));
        }
        if let Some(e) = l.expected_value {
            out.push(point(
                ns,
                EXPECTED_VALUE_METRIC.into(),
                dims(&l.label, "ExpectedValue"),
                e,
            ));
        }
    }
    if let Some(check) = check {
        for o in &check.labels {
            if let LabelOutcome::Checked { label, ndcg, .. } = o {
                let mut d = ctx.dimensions();
                d.push(Dimension::new("Label", label));
                out.push(point(own_ns, DRIFT_METRIC.into(), d, *ndcg));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lg(label: &str, v: &[(&str, f64)]) -> LabelGlobal {
        LabelGlobal {
            label: label.into(),
            global_shap_values: v.iter().map(|(f, x)| (f.to_string(), *x)).collect(),
            expected_value: Some(0.25),
        }
    }

    #[test]
    fn docs_example_violates_with_clarify_wording() {
        let base = [lg("label0", &[("a", 0.70), ("b", 0.50), ("c", 0.05)])];
        let cur = [lg("label0", &[("a", 0.10), ("b", 0.20), ("c", 0.70)])];
        let check = check_drift(&base, &cur, DEFAULT_THRESHOLD);
        let v = check.violations();
        assert_eq!(v.len(), 1);
        assert_eq!(
            v[0].description,
            "Feature attribution drift 0.687639624122622 exceeds threshold 0.9"
        );
        assert_eq!(
            check.constraint_violations_json().unwrap(),
            "{\n    \"version\": \"1.0\",\n    \"violations\": [\n        {\n            \"label\": \"label0\",\n            \"metric_name\": \"shap\",\n            \"constraint_check_type\": \"feature_attribution_drift_check\",\n            \"description\": \"Feature attribution drift 0.687639624122622 exceeds threshold 0.9\"\n        }\n    ]\n}"
        );
    }

    #[test]
    fn same_ranking_is_clean_and_writes_no_file() {
        let base = [lg("label0", &[("a", 0.70), ("b", 0.50)])];
        let check = check_drift(&base, &base, DEFAULT_THRESHOLD);
        assert!(!check.has_violations());
        assert_eq!(check.constraint_violations_json(), None);
    }

    #[test]
    fn missing_label_and_feature() {
        let base = [
            lg("label0", &[("a", 0.70), ("b", 0.50), ("c", 0.1)]),
            lg("label1", &[("a", 0.1)]),
        ];
        let cur = [lg("label0", &[("a", 0.70), ("c", 0.50), ("new", 9.0)])];
        let check = check_drift(&base, &cur, DEFAULT_THRESHOLD);
        match &check.labels[0] {
            LabelOutcome::Checked {
                missing_features,
                ndcg,
                ..
            } => {
                assert_eq!(missing_features, &vec!["b".to_string()]);
                // ranking a, c, b against relevance a, b, c
                assert_eq!(
                    *ndcg,
                    ndcg_ref(&[0.7, 0.5, 0.1], &[0.7, f64::NEG_INFINITY, 0.5])
                );
            }
            o => panic!("{o:?}"),
        }
        assert_eq!(
            check.labels[1],
            LabelOutcome::MissingInCurrent {
                label: "label1".into()
            }
        );
    }

    fn ndcg_ref(a: &[f64], c: &[f64]) -> f64 {
        ndcg(a, c)
    }

    #[test]
    fn points_have_sagemaker_names_and_dimensions() {
        let ctx = PointContext {
            target: Target::Endpoint("ep"),
            schedule: "sched",
            timestamp_ms: 1_700_000_000_000,
        };
        let cur = [lg("label0", &[("Hours per week", 0.5)])];
        let check = check_drift(&cur, &cur, DEFAULT_THRESHOLD);
        let p = attribution_points(&ctx, &cur, Some(&check));
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].namespace, EXPLAINABILITY_NAMESPACE);
        assert_eq!(p[0].name, "feature_Hours per week");
        let dims: Vec<(&str, &str)> = p[0]
            .dimensions
            .iter()
            .map(|d| (d.name.as_str(), d.value.as_str()))
            .collect();
        assert_eq!(
            dims,
            vec![
                ("Endpoint", "ep"),
                ("MonitoringSchedule", "sched"),
                ("ExplainabilityMethod", "KernelShap"),
                ("Label", "label0"),
                ("ValueType", "GlobalShapValues")
            ]
        );
        assert_eq!(p[1].name, "expected_value");
        assert_eq!(p[1].dimensions[4].value, "ExpectedValue");
        assert_eq!(p[2].namespace, DRIFTMON_NAMESPACE);
        assert_eq!(p[2].name, "feature_attribution_drift");
        assert_eq!(p[2].value, MetricValue::Single(1.0));
        let batch = PointContext {
            target: Target::Batch,
            ..ctx
        };
        let p = attribution_points(&batch, &cur, None);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].namespace, EXPLAINABILITY_BATCH_NAMESPACE);
        assert_eq!(p[0].dimensions[0].name, "MonitoringSchedule");
    }
}
