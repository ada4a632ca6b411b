//! The public paths the other crates (monitor, lambda, tests) import from driftmon-rules: a
//! restructuring of this crate must keep every one of them (re-exporting with `pub use` where a
//! file became a folder). This file only has to compile.

#![allow(unused_imports)]

use driftmon_rules::baseline_view::BaselineView;
use driftmon_rules::config::{Correction, DriftConfig};
use driftmon_rules::evaluate::{context, evaluate, Status, REGISTRY};
use driftmon_rules::metrics_catalog::{
    data_quality_points, def, encode, lower_is_better, model_quality_points, Dimension, MetricKind,
    MetricPoint, MetricValue, PointContext, Scope, Target, BINARY_CLASSIFICATION_METRICS, CATALOG,
    MULTICLASS_CLASSIFICATION_METRICS, REGRESSION_METRICS,
};
use driftmon_rules::model_quality::{
    constraints_of, evaluate as mq_evaluate, json_number, make_sample, metric_value, metrics_of,
    scalar_metrics, statistics, suggest_constraints, suggested_metrics, Evaluation, Field,
    ModelQualityError, Observations, Operator, ProblemType, StdDevOptions,
};
use driftmon_rules::report::{feature_scores, ExecutionStatus, Report};

#[test]
fn the_paths_other_crates_use_resolve() {
    let _ = DriftConfig::default();
    let _ = ProblemType::parse("regression");
    let _ = Scope::ModelMetric;
    let _ = Target::Endpoint("ep");
    assert!(!REGISTRY.is_empty() && !CATALOG.is_empty());
}
