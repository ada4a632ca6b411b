//! The bias monitor's part of the dashboard and its alarm: one graph per (stage, facet, facet
//! value) of a baseline `analysis.json` with its `bias_metric_<NAME>` lines (SageMaker's
//! namespace and dimensions, as [`driftmon_rules::bias::cloudwatch`] publishes them), and an
//! alarm on the bias schedule's `constraint_violations` count (the drift rule of §4.1 is an
//! interval test per metric, which a CloudWatch threshold cannot express).

use driftmon_rules::bias::cloudwatch::namespace;
use driftmon_rules::bias::BiasAnalysis;

use super::*;

/// One graph: the metrics of one facet value in one stage, with their baseline values.
#[derive(Debug, Clone, PartialEq)]
pub struct BiasPanel {
    /// `BiasStage` (`Pre-training`, `Post-Training`).
    pub stage: String,
    /// `Label`.
    pub label: String,
    /// `LabelValue`.
    pub label_value: String,
    /// `Facet`.
    pub facet: String,
    /// `FacetValue`.
    pub facet_value: String,
    /// The metrics' short names and baseline values (`None` where undefined).
    pub metrics: Vec<(String, Option<f64>)>,
}

/// The bias widgets of a dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct BiasDashboard {
    /// The bias monitoring schedule (`MonitoringSchedule` dimension).
    pub schedule: String,
    /// The graphs.
    pub panels: Vec<BiasPanel>,
}

impl BiasDashboard {
    /// The panels of a baseline `analysis.json`.
    pub fn from_analysis(schedule: &str, a: &BiasAnalysis) -> BiasDashboard {
        let mut panels = Vec::new();
        for (stage, s) in a.stages() {
            for f in &s.facets {
                let Ok(values) = &f.values else { continue };
                for v in values {
                    panels.push(BiasPanel {
                        stage: stage.dimension().to_owned(),
                        label: s.label.clone(),
                        label_value: s.label_value_or_threshold.clone(),
                        facet: f.name.clone(),
                        facet_value: v.value_or_threshold.clone(),
                        metrics: v
                            .metrics
                            .iter()
                            .map(|m| {
                                let b = m.outcome.as_ref().ok().map(|x| x.as_f64());
                                (m.metric.name().to_owned(), b.filter(|x| x.is_finite()))
                            })
                            .collect(),
                    });
                }
            }
        }
        BiasDashboard {
            schedule: schedule.to_owned(),
            panels,
        }
    }
}

/// The graphs, placed in `l`.
pub(super) fn widgets(spec: &DashboardSpec, b: &BiasDashboard, l: &mut Layout) {
    for p in &b.panels {
        let lines = p
            .metrics
            .iter()
            .map(|(name, base)| {
                json!([
                    namespace(&spec.ctx().target),
                    format!("bias_metric_{name}"),
                    "Endpoint",
                    spec.endpoint,
                    "MonitoringSchedule",
                    b.schedule,
                    "BiasStage",
                    p.stage,
                    "Label",
                    p.label,
                    "LabelValue",
                    p.label_value,
                    "Facet",
                    p.facet,
                    "FacetValue",
                    p.facet_value,
                    {"label": match base {
                        Some(x) => format!("{name} (baseline {x:.4})"),
                        None => name.clone(),
                    }, "stat": "Maximum"}
                ])
            })
            .collect();
        let title = format!(
            "Bias {} · {} = {} (a violation: |value| > |baseline|)",
            p.stage, p.facet, p.facet_value
        );
        l.half(graph(spec, &title, lines, None));
    }
}

/// The alarm on the bias schedule's violation count.
pub(super) fn alarm(spec: &DashboardSpec, b: &BiasDashboard) -> AlarmDef {
    let d = def(MetricKind::ConstraintViolations);
    let ctx = PointContext {
        schedule: &b.schedule,
        ..spec.ctx()
    };
    AlarmDef {
        name: clip(format!(
            "driftmon-{}-{}-bias-violations",
            spec.endpoint, b.schedule
        )),
        description: format!(
            "A bias monitoring execution of {} found a metric farther from 0 than at baseline \
             (see its constraint_violations.json)",
            spec.endpoint
        ),
        namespace: d.namespace_for(&ctx.target).to_owned(),
        metric_name: d.metric_name(""),
        dimensions: ctx.dimensions(),
        statistic: "Maximum".to_owned(),
        period: spec.period,
        evaluation_periods: 1,
        threshold: 0.0,
        comparison_operator: "GreaterThanThreshold".to_owned(),
        treat_missing_data: "notBreaching".to_owned(),
        alarm_actions: spec.alarm_actions.clone(),
    }
}
