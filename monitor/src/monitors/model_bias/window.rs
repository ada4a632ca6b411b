//! The analysis table of one bias execution (clarify-monitors.md §2.3): the capture window's
//! records joined with the ground-truth window's labels by id, many-to-many and without
//! de-duplication (every capture record with id `k` pairs with every label record of `k`, as
//! Clarify's merge job does).
//!
//! Per joined record: the features are the input payload's rows (JSON: the features path, e.g.
//! `instances[*].features`; CSV: each line), the predicted labels come from the output payload
//! (the inference attribute: a JSON path or a CSV column index; or the probability attribute
//! with `score > threshold` → 1; with neither, the output's first cell, and for CSV a score is
//! thresholded), and the labels from `groundTruthData` (JSON: the config's `label` path, e.g.
//! `instances[*].label`; CSV: the first cell). A record whose features, predictions and labels
//! do not have the same number of rows is rejected as a whole and counted, never cut.

use std::collections::HashMap;

use driftmon_baseline::capture::{event_rows, parse_capture_line, EventData, JsonPath, Part};
use driftmon_baseline::value::{Cell, Row};

use driftmon_rules::bias::analysis::BiasTable;
use driftmon_rules::bias::table::Column;
use serde_json::Value;

use super::ModelBiasSpec;
use crate::adapters::store::{join, resolve, StoreError};
use crate::monitors::model_quality::{list_hours, read_lines, Attribute, IssueLog};
use crate::monitors::{RunError, WindowSpec};

/// What the join read and kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BiasCounts {
    /// Capture objects listed.
    pub capture_objects: u64,
    /// Ground-truth objects listed.
    pub ground_truth_objects: u64,
    /// Capture records read.
    pub capture_records: u64,
    /// … outside the window.
    pub outside_window: u64,
    /// … in the window with a label record of the same id.
    pub matched_records: u64,
    /// … in the window without one (yet).
    pub unmatched_records: u64,
    /// … rejected (see the issues).
    pub rejected_records: u64,
    /// Ground-truth records read.
    pub label_records: u64,
    /// Rows of the analysis table.
    pub rows: u64,
}

/// The table, with what was read.
#[derive(Debug, Clone)]
pub struct WindowTable {
    /// The analysis table.
    pub table: BiasTable,
    /// The counters.
    pub counts: BiasCounts,
    /// Every rejected record, by kind, with locations.
    pub issues: IssueLog,
}

/// How a value is found in an output or ground-truth payload.
#[derive(Debug, Clone)]
pub(super) enum Locator {
    /// The payload's rows, the cell at this index.
    Column(usize),
    /// A JSON path selecting one value per row.
    Path(JsonPath),
}

impl Locator {
    /// `"0"` is a column (as [`Attribute::parse`] reads an index); anything else a JSON path.
    pub(super) fn parse(s: &str) -> Result<Locator, String> {
        match Attribute::parse(s) {
            Attribute::Index(i) => Ok(Locator::Column(i)),
            Attribute::Name(p) => JsonPath::parse(&p)
                .map(Locator::Path)
                .map_err(|e| e.to_string()),
        }
    }

    /// One value per row of `ev`.
    pub(super) fn values(&self, ev: &EventData, part: Part) -> Result<Vec<Value>, String> {
        let (rows, col) = match self {
            Locator::Column(i) => (event_rows(ev, part, None), *i),
            Locator::Path(p) => (event_rows(ev, part, Some(p)), 0),
        };
        let rows = rows.map_err(|e| e.to_string())?;
        rows.iter()
            .map(|r| {
                r.get(col)
                    .map(cell_value)
                    .ok_or_else(|| format!("a row of {} cells has no cell {col}", r.len()))
            })
            .collect()
    }
}

/// A row's cells as JSON values ([`cell_value`]).
pub(super) fn row_values(r: &Row) -> Vec<Value> {
    r.cells().map(cell_value).collect()
}

/// A cell as the JSON value Clarify's reader would see: CSV text typed by its literal.
pub(super) fn cell_value(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Null,
        Cell::Int(i) => Value::from(*i),
        Cell::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Str(s) => Value::String(s.clone()),
        Cell::Text(s) => text_value(s),
    }
}

/// Untyped text (a CSV field) as a JSON value: an integer, else a finite number, else a string.
pub(super) fn text_value(s: &str) -> Value {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        Value::from(i)
    } else if let Some(n) = t
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(serde_json::Number::from_f64)
    {
        Value::Number(n)
    } else {
        Value::String(s.to_owned())
    }
}

/// The predicted label of a score: `1` when `score > threshold`, else `0` (Clarify's rule).
pub(super) fn threshold_label(v: &Value, threshold: f64) -> Result<Value, String> {
    let p = v
        .as_f64()
        .ok_or_else(|| format!("the score {v} is not a number"))?;
    Ok(Value::from(i64::from(p > threshold)))
}

/// A capture record's feature rows and predicted labels.
type CaptureRows = (Vec<Vec<Value>>, Vec<Value>);

/// The settings of the join, resolved once.
pub(super) struct Readers {
    pub(super) features: Option<JsonPath>,
    pub(super) predicted: Option<Locator>,
    pub(super) probability: Option<Locator>,
    pub(super) threshold: f64,
    /// Where the label is in `groundTruthData`: the config's `label` path, else the first cell.
    pub(super) label: Locator,
    pub(super) names: Option<Vec<String>>,
}

impl Readers {
    /// Features, predicted labels (one per row) and the row count of a capture record.
    fn capture(
        &self,
        input: &EventData,
        output: &EventData,
    ) -> Result<CaptureRows, (&'static str, String)> {
        let rows = event_rows(input, Part::Input, self.features.as_ref())
            .map_err(|e| ("bad_capture_payload", e.to_string()))?;
        let features: Vec<Vec<Value>> = rows.iter().map(row_values).collect();
        let pred = match (&self.predicted, &self.probability) {
            (Some(l), _) => l.values(output, Part::Output),
            (None, Some(p)) => p.values(output, Part::Output).and_then(|v| {
                v.iter()
                    .map(|x| threshold_label(x, self.threshold))
                    .collect()
            }),
            (None, None) => Locator::Column(0)
                .values(output, Part::Output)
                .and_then(|v| {
                    v.iter()
                        .map(|x| match x {
                            Value::Number(n) if n.is_f64() => threshold_label(x, self.threshold),
                            other => Ok(other.clone()),
                        })
                        .collect()
                }),
        }
        .map_err(|e| ("bad_prediction", e))?;
        if pred.len() != features.len() {
            return Err((
                "row_count_mismatch",
                format!(
                    "{} feature rows but {} predictions",
                    features.len(),
                    pred.len()
                ),
            ));
        }
        Ok((features, pred))
    }

    /// The labels of a ground-truth record, one per row.
    fn labels(&self, gt: &EventData) -> Result<Vec<Value>, String> {
        self.label.values(gt, Part::GroundTruth)
    }
}

/// Reads the ground-truth window: label records by id, in listing order.
fn read_labels(
    spec: &ModelBiasSpec,
    r: &Readers,
    counts: &mut BiasCounts,
    issues: &mut IssueLog,
) -> Result<HashMap<String, Vec<Vec<Value>>>, StoreError> {
    let gt = resolve(&spec.ground_truth)?;
    let (files, _) = list_hours(
        &gt,
        "",
        spec.ground_truth_start_ms,
        spec.ground_truth_end_ms,
    )?;
    counts.ground_truth_objects = files.len() as u64;
    let mut by_id: HashMap<String, Vec<Vec<Value>>> = HashMap::new();
    for key in &files {
        let uri = gt.store.uri(key);
        read_lines(&gt, key, |line, bytes| {
            counts.label_records += 1;
            let here = || format!("{uri}:{line}");
            let rec = match parse_capture_line(bytes) {
                Ok(rec) => rec,
                Err(e) => return issues.add("bad_ground_truth_line", here, || e.to_string()),
            };
            let Some(ev) = rec.ground_truth.as_ref() else {
                return issues.add("bad_ground_truth_line", here, || {
                    "the record has no groundTruthData".to_owned()
                });
            };
            let Some(id) = rec.event_id.clone().or_else(|| rec.inference_id.clone()) else {
                return issues.add("missing_event_id", here, || {
                    "the label has no eventMetadata.eventId".to_owned()
                });
            };
            match r.labels(ev) {
                Ok(l) if l.is_empty() => issues.add("missing_label", here, || {
                    format!("the label of {id:?} is empty")
                }),
                Ok(l) => by_id.entry(id).or_default().push(l),
                Err(e) => issues.add("bad_ground_truth_payload", here, || e),
            }
        })?;
    }
    Ok(by_id)
}

/// The capture objects of the window, every variant's (or the one asked for).
fn capture_files(
    cap: &crate::adapters::store::Located,
    window: &WindowSpec,
) -> Result<Vec<String>, StoreError> {
    let variants: Vec<String> = match &window.variant {
        Some(v) => vec![v.clone()],
        None => cap.store.list_dirs(&cap.key(&window.endpoint))?,
    };
    let mut files = Vec::new();
    for v in &variants {
        let (f, _) = list_hours(
            cap,
            &join(&window.endpoint, v),
            window.start_ms,
            window.end_ms,
        )?;
        files.extend(f);
    }
    Ok(files)
}

/// The window's analysis table (see the module documentation).
pub(super) fn read_window(
    spec: &ModelBiasSpec,
    window: &WindowSpec,
    r: &Readers,
) -> Result<WindowTable, RunError> {
    let mut counts = BiasCounts::default();
    let mut issues = IssueLog::default();
    let labels = read_labels(spec, r, &mut counts, &mut issues).map_err(RunError::Store)?;
    if labels.is_empty() {
        return Err(RunError::NoData(format!(
            "no ground truth in the window [{}, {}) of {} ({} objects, {} label records): bias \
             needs labels joined to the capture",
            driftmon_baseline::capture::format_timestamp_ms(spec.ground_truth_start_ms),
            driftmon_baseline::capture::format_timestamp_ms(spec.ground_truth_end_ms),
            spec.ground_truth.display(),
            counts.ground_truth_objects,
            counts.label_records
        )));
    }
    let cap = resolve(&window.capture).map_err(RunError::Store)?;
    let files = capture_files(&cap, window).map_err(RunError::Store)?;
    counts.capture_objects = files.len() as u64;
    // Column by column (one Vec per feature), so that each becomes a typed column and is
    // dropped in turn: a row-major copy would double the peak memory.
    let mut cols: Vec<Vec<Value>> = Vec::new();
    let mut y: Vec<Value> = Vec::new();
    let mut yhat: Vec<Value> = Vec::new();
    for key in &files {
        let uri = cap.store.uri(key);
        read_lines(&cap, key, |line, bytes| {
            counts.capture_records += 1;
            let here = || format!("{uri}:{line}");
            let mut reject = |kind: &str, msg: String| {
                counts.rejected_records += 1;
                issues.add(kind, here, || msg);
            };
            let rec = match parse_capture_line(bytes) {
                Ok(rec) => rec,
                Err(e) => return reject("bad_capture_line", e.to_string()),
            };
            let Some(t) = rec.inference_time_ms else {
                return reject(
                    "bad_inference_time",
                    "eventMetadata.inferenceTime is missing or not an ISO-8601 time".into(),
                );
            };
            if t < window.start_ms || t >= window.end_ms {
                counts.outside_window += 1;
                return;
            }
            let Some(id) = rec.inference_id.clone().or_else(|| rec.event_id.clone()) else {
                return reject(
                    "missing_event_id",
                    "neither eventMetadata.inferenceId nor eventId".into(),
                );
            };
            let Some(entries) = labels.get(&id) else {
                counts.unmatched_records += 1;
                return;
            };
            let (Some(input), Some(output)) = (rec.input.as_ref(), rec.output.as_ref()) else {
                return reject(
                    "bad_capture_line",
                    "the record lacks endpointInput or endpointOutput".into(),
                );
            };
            let (features, pred) = match r.capture(input, output) {
                Ok(x) => x,
                Err((kind, msg)) => return reject(kind, format!("{id:?}: {msg}")),
            };
            if let Some(l) = entries.iter().find(|l| l.len() != features.len()) {
                let (n, m) = (features.len(), l.len());
                return reject(
                    "label_row_count_mismatch",
                    format!("{id:?}: {n} feature rows but a label record of {m} rows"),
                );
            }
            let width = match (&r.names, cols.is_empty()) {
                (Some(n), _) => n.len(),
                (None, true) => features[0].len(),
                (None, false) => cols.len(),
            };
            if let Some(bad) = features.iter().find(|f| f.len() != width) {
                let got = bad.len();
                return reject(
                    "feature_count_mismatch",
                    format!("{id:?}: a row of {got} features, the headers name {width}"),
                );
            }
            if cols.is_empty() {
                cols = vec![Vec::new(); width];
            }
            counts.matched_records += 1;
            for l in entries {
                for row in &features {
                    for (c, v) in cols.iter_mut().zip(row) {
                        c.push(v.clone());
                    }
                }
                yhat.extend(pred.iter().cloned());
                y.extend(l.iter().cloned());
            }
        })
        .map_err(RunError::Store)?;
    }
    if y.is_empty() {
        return Err(RunError::NoData(format!(
            "no capture record of the window joined a label ({} records read, {} in the window \
             without a label, {} rejected)",
            counts.capture_records, counts.unmatched_records, counts.rejected_records
        )));
    }
    counts.rows = y.len() as u64;
    let names = r
        .names
        .clone()
        .unwrap_or_else(|| (0..cols.len()).map(|i| format!("column_{i}")).collect());
    let bad = |what: &str, e: String| RunError::ModelBias(format!("{what}: {e}"));
    let mut features = Vec::with_capacity(cols.len());
    for (name, col) in names.into_iter().zip(cols) {
        let c = Column::from_json(&col).map_err(|e| bad(&format!("column {name}"), e))?;
        drop(col);
        features.push((name, c));
    }
    let table = BiasTable {
        features,
        label: Column::from_json(&y).map_err(|e| bad("labels", e))?,
        predicted_label: Some(Column::from_json(&yhat).map_err(|e| bad("predicted labels", e))?),
    };
    Ok(WindowTable {
        table,
        counts,
        issues,
    })
}
