//! Model quality with delayed ground truth (AWS docs: model-monitor-model-quality-merge).
//!
//! Two entry points:
//!
//! * [`suggest_model_quality`]: the model-quality baseline job. It reads a CSV or JSON Lines
//!   dataset holding a prediction, optionally a probability, and a ground-truth column, and
//!   writes `statistics.json`, `constraints.json` (SageMaker's model-quality formats) and
//!   `baseline_report.json` (what was read and rejected, with locations).
//! * [`run_model_quality`]: one model-quality execution. It reads the predictions of a capture
//!   window and the labels of a ground-truth window, joins them, computes the metrics and checks
//!   them against the baseline's constraints. The caller writes the results
//!   ([`write_outputs`]) and puts [`ModelQualityOutcome::summary`] into `drift_report.json`.
//!
//! # Windows (delayed ground truth)
//!
//! Labels arrive after the predictions, so the two windows differ: for example predictions made
//! 48 h to 24 h ago, joined with every label collected up to now. The capture window
//! `[start, end)` selects the hour folders `<capture>/<endpoint>/<variant>/YYYY/MM/DD/HH/` it
//! touches and then the records whose `eventMetadata.inferenceTime` lies inside it (as the data
//! quality run does). The ground-truth window selects the hour folders
//! `<ground_truth>/YYYY/MM/DD/HH/*.jsonl` (no endpoint level; the folder is the hour the label was
//! *collected*); every label in those folders counts, whatever its own `inferenceTime`.
//! SageMaker's `StartTimeOffset`/`EndTimeOffset` (`-P2D`, `-PT1H`) are read by
//! [`crate::control::schedule::parse_iso_duration`].
//!
//! # Join (§2.2)
//!
//! A capture record's key is `eventMetadata.inferenceId` when present, else `eventId`; a label's
//! key is its `eventMetadata.eventId`. The rows of a capture record (output columns first, then
//! input columns when [`ExtractConfig::use_input`] is on) pair with the rows of its label's
//! `groundTruthData.data` in order; one label row per prediction row (a request of many rows
//! needs that many labels). The inference and probability attributes are a column index (`"0"`)
//! or, for JSON rows that are flat objects, a key name.
//!
//! Nothing in the data stops a run; everything is counted and reported with example locations
//! (`file:line`), by kind:
//!
//! | kind | meaning |
//! | --- | --- |
//! | `bad_capture_line`, `bad_ground_truth_line` | the line is not a record (malformed JSON, …) |
//! | `missing_event_id` | a record without an id to join on |
//! | `bad_inference_time` | a capture record without a readable `inferenceTime` |
//! | `bad_capture_payload`, `bad_ground_truth_payload` | the payload does not decode |
//! | `duplicate_prediction` | a second capture record with the same key in the window; the first is kept |
//! | `duplicate_label` | a second label for the same id; the first (in object, then line order) is kept |
//! | `label_row_count_mismatch` | a label holds a different number of rows than its prediction |
//! | `label_for_unknown_id` | a label whose id is in no capture record read (often: a prediction outside the capture window's hours) |
//! | `label_for_prediction_outside_window` | a label whose prediction was read but lies outside the window |
//! | `label_for_rejected_prediction` | a label whose prediction was rejected |
//! | `missing_prediction`, `invalid_prediction` | the inference attribute is absent, or not usable |
//! | `missing_probability`, `invalid_probability` | the probability attribute is absent, or not a number |
//! | `missing_label`, `non_numeric_label`, `invalid_label` | the label is absent, not a number, or not 0/1 |
//!
//! Units: `predictions`, `matched` and `unmatched_predictions` count prediction rows; `labels`
//! counts label records (ids). The match rate is `matched / predictions`. A window with no label
//! yields [`ModelQualityStatus::NoGroundTruth`] ("no ground truth in the window"), and one whose
//! labels match no usable prediction yields [`ModelQualityStatus::NoMatchedPredictions`]; neither
//! computes metrics of nothing.
//!
//! # Memory
//!
//! The labels of the ground-truth window are held in a hash map (id, label texts, location),
//! and the joined samples in [`Observations`] (16 bytes each). Capture objects are streamed line
//! by line, one at a time: a model-quality window is small next to the capture of a
//! data-quality window, so no parallelism is needed.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use driftmon_baseline::capture::{
    event_rows, format_timestamp_ms, parse_capture_line, record_rows, ExtractConfig, JsonPath, Part,
};
use driftmon_baseline::files::{parse_constraints, to_jackson, Constraints, Statistics};
use driftmon_baseline::read::{maybe_gunzip, HeaderMode, ReadError};
use driftmon_baseline::rows::{for_each_csv_row, CsvEvent};
use driftmon_baseline::value::{Cell, Row};
use driftmon_rules::model_quality::{
    constraints_of, evaluate, json_number, make_sample, metrics_of, scalar_metrics, statistics,
    suggest_constraints, Evaluation, Field, ModelQualityError, Observations, Operator, ProblemType,
    StdDevOptions,
};
use serde_json::{json, Value};

use crate::adapters::store::{join, resolve, Located, StoreError};
use crate::monitors::data_quality::suggest::Format;
use crate::monitors::RunError;

const HOUR_MS: i64 = 3_600_000;
const MAX_EXAMPLES: usize = 5;

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/// Where a value is in a row: a column index, or a key of a flat JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribute {
    /// Column index, 0-based (in a capture row: output columns first).
    Index(usize),
    /// Column name (CSV header) or key (flat JSON object).
    Name(String),
}

impl Attribute {
    /// `"3"` is the index 3; anything else is a name.
    pub fn parse(s: &str) -> Attribute {
        let t = s.trim();
        match t.parse::<usize>() {
            Ok(i) if t.bytes().all(|b| b.is_ascii_digit()) => Attribute::Index(i),
            _ => Attribute::Name(t.to_owned()),
        }
    }
}

impl std::fmt::Display for Attribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Attribute::Index(i) => write!(f, "{i}"),
            Attribute::Name(n) => f.write_str(n),
        }
    }
}

/// The analyzer parameters shared by the baseline job and the monitoring run (§6.1).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelQualityOptions {
    /// `problem_type`.
    pub problem_type: ProblemType,
    /// `inference_attribute`: the predicted label or value.
    pub inference_attribute: Option<Attribute>,
    /// `probability_attribute`: the probability of class 1 (binary).
    pub probability_attribute: Option<Attribute>,
    /// `probability_threshold_attribute`: `probability > threshold` is class 1 when there is no
    /// inference attribute (default 0.5).
    pub probability_threshold: Option<f64>,
    /// Standard-deviation estimation.
    pub std_dev: StdDevOptions,
}

impl ModelQualityOptions {
    /// Options with only a problem type and an inference attribute.
    pub fn new(problem_type: ProblemType, inference_attribute: Option<Attribute>) -> Self {
        ModelQualityOptions {
            problem_type,
            inference_attribute,
            probability_attribute: None,
            probability_threshold: None,
            std_dev: StdDevOptions::default(),
        }
    }

    /// Checks that the attributes the problem type needs are there.
    pub fn validate(&self) -> Result<(), ModelQualityCmdError> {
        let cfg = |m: String| Err(ModelQualityCmdError::Config(m));
        if let Some(t) = self.probability_threshold {
            if !t.is_finite() {
                return cfg(format!("probability threshold {t} is not a finite number"));
            }
        }
        match self.problem_type {
            ProblemType::BinaryClassification => {
                if self.inference_attribute.is_none() && self.probability_attribute.is_none() {
                    return cfg("BinaryClassification needs an inference attribute (the \
                                predicted label) or a probability attribute (with a probability \
                                threshold, default 0.5)"
                        .into());
                }
            }
            p => {
                if self.inference_attribute.is_none() {
                    return cfg(format!("{p} needs an inference attribute"));
                }
            }
        }
        Ok(())
    }

    fn threshold(&self) -> f64 {
        self.probability_threshold.unwrap_or(0.5)
    }

    fn to_json(&self) -> Value {
        json!({
            "problem_type": self.problem_type.as_str(),
            "inference_attribute": self.inference_attribute.as_ref().map(|a| a.to_string()),
            "probability_attribute": self.probability_attribute.as_ref().map(|a| a.to_string()),
            "probability_threshold": self
                .probability_threshold
                .or(self.probability_attribute.as_ref().map(|_| 0.5)),
        })
    }
}

/// A model-quality command that cannot complete.
#[derive(Debug, thiserror::Error)]
pub enum ModelQualityCmdError {
    /// The options or the input's shape do not fit together.
    #[error("{0}")]
    Config(String),
    /// A store (local folder or S3) failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The dataset is unusable as a whole.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The metrics or the constraints could not be computed or checked.
    #[error(transparent)]
    Metrics(#[from] ModelQualityError),
    /// The baseline's constraints could not be read.
    #[error("baseline {path}: {msg}")]
    Baseline {
        /// The file.
        path: String,
        /// Why.
        msg: String,
    },
    /// No usable (prediction, label) pair in a baseline dataset.
    #[error("no usable rows: {0}")]
    NoData(String),
    /// An output could not be serialised.
    #[error("cannot serialise {0}")]
    Serialise(String),
    /// The window is empty or inverted.
    #[error("invalid window: {0}")]
    Window(String),
}

// ---------------------------------------------------------------------------------------------
// Issue log
// ---------------------------------------------------------------------------------------------

/// One example of an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueExample {
    /// `file:line`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// How often one kind of issue occurred, with the first few examples.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueCount {
    /// Occurrences.
    pub count: u64,
    /// Up to 5 examples, first first.
    pub examples: Vec<IssueExample>,
}

/// Issues by kind (see the module documentation for the kinds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueLog {
    /// Kind → count and examples, sorted by kind.
    pub by_kind: BTreeMap<String, IssueCount>,
}

impl IssueLog {
    /// Records one issue.
    pub fn add(
        &mut self,
        kind: &str,
        location: impl FnOnce() -> String,
        message: impl FnOnce() -> String,
    ) {
        let e = self.by_kind.entry(kind.to_owned()).or_default();
        e.count += 1;
        if e.examples.len() < MAX_EXAMPLES {
            e.examples.push(IssueExample {
                location: location(),
                message: message(),
            });
        }
    }

    /// Occurrences of `kind`.
    pub fn count(&self, kind: &str) -> u64 {
        self.by_kind.get(kind).map_or(0, |c| c.count)
    }

    /// The most frequent kind among those `keep` accepts, with its count and first example
    /// (ties: the first kind).
    pub fn most_frequent(&self, keep: impl Fn(&str) -> bool) -> Option<(&str, &IssueCount)> {
        self.by_kind.iter().filter(|(k, _)| keep(k)).fold(
            None,
            |best: Option<(&str, &IssueCount)>, (k, c)| match best {
                Some((_, b)) if b.count >= c.count => best,
                _ => Some((k.as_str(), c)),
            },
        )
    }

    /// Occurrences of every kind.
    pub fn total(&self) -> u64 {
        self.by_kind.values().map(|c| c.count).sum()
    }

    fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for (k, c) in &self.by_kind {
            m.insert(
                k.clone(),
                json!({
                    "count": c.count,
                    "examples": c.examples.iter().map(|e| json!({"location": e.location, "message": e.message})).collect::<Vec<_>>(),
                }),
            );
        }
        Value::Object(m)
    }
}

// ---------------------------------------------------------------------------------------------
// Cells and fields
// ---------------------------------------------------------------------------------------------

fn cell_text(c: &Cell) -> Option<Cow<'_, str>> {
    match c {
        Cell::Null => None,
        Cell::Text(s) | Cell::Str(s) => Some(Cow::Borrowed(s.as_str())),
        Cell::Int(i) => Some(Cow::Owned(i.to_string())),
        Cell::Float(f) => Some(Cow::Owned(format!("{f}"))),
        Cell::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
    }
}

/// The text at `attr` in `row`: `Ok(None)` when the row has no value there.
fn row_value<'r>(row: &'r Row, attr: &Attribute) -> Option<Cow<'r, str>> {
    let cell = match (row, attr) {
        (Row::Positional(cells), Attribute::Index(i)) => cells.get(*i),
        (Row::Positional(_), Attribute::Name(_)) => None,
        (Row::Named(pairs), Attribute::Index(i)) => pairs.get(*i).map(|(_, c)| c),
        (Row::Named(pairs), Attribute::Name(n)) => {
            pairs.iter().find(|(k, _)| k == n).map(|(_, c)| c)
        }
    }?;
    cell_text(cell)
}

/// Why a named attribute finds nothing in a row without names (CSV capture): said in the issue,
/// since the fix (a column index) is not obvious from "has no value".
fn name_on_positional_row(row: &Row, opts: &ModelQualityOptions) -> String {
    if !matches!(row, Row::Positional(_)) {
        return String::new();
    }
    let named = [&opts.inference_attribute, &opts.probability_attribute]
        .into_iter()
        .flatten()
        .filter_map(|a| match a {
            Attribute::Name(n) => Some(format!("`{n}`")),
            Attribute::Index(_) => None,
        })
        .collect::<Vec<_>>();
    if named.is_empty() {
        return String::new();
    }
    format!(
        "; {} is a column name, but this row has no names (CSV): use a column index (output columns first)",
        named.join(" and ")
    )
}

fn first_cell(row: &Row) -> Option<Cow<'_, str>> {
    match row {
        Row::Positional(cells) => cells.first().and_then(cell_text),
        Row::Named(pairs) => pairs.first().and_then(|(_, c)| cell_text(c)),
    }
}

fn field<'a>(configured: bool, v: &'a Option<Cow<'a, str>>) -> Field<'a> {
    match (configured, v) {
        (false, _) => Field::NotConfigured,
        (true, None) => Field::Missing,
        (true, Some(s)) => Field::Value(s.as_ref()),
    }
}

fn row_width(row: &Row) -> usize {
    match row {
        Row::Positional(c) => c.len(),
        Row::Named(p) => p.len(),
    }
}

// ---------------------------------------------------------------------------------------------
// Baseline suggestion
// ---------------------------------------------------------------------------------------------

/// What `baseline suggest --problem-type …` reads and where it writes.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestSpec {
    /// The baseline dataset (a file or `s3://bucket/key`; gzip is fine).
    pub input: PathBuf,
    /// [`Format::Csv`] or [`Format::Jsonl`] (JSON Lines of flat objects).
    pub format: Format,
    /// CSV header handling. With [`HeaderMode::Auto`], a header is assumed when any attribute is
    /// a name, else it is detected as for data-quality baselines.
    pub header: HeaderMode,
    /// Output folder (or `s3://` prefix) for `statistics.json`, `constraints.json` and
    /// `baseline_report.json`.
    pub output: PathBuf,
    /// The analyzer parameters.
    pub options: ModelQualityOptions,
    /// `ground_truth_attribute`: the label column.
    pub ground_truth_attribute: Attribute,
}

/// What the baseline job produced.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestOutcome {
    /// `statistics.json` as written.
    pub statistics: Statistics,
    /// `constraints.json` as written.
    pub constraints: Constraints,
    /// `baseline_report.json` as written.
    pub report: Value,
    /// Rows read (excluding the header).
    pub rows: u64,
    /// Rows that became samples.
    pub samples: u64,
    /// What was rejected, by kind.
    pub issues: IssueLog,
}

fn resolve_name(header: &[String], attr: &Attribute, what: &str) -> Result<usize, String> {
    match attr {
        Attribute::Index(i) if *i < header.len() => Ok(*i),
        Attribute::Index(i) => Err(format!(
            "{what} {i} is out of range: the dataset has {} columns",
            header.len()
        )),
        Attribute::Name(n) => header
            .iter()
            .position(|h| h == n)
            .ok_or_else(|| format!("{what} {n:?} is not a column; the header has {header:?}")),
    }
}

/// The baseline job for model quality: reads the dataset, computes the metrics
/// ([`statistics`]), suggests constraints ([`suggest_constraints`]) and writes both plus
/// `baseline_report.json`. Bad rows are counted with their line; only an unusable input as a
/// whole (or no usable row) is an error.
pub fn suggest_model_quality(spec: &SuggestSpec) -> Result<SuggestOutcome, ModelQualityCmdError> {
    spec.options.validate()?;
    let opts = &spec.options;
    let loc = resolve(&spec.input)?;
    let name = loc.uri("");
    let reader = loc.store.open(&loc.base)?;
    let mut obs = Observations::new(opts.problem_type);
    let mut issues = IssueLog::default();
    let threshold = opts.threshold();
    let mut rows = 0u64;
    let mut header_out: Option<Vec<String>> = None;
    let attrs = [
        opts.inference_attribute.as_ref(),
        opts.probability_attribute.as_ref(),
        Some(&spec.ground_truth_attribute),
    ];
    let mut add = |values: [Option<Cow<'_, str>>; 3],
                   location: &dyn Fn() -> String,
                   issues: &mut IssueLog| {
        let [p, q, l] = &values;
        let s = make_sample(
            opts.problem_type,
            threshold,
            field(attrs[0].is_some(), p),
            field(attrs[1].is_some(), q),
            field(true, l),
        );
        match s {
            Ok(s) => {
                // Same problem type by construction.
                let _ = obs.push(s);
            }
            Err(e) => issues.add(e.kind(), location, || e.to_string()),
        }
    };
    match spec.format {
        Format::Csv => {
            let named = attrs
                .iter()
                .flatten()
                .any(|a| matches!(a, Attribute::Name(_)));
            let mode = match spec.header {
                HeaderMode::Auto if named => HeaderMode::Present,
                m => m,
            };
            let mut cols: Option<[Option<usize>; 3]> = None;
            let mut config_error: Option<String> = None;
            let summary = for_each_csv_row(reader, &name, mode, |ev| match ev {
                CsvEvent::Header(h) => {
                    let mut out = [None; 3];
                    for (slot, (attr, what)) in out.iter_mut().zip(attrs.iter().zip([
                        "inference attribute",
                        "probability attribute",
                        "ground truth attribute",
                    ])) {
                        if let Some(a) = attr {
                            match resolve_name(h, a, what) {
                                Ok(i) => *slot = Some(i),
                                Err(e) => {
                                    config_error.get_or_insert(e);
                                }
                            }
                        }
                    }
                    cols = Some(out);
                }
                CsvEvent::Row { line, fields } => {
                    rows += 1;
                    if config_error.is_some() {
                        return;
                    }
                    let idx = match cols {
                        Some(c) => c,
                        None => {
                            // Headerless: attributes must be indexes.
                            let mut out = [None; 3];
                            for (slot, attr) in out.iter_mut().zip(attrs) {
                                match attr {
                                    Some(Attribute::Index(i)) => *slot = Some(*i),
                                    Some(Attribute::Name(n)) => {
                                        config_error.get_or_insert(format!(
                                            "attribute {n:?} is a name but the CSV has no header"
                                        ));
                                    }
                                    None => {}
                                }
                            }
                            cols = Some(out);
                            out
                        }
                    };
                    let get = |i: Option<usize>| {
                        i.and_then(|i| fields.get(i))
                            .filter(|s| !s.is_empty())
                            .map(|s| Cow::Borrowed(*s))
                    };
                    let values = [get(idx[0]), get(idx[1]), get(idx[2])];
                    add(values, &|| format!("{name}:{line}"), &mut issues);
                }
                CsvEvent::Reject {
                    line,
                    kind,
                    message,
                } => issues.add(kind, || format!("{name}:{line}"), || message.to_owned()),
            })?;
            if let Some(e) = config_error {
                return Err(ModelQualityCmdError::Config(format!("{name}: {e}")));
            }
            header_out = summary.header;
        }
        Format::Jsonl => {
            let mut r = maybe_gunzip(reader).map_err(|err| ReadError::Io {
                source_name: name.clone(),
                err,
            })?;
            let mut buf = Vec::new();
            let mut line = 0u64;
            loop {
                buf.clear();
                let n = r.read_until(b'\n', &mut buf).map_err(|err| ReadError::Io {
                    source_name: name.clone(),
                    err,
                })?;
                if n == 0 {
                    break;
                }
                line += 1;
                if buf.trim_ascii().is_empty() {
                    continue;
                }
                rows += 1;
                let here = || format!("{name}:{line}");
                let v: Value = match serde_json::from_slice(buf.trim_ascii()) {
                    Ok(v) => v,
                    Err(e) => {
                        issues.add("malformed_json", here, || e.to_string());
                        continue;
                    }
                };
                let Value::Object(obj) = v else {
                    issues.add("not_an_object", here, || {
                        "each line must be a flat JSON object".to_owned()
                    });
                    continue;
                };
                let get = |a: Option<&Attribute>| -> Result<Option<Cow<'_, str>>, String> {
                    let Some(a) = a else { return Ok(None) };
                    let v = match a {
                        Attribute::Name(n) => obj.get(n),
                        Attribute::Index(i) => obj.values().nth(*i),
                    };
                    match v {
                        None | Some(Value::Null) => Ok(None),
                        Some(Value::String(s)) => Ok(Some(Cow::Borrowed(s.as_str()))),
                        Some(Value::Number(n)) => Ok(Some(Cow::Owned(n.to_string()))),
                        Some(Value::Bool(b)) => Ok(Some(Cow::Owned(b.to_string()))),
                        Some(_) => Err(format!("attribute {a} holds a nested value")),
                    }
                };
                match (get(attrs[0]), get(attrs[1]), get(attrs[2])) {
                    (Ok(p), Ok(q), Ok(l)) => add([p, q, l], &here, &mut issues),
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                        issues.add("nested_json", here, || e)
                    }
                }
            }
            if rows == 0 {
                return Err(ReadError::Empty {
                    source_name: name,
                    detail: String::new(),
                }
                .into());
            }
        }
        Format::Parquet | Format::Capture => {
            return Err(ModelQualityCmdError::Config(
                "model-quality baselines read CSV or JSON Lines datasets".into(),
            ))
        }
    }
    if obs.is_empty() {
        let first = issues
            .by_kind
            .iter()
            .find_map(|(k, c)| {
                c.examples
                    .first()
                    .map(|e| format!("{}: {k}: {}", e.location, e.message))
            })
            .unwrap_or_default();
        return Err(ModelQualityCmdError::NoData(format!(
            "{name}: {rows} rows read, {} rejected; first: {first}",
            issues.total()
        )));
    }
    let stats = statistics(&obs, &opts.std_dev)?;
    let cons = suggest_constraints(&stats, opts.problem_type)?;
    let report = json!({
        "analysis_type": "MODEL_QUALITY",
        "input": name,
        "header": header_out,
        "options": opts.to_json(),
        "ground_truth_attribute": spec.ground_truth_attribute.to_string(),
        "rows_read": rows,
        "samples": obs.len(),
        "rows_rejected": issues.total(),
        "rejected_by_kind": issues.to_json(),
    });
    let out = resolve(&spec.output)?;
    let ser =
        |e: driftmon_baseline::files::FilesError| ModelQualityCmdError::Serialise(e.to_string());
    let report_s = serde_json::to_string_pretty(&report)
        .map_err(|e| ModelQualityCmdError::Serialise(e.to_string()))?;
    out.put(
        "statistics.json",
        to_jackson(&stats).map_err(ser)?.as_bytes(),
    )?;
    out.put(
        "constraints.json",
        to_jackson(&cons).map_err(ser)?.as_bytes(),
    )?;
    out.put("baseline_report.json", report_s.as_bytes())?;
    Ok(SuggestOutcome {
        statistics: stats,
        constraints: cons,
        report,
        rows,
        samples: obs.len() as u64,
        issues,
    })
}

// ---------------------------------------------------------------------------------------------
// Monitoring run
// ---------------------------------------------------------------------------------------------

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
    /// The summary for `drift_report.json` (`model_quality`).
    pub summary: Value,
}

impl ModelQualityOutcome {
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

struct LabelEntry {
    key: String,
    labels: Vec<Option<String>>,
    location: String,
    used: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Seen {
    InWindow,
    OutsideWindow,
    Rejected,
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

fn read_lines(
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
    let constraints = match &spec.baseline {
        Some(dir) => Some(load_constraints(dir, opts.problem_type)?),
        None => None,
    };
    let threshold = opts.threshold();
    let mut counts = JoinCounts::default();
    let mut issues = IssueLog::default();

    // 1. Labels of the ground-truth window.
    let gt = resolve(&spec.ground_truth)?;
    let (gt_files, gt_missing) = list_hours(
        &gt,
        "",
        spec.ground_truth_start_ms,
        spec.ground_truth_end_ms,
    )?;
    counts.ground_truth_objects = gt_files.len();
    let gt_hours = (spec.ground_truth_end_ms - 1).div_euclid(HOUR_MS)
        - spec.ground_truth_start_ms.div_euclid(HOUR_MS)
        + 1;
    let mut entries: Vec<LabelEntry> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for key in &gt_files {
        let uri = gt.store.uri(key);
        read_lines(&gt, key, |line, bytes| {
            counts.label_records += 1;
            let here = || format!("{uri}:{line}");
            let rec = match parse_capture_line(bytes) {
                Ok(r) => r,
                Err(e) => {
                    counts.bad_lines += 1;
                    issues.add("bad_ground_truth_line", here, || e.to_string());
                    return;
                }
            };
            let Some(ev) = rec.ground_truth.as_ref() else {
                counts.bad_lines += 1;
                issues.add("bad_ground_truth_line", here, || {
                    "the record has no groundTruthData".to_owned()
                });
                return;
            };
            let Some(id) = rec.event_id.clone().or_else(|| rec.inference_id.clone()) else {
                issues.add("missing_event_id", here, || {
                    "the label has no eventMetadata.eventId".to_owned()
                });
                return;
            };
            let rows = match event_rows(ev, Part::GroundTruth, spec.ground_truth_path.as_ref()) {
                Ok(rows) => rows,
                Err(e) => {
                    issues.add("bad_ground_truth_payload", here, || e.to_string());
                    return;
                }
            };
            if rows.is_empty() {
                issues.add("missing_label", here, || {
                    format!("the label of {id:?} is empty")
                });
                return;
            }
            if let Some(&first) = by_id.get(&id) {
                counts.duplicate_labels += 1;
                let kept = entries[first].location.clone();
                issues.add("duplicate_label", here, || {
                    format!("{id:?} already has a label at {kept}; the first is kept")
                });
                return;
            }
            let labels = rows
                .iter()
                .map(|r| {
                    match &spec.ground_truth_attribute {
                        Some(a) => row_value(r, a),
                        None => first_cell(r),
                    }
                    .map(Cow::into_owned)
                })
                .collect();
            by_id.insert(id.clone(), entries.len());
            entries.push(LabelEntry {
                key: id,
                labels,
                location: here(),
                used: false,
            });
        })?;
    }
    counts.labels = entries.len() as u64;

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
    counts.capture_objects = cap_files.len();
    let mut seen: HashMap<String, Seen> = HashMap::new();
    let mut obs = Observations::new(opts.problem_type);
    let mut awaiting: Vec<String> = Vec::new();
    for key in &cap_files {
        let uri = cap.store.uri(key);
        read_lines(&cap, key, |line, bytes| {
            counts.capture_records += 1;
            let here = || format!("{uri}:{line}");
            let rec = match parse_capture_line(bytes) {
                Ok(r) => r,
                Err(e) => {
                    counts.bad_lines += 1;
                    issues.add("bad_capture_line", here, || e.to_string());
                    return;
                }
            };
            let Some(id) = rec.inference_id.clone().or_else(|| rec.event_id.clone()) else {
                issues.add("missing_event_id", here, || {
                    "the capture record has neither eventMetadata.inferenceId nor eventId"
                        .to_owned()
                });
                return;
            };
            let mark = |seen: &mut HashMap<String, Seen>, s: Seen| {
                let e = seen.entry(id.clone()).or_insert(s);
                if s == Seen::InWindow {
                    *e = s;
                }
            };
            let Some(t) = rec.inference_time_ms else {
                issues.add("bad_inference_time", here, || match &rec.inference_time {
                    Some(s) => format!("eventMetadata.inferenceTime {s:?} is not an ISO-8601 time"),
                    None => "eventMetadata.inferenceTime is missing".to_owned(),
                });
                mark(&mut seen, Seen::Rejected);
                return;
            };
            if t < spec.start_ms || t >= spec.end_ms {
                counts.outside_window += 1;
                mark(&mut seen, Seen::OutsideWindow);
                return;
            }
            if seen.get(&id) == Some(&Seen::InWindow) {
                counts.duplicate_predictions += 1;
                issues.add("duplicate_prediction", here, || {
                    format!("{id:?} was already captured in this window; the first is kept")
                });
                return;
            }
            let rows = match record_rows(&rec, &spec.extract) {
                Ok(rows) => rows,
                Err(e) => {
                    issues.add("bad_capture_payload", here, || e.to_string());
                    mark(&mut seen, Seen::Rejected);
                    return;
                }
            };
            mark(&mut seen, Seen::InWindow);
            counts.predictions += rows.len() as u64;
            let Some(&ix) = by_id.get(&id) else {
                counts.unmatched_predictions += rows.len() as u64;
                if awaiting.len() < MAX_EXAMPLES {
                    awaiting.push(format!("{id} ({})", here()));
                }
                return;
            };
            let entry = &mut entries[ix];
            entry.used = true;
            if entry.labels.len() != rows.len() {
                counts.unmatched_predictions += rows.len() as u64;
                let (n, m, at) = (rows.len(), entry.labels.len(), entry.location.clone());
                issues.add("label_row_count_mismatch", here, || {
                    format!("{n} prediction rows but the label at {at} has {m} rows")
                });
                return;
            }
            for (k, (row, label)) in rows.iter().zip(&entry.labels).enumerate() {
                counts.matched += 1;
                let p = opts
                    .inference_attribute
                    .as_ref()
                    .and_then(|a| row_value(row, a));
                let q = opts
                    .probability_attribute
                    .as_ref()
                    .and_then(|a| row_value(row, a));
                let l = label.as_deref().map(Cow::Borrowed);
                match make_sample(
                    opts.problem_type,
                    threshold,
                    field(opts.inference_attribute.is_some(), &p),
                    field(opts.probability_attribute.is_some(), &q),
                    field(true, &l),
                ) {
                    Ok(s) => {
                        counts.samples += 1;
                        let _ = obs.push(s);
                    }
                    Err(e) => {
                        let width = row_width(row);
                        let at = entry.location.clone();
                        issues.add(e.kind(), here, || {
                            let row_note = if rows.len() > 1 {
                                format!(", row {k}")
                            } else {
                                String::new()
                            };
                            let hint = name_on_positional_row(row, opts);
                            format!("{id:?}{row_note}: {e} (prediction row width {width}; label at {at}){hint}")
                        });
                    }
                }
            }
        })?;
    }
    for e in entries.iter().filter(|e| !e.used) {
        counts.unmatched_labels += 1;
        let (kind, why) = match seen.get(&e.key) {
            None => {
                counts.labels_for_unknown_ids += 1;
                (
                    "label_for_unknown_id",
                    "no capture record read has this id (its prediction may lie outside the \
                     capture window's hours)",
                )
            }
            Some(Seen::OutsideWindow) => {
                counts.labels_for_predictions_outside_window += 1;
                (
                    "label_for_prediction_outside_window",
                    "its prediction's inferenceTime lies outside the capture window",
                )
            }
            Some(Seen::Rejected) | Some(Seen::InWindow) => {
                counts.labels_for_rejected_predictions += 1;
                (
                    "label_for_rejected_prediction",
                    "its prediction was rejected",
                )
            }
        };
        issues.add(
            kind,
            || e.location.clone(),
            || format!("{:?}: {why}", e.key),
        );
    }

    // 3. Metrics, checks, summary.
    let match_rate =
        (counts.predictions > 0).then(|| counts.matched as f64 / counts.predictions as f64);
    let mut statistics_out = None;
    let mut evaluation = None;
    let gt_window = format!(
        "[{}, {})",
        format_timestamp_ms(spec.ground_truth_start_ms),
        format_timestamp_ms(spec.ground_truth_end_ms)
    );
    let (status, message) = if entries.is_empty() {
        (
            ModelQualityStatus::NoGroundTruth,
            format!(
                "NoGroundTruth: no ground truth in the window {gt_window} ({} objects, {} label \
                 records); {} predictions in the capture window await labels",
                counts.ground_truth_objects, counts.label_records, counts.predictions
            ),
        )
    } else if obs.is_empty() {
        (
            ModelQualityStatus::NoMatchedPredictions,
            format!(
                "NoMatchedPredictions: {} labels in {gt_window}, {} predictions in the capture \
                 window, {} matched, none usable ({} issues){}",
                counts.labels,
                counts.predictions,
                counts.matched,
                issues.total(),
                // Why the matched rows were unusable: the sample errors, not the labels that
                // matched nothing.
                issues
                    .most_frequent(
                        |k: &str| !k.starts_with("label_for_") && !k.starts_with("duplicate_")
                    )
                    .map(|(k, c)| format!(
                        "; most: {k} ×{}{}",
                        c.count,
                        c.examples
                            .first()
                            .map(|e| format!(", first at {}: {}", e.location, e.message))
                            .unwrap_or_default()
                    ))
                    .unwrap_or_default()
            ),
        )
    } else {
        let mut st = statistics(&obs, &opts.std_dev)?;
        st.dataset.evaluation_time = Some(spec.evaluation_time.clone().unwrap_or_else(now_iso_ms));
        if let Some(c) = &constraints {
            evaluation = Some(evaluate(&st, c, opts.problem_type)?);
        }
        statistics_out = Some(st);
        let n = evaluation
            .as_ref()
            .map_or(0, |e| e.violations.violations.len());
        if n > 0 {
            (
                ModelQualityStatus::CompletedWithViolations,
                format!("CompletedWithViolations: Job completed successfully with {n} violations."),
            )
        } else {
            (
                ModelQualityStatus::Completed,
                "Completed: Job completed successfully with no violations.".to_owned(),
            )
        }
    };
    let metrics = statistics_out
        .as_ref()
        .and_then(|st| metrics_of(st, opts.problem_type))
        .map(|sec| {
            let mut m = serde_json::Map::new();
            for (k, v) in scalar_metrics(sec) {
                m.insert(k, json_number(v));
            }
            Value::Object(m)
        });
    let checks = evaluation.as_ref().map(|e| {
        e.checks
            .iter()
            .map(|c| {
                json!({
                    "metric": c.metric,
                    "operator": c.operator.as_str(),
                    "threshold": json_number(c.threshold),
                    "value": c.value.map(json_number),
                    "violated": c.violated,
                    "note": c.note,
                })
            })
            .collect::<Vec<_>>()
    });
    let summary = json!({
        "status": status.as_str(),
        "message": message,
        "options": opts.to_json(),
        "endpoint": spec.endpoint,
        "variants": variants,
        "capture_window": {"start": format_timestamp_ms(spec.start_ms), "end": format_timestamp_ms(spec.end_ms)},
        "ground_truth_window": {"start": format_timestamp_ms(spec.ground_truth_start_ms), "end": format_timestamp_ms(spec.ground_truth_end_ms)},
        "objects": {"capture": counts.capture_objects, "ground_truth": counts.ground_truth_objects},
        "counts": {
            "capture_records": counts.capture_records,
            "outside_window": counts.outside_window,
            "predictions": counts.predictions,
            "duplicate_predictions": counts.duplicate_predictions,
            "label_records": counts.label_records,
            "labels": counts.labels,
            "duplicate_labels": counts.duplicate_labels,
            "matched": counts.matched,
            "unmatched_predictions": counts.unmatched_predictions,
            "unmatched_labels": counts.unmatched_labels,
            "labels_for_unknown_ids": counts.labels_for_unknown_ids,
            "labels_for_predictions_outside_window": counts.labels_for_predictions_outside_window,
            "labels_for_rejected_predictions": counts.labels_for_rejected_predictions,
            "non_numeric_labels": issues.count("non_numeric_label"),
            "invalid_labels": issues.count("invalid_label"),
            "missing_labels": issues.count("missing_label"),
            "missing_predictions": issues.count("missing_prediction"),
            "invalid_predictions": issues.count("invalid_prediction"),
            "missing_probability": issues.count("missing_probability"),
            "invalid_probability": issues.count("invalid_probability"),
            "bad_lines": counts.bad_lines,
            "samples": counts.samples,
        },
        "match_rate": match_rate,
        "awaiting_labels_examples": awaiting,
        "issues": issues.to_json(),
        "hours_without_capture": cap_missing,
        // Labels arrive irregularly: empty label hours are normal, so only their number.
        "ground_truth_hours": {"listed": gt_hours, "without_objects": gt_missing.len()},
        "metrics": metrics,
        "violations": evaluation.as_ref().map_or(0, |e| e.violations.violations.len()),
        "checks": checks,
    });
    Ok(ModelQualityOutcome {
        status,
        message,
        statistics: statistics_out,
        evaluation,
        counts,
        issues,
        match_rate,
        summary,
    })
}

/// The model-quality monitor type: one [`run_model_quality`] over the job's window (the spec
/// carries its ground-truth window and analyzer options). An execution that computed no metric
/// — no label in the ground-truth window, or no label joined to a usable prediction — fails
/// with the reason (SageMaker's `Failed`), never a silent `Completed`.
#[derive(Debug, Clone)]
pub struct ModelQuality {
    /// What to read and compute.
    pub spec: ModelQualityRunSpec,
}

impl crate::monitors::Monitor for ModelQuality {
    fn monitor_type(&self) -> crate::monitors::MonitorType {
        crate::monitors::MonitorType::ModelQuality
    }

    fn execute(
        &self,
        _window: &crate::monitors::WindowSpec,
    ) -> Result<crate::monitors::Execution, RunError> {
        let outcome = run_model_quality(&self.spec).map_err(|e| match e {
            ModelQualityCmdError::Store(s) => RunError::Store(s),
            other => RunError::ModelQuality(other.to_string()),
        })?;
        if !outcome.status.has_metrics() {
            return Err(RunError::NoModelQuality(outcome.message));
        }
        Ok(crate::monitors::Execution {
            monitor_type: crate::monitors::MonitorType::ModelQuality,
            violations: outcome.violations(),
            statistics: outcome.statistics,
            section: crate::monitors::Section::ModelQuality(Box::new(
                serde_json::from_value(outcome.summary)
                    .map_err(|e| RunError::ModelQuality(format!("summary: {e}")))?,
            )),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes() {
        assert_eq!(Attribute::parse("0"), Attribute::Index(0));
        assert_eq!(Attribute::parse(" 12 "), Attribute::Index(12));
        assert_eq!(Attribute::parse("+1"), Attribute::Name("+1".into()));
        assert_eq!(Attribute::parse("label"), Attribute::Name("label".into()));
        let row = Row::Named(vec![
            ("score".into(), Cell::Float(0.25)),
            ("label".into(), Cell::Int(1)),
        ]);
        assert_eq!(
            row_value(&row, &Attribute::Name("label".into())).as_deref(),
            Some("1")
        );
        assert_eq!(
            row_value(&row, &Attribute::Index(0)).as_deref(),
            Some("0.25")
        );
        let pos = Row::Positional(vec![Cell::Text("0.3".into()), Cell::Null]);
        assert_eq!(row_value(&pos, &Attribute::Index(1)), None);
        assert_eq!(row_value(&pos, &Attribute::Name("x".into())), None);
    }

    #[test]
    fn options_validation() {
        let mut o = ModelQualityOptions::new(ProblemType::BinaryClassification, None);
        assert!(o.validate().is_err());
        o.probability_attribute = Some(Attribute::Index(0));
        assert!(o.validate().is_ok());
        o.probability_threshold = Some(f64::NAN);
        assert!(o.validate().is_err());
        assert!(ModelQualityOptions::new(ProblemType::Regression, None)
            .validate()
            .is_err());
    }
}
