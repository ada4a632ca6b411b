//! Streaming readers for training datasets: CSV (with or without header) and JSON Lines, gzip
//! transparently. Input is consumed record by record from any `Read`; nothing is loaded whole.
//!
//! Bad records never abort a read and are never dropped silently: each is counted in the
//! profile's [`RejectLog`](crate::profile::RejectLog) with its file and line. Only an input that
//! is unusable as a whole (unreadable, empty, no usable row) is an error.
//!
//! # Layout (lower modules first; no module imports a later one)
//!
//! * [`source`]: errors, summaries, gzip, positioned reads (shared by all readers);
//! * [`csv_rows`]: the row events of a CSV stream (header, rows, rejects with true lines);
//! * [`csv`]: one-pass CSV profiling; [`csv_blocks`]: parallel CSV profiling of a large file;
//! * [`jsonl`]: JSON Lines and capture JSONL datasets;
//! * `parquet` (feature `polars`): Parquet files.
//!
//! Everything public is re-exported here (`read::profile_csv`, `read::HeaderMode`, …).

pub mod csv;
pub mod csv_blocks;
pub mod csv_rows;
pub mod jsonl;
#[cfg(feature = "polars")]
pub mod parquet;
pub mod source;

pub use self::csv::profile_csv;
pub use csv_blocks::{profile_csv_at, CsvParallel, CSV_BLOCK_SIZE};
pub use jsonl::{json_cell, profile_capture, profile_jsonl};
pub use source::{is_gzip, maybe_gunzip, HeaderMode, RangeReader, ReadAt, ReadError, ReadSummary};

#[cfg(test)]
mod tests;
