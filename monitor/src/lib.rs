//! # driftmon-monitor
//!
//! The edge of driftmon: it opens files (and, later, S3 objects), feeds their bytes to the pure
//! core (`driftmon-baseline` for profiles, `driftmon-rules` for checks), and writes the results
//! SageMaker's way. The `driftmon` binary is a thin command line over [`baseline_cmd`].
#![deny(missing_docs)]

pub mod baseline_cmd;
pub mod output;
