//! # driftmon-monitor
//!
//! The edge of driftmon and its CLI. It opens files and S3 objects, feeds their bytes to the
//! pure core (`driftmon-baseline` for profiles, `driftmon-rules` for checks), runs each
//! configured monitor type over a window, and writes the results SageMaker's way. See
//! `ARCHITECTURE.md` at the top of the repository for the code map.
#![deny(missing_docs)]

pub mod adapters;
pub mod cli;
pub mod config;
pub mod control;
pub mod daemon;
pub mod job;
pub mod monitors;
pub mod report;
pub mod wiring;
