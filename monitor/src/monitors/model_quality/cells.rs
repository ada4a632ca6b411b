//! Reading a prediction, a probability or a label out of a row (a cell as text, by index or
//! name), and the hints given when a name finds nothing.

use std::borrow::Cow;

use driftmon_baseline::value::{Cell, Row};
use driftmon_rules::model_quality::Field;

use super::{Attribute, ModelQualityOptions};

pub(super) fn cell_text(c: &Cell) -> Option<Cow<'_, str>> {
    match c {
        Cell::Null => None,
        Cell::Text(s) | Cell::Str(s) => Some(Cow::Borrowed(s.as_str())),
        Cell::Int(i) => Some(Cow::Owned(i.to_string())),
        Cell::Float(f) => Some(Cow::Owned(format!("{f}"))),
        Cell::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
    }
}

/// The text at `attr` in `row`: `Ok(None)` when the row has no value there.
pub(super) fn row_value<'r>(row: &'r Row, attr: &Attribute) -> Option<Cow<'r, str>> {
    let cell = match (row, attr) {
        (_, Attribute::Index(i)) => row.get(*i),
        (Row::Positional(_), Attribute::Name(_)) => None,
        (Row::Named(pairs), Attribute::Name(n)) => {
            pairs.iter().find(|(k, _)| k == n).map(|(_, c)| c)
        }
    }?;
    cell_text(cell)
}

/// Why a named attribute finds nothing in a row without names (CSV capture): said in the issue,
/// since the fix (a column index) is not obvious from "has no value".
pub(super) fn name_on_positional_row(row: &Row, opts: &ModelQualityOptions) -> String {
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

pub(super) fn first_cell(row: &Row) -> Option<Cow<'_, str>> {
    row.get(0).and_then(cell_text)
}

pub(super) fn field<'a>(configured: bool, v: &'a Option<Cow<'a, str>>) -> Field<'a> {
    match (configured, v) {
        (false, _) => Field::NotConfigured,
        (true, None) => Field::Missing,
        (true, Some(s)) => Field::Value(s.as_ref()),
    }
}
