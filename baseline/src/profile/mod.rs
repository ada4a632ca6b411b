//! Mergeable column and dataset profiles.
//!
//! Every statistic here is a monoid: `Default` is the identity of [`Merge::merge`], so a profile
//! of a whole dataset equals the merge of the profiles of its parts (per object, per chunk, per
//! shard, per machine). Counts, sums, minima and maxima merge exactly; the KLL sketch within its
//! rank-error bound; categorical counts exactly while a column has at most
//! [`MAX_TRACKED_CATEGORIES`] distinct values (see [`Categories`]).
//!
//! Readers ([`crate::read`], the monitor's capture reader) feed cells into a
//! [`DatasetProfile`]; [`crate::suggest`] turns a finished profile into `statistics.json` and
//! `constraints.json`, and the rules compare a window's profile with the baseline. The
//! statistics live in submodules: [`types`] (classification and the inferred type),
//! [`moments`], [`exact_sum`], [`hll`], [`categories`] and [`rejects`]; everything is
//! re-exported here.

pub mod categories;
pub mod exact_sum;
pub mod hll;
pub mod merge;
pub mod moments;
pub mod rejects;
pub mod types;

pub use categories::{Categories, CategoryCounts, MAX_CATEGORY_BYTES, MAX_TRACKED_CATEGORIES};
pub use exact_sum::ExactSum;
pub use hll::{hash64, Hll};
pub use merge::Merge;
pub use moments::{nonfinite, Moments};
pub use rejects::{Location, Reject, RejectLog, MAX_REJECT_SAMPLES};
pub use types::{classify, infer_type, InferredType, TypeCounts, NUMERIC_TOLERANCE};

use std::collections::HashMap;

use crate::kll::KllSketch;
use crate::value::{Cell, Row, ValueType};
use types::needs_no_trim;

/// A value that did not have the column's numeric type, kept as an example for the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValueSample {
    /// Where it was read.
    pub location: Location,
    /// The value, truncated to 80 bytes.
    pub value: String,
}

/// The profile of one column.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnProfile {
    /// Per-type counts (nulls included).
    pub types: TypeCounts,
    /// Moments of the numeric values (integral and fractional).
    pub moments: Moments,
    /// KLL sketch of the numeric values (SageMaker's parameters).
    pub kll: KllSketch,
    /// Counts of the non-null values' text.
    pub categories: Categories,
    /// The first value that was not a number (to name file and line when a numeric column holds
    /// some text).
    pub first_non_numeric: Option<ValueSample>,
}

/// A borrowed cell, the profiler's input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellRef<'a> {
    /// Absent or empty.
    Null,
    /// Untyped text, typed by its literal.
    Text(&'a str),
    /// A typed integer.
    Int(i64),
    /// A typed float.
    Float(f64),
    /// A typed boolean.
    Bool(bool),
    /// A typed string.
    Str(&'a str),
}

impl<'a> From<&'a Cell> for CellRef<'a> {
    fn from(c: &'a Cell) -> Self {
        match c {
            Cell::Null => CellRef::Null,
            Cell::Text(s) => CellRef::Text(s),
            Cell::Int(i) => CellRef::Int(*i),
            Cell::Float(f) => CellRef::Float(*f),
            Cell::Bool(b) => CellRef::Bool(*b),
            Cell::Str(s) => CellRef::Str(s),
        }
    }
}

impl ColumnProfile {
    /// Adds one cell read at `loc` (the location is only used when an example must be kept).
    pub fn add(&mut self, cell: CellRef<'_>, loc: impl FnOnce() -> Location) {
        match cell {
            CellRef::Null => self.types.add(ValueType::Null),
            CellRef::Text(s) => {
                let (ty, num) = classify(s);
                let text = if needs_no_trim(s) { s } else { s.trim() };
                self.add_classified(ty, num, text, loc);
            }
            CellRef::Int(i) => {
                self.add_typed_number(ValueType::Integral, i as f64, || i.to_string())
            }
            // `{:?}` is the shortest round-trip text ("3.0", "0.1"): cheap, and the same text
            // before and after a column overflows, so the distinct estimate stays consistent.
            CellRef::Float(f) if f.is_finite() => {
                self.add_typed_number(ValueType::Fractional, f, || format!("{f:?}"))
            }
            CellRef::Float(_) => self.types.add(ValueType::Null),
            CellRef::Bool(b) => self.add_classified(
                ValueType::Boolean,
                None,
                if b { "true" } else { "false" },
                loc,
            ),
            CellRef::Str("") => self.types.add(ValueType::Null),
            CellRef::Str(s) => self.add_classified(ValueType::String, None, s, loc),
        }
    }

    /// A number that came typed: its text form is only built while categories are tracked
    /// (a high-cardinality numeric column costs no formatting per value).
    fn add_typed_number(&mut self, ty: ValueType, x: f64, text: impl FnOnce() -> String) {
        self.types.add(ty);
        self.moments.add(x);
        self.kll.update(x);
        if self.categories.overflowed {
            // Hash the same text as `Categories::add` does, so that a value counts once in the
            // distinct estimate whether it arrives before or after the overflow, and merged
            // chunk profiles equal the one-pass profile.
            self.categories
                .add_untracked_hash(hash64(text().as_bytes()));
        } else {
            self.categories.add(&text());
        }
    }

    fn add_classified(
        &mut self,
        ty: ValueType,
        num: Option<f64>,
        text: &str,
        loc: impl FnOnce() -> Location,
    ) {
        self.types.add(ty);
        if ty == ValueType::Null {
            return;
        }
        match num {
            Some(x) if x.is_finite() => {
                self.moments.add(x);
                self.kll.update(x);
                if self.categories.overflowed {
                    // High-cardinality numeric column: no per-value counting any more.
                    self.categories.add_untracked_hash(hash64(text.as_bytes()));
                    return;
                }
            }
            _ => {
                if self.first_non_numeric.is_none() {
                    let mut v = text.to_owned();
                    if v.len() > 80 {
                        let mut cut = 80;
                        while !v.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        v.truncate(cut);
                    }
                    self.first_non_numeric = Some(ValueSample {
                        location: loc(),
                        value: v,
                    });
                }
            }
        }
        self.categories.add(text);
    }

    /// Non-null values.
    pub fn present(&self) -> u64 {
        self.types.present()
    }

    /// The inferred type: see [`infer_type`].
    pub fn inferred_type(&self) -> InferredType {
        infer_type(&self.types)
    }
}

impl Merge for ColumnProfile {
    fn merge(&mut self, o: &Self) {
        self.types.merge(&o.types);
        self.moments.merge(&o.moments);
        self.kll.merge(&o.kll);
        self.categories.merge(&o.categories);
        if self.first_non_numeric.is_none() {
            self.first_non_numeric = o.first_non_numeric.clone();
        }
    }
}

/// The profile of a dataset: rows counted, columns in first-seen order, rejected records.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DatasetProfile {
    /// Rows profiled (rejected records are not rows).
    pub item_count: u64,
    /// Columns by name, in first-seen order.
    pub columns: Vec<(String, ColumnProfile)>,
    index: HashMap<String, usize>,
    /// Position → column index for positional rows.
    positional: Vec<usize>,
    /// Records that could not be used, by kind.
    pub rejects: RejectLog,
}

/// The default name of the `i`-th column of headerless data (Spark's).
pub fn default_column_name(i: usize) -> String {
    format!("_c{i}")
}

impl DatasetProfile {
    /// An empty profile whose positional columns are named `names` (in order). Positions beyond
    /// the names get `_c{i}`.
    pub fn with_names(names: &[String]) -> Self {
        let mut p = DatasetProfile::default();
        p.set_positional_names(names);
        p
    }

    /// Names the positional columns (a CSV header, or the baseline's column order).
    pub fn set_positional_names(&mut self, names: &[String]) {
        self.positional.clear();
        for n in names {
            let idx = self.column_index(n);
            self.positional.push(idx);
        }
    }

    /// Index of a column by name, creating it when new.
    pub fn column_index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.columns.len();
        self.columns
            .push((name.to_owned(), ColumnProfile::default()));
        self.index.insert(name.to_owned(), i);
        i
    }

    fn positional_index(&mut self, pos: usize) -> usize {
        while self.positional.len() <= pos {
            let name = default_column_name(self.positional.len());
            let idx = self.column_index(&name);
            self.positional.push(idx);
        }
        self.positional[pos]
    }

    /// A column's profile by name.
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.index.get(name).map(|&i| &self.columns[i].1)
    }

    /// Adds one positional row of borrowed cells.
    pub fn add_positional<'a, I>(&mut self, cells: I, loc: &dyn Fn() -> Location)
    where
        I: IntoIterator<Item = CellRef<'a>>,
    {
        self.item_count += 1;
        for (pos, c) in cells.into_iter().enumerate() {
            let idx = self.positional_index(pos);
            self.columns[idx].1.add(c, loc);
        }
    }

    /// Adds one row as a reader produced it.
    pub fn add_row(&mut self, row: &Row, loc: &dyn Fn() -> Location) {
        match row {
            Row::Positional(cells) => self.add_positional(cells.iter().map(CellRef::from), loc),
            Row::Named(cells) => {
                self.item_count += 1;
                for (name, c) in cells {
                    let idx = self.column_index(name);
                    self.columns[idx].1.add(CellRef::from(c), loc);
                }
            }
        }
    }

    /// Missing values of a column: rows where it was null or absent.
    pub fn missing(&self, col: &ColumnProfile) -> u64 {
        self.item_count.saturating_sub(col.present())
    }
}

impl Merge for DatasetProfile {
    fn merge(&mut self, o: &Self) {
        self.item_count += o.item_count;
        for (name, col) in &o.columns {
            let idx = self.column_index(name);
            self.columns[idx].1.merge(col);
        }
        for &p in &o.positional {
            let name = &o.columns[p].0;
            if !self.positional.iter().any(|&q| self.columns[q].0 == *name) {
                let idx = self.column_index(name);
                self.positional.push(idx);
            }
        }
        self.rejects.merge(&o.rejects);
    }
}

#[cfg(test)]
mod tests;
