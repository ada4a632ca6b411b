//! The ground-truth join of one model-quality execution: labels are read first and kept by id;
//! capture records then stream by and pair with them (module documentation of the parent).

use std::borrow::Cow;
use std::collections::HashMap;

use driftmon_baseline::capture::{event_rows, parse_capture_line, record_rows, Part};
use driftmon_baseline::value::Row;
use driftmon_rules::model_quality::{make_sample, Observations};

use super::cells::{field, first_cell, name_on_positional_row, row_value};
use super::{IssueLog, JoinCounts, ModelQualityRunSpec, MAX_EXAMPLES};

/// One label record kept for the join.
pub(super) struct LabelEntry {
    pub(super) key: String,
    pub(super) labels: Vec<Option<String>>,
    pub(super) location: String,
    pub(super) used: bool,
}

/// What became of the capture records with an id.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen {
    InWindow,
    OutsideWindow,
    Rejected,
}

/// The join's state: labels by id, the ids captured, the samples, counters and issues.
pub(super) struct Join<'s> {
    spec: &'s ModelQualityRunSpec,
    threshold: f64,
    pub(super) counts: JoinCounts,
    pub(super) issues: IssueLog,
    pub(super) entries: Vec<LabelEntry>,
    by_id: HashMap<String, usize>,
    seen: HashMap<String, Seen>,
    pub(super) obs: Observations,
    /// Ids of predictions still waiting for a label (a few).
    pub(super) awaiting: Vec<String>,
}

impl<'s> Join<'s> {
    pub(super) fn new(spec: &'s ModelQualityRunSpec) -> Self {
        Join {
            spec,
            threshold: spec.options.threshold(),
            counts: JoinCounts::default(),
            issues: IssueLog::default(),
            entries: Vec::new(),
            by_id: HashMap::new(),
            seen: HashMap::new(),
            obs: Observations::new(spec.options.problem_type),
            awaiting: Vec::new(),
        }
    }

    /// One line of a ground-truth object (`uri`, 1-based `line`).
    pub(super) fn label_line(&mut self, uri: &str, line: u64, bytes: &[u8]) {
        self.counts.label_records += 1;
        let here = || format!("{uri}:{line}");
        let rec = match parse_capture_line(bytes) {
            Ok(r) => r,
            Err(e) => {
                self.counts.bad_lines += 1;
                self.issues
                    .add("bad_ground_truth_line", here, || e.to_string());
                return;
            }
        };
        let Some(ev) = rec.ground_truth.as_ref() else {
            self.counts.bad_lines += 1;
            self.issues.add("bad_ground_truth_line", here, || {
                "the record has no groundTruthData".to_owned()
            });
            return;
        };
        let Some(id) = rec.event_id.clone().or_else(|| rec.inference_id.clone()) else {
            self.issues.add("missing_event_id", here, || {
                "the label has no eventMetadata.eventId".to_owned()
            });
            return;
        };
        let rows = match event_rows(ev, Part::GroundTruth, self.spec.ground_truth_path.as_ref()) {
            Ok(rows) => rows,
            Err(e) => {
                self.issues
                    .add("bad_ground_truth_payload", here, || e.to_string());
                return;
            }
        };
        if rows.is_empty() {
            self.issues.add("missing_label", here, || {
                format!("the label of {id:?} is empty")
            });
            return;
        }
        if let Some(&first) = self.by_id.get(&id) {
            self.counts.duplicate_labels += 1;
            let kept = self.entries[first].location.clone();
            self.issues.add("duplicate_label", here, || {
                format!("{id:?} already has a label at {kept}; the first is kept")
            });
            return;
        }
        let labels = rows
            .iter()
            .map(|r| {
                match &self.spec.ground_truth_attribute {
                    Some(a) => row_value(r, a),
                    None => first_cell(r),
                }
                .map(Cow::into_owned)
            })
            .collect();
        self.by_id.insert(id.clone(), self.entries.len());
        self.entries.push(LabelEntry {
            key: id,
            labels,
            location: here(),
            used: false,
        });
    }

    /// Marks `id` as seen (in the window wins over outside or rejected).
    fn mark(&mut self, id: &str, s: Seen) {
        let e = self.seen.entry(id.to_owned()).or_insert(s);
        if s == Seen::InWindow {
            *e = s;
        }
    }

    /// One line of a capture object: a prediction in the window joins its label.
    pub(super) fn capture_line(&mut self, uri: &str, line: u64, bytes: &[u8]) {
        let spec = self.spec;
        self.counts.capture_records += 1;
        let here = || format!("{uri}:{line}");
        let rec = match parse_capture_line(bytes) {
            Ok(r) => r,
            Err(e) => {
                self.counts.bad_lines += 1;
                self.issues.add("bad_capture_line", here, || e.to_string());
                return;
            }
        };
        let Some(id) = rec.inference_id.clone().or_else(|| rec.event_id.clone()) else {
            self.issues.add("missing_event_id", here, || {
                "the capture record has neither eventMetadata.inferenceId nor eventId".to_owned()
            });
            return;
        };
        let Some(t) = rec.inference_time_ms else {
            self.issues
                .add("bad_inference_time", here, || match &rec.inference_time {
                    Some(s) => format!("eventMetadata.inferenceTime {s:?} is not an ISO-8601 time"),
                    None => "eventMetadata.inferenceTime is missing".to_owned(),
                });
            self.mark(&id, Seen::Rejected);
            return;
        };
        if t < spec.start_ms || t >= spec.end_ms {
            self.counts.outside_window += 1;
            self.mark(&id, Seen::OutsideWindow);
            return;
        }
        if self.seen.get(&id) == Some(&Seen::InWindow) {
            self.counts.duplicate_predictions += 1;
            self.issues.add("duplicate_prediction", here, || {
                format!("{id:?} was already captured in this window; the first is kept")
            });
            return;
        }
        let rows = match record_rows(&rec, &spec.extract) {
            Ok(rows) => rows,
            Err(e) => {
                self.issues
                    .add("bad_capture_payload", here, || e.to_string());
                self.mark(&id, Seen::Rejected);
                return;
            }
        };
        self.mark(&id, Seen::InWindow);
        self.counts.predictions += rows.len() as u64;
        let Some(&ix) = self.by_id.get(&id) else {
            self.counts.unmatched_predictions += rows.len() as u64;
            if self.awaiting.len() < MAX_EXAMPLES {
                self.awaiting.push(format!("{id} ({})", here()));
            }
            return;
        };
        self.pair(&id, ix, &rows, &here);
    }

    /// Pairs the prediction rows of `id` with the rows of its label `entries[ix]`.
    fn pair(&mut self, id: &str, ix: usize, rows: &[Row], here: &dyn Fn() -> String) {
        let opts = &self.spec.options;
        let entry = &mut self.entries[ix];
        entry.used = true;
        if entry.labels.len() != rows.len() {
            self.counts.unmatched_predictions += rows.len() as u64;
            let (n, m, at) = (rows.len(), entry.labels.len(), entry.location.clone());
            self.issues.add("label_row_count_mismatch", here, || {
                format!("{n} prediction rows but the label at {at} has {m} rows")
            });
            return;
        }
        for (k, (row, label)) in rows.iter().zip(&entry.labels).enumerate() {
            self.counts.matched += 1;
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
                self.threshold,
                field(opts.inference_attribute.is_some(), &p),
                field(opts.probability_attribute.is_some(), &q),
                field(true, &l),
            ) {
                Ok(s) => {
                    self.counts.samples += 1;
                    let _ = self.obs.push(s);
                }
                Err(e) => {
                    let width = row.len();
                    let at = entry.location.clone();
                    self.issues.add(e.kind(), here, || {
                        let row_note = if rows.len() > 1 {
                            format!(", row {k}")
                        } else {
                            String::new()
                        };
                        let hint = name_on_positional_row(row, opts);
                        format!(
                            "{id:?}{row_note}: {e} (prediction row width {width}; label at \
                             {at}){hint}"
                        )
                    });
                }
            }
        }
    }

    /// Counts and reports every label that joined no prediction, by why.
    pub(super) fn unmatched_labels(&mut self) {
        for e in self.entries.iter().filter(|e| !e.used) {
            self.counts.unmatched_labels += 1;
            let (kind, why) = match self.seen.get(&e.key) {
                None => {
                    self.counts.labels_for_unknown_ids += 1;
                    (
                        "label_for_unknown_id",
                        "no capture record read has this id (its prediction may lie outside the \
                         capture window's hours)",
                    )
                }
                Some(Seen::OutsideWindow) => {
                    self.counts.labels_for_predictions_outside_window += 1;
                    (
                        "label_for_prediction_outside_window",
                        "its prediction's inferenceTime lies outside the capture window",
                    )
                }
                Some(Seen::Rejected) | Some(Seen::InWindow) => {
                    self.counts.labels_for_rejected_predictions += 1;
                    (
                        "label_for_rejected_prediction",
                        "its prediction was rejected",
                    )
                }
            };
            self.issues.add(
                kind,
                || e.location.clone(),
                || format!("{:?}: {why}", e.key),
            );
        }
    }
}
