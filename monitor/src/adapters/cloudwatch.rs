//! CloudWatch: the metrics sink (`PutMetricData`, batches from the pure encoder of
//! [`driftmon_rules::metrics_catalog::encode`]) and `driftmon dashboards --apply`
//! (`PutDashboard`, `PutMetricAlarm`). Feature `cloudwatch`.

use crate::report::dashboards::{
    alarms, dashboard_body, dashboard_name, Applied, DashboardError, DashboardSpec,
};

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit, StatisticSet};
use aws_sdk_cloudwatch::Client;
use aws_smithy_types::DateTime;
use driftmon_rules::metrics_catalog::{encode, MetricPoint, MetricValue};

use crate::adapters::aws;
use crate::adapters::metrics::{MetricsError, MetricsSink, Published};

/// A CloudWatch client from the standard AWS chain (shared configuration, one per call).
pub fn cloudwatch_client() -> Result<Client, MetricsError> {
    let cfg = aws::sdk_config().map_err(|e| MetricsError::Config(e.to_string()))?;
    Ok(Client::new(cfg))
}

/// Publishes with `PutMetricData`.
#[derive(Debug, Clone)]
pub struct CloudWatchSink {
    client: Client,
}

impl CloudWatchSink {
    /// A sink from the standard AWS chain.
    pub fn from_env() -> Result<CloudWatchSink, MetricsError> {
        Ok(CloudWatchSink {
            client: cloudwatch_client()?,
        })
    }

    /// A sink over an explicit client.
    pub fn new(client: Client) -> CloudWatchSink {
        CloudWatchSink { client }
    }
}

fn datum(p: &MetricPoint) -> MetricDatum {
    let mut b = MetricDatum::builder()
        .metric_name(&p.name)
        .timestamp(DateTime::from_millis(p.timestamp_ms))
        .unit(StandardUnit::from(p.unit.as_str()));
    for d in &p.dimensions {
        b = b.dimensions(Dimension::builder().name(&d.name).value(&d.value).build());
    }
    b = match p.value {
        MetricValue::Single(v) => b.value(v),
        MetricValue::Statistics {
            sample_count,
            sum,
            minimum,
            maximum,
        } => b.statistic_values(
            StatisticSet::builder()
                .sample_count(sample_count)
                .sum(sum)
                .minimum(minimum)
                .maximum(maximum)
                .build(),
        ),
    };
    b.build()
}

impl MetricsSink for CloudWatchSink {
    fn publish(&self, points: &[MetricPoint]) -> Result<Published, MetricsError> {
        let enc = encode(points);
        let mut out = Published {
            dropped_non_finite: enc.dropped_non_finite,
            dropped_invalid: enc.dropped_invalid.clone(),
            ..Default::default()
        };
        for batch in &enc.batches {
            let req = self
                .client
                .put_metric_data()
                .namespace(&batch.namespace)
                .set_metric_data(Some(batch.points.iter().map(datum).collect()));
            let remote = |msg: String| MetricsError::Remote {
                namespace: batch.namespace.clone(),
                points: batch.points.len(),
                msg,
            };
            aws::block_on(req.send())
                .map_err(|e| remote(e.to_string()))?
                .map_err(|e| remote(aws::describe(&e)))?;
            out.points += batch.points.len();
            out.requests += 1;
        }
        Ok(out)
    }

    fn name(&self) -> String {
        "CloudWatch".into()
    }
}

/// Sends the dashboard (`PutDashboard`) and the alarms (`PutMetricAlarm`) to CloudWatch.
pub fn apply(
    client: &aws_sdk_cloudwatch::Client,
    spec: &DashboardSpec,
) -> Result<Applied, DashboardError> {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension as CwDim, Statistic};
    let name = dashboard_name(spec);
    let body = serde_json::to_string(&dashboard_body(spec)).unwrap_or_default();
    let rt = |op: &'static str, name: &str, msg: String| DashboardError::Remote {
        op,
        name: name.to_owned(),
        msg,
    };
    let out = crate::adapters::aws::block_on(
        client
            .put_dashboard()
            .dashboard_name(&name)
            .dashboard_body(body)
            .send(),
    )
    .map_err(|e| rt("PutDashboard", &name, e.to_string()))?
    .map_err(|e| rt("PutDashboard", &name, crate::adapters::aws::describe(&e)))?;
    let validation_messages = out
        .dashboard_validation_messages()
        .iter()
        .map(|m| {
            format!(
                "{}: {}",
                m.data_path().unwrap_or("?"),
                m.message().unwrap_or("")
            )
        })
        .collect();
    let defs = alarms(spec);
    for a in &defs {
        let mut req = client
            .put_metric_alarm()
            .alarm_name(&a.name)
            .alarm_description(&a.description)
            .namespace(&a.namespace)
            .metric_name(&a.metric_name)
            .statistic(Statistic::from(a.statistic.as_str()))
            .period(a.period)
            .evaluation_periods(a.evaluation_periods)
            .threshold(a.threshold)
            .comparison_operator(ComparisonOperator::from(a.comparison_operator.as_str()))
            .treat_missing_data(&a.treat_missing_data)
            .set_alarm_actions(if a.alarm_actions.is_empty() {
                None
            } else {
                Some(a.alarm_actions.clone())
            });
        for d in &a.dimensions {
            req = req.dimensions(CwDim::builder().name(&d.name).value(&d.value).build());
        }
        crate::adapters::aws::block_on(req.send())
            .map_err(|e| rt("PutMetricAlarm", &a.name, e.to_string()))?
            .map_err(|e| {
                rt(
                    "PutMetricAlarm",
                    &a.name,
                    crate::adapters::aws::describe(&e),
                )
            })?;
    }
    Ok(Applied {
        dashboard: name,
        validation_messages,
        alarms: defs.len(),
    })
}
