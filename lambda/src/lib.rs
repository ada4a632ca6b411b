//! # driftmon-lambda
//!
//! driftmon as an AWS Lambda function: the daemon's engine ([`driftmon_monitor::daemon::engine`]) driven
//! by events instead of a clock. The same configuration, the same state objects (leases, cursor,
//! drift episodes, the retrain-once rule) and the same outputs as `driftmon serve` and
//! `driftmon run`; a Lambda and a daemon may even share one state.
//!
//! # Events
//!
//! [`parse_event`] accepts three kinds of payload (`lambda/events/` has one fixture of each):
//!
//! * **Schedule** — an EventBridge `Scheduled Event` (`"detail-type": "Scheduled Event"`): every
//!   monitor's due windows at the event's `time`. The rule may name one monitor, either in the
//!   event's `detail.monitor`, or through an input transformer producing
//!   `{"monitor": "<name>", "time": <aws.events.event.time>}` (what `lambda/template.yaml` does),
//!   or as a constant input `{"monitor": "<name>"}` (then "now" is the function's clock). `{}`
//!   runs every monitor's due windows now. A window already done (by a previous delivery of the
//!   same event, another invocation or the daemon) is not run again.
//! * **S3 ObjectCreated** — the notification's records (`"Records": [{"eventSource": "aws:s3",
//!   …}]`). A key under a model-quality monitor's `ground_truth` prefix,
//!   `<prefix>/YYYY/MM/DD/HH/<file>`, re-runs every window of that monitor that is already done
//!   and whose ground-truth range (`[window start, scheduled time)`, as the engine reads it)
//!   covers that hour. Keys that match no monitor are reported as `ignored`. S3's EventBridge
//!   form (`"source": "aws.s3", "detail-type": "Object Created"`) is handled the same way.
//! * **Direct invoke** — `{"monitor": "<name>", "start": "<ISO-8601>", "end": "<ISO-8601>"}`:
//!   re-runs `[start, end)` as the window scheduled at `end`.
//!
//! Re-runs (S3 and direct) take the monitor's lease in [`LeaseMode::Rerun`]: they may repeat a
//! done window, and their outcome does not feed the drift policy (no alerts, no retraining).
//!
//! # Errors and retries
//!
//! [`Handler::handle`] returns:
//!
//! * `Ok(body)` with `"ok": true` and one entry per window (status, violations, output
//!   location, actions) when the work is done — including windows that ran and `Failed` for
//!   good, and windows recorded `Failed` by a scheduled run (the state has moved on, like the
//!   daemon's; an operator re-runs them with a direct invoke).
//! * `Ok(body)` with `"ok": false, "retryable": false, "error": "…"` for input that no retry can
//!   fix: an unknown monitor, a malformed event, bad times, a corrupt state object. Returning a
//!   normal response keeps Lambda's asynchronous retries (and a dead-letter queue) out of it,
//!   while a synchronous caller still sees the reason.
//! * `Err(`[`Retryable`]`)` for what a later attempt may fix: the monitor's lease held by another
//!   invocation (or the daemon), a state conflict after the engine's retries, a store error, or
//!   a re-run that failed retryably. The runtime reports it as a function error
//!   (`errorType: "Retryable"`), so Lambda retries asynchronous invocations; a retry does only
//!   what is still to do.

#![deny(missing_docs)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use aws_lambda_events::event::s3::S3Event;
use driftmon_baseline::capture::{format_timestamp_ms, parse_timestamp_ms};
use driftmon_monitor::adapters::state_store::StateError;
use driftmon_monitor::config::{MonitorConfig, MonitorType, ValidateContext, ValidatedConfig};
use driftmon_monitor::control::schedule::Window;
use driftmon_monitor::control::state::{LeaseDenied, LeaseMode};
use driftmon_monitor::daemon::engine::{ActionReport, Engine, EngineError, WindowReport};
use serde_json::{json, Value};

const HOUR_MS: i64 = 3_600_000;
/// At most this many windows are re-run for one ground-truth object (a `rate(1 minute)`
/// schedule has 60 per hour).
const MAX_WINDOWS_PER_OBJECT: usize = 512;

mod event;
mod handler;
mod init;

pub use event::*;
pub use handler::*;
pub use init::*;

#[cfg(test)]
mod tests;
