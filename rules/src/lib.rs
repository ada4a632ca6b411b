//! # driftmon-rules
//!
//! The pure middle of driftmon's data flow: a baseline (SageMaker's `statistics.json` and
//! `constraints.json`, as [`baseline_view::BaselineView`]) and the current window's
//! `DatasetProfile` go in; every rule of the [`evaluate::REGISTRY`] runs over them; a
//! [`report::Report`] comes out, with SageMaker's `constraint_violations.json`, the execution
//! status, and every drift score of every feature, which [`report::DriftReport`] (the typed
//! `drift_report.json`) carries to the writers, the HTML report and the metric catalog. The
//! statistics ([`stats`]) and the model-quality metrics ([`model_quality`]) are checked against
//! scipy/numpy/scikit-learn reference values kept in `rules/oracle/`.
//!
//! Modules: [`config`] (drift thresholds and their one validation), [`baseline_view`],
//! [`measures`] (the per-feature numbers), [`evaluate`] (the `Rule` trait, the registry, one file
//! per rule), [`stats`], [`model_quality`], [`report`], [`metrics_catalog`] (CloudWatch).
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
pub mod rng;
pub mod stats;
