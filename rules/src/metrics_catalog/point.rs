//! A metric point and what it is published for: the [`Target`] (endpoint or batch job), the
//! dimensions, a single value or `StatisticValues`, and the JSON-lines form of a point.

use driftmon_baseline::capture::format_timestamp_ms;
use serde_json::{json, Map, Value};

use super::*;

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

    /// The point of catalog metric `kind` for `subject` (a feature or metric name, `""` for
    /// a run-level metric) in this context.
    pub fn point(&self, kind: MetricKind, subject: &str, value: MetricValue) -> MetricPoint {
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
    pub(super) fn numbers(&self) -> Vec<f64> {
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
