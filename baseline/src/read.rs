//! Streaming readers for training datasets: CSV (with or without header) and JSON Lines, gzip
//! transparently. Input is consumed record by record from any `Read`; nothing is loaded whole.
//!
//! Bad records never abort a read and are never dropped silently: each is counted in the
//! profile's [`RejectLog`](crate::profile::RejectLog) with its file and line. Only an input that
//! is unusable as a whole (unreadable, empty, no usable row) is an error.

use std::io::{BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use crate::profile::{CellRef, DatasetProfile, Location};
use crate::value::Cell;

/// A training-data reader failure that makes the whole input unusable.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The underlying reader failed.
    #[error("{source_name}: read error: {err}")]
    Io {
        /// File or object.
        source_name: String,
        /// The I/O error.
        err: std::io::Error,
    },
    /// The input holds no data rows.
    #[error("{source_name}: no usable data rows{detail}")]
    Empty {
        /// File or object.
        source_name: String,
        /// Extra detail such as how many records were rejected.
        detail: String,
    },
    /// The CSV header is unusable.
    #[error("{source_name}:1: bad header: {detail}")]
    Header {
        /// File or object.
        source_name: String,
        /// What is wrong.
        detail: String,
    },
}

/// Wraps a reader so that gzip input (magic bytes `1f 8b`) is decompressed transparently.
pub fn maybe_gunzip<'a, R: Read + 'a>(r: R) -> std::io::Result<Box<dyn BufRead + 'a>> {
    let mut br = BufReader::with_capacity(256 * 1024, r);
    let head = br.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(br),
        )))
    } else {
        Ok(Box::new(br))
    }
}

/// Whether the first CSV row is a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderMode {
    /// The first row names the columns.
    Present,
    /// No header: columns are `_c0, _c1, …` (Spark's names, as SageMaker writes them).
    Absent,
    /// Decide from the data: a header when no field of the first row is a number and some field
    /// of the second row is.
    Auto,
}

/// What a read did, besides the profile it filled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Records read (accepted and rejected).
    pub records: u64,
    /// Records accepted as rows.
    pub rows: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Whether a header row was used.
    pub header: bool,
}

/// Profiles a CSV stream into `profile`. Rows whose field count differs from the header (or the
/// first row) and rows with invalid UTF-8 are rejected with their line; everything else is
/// profiled. The row rules are [`crate::rows::for_each_csv_row`]'s.
pub fn profile_csv<R: Read>(
    input: R,
    source_name: &str,
    header: HeaderMode,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    use crate::rows::{for_each_csv_row, CsvEvent};
    let s = for_each_csv_row(input, source_name, header, |ev| match ev {
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
    })?;
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
                profile
                    .rejects
                    .samples
                    .first()
                    .map(|r| format!("{}: {}", r.location, r.message))
                    .unwrap_or_default()
            ),
        });
    }
    Ok(summary)
}

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

/// Profiles a JSON Lines stream of flat objects (`{"name": scalar, …}`), one row per line.
/// Malformed JSON, invalid UTF-8, non-object lines and nested values reject the line.
pub fn profile_jsonl<R: Read>(
    input: R,
    source_name: &str,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    let io_err = |err: std::io::Error| ReadError::Io {
        source_name: source_name.to_owned(),
        err,
    };
    let mut r = maybe_gunzip(input).map_err(io_err)?;
    let mut summary = ReadSummary::default();
    let mut buf = Vec::new();
    let mut line: u64 = 0;
    let mut row: Vec<(String, Cell)> = Vec::new();
    loop {
        buf.clear();
        let n = r.read_until(b'\n', &mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        line += 1;
        let trimmed = buf.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        summary.records += 1;
        let loc = || Location {
            source: source_name.to_owned(),
            line,
        };
        let text = match std::str::from_utf8(trimmed) {
            Ok(t) => t,
            Err(e) => {
                summary.rejected += 1;
                profile.rejects.add(
                    loc(),
                    "invalid_utf8",
                    format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                );
                continue;
            }
        };
        let obj = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(o)) => o,
            Ok(_) => {
                summary.rejected += 1;
                profile.rejects.add(
                    loc(),
                    "not_an_object",
                    "a JSON Lines row must be a JSON object",
                );
                continue;
            }
            Err(e) => {
                summary.rejected += 1;
                profile.rejects.add(loc(), "malformed_json", e.to_string());
                continue;
            }
        };
        row.clear();
        let mut nested = None;
        for (k, v) in &obj {
            match json_cell(v) {
                Some(c) => row.push((k.clone(), c)),
                None => {
                    nested = Some(k.clone());
                    break;
                }
            }
        }
        if let Some(k) = nested {
            summary.rejected += 1;
            profile.rejects.add(
                loc(),
                "nested_json",
                format!("value of {k:?} is an array or object; flatten it first"),
            );
            continue;
        }
        summary.rows += 1;
        profile.add_row(&crate::value::Row::Named(std::mem::take(&mut row)), &loc);
    }
    if summary.rows == 0 {
        return Err(ReadError::Empty {
            source_name: source_name.to_owned(),
            detail: if summary.records > 0 {
                format!(
                    "; all {} records rejected, first: {}",
                    summary.records,
                    profile
                        .rejects
                        .samples
                        .first()
                        .map(|r| format!("{}: {}", r.location, r.message))
                        .unwrap_or_default()
                )
            } else {
                String::new()
            },
        });
    }
    Ok(summary)
}

/// Profiles SageMaker data-capture JSONL as a dataset (`--format capture`): each record's rows
/// (output columns first, §1.3) become rows; CSV payloads get `_c0, _c1, …`, flat JSON objects
/// their keys. Bad lines and undecodable payloads are rejected with their line.
pub fn profile_capture<R: Read>(
    input: R,
    source_name: &str,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    use crate::capture::{parse_capture_line, record_rows, ExtractConfig};
    let io_err = |err: std::io::Error| ReadError::Io {
        source_name: source_name.to_owned(),
        err,
    };
    let mut r = maybe_gunzip(input).map_err(io_err)?;
    let cfg = ExtractConfig::default();
    let mut summary = ReadSummary::default();
    let mut buf = Vec::new();
    let mut line: u64 = 0;
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf).map_err(io_err)? == 0 {
            break;
        }
        line += 1;
        let trimmed = buf.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        summary.records += 1;
        let loc = || Location {
            source: source_name.to_owned(),
            line,
        };
        match parse_capture_line(trimmed).and_then(|rec| record_rows(&rec, &cfg)) {
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
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_header_auto_and_ragged() {
        let data = "a,b\n1,x\n2,y,extra\n3,z\n";
        let mut p = DatasetProfile::default();
        let s = profile_csv(data.as_bytes(), "t.csv", HeaderMode::Auto, &mut p).unwrap();
        assert!(s.header);
        assert_eq!(s.rows, 2);
        assert_eq!(s.rejected, 1);
        assert_eq!(p.item_count, 2);
        assert_eq!(p.rejects.samples[0].location.line, 3);
        assert_eq!(p.rejects.samples[0].kind, "ragged_row");
        assert_eq!(p.columns[0].0, "a");
    }

    #[test]
    fn csv_invalid_utf8_is_rejected_with_line() {
        let mut data = b"1,2\n3,".to_vec();
        data.extend_from_slice(&[0xff, 0xfe]);
        data.extend_from_slice(b"\n5,6\n");
        let mut p = DatasetProfile::default();
        let s = profile_csv(&data[..], "t.csv", HeaderMode::Absent, &mut p).unwrap();
        assert_eq!((s.rows, s.rejected), (2, 1));
        assert_eq!(p.rejects.samples[0].kind, "invalid_utf8");
        assert_eq!(p.rejects.samples[0].location.line, 2);
        assert_eq!(p.columns[0].0, "_c0");
    }

    #[test]
    fn csv_empty_is_an_error() {
        let mut p = DatasetProfile::default();
        let e = profile_csv(&b""[..], "e.csv", HeaderMode::Auto, &mut p).unwrap_err();
        assert!(e.to_string().contains("e.csv"), "{e}");
    }

    #[test]
    fn gzip_is_transparent() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"1,2\n3,4\n").unwrap();
        let gz = enc.finish().unwrap();
        let mut p = DatasetProfile::default();
        let s = profile_csv(&gz[..], "t.csv.gz", HeaderMode::Absent, &mut p).unwrap();
        assert_eq!(s.rows, 2);
    }

    #[test]
    fn jsonl_rows_and_rejects() {
        let data =
            "{\"a\":1,\"b\":\"x\"}\n{oops\n[1]\n{\"a\":2.5,\"c\":{\"n\":1}}\n\n{\"b\":\"y\"}\n";
        let mut p = DatasetProfile::default();
        let s = profile_jsonl(data.as_bytes(), "t.jsonl", &mut p).unwrap();
        assert_eq!((s.records, s.rows, s.rejected), (5, 2, 3));
        assert_eq!(p.rejects.by_kind["malformed_json"], 1);
        assert_eq!(p.rejects.by_kind["not_an_object"], 1);
        assert_eq!(p.rejects.by_kind["nested_json"], 1);
        let a = p.column("a").unwrap();
        assert_eq!(a.present(), 1);
        assert_eq!(p.missing(a), 1);
    }
}
