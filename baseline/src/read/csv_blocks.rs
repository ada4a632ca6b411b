//! Profiling a large CSV file in parallel: [`csv_blocks`] cuts the file into blocks at record
//! boundaries in one sequential scan, the start of the file decides the header and row width,
//! and [`profile_csv_at`] profiles the blocks on [`crate::pool::in_order_catching`] and merges
//! their profiles in file order (see [`CSV_BLOCK_SIZE`] for what merging can change).

use std::io::BufReader;

use super::csv::{add_csv_event, csv_summary, profile_csv};
use super::csv_rows::{csv_layout, for_each_csv_block_row, for_each_csv_row, CsvRowsSummary};
use super::source::{is_gzip, HeaderMode, RangeReader, ReadAt, ReadError, ReadSummary};
use crate::profile::{DatasetProfile, Merge};

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
type BlockResult = Result<(DatasetProfile, CsvRowsSummary), ReadError>;

/// Profiles the first `len` bytes of a CSV file (a regular file, read with positioned reads)
/// into `profile`, in parallel blocks: the same rows, rejects, lines and errors as
/// [`profile_csv`] on the same bytes (see [`CSV_BLOCK_SIZE`] for what merging changes).
///
/// One sequential pass ([`csv_blocks`]) finds the block boundaries and lines; the
/// start of the file decides the header and the row width for every block
/// ([`csv_layout`]). Then the blocks are profiled on the workers of
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
) -> Result<(DatasetProfile, CsvRowsSummary), ReadError> {
    let mut total: Option<(DatasetProfile, CsvRowsSummary)> = None;
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

/// A byte range of a CSV file that starts at a record boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvBlock {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    /// The 1-based file line of the first byte.
    pub first_line: u64,
}

/// Bytes read at a time by [`csv_blocks`].
const SCAN_CHUNK: usize = 1 << 20;

/// Splits the first `len` bytes of a CSV file into blocks of at least `block_size` bytes (the
/// last may be shorter) that each start at a record boundary, in one sequential pass.
///
/// A block ends after the first `\n` at or beyond its target size that is not inside a quoted
/// field. Quoting follows the csv crate's defaults (RFC 4180): a `"` opens a quoted field only
/// at the start of a field (after `,`, `\r`, `\n` or at the start of the file; elsewhere it is
/// an ordinary byte), and inside a quoted field `""` is a quote and a lone `"` closes it. For
/// well-formed RFC 4180 data this is the rule "a newline ends a record iff an even number of
/// `"` precede it". The pass jumps between `"` and `\n` bytes with `memchr` and counts the
/// `\n` bytes to give each block its first line.
pub fn csv_blocks<S: ReadAt + ?Sized>(
    src: &S,
    len: u64,
    block_size: u64,
) -> std::io::Result<Vec<CsvBlock>> {
    csv_blocks_chunked(src, len, block_size, SCAN_CHUNK)
}

/// [`csv_blocks`] reading `chunk` bytes at a time (tests: the result must not depend on it).
pub(crate) fn csv_blocks_chunked<S: ReadAt + ?Sized>(
    src: &S,
    len: u64,
    block_size: u64,
    chunk: usize,
) -> std::io::Result<Vec<CsvBlock>> {
    let block_size = block_size.max(1);
    let chunk = chunk.max(1);
    let mut blocks = Vec::new();
    let mut start = 0u64;
    let mut first_line = 1u64;
    if len > block_size {
        let mut buf = vec![0u8; chunk];
        let mut off = 0u64;
        let mut quoted = false;
        // A `"` was seen inside a quoted field: the next byte decides (`"`: escaped quote).
        let mut quote_pending = false;
        // The byte before the current chunk (the start of the file is a field start).
        let mut prev = b'\n';
        let mut lines = 0u64;
        while off < len {
            let want = (len - off).min(chunk as u64) as usize;
            let n = read_full(src, off, &mut buf[..want])?;
            if n == 0 {
                break;
            }
            let c = &buf[..n];
            let mut i = 0;
            while i < n {
                if quote_pending {
                    quote_pending = false;
                    if c[i] == b'"' {
                        i += 1;
                        continue;
                    }
                    quoted = false;
                }
                if quoted {
                    match memchr::memchr(b'"', &c[i..]) {
                        None => {
                            lines += memchr::memchr_iter(b'\n', &c[i..]).count() as u64;
                            i = n;
                        }
                        Some(j) => {
                            lines += memchr::memchr_iter(b'\n', &c[i..i + j]).count() as u64;
                            i += j + 1;
                            quote_pending = true;
                        }
                    }
                    continue;
                }
                let Some(j) = memchr::memchr2(b'"', b'\n', &c[i..]) else {
                    break;
                };
                let p = i + j;
                if c[p] == b'"' {
                    let before = if p > 0 { c[p - 1] } else { prev };
                    quoted = matches!(before, b',' | b'\n' | b'\r');
                } else {
                    lines += 1;
                    let next = off + p as u64 + 1;
                    if next - start >= block_size && next < len {
                        blocks.push(CsvBlock {
                            start,
                            end: next,
                            first_line,
                        });
                        start = next;
                        first_line = lines + 1;
                    }
                }
                i = p + 1;
            }
            prev = c[n - 1];
            off += n as u64;
        }
    }
    blocks.push(CsvBlock {
        start,
        end: len,
        first_line,
    });
    Ok(blocks)
}

/// Reads until `buf` is full or the source ends.
fn read_full<S: ReadAt + ?Sized>(
    src: &S,
    mut offset: u64,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match src.read_at(&mut buf[n..], offset) {
            Ok(0) => break,
            Ok(k) => {
                n += k;
                offset += k as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
