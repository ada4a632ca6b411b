//! `driftmon dashboards`: a CloudWatch dashboard and alarm definitions for one endpoint and
//! schedule, generated from the metric catalog the sinks publish with
//! ([`driftmon_rules::metrics_catalog`]), so a widget or an alarm cannot name a metric that is not
//! published.
//!
//! The output is two files: `dashboard.json` (a `PutDashboard` `DashboardBody`) and `alarms.json`
//! (an array of `PutMetricAlarm` inputs, each usable with
//! `aws cloudwatch put-metric-alarm --cli-input-json`). `--apply` sends both to CloudWatch.
//!
//! Widgets: violations and rejected records; records read and rejected; SageMaker's baseline
//! drift, driftmon's PSI and KS statistic per feature (with their thresholds); completeness per
//! feature; the mean of numeric features; model-quality metrics when a problem type is given.
//! Alarms: any violation; a rejected-record ratio over a threshold; per feature, baseline drift
//! and PSI over their thresholds; per model-quality constraint, its own threshold and operator.

use std::path::Path;

pub mod bias;

use driftmon_baseline::files::{Constraints, Statistics};
use driftmon_rules::metrics_catalog::{
    def, lower_is_better, Dimension, MetricKind, PointContext, Target,
};
use serde_json::{json, Value};

/// Features per graph widget (CloudWatch allows more; beyond this a graph is unreadable).
pub const FEATURES_PER_WIDGET: usize = 12;

/// A failure of `driftmon dashboards`.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// A baseline file could not be read.
    #[error("{uri}: {msg}")]
    Baseline {
        /// The file.
        uri: String,
        /// Why.
        msg: String,
    },
    /// An output could not be written.
    #[error("{path}: {err}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        err: std::io::Error,
    },
    /// CloudWatch refused a definition or could not be reached.
    #[error("CloudWatch {op} {name}: {msg}")]
    Remote {
        /// The operation.
        op: &'static str,
        /// The dashboard or alarm.
        name: String,
        /// What the service said.
        msg: String,
    },
    /// Bad arguments.
    #[error("{0}")]
    Invalid(String),
}

pub use driftmon_rules::model_quality::ProblemType;

/// The metrics a dashboard shows for a problem type (a readable subset of the published ones).
pub fn dashboard_metrics(p: ProblemType) -> &'static [&'static str] {
    match p {
        ProblemType::BinaryClassification => &["accuracy", "precision", "recall", "f1", "auc"],
        ProblemType::MulticlassClassification => &[
            "accuracy",
            "weighted_precision",
            "weighted_recall",
            "weighted_f1",
        ],
        ProblemType::Regression => &["mae", "rmse", "r2"],
    }
}

/// A feature on the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSpec {
    /// Its name.
    pub name: String,
    /// Numeric (has `feature_data_*` and KS), categorical, or unknown (`None`: both shown).
    pub numeric: Option<bool>,
}

/// A model-quality alarm: a metric, its threshold and CloudWatch's comparison operator.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelAlarm {
    /// The bare metric key (`f1`, `mae`, …).
    pub metric: String,
    /// The threshold.
    pub threshold: f64,
    /// `GreaterThanThreshold`, `LessThanThreshold`, ….
    pub comparison_operator: String,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct DashboardSpec {
    /// The endpoint.
    pub endpoint: String,
    /// The data-quality schedule (`MonitoringSchedule` dimension).
    pub schedule: String,
    /// The model-quality schedule (default: the data-quality one).
    pub model_schedule: Option<String>,
    /// The region the widgets read.
    pub region: String,
    /// The features.
    pub features: Vec<FeatureSpec>,
    /// Model-quality widgets for this problem type.
    pub problem_type: Option<ProblemType>,
    /// Model-quality alarms.
    pub model_alarms: Vec<ModelAlarm>,
    /// Baseline drift (L∞) alarm threshold (the constraints' `comparison_threshold`).
    pub drift_threshold: f64,
    /// PSI alarm threshold.
    pub psi_threshold: f64,
    /// KS statistic threshold (drawn on the dashboard).
    pub ks_threshold: f64,
    /// Alarm when records rejected / read exceeds this.
    pub rejected_ratio_threshold: f64,
    /// Seconds per datapoint (the schedule's period: 3600 for hourly).
    pub period: i32,
    /// SNS topics (or other ARNs) notified when an alarm fires.
    pub alarm_actions: Vec<String>,
    /// The bias monitor's graphs and alarm, when a bias baseline is given.
    pub bias: Option<bias::BiasDashboard>,
}

impl DashboardSpec {
    /// A spec with driftmon's defaults (hourly, SageMaker's 0.1 drift threshold, PSI 0.25).
    pub fn new(endpoint: &str, schedule: &str, region: &str) -> DashboardSpec {
        let d = driftmon_rules::config::DriftConfig::default();
        DashboardSpec {
            endpoint: endpoint.to_owned(),
            schedule: schedule.to_owned(),
            model_schedule: None,
            region: region.to_owned(),
            features: Vec::new(),
            problem_type: None,
            model_alarms: Vec::new(),
            drift_threshold: 0.1,
            psi_threshold: d.psi_threshold,
            ks_threshold: d.ks_threshold,
            rejected_ratio_threshold: 0.01,
            period: 3600,
            alarm_actions: Vec::new(),
            bias: None,
        }
    }

    fn ctx(&self) -> PointContext<'_> {
        PointContext {
            target: Target::Endpoint(&self.endpoint),
            schedule: &self.schedule,
            timestamp_ms: 0,
        }
    }

    fn model_ctx(&self) -> PointContext<'_> {
        PointContext {
            schedule: self.model_schedule.as_deref().unwrap_or(&self.schedule),
            ..self.ctx()
        }
    }
}

/// The features of a baseline `statistics.json`, with their kinds.
pub fn features_from_statistics(stats: &Statistics) -> Vec<FeatureSpec> {
    stats
        .features
        .iter()
        .flatten()
        .map(|f| FeatureSpec {
            name: f.name.clone(),
            numeric: Some(f.numerical_statistics.is_some()),
        })
        .collect()
}

/// The model-quality alarms of a model-quality `constraints.json` (threshold and operator per
/// metric, as SageMaker suggests them).
pub fn model_alarms_from_constraints(cons: &Constraints) -> Vec<ModelAlarm> {
    let mut out = Vec::new();
    for section in [
        &cons.binary_classification_constraints,
        &cons.multiclass_classification_constraints,
        &cons.regression_constraints,
    ]
    .into_iter()
    .flatten()
    {
        let v = serde_json::to_value(section).unwrap_or(Value::Null);
        for (metric, c) in v.as_object().into_iter().flatten() {
            let threshold = c.get("threshold").and_then(Value::as_f64);
            let op = c.get("comparison_operator").and_then(Value::as_str);
            if let (Some(threshold), Some(op)) = (threshold, op) {
                out.push(ModelAlarm {
                    metric: metric.clone(),
                    threshold,
                    comparison_operator: op.to_owned(),
                });
            }
        }
    }
    out
}

/// The drift threshold of a data-quality `constraints.json` (SageMaker's default, 0.1, if unset).
pub fn drift_threshold_from_constraints(cons: &Constraints) -> f64 {
    cons.monitoring_config
        .as_ref()
        .and_then(|m| m.distribution_constraints.as_ref())
        .and_then(|d| d.comparison_threshold)
        .unwrap_or(0.1)
}

/// Reads a baseline folder (local or `s3://`): its features, and the drift threshold of its
/// constraints when present.
pub fn from_baseline(dir: &Path, spec: &mut DashboardSpec) -> Result<(), DashboardError> {
    let loc = crate::adapters::store::resolve(dir).map_err(|e| DashboardError::Baseline {
        uri: dir.display().to_string(),
        msg: e.to_string(),
    })?;
    let bad = |name: &str, msg: String| DashboardError::Baseline {
        uri: loc.uri(name),
        msg,
    };
    let stats = loc
        .get("statistics.json")
        .map_err(|e| bad("statistics.json", e.to_string()))
        .and_then(|b| {
            driftmon_baseline::files::parse_statistics(&b)
                .map_err(|e| bad("statistics.json", e.to_string()))
        })?;
    spec.features = features_from_statistics(&stats);
    match loc.get("constraints.json") {
        Ok(b) => {
            let cons = driftmon_baseline::files::parse_constraints(&b)
                .map_err(|e| bad("constraints.json", e.to_string()))?;
            spec.drift_threshold = drift_threshold_from_constraints(&cons);
        }
        Err(crate::adapters::store::StoreError::NotFound { .. }) => {}
        Err(e) => return Err(bad("constraints.json", e.to_string())),
    }
    Ok(())
}

/// A metric line of a graph widget: `[namespace, name, dim, value, …, {options}]`.
fn metric_line(ctx: &PointContext<'_>, kind: MetricKind, subject: &str, label: &str) -> Value {
    let d = def(kind);
    let mut v = vec![
        json!(d.namespace_for(&ctx.target)),
        json!(d.metric_name(subject)),
    ];
    for Dimension { name, value } in ctx.dimensions() {
        v.push(json!(name));
        v.push(json!(value));
    }
    v.push(json!({"label": label, "stat": d.statistic}));
    Value::Array(v)
}

pub(super) struct Layout {
    widgets: Vec<Value>,
    x: i64,
    y: i64,
}

impl Layout {
    fn full(&mut self, w: Value, height: i64) {
        if self.x > 0 {
            self.x = 0;
            self.y += 6;
        }
        self.place(w, 24, height);
        self.y += height;
    }

    pub(super) fn half(&mut self, w: Value) {
        self.place(w, 12, 6);
        if self.x == 0 {
            self.x = 12;
        } else {
            self.x = 0;
            self.y += 6;
        }
    }

    fn place(&mut self, mut w: Value, width: i64, height: i64) {
        w["x"] = json!(self.x);
        w["y"] = json!(self.y);
        w["width"] = json!(width);
        w["height"] = json!(height);
        self.widgets.push(w);
    }
}

pub(super) fn graph(
    spec: &DashboardSpec,
    title: &str,
    metrics: Vec<Value>,
    threshold: Option<f64>,
) -> Value {
    let mut props = json!({
        "title": title,
        "view": "timeSeries",
        "stacked": false,
        "region": spec.region,
        "period": spec.period,
        "metrics": metrics,
    });
    if let Some(t) = threshold {
        props["annotations"] = json!({"horizontal": [{"label": "threshold", "value": t}]});
    }
    json!({"type": "metric", "properties": props})
}

/// The `DashboardBody` of `PutDashboard`.
pub fn dashboard_body(spec: &DashboardSpec) -> Value {
    let ctx = spec.ctx();
    let mut l = Layout {
        widgets: Vec::new(),
        x: 0,
        y: 0,
    };
    l.full(
        json!({"type": "text", "properties": {"markdown": format!(
            "# driftmon: {} / {}\nData quality (SageMaker `{}`), driftmon drift scores (`{}`){}. Generated by `driftmon dashboards`.",
            spec.endpoint,
            spec.schedule,
            def(MetricKind::FeatureBaselineDrift).namespace,
            def(MetricKind::FeaturePsi).namespace,
            if spec.problem_type.is_some() {
                format!(" and model quality (`{}`)", def(MetricKind::ModelQuality).namespace)
            } else {
                String::new()
            }
        )}}),
        2,
    );
    l.half(graph(
        spec,
        "Constraint violations",
        vec![metric_line(
            &ctx,
            MetricKind::ConstraintViolations,
            "",
            "violations",
        )],
        Some(0.0),
    ));
    l.half(graph(
        spec,
        "Records read and rejected",
        vec![
            metric_line(&ctx, MetricKind::RecordsRead, "", "read"),
            metric_line(&ctx, MetricKind::RecordsRejected, "", "rejected"),
        ],
        None,
    ));
    l.half(graph(
        spec,
        "Rejected records (share of records read)",
        vec![metric_line(
            &ctx,
            MetricKind::RecordsRejectedRatio,
            "",
            "rejected / read",
        )],
        Some(spec.rejected_ratio_threshold),
    ));
    let numeric: Vec<&FeatureSpec> = spec
        .features
        .iter()
        .filter(|f| f.numeric != Some(false))
        .collect();
    let all: Vec<&FeatureSpec> = spec.features.iter().collect();
    let per_feature: [(&str, MetricKind, &[&FeatureSpec], Option<f64>); 5] = [
        (
            "Baseline drift (SageMaker, L-infinity)",
            MetricKind::FeatureBaselineDrift,
            &all,
            Some(spec.drift_threshold),
        ),
        (
            "PSI (driftmon)",
            MetricKind::FeaturePsi,
            &all,
            Some(spec.psi_threshold),
        ),
        (
            "KS statistic (driftmon)",
            MetricKind::FeatureKsStatistic,
            &numeric,
            Some(spec.ks_threshold),
        ),
        (
            "Completeness (SageMaker)",
            MetricKind::FeatureNonNull,
            &all,
            None,
        ),
        (
            "Mean of numeric features (SageMaker feature_data)",
            MetricKind::FeatureData,
            &numeric,
            None,
        ),
    ];
    for (title, kind, feats, threshold) in per_feature {
        let chunks: Vec<&[&FeatureSpec]> = feats.chunks(FEATURES_PER_WIDGET).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let t = if chunks.len() > 1 {
                format!("{title} ({}/{})", i + 1, chunks.len())
            } else {
                title.to_owned()
            };
            let lines = chunk
                .iter()
                .map(|f| metric_line(&ctx, kind, &f.name, &f.name))
                .collect();
            l.half(graph(spec, &t, lines, threshold));
        }
    }
    if let Some(pt) = spec.problem_type {
        let mctx = spec.model_ctx();
        let lines = dashboard_metrics(pt)
            .iter()
            .map(|m| metric_line(&mctx, MetricKind::ModelQuality, m, m))
            .collect();
        l.half(graph(spec, "Model quality", lines, None));
    }
    if let Some(b) = &spec.bias {
        bias::widgets(spec, b, &mut l);
    }
    json!({"widgets": l.widgets})
}

/// A `PutMetricAlarm` input.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmDef {
    /// `AlarmName`.
    pub name: String,
    /// `AlarmDescription`.
    pub description: String,
    /// `Namespace`.
    pub namespace: String,
    /// `MetricName`.
    pub metric_name: String,
    /// `Dimensions`.
    pub dimensions: Vec<Dimension>,
    /// `Statistic`.
    pub statistic: String,
    /// `Period`, seconds.
    pub period: i32,
    /// `EvaluationPeriods`.
    pub evaluation_periods: i32,
    /// `Threshold`.
    pub threshold: f64,
    /// `ComparisonOperator`.
    pub comparison_operator: String,
    /// `TreatMissingData`.
    pub treat_missing_data: String,
    /// `AlarmActions`.
    pub alarm_actions: Vec<String>,
}

impl AlarmDef {
    /// The input as JSON (the shape of `aws cloudwatch put-metric-alarm --cli-input-json`).
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "AlarmName": self.name,
            "AlarmDescription": self.description,
            "Namespace": self.namespace,
            "MetricName": self.metric_name,
            "Dimensions": self.dimensions.iter().map(|d| json!({"Name": d.name, "Value": d.value})).collect::<Vec<_>>(),
            "Statistic": self.statistic,
            "Period": self.period,
            "EvaluationPeriods": self.evaluation_periods,
            "Threshold": self.threshold,
            "ComparisonOperator": self.comparison_operator,
            "TreatMissingData": self.treat_missing_data,
        });
        if !self.alarm_actions.is_empty() {
            v["AlarmActions"] = json!(self.alarm_actions);
        }
        v
    }
}

/// CloudWatch names: at most 255 characters.
pub(super) fn clip(s: String) -> String {
    if s.len() <= 255 {
        return s;
    }
    let mut end = 255;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// The alarms for `spec`.
pub fn alarms(spec: &DashboardSpec) -> Vec<AlarmDef> {
    let ctx = spec.ctx();
    let base = format!("driftmon-{}-{}", spec.endpoint, spec.schedule);
    let alarm = |ctx: &PointContext<'_>,
                 kind: MetricKind,
                 subject: &str,
                 suffix: &str,
                 statistic: &str,
                 threshold: f64,
                 op: &str,
                 what: String| {
        let d = def(kind);
        AlarmDef {
            name: clip(format!("{base}-{suffix}")),
            description: what,
            namespace: d.namespace_for(&ctx.target).to_owned(),
            metric_name: d.metric_name(subject),
            dimensions: ctx.dimensions(),
            statistic: statistic.to_owned(),
            period: spec.period,
            evaluation_periods: 1,
            threshold,
            comparison_operator: op.to_owned(),
            treat_missing_data: "notBreaching".to_owned(),
            alarm_actions: spec.alarm_actions.clone(),
        }
    };
    let mut out = vec![
        alarm(
            &ctx,
            MetricKind::ConstraintViolations,
            "",
            "violations",
            "Maximum",
            0.0,
            "GreaterThanThreshold",
            format!(
                "A monitoring execution of {} found constraint violations (see constraint_violations.json)",
                spec.endpoint
            ),
        ),
        alarm(
            &ctx,
            MetricKind::RecordsRejectedRatio,
            "",
            "rejected-records",
            "Maximum",
            spec.rejected_ratio_threshold,
            "GreaterThanThreshold",
            format!(
                "More than {}% of the capture records of {} were rejected (see drift_report.json)",
                spec.rejected_ratio_threshold * 100.0,
                spec.endpoint
            ),
        ),
    ];
    for f in &spec.features {
        out.push(alarm(
            &ctx,
            MetricKind::FeatureBaselineDrift,
            &f.name,
            &format!("baseline-drift-{}", f.name),
            "Maximum",
            spec.drift_threshold,
            "GreaterThanThreshold",
            format!(
                "Baseline drift of {} above {} (SageMaker baseline_drift_check)",
                f.name, spec.drift_threshold
            ),
        ));
        out.push(alarm(
            &ctx,
            MetricKind::FeaturePsi,
            &f.name,
            &format!("psi-{}", f.name),
            "Maximum",
            spec.psi_threshold,
            "GreaterThanThreshold",
            format!("PSI of {} above {}", f.name, spec.psi_threshold),
        ));
    }
    let mctx = spec.model_ctx();
    for m in &spec.model_alarms {
        let statistic = if lower_is_better(&m.metric) {
            "Maximum"
        } else {
            "Minimum"
        };
        out.push(alarm(
            &mctx,
            MetricKind::ModelQuality,
            &m.metric,
            &format!("model-{}", m.metric),
            statistic,
            m.threshold,
            &m.comparison_operator,
            format!(
                "Model quality: {} {} {} (model-quality constraints)",
                m.metric, m.comparison_operator, m.threshold
            ),
        ));
    }
    // The bias schedule's count (the first alarm already watches it when it is --schedule).
    if let Some(b) = spec.bias.as_ref().filter(|b| b.schedule != spec.schedule) {
        out.push(bias::alarm(spec, b));
    }
    out
}

/// The dashboard's name: `driftmon-<endpoint>-<schedule>`, reduced to the characters
/// CloudWatch allows (letters, digits, `-`, `_`), at most 255.
pub fn dashboard_name(spec: &DashboardSpec) -> String {
    let raw = format!("driftmon-{}-{}", spec.endpoint, spec.schedule);
    clip(
        raw.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect(),
    )
}

/// The two files' contents: `dashboard.json` and `alarms.json` (pretty JSON, trailing newline).
pub fn render(spec: &DashboardSpec) -> (String, String) {
    let body = serde_json::to_string_pretty(&dashboard_body(spec)).unwrap_or_default() + "\n";
    let al: Vec<Value> = alarms(spec).iter().map(AlarmDef::to_json).collect();
    let alarms = serde_json::to_string_pretty(&al).unwrap_or_default() + "\n";
    (body, alarms)
}

/// Writes `dashboard.json` and `alarms.json` into `dir` (a folder or `s3://…`), atomically.
pub fn write(dir: &Path, spec: &DashboardSpec) -> Result<(), DashboardError> {
    let (body, al) = render(spec);
    let loc = crate::adapters::store::resolve(dir).map_err(|e| DashboardError::Write {
        path: dir.display().to_string(),
        err: e.into_io(),
    })?;
    for (name, text) in [("dashboard.json", body), ("alarms.json", al)] {
        loc.put(name, text.as_bytes())
            .map_err(|e| DashboardError::Write {
                path: loc.uri(name),
                err: e.into_io(),
            })?;
    }
    Ok(())
}

/// What `--apply` did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// The dashboard's name.
    pub dashboard: String,
    /// CloudWatch's validation messages for the dashboard (empty when it is fully valid).
    pub validation_messages: Vec<String>,
    /// Alarms created or updated.
    pub alarms: usize,
}

/// The spec of the checked-in example `dashboards/credit-risk/` (the demo endpoint, its features
/// and kinds, a binary classifier): a test regenerates the example from it and compares.
pub fn demo_spec() -> DashboardSpec {
    let mut s = DashboardSpec::new(
        crate::cli::demo::ENDPOINT,
        "credit-risk-data-quality",
        "us-east-1",
    );
    s.features = crate::cli::demo::COLUMNS
        .iter()
        .map(|c| FeatureSpec {
            name: (*c).to_owned(),
            numeric: Some(!matches!(*c, "channel" | "region")),
        })
        .collect();
    s.problem_type = Some(ProblemType::BinaryClassification);
    s.model_schedule = Some("credit-risk-model-quality".to_owned());
    s.model_alarms = vec![
        ModelAlarm {
            metric: "auc".into(),
            threshold: 0.75,
            comparison_operator: "LessThanThreshold".into(),
        },
        ModelAlarm {
            metric: "f1".into(),
            threshold: 0.6,
            comparison_operator: "LessThanThreshold".into(),
        },
    ];
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftmon_rules::metrics_catalog::CATALOG;

    fn spec() -> DashboardSpec {
        let mut s = DashboardSpec::new("ep", "sched", "eu-west-1");
        s.features = (0..15)
            .map(|i| FeatureSpec {
                name: format!("f{i}"),
                numeric: Some(i % 3 != 0),
            })
            .collect();
        s.problem_type = Some(ProblemType::Regression);
        s
    }

    /// Every metric a widget or alarm names is one the catalog publishes, with SageMaker's
    /// dimensions.
    #[test]
    fn dashboard_names_only_catalog_metrics() {
        let s = spec();
        let body = dashboard_body(&s);
        let widgets = body["widgets"].as_array().unwrap();
        let mut lines = 0;
        for w in widgets {
            for k in ["x", "y", "width", "height"] {
                assert!(w[k].is_i64(), "{w}");
            }
            assert!(w["x"].as_i64().unwrap() + w["width"].as_i64().unwrap() <= 24);
            match w["type"].as_str().unwrap() {
                "text" => assert!(w["properties"]["markdown"].is_string()),
                "metric" => {
                    let p = &w["properties"];
                    assert_eq!(p["region"], "eu-west-1");
                    assert!(p["title"].is_string() && p["view"] == "timeSeries");
                    for m in p["metrics"].as_array().unwrap() {
                        lines += 1;
                        let m = m.as_array().unwrap();
                        let ns = m[0].as_str().unwrap();
                        let name = m[1].as_str().unwrap();
                        assert!(
                            CATALOG.iter().any(|d| d.namespace == ns
                                && (d.scope
                                    == driftmon_rules::metrics_catalog::Scope::ModelMetric
                                    || name.starts_with(d.name.trim_end_matches("{feature}")))),
                            "{ns} {name}"
                        );
                        assert_eq!(m[2], "Endpoint");
                        assert_eq!(m[3], "ep");
                        assert_eq!(m[4], "MonitoringSchedule");
                        assert_eq!(m[5], "sched");
                        assert!(m[6]["stat"].is_string());
                    }
                }
                t => panic!("unexpected widget type {t}"),
            }
        }
        // 3 run widgets (4 lines), 15 features × (drift, psi, non-null) + 10 numeric × (ks, data),
        // 3 regression metrics.
        assert_eq!(lines, 4 + 15 * 3 + 10 * 2 + 3);
        // No two widgets overlap.
        let rects: Vec<(i64, i64, i64, i64)> = widgets
            .iter()
            .map(|w| {
                (
                    w["x"].as_i64().unwrap(),
                    w["y"].as_i64().unwrap(),
                    w["width"].as_i64().unwrap(),
                    w["height"].as_i64().unwrap(),
                )
            })
            .collect();
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn alarms_follow_the_catalog_and_thresholds() {
        let mut s = spec();
        s.model_alarms = vec![ModelAlarm {
            metric: "mae".into(),
            threshold: 0.5,
            comparison_operator: "GreaterThanThreshold".into(),
        }];
        let a = alarms(&s);
        assert_eq!(a.len(), 2 + 2 * 15 + 1);
        let drift = a
            .iter()
            .find(|x| x.metric_name == "feature_baseline_drift_f3")
            .unwrap();
        assert_eq!(drift.namespace, "aws/sagemaker/Endpoints/data-metrics");
        assert_eq!(drift.threshold, 0.1);
        assert_eq!(drift.comparison_operator, "GreaterThanThreshold");
        let v = a
            .iter()
            .find(|x| x.metric_name == "constraint_violations")
            .unwrap();
        assert_eq!(v.namespace, "driftmon/Endpoints/drift-metrics");
        let m = a.iter().find(|x| x.metric_name == "mae").unwrap();
        assert_eq!(m.namespace, "aws/sagemaker/Endpoints/model-metrics");
        assert_eq!(m.statistic, "Maximum");
        let names: std::collections::BTreeSet<&str> = a.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names.len(), a.len(), "alarm names are unique");
        for x in &a {
            let j = x.to_json();
            for k in [
                "AlarmName",
                "Namespace",
                "MetricName",
                "Dimensions",
                "Statistic",
                "Period",
                "EvaluationPeriods",
                "Threshold",
                "ComparisonOperator",
            ] {
                assert!(!j[k].is_null(), "{k} in {j}");
            }
        }
    }

    #[test]
    fn constraints_give_model_alarms_and_drift_threshold() {
        let cons = driftmon_baseline::files::parse_constraints(
            br#"{"version":0.0,"regression_constraints":{
              "mae":{"threshold":0.5,"comparison_operator":"GreaterThanThreshold"},
              "r2":{"threshold":-3.2,"comparison_operator":"LessThanThreshold"}}}"#,
        )
        .unwrap();
        let m = model_alarms_from_constraints(&cons);
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].metric, "r2");
        assert_eq!(m[1].comparison_operator, "LessThanThreshold");
        assert_eq!(drift_threshold_from_constraints(&cons), 0.1);
    }

    #[test]
    fn names_are_cloudwatch_safe() {
        let s = DashboardSpec::new("my.endpoint", "sched/1", "us-east-1");
        assert_eq!(dashboard_name(&s), "driftmon-my_endpoint-sched_1");
        let long = DashboardSpec::new(&"e".repeat(300), "s", "us-east-1");
        assert_eq!(dashboard_name(&long).len(), 255);
    }

    /// The checked-in example `dashboards/credit-risk/` is what the generator writes today
    /// (`BLESS=1` rewrites it).
    #[test]
    fn checked_in_example_is_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dashboards/credit-risk");
        let (body, al) = render(&demo_spec());
        if std::env::var_os("BLESS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("dashboard.json"), &body).unwrap();
            std::fs::write(dir.join("alarms.json"), &al).unwrap();
        }
        let read = |n: &str| {
            std::fs::read_to_string(dir.join(n))
                .unwrap_or_else(|e| panic!("{}: {e} (run with BLESS=1)", dir.join(n).display()))
        };
        assert_eq!(
            read("dashboard.json"),
            body,
            "dashboards/credit-risk/dashboard.json is stale: run with BLESS=1"
        );
        assert_eq!(
            read("alarms.json"),
            al,
            "dashboards/credit-risk/alarms.json is stale: run with BLESS=1"
        );
    }
}
