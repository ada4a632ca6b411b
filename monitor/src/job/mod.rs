//! One monitoring job over one window, whatever runs it (`driftmon run`, `driftmon merge`, the
//! daemon's engine, the Lambda): [`run_once`].
//!
//! 1. Every configured monitor type executes over the window ([`crate::monitors::Monitor`]);
//!    the first error fails the job (SageMaker's `Failed: <reason>`) and nothing is written.
//! 2. The status counts the violations of every type; `drift_report.json` is the data-quality
//!    section with the other types' sections beside it (the one combined view).
//! 3. The metric points of every type are published, when a sink is given.
//! 4. The outputs are written: the first type's files at the output root, each further type's
//!    in its own folder ([`MonitorType::subfolder`]), as SageMaker lays out separate schedules;
//!    each type's `constraint_violations.json` holds its own entries only. The root
//!    `constraint_violations.json` is written last: its presence means the job finished.
//!
//! A job that fails anywhere — reading, evaluating, publishing — leaves no output, so a rerun
//! starts clean. [`shard`] splits the profiling of a window across processes and merges the
//! partials into the same evaluation.

use std::path::PathBuf;

use driftmon_baseline::files::{to_jackson, ConstraintViolations};
use driftmon_rules::report::{DriftReport, ExecutionStatus};

use crate::adapters::metrics::{MetricsTarget, Published};
use crate::adapters::store::resolve;
use crate::monitors::data_quality::{DataQuality, RunExtras, RunSpec};
use crate::monitors::model_quality::ModelQuality;
use crate::monitors::RunError;
use crate::monitors::{Execution, Monitor, Section, WindowSpec};

pub mod shard;

/// One job: a window, the monitor types to run over it, where the outputs go.
pub struct Job {
    /// The window.
    pub window: WindowSpec,
    /// Output folder or `s3://` prefix.
    pub output: PathBuf,
    /// The monitor types, the first one's files at the output root.
    pub monitors: Vec<Box<dyn Monitor>>,
    /// Earlier jobs' output folders, oldest first: the sparklines of `report.html`.
    pub history: Vec<PathBuf>,
}

impl Job {
    /// Data quality over `spec`'s window, plus model quality when `extras` asks for it.
    pub fn from_spec(spec: &RunSpec, extras: &RunExtras) -> Job {
        let mut monitors: Vec<Box<dyn Monitor>> = vec![Box::new(DataQuality::new(spec))];
        if let Some(mq) = &extras.model_quality {
            monitors.push(Box::new(ModelQuality { spec: mq.clone() }));
        }
        Job {
            window: spec.window(),
            output: spec.output.clone(),
            monitors,
            history: extras.history.clone(),
        }
    }
}

/// What a job found.
#[derive(Debug)]
pub struct RunOutcome {
    /// SageMaker's status, over every monitor type.
    pub status: ExecutionStatus,
    /// SageMaker's exit message.
    pub message: String,
    /// Violations written, over every monitor type.
    pub violations: usize,
    /// The report written to `drift_report.json` (`None` when no data-quality type ran: the
    /// report is data quality's view, with the others beside it).
    pub drift_report: Option<DriftReport>,
    /// Each type's execution, in the job's order.
    pub executions: Vec<Execution>,
}

impl RunOutcome {
    /// Every violation of every type.
    pub fn all_violations(&self) -> ConstraintViolations {
        ConstraintViolations {
            violations: self
                .executions
                .iter()
                .flat_map(|e| e.violations.violations.iter().cloned())
                .collect(),
            ..ConstraintViolations::default()
        }
    }
}

/// SageMaker's status and exit message for `n` violations.
pub fn verdict(n: usize) -> (ExecutionStatus, String) {
    if n == 0 {
        (
            ExecutionStatus::Completed,
            "Completed: Job completed successfully with no violations.".to_owned(),
        )
    } else {
        (
            ExecutionStatus::CompletedWithViolations,
            format!("CompletedWithViolations: Job completed successfully with {n} violations."),
        )
    }
}

/// The combined `drift_report.json`: the data-quality section with the job's status, message
/// and violation count, and the model-quality section beside it. `None` when no data-quality
/// type ran (the report is data quality's view).
fn combined_report(
    execs: &[Execution],
    status: ExecutionStatus,
    message: &str,
    n: usize,
) -> Option<DriftReport> {
    let mut report = execs.iter().find_map(|e| match &e.section {
        Section::DataQuality(dq) => Some((**dq).clone()),
        _ => None,
    })?;
    report.status = status;
    report.message = message.to_owned();
    report.violations = n as u64;
    report.model_quality = execs.iter().find_map(|e| match &e.section {
        Section::ModelQuality(mq) => Some((**mq).clone()),
        _ => None,
    });
    Some(report)
}

/// Executes one monitor type, turning a panic anywhere inside it (a measure, a decoder, a
/// worker of the pool) into [`RunError::Panic`] with its message: the job fails cleanly, the
/// process (and a daemon's other monitors) carry on.
fn execute_guarded(m: &dyn Monitor, w: &WindowSpec) -> Result<Execution, RunError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.execute(w))) {
        Ok(r) => r,
        Err(payload) => Err(RunError::Panic {
            monitor_type: m.monitor_type(),
            message: panic_message(payload.as_ref()),
        }),
    }
}

/// The text of a panic's payload (`&str` or `String`, as `panic!` makes them).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs `job` (see the module documentation), publishing its metrics to `metrics` when given.
pub fn run_once(
    job: &Job,
    metrics: Option<&MetricsTarget<'_>>,
) -> Result<(RunOutcome, Option<Published>), RunError> {
    crate::monitors::data_quality::check_window(&job.window)?;
    let output = resolve(&job.output).map_err(RunError::Store)?;
    let mut execs = Vec::with_capacity(job.monitors.len());
    for m in &job.monitors {
        execs.push(execute_guarded(m.as_ref(), &job.window)?);
    }
    let n: usize = execs.iter().map(|e| e.violations.violations.len()).sum();
    let (status, message) = verdict(n);
    let report = combined_report(&execs, status, &message, n);
    let ser = |e: driftmon_baseline::files::FilesError| RunError::Output {
        path: job.output.clone(),
        err: std::io::Error::other(e.to_string()),
    };
    // Everything is serialised before anything is published or written.
    let mut files: Vec<(String, String)> = Vec::new();
    let mut violation_files: Vec<(String, String)> = Vec::new();
    for (i, e) in execs.iter().enumerate() {
        let dir = if i == 0 {
            String::new()
        } else {
            format!("{}/", e.monitor_type.subfolder())
        };
        if let Some(st) = &e.statistics {
            files.push((
                format!("{dir}statistics.json"),
                to_jackson(st).map_err(ser)?,
            ));
        }
        if let Section::ModelBias(b) = &e.section {
            files.push((
                format!("{dir}report.html"),
                crate::report::html::bias::render(b, &job.window),
            ));
            // analysis.json after the page: without violations it is the bias run's last file.
            files.push((format!("{dir}analysis.json"), b.analysis.to_json_string()));
        }
        if let Some(text) = e.violations_file().map_err(ser)? {
            violation_files.push((format!("{dir}constraint_violations.json"), text));
        }
    }
    if let Some(report) = &report {
        let history = crate::report::html::load_history(&job.history);
        files.push(("drift_report.json".into(), report.to_json_pretty()));
        files.push((
            "report.html".into(),
            crate::report::html::render(report, &history),
        ));
    }
    let published = match metrics {
        Some(m) => {
            let ctx = driftmon_rules::metrics_catalog::PointContext {
                target: driftmon_rules::metrics_catalog::Target::Endpoint(&job.window.endpoint),
                schedule: m.schedule,
                timestamp_ms: job.window.end_ms,
            };
            let points: Vec<_> = execs
                .iter()
                .flat_map(|e| e.points(&ctx, report.as_ref()))
                .collect();
            Some(m.sink.publish(&points).map_err(RunError::Metrics)?)
        }
        None => None,
    };
    let out = |name: &str, bytes: &[u8]| output.put(name, bytes).map_err(RunError::Store);
    for (name, text) in &files {
        out(name, text.as_bytes())?;
    }
    // The root's constraint_violations.json last: its presence means the job finished (a bias
    // run without violations writes none, as Clarify: its analysis.json comes last instead).
    violation_files.sort_by_key(|(name, _)| !name.contains('/'));
    for (name, text) in &violation_files {
        out(name, text.as_bytes())?;
    }
    Ok((
        RunOutcome {
            status,
            message,
            violations: n,
            drift_report: report,
            executions: execs,
        },
        published,
    ))
}

/// The monitor types a job runs, for messages: `data-quality, model-quality`.
pub fn describe(job: &Job) -> String {
    job.monitors
        .iter()
        .map(|m| m.monitor_type().as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("window", &self.window)
            .field("output", &self.output)
            .field("monitors", &describe(self))
            .finish()
    }
}
