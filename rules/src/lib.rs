//! # driftmon-rules
//!
//! The pure middle of driftmon's data flow: a baseline (SageMaker's `statistics.json` and
//! `constraints.json`, as [`baseline_view::BaselineView`]) and the current window's
//! `DatasetProfile` go in; every rule of the [`evaluate::REGISTRY`] runs over them; a
//! [`report::Report`] comes out, with SageMaker's `constraint_violations.json`, the execution
//! status, and every drift score of every feature. The statistics ([`stats`]) are checked
//! against scipy/numpy reference values kept in `rules/oracle/`.
//!
//! No tokio, no AWS SDK, no clock and no environment.
#![deny(missing_docs)]

pub mod attribution;
pub mod baseline_view;
pub mod bias;
pub mod clarify;
pub mod config;
pub mod evaluate;
pub mod measures;
pub mod metrics_catalog;
pub mod model_quality;
pub mod report;
pub mod stats;
