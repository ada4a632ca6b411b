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
#![deny(missing_docs)]

pub mod capture;
pub mod files;
pub mod jackson;
pub mod kll;
#[cfg(feature = "polars")]
pub mod parquet;
pub mod pool;
pub mod profile;
pub mod read;
pub mod rows;
pub mod suggest;
pub mod time;
pub mod value;
