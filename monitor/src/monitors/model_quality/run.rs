//! One model-quality execution ([`run_model_quality`]): both windows listed, the join
//! ([`super::join`]), the metrics and their checks, and the outputs ([`write_outputs`]).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use driftmon_baseline::capture::{format_timestamp_ms, ExtractConfig, JsonPath};
use driftmon_baseline::files::{parse_constraints, to_jackson, Constraints, Statistics};
use driftmon_baseline::read::maybe_gunzip;
use driftmon_rules::model_quality::{
    constraints_of, evaluate, metrics_of, scalar_metrics, statistics, Evaluation,
    ModelQualityError, Operator, ProblemType,
};
use driftmon_rules::report::{
    GroundTruthHours, JoinCountsRecord, MetricCheckRecord, MetricValues, ModelQualitySection,
    ObjectCounts, TimeWindow,
};
use serde_json::Value;

use super::join::Join;
use super::{Attribute, IssueLog, ModelQualityCmdError, ModelQualityOptions, HOUR_MS};
use crate::adapters::store::{join, resolve, Located, StoreError};

/// What one model-quality execution reads.
#[derive(Debug, Clone)]
pub struct ModelQualityRunSpec {
    /// Capture root (a folder or `s3://bucket/prefix`):
    /// `<capture>/<endpoint>/<variant>/YYYY/MM/DD/HH/*.jsonl`.
    pub capture: PathBuf,
    /// Endpoint name.
    pub endpoint: String,
    /// One variant, or every variant found.
    pub variant: Option<String>,
    /// Capture window start (inclusive), ms since the epoch.
    pub start_ms: i64,
    /// Capture window end (exclusive), ms since the epoch.
    pub end_ms: i64,
    /// Ground-truth root: `<ground_truth>/YYYY/MM/DD/HH/*.jsonl` (no endpoint level).
    pub ground_truth: PathBuf,
    /// Ground-truth window start (inclusive), ms: the first label-collection hour read.
    pub ground_truth_start_ms: i64,
    /// Ground-truth window end (exclusive), ms.
    pub ground_truth_end_ms: i64,
    /// The analyzer parameters.
    pub options: ModelQualityOptions,
    /// Which cell of a label row is the label (default: the first).
    pub ground_truth_attribute: Option<Attribute>,
    /// JSON path selecting label rows in JSON `groundTruthData` (default rules when `None`).
    pub ground_truth_path: Option<JsonPath>,
    /// Folder (or `s3://` prefix) with the model-quality `constraints.json`; `None`: metrics
    /// only, no violations.
    pub baseline: Option<PathBuf>,
    /// How capture payloads become rows. [`ModelQualityRunSpec::new`] reads the output only.
    pub extract: ExtractConfig,
    /// `dataset.evaluation_time` of the statistics (default: now, `…T…:…:….mmmZ`).
    pub evaluation_time: Option<String>,
}

impl ModelQualityRunSpec {
    /// A spec with the defaults: every variant, the first cell of each label row, no
    /// constraints, the capture output only (`use_input: false`), evaluation time now.
    pub fn new(
        capture: PathBuf,
        endpoint: String,
        (start_ms, end_ms): (i64, i64),
        ground_truth: PathBuf,
        (ground_truth_start_ms, ground_truth_end_ms): (i64, i64),
        options: ModelQualityOptions,
    ) -> Self {
        ModelQualityRunSpec {
            capture,
            endpoint,
            variant: None,
            start_ms,
            end_ms,
            ground_truth,
            ground_truth_start_ms,
            ground_truth_end_ms,
            options,
            ground_truth_attribute: None,
            ground_truth_path: None,
            baseline: None,
            extract: ExtractConfig {
                use_input: false,
                ..ExtractConfig::default()
            },
            evaluation_time: None,
        }
    }
}

/// How a model-quality execution ended (the status of its `drift_report.json` section).
pub use driftmon_rules::report::ModelQualityStatus;

/// The join's counters (see the module documentation for the units).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JoinCounts {
    /// Capture objects listed.
    pub capture_objects: usize,
    /// Ground-truth objects listed.
    pub ground_truth_objects: usize,
    /// Capture lines read (non-blank).
    pub capture_records: u64,
    /// Capture records outside the capture window.
    pub outside_window: u64,
    /// Prediction rows in the window (first record of each key).
    pub predictions: u64,
    /// Later capture records with an already seen key.
    pub duplicate_predictions: u64,
    /// Ground-truth lines read (non-blank).
    pub label_records: u64,
    /// Distinct label ids kept.
    pub labels: u64,
    /// Later labels for an already labelled id.
    pub duplicate_labels: u64,
    /// Prediction rows paired with a label row.
    pub matched: u64,
    /// Prediction rows without a label (yet).
    pub unmatched_predictions: u64,
    /// Label ids that joined no prediction of the window.
    pub unmatched_labels: u64,
    /// … of which the id is in no capture record read.
    pub labels_for_unknown_ids: u64,
    /// … of which the prediction lies outside the capture window.
    pub labels_for_predictions_outside_window: u64,
    /// … of which the prediction was rejected.
    pub labels_for_rejected_predictions: u64,
    /// Matched pairs that became samples.
    pub samples: u64,
    /// Lines that are not records (capture and ground truth).
    pub bad_lines: u64,
}

/// What one model-quality execution found.
#[derive(Debug, Clone)]
pub struct ModelQualityOutcome {
    /// How it ended.
    pub status: ModelQualityStatus,
    /// One line for people: SageMaker's exit message when metrics were computed.
    pub message: String,
    /// `statistics.json` (with `dataset.evaluation_time`), when metrics were computed.
    pub statistics: Option<Statistics>,
    /// The constraint checks, when metrics and constraints were there.
    pub evaluation: Option<Evaluation>,
    /// The join's counters.
    pub counts: JoinCounts,
    /// Every issue, by kind, with examples.
    pub issues: IssueLog,
    /// `matched / predictions`, when there are predictions.
    pub match_rate: Option<f64>,
    /// The `model_quality` section of `drift_report.json`.
    pub section: ModelQualitySection,
}

impl ModelQualityOutcome {
    /// The `model_quality` section as JSON, as `drift_report.json` holds it.
    pub fn summary(&self) -> Value {
        serde_json::to_value(&self.section).unwrap_or(Value::Null)
    }

    /// `constraint_violations.json` (empty when nothing was checked).
    pub fn violations(&self) -> driftmon_baseline::files::ConstraintViolations {
        self.evaluation
            .as_ref()
            .map(|e| e.violations.clone())
            .unwrap_or_default()
    }
}

/// Every `*.jsonl` / `*.jsonl.gz` key under `<prefix>/YYYY/MM/DD/HH/` for the hours that
/// `[start_ms, end_ms)` touches, sorted per hour, plus the hour folders without objects.
pub fn list_hours(
    loc: &Located,
    prefix: &str,
    start_ms: i64,
    end_ms: i64,
) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    if end_ms <= start_ms {
        return Ok((files, missing));
    }
    for h in start_ms.div_euclid(HOUR_MS)..=(end_ms - 1).div_euclid(HOUR_MS) {
        let ts = format_timestamp_ms(h * HOUR_MS);
        let rel = format!("{}/{}/{}/{}", &ts[0..4], &ts[5..7], &ts[8..10], &ts[11..13]);
        let rel = join(prefix, &rel);
        let here: Vec<String> = loc
            .store
            .list(&loc.key(&rel))?
            .into_iter()
            .filter(|k| k.ends_with(".jsonl") || k.ends_with(".jsonl.gz"))
            .collect();
        if here.is_empty() {
            missing.push(rel);
        }
        files.extend(here);
    }
    Ok((files, missing))
}

fn now_iso_ms() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let s = format_timestamp_ms(ms);
    let base = s.strip_suffix('Z').unwrap_or(&s);
    format!("{base}.{:03}Z", ms.rem_euclid(1000))
}

fn load_constraints(dir: &Path, problem: ProblemType) -> Result<Constraints, ModelQualityCmdError> {
    let loc = resolve(dir)?;
    let uri = loc.uri("constraints.json");
    let bytes = loc
        .get("constraints.json")
        .map_err(|e| ModelQualityCmdError::Baseline {
            path: uri.clone(),
            msg: e.to_string(),
        })?;
    let c = parse_constraints(&bytes).map_err(|e| ModelQualityCmdError::Baseline {
        path: uri.clone(),
        msg: e.to_string(),
    })?;
    let section = constraints_of(&c, problem).ok_or_else(|| ModelQualityCmdError::Baseline {
        path: uri.clone(),
        msg: format!(
            "no {} section: not a {problem} model-quality baseline",
            problem.constraints_key()
        ),
    })?;
    for (metric, mc) in section.iter() {
        if Operator::parse(&mc.comparison_operator).is_none() {
            return Err(ModelQualityError::InvalidOperator {
                metric: metric.to_owned(),
                operator: mc.comparison_operator.clone(),
            }
            .into());
        }
    }
    Ok(c)
}

pub(crate) fn read_lines(
    loc: &Located,
    key: &str,
    mut on_line: impl FnMut(u64, &[u8]),
) -> Result<(), StoreError> {
    let uri = loc.store.uri(key);
    let io = |err: std::io::Error| StoreError::Io {
        uri: uri.clone(),
        err,
    };
    let mut r = maybe_gunzip(loc.store.open(key)?).map_err(io)?;
    let mut buf = Vec::with_capacity(4096);
    let mut line = 0u64;
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf).map_err(io)? == 0 {
            break;
        }
        line += 1;
        let t = buf.trim_ascii();
        if !t.is_empty() {
            on_line(line, t);
        }
    }
    Ok(())
}

/// One model-quality execution: lists both windows, joins predictions and labels, computes the
/// metrics and checks them against the baseline's constraints (see the module documentation).
/// Writes nothing: see [`write_outputs`]. Errors only for configuration and store failures;
/// data problems are counted in the outcome.
pub fn run_model_quality(
    spec: &ModelQualityRunSpec,
) -> Result<ModelQualityOutcome, ModelQualityCmdError> {
    let opts = &spec.options;
    opts.validate()?;
    check_windows(spec)?;
    let constraints = match &spec.baseline {
        Some(dir) => Some(load_constraints(dir, opts.problem_type)?),
        None => None,
    };
    let mut j = Join::new(spec);

    // 1. Labels of the ground-truth window.
    let gt = resolve(&spec.ground_truth)?;
    let (gt_files, gt_missing) = list_hours(
        &gt,
        "",
        spec.ground_truth_start_ms,
        spec.ground_truth_end_ms,
    )?;
    j.counts.ground_truth_objects = gt_files.len();
    for key in &gt_files {
        let uri = gt.store.uri(key);
        read_lines(&gt, key, |line, bytes| j.label_line(&uri, line, bytes))?;
    }
    j.counts.labels = j.entries.len() as u64;

    // 2. Predictions of the capture window, joined as they stream by.
    let cap = resolve(&spec.capture)?;
    let ep = cap.key(&spec.endpoint);
    let variants: Vec<String> = match &spec.variant {
        Some(v) => vec![v.clone()],
        None => cap.store.list_dirs(&ep)?,
    };
    let mut cap_files = Vec::new();
    let mut cap_missing = Vec::new();
    for v in &variants {
        let (f, m) = list_hours(&cap, &join(&spec.endpoint, v), spec.start_ms, spec.end_ms)?;
        cap_files.extend(f);
        cap_missing.extend(m);
    }
    j.counts.capture_objects = cap_files.len();
    for key in &cap_files {
        let uri = cap.store.uri(key);
        read_lines(&cap, key, |line, bytes| j.capture_line(&uri, line, bytes))?;
    }
    j.unmatched_labels();

    // 3. Metrics, checks, summary.
    let (status, message, statistics_out, evaluation) = conclude(spec, &j, constraints.as_ref())?;
    let counts = &j.counts;
    let match_rate =
        (counts.predictions > 0).then(|| counts.matched as f64 / counts.predictions as f64);
    let gt_hours = (spec.ground_truth_end_ms - 1).div_euclid(HOUR_MS)
        - spec.ground_truth_start_ms.div_euclid(HOUR_MS)
        + 1;
    let section = summary(
        spec,
        &j,
        Listing {
            variants,
            hours_without_capture: cap_missing,
            ground_truth_hours: gt_hours,
            ground_truth_hours_without_objects: gt_missing.len(),
        },
        (status, &message, match_rate),
        statistics_out.as_ref(),
        evaluation.as_ref(),
    );
    Ok(ModelQualityOutcome {
        status,
        message,
        statistics: statistics_out,
        evaluation,
        counts: j.counts,
        issues: j.issues,
        match_rate,
        section,
    })
}

/// Both windows must be non-empty.
fn check_windows(spec: &ModelQualityRunSpec) -> Result<(), ModelQualityCmdError> {
    for (what, s, e) in [
        ("capture", spec.start_ms, spec.end_ms),
        (
            "ground-truth",
            spec.ground_truth_start_ms,
            spec.ground_truth_end_ms,
        ),
    ] {
        if e <= s {
            return Err(ModelQualityCmdError::Window(format!(
                "{what} window end {} is not after its start {}",
                format_timestamp_ms(e),
                format_timestamp_ms(s)
            )));
        }
    }
    Ok(())
}

/// How the execution ended, its message, and (with samples) its statistics and checks.
type Conclusion = (
    ModelQualityStatus,
    String,
    Option<Statistics>,
    Option<Evaluation>,
);

/// The status and message of the joined window; the metrics and checks when it has samples.
fn conclude(
    spec: &ModelQualityRunSpec,
    j: &Join<'_>,
    constraints: Option<&Constraints>,
) -> Result<Conclusion, ModelQualityCmdError> {
    let opts = &spec.options;
    let (counts, issues) = (&j.counts, &j.issues);
    let gt_window = format!(
        "[{}, {})",
        format_timestamp_ms(spec.ground_truth_start_ms),
        format_timestamp_ms(spec.ground_truth_end_ms)
    );
    if j.entries.is_empty() {
        return Ok((
            ModelQualityStatus::NoGroundTruth,
            format!(
                "NoGroundTruth: no ground truth in the window {gt_window} ({} objects, {} label \
                 records); {} predictions in the capture window await labels",
                counts.ground_truth_objects, counts.label_records, counts.predictions
            ),
            None,
            None,
        ));
    }
    if j.obs.is_empty() {
        // Why the matched rows were unusable: the sample errors, not the labels that matched
        // nothing.
        let most = issues
            .most_frequent(|k: &str| !k.starts_with("label_for_") && !k.starts_with("duplicate_"))
            .map(|(k, c)| {
                format!(
                    "; most: {k} ×{}{}",
                    c.count,
                    c.examples
                        .first()
                        .map(|e| format!(", first at {}: {}", e.location, e.message))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default();
        return Ok((
            ModelQualityStatus::NoMatchedPredictions,
            format!(
                "NoMatchedPredictions: {} labels in {gt_window}, {} predictions in the capture \
                 window, {} matched, none usable ({} issues){most}",
                counts.labels,
                counts.predictions,
                counts.matched,
                issues.total(),
            ),
            None,
            None,
        ));
    }
    let mut st = statistics(&j.obs, &opts.std_dev)?;
    st.dataset.evaluation_time = Some(spec.evaluation_time.clone().unwrap_or_else(now_iso_ms));
    let evaluation = match constraints {
        Some(c) => Some(evaluate(&st, c, opts.problem_type)?),
        None => None,
    };
    let n = evaluation
        .as_ref()
        .map_or(0, |e| e.violations.violations.len());
    let (status, message) = if n > 0 {
        (
            ModelQualityStatus::CompletedWithViolations,
            format!("CompletedWithViolations: Job completed successfully with {n} violations."),
        )
    } else {
        (
            ModelQualityStatus::Completed,
            "Completed: Job completed successfully with no violations.".to_owned(),
        )
    };
    Ok((status, message, Some(st), evaluation))
}

/// What was listed: the variants, and the hour folders without objects.
struct Listing {
    variants: Vec<String>,
    hours_without_capture: Vec<String>,
    ground_truth_hours: i64,
    ground_truth_hours_without_objects: usize,
}

/// The `model_quality` section of `drift_report.json`.
fn summary(
    spec: &ModelQualityRunSpec,
    j: &Join<'_>,
    listing: Listing,
    (status, message, match_rate): (ModelQualityStatus, &str, Option<f64>),
    statistics_out: Option<&Statistics>,
    evaluation: Option<&Evaluation>,
) -> ModelQualitySection {
    let opts = &spec.options;
    let (c, issues) = (&j.counts, &j.issues);
    let window = |start, end| TimeWindow {
        start: format_timestamp_ms(start),
        end: format_timestamp_ms(end),
    };
    ModelQualitySection {
        status,
        message: message.to_owned(),
        options: opts.record(),
        endpoint: spec.endpoint.clone(),
        variants: listing.variants,
        capture_window: window(spec.start_ms, spec.end_ms),
        ground_truth_window: window(spec.ground_truth_start_ms, spec.ground_truth_end_ms),
        objects: ObjectCounts {
            capture: c.capture_objects as u64,
            ground_truth: c.ground_truth_objects as u64,
        },
        counts: JoinCountsRecord {
            capture_records: c.capture_records,
            outside_window: c.outside_window,
            predictions: c.predictions,
            duplicate_predictions: c.duplicate_predictions,
            label_records: c.label_records,
            labels: c.labels,
            duplicate_labels: c.duplicate_labels,
            matched: c.matched,
            unmatched_predictions: c.unmatched_predictions,
            unmatched_labels: c.unmatched_labels,
            labels_for_unknown_ids: c.labels_for_unknown_ids,
            labels_for_predictions_outside_window: c.labels_for_predictions_outside_window,
            labels_for_rejected_predictions: c.labels_for_rejected_predictions,
            non_numeric_labels: issues.count("non_numeric_label"),
            invalid_labels: issues.count("invalid_label"),
            missing_labels: issues.count("missing_label"),
            missing_predictions: issues.count("missing_prediction"),
            invalid_predictions: issues.count("invalid_prediction"),
            missing_probability: issues.count("missing_probability"),
            invalid_probability: issues.count("invalid_probability"),
            bad_lines: c.bad_lines,
            samples: c.samples,
        },
        match_rate,
        awaiting_labels_examples: j.awaiting.clone(),
        issues: issues.records(),
        hours_without_capture: listing.hours_without_capture,
        // Labels arrive irregularly: empty label hours are normal, so only their number.
        ground_truth_hours: GroundTruthHours {
            listed: listing.ground_truth_hours,
            without_objects: listing.ground_truth_hours_without_objects as u64,
        },
        metrics: statistics_out
            .and_then(|st| metrics_of(st, opts.problem_type))
            .map(|sec| MetricValues(scalar_metrics(sec))),
        violations: evaluation.map_or(0, |e| e.violations.violations.len() as u64),
        checks: evaluation.map(|e| e.checks.iter().map(MetricCheckRecord::from).collect()),
    }
}

/// Writes `statistics.json` (when metrics were computed) and `constraint_violations.json`
/// (always; empty when nothing was checked) below `output` (a folder or `s3://` prefix), in
/// SageMaker's byte format.
pub fn write_outputs(
    outcome: &ModelQualityOutcome,
    output: &Path,
) -> Result<(), ModelQualityCmdError> {
    let out = resolve(output)?;
    let ser =
        |e: driftmon_baseline::files::FilesError| ModelQualityCmdError::Serialise(e.to_string());
    if let Some(st) = &outcome.statistics {
        out.put("statistics.json", to_jackson(st).map_err(ser)?.as_bytes())?;
    }
    out.put(
        "constraint_violations.json",
        to_jackson(&outcome.violations()).map_err(ser)?.as_bytes(),
    )?;
    Ok(())
}
