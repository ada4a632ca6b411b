//! # driftmon-baseline
//!
//! The pure core at the start of driftmon's data flow: bytes in, mergeable profiles out.
//! Readers turn training data (CSV, JSON Lines, Parquet) and SageMaker data-capture JSONL into
//! rows of [`value::Cell`]s; [`profile`] folds rows into a [`profile::DatasetProfile`] that merges
//! across objects, chunks and shards; [`suggest`] turns a profile into SageMaker's
//! `statistics.json` and `constraints.json` ([`files`]), written byte-for-byte as the AWS
//! analyzer writes them ([`jackson`]).
//!
//! No tokio, no AWS SDK, no clock and no environment here: everything is a function of its input.
//!
//! # Module map (lower layers first; no cycles)
//!
//! * [`value`]: the cell and row model; [`time`]: civil dates and RFC 3339 timestamps;
//!   [`pool`]: the ordered worker pool; [`kll`]: Deequ's KLL sketch; [`jackson`]: Jackson's
//!   byte format.
//! * [`capture`]: capture lines → records → rows (`record`, `payload`, `csv`, `json`,
//!   `jsonpath`, `error`).
//! * [`profile`]: rows → mergeable [`profile::DatasetProfile`] (`types`, `moments`,
//!   `exact_sum`, `hll`, `categories`, `rejects`, `merge`).
//! * [`read`]: datasets → profiles (`source` below `csv_rows` below `csv` / `csv_blocks`;
//!   `jsonl`; `parquet` with the `polars` feature). [`rows`] and `parquet` keep the earlier
//!   top-level paths of the CSV row layer and the Parquet reader.
//! * [`files`]: the SageMaker file models (`statistics`, `constraints`, `violations`);
//!   [`suggest`]: profile → `statistics.json` + `constraints.json`.
#![deny(missing_docs)]

pub mod capture;
pub mod files;
pub mod jackson;
pub mod kll;
/// The Parquet reader ([`read::parquet`]) under its earlier path.
#[cfg(feature = "polars")]
pub use read::parquet;
pub mod pool;
pub mod profile;
pub mod read;
pub mod rows;
pub mod suggest;
pub mod time;
pub mod value;
