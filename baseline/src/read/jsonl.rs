//! Line-oriented JSON datasets: [`profile_jsonl`] profiles JSON Lines of flat objects and
//! [`profile_capture`] profiles SageMaker capture JSONL (`--format capture`) through
//! [`crate::capture`]. Both read gzip transparently and reject a bad line with its number.

use std::io::{BufRead, Read};

use super::source::{all_rejected, maybe_gunzip, ReadError, ReadSummary};
use crate::capture::{parse_capture_line, record_rows, ExtractConfig};
use crate::profile::{DatasetProfile, Location};
use crate::value::{Cell, Row};

/// Converts a JSON value into a cell; nested arrays and objects are not cells.
pub fn json_cell(v: &serde_json::Value) -> Option<Cell> {
    Some(match v {
        serde_json::Value::Null => Cell::Null,
        serde_json::Value::Bool(b) => Cell::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Cell::Int(i)
            } else if let Some(u) = n.as_u64() {
                Cell::Float(u as f64)
            } else {
                Cell::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Cell::Str(s.clone()),
        _ => return None,
    })
}

/// Calls `f(line, record)` for each non-blank line of a stream (gzip read transparently):
/// `line` is 1-based, `record` the line without surrounding ASCII whitespace. Returns how many
/// records (non-blank lines) there were.
fn for_each_record(
    input: impl Read,
    source_name: &str,
    mut f: impl FnMut(u64, &[u8]),
) -> Result<u64, ReadError> {
    let io_err = |err: std::io::Error| ReadError::Io {
        source_name: source_name.to_owned(),
        err,
    };
    let mut r = maybe_gunzip(input).map_err(io_err)?;
    let mut buf = Vec::new();
    let (mut line, mut records) = (0u64, 0u64);
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf).map_err(io_err)? == 0 {
            return Ok(records);
        }
        line += 1;
        let trimmed = buf.trim_ascii();
        if !trimmed.is_empty() {
            records += 1;
            f(line, trimmed);
        }
    }
}

/// The row of one JSON Lines record into `row`, or the reject kind and message.
fn jsonl_row(record: &[u8], row: &mut Vec<(String, Cell)>) -> Result<(), (&'static str, String)> {
    let text = std::str::from_utf8(record).map_err(|e| {
        (
            "invalid_utf8",
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })?;
    let obj = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(o)) => o,
        Ok(_) => {
            return Err((
                "not_an_object",
                "a JSON Lines row must be a JSON object".to_owned(),
            ))
        }
        Err(e) => return Err(("malformed_json", e.to_string())),
    };
    row.clear();
    for (k, v) in &obj {
        match json_cell(v) {
            Some(c) => row.push((k.clone(), c)),
            None => {
                return Err((
                    "nested_json",
                    format!("value of {k:?} is an array or object; flatten it first"),
                ))
            }
        }
    }
    Ok(())
}

/// Profiles a JSON Lines stream of flat objects (`{"name": scalar, …}`), one row per line.
/// Malformed JSON, invalid UTF-8, non-object lines and nested values reject the line.
pub fn profile_jsonl<R: Read>(
    input: R,
    source_name: &str,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    let mut summary = ReadSummary::default();
    let mut row: Vec<(String, Cell)> = Vec::new();
    summary.records = for_each_record(input, source_name, |line, record| {
        let loc = || Location {
            source: source_name.to_owned(),
            line,
        };
        match jsonl_row(record, &mut row) {
            Ok(()) => {
                summary.rows += 1;
                profile.add_row(&Row::Named(std::mem::take(&mut row)), &loc);
            }
            Err((kind, message)) => {
                summary.rejected += 1;
                profile.rejects.add(loc(), kind, message);
            }
        }
    })?;
    if summary.rows == 0 {
        return Err(all_rejected(
            source_name,
            summary.records,
            "records",
            profile,
        ));
    }
    Ok(summary)
}

/// Profiles SageMaker data-capture JSONL as a dataset (`--format capture`): each record's rows
/// (output columns first) become rows; CSV payloads get `_c0, _c1, …`, flat JSON objects
/// their keys. Bad lines and undecodable payloads are rejected with their line.
pub fn profile_capture<R: Read>(
    input: R,
    source_name: &str,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    let cfg = ExtractConfig::default();
    let mut summary = ReadSummary::default();
    summary.records = for_each_record(input, source_name, |line, record| {
        let loc = || Location {
            source: source_name.to_owned(),
            line,
        };
        match parse_capture_line(record).and_then(|rec| record_rows(&rec, &cfg)) {
            Ok(rows) => {
                summary.rows += rows.len() as u64;
                for row in &rows {
                    profile.add_row(row, &loc);
                }
            }
            Err(e) => {
                summary.rejected += 1;
                profile.rejects.add(loc(), e.kind(), e.to_string());
            }
        }
    })?;
    if summary.rows == 0 {
        return Err(ReadError::Empty {
            source_name: source_name.to_owned(),
            detail: format!(
                "; {} records, {} rejected",
                summary.records, summary.rejected
            ),
        });
    }
    Ok(summary)
}
