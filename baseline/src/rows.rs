//! Row iteration over a CSV dataset, for readers that need the raw fields of each row rather
//! than a profile (model-quality baselines read a prediction, a probability and a label column).
//!
//! The rules match [`crate::read::profile_csv`]: gzip is decompressed transparently, a blank
//! line is not a record, [`HeaderMode::Auto`] takes the first row as a header when none of its
//! fields is a number and some field of the second row is, and a row whose field count differs
//! from the header (or from the first row) or that is not UTF-8 is rejected with its line, never
//! dropped silently. Fields are passed untrimmed; an empty field is `""`.

use std::io::{BufRead, Read};

use crate::read::{maybe_gunzip, HeaderMode, ReadError};

/// One thing found while reading a CSV stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEvent<'a> {
    /// The header row (sent once, before any row), names trimmed.
    Header(&'a [String]),
    /// A data row, with its line number (1-based, the line where the record starts).
    Row {
        /// Line number.
        line: u64,
        /// The fields, untrimmed.
        fields: &'a [&'a str],
    },
    /// A record that could not be used.
    Reject {
        /// Line number.
        line: u64,
        /// `ragged_row` or `invalid_utf8`.
        kind: &'static str,
        /// What is wrong.
        message: &'a str,
    },
}

/// What [`for_each_csv_row`] read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvRowsSummary {
    /// The header, when one was used.
    pub header: Option<Vec<String>>,
    /// Records read (rows and rejects; the header is not a record).
    pub records: u64,
    /// Rows sent.
    pub rows: u64,
    /// Records rejected.
    pub rejected: u64,
}

fn is_numeric(field: &[u8]) -> bool {
    std::str::from_utf8(field)
        .map(|s| {
            matches!(
                crate::profile::classify(s).0,
                crate::value::ValueType::Integral | crate::value::ValueType::Fractional
            )
        })
        .unwrap_or(false)
}

/// Reads a CSV stream and calls `on` for the header (if any), each row and each rejected
/// record, in input order. Errors only when the input as a whole is unusable: an I/O or CSV
/// syntax error, an unusable header, or no record at all (a header alone is not an error: the
/// summary then has no rows).
pub fn for_each_csv_row<R: Read>(
    input: R,
    source_name: &str,
    header: HeaderMode,
    mut on: impl FnMut(CsvEvent<'_>),
) -> Result<CsvRowsSummary, ReadError> {
    let io_err = |err: std::io::Error| ReadError::Io {
        source_name: source_name.to_owned(),
        err,
    };
    let r = maybe_gunzip(input).map_err(io_err)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r);
    let read_next = |rdr: &mut csv::Reader<Box<dyn BufRead>>,
                     rec: &mut csv::ByteRecord|
     -> Result<bool, ReadError> {
        match rdr.read_byte_record(rec) {
            Ok(more) => Ok(more),
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                match e.into_kind() {
                    csv::ErrorKind::Io(err) => Err(io_err(err)),
                    other => Err(ReadError::Header {
                        source_name: source_name.to_owned(),
                        detail: format!("CSV error near line {line}: {other:?}"),
                    }),
                }
            }
        }
    };
    let blank = |r: &csv::ByteRecord| r.len() == 1 && r.get(0).is_some_and(|f| f.is_empty());
    let mut summary = CsvRowsSummary::default();
    let mut rec = csv::ByteRecord::new();
    let mut pending: Vec<(csv::ByteRecord, u64)> = Vec::new();
    while pending.len() < 2 && read_next(&mut rdr, &mut rec)? {
        if blank(&rec) {
            continue;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        pending.push((rec.clone(), line));
    }
    if pending.is_empty() {
        return Err(ReadError::Empty {
            source_name: source_name.to_owned(),
            detail: String::new(),
        });
    }
    let use_header = match header {
        HeaderMode::Present => true,
        HeaderMode::Absent => false,
        HeaderMode::Auto => {
            !pending[0].0.iter().any(is_numeric)
                && pending.get(1).is_some_and(|r| r.0.iter().any(is_numeric))
        }
    };
    let mut expected: Option<usize> = None;
    if use_header {
        let (h, _) = pending.remove(0);
        let mut names = Vec::with_capacity(h.len());
        for (i, f) in h.iter().enumerate() {
            let name = std::str::from_utf8(f).map_err(|_| ReadError::Header {
                source_name: source_name.to_owned(),
                detail: format!("column {} is not valid UTF-8", i + 1),
            })?;
            let name = name.trim().trim_start_matches('\u{feff}').trim().to_owned();
            if names.contains(&name) {
                return Err(ReadError::Header {
                    source_name: source_name.to_owned(),
                    detail: format!("duplicate column name {name:?}"),
                });
            }
            names.push(name);
        }
        expected = Some(names.len());
        on(CsvEvent::Header(&names));
        summary.header = Some(names);
    }
    let mut handle = |r: &csv::ByteRecord, line: u64, summary: &mut CsvRowsSummary| {
        summary.records += 1;
        let want = *expected.get_or_insert(r.len());
        if r.len() != want {
            summary.rejected += 1;
            let msg = format!("expected {want} fields, found {}", r.len());
            on(CsvEvent::Reject {
                line,
                kind: "ragged_row",
                message: &msg,
            });
            return;
        }
        let mut fields: Vec<&str> = Vec::with_capacity(r.len());
        for (i, f) in r.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s),
                Err(_) => {
                    summary.rejected += 1;
                    let msg = format!("field {} is not valid UTF-8", i + 1);
                    on(CsvEvent::Reject {
                        line,
                        kind: "invalid_utf8",
                        message: &msg,
                    });
                    return;
                }
            }
        }
        summary.rows += 1;
        on(CsvEvent::Row {
            line,
            fields: &fields,
        });
    };
    for (r, line) in pending.drain(..) {
        handle(&r, line, &mut summary);
    }
    while read_next(&mut rdr, &mut rec)? {
        if blank(&rec) {
            continue;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        handle(&rec, line, &mut summary);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str, mode: HeaderMode) -> (Vec<String>, CsvRowsSummary) {
        let mut seen = Vec::new();
        let s = for_each_csv_row(text.as_bytes(), "t.csv", mode, |e| match e {
            CsvEvent::Header(h) => seen.push(format!("H {}", h.join("|"))),
            CsvEvent::Row { line, fields } => seen.push(format!("{line}: {}", fields.join("|"))),
            CsvEvent::Reject { line, kind, .. } => seen.push(format!("{line}! {kind}")),
        })
        .unwrap();
        (seen, s)
    }

    #[test]
    fn header_auto_rows_and_rejects() {
        let (seen, s) = collect(
            "probability,prediction,label\n0.1,0,0\n0.9,1\n\"0.7\",1,1\n\n",
            HeaderMode::Auto,
        );
        assert_eq!(
            seen,
            [
                "H probability|prediction|label",
                "2: 0.1|0|0",
                "3! ragged_row",
                "4: 0.7|1|1"
            ]
        );
        assert_eq!(s.rows, 2);
        assert_eq!(s.rejected, 1);
        assert_eq!(s.records, 3);
        let (seen, s) = collect("1,2\n3,4\n", HeaderMode::Auto);
        assert_eq!(seen, ["1: 1|2", "2: 3|4"]);
        assert!(s.header.is_none());
        let (seen, _) = collect("a,b\n", HeaderMode::Present);
        assert_eq!(seen, ["H a|b"]);
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(for_each_csv_row(&b"\n\n"[..], "t.csv", HeaderMode::Auto, |_| {}).is_err());
        assert!(
            for_each_csv_row(&b"a,a\n1,2\n"[..], "t.csv", HeaderMode::Present, |_| {}).is_err()
        );
    }
}
