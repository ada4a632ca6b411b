//! The daemon (`driftmon serve`) and the engine it shares with the Lambda.
//!
//! * [`engine`]: one window of one monitor, lease → run → decide → act, every state change a
//!   conditional write (no tokio; the Lambda calls it directly).
//! * `scheduler`: one tokio task per monitor, schedules in UTC, bounded catch-up, retries,
//!   shutdown grace (feature `serve`).
//! * `status` and `http`: what `/healthz` and `/metrics` report, and the listener (feature `serve`).
//! * `serve`: the command's start-up (feature `serve`; reached through [`crate::wiring::serve`]).
//!
//! The pure decisions the engine takes (due windows, leases, policy) live in [`crate::control`].

use std::path::PathBuf;

pub mod engine;
#[cfg(feature = "serve")]
pub mod http;
#[cfg(feature = "serve")]
pub mod scheduler;
#[cfg(feature = "serve")]
pub mod serve;
#[cfg(feature = "serve")]
pub mod status;

/// How `driftmon serve` was asked to run.
#[derive(Debug, Clone, Default)]
pub struct ServeArgs {
    /// The configuration file.
    pub config: PathBuf,
    /// Overrides `[server] listen`.
    pub listen: Option<std::net::SocketAddr>,
    /// A simulated clock starting at this time (replays and tests).
    pub clock_start_ms: Option<i64>,
    /// Its speed (simulated ms per real ms).
    pub clock_speed: f64,
    /// Stop once this time has passed and its windows are done.
    pub until_ms: Option<i64>,
    /// Publish each run's metrics to CloudWatch.
    pub publish_metrics: bool,
    /// Human-readable logs instead of JSON lines.
    pub text_logs: bool,
}
