//! The configuration of `driftmon serve` (and of the Lambda): a TOML file, checked as a whole.
//!
//! ```toml
//! [server]
//! listen = "127.0.0.1:9464"          # /healthz and /metrics
//! shutdown_grace_seconds = 30
//!
//! [defaults]                         # applies to every [[monitor]] that does not say otherwise
//! max_catch_up = 24
//! [defaults.policy]
//! consecutive_windows = 2
//!
//! [[monitor]]
//! name = "credit-risk-data-quality"  # the schedule name in the output layout
//! type = "data-quality"             # or "model-quality" (older configs: kind = "data_quality")
//! endpoint = "credit-risk"
//! capture = "driftmon-demo/capture"  # local folder or s3://bucket/prefix
//! baseline = "driftmon-demo/baseline"
//! output = "driftmon-demo/monitoring"
//! schedule = "cron(0 * ? * * *)"
//! [monitor.actions.webhook]
//! url = "https://hooks.slack.com/services/…"
//! slack = true
//! ```
//!
//! `driftmon.example.toml` at the repository root shows every key.
//!
//! # Keys
//!
//! * `[server]`: `listen` (socket address, default `127.0.0.1:9464`), `shutdown_grace_seconds`
//!   (default 30, at most 3600).
//! * `[defaults]`: `capture`, `output`, `variant`, `schedule`, `start_offset`, `end_offset`,
//!   `max_catch_up` (default 24), `lease` (ISO-8601, default `PT1H`: how long a run may go
//!   without renewing its lease), `retry_attempts` (default 3), `retry_backoff` (default
//!   `PT30S`, doubled per attempt), `retry_max_backoff` (default `PT10M`), `workers` (default 0:
//!   one per core), and the tables `drift`, `policy` and `actions`. A monitor's own scalar keys
//!   win; `drift` and `policy` merge key by key; `actions` is taken whole, from the monitor if it
//!   has an `actions` table, else from the defaults.
//! * `[[monitor]]`: `name` (SageMaker's schedule-name rule: letters, digits, hyphens, ≤ 63),
//!   `type` (`data-quality`, the default, `model-quality` or `model-bias`; `kind` with
//!   `data_quality` / `model_quality` is the older spelling), `endpoint`, `variant`, `capture`,
//!   `baseline` (required for data quality; the model-quality constraints or the bias
//!   `analysis.json` are optional),
//!   `output`, `schedule` ([`crate::control::schedule`]), `start_offset` / `end_offset` (negative
//!   ISO-8601 durations, SageMaker's `StartTimeOffset` / `EndTimeOffset`), `input_path` /
//!   `output_path` (JSON payload paths, as `driftmon run --input-path`), and for model quality
//!   `ground_truth`, `problem_type`, `inference_attribute`, `probability_attribute`,
//!   `probability_threshold`, `ground_truth_attribute` (attributes: a column index or a name);
//!   for model bias `analysis_config` (Clarify's, read and checked at start-up when local),
//!   `ground_truth`, `inference_attribute` / `probability_attribute` (a JSON path or a CSV
//!   column), `probability_threshold`, `decision_mode` (`bootstrap`, the default, or `point`),
//!   `bootstrap_resamples` (2–100000, default 200), `bootstrap_seed` (default 0).
//! * `[monitor.drift]`: overrides of driftmon's drift thresholds: `psi`, `ks`, `chi_square`
//!   (booleans), `psi_threshold`, `psi_bins`, `psi_epsilon`, `ks_threshold`,
//!   `cramers_v_threshold`, `alpha`, `correction` (`none`, `bonferroni`, `bh`).
//! * `[monitor.policy]` ([`Policy`]): `check_types`, `features`, `ignore_features`,
//!   `consecutive_windows` (N, default 1), `clean_windows_to_close` (M, default 3),
//!   `notify_resolved` (default true), `alert_on_failure` (default false).
//! * `[monitor.actions.pipeline]`: `pipeline_name` (name or ARN), `parameters` (a table of
//!   strings; `{monitor}`, `{endpoint}`, `{episode_id}`, `{window_start}`, `{window_end}`,
//!   `{scheduled_time}` and `{output}` are replaced; `{{` and `}}` are literal braces), `region`,
//!   `cooldown` (ISO-8601, default `P1D`).
//! * `[monitor.actions.email]`: `to` (an address or a list), `from`, `smtp_host`, `smtp_port`
//!   (default by `tls`: 587, 465, or 25), `tls` (`starttls` — required, the default —,
//!   `opportunistic`, `implicit` for TLS from the first byte, or `none`), `username`,
//!   `password_env` or `password_file`, `subject_prefix` (default `[driftmon]`),
//!   `timeout_seconds` (default 30), `cooldown` (default `PT1H`).
//! * `[monitor.actions.webhook]`: `url` (http or https), `slack` (Slack-compatible payload),
//!   `token_env` or `token_file` (sent as `Authorization: Bearer …`), `timeout_seconds`
//!   (default 10), `cooldown` (default `PT1H`).
//!
//! Relative local paths are relative to the configuration file's folder.
//!
//! # Validation
//!
//! Every problem is reported at once, each with its TOML path (`monitor[2].schedule: …`):
//! unknown keys (with a suggestion when one is close), wrong types, missing keys, invalid
//! values, duplicate names, unset environment variables and unreadable secret files. Secrets
//! are read during validation and kept in [`Secret`], whose `Debug` prints `***`; no other
//! output of this module contains them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use driftmon_baseline::capture::{format_timestamp_ms, ExtractConfig, JsonPath};
use driftmon_rules::config::DriftConfig;
use driftmon_rules::model_quality::ProblemType;
use serde::de::{self, DeserializeOwned, Visitor};
use serde::Deserialize;
use toml::{Table, Value};

use crate::control::schedule::{
    output_prefix, parse_iso_duration, Schedule, Window, WindowOffsets, WindowSchedule,
};
use crate::control::state::Policy;

mod actions;
mod monitor;
mod raw;
mod secrets;
mod types;
mod validate;

pub use secrets::Secret;
pub use types::*;
pub use validate::*;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// One problem in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Where: a TOML path such as `monitor[2].schedule`, or `line 3, column 7` for syntax
    /// errors, or empty for the file as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

#[derive(Default)]
struct Errs(Vec<ConfigError>);

impl Errs {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(ConfigError {
            path: path.to_owned(),
            message: message.into(),
        });
    }
}

#[cfg(test)]
mod tests;
