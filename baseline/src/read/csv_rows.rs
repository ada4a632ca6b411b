//! Row iteration over a CSV dataset, for readers that need the raw fields of each row rather
//! than a profile (model-quality baselines read a prediction, a probability and a label column).
//!
//! The rules match [`super::csv::profile_csv`]: gzip is decompressed transparently, a blank
//! line is not a record, [`HeaderMode::Auto`] takes the first row as a header when none of its
//! fields is a number and some field of the second row is, and a row whose field count differs
//! from the header (or from the first row) or that is not UTF-8 is rejected with its line, never
//! dropped silently. Fields are passed untrimmed; an empty field is `""`.
//!
//! A record's line is the true 1-based line of the file where the record starts (the csv crate's
//! own `position().line()` is the line where the *previous* record ended, which is off after
//! blank lines and with `\r\n` line ends).
//!
//! A large regular file can also be read as byte blocks ([`super::csv_blocks::csv_blocks`] finds
//! the record boundaries, [`csv_layout`] decides the header and row width once, and
//! [`for_each_csv_block_row`] reads a later block); [`super::csv_blocks::profile_csv_at`]
//! profiles the blocks in parallel.

use std::io::{BufRead, Read};

use super::source::{maybe_gunzip, HeaderMode, ReadError};

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

/// The csv reader's buffer. [`Tap`] keeps more than this many recent bytes, so the byte that
/// ended the record just read is always still there.
const CSV_BUFFER: usize = 8 * 1024;

/// Recent input bytes kept by [`Tap`].
const TAP_RING: usize = 8 * CSV_BUFFER;

/// A reader that remembers its last [`TAP_RING`] bytes and whether it reached the end, to find
/// the true line of a record (see [`Records::next`]).
struct Tap<R> {
    inner: R,
    ring: Box<[u8]>,
    total: u64,
    eof: bool,
}

impl<R: Read> Tap<R> {
    fn new(inner: R) -> Self {
        Tap {
            inner,
            ring: vec![0; TAP_RING].into_boxed_slice(),
            total: 0,
            eof: false,
        }
    }

    fn byte_at(&self, offset: u64) -> Option<u8> {
        (offset < self.total && self.total - offset <= TAP_RING as u64)
            .then(|| self.ring[(offset % TAP_RING as u64) as usize])
    }
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.eof = true;
        }
        let skip = n.saturating_sub(TAP_RING);
        let data = &buf[skip..n];
        let at = ((self.total + skip as u64) % TAP_RING as u64) as usize;
        let first = data.len().min(TAP_RING - at);
        self.ring[at..at + first].copy_from_slice(&data[..first]);
        self.ring[..data.len() - first].copy_from_slice(&data[first..]);
        self.total += n as u64;
        Ok(n)
    }
}

fn blank(r: &csv::ByteRecord) -> bool {
    r.len() == 1 && r.get(0).is_some_and(|f| f.is_empty())
}

/// Non-blank CSV records with their true line.
struct Records<'n, R: Read> {
    rdr: csv::Reader<Tap<R>>,
    source_name: &'n str,
    /// Lines of the file before this input (0 unless it is a later block).
    lines_before: u64,
}

impl<'n, R: Read> Records<'n, R> {
    fn new(input: R, source_name: &'n str, lines_before: u64) -> Self {
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(CSV_BUFFER)
            .from_reader(Tap::new(input));
        Records {
            rdr,
            source_name,
            lines_before,
        }
    }

    /// Reads the next non-blank record into `rec` and returns the file line it starts on.
    ///
    /// The line is computed from the end of the record: csv counts every `\n` it consumed, so
    /// the start line is that count minus the `\n` inside the record's (quoted) fields, minus
    /// one when the byte that ended the record is a `\n` (with `\r\n` the record ends at the
    /// `\r`; a last record without a line end ends at the end of the input).
    fn next(&mut self, rec: &mut csv::ByteRecord) -> Result<Option<u64>, ReadError> {
        loop {
            match self.rdr.read_byte_record(rec) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0) + self.lines_before;
                    return Err(match e.into_kind() {
                        csv::ErrorKind::Io(err) => ReadError::Io {
                            source_name: self.source_name.to_owned(),
                            err,
                        },
                        other => ReadError::Header {
                            source_name: self.source_name.to_owned(),
                            detail: format!("CSV error near line {line}: {other:?}"),
                        },
                    });
                }
            }
            if blank(rec) {
                continue;
            }
            let pos = self.rdr.position();
            let end = pos.byte();
            let tap = self.rdr.get_ref();
            let at_eof = tap.eof && end == tap.total;
            let newline_end = !at_eof && end > 0 && tap.byte_at(end - 1) == Some(b'\n');
            let inside = memchr::memchr_iter(b'\n', rec.as_slice()).count() as u64;
            let line = pos.line().saturating_sub(inside + u64::from(newline_end));
            return Ok(Some(self.lines_before + line));
        }
    }
}

/// The header decision and the first records: the header names and line when the first record
/// is a header, and the (at most two) records read to decide.
type Start = (Option<(Vec<String>, u64)>, Vec<(csv::ByteRecord, u64)>);

fn read_start<R: Read>(recs: &mut Records<'_, R>, header: HeaderMode) -> Result<Start, ReadError> {
    let source_name = recs.source_name;
    let mut rec = csv::ByteRecord::new();
    let mut pending: Vec<(csv::ByteRecord, u64)> = Vec::new();
    while pending.len() < 2 {
        match recs.next(&mut rec)? {
            Some(line) => pending.push((rec.clone(), line)),
            None => break,
        }
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
    if !use_header {
        return Ok((None, pending));
    }
    let (h, line) = pending.remove(0);
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
    Ok((Some((names, line)), pending))
}

/// Sends one record as a row or a reject. `expected` is the row width (set by the first
/// record when there is no header).
fn emit(
    r: &csv::ByteRecord,
    line: u64,
    expected: &mut Option<usize>,
    summary: &mut CsvRowsSummary,
    on: &mut impl FnMut(CsvEvent<'_>),
) {
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
    // One UTF-8 check for the whole record: if it passes and every field starts and ends on a
    // character boundary, every field is valid UTF-8. Otherwise the check per field below
    // names the bad field.
    if let Ok(all) = std::str::from_utf8(r.as_slice()) {
        for i in 0..r.len() {
            match r.range(i).and_then(|range| all.get(range)) {
                Some(f) => fields.push(f),
                None => break,
            }
        }
        if fields.len() == r.len() {
            summary.rows += 1;
            on(CsvEvent::Row {
                line,
                fields: &fields,
            });
            return;
        }
        fields.clear();
    }
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
}

fn emit_rest<R: Read>(
    recs: &mut Records<'_, R>,
    expected: &mut Option<usize>,
    summary: &mut CsvRowsSummary,
    on: &mut impl FnMut(CsvEvent<'_>),
) -> Result<(), ReadError> {
    let mut rec = csv::ByteRecord::new();
    while let Some(line) = recs.next(&mut rec)? {
        emit(&rec, line, expected, summary, on);
    }
    Ok(())
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
    let r: Box<dyn BufRead> = maybe_gunzip(input).map_err(|err| ReadError::Io {
        source_name: source_name.to_owned(),
        err,
    })?;
    let mut recs = Records::new(r, source_name, 0);
    let (names, pending) = read_start(&mut recs, header)?;
    let mut summary = CsvRowsSummary::default();
    let mut expected = None;
    if let Some((names, _)) = names {
        expected = Some(names.len());
        on(CsvEvent::Header(&names));
        summary.header = Some(names);
    }
    for (r, line) in &pending {
        emit(r, *line, &mut expected, &mut summary, &mut on);
    }
    emit_rest(&mut recs, &mut expected, &mut summary, &mut on)?;
    Ok(summary)
}

/// What the start of a CSV input decides for all of it: the header and the row width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLayout {
    /// The header, when the first record is one.
    pub header: Option<Vec<String>>,
    /// The number of fields every row must have (the header's, else the first record's).
    pub expected: usize,
    /// The line of the first record (the header, or the first row).
    pub first_line: u64,
}

/// Reads just enough of a (not compressed) CSV input to decide its [`CsvLayout`], with the
/// same rules and errors as [`for_each_csv_row`].
pub fn csv_layout<R: Read>(
    input: R,
    source_name: &str,
    header: HeaderMode,
) -> Result<CsvLayout, ReadError> {
    let mut recs = Records::new(input, source_name, 0);
    let (names, pending) = read_start(&mut recs, header)?;
    Ok(match names {
        Some((names, line)) => CsvLayout {
            expected: names.len(),
            header: Some(names),
            first_line: line,
        },
        None => CsvLayout {
            header: None,
            expected: pending[0].0.len(),
            first_line: pending[0].1,
        },
    })
}

/// Reads a block of a CSV file that is not the first ([`csv_blocks`]): no header, rows of
/// `expected` fields, lines counted from `first_line` (the block's first line in the file). An
/// empty block is not an error. `input` must start at a record boundary.
pub fn for_each_csv_block_row<R: Read>(
    input: R,
    source_name: &str,
    first_line: u64,
    expected: usize,
    mut on: impl FnMut(CsvEvent<'_>),
) -> Result<CsvRowsSummary, ReadError> {
    let mut recs = Records::new(input, source_name, first_line.saturating_sub(1));
    let mut summary = CsvRowsSummary::default();
    emit_rest(&mut recs, &mut Some(expected), &mut summary, &mut on)?;
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
    fn lines_are_true_file_lines() {
        // csv's own position().line() says 1, 1, 2 here and 1, 2, 5, 7 below.
        let (seen, _) = collect("a,b\r\nc,d\r\n\r\n\r\ne,f\r\n", HeaderMode::Absent);
        assert_eq!(seen, ["1: a|b", "2: c|d", "5: e|f"]);
        let (seen, _) = collect("1,2\n\n\n3,4\n\"x\ny\",5\n6,7", HeaderMode::Absent);
        assert_eq!(seen, ["1: 1|2", "4: 3|4", "5: x\ny|5", "7: 6|7"]);
        let (seen, _) = collect("a\rb\r\n\"c\r\n\n\"\n\nd\n\"e\n", HeaderMode::Absent);
        assert_eq!(seen, ["1: a", "1: b", "2: c\r\n\n", "6: d", "7: e\n"]);
        // A record longer than csv's buffer.
        let long = "x".repeat(3 * CSV_BUFFER);
        let text = format!("{long},1\n\n\"{long}\n\",2\r\n3,4\n");
        let (seen, _) = collect(&text, HeaderMode::Absent);
        let lines: Vec<&str> = seen.iter().map(|s| s.split(':').next().unwrap()).collect();
        assert_eq!(lines, ["1", "3", "5"]);
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(for_each_csv_row(&b"\n\n"[..], "t.csv", HeaderMode::Auto, |_| {}).is_err());
        assert!(
            for_each_csv_row(&b"a,a\n1,2\n"[..], "t.csv", HeaderMode::Present, |_| {}).is_err()
        );
    }
}
