//! Profiling a window of data capture: list the window's objects, read them (in parallel, in
//! byte ranges for large local objects), decode each capture line into rows and fold them into
//! a mergeable [`WindowProfile`], merged strictly in object order so that the result does not
//! depend on the number of workers.
//!
//! Memory is bounded: a worker does not start object `i` while `i >= next_to_merge + 2 *
//! workers`, so at most `3 * workers` object profiles exist at once (`2 * workers` finished ones
//! waiting in the buffer plus one in progress per worker), each worker reading one block of
//! lines at a time.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;

use driftmon_baseline::capture::{
    comma_fields, format_timestamp_ms, parse_capture_ref, plain_csv_rows, record_rows,
};
use driftmon_baseline::profile::{CellRef, DatasetProfile, Location, Merge};
use driftmon_baseline::read::{is_gzip, maybe_gunzip};
use driftmon_baseline::value::Row;

use super::RunSpec;
use crate::adapters::store::{join, Located, StoreError};
use crate::monitors::RunError;

const HOUR_MS: i64 = 3_600_000;

/// Counters of one object or of the whole window; mergeable.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WindowProfile {
    /// Rows whose width matches the baseline (or named rows).
    pub main: DatasetProfile,
    /// Positional rows of another width, by width: kept apart so that one odd record is
    /// rejected while a window whose records all changed width is checked for missing or extra
    /// columns.
    pub off_width: BTreeMap<usize, OffWidth>,
    /// Capture lines read.
    pub records_read: u64,
    /// Records whose `inferenceTime` lies outside the window.
    pub outside_window: u64,
}

/// Records of an unexpected width.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OffWidth {
    /// Their profile.
    pub profile: DatasetProfile,
    /// How many records.
    pub records: u64,
    /// Where the first few were.
    pub samples: Vec<Location>,
}

/// Widths tracked apart at most; records of further widths are rejected at once.
const MAX_OFF_WIDTHS: usize = 4;

impl Merge for WindowProfile {
    fn merge(&mut self, o: &Self) {
        self.main.merge(&o.main);
        for (w, ow) in &o.off_width {
            let mine = self.off_width.entry(*w).or_default();
            mine.profile.merge(&ow.profile);
            mine.records += ow.records;
            for s in &ow.samples {
                if mine.samples.len() < 5 {
                    mine.samples.push(s.clone());
                }
            }
        }
        self.records_read += o.records_read;
        self.outside_window += o.outside_window;
    }
}

/// A window's capture objects (keys in the capture store), the variants read, and the hour
/// folders without data.
pub type WindowListing = (Vec<String>, Vec<String>, Vec<String>);

/// The capture objects of a window: every `*.jsonl` / `*.jsonl.gz` in the hour folders the
/// window touches, per variant, sorted. Also returns the hour folders that have no object.
pub fn list_window(capture: &Located, spec: &RunSpec) -> Result<WindowListing, RunError> {
    let cap_err = |e: StoreError| RunError::Store(e);
    let ep = capture.key(&spec.endpoint);
    let variants: Vec<String> = match &spec.variant {
        Some(v) => vec![v.clone()],
        None => capture.store.list_dirs(&ep).map_err(cap_err)?,
    };
    let mut files = Vec::new();
    let mut missing = Vec::new();
    let first_hour = spec.start_ms.div_euclid(HOUR_MS);
    let last_hour = (spec.end_ms - 1).div_euclid(HOUR_MS);
    for v in &variants {
        for h in first_hour..=last_hour {
            let ts = format_timestamp_ms(h * HOUR_MS);
            // ts = YYYY-MM-DDTHH:MM:SSZ
            let rel = format!(
                "{v}/{}/{}/{}/{}",
                &ts[0..4],
                &ts[5..7],
                &ts[8..10],
                &ts[11..13]
            );
            let here: Vec<String> = capture
                .store
                .list(&join(&ep, &rel))
                .map_err(cap_err)?
                .into_iter()
                .filter(|k| k.ends_with(".jsonl") || k.ends_with(".jsonl.gz"))
                .collect();
            if here.is_empty() {
                missing.push(rel);
            }
            files.extend(here);
        }
    }
    Ok((files, variants, missing))
}

/// Profiles one capture object. Per-record problems are counted, never fatal; only I/O errors
/// are.
pub fn profile_object<R: std::io::Read>(
    input: R,
    source: &str,
    names: &[String],
    spec: &RunSpec,
) -> std::io::Result<WindowProfile> {
    profile_lines(input, source, names, spec, Lines::All).map(|(wp, _)| wp)
}

/// Which lines of a stream [`profile_lines`] profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Every line (the stream may be gzip).
    All,
    /// A byte range of an uncompressed object, read from the byte before the range: skip the
    /// first (partial) line, then profile the lines that start before `stop` bytes into the
    /// stream. Every line of the object starts in exactly one range.
    Range {
        /// Whether the stream starts one byte before the range (every range but the first).
        skip_partial: bool,
        /// Profile the lines that start before this many bytes of the stream.
        stop: u64,
    },
}

/// Profiles the lines of a capture stream selected by `lines`; also returns how many lines it
/// profiled, for [`shift_lines`]. Locations count lines from 1 at the first profiled line.
pub fn profile_lines<R: std::io::Read>(
    input: R,
    source: &str,
    names: &[String],
    spec: &RunSpec,
    lines: Lines,
) -> std::io::Result<(WindowProfile, u64)> {
    let width = names.len();
    let mut wp = WindowProfile {
        main: DatasetProfile::with_names(names),
        ..Default::default()
    };
    let (r, stop) = match lines {
        Lines::All => (maybe_gunzip(input)?, u64::MAX),
        Lines::Range { stop, .. } => (
            Box::new(std::io::BufReader::new(input)) as Box<dyn BufRead>,
            stop,
        ),
    };
    let mut r = BlockLines::new(r);
    let mut line: u64 = 0;
    let mut consumed: u64 = 0;
    if let Lines::Range {
        skip_partial: true, ..
    } = lines
    {
        consumed += r.next_line()?.map_or(0, |l| l.len() as u64);
    }
    loop {
        if consumed >= stop {
            break;
        }
        let Some(buf) = r.next_line()? else {
            break;
        };
        consumed += buf.len() as u64;
        line += 1;
        if buf.trim_ascii().is_empty() {
            continue;
        }
        wp.records_read += 1;
        let loc = || Location {
            source: source.to_owned(),
            line,
        };
        let rec = match parse_capture_ref(buf.trim_ascii_end()) {
            Ok(r) => r,
            Err(e) => {
                wp.main.rejects.add(loc(), e.kind(), e.to_string());
                continue;
            }
        };
        let Some(t) = rec.inference_time_ms else {
            let why = match &rec.inference_time {
                Some(s) => format!("eventMetadata.inferenceTime {s:?} is not an ISO-8601 time"),
                None => "eventMetadata.inferenceTime is missing".to_owned(),
            };
            wp.main.rejects.add(loc(), "bad_inference_time", why);
            continue;
        };
        if t < spec.start_ms || t >= spec.end_ms {
            wp.outside_window += 1;
            continue;
        }
        // The common case without building rows: plain CSV payloads of the baseline's width.
        let main = &mut wp.main;
        if plain_csv_rows(&rec, &spec.extract, width, |out, inp| {
            let fields = out.into_iter().chain(inp).flat_map(comma_fields);
            main.add_positional(
                fields.map(|f| {
                    if f.is_empty() {
                        CellRef::Null
                    } else {
                        CellRef::Text(f)
                    }
                }),
                &loc,
            );
        }) {
            continue;
        }
        let rec = rec.into_owned();
        let rows = match record_rows(&rec, &spec.extract) {
            Ok(rows) => rows,
            Err(e) => {
                wp.main.rejects.add(loc(), e.kind(), e.to_string());
                continue;
            }
        };
        // A record is one unit: if any of its rows has the wrong width, the record goes apart.
        let odd = rows.iter().find_map(|r| match r {
            Row::Positional(c) if width > 0 && c.len() != width => Some(c.len()),
            _ => None,
        });
        match odd {
            None => {
                for row in &rows {
                    wp.main.add_row(row, &loc);
                }
            }
            Some(w) => {
                if !wp.off_width.contains_key(&w) && wp.off_width.len() >= MAX_OFF_WIDTHS {
                    wp.main.rejects.add(
                        loc(),
                        "wrong_column_count",
                        format!("{w} columns, the baseline has {width}"),
                    );
                    continue;
                }
                let ow = wp.off_width.entry(w).or_insert_with(|| OffWidth {
                    profile: DatasetProfile::with_names(names),
                    ..Default::default()
                });
                ow.records += 1;
                if ow.samples.len() < 5 {
                    ow.samples.push(loc());
                }
                for row in &rows {
                    ow.profile.add_row(row, &loc);
                }
            }
        }
    }
    Ok((wp, line))
}

/// Lines (with their `\n`; the last may lack it) cut out of large blocks read from a stream,
/// without a copy per line. A line longer than the block grows it.
struct BlockLines<R> {
    r: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Where the search for the next `\n` resumes (`start..searched` has none).
    searched: usize,
    eof: bool,
}

impl<R: std::io::Read> BlockLines<R> {
    fn new(r: R) -> Self {
        Self::with_block(r, 1 << 18)
    }

    fn with_block(r: R, block: usize) -> Self {
        BlockLines {
            r,
            buf: vec![0; block.max(1)],
            start: 0,
            end: 0,
            searched: 0,
            eof: false,
        }
    }

    /// The next line; `None` at the end of the stream.
    fn next_line(&mut self) -> std::io::Result<Option<&[u8]>> {
        loop {
            if let Some(k) = memchr::memchr(b'\n', &self.buf[self.searched..self.end]) {
                let s = self.start;
                self.start = self.searched + k + 1;
                self.searched = self.start;
                return Ok(Some(&self.buf[s..self.start]));
            }
            self.searched = self.end;
            if self.eof {
                if self.start < self.end {
                    let s = self.start;
                    self.start = self.end;
                    return Ok(Some(&self.buf[s..self.end]));
                }
                return Ok(None);
            }
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.searched -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = loop {
                match self.r.read(&mut self.buf[self.end..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
            } else {
                self.end += n;
            }
        }
    }
}

/// Adds `by` to the line of every location in a profile (a range's lines counted from the
/// object's first line).
pub fn shift_lines(wp: &mut WindowProfile, by: u64) {
    fn shift_profile(p: &mut DatasetProfile, by: u64) {
        for r in &mut p.rejects.samples {
            r.location.line += by;
        }
        for (_, c) in &mut p.columns {
            if let Some(s) = &mut c.first_non_numeric {
                s.location.line += by;
            }
        }
    }
    if by == 0 {
        return;
    }
    shift_profile(&mut wp.main, by);
    for ow in wp.off_width.values_mut() {
        shift_profile(&mut ow.profile, by);
        for l in &mut ow.samples {
            l.line += by;
        }
    }
}

/// Capture objects larger than this (uncompressed, in a store that knows their size) are
/// profiled as several byte ranges in parallel, merged in order: `k = clamp(⌈size / 4·this⌉, …)`
/// ranges of equal size, at least 4 (so that one object keeps both cores busy) and at most
/// `⌈size / this⌉` (ranges of at least this size: each range costs a few milliseconds of
/// set-up and merging). The ranges depend only on the object's size, so the result does not
/// depend on the number of workers.
pub const RANGE_BYTES: u64 = 4 << 20;

/// How many byte ranges an object of `size` bytes is profiled in (see [`RANGE_BYTES`]).
fn range_count(size: u64, range_bytes: u64) -> u64 {
    let most = size.div_ceil(range_bytes);
    size.div_ceil(4 * range_bytes).max(4).min(most).max(1)
}

/// One unit of [`profile_objects`]' work: an object, or a byte range of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    /// Index into the object list.
    file: usize,
    /// First byte of the range.
    start: u64,
    /// End of the range (exclusive); `None`: the whole object, gzip allowed.
    end: Option<u64>,
}

/// Splits the objects into [`Piece`]s ([`range_count`] equal ranges); objects up to
/// `range_bytes`, gzip ones and those of unknown size are one piece.
fn plan_pieces(capture: &Located, files: &[String], range_bytes: u64) -> Vec<Piece> {
    let range_bytes = range_bytes.max(1);
    let mut out = Vec::new();
    for (i, key) in files.iter().enumerate() {
        let size = capture.store.size(key).filter(|&n| n > range_bytes);
        let plain = size.is_some() && !key.ends_with(".gz") && !starts_gzip(capture, key);
        match size {
            Some(n) if plain => {
                let parts = range_count(n, range_bytes);
                let at = |k: u64| ((u128::from(n) * u128::from(k)) / u128::from(parts)) as u64;
                for k in 0..parts {
                    out.push(Piece {
                        file: i,
                        start: at(k),
                        end: Some(at(k + 1)),
                    });
                }
            }
            _ => out.push(Piece {
                file: i,
                start: 0,
                end: None,
            }),
        }
    }
    out
}

/// Whether an object starts with the gzip magic (such objects are read whole).
fn starts_gzip(capture: &Located, key: &str) -> bool {
    use std::io::Read;
    let mut head = [0u8; 2];
    capture
        .store
        .open(key)
        .and_then(|mut r| {
            r.read_exact(&mut head).map_err(|err| StoreError::Io {
                uri: capture.store.uri(key),
                err,
            })
        })
        .is_ok_and(|()| is_gzip(&head))
}

/// Settles the width question: the majority width's rows are the window's data; records of
/// other widths are rejected (with their locations) as `wrong_column_count`.
pub fn finish(mut wp: WindowProfile, width: usize) -> WindowProfile {
    let main_records = wp.main.item_count;
    let best = wp
        .off_width
        .iter()
        .max_by_key(|(w, ow)| (ow.records, std::cmp::Reverse(**w)))
        .map(|(w, ow)| (*w, ow.records));
    let mut off = std::mem::take(&mut wp.off_width);
    if let Some((w, n)) = best {
        if n > main_records {
            // The window's records changed shape: evaluate that shape, reject the rest.
            if let Some(ow) = off.remove(&w) {
                let rejects = std::mem::take(&mut wp.main.rejects);
                let old_main = std::mem::replace(&mut wp.main, ow.profile);
                wp.main.rejects.merge(&rejects);
                if old_main.item_count > 0 {
                    wp.main.rejects.merge(&old_main.rejects);
                    for _ in 0..old_main.item_count {
                        wp.main.rejects.add(
                            Location {
                                source: "(window)".into(),
                                line: 0,
                            },
                            "wrong_column_count",
                            format!("{width} columns, most records in the window have {w}"),
                        );
                    }
                }
            }
        }
    }
    for (w, ow) in off {
        for s in &ow.samples {
            wp.main.rejects.add(
                s.clone(),
                "wrong_column_count",
                format!("{w} columns, the baseline has {width}"),
            );
        }
        let unsampled = ow.records.saturating_sub(ow.samples.len() as u64);
        if unsampled > 0 {
            wp.main.rejects.total += unsampled;
            *wp.main
                .rejects
                .by_kind
                .entry("wrong_column_count".into())
                .or_insert(0) += unsampled;
        }
    }
    wp
}

/// Profiles the window's objects in parallel, merged in object order, and [`finish`]es.
pub fn profile_window(
    capture: &Located,
    files: &[String],
    names: &[String],
    spec: &RunSpec,
) -> Result<WindowProfile, RunError> {
    profile_objects(capture, files, names, spec).map(|wp| finish(wp, names.len()))
}

/// The worker count a spec asks for (0: one per core).
fn worker_count(spec: &RunSpec) -> usize {
    if spec.workers == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        spec.workers
    }
}

/// Profiles `files` in parallel and merges them in order, without [`finish`]ing. Large
/// uncompressed objects are split into byte ranges ([`RANGE_BYTES`]); a fixed pool of workers
/// pulls piece indices from an atomic counter; a worker does not start piece `i` while
/// `i >= next_to_merge + 2 * workers`. Locations keep the object's true line numbers. The result
/// (and the error reported, the first failing piece in order) does not depend on the number of
/// workers.
pub fn profile_objects(
    capture: &Located,
    files: &[String],
    names: &[String],
    spec: &RunSpec,
) -> Result<WindowProfile, RunError> {
    profile_objects_in_ranges(capture, files, names, spec, RANGE_BYTES)
}

/// [`profile_objects`] with another range size (tests use small ones).
pub fn profile_objects_in_ranges(
    capture: &Located,
    files: &[String],
    names: &[String],
    spec: &RunSpec,
    range_bytes: u64,
) -> Result<WindowProfile, RunError> {
    let pieces = plan_pieces(capture, files, range_bytes);
    let mut total = WindowProfile {
        main: DatasetProfile::with_names(names),
        ..Default::default()
    };
    // Lines of the pieces folded so far that belong to the current object.
    let mut line_base = 0u64;
    let one = |i: usize| -> Result<(WindowProfile, u64), RunError> {
        let piece = &pieces[i];
        let key = &files[piece.file];
        let uri = capture.store.uri(key);
        let (f, lines) = match piece.end {
            None => (capture.store.open(key), Lines::All),
            Some(end) => {
                let from = piece.start.saturating_sub(1);
                let lines = Lines::Range {
                    skip_partial: piece.start > 0,
                    stop: end - from,
                };
                (capture.store.open_at(key, from), lines)
            }
        };
        let f = f.map_err(RunError::Store)?;
        profile_lines(f, &uri, names, spec, lines).map_err(|err| RunError::Capture {
            path: PathBuf::from(&uri),
            err,
        })
    };
    driftmon_baseline::pool::in_order_catching(
        pieces.len(),
        worker_count(spec),
        one,
        |p| RunError::Panic {
            monitor_type: crate::monitors::MonitorType::DataQuality,
            message: format!("reading {}: {}", files[pieces[p.index].file], p.message),
        },
        |i, (mut wp, lines)| {
            if pieces[i].start == 0 {
                line_base = 0;
            }
            shift_lines(&mut wp, line_base);
            line_base += lines;
            total.merge(&wp);
        },
    )?;
    Ok(total)
}

/// What the profiling stage of a run produces: the window's profile before [`finish`] and the
/// listing facts the report needs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProfiledWindow {
    /// The merged profile, not yet [`finish`]ed.
    pub profile: WindowProfile,
    /// Capture objects in the window (all of them, also when only some were profiled).
    pub objects: usize,
    /// Variants read.
    pub variants: Vec<String>,
    /// Hour folders without data.
    pub hours_without_data: Vec<String>,
}

/// Fails on an empty or inverted window.
pub fn check_window(spec: &crate::monitors::WindowSpec) -> Result<(), RunError> {
    if spec.end_ms <= spec.start_ms {
        return Err(RunError::Window(format!(
            "end {} is not after start {}",
            format_timestamp_ms(spec.end_ms),
            format_timestamp_ms(spec.start_ms)
        )));
    }
    Ok(())
}

/// The profiling stage: lists the window in `capture` and profiles the listed objects selected
/// by `select` (given the listing's length, a range of indices into the sorted listing; `0..n`
/// for a plain run). Returns the whole listing and the profile of the selected objects.
pub fn profile_stage(
    capture: &Located,
    names: &[String],
    spec: &RunSpec,
    select: impl FnOnce(usize) -> std::ops::Range<usize>,
) -> Result<(Vec<String>, ProfiledWindow), RunError> {
    let (files, variants, missing_hours) = list_window(capture, spec)?;
    let range = select(files.len());
    let mine = files.get(range).unwrap_or_default();
    let profile = profile_objects(capture, mine, names, spec)?;
    let objects = files.len();
    Ok((
        files,
        ProfiledWindow {
            profile,
            objects,
            variants,
            hours_without_data: missing_hours,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::BlockLines;

    /// A reader that hands out at most `step` bytes per call (as pipes and S3 bodies do).
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn block_lines_cut_every_line_whatever_the_block_and_read_sizes() {
        let texts: [&[u8]; 6] = [
            b"",
            b"\n",
            b"a",
            b"a\nbb\n\nccc",
            b"one line longer than the block\nx\n\n\r\nlast without newline",
            b"\n\n\nabc\n",
        ];
        for text in texts {
            let want: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
            for block in [1, 2, 3, 7, 64] {
                for step in [1, 2, 5, 1000] {
                    let mut r = BlockLines::with_block(Trickle { data: text, step }, block);
                    let mut got: Vec<Vec<u8>> = Vec::new();
                    while let Some(l) = r.next_line().expect("read") {
                        got.push(l.to_vec());
                    }
                    assert_eq!(got, want, "{text:?}, block {block}, step {step}");
                }
            }
        }
    }
}
