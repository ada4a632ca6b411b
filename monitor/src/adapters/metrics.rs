//! The `MetricsSink` port: where a run's CloudWatch metrics go.
//!
//! The points come from the pure catalog ([`driftmon_rules::metrics_catalog`]), which also packs
//! them into `PutMetricData` requests ([`encode`]): at most 1000 data and 1 MB per request, one
//! namespace each, no NaN or infinity (dropped and counted). The adapters only send:
//!
//! * [`CloudWatchSink`] (feature `cloudwatch`): `PutMetricData` with aws-sdk-cloudwatch, the
//!   standard AWS chain for credentials, region and endpoint (`AWS_ENDPOINT_URL`,
//!   `AWS_ENDPOINT_URL_CLOUDWATCH`), and the SDK's standard retries (throttling, 5xx, connection
//!   errors; exponential backoff with full jitter);
//! * [`JsonLinesSink`]: the same points, one JSON object a line (PutMetricData's `MetricDatum`
//!   fields plus `Namespace`), written atomically to a local file, for tests, air-gapped runs, and
//!   SageMaker's bring-your-own-container metric files;
//! * [`Fanout`]: several sinks at once.

use std::path::{Path, PathBuf};

use driftmon_rules::metrics_catalog::{encode, MetricPoint};

/// A sink failure.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// The local file could not be written.
    #[error("metrics file {path}: {err}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        err: std::io::Error,
    },
    /// CloudWatch refused or could not be reached (after retries).
    #[error("CloudWatch PutMetricData ({namespace}, {points} points): {msg}")]
    Remote {
        /// The request's namespace.
        namespace: String,
        /// Points in the request.
        points: usize,
        /// What the service said.
        msg: String,
    },
    /// The sink cannot be set up.
    #[error("metrics: {0}")]
    Config(String),
}

/// What a publish did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Published {
    /// Points sent.
    pub points: usize,
    /// Requests (or files) written.
    pub requests: usize,
    /// Points dropped for a NaN or infinite value.
    pub dropped_non_finite: usize,
    /// Points dropped because CloudWatch would reject them, with the reason.
    pub dropped_invalid: Vec<String>,
}

impl Published {
    fn add(&mut self, o: &Published) {
        self.points += o.points;
        self.requests += o.requests;
        self.dropped_non_finite = self.dropped_non_finite.max(o.dropped_non_finite);
        if self.dropped_invalid.is_empty() {
            self.dropped_invalid = o.dropped_invalid.clone();
        }
    }
}

/// Where metrics go.
pub trait MetricsSink: Send + Sync {
    /// Publishes `points` (after [`encode`]'s filtering and batching).
    fn publish(&self, points: &[MetricPoint]) -> Result<Published, MetricsError>;
    /// A short name for messages (`CloudWatch`, a file name).
    fn name(&self) -> String;
}

/// How a run publishes: the sink and the `MonitoringSchedule` dimension.
pub struct MetricsTarget<'a> {
    /// The sink.
    pub sink: &'a dyn MetricsSink,
    /// The schedule name.
    pub schedule: &'a str,
}

/// Writes points as JSON lines to a local file (replacing it atomically).
#[derive(Debug, Clone)]
pub struct JsonLinesSink {
    path: PathBuf,
}

impl JsonLinesSink {
    /// A sink writing `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonLinesSink { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl MetricsSink for JsonLinesSink {
    fn publish(&self, points: &[MetricPoint]) -> Result<Published, MetricsError> {
        let enc = encode(points);
        let mut text = String::new();
        for b in &enc.batches {
            for p in &b.points {
                text.push_str(&p.to_json().to_string());
                text.push('\n');
            }
        }
        let io = |err| MetricsError::Io {
            path: self.path.clone(),
            err,
        };
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = self
            .path
            .file_name()
            .ok_or_else(|| io(std::io::Error::other("not a file name")))?
            .to_string_lossy()
            .into_owned();
        crate::adapters::atomic::write_atomic(&dir, &name, text.as_bytes()).map_err(io)?;
        Ok(Published {
            points: enc.points(),
            requests: 1,
            dropped_non_finite: enc.dropped_non_finite,
            dropped_invalid: enc.dropped_invalid,
        })
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// Publishes to several sinks in turn; the first failure stops it.
pub struct Fanout(pub Vec<Box<dyn MetricsSink>>);

impl MetricsSink for Fanout {
    fn publish(&self, points: &[MetricPoint]) -> Result<Published, MetricsError> {
        let mut all = Published::default();
        for s in &self.0 {
            all.add(&s.publish(points)?);
        }
        Ok(all)
    }

    fn name(&self) -> String {
        self.0
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftmon_rules::metrics_catalog::{MetricValue, PointContext, Target};

    #[test]
    fn json_lines_sink_writes_kept_points() {
        let dir = std::env::temp_dir().join(format!("driftmon-metrics-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("m.jsonl");
        let ctx = PointContext {
            target: Target::Endpoint("e"),
            schedule: "s",
            timestamp_ms: 0,
        };
        let p = |name: &str, v: f64| MetricPoint {
            namespace: "driftmon/Endpoints/drift-metrics".into(),
            name: name.into(),
            dimensions: ctx.dimensions(),
            value: MetricValue::Single(v),
            unit: "None".into(),
            timestamp_ms: 0,
        };
        let sink = JsonLinesSink::new(&path);
        let r = sink
            .publish(&[p("a", 1.0), p("b", f64::NAN), p("c", 2.5)])
            .unwrap();
        assert_eq!(r.points, 2);
        assert_eq!(r.dropped_non_finite, 1);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["MetricName"], "c");
        assert_eq!(lines[1]["Value"], 2.5);
        // A rerun replaces the file instead of appending.
        sink.publish(&[p("a", 1.0)]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
