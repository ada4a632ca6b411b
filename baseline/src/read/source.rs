//! What every reader shares, below them all: the [`ReadError`] of an unusable input, the
//! [`ReadSummary`] of a read, the [`HeaderMode`] of CSV, gzip detection ([`is_gzip`],
//! [`maybe_gunzip`]) and positioned reads ([`ReadAt`], [`RangeReader`]) for reading parts of
//! one file on several threads. It depends on nothing else in [`crate::read`].

use std::io::{BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use crate::profile::DatasetProfile;

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

/// `"{location}: {message}"` of the first rejected record of a profile (empty when none), for
/// the detail of [`ReadError::Empty`].
pub(super) fn first_reject(profile: &DatasetProfile) -> String {
    profile
        .rejects
        .samples
        .first()
        .map(|r| format!("{}: {}", r.location, r.message))
        .unwrap_or_default()
}

/// The [`ReadError::Empty`] of a read that profiled no row although it read `records` records
/// (`noun`: `records`, `rows`): `"; all N noun rejected, first: …"`, or no detail when it read
/// none.
pub(crate) fn all_rejected(
    source_name: &str,
    records: u64,
    noun: &str,
    profile: &DatasetProfile,
) -> ReadError {
    ReadError::Empty {
        source_name: source_name.to_owned(),
        detail: if records > 0 {
            format!(
                "; all {records} {noun} rejected, first: {}",
                first_reject(profile)
            )
        } else {
            String::new()
        },
    }
}
