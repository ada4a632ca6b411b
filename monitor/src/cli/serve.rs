//! `driftmon serve`: every monitor of a configuration on its schedule.

use std::path::PathBuf;

use driftmon_baseline::capture::parse_timestamp_ms;

#[derive(clap::Args)]
pub(crate) struct ServeCli {
    /// The configuration file (TOML; see driftmon.example.toml).
    #[arg(long)]
    config: PathBuf,
    /// Overrides `[server] listen` (e.g. 127.0.0.1:0 for any free port).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Replay: a simulated clock starting at this time (RFC 3339) instead of the wall clock.
    #[arg(long)]
    clock_start: Option<String>,
    /// Replay: how many times faster than real time the simulated clock runs.
    #[arg(long, default_value_t = 1.0)]
    clock_speed: f64,
    /// Stop once the clock passes this time (RFC 3339) and the windows due by then are done.
    #[arg(long)]
    until: Option<String>,
    /// Publish each run's metrics to CloudWatch (SageMaker's names).
    #[arg(long)]
    publish_metrics: bool,
    /// Human-readable logs instead of JSON lines.
    #[arg(long)]
    text_logs: bool,
}

/// Runs the command.
pub(crate) fn run(a: &ServeCli) -> anyhow::Result<()> {
    let ts = |s: &Option<String>, what: &str| -> anyhow::Result<Option<i64>> {
        s.as_deref()
            .map(|v| {
                parse_timestamp_ms(v)
                    .ok_or_else(|| anyhow::anyhow!("--{what} {v}: expected an RFC 3339 time"))
            })
            .transpose()
    };
    if !(a.clock_speed.is_finite() && a.clock_speed > 0.0) {
        anyhow::bail!(
            "--clock-speed {}: expected a positive number",
            a.clock_speed
        );
    }
    crate::wiring::serve(&crate::daemon::ServeArgs {
        config: a.config.clone(),
        listen: a.listen,
        clock_start_ms: ts(&a.clock_start, "clock-start")?,
        clock_speed: a.clock_speed,
        until_ms: ts(&a.until, "until")?,
        publish_metrics: a.publish_metrics,
        text_logs: a.text_logs,
    })
}
