//! Where records come from and why some are rejected: [`Location`] (file and line),
//! [`Reject`] and the mergeable [`RejectLog`] (a count per kind and the first
//! [`MAX_REJECT_SAMPLES`] examples). Every reader counts a record it cannot use here instead of
//! dropping it, so that records read = rows profiled + records rejected.

use std::collections::BTreeMap;

use super::merge::Merge;

/// Where a value or record came from: a file (or object key) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// File path or `s3://` key.
    pub source: String,
    /// 1-based line number.
    pub line: u64,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

/// One rejected record: where, what kind, and a message a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reject {
    /// Where the record was read.
    pub location: Location,
    /// A short stable code (`ragged_row`, `invalid_utf8`, `malformed_json`, …).
    pub kind: String,
    /// What was wrong.
    pub message: String,
}

/// How many example rejects a log keeps (all are counted).
pub const MAX_REJECT_SAMPLES: usize = 20;

/// Counts of rejected records by kind, with the first few as examples.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectLog {
    /// All rejected records.
    pub total: u64,
    /// Rejected records by kind.
    pub by_kind: BTreeMap<String, u64>,
    /// The first [`MAX_REJECT_SAMPLES`] rejects.
    pub samples: Vec<Reject>,
}

impl RejectLog {
    /// Records one rejected record.
    pub fn add(&mut self, location: Location, kind: &str, message: impl Into<String>) {
        self.total += 1;
        *self.by_kind.entry(kind.to_owned()).or_insert(0) += 1;
        if self.samples.len() < MAX_REJECT_SAMPLES {
            self.samples.push(Reject {
                location,
                kind: kind.to_owned(),
                message: message.into(),
            });
        }
    }
}

impl Merge for RejectLog {
    fn merge(&mut self, o: &Self) {
        self.total += o.total;
        for (k, v) in &o.by_kind {
            *self.by_kind.entry(k.clone()).or_insert(0) += v;
        }
        for s in &o.samples {
            if self.samples.len() >= MAX_REJECT_SAMPLES {
                break;
            }
            self.samples.push(s.clone());
        }
    }
}
