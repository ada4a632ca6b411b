//! Parquet training data, read with polars' Parquet decoder in bounded batches.
//!
//! # How the file is read
//!
//! polars 0.55 has no synchronous batched Parquet reader any more: `ParquetReader::finish`
//! materialises the whole file as one `DataFrame` (and, for a reader that is neither a `File`
//! nor a `Cursor`, first copies the whole file into memory with `read_to_end`), and the
//! streaming source lives in the async `polars-stream` engine. So this module drives polars'
//! own decoder at the level `polars-io` itself uses, one row group at a time:
//!
//! 1. the footer is read with `polars_parquet::read::read_metadata` and the Arrow schema inferred
//!    with `polars_parquet::read::infer_schema` (which honours the `ARROW:schema` key written by
//!    polars and pyarrow, so categoricals and time zones come back as written);
//! 2. for each row group, the compressed bytes of its column chunks are read (one `seek` and one
//!    `read_exact` each, after checking the byte range lies inside the file), and their page
//!    headers are checked (value counts and sizes: a corrupt count would otherwise make polars'
//!    decoder attempt an allocation that aborts the process);
//! 3. the row group is decoded in windows of about [`TARGET_BATCH_BYTES`] of decoded data
//!    (estimated from the row group's own size statistics; a small row group is one window):
//!    `polars_parquet::read::column_iter_to_arrays` with a row-range `Filter` decodes only the
//!    pages that overlap the window;
//! 4. each flat column's arrays become a polars `Series`, iterated as [`AnyValue`]s and mapped to
//!    [`CellRef`]s; nested columns (list, struct, map) are never turned into a `Series`: only
//!    their validity is read, and a row holding a non-null nested value is rejected.
//!
//! Memory is thus bounded by one row group's compressed bytes plus one decoded window, whatever
//! the file size. Everything is synchronous: no async runtime, no thread pool of ours (polars may
//! still use its rayon pool internally). Panics inside polars on corrupt input are caught and
//! reported as errors (this needs `panic = "unwind"`, the default).
//!
//! # Value mapping
//!
//! | Parquet / Arrow type | cell |
//! | --- | --- |
//! | null | `Null` |
//! | int8–64, uint8–32, uint64 ≤ `i64::MAX` | `Int` (larger uint64 → `Float`) |
//! | float32 (widened exactly), float64 | `Float`; NaN → `Null` |
//! | decimal | scale 0 and fits i64 → `Int`, else `Float` (parsed from its exact decimal text) |
//! | boolean | `Bool` |
//! | string, dictionary of strings (polars categorical or enum, pandas category) | `Str` |
//! | binary | `Str` when valid UTF-8, else the row is rejected (`invalid_utf8`) |
//! | date | `Str` `YYYY-MM-DD` |
//! | timestamp | `Str` `YYYY-MM-DD HH:MM:SS[.fff]`; with a time zone, the UTC instant and ` UTC` |
//! | time | `Str` `HH:MM:SS[.fff]` |
//! | list, struct, map | null → `Null`; any other value rejects the row (`nested_value`) |
//!
//! Other types (durations, intervals stored as anything but fixed-size binary, extension types,
//! dictionaries of non-strings, 128-bit integers) make the whole file an error naming the column.
//! Rows are numbered from 1 in file order; a reject's location line is that row number.

use std::io::{Cursor, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};

use polars_arrow::array::Array;
use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, Field as ArrowField};
use polars_buffer::Buffer;
use polars_core::prelude::{AnyValue, Series, TimeUnit};
use polars_core::series::SeriesIter;
use polars_parquet::parquet::page::CompressedPage;
use polars_parquet::read::{
    column_iter_to_arrays, infer_schema, read_metadata, BasicDecompressor, ColumnChunkMetadata,
    Filter, PageReader, RowGroupMetadata,
};

use super::source::{all_rejected, ReadError, ReadSummary};
use crate::profile::{CellRef, DatasetProfile, Location};
use crate::time::push_date;

/// Decoded bytes of one row group held at a time: a larger row group is decoded in row windows
/// of about this size (estimated from its own size statistics), so peak memory does not grow
/// with the row-group size chosen by the writer.
pub const TARGET_BATCH_BYTES: usize = 64 << 20;

/// Fewest rows decoded in one window (bounds the per-window overhead on very wide rows).
const MIN_BATCH_ROWS: usize = 4096;

/// Largest page accepted, compressed or not (polars' own reader has no limit; a corrupt header
/// could otherwise ask for a huge allocation).
const MAX_PAGE_BYTES: usize = 512 << 20;

/// How a column is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Becomes a polars `Series` and is read as `AnyValue`s.
    Flat,
    /// List, struct or map: only validity is read.
    Nested,
}

/// The decoding kind of an Arrow type, or `None` when it is not supported.
fn kind_of(dt: &ArrowDataType) -> Option<Kind> {
    use ArrowDataType as D;
    match dt {
        D::Null
        | D::Boolean
        | D::Int8
        | D::Int16
        | D::Int32
        | D::Int64
        | D::UInt8
        | D::UInt16
        | D::UInt32
        | D::UInt64
        | D::Float32
        | D::Float64
        | D::Utf8
        | D::LargeUtf8
        | D::Utf8View
        | D::Binary
        | D::LargeBinary
        | D::BinaryView
        | D::FixedSizeBinary(_)
        | D::Date32
        | D::Date64
        | D::Timestamp(_, _)
        | D::Time32(_)
        | D::Time64(_)
        | D::Decimal(_, _)
        | D::Decimal32(_, _)
        | D::Decimal64(_, _) => Some(Kind::Flat),
        D::Dictionary(_, values, _) if matches!(**values, D::Utf8 | D::LargeUtf8 | D::Utf8View) => {
            Some(Kind::Flat)
        }
        D::List(_) | D::LargeList(_) | D::FixedSizeList(_, _) | D::Struct(_) | D::Map(_, _) => {
            Some(Kind::Nested)
        }
        _ => None,
    }
}

/// The field a column is decoded as: a dictionary of strings (a polars categorical or enum, a
/// pandas category) is decoded straight to plain strings, so no polars categorical (and no
/// entry in polars' process-wide string cache, which never shrinks) is ever created.
fn decode_field(field: &ArrowField) -> ArrowField {
    match field.dtype() {
        ArrowDataType::Dictionary(..) => ArrowField::new(
            field.name.clone(),
            ArrowDataType::Utf8View,
            field.is_nullable,
        ),
        _ => field.clone(),
    }
}

/// One column of one decoded window.
enum ColData {
    /// A flat column as a polars `Series`.
    Flat(Series),
    /// A nested column's Arrow arrays (only their validity is used).
    Nested(Vec<Box<dyn Array>>),
    /// The column is absent from this row group: all nulls.
    Absent,
}

/// One value of one row, before it becomes a cell.
enum Val<'a> {
    /// A flat value.
    Any(AnyValue<'a>),
    /// A nested value: `true` when null.
    Nested(bool),
    /// An absent column's null.
    Absent,
}

/// Iterates one column of a window.
enum ColIter<'a> {
    /// Over a flat column.
    Flat(SeriesIter<'a>),
    /// Over a nested column's arrays: (arrays, array index, index in array).
    Nested(&'a [Box<dyn Array>], usize, usize),
    /// Nulls forever (the caller bounds the count).
    Absent,
}

impl<'a> Iterator for ColIter<'a> {
    type Item = Val<'a>;

    fn next(&mut self) -> Option<Val<'a>> {
        match self {
            ColIter::Flat(it) => it.next().map(Val::Any),
            ColIter::Nested(arrays, chunk, idx) => loop {
                let arr = arrays.get(*chunk)?;
                if *idx < arr.len() {
                    let null = arr.is_null(*idx);
                    *idx += 1;
                    return Some(Val::Nested(null));
                }
                *chunk += 1;
                *idx = 0;
            },
            ColIter::Absent => Some(Val::Absent),
        }
    }
}

/// A cell of the current row: borrowed from the decoded data, or formatted here.
enum Slot<'a> {
    /// Borrowed (or copied) as is.
    Cell(CellRef<'a>),
    /// A typed string formatted here (dates, times, owned strings).
    Owned(String),
}

impl Slot<'_> {
    fn cell(&self) -> CellRef<'_> {
        match self {
            Slot::Cell(c) => *c,
            Slot::Owned(s) => CellRef::Str(s),
        }
    }
}

/// Why a row is rejected: (kind, message).
type Rejection = (&'static str, String);

/// Profiles a Parquet file into `profile`, one row group (or bounded window of one) at a time.
///
/// The positional column names are set from the file's schema (top-level fields, in order).
/// Rows holding a non-null nested value (list, struct, map) are rejected with kind
/// `nested_value`, rows holding non-UTF-8 binary with kind `invalid_utf8`; their location line
/// is the 1-based row number. See the module documentation for the full value mapping.
///
/// Errors: [`ReadError::Io`] when the input cannot be read or is not valid Parquet (including
/// corrupt pages, and any panic inside polars' decoder, which is caught);
/// [`ReadError::Header`] when the schema has no columns or a column of an unsupported type;
/// [`ReadError::Empty`] when the file holds no row, or every row was rejected. As with the CSV
/// reader, an error met after the first row group leaves the rows already read in `profile`.
/// A panic caught inside polars is still reported on stderr by the process's panic hook.
///
/// The summary's `header` is `true`: column names always come from the schema.
pub fn profile_parquet<R: Read + Seek + Send + Sync + 'static>(
    mut input: R,
    source_name: &str,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, ReadError> {
    let io_err = |msg: String| ReadError::Io {
        source_name: source_name.to_owned(),
        err: std::io::Error::other(msg),
    };
    let header_err = |detail: String| ReadError::Header {
        source_name: source_name.to_owned(),
        detail,
    };
    let file_len = input.seek(SeekFrom::End(0)).map_err(|err| ReadError::Io {
        source_name: source_name.to_owned(),
        err,
    })?;
    let (metadata, schema) = guarded(|| {
        let metadata = read_metadata(&mut input).map_err(|e| format!("not a Parquet file: {e}"))?;
        let schema =
            infer_schema(&metadata).map_err(|e| format!("unusable Parquet schema: {e}"))?;
        Ok((metadata, schema))
    })
    .map_err(io_err)?;

    let mut names = Vec::with_capacity(schema.len());
    let mut kinds = Vec::with_capacity(schema.len());
    for (name, field) in schema.iter() {
        let kind = kind_of(field.dtype()).ok_or_else(|| {
            header_err(format!(
                "column {:?} has Parquet/Arrow type {:?}, which cannot be profiled",
                name.as_str(),
                field.dtype()
            ))
        })?;
        names.push(name.to_string());
        kinds.push(kind);
    }
    if names.is_empty() {
        return Err(header_err("the Parquet schema has no columns".to_owned()));
    }
    profile.set_positional_names(&names);

    let mut summary = ReadSummary {
        header: true,
        ..ReadSummary::default()
    };
    let mut rows_before: u64 = 0;
    for rg in &metadata.row_groups {
        let n = rg.num_rows();
        if n == 0 {
            continue;
        }
        let chunks = read_row_group(&mut input, rg, &schema, file_len).map_err(io_err)?;
        let window = window_rows(rg);
        let mut start = 0;
        while start < n {
            let end = n.min(start.saturating_add(window));
            let cols =
                guarded(|| decode_window(&schema, &kinds, &chunks, start, end)).map_err(io_err)?;
            feed_window(
                &cols,
                &names,
                end - start,
                rows_before + start as u64,
                source_name,
                profile,
                &mut summary,
            )
            .map_err(io_err)?;
            start = end;
        }
        rows_before += n as u64;
    }

    if summary.rows == 0 {
        return Err(all_rejected(source_name, summary.records, "rows", profile));
    }
    Ok(summary)
}

/// Runs a polars call, turning both its errors and its panics into a message.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(format!("invalid Parquet data (decoder panicked: {what})"))
        }
    }
}

/// Rows per decoding window for a row group: all of it when its estimated decoded size is at
/// most [`TARGET_BATCH_BYTES`], else proportionally fewer (at least [`MIN_BATCH_ROWS`]).
///
/// The estimate is the row group's uncompressed size plus 16 bytes per row and leaf column: a
/// dictionary-encoded string column decodes to 16-byte views per row, far more than its
/// uncompressed Parquet size (the dictionary indices) suggests.
fn window_rows(rg: &RowGroupMetadata) -> usize {
    let n = rg.num_rows();
    if n <= MIN_BATCH_ROWS {
        return n.max(1);
    }
    let per_row = (rg.total_byte_size() / n).saturating_add(16 * rg.n_columns().max(1));
    (TARGET_BATCH_BYTES / per_row).clamp(MIN_BATCH_ROWS, n)
}

/// The compressed column chunks of one row group, per schema field (several for a nested
/// field; `None` when the field is absent from the row group).
type RowGroupChunks<'m> = Vec<Option<Vec<(&'m ColumnChunkMetadata, Buffer<u8>)>>>;

/// Reads the compressed bytes of every column chunk of a row group.
fn read_row_group<'m, R: Read + Seek>(
    input: &mut R,
    rg: &'m RowGroupMetadata,
    schema: &ArrowSchema,
    file_len: u64,
) -> Result<RowGroupChunks<'m>, String> {
    let mut out = Vec::with_capacity(schema.len());
    for (name, _) in schema.iter() {
        let Some(iter) = rg.columns_under_root_iter(name) else {
            out.push(None);
            continue;
        };
        let mut parts = Vec::new();
        for meta in iter {
            let range = meta.byte_range();
            if range.start > range.end || range.end > file_len {
                return Err(format!(
                    "column chunk of {:?} at bytes {}..{} lies outside the file ({file_len} bytes)",
                    name.as_str(),
                    range.start,
                    range.end
                ));
            }
            let len = usize::try_from(range.end - range.start)
                .map_err(|_| "column chunk too large for this platform".to_owned())?;
            let mut buf = Vec::new();
            buf.try_reserve_exact(len)
                .map_err(|e| format!("cannot allocate a {len}-byte column chunk: {e}"))?;
            buf.resize(len, 0);
            input
                .seek(SeekFrom::Start(range.start))
                .and_then(|_| input.read_exact(&mut buf))
                .map_err(|e| format!("reading column {:?}: {e}", name.as_str()))?;
            let bytes = Buffer::from_vec(buf);
            check_pages(meta, &bytes).map_err(|e| format!("column {:?}: {e}", name.as_str()))?;
            parts.push((meta, bytes));
        }
        out.push(Some(parts));
    }
    Ok(out)
}

/// Walks a column chunk's page headers (no decompression) and checks what polars' decoder
/// trusts blindly: a data page's value count (a negative count wraps to a huge `usize`, and the
/// decoder's allocation for it aborts the process) and its uncompressed size.
///
/// Dictionary pages are not checked: polars exposes no accessor for their header fields.
fn check_pages(meta: &ColumnChunkMetadata, bytes: &Buffer<u8>) -> Result<(), String> {
    let total = u64::try_from(meta.num_values())
        .map_err(|_| format!("negative value count {}", meta.num_values()))?;
    let mut seen: u64 = 0;
    let pages = PageReader::new(Cursor::new(bytes.clone()), meta, vec![], MAX_PAGE_BYTES);
    for page in pages {
        let page = page.map_err(|e| format!("bad page header: {e}"))?;
        if let CompressedPage::Data(p) = page {
            let n = p.num_values() as u64;
            if n > total - seen {
                return Err(format!(
                    "a page claims {n} values, more than the {} left of the chunk's {total}",
                    total - seen
                ));
            }
            if p.uncompressed_size() > MAX_PAGE_BYTES {
                return Err(format!(
                    "a page claims {} uncompressed bytes (limit {MAX_PAGE_BYTES})",
                    p.uncompressed_size()
                ));
            }
            seen += n;
        }
    }
    Ok(())
}

/// Decodes rows `start..end` of a row group, one [`ColData`] per schema field.
fn decode_window(
    schema: &ArrowSchema,
    kinds: &[Kind],
    chunks: &RowGroupChunks<'_>,
    start: usize,
    end: usize,
) -> Result<Vec<ColData>, String> {
    let len = end - start;
    let mut cols = Vec::with_capacity(kinds.len());
    for (((name, field), kind), parts) in schema.iter().zip(kinds).zip(chunks) {
        let Some(parts) = parts else {
            cols.push(ColData::Absent);
            continue;
        };
        let (decompressors, types): (Vec<_>, Vec<_>) = parts
            .iter()
            .map(|(meta, bytes)| {
                let pages =
                    PageReader::new(Cursor::new(bytes.clone()), meta, vec![], MAX_PAGE_BYTES);
                (
                    BasicDecompressor::new(pages, vec![]),
                    &meta.descriptor().descriptor.primitive_type,
                )
            })
            .unzip();
        let (arrays, _) = column_iter_to_arrays(
            decompressors,
            types,
            decode_field(field),
            Some(Filter::new_ranged(start, end)),
        )
        .map_err(|e| format!("decoding column {:?}: {e}", name.as_str()))?;
        let got: usize = arrays.iter().map(|a| a.len()).sum();
        if got != len {
            return Err(format!(
                "column {:?} decoded {got} values for {len} rows",
                name.as_str()
            ));
        }
        cols.push(match kind {
            Kind::Nested => ColData::Nested(arrays),
            Kind::Flat => {
                let s = Series::try_from((&decode_field(field), arrays))
                    .map_err(|e| format!("converting column {:?}: {e}", name.as_str()))?;
                if s.len() != len || s.chunks().is_empty() {
                    return Err(format!(
                        "column {:?} converted to {} values for {len} rows",
                        name.as_str(),
                        s.len()
                    ));
                }
                ColData::Flat(s)
            }
        });
    }
    Ok(cols)
}

/// Feeds `len` decoded rows to the profile; `first_row` is the 0-based file row of the first.
fn feed_window(
    cols: &[ColData],
    names: &[String],
    len: usize,
    first_row: u64,
    source_name: &str,
    profile: &mut DatasetProfile,
    summary: &mut ReadSummary,
) -> Result<(), String> {
    let mut iters: Vec<ColIter<'_>> = cols
        .iter()
        .map(|c| match c {
            ColData::Flat(s) => ColIter::Flat(s.iter()),
            ColData::Nested(arrays) => ColIter::Nested(arrays, 0, 0),
            ColData::Absent => ColIter::Absent,
        })
        .collect();
    let mut slots: Vec<Slot<'_>> = Vec::with_capacity(cols.len());
    for r in 0..len {
        let line = first_row + r as u64 + 1;
        slots.clear();
        let mut rejection: Option<Rejection> = None;
        for (c, it) in iters.iter_mut().enumerate() {
            let v = it
                .next()
                .ok_or_else(|| format!("column {:?} ended before row {line}", names[c]))?;
            if rejection.is_some() {
                continue; // keep every column iterator on the same row
            }
            match to_slot(v, &names[c]) {
                Ok(s) => slots.push(s),
                Err(why) => rejection = Some(why),
            }
        }
        summary.records += 1;
        let loc = || Location {
            source: source_name.to_owned(),
            line,
        };
        if let Some((kind, message)) = rejection {
            summary.rejected += 1;
            profile.rejects.add(loc(), kind, message);
            continue;
        }
        summary.rows += 1;
        profile.add_positional(slots.iter().map(Slot::cell), &loc);
    }
    Ok(())
}

/// Maps one value to a cell, or says why its row is rejected.
fn to_slot<'a>(v: Val<'a>, column: &str) -> Result<Slot<'a>, Rejection> {
    let av = match v {
        Val::Absent | Val::Nested(true) => return Ok(Slot::Cell(CellRef::Null)),
        Val::Nested(false) => {
            return Err((
                "nested_value",
                format!("column {column:?} holds a list, struct or map value; flatten it first"),
            ))
        }
        Val::Any(av) => av,
    };
    let float = |f: f64| {
        if f.is_nan() {
            CellRef::Null
        } else {
            CellRef::Float(f)
        }
    };
    Ok(Slot::Cell(match av {
        AnyValue::Null => CellRef::Null,
        AnyValue::Boolean(b) => CellRef::Bool(b),
        AnyValue::Int8(i) => CellRef::Int(i64::from(i)),
        AnyValue::Int16(i) => CellRef::Int(i64::from(i)),
        AnyValue::Int32(i) => CellRef::Int(i64::from(i)),
        AnyValue::Int64(i) => CellRef::Int(i),
        AnyValue::UInt8(i) => CellRef::Int(i64::from(i)),
        AnyValue::UInt16(i) => CellRef::Int(i64::from(i)),
        AnyValue::UInt32(i) => CellRef::Int(i64::from(i)),
        AnyValue::UInt64(u) => match i64::try_from(u) {
            Ok(i) => CellRef::Int(i),
            Err(_) => CellRef::Float(u as f64),
        },
        AnyValue::Float32(f) => float(f64::from(f)),
        AnyValue::Float64(f) => float(f),
        AnyValue::String(s) => CellRef::Str(s),
        AnyValue::StringOwned(s) => return Ok(Slot::Owned(s.to_string())),
        AnyValue::Binary(b) => match std::str::from_utf8(b) {
            Ok(s) => CellRef::Str(s),
            Err(e) => return Err(invalid_utf8(column, e)),
        },
        AnyValue::BinaryOwned(b) => match String::from_utf8(b) {
            Ok(s) => return Ok(Slot::Owned(s)),
            Err(e) => return Err(invalid_utf8(column, e.utf8_error())),
        },
        AnyValue::Date(days) => return Ok(Slot::Owned(format_date(i64::from(days)))),
        AnyValue::Datetime(v, tu, tz) => {
            return Ok(Slot::Owned(format_datetime(v, tu, tz.is_some())))
        }
        AnyValue::DatetimeOwned(v, tu, tz) => {
            return Ok(Slot::Owned(format_datetime(v, tu, tz.is_some())))
        }
        AnyValue::Time(ns) => {
            let mut s = String::with_capacity(18);
            push_time_of_day(&mut s, ns.rem_euclid(NANOS_PER_DAY));
            return Ok(Slot::Owned(s));
        }
        AnyValue::Decimal(v, _precision, scale) => decimal_cell(v, scale),
        other => {
            return Err(unsupported(
                column,
                &format!("a value of type {}", other.dtype()),
            ))
        }
    }))
}

fn invalid_utf8(column: &str, e: std::str::Utf8Error) -> Rejection {
    (
        "invalid_utf8",
        format!(
            "binary value of column {column:?} is not valid UTF-8 (at byte {})",
            e.valid_up_to()
        ),
    )
}

fn unsupported(column: &str, what: &str) -> Rejection {
    (
        "unsupported_value",
        format!("column {column:?} holds {what}, which cannot be profiled"),
    )
}

/// A decimal `v × 10^−scale`: `Int` when whole (scale 0) and in range, else the `Float` nearest
/// to its exact decimal value.
fn decimal_cell<'a>(v: i128, scale: usize) -> CellRef<'a> {
    if scale == 0 {
        if let Ok(i) = i64::try_from(v) {
            return CellRef::Int(i);
        }
    }
    let digits = v.unsigned_abs().to_string();
    let mut text = String::with_capacity(digits.len() + scale + 3);
    if v < 0 {
        text.push('-');
    }
    if scale == 0 {
        text.push_str(&digits);
    } else if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        text.push_str(int);
        text.push('.');
        text.push_str(frac);
    } else {
        text.push_str("0.");
        text.extend(std::iter::repeat_n('0', scale - digits.len()));
        text.push_str(&digits);
    }
    CellRef::Float(text.parse::<f64>().unwrap_or(f64::NAN))
}

const NANOS_PER_DAY: i64 = 86_400_000_000_000;

/// Appends `HH:MM:SS` and, when not whole, the fraction with 3, 6 or 9 digits (chrono's style).
fn push_time_of_day(out: &mut String, nanos_of_day: i64) {
    use std::fmt::Write;
    let secs = nanos_of_day / 1_000_000_000;
    let nano = nanos_of_day % 1_000_000_000;
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    let _ = if nano == 0 {
        Ok(())
    } else if nano % 1_000_000 == 0 {
        write!(out, ".{:03}", nano / 1_000_000)
    } else if nano % 1000 == 0 {
        write!(out, ".{:06}", nano / 1000)
    } else {
        write!(out, ".{nano:09}")
    };
}

fn format_date(days: i64) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, days);
    s
}

/// `YYYY-MM-DD HH:MM:SS[.fff]`; a zoned timestamp is shown as its UTC instant with ` UTC` (no
/// time-zone database is linked, so other zones are not converted to local time).
fn format_datetime(v: i64, tu: TimeUnit, zoned: bool) -> String {
    let per_sec: i64 = match tu {
        TimeUnit::Nanoseconds => 1_000_000_000,
        TimeUnit::Microseconds => 1_000_000,
        TimeUnit::Milliseconds => 1_000,
    };
    let per_day = per_sec * 86_400;
    let days = v.div_euclid(per_day);
    let rem = v.rem_euclid(per_day); // < per_day, so × (1e9 / per_sec) ≤ NANOS_PER_DAY
    let mut s = String::with_capacity(30);
    push_date(&mut s, days);
    s.push(' ');
    push_time_of_day(&mut s, rem * (1_000_000_000 / per_sec));
    if zoned {
        s.push_str(" UTC");
    }
    s
}

#[cfg(test)]
mod tests;
