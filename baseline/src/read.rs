//! Streaming readers for training datasets: CSV (with or without header) and JSON Lines, gzip
//! transparently. Input is consumed record by record from any `Read`; nothing is loaded whole.
//!
//! Bad records never abort a read and are never dropped silently: each is counted in the
//! profile's [`RejectLog`](crate::profile::RejectLog) with its file and line. Only an input that
//! is unusable as a whole (unreadable, empty, no usable row) is an error.

use std::io::{BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use crate::profile::{CellRef, DatasetProfile, Location, Merge};
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

/// Whether bytes start with the gzip magic `1f 8b`.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Wraps a reader so that gzip input ([`is_gzip`]) is decompressed transparently.
pub fn maybe_gunzip<'a, R: Read + 'a>(r: R) -> std::io::Result<Box<dyn BufRead + 'a>> {
    let mut br = BufReader::with_capacity(256 * 1024, r);
    let head = br.fill_buf()?;
    if is_gzip(head) {
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

/// Adds one CSV event to a profile.
fn add_csv_event(profile: &mut DatasetProfile, source_name: &str, ev: crate::rows::CsvEvent<'_>) {
    use crate::rows::CsvEvent;
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
fn csv_summary(
    s: &crate::rows::CsvRowsSummary,
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

/// Profiles a CSV stream into `profile`. Rows whose field count differs from the header (or the
/// first row) and rows with invalid UTF-8 are rejected with their line; everything else is
/// profiled. The row rules are [`crate::rows::for_each_csv_row`]'s.
pub fn profile_csv<R: Read>(
    input: R,
    source_name: &str,
    header: HeaderMode,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    let s = crate::rows::for_each_csv_row(input, source_name, header, |ev| {
        add_csv_event(profile, source_name, ev)
    })?;
    csv_summary(&s, source_name, profile)
}

/// Positioned reads from a shared source (a file read with `pread`), so that several threads
/// can read their own parts of it at once.
pub trait ReadAt: Sync {
    /// Reads up to `buf.len()` bytes at `offset`; 0 at the end.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize>;
}

impl ReadAt for [u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.len());
        let n = buf.len().min(self.len() - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

#[cfg(unix)]
impl ReadAt for std::fs::File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }
}

#[cfg(windows)]
impl ReadAt for std::fs::File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(self, buf, offset)
    }
}

/// A `Read` over the byte range `[pos, end)` of a [`ReadAt`] source.
pub struct RangeReader<'a, S: ?Sized> {
    src: &'a S,
    pos: u64,
    end: u64,
}

impl<'a, S: ReadAt + ?Sized> RangeReader<'a, S> {
    /// Reads `[start, end)` of `src`.
    pub fn new(src: &'a S, start: u64, end: u64) -> Self {
        RangeReader {
            src,
            pos: start,
            end,
        }
    }
}

impl<S: ReadAt + ?Sized> Read for RangeReader<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = buf.len().min((self.end - self.pos) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = self.src.read_at(&mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// The block size of [`profile_csv_at`]: 8 MiB.
///
/// A CSV file larger than this is profiled as blocks of about this size (each ends at the first
/// record boundary past 8 MiB), in parallel, and the block profiles are merged in file order.
/// The blocks depend only on the file, never on the number of workers, so the result does not
/// either. Every input up to 8 MiB is one block, read exactly as [`profile_csv`] reads it.
///
/// For a larger file the merged profile equals the one-pass profile in every count, sum, mean,
/// minimum and maximum, type count and reject (the first [`MAX_REJECT_SAMPLES`] in file order,
/// with their lines); the standard deviation may differ in the last bits (Chan's pairwise
/// update). The quantiles come from KLL sketches merged the way Deequ merges partitions
/// (`KllSketch::merge`): not bit-identical to a one-pass sketch, but within the same
/// deterministic rank bound (`KllSketch::rank_error_bound`, which accounts for the merged
/// compactions). A String column with more than 1000 distinct values tracks, per block, the
/// first 1000 it sees, so its listed categories may differ from a one-pass read (its distinct
/// estimate does not).
///
/// [`MAX_REJECT_SAMPLES`]: crate::profile::MAX_REJECT_SAMPLES
pub const CSV_BLOCK_SIZE: u64 = 8 << 20;

/// How [`profile_csv_at`] splits and reads a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvParallel {
    /// Worker threads (0: one per core). Does not change the result.
    pub workers: usize,
    /// Block size in bytes ([`CSV_BLOCK_SIZE`]; smaller in tests). Changes the result of a file
    /// larger than one block within the bounds documented at [`CSV_BLOCK_SIZE`].
    pub block_size: u64,
}

impl Default for CsvParallel {
    fn default() -> Self {
        CsvParallel {
            workers: 0,
            block_size: CSV_BLOCK_SIZE,
        }
    }
}

/// One block's profile and summary.
type BlockResult = Result<(DatasetProfile, crate::rows::CsvRowsSummary), ReadError>;

/// Profiles the first `len` bytes of a CSV file (a regular file, read with positioned reads)
/// into `profile`, in parallel blocks: the same rows, rejects, lines and errors as
/// [`profile_csv`] on the same bytes (see [`CSV_BLOCK_SIZE`] for what merging changes).
///
/// One sequential pass ([`crate::rows::csv_blocks`]) finds the block boundaries and lines; the
/// start of the file decides the header and the row width for every block
/// ([`crate::rows::csv_layout`]). Then the blocks are profiled on the workers of
/// [`crate::pool::in_order`] and their profiles merged strictly in block order. Each worker streams its block through a 256 KiB buffer, so memory is a few
/// buffers and at most `3 * workers` block profiles, whatever the file size.
///
/// Gzip input, a file of one block, and a file whose first record is not in its first block are
/// read by [`profile_csv`] on one thread; so is a file whose start [`profile_csv`] would reject
/// (it then reports the error).
pub fn profile_csv_at<S: ReadAt + ?Sized>(
    src: &S,
    len: u64,
    source_name: &str,
    header: HeaderMode,
    par: CsvParallel,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    use crate::rows::{csv_blocks, csv_layout, for_each_csv_block_row, for_each_csv_row};
    let whole = || RangeReader::new(src, 0, len);
    let mut magic = [0u8; 2];
    let gzip = src.read_at(&mut magic, 0).is_ok_and(|n| n == 2) && is_gzip(&magic);
    if gzip || len <= par.block_size {
        return profile_csv(whole(), source_name, header, profile);
    }
    let blocks = csv_blocks(src, len, par.block_size).map_err(|err| ReadError::Io {
        source_name: source_name.to_owned(),
        err,
    })?;
    let layout = match csv_layout(
        BufReader::with_capacity(256 * 1024, whole()),
        source_name,
        header,
    ) {
        Ok(l) if blocks.len() > 1 && l.first_line < blocks[1].first_line => l,
        _ => return profile_csv(whole(), source_name, header, profile),
    };
    let first_mode = if layout.header.is_some() {
        HeaderMode::Present
    } else {
        HeaderMode::Absent
    };
    let names = layout.header.clone().unwrap_or_default();
    let seed = std::sync::Mutex::new(Some(std::mem::take(profile)));
    let one = |i: usize| -> BlockResult {
        let b = blocks[i];
        let input = BufReader::with_capacity(256 * 1024, RangeReader::new(src, b.start, b.end));
        if i == 0 {
            let mut p = seed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .unwrap_or_default();
            let s = for_each_csv_row(input, source_name, first_mode, |ev| {
                add_csv_event(&mut p, source_name, ev)
            })?;
            Ok((p, s))
        } else {
            let mut p = DatasetProfile::with_names(&names);
            let s =
                for_each_csv_block_row(input, source_name, b.first_line, layout.expected, |ev| {
                    add_csv_event(&mut p, source_name, ev)
                })?;
            Ok((p, s))
        }
    };
    let workers = if par.workers == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        par.workers
    };
    let (merged, s) = in_order(blocks.len(), workers, one)?;
    *profile = merged;
    csv_summary(&s, source_name, profile)
}

/// Runs `one(0..n)` on a pool of `workers` threads ([`crate::pool::in_order_catching`]) and
/// merges the results strictly in index order; the first error in index order wins, and a
/// panicking block is an I/O error carrying the block and the panic's message.
fn in_order(
    n: usize,
    workers: usize,
    one: impl Fn(usize) -> BlockResult + Sync,
) -> Result<(DatasetProfile, crate::rows::CsvRowsSummary), ReadError> {
    let mut total: Option<(DatasetProfile, crate::rows::CsvRowsSummary)> = None;
    crate::pool::in_order_catching(
        n,
        workers,
        one,
        |p| ReadError::Io {
            source_name: String::new(),
            err: std::io::Error::other(format!(
                "a worker panicked on block {}: {}",
                p.index, p.message
            )),
        },
        |_, (p, s)| match &mut total {
            None => total = Some((p, s)),
            Some((tp, ts)) => {
                tp.merge(&p);
                ts.records += s.records;
                ts.rows += s.rows;
                ts.rejected += s.rejected;
            }
        },
    )?;
    total.ok_or_else(|| ReadError::Empty {
        source_name: String::new(),
        detail: String::new(),
    })
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

    /// A CSV of `rows` rows meant to be cut into many blocks: LF and CRLF regions, blank lines
    /// (some runs of three), quoted fields holding newlines, commas and `""`, a quote inside an
    /// unquoted field, ragged rows, invalid UTF-8 and non-numeric values in a numeric column.
    /// Returns the bytes and the true line of every rejected record, in order.
    fn tricky_csv(rows: u64) -> (Vec<u8>, Vec<(u64, &'static str)>) {
        let mut out = b"id,x,cat,note\n".to_vec();
        let mut rejects = Vec::new();
        let line_now = |out: &Vec<u8>| out.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        for i in 0..rows {
            let eol: &[u8] = if (i / 40) % 2 == 1 { b"\r\n" } else { b"\n" };
            if i % 7 == 3 {
                for _ in 0..(1 + 2 * (i % 2)) {
                    out.extend_from_slice(eol);
                }
            }
            let line = line_now(&out);
            if i % 97 == 13 {
                out.extend_from_slice(format!("{i},1.5,short").as_bytes());
                out.extend_from_slice(eol);
                rejects.push((line, "ragged_row"));
                continue;
            }
            if i % 89 == 7 {
                out.extend_from_slice(format!("{i},2.5,").as_bytes());
                out.extend_from_slice(&[0xff, 0xfe]);
                out.extend_from_slice(b",\"x\ny\"");
                out.extend_from_slice(eol);
                rejects.push((line, "invalid_utf8"));
                continue;
            }
            let x = match i % 11 {
                0 => String::new(),
                5 if i % 3 == 0 => "bad".to_owned(),
                _ => format!("{}", (i as f64) * 0.37 - 100.0),
            };
            let cat = match i % 4 {
                0 => "\"c\"\"q\"\"\"".to_owned(),
                1 => "c1".to_owned(),
                2 => "\"c,2\"".to_owned(),
                _ => "5\"in".to_owned(),
            };
            let note = match i % 5 {
                0 => format!("\"multi\nline \"\"q\"\" {}\"", i % 3),
                1 => format!("\"a,\r\nb{}\"", i % 2),
                _ => format!("n{}", i % 4),
            };
            out.extend_from_slice(format!("{i},{x},{cat},{note}").as_bytes());
            out.extend_from_slice(eol);
        }
        (out, rejects)
    }

    fn assert_same_profile(a: &DatasetProfile, b: &DatasetProfile, what: &str) {
        assert_eq!(a.item_count, b.item_count, "{what}: item_count");
        assert_eq!(a.rejects, b.rejects, "{what}: rejects");
        let names = |p: &DatasetProfile| p.columns.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
        assert_eq!(names(a), names(b), "{what}: columns");
        for ((name, x), (_, y)) in a.columns.iter().zip(&b.columns) {
            assert_eq!(x.types, y.types, "{what}: {name} types");
            assert_eq!(x.moments.n, y.moments.n, "{what}: {name} n");
            assert_eq!(
                x.moments.sum.value(),
                y.moments.sum.value(),
                "{what}: {name} sum"
            );
            assert_eq!(x.moments.mean(), y.moments.mean(), "{what}: {name} mean");
            assert_eq!(x.moments.min, y.moments.min, "{what}: {name} min");
            assert_eq!(x.moments.max, y.moments.max, "{what}: {name} max");
            // A column with more than 1000 distinct values tracks a different 1000 (see
            // CSV_BLOCK_SIZE); the values counted are the same.
            let (cx, cy) = (&x.categories, &y.categories);
            assert_eq!(cx.overflowed, cy.overflowed, "{what}: {name} overflowed");
            if cx.overflowed {
                let all =
                    |c: &crate::profile::Categories| c.counts.values().sum::<u64>() + c.untracked;
                assert_eq!(all(cx), all(cy), "{what}: {name} values counted");
            } else {
                assert!(cx.counts == cy.counts, "{what}: {name} categories differ");
                assert_eq!(cx.untracked, cy.untracked, "{what}: {name} untracked");
            }
            assert_eq!(x.categories.hll, y.categories.hll, "{what}: {name} hll");
            assert_eq!(x.first_non_numeric, y.first_non_numeric, "{what}: {name}");
            assert_eq!(x.kll.count(), y.kll.count(), "{what}: {name} kll count");
        }
    }

    fn par(workers: usize, block_size: u64) -> CsvParallel {
        CsvParallel {
            workers,
            block_size,
        }
    }

    #[test]
    fn csv_blocks_equal_one_pass() {
        use crate::rows::csv_blocks;
        let (data, truth) = tricky_csv(3000);
        let mut one = DatasetProfile::default();
        let s1 = profile_csv(&data[..], "t.csv", HeaderMode::Auto, &mut one).unwrap();
        assert!(s1.header);
        assert_eq!(s1.rejected, truth.len() as u64);
        assert_eq!(one.rejects.total, truth.len() as u64);
        let lines: Vec<(u64, &str)> = one
            .rejects
            .samples
            .iter()
            .map(|r| (r.location.line, r.kind.as_str()))
            .collect();
        assert_eq!(lines, truth[..lines.len()], "true lines of the rejects");
        let mut all = Vec::new();
        crate::rows::for_each_csv_row(&data[..], "t.csv", HeaderMode::Auto, |ev| {
            if let crate::rows::CsvEvent::Reject { line, kind, .. } = ev {
                all.push((line, kind));
            }
        })
        .unwrap();
        assert_eq!(all, truth, "true lines of all rejects");
        let bad = one.column("x").unwrap().first_non_numeric.as_ref().unwrap();
        assert_eq!(bad.value, "bad");
        let (mut blank_starts, mut quoted_skips) = (0, 0);
        for block_size in [97, 256, 1000, 1500, 4096, 10_000] {
            let blocks = csv_blocks(&data[..], data.len() as u64, block_size).unwrap();
            assert!(blocks.len() > 1, "{block_size}");
            for (b, next) in blocks.iter().zip(&blocks[1..]) {
                assert_eq!(b.end, next.start);
                let lines = data[..next.start as usize].iter().filter(|&&c| c == b'\n');
                assert_eq!(next.first_line, lines.count() as u64 + 1);
                let rest = &data[next.start as usize..];
                blank_starts += usize::from(rest.starts_with(b"\n") || rest.starts_with(b"\r\n"));
                let target = (b.start + block_size - 1) as usize;
                let first_nl = target + memchr::memchr(b'\n', &data[target..]).unwrap();
                quoted_skips += usize::from(first_nl as u64 + 1 != b.end);
            }
            for workers in [1, 2, 3] {
                let mut p = DatasetProfile::default();
                let s = profile_csv_at(
                    &data[..],
                    data.len() as u64,
                    "t.csv",
                    HeaderMode::Auto,
                    par(workers, block_size),
                    &mut p,
                )
                .unwrap();
                assert_eq!(s, s1, "summary, block size {block_size}");
                assert_same_profile(&p, &one, &format!("block size {block_size}"));
            }
        }
        assert!(blank_starts > 0, "no block started with a blank line");
        assert!(
            quoted_skips > 0,
            "no block target fell inside a quoted field"
        );
    }

    #[test]
    fn csv_blocks_chunk_size_does_not_matter() {
        use crate::rows::csv_blocks_chunked;
        let (data, _) = tricky_csv(400);
        let len = data.len() as u64;
        let want = csv_blocks_chunked(&data[..], len, 300, 1 << 20).unwrap();
        for chunk in [1, 2, 3, 5, 64, 1000] {
            assert_eq!(
                csv_blocks_chunked(&data[..], len, 300, chunk).unwrap(),
                want
            );
        }
    }

    /// Numeric data large enough for every block's sketch to compact.
    fn numeric_csv(rows: u64) -> Vec<u8> {
        let mut out = b"a,b,s\n".to_vec();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..rows {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let a = (x % 1_000_000) as f64 / 1000.0;
            let b = ((x >> 20) % 1000) as i64 - 500 + (i as i64 % 7);
            out.extend_from_slice(format!("{a},{b},s{}\n", (x >> 40) % 1500).as_bytes());
        }
        out
    }

    fn files(p: &DatasetProfile) -> (String, String) {
        let st = crate::files::to_jackson(&crate::suggest::statistics(p)).unwrap();
        let co = crate::files::to_jackson(&crate::suggest::constraints(p)).unwrap();
        (st, co)
    }

    #[test]
    fn block_result_does_not_depend_on_workers() {
        for (data, block_size) in [(numeric_csv(60_000), 64 * 1024), (tricky_csv(3000).0, 1000)] {
            let len = data.len() as u64;
            let run = |workers| {
                let mut p = DatasetProfile::default();
                let s = profile_csv_at(
                    &data[..],
                    len,
                    "t.csv",
                    HeaderMode::Auto,
                    par(workers, block_size),
                    &mut p,
                )
                .unwrap();
                (s, files(&p), p)
            };
            let (s1, f1, p1) = run(1);
            assert!(
                crate::rows::csv_blocks(&data[..], len, block_size)
                    .unwrap()
                    .len()
                    > 3
            );
            for workers in [2, 3, 0] {
                let (s, f, p) = run(workers);
                assert_eq!(s, s1);
                assert!(
                    f == f1,
                    "statistics/constraints differ with {workers} workers"
                );
                assert_eq!(p, p1);
            }
        }
    }

    #[test]
    fn merged_kll_is_within_its_rank_bound() {
        let rows = 300_000;
        let data = numeric_csv(rows);
        let mut p = DatasetProfile::default();
        profile_csv_at(
            &data[..],
            data.len() as u64,
            "t.csv",
            HeaderMode::Present,
            par(2, 64 * 1024),
            &mut p,
        )
        .unwrap();
        let mut one = DatasetProfile::default();
        profile_csv(&data[..], "t.csv", HeaderMode::Present, &mut one).unwrap();
        assert_same_profile(&p, &one, "kll data");
        let text = std::str::from_utf8(&data).unwrap();
        for (c, name) in ["a", "b"].iter().enumerate() {
            let mut sorted: Vec<f64> = text
                .lines()
                .skip(1)
                .map(|l| l.split(',').nth(c).unwrap().parse().unwrap())
                .collect();
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len() as u64;
            let kll = &p.column(name).unwrap().kll;
            assert_eq!(kll.count(), n);
            let e = kll.rank_error_weight();
            eprintln!(
                "{name}: merged rank bound {:.2e}, one pass {:.2e}",
                kll.rank_error_bound(),
                one.column(name).unwrap().kll.rank_error_bound()
            );
            assert!(e > 0 && kll.rank_error_bound() < 0.02, "{name}: bound {e}");
            for i in 0..=100 {
                let q = i as f64 / 100.0;
                let target = ((q * n as f64).ceil() as u64).clamp(1, n);
                let v = kll.quantile(q).unwrap();
                let lt = sorted.partition_point(|&y| y < v) as u64;
                let le = sorted.partition_point(|&y| y <= v) as u64;
                assert!(
                    lt < target + e,
                    "{name} q{q}: {v} has rank {lt}, target {target} ± {e}"
                );
                assert!(
                    le + e >= target,
                    "{name} q{q}: {v} has rank {le}, target {target} ± {e}"
                );
            }
        }
    }

    /// A file whose reads fail when they start at or past `from` (byte 0 always reads: the
    /// scan reads a small file in one chunk from 0, so only the block readers see the error).
    struct FailFrom {
        data: Vec<u8>,
        from: u64,
    }

    impl ReadAt for FailFrom {
        fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
            if offset > 0 && offset >= self.from {
                return Err(std::io::Error::other("bad sector"));
            }
            self.data[..].read_at(buf, offset)
        }
    }

    #[test]
    fn error_in_a_later_block_is_reported() {
        let data = numeric_csv(40_000);
        let len = data.len() as u64;
        assert!(len > 300_000 && len < 1 << 20, "{len}");
        let src = FailFrom {
            data,
            from: 300_000,
        };
        let mut one = DatasetProfile::default();
        let e1 = profile_csv(
            RangeReader::new(&src, 0, len),
            "t.csv",
            HeaderMode::Auto,
            &mut one,
        )
        .unwrap_err();
        for workers in [1, 2, 3] {
            let mut p = DatasetProfile::default();
            let e = profile_csv_at(
                &src,
                len,
                "t.csv",
                HeaderMode::Auto,
                par(workers, 16 * 1024),
                &mut p,
            )
            .unwrap_err();
            assert!(matches!(e, ReadError::Io { .. }), "{e}");
            assert_eq!(e.to_string(), e1.to_string());
            assert_eq!(e.to_string(), "t.csv: read error: bad sector");
        }
    }

    #[test]
    fn blocks_fall_back_for_gzip_small_and_empty_inputs() {
        use std::io::Write;
        let (data, _) = tricky_csv(300);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&data).unwrap();
        let gz = enc.finish().unwrap();
        let mut one = DatasetProfile::default();
        let s1 = profile_csv(&data[..], "t.csv", HeaderMode::Auto, &mut one).unwrap();
        for input in [&gz[..], &data[..]] {
            for block_size in [64, CSV_BLOCK_SIZE] {
                let mut p = DatasetProfile::default();
                let s = profile_csv_at(
                    input,
                    input.len() as u64,
                    "t.csv",
                    HeaderMode::Auto,
                    par(2, block_size),
                    &mut p,
                )
                .unwrap();
                assert_eq!(s, s1);
                assert_same_profile(&p, &one, "fallback");
            }
        }
        // Blank lines, then a header only: the same errors as one pass.
        for text in [
            "\n\n\n\n\n\n\n\n\n\n\n\n",
            "a,b\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n",
            "a,b\n\n\n\n\n\n\n\n\n\n\n1,x\n",
        ] {
            let bytes = text.as_bytes();
            let mut one = DatasetProfile::default();
            let r1 = profile_csv(bytes, "t.csv", HeaderMode::Present, &mut one);
            let mut p = DatasetProfile::default();
            let r = profile_csv_at(
                bytes,
                bytes.len() as u64,
                "t.csv",
                HeaderMode::Present,
                par(2, 3),
                &mut p,
            );
            match (r1, r) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b);
                    assert_same_profile(&p, &one, text);
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{text:?}: {a:?} vs {b:?}"),
            }
        }
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

    #[test]
    fn capture_with_invalid_json_payloads_counts_every_record() {
        let line = |data: &str| {
            format!(
                "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"application/jsonlines\",\"mode\":\"INPUT\",\"data\":{},\"encoding\":\"JSON\"}}}}}}\n",
                serde_json::to_string(data).unwrap()
            )
        };
        let payloads = [
            "{\"a\":1}",         // 1: one row
            "01",                // 2: rejected (was two rows 0 and 1)
            "{\"a\":1",          // 3: rejected
            "{\"a\":2}\n{\"a\":3}", // 4: two rows
            "[1,2]]",            // 5: rejected
            "tru",               // 6: rejected
            "{\"a\":4} garbage", // 7: rejected
            "-0",                // 8: one row
        ];
        let input: String = payloads.iter().map(|p| line(p)).collect();
        let mut p = DatasetProfile::default();
        let s = profile_capture(input.as_bytes(), "c.jsonl", &mut p).unwrap();
        assert_eq!((s.records, s.rows, s.rejected), (8, 4, 5));
        let with_rows = 3;
        assert_eq!(s.records, with_rows + s.rejected, "read = profiled + rejected");
        assert_eq!(p.rejects.total, 5);
        assert_eq!(p.rejects.by_kind.get("malformed_json"), Some(&5));
        let lines: Vec<u64> = p.rejects.samples.iter().map(|r| r.location.line).collect();
        assert_eq!(lines, vec![2, 3, 5, 6, 7]);
        assert!(p.rejects.samples.iter().all(|r| r.location.source == "c.jsonl"));
    }
}

