//! The monitor types, SageMaker's unit of monitoring: data quality ([`data_quality`]), model
//! quality ([`model_quality`]) and model bias drift ([`model_bias`]); feature attribution drift
//! is named here so that every entry point (CLI, TOML, Lambda) spells it the same way, and is
//! refused with a clear error until it is built.
//!
//! Every monitor type is one implementation of [`Monitor`]: given a window ([`WindowSpec`]) it
//! produces an [`Execution`] — its `statistics.json`, its `constraint_violations.json`, its
//! metric points and its section of the report (bias: `analysis.json` and its page) — and writes
//! nothing. Writing,
//! publishing and the combined status are the job's ([`crate::job`]), the same for every type.
//! Suggesting a baseline is the other half of a type ([`data_quality::suggest`],
//! [`model_quality::suggest_model_quality`], [`model_bias::suggest`]), chosen by `driftmon baseline suggest
//! --monitor-type`.

use std::path::PathBuf;

use driftmon_baseline::files::{ConstraintViolations, Statistics};
use driftmon_rules::metrics_catalog::{MetricPoint, PointContext};

use crate::adapters::store::StoreError;

pub mod data_quality;
pub mod model_bias;
pub mod model_quality;

/// The four monitor types of SageMaker Model Monitor, as `--monitor-type` and the TOML's
/// `type` spell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum MonitorType {
    /// Data quality: the capture's profile against the baseline's statistics and constraints.
    DataQuality,
    /// Model quality: predictions joined with ground truth, metrics against constraints.
    ModelQuality,
    /// Model bias drift (SageMaker Clarify's bias monitor).
    ModelBias,
    /// Feature attribution drift (SageMaker Clarify's explainability monitor). Not built yet.
    ModelExplainability,
}

impl MonitorType {
    /// Every type, in SageMaker's order.
    pub const ALL: [MonitorType; 4] = [
        MonitorType::DataQuality,
        MonitorType::ModelQuality,
        MonitorType::ModelBias,
        MonitorType::ModelExplainability,
    ];

    /// The CLI and TOML spelling: `data-quality`, `model-quality`, `model-bias`,
    /// `model-explainability`.
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorType::DataQuality => "data-quality",
            MonitorType::ModelQuality => "model-quality",
            MonitorType::ModelBias => "model-bias",
            MonitorType::ModelExplainability => "model-explainability",
        }
    }

    /// SageMaker's `MonitoringType` (`DataQuality`, `ModelQuality`, `ModelBias`,
    /// `ModelExplainability`).
    pub fn sagemaker_name(self) -> &'static str {
        match self {
            MonitorType::DataQuality => "DataQuality",
            MonitorType::ModelQuality => "ModelQuality",
            MonitorType::ModelBias => "ModelBias",
            MonitorType::ModelExplainability => "ModelExplainability",
        }
    }

    /// Parses the CLI/TOML spelling, SageMaker's name, or the snake_case of earlier driftmon
    /// configurations (`data_quality`, `model_quality`).
    pub fn parse(s: &str) -> Option<MonitorType> {
        MonitorType::ALL.into_iter().find(|t| {
            s == t.as_str() || s == t.sagemaker_name() || s == t.as_str().replace('-', "_")
        })
    }

    /// The folder, below a job's output, of this type's files when the job runs several types
    /// and this one is not the first: SageMaker gives each monitoring schedule its own output
    /// prefix, so each type's `constraint_violations.json` holds its own entries only.
    pub fn subfolder(self) -> &'static str {
        match self {
            MonitorType::DataQuality => "data_quality",
            MonitorType::ModelQuality => "model_quality",
            MonitorType::ModelBias => "model_bias",
            MonitorType::ModelExplainability => "model_explainability",
        }
    }

    /// The error for a type this build cannot run yet.
    pub fn unavailable(self) -> String {
        format!(
            "--monitor-type {}: not available yet in this driftmon (data-quality, model-quality and model-bias are)",
            self.as_str()
        )
    }
}

impl std::fmt::Display for MonitorType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The window a job executes over: where the capture is, which endpoint and variant, when.
#[derive(Debug, Clone)]
pub struct WindowSpec {
    /// Capture root (a folder or `s3://bucket/prefix`):
    /// `<capture>/<endpoint>/<variant>/YYYY/MM/DD/HH/*.jsonl`.
    pub capture: PathBuf,
    /// Endpoint name.
    pub endpoint: String,
    /// One variant, or every variant found.
    pub variant: Option<String>,
    /// Window start (inclusive), ms since the epoch.
    pub start_ms: i64,
    /// Window end (exclusive), ms since the epoch.
    pub end_ms: i64,
}

/// The part of `drift_report.json` a monitor type contributes.
#[derive(Debug, Clone)]
pub enum Section {
    /// The data-quality report: every top-level field of `drift_report.json` but the status,
    /// message and violation count, which the job fills from all types.
    DataQuality(Box<data_quality::DataQualitySection>),
    /// The `model_quality` object.
    ModelQuality(Box<driftmon_rules::report::ModelQualitySection>),
    /// The bias analysis and its checks (written as `analysis.json` and the bias page).
    ModelBias(Box<model_bias::BiasSection>),
}

/// What one monitor type's execution over a window produced. Nothing is written yet.
#[derive(Debug, Clone)]
pub struct Execution {
    /// Which type.
    pub monitor_type: MonitorType,
    /// Its `statistics.json`, when it computed statistics.
    pub statistics: Option<Statistics>,
    /// Its `constraint_violations.json`.
    pub violations: ConstraintViolations,
    /// Its section of the report.
    pub section: Section,
}

impl Execution {
    /// The metric points of this execution (SageMaker's names and dimensions, see
    /// [`driftmon_rules::metrics_catalog`]), for the job's `report` of all types.
    pub fn points(
        &self,
        ctx: &PointContext<'_>,
        report: Option<&driftmon_rules::report::DriftReport>,
    ) -> Vec<MetricPoint> {
        match (&self.section, &self.statistics, report) {
            (Section::DataQuality(_), Some(stats), Some(report)) => {
                driftmon_rules::metrics_catalog::data_quality_points(ctx, stats, report)
            }
            (Section::ModelQuality(_), Some(st), _) => {
                driftmon_rules::metrics_catalog::model_quality_points(ctx, st)
            }
            (Section::ModelBias(b), _, _) => {
                let mut points = driftmon_rules::bias::cloudwatch::bias_points(ctx, &b.analysis).0;
                // driftmon's own count, as for data quality: the alarm of `driftmon dashboards`.
                points.push(ctx.point(
                    driftmon_rules::metrics_catalog::MetricKind::ConstraintViolations,
                    "",
                    driftmon_rules::metrics_catalog::MetricValue::Single(
                        self.violations.violations.len() as f64,
                    ),
                ));
                points
            }
            _ => Vec::new(),
        }
    }
}

impl Execution {
    /// Its `constraint_violations.json`: SageMaker's format for data and model quality (always
    /// written), Clarify's for bias (written only when there are violations, as Clarify does).
    pub fn violations_file(&self) -> Result<Option<String>, driftmon_baseline::files::FilesError> {
        match &self.section {
            Section::ModelBias(b) => Ok(b.violations_file()),
            _ => driftmon_baseline::files::to_jackson(&self.violations).map(Some),
        }
    }
}

/// One monitor type, configured: executes over a window and returns what it found.
pub trait Monitor: Send + Sync {
    /// Which type it is.
    fn monitor_type(&self) -> MonitorType;
    /// Executes over `window` (reading its capture, and ground truth where the type needs it).
    /// Data problems are counted in the execution; only configuration, store and "nothing to
    /// monitor" problems are errors (SageMaker's `Failed`).
    fn execute(&self, window: &WindowSpec) -> Result<Execution, RunError>;
}

/// A run that could not complete (SageMaker's `Failed`).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The baseline could not be read.
    #[error("baseline {path}: {msg}")]
    Baseline {
        /// The file.
        path: PathBuf,
        /// Why.
        msg: String,
    },
    /// The capture could not be listed or read.
    #[error("capture {path}: {err}")]
    Capture {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        err: std::io::Error,
    },
    /// The window held no usable record.
    #[error("Job inputs had no data: {0}")]
    NoData(String),
    /// The window is empty or inverted.
    #[error("invalid window: {0}")]
    Window(String),
    /// The model-quality part failed (configuration or store).
    #[error("model quality: {0}")]
    ModelQuality(String),
    /// The bias part failed (configuration, table or analysis).
    #[error("model bias: {0}")]
    ModelBias(String),
    /// The model-quality execution computed no metric (no ground truth in its window, or no
    /// label joined a usable prediction): SageMaker's `Failed`, with the reason.
    #[error("{0}")]
    NoModelQuality(String),
    /// A store (local folder or S3) failed.
    #[error("{0}")]
    Store(StoreError),
    /// An output could not be written.
    #[error("output {path}: {err}")]
    Output {
        /// The file.
        path: PathBuf,
        /// Why.
        err: std::io::Error,
    },
    /// A monitor type panicked (a bug): the job fails with the panic's message instead of
    /// taking the process down or hanging.
    #[error("{monitor_type}: internal error: {message}")]
    Panic {
        /// Which monitor type.
        monitor_type: MonitorType,
        /// The panic's message.
        message: String,
    },
    /// Publishing metrics failed (nothing was written: outputs come after metrics).
    #[error("{0}")]
    Metrics(crate::adapters::metrics::MetricsError),
}
