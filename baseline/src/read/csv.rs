//! Profiling a CSV dataset in one pass: [`profile_csv`] feeds the row events of
//! [`super::csv_rows`] into a [`DatasetProfile`] (rows as untyped text, rejects with their
//! line) and checks that some row was read. [`super::csv_blocks`] reuses its steps per block.

use std::io::Read;

use super::csv_rows::{for_each_csv_row, CsvEvent, CsvRowsSummary};
use super::source::{first_reject, HeaderMode, ReadError, ReadSummary};
use crate::profile::{CellRef, DatasetProfile, Location};

/// Adds one CSV event to a profile.
pub(super) fn add_csv_event(profile: &mut DatasetProfile, source_name: &str, ev: CsvEvent<'_>) {
    match ev {
        CsvEvent::Header(names) => profile.set_positional_names(names),
        CsvEvent::Row { line, fields } => {
            let loc = || Location {
                source: source_name.to_owned(),
                line,
            };
            profile.add_positional(
                fields.iter().map(|s| {
                    if s.is_empty() {
                        CellRef::Null
                    } else {
                        CellRef::Text(s)
                    }
                }),
                &loc,
            );
        }
        CsvEvent::Reject {
            line,
            kind,
            message,
        } => profile.rejects.add(
            Location {
                source: source_name.to_owned(),
                line,
            },
            kind,
            message,
        ),
    }
}

/// The errors of a CSV read that found no row.
pub(super) fn csv_summary(
    s: &CsvRowsSummary,
    source_name: &str,
    profile: &DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    let summary = ReadSummary {
        records: s.records,
        rows: s.rows,
        rejected: s.rejected,
        header: s.header.is_some(),
    };
    if summary.rows == 0 && summary.records == 0 {
        return Err(ReadError::Empty {
            source_name: source_name.to_owned(),
            detail: " (a header only)".to_owned(),
        });
    }
    if summary.rows == 0 {
        return Err(ReadError::Empty {
            source_name: source_name.to_owned(),
            detail: format!(
                "; {} of {} records rejected, first: {}",
                summary.rejected,
                summary.records,
                first_reject(profile)
            ),
        });
    }
    Ok(summary)
}

/// Profiles a CSV stream into `profile`. Rows whose field count differs from the header (or the
/// first row) and rows with invalid UTF-8 are rejected with their line; everything else is
/// profiled. The row rules are [`for_each_csv_row`]'s.
pub fn profile_csv<R: Read>(
    input: R,
    source_name: &str,
    header: HeaderMode,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    let s = for_each_csv_row(input, source_name, header, |ev| {
        add_csv_event(profile, source_name, ev)
    })?;
    csv_summary(&s, source_name, profile)
}
