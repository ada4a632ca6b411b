//! The issue log: what a model-quality job rejected, by kind, with the first few locations.

use std::collections::BTreeMap;

use driftmon_rules::report::{IssueExampleRecord, IssueRecord};
use serde_json::Value;

use super::MAX_EXAMPLES;

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

    pub(super) fn to_json(&self) -> Value {
        serde_json::to_value(self.records()).unwrap_or(Value::Null)
    }

    /// The log as `drift_report.json` records it (`issues`).
    pub(super) fn records(&self) -> BTreeMap<String, IssueRecord> {
        self.by_kind
            .iter()
            .map(|(k, c)| {
                let examples = c
                    .examples
                    .iter()
                    .map(|e| IssueExampleRecord {
                        location: e.location.clone(),
                        message: e.message.clone(),
                    })
                    .collect();
                (
                    k.clone(),
                    IssueRecord {
                        count: c.count,
                        examples,
                    },
                )
            })
            .collect()
    }
}
