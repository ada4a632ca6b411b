//! One monitoring execution (`driftmon run`): read a window of data capture, profile it,
//! evaluate it against a baseline, and write SageMaker's outputs plus `drift_report.json`.
//!
//! A run has two stages: profiling ([`profile_stage`]: list the window, profile its objects, not
//! yet [`finish`]ed) and evaluation ([`evaluate_stage`]: finish, evaluate, write the outputs).
//! `driftmon run --shard I/N` runs only the first stage on part of the window and `driftmon
//! merge` runs the second on the merged parts (see [`crate::job::shard`]).
//!
//! Reading is parallel: a fixed pool of workers (as many as cores by default) pulls object
//! indices from an atomic counter, and the per-object profiles are merged strictly in object
//! order through a small reorder buffer, so the result does not depend on the number of workers.
//! Memory is bounded: a worker does not start object `i` while `i >= next_to_merge + 2 *
//! workers`, so at most `3 * workers` object profiles exist at once (`2 * workers` finished ones
//! waiting in the buffer plus one in progress per worker), each worker reading one line at a
//! time.

mod profile;
pub mod suggest;

pub use profile::*;

use std::path::{Path, PathBuf};

use driftmon_baseline::capture::{format_timestamp_ms, ExtractConfig};
use driftmon_baseline::files::{parse_constraints, parse_statistics};
use driftmon_rules::baseline_view::BaselineView;
use driftmon_rules::config::DriftConfig;
use driftmon_rules::evaluate::{context, evaluate};
use driftmon_rules::report::{
    feature_reports, DriftReport, DriftSettings, RecordCounts, RejectedExample, Report, TimeWindow,
};

use crate::adapters::store::resolve;
use crate::monitors::{Execution, Monitor, MonitorType, RunError, Section, WindowSpec};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Capture root (a folder or `s3://bucket/prefix`):
    /// `<capture>/<endpoint>/<variant>/YYYY/MM/DD/HH/*.jsonl`.
    pub capture: PathBuf,
    /// Endpoint name.
    pub endpoint: String,
    /// One variant, or every variant found.
    pub variant: Option<String>,
    /// Folder with `statistics.json` and `constraints.json`.
    pub baseline: PathBuf,
    /// Output folder.
    pub output: PathBuf,
    /// Window start (inclusive), ms since the epoch.
    pub start_ms: i64,
    /// Window end (exclusive), ms since the epoch.
    pub end_ms: i64,
    /// driftmon's drift thresholds.
    pub drift: DriftConfig,
    /// How payloads become rows.
    pub extract: ExtractConfig,
    /// Worker threads (0: one per core).
    pub workers: usize,
}

/// Loads a baseline folder (local or `s3://`).
pub fn load_baseline(dir: &Path) -> Result<BaselineView, RunError> {
    let loc = resolve(dir).map_err(RunError::Store)?;
    let read = |name: &str| {
        loc.get(name).map_err(|e| RunError::Baseline {
            path: PathBuf::from(loc.uri(name)),
            // The path names the object already.
            msg: e.into_io().to_string(),
        })
    };
    let sp = PathBuf::from(loc.uri("statistics.json"));
    let cp = PathBuf::from(loc.uri("constraints.json"));
    let stats = parse_statistics(&read("statistics.json")?).map_err(|e| RunError::Baseline {
        path: sp,
        msg: e.to_string(),
    })?;
    let cons = parse_constraints(&read("constraints.json")?).map_err(|e| RunError::Baseline {
        path: cp,
        msg: e.to_string(),
    })?;
    Ok(BaselineView::new(&stats, &cons))
}

/// What a job runs besides data quality over the same window, and the report's history.
#[derive(Debug, Clone, Default)]
pub struct RunExtras {
    /// Model quality over the same window, joined with ground truth: its summary goes under
    /// `model_quality` in `drift_report.json`, its files to `model_quality/`.
    pub model_quality: Option<crate::monitors::model_quality::ModelQualityRunSpec>,
    /// Earlier runs' output folders, oldest first: the sparklines of `report.html`.
    pub history: Vec<PathBuf>,
}

impl RunSpec {
    /// The window this spec reads.
    pub fn window(&self) -> WindowSpec {
        WindowSpec {
            capture: self.capture.clone(),
            endpoint: self.endpoint.clone(),
            variant: self.variant.clone(),
            start_ms: self.start_ms,
            end_ms: self.end_ms,
        }
    }
}

/// The data-quality section of `drift_report.json`: the whole report of a data-quality
/// execution (its status, message and violation count are replaced by the job's, over every
/// monitor type of the window).
pub type DataQualitySection = DriftReport;

/// The data-quality monitor type: the window's capture profiled and checked against a baseline's
/// `statistics.json` and `constraints.json` (every rule of [`driftmon_rules::evaluate`]).
#[derive(Debug, Clone)]
pub struct DataQuality {
    /// Folder (or `s3://` prefix) with `statistics.json` and `constraints.json`.
    pub baseline: PathBuf,
    /// driftmon's drift thresholds.
    pub drift: DriftConfig,
    /// How payloads become rows.
    pub extract: driftmon_baseline::capture::ExtractConfig,
    /// Worker threads (0: one per core).
    pub workers: usize,
    /// A window profiled elsewhere (the merged partials of `driftmon merge`): evaluated instead
    /// of reading the capture.
    pub profiled: Option<ProfiledWindow>,
}

impl DataQuality {
    /// The data-quality monitor of a run spec.
    pub fn new(spec: &RunSpec) -> DataQuality {
        DataQuality {
            baseline: spec.baseline.clone(),
            drift: spec.drift.clone(),
            extract: spec.extract.clone(),
            workers: spec.workers,
            profiled: None,
        }
    }

    fn spec(&self, w: &WindowSpec) -> RunSpec {
        RunSpec {
            capture: w.capture.clone(),
            endpoint: w.endpoint.clone(),
            variant: w.variant.clone(),
            baseline: self.baseline.clone(),
            output: PathBuf::new(),
            start_ms: w.start_ms,
            end_ms: w.end_ms,
            drift: self.drift.clone(),
            extract: self.extract.clone(),
            workers: self.workers,
        }
    }
}

impl Monitor for DataQuality {
    fn monitor_type(&self) -> MonitorType {
        MonitorType::DataQuality
    }

    fn execute(&self, w: &WindowSpec) -> Result<Execution, RunError> {
        let spec = self.spec(w);
        let baseline = load_baseline(&self.baseline)?;
        let window = match &self.profiled {
            Some(p) => p.clone(),
            None => {
                let names = baseline.names();
                let capture = resolve(&w.capture).map_err(RunError::Store)?;
                profile_stage(&capture, &names, &spec, |n| 0..n)?.1
            }
        };
        evaluate_window(&spec, &baseline, window)
    }
}

/// The evaluation of a profiled window: [`finish`], every rule against the baseline, the
/// statistics and the report section. Fails only on a window without a usable row.
fn evaluate_window(
    spec: &RunSpec,
    baseline: &BaselineView,
    window: ProfiledWindow,
) -> Result<Execution, RunError> {
    let names = baseline.names();
    let wp = finish(window.profile, names.len());
    let objects = window.objects;
    let variants = window.variants;
    let missing_hours = window.hours_without_data;
    let current = &wp.main;
    if current.item_count == 0 {
        return Err(RunError::NoData(format!(
            "{} objects, {} records read, {} outside the window, {} rejected{}",
            objects,
            wp.records_read,
            wp.outside_window,
            current.rejects.total,
            current
                .rejects
                .samples
                .first()
                .map(|r| format!(" (first: {}: {})", r.location, r.message))
                .unwrap_or_default()
        )));
    }
    let ctx = context(baseline, current, &spec.drift);
    let report = Report {
        outcomes: evaluate(&ctx),
    };
    let violations = report.constraint_violations();
    let stats = driftmon_baseline::suggest::statistics(current);
    let (status, message) = crate::job::verdict(violations.violations.len());
    let drift_report = DriftReport {
        endpoint: spec.endpoint.clone(),
        variants,
        window: TimeWindow {
            start: format_timestamp_ms(spec.start_ms),
            end: format_timestamp_ms(spec.end_ms),
        },
        status,
        message,
        violations: violations.violations.len() as u64,
        records: RecordCounts {
            objects: objects as u64,
            read: wp.records_read,
            outside_window: wp.outside_window,
            rejected: current.rejects.total,
            rows_profiled: current.item_count,
        },
        rejected_by_kind: current.rejects.by_kind.clone(),
        rejected_examples: current
            .rejects
            .samples
            .iter()
            .map(|r| RejectedExample {
                location: r.location.to_string(),
                kind: r.kind.clone(),
                message: r.message.clone(),
            })
            .collect(),
        hours_without_data: missing_hours,
        drift_config: DriftSettings::from(&spec.drift),
        features: feature_reports(&ctx, &report),
        model_quality: None,
    };
    Ok(Execution {
        monitor_type: MonitorType::DataQuality,
        statistics: Some(stats),
        violations,
        section: Section::DataQuality(Box::new(drift_report)),
    })
}
