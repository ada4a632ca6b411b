//! `driftmon serve`: every monitor of a configuration on its schedule, in one process.
//!
//! One asynchronous task per monitor wakes at each firing of the monitor's schedule (UTC),
//! asks the [`Engine`] which windows are due (bounded catch-up after an outage, oldest first),
//! and processes them one by one: lease, run (retried with exponential backoff), decision,
//! actions. A monitor's failures — a run that fails, a state store that is down, an action that
//! cannot be delivered — are logged, counted in `/metrics` and retried on the next firing; they
//! never stop the other monitors' tasks.
//!
//! The blocking work (reading capture, writing outputs, talking to S3, SMTP and SageMaker) runs
//! on tokio's blocking pool; the tasks only wait. The [`Clock`] is tokio's: `serve` follows the
//! wall clock read once at start and then tokio's monotonic time (scaled by `speed` in a
//! simulated replay), so tests run whole days in paused time.
//!
//! SIGTERM and SIGINT stop the scheduling at once, let runs in flight finish for at most
//! `[server] shutdown_grace_seconds`, then abandon the rest (their leases are released so a
//! restarted daemon can take the windows at once; their outputs, if partly written, are
//! overwritten by the re-run because `constraint_violations.json` is always written last).
//!
//! `/healthz` and the Prometheus `/metrics` endpoint listen on `[server] listen`
//! ([`crate::daemon::http::http_server`]).

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use driftmon_baseline::capture::format_timestamp_ms;
use tokio::sync::watch;
use tokio::time::Instant;
use tracing::Instrument;

use crate::control::state::{LeaseDenied, LeaseMode};
use crate::daemon::engine::{describe, Engine, EngineError, WindowReport};

// ---------------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------------

/// The daemon's clock: milliseconds since the epoch, following tokio's time from an anchor.
#[derive(Debug, Clone)]
pub struct Clock {
    epoch_ms: i64,
    base: Instant,
    speed: f64,
}

impl Clock {
    /// The wall clock, read now, then followed monotonically.
    pub fn real() -> Clock {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Clock::simulated(now, 1.0)
    }

    /// A clock that reads `start_ms` now and runs `speed` times faster than tokio's time
    /// (replays and tests).
    pub fn simulated(start_ms: i64, speed: f64) -> Clock {
        Clock {
            epoch_ms: start_ms,
            base: Instant::now(),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    /// Now, in ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.epoch_ms + (self.base.elapsed().as_secs_f64() * 1000.0 * self.speed) as i64
    }

    /// Waits until the clock reads `t_ms`.
    pub fn sleep_until(&self, t_ms: i64) -> tokio::time::Sleep {
        let ms = (t_ms - self.now_ms()).max(0) as f64 / self.speed;
        tokio::time::sleep(Duration::from_micros((ms * 1000.0).ceil() as u64))
    }

    /// Waits for `d` of this clock's time.
    pub fn sleep(&self, d: Duration) -> tokio::time::Sleep {
        tokio::time::sleep(d.div_f64(self.speed))
    }
}

pub use crate::daemon::status::Status;

// ---------------------------------------------------------------------------------------------
// The scheduler
// ---------------------------------------------------------------------------------------------

/// How `serve` runs.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Run the engine's blocking steps on the task itself instead of tokio's blocking pool
    /// (tests with in-memory ports and paused time).
    pub inline: bool,
    /// Stop once the clock passes this time and every window due by then is processed
    /// (replays and tests); `None`: until a signal.
    pub until_ms: Option<i64>,
}

/// How `serve` ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServeExit {
    /// A shutdown was requested (signal).
    pub signalled: bool,
    /// Monitors whose run was abandoned after the grace period.
    pub abandoned: Vec<String>,
}

struct Ctx {
    engine: Arc<Engine>,
    clock: Clock,
    status: Arc<Status>,
    opts: ServeOptions,
}

impl Ctx {
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Engine) -> T + Send + 'static,
    ) -> T {
        if self.opts.inline {
            f(&self.engine)
        } else {
            let e = self.engine.clone();
            match tokio::task::spawn_blocking(move || f(&e)).await {
                Ok(v) => v,
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
    }

    fn action_sleep(&self) -> impl Fn(Duration) + Send + Sync + 'static {
        let inline = self.opts.inline;
        let speed = self.clock.speed;
        move |d: Duration| {
            if !inline {
                std::thread::sleep(d.div_f64(speed));
            }
        }
    }
}

/// Waits for `fut` unless shutdown is requested first; `None` on shutdown.
async fn or_shutdown<F: Future>(fut: F, shutdown: &mut watch::Receiver<bool>) -> Option<F::Output> {
    if *shutdown.borrow() {
        return None;
    }
    tokio::select! {
        v = fut => Some(v),
        _ = shutdown.changed() => None,
    }
}

async fn process(
    ctx: &Ctx,
    i: usize,
    w: crate::control::schedule::Window,
    shutdown: &mut watch::Receiver<bool>,
) {
    let m = ctx.engine.config().monitors[i].clone();
    let name = m.name.clone();
    let now = ctx.clock.now_ms();
    let begun = ctx
        .blocking(move |e| e.begin(i, &w, LeaseMode::Scheduled, now))
        .await;
    match begun {
        Ok(()) => {}
        Err(EngineError::Lease(LeaseDenied::AlreadyDone { .. })) => return,
        Err(EngineError::Lease(l)) => {
            tracing::info!(reason = %l, "window not started: lease held elsewhere");
            ctx.status.with(&name, |s| s.busy += 1);
            return;
        }
        Err(e) => {
            tracing::error!(error = %e, "window not started: state unavailable");
            ctx.status.with(&name, |s| {
                s.state_errors += 1;
                s.last_error = Some(e.to_string());
            });
            return;
        }
    }
    ctx.status.with(&name, |s| s.in_progress = true);
    let t0 = Instant::now();
    let mut attempts = 0;
    let result = loop {
        attempts += 1;
        let r = ctx.blocking(move |e| e.execute(i, &w)).await;
        match &r {
            Err(f) if f.retryable && attempts < m.retry.attempts => {
                let wait = m.retry.backoff_before(attempts + 1);
                tracing::warn!(attempt = attempts, error = %f.message, retry_in_ms = wait.as_millis() as u64, "run failed; retrying");
                ctx.status.with(&name, |s| s.failed_attempts += 1);
                if or_shutdown(ctx.clock.sleep(wait), shutdown).await.is_none() {
                    tracing::warn!("shutdown during the retry backoff: window abandoned");
                    let _ = ctx.blocking(move |e| e.abandon(i)).await;
                    ctx.status.with(&name, |s| s.in_progress = false);
                    return;
                }
                let now = ctx.clock.now_ms();
                if let Err(e) = ctx.blocking(move |e| e.renew(i, now)).await {
                    tracing::error!(error = %e, "lease lost during retries: window abandoned");
                    ctx.status.with(&name, |s| s.in_progress = false);
                    return;
                }
            }
            Err(f) => {
                ctx.status.with(&name, |s| s.failed_attempts += 1);
                tracing::error!(attempt = attempts, error = %f.message, "run failed");
                break r;
            }
            Ok(_) => break r,
        }
    };
    let now = ctx.clock.now_ms();
    let res2 = result.clone();
    let completed = ctx
        .blocking(move |e| e.complete(i, &w, LeaseMode::Scheduled, &res2, now))
        .await;
    let crate::daemon::engine::Completion {
        actions,
        counted,
        stale,
        episode,
    } = match completed {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "window outcome not recorded");
            ctx.status.with(&name, |s| {
                s.in_progress = false;
                s.state_errors += 1;
                s.last_error = Some(e.to_string());
            });
            return;
        }
    };
    let sleep = ctx.action_sleep();
    let acts = actions.clone();
    let reports = ctx.blocking(move |e| e.act(i, &w, &acts, &sleep)).await;
    let report = WindowReport {
        monitor: name.clone(),
        window: w,
        output: m.output_location(&w).to_string_lossy().into_owned(),
        result,
        attempts,
        counted,
        stale,
        actions: reports,
        episode,
    };
    for a in &report.actions {
        match &a.error {
            None => tracing::info!(action = a.target.as_str(), detail = %a.detail, "action taken"),
            Some(e) => {
                tracing::error!(action = a.target.as_str(), retryable = e.retryable, error = %e.message, "action failed")
            }
        }
    }
    tracing::info!(
        status = report.status(),
        attempts,
        violations = report.result.as_ref().map(|s| s.violations.len()).unwrap_or(0),
        counted = report.counted.len(),
        episode = report.episode.as_deref().unwrap_or(""),
        output = %report.output,
        "{}",
        describe(&report)
    );
    ctx.status.record(&report, t0.elapsed());
}

async fn monitor_loop(ctx: Arc<Ctx>, i: usize, mut shutdown: watch::Receiver<bool>) {
    let m = ctx.engine.config().monitors[i].clone();
    let span = tracing::info_span!("monitor", monitor = %m.name);
    async {
        loop {
            if *shutdown.borrow() {
                break;
            }
            let sleep = ctx.action_sleep();
            match ctx.blocking(move |e| e.recover_pending(i, &sleep)).await {
                Ok(Some(r)) => {
                    let res = if r.error.is_none() { "ok" } else { "error" };
                    ctx.status.with(&m.name, |s| {
                        *s.actions.entry((r.target.as_str(), res)).or_default() += 1
                    });
                    match &r.error {
                        None => tracing::info!(detail = %r.detail, "pending retraining start confirmed"),
                        Some(e) => tracing::error!(error = %e.message, "pending retraining start failed; will retry"),
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "state unavailable"),
            }
            let now = ctx.clock.now_ms();
            match ctx.blocking(move |e| e.plan(i, now)).await {
                Err(e) => {
                    tracing::error!(error = %e, "state unavailable: no window planned");
                    ctx.status.with(&m.name, |s| {
                        s.state_errors += 1;
                        s.last_error = Some(e.to_string());
                    });
                }
                Ok(plan) => {
                    if let Some(sk) = &plan.skipped {
                        tracing::warn!(
                            skipped = sk.count,
                            first = %format_timestamp_ms(sk.first_scheduled_ms),
                            last = %format_timestamp_ms(sk.last_scheduled_ms),
                            "missed windows beyond the catch-up bound were skipped"
                        );
                        ctx.status.with(&m.name, |s| s.skipped_windows += sk.count);
                    }
                    for w in plan.run {
                        if *shutdown.borrow() {
                            break;
                        }
                        let span = tracing::info_span!(
                            "run",
                            scheduled = %format_timestamp_ms(w.scheduled_ms),
                            window_start = %format_timestamp_ms(w.start_ms),
                            window_end = %format_timestamp_ms(w.end_ms),
                        );
                        process(&ctx, i, w, &mut shutdown).instrument(span).await;
                    }
                }
            }
            let now = ctx.clock.now_ms();
            if ctx.opts.until_ms.is_some_and(|u| now >= u) {
                break;
            }
            let Some(next) = m.timing.schedule.next_after(now) else {
                tracing::info!("schedule has no further firing");
                break;
            };
            // A monitor whose state was unavailable tries again after its retry backoff.
            let last_failed = ctx
                .status
                .monitors
                .lock()
                .map(|g| g.get(&m.name).is_some_and(|s| s.last_error.is_some()))
                .unwrap_or(false);
            let mut wake = next;
            if last_failed {
                wake = wake.min(now + m.retry.backoff.as_millis() as i64);
            }
            if let Some(u) = ctx.opts.until_ms {
                wake = wake.min(u);
            }
            if or_shutdown(ctx.clock.sleep_until(wake), &mut shutdown).await.is_none() {
                break;
            }
        }
    }
    .instrument(span)
    .await
}

/// Runs every monitor of the engine's configuration until `shutdown` turns true (or
/// [`ServeOptions::until_ms`] passes), then waits at most the configured grace for runs in
/// flight and abandons the rest.
pub async fn serve(
    engine: Arc<Engine>,
    clock: Clock,
    status: Arc<Status>,
    shutdown: watch::Receiver<bool>,
    opts: ServeOptions,
) -> ServeExit {
    let grace = engine.config().server.shutdown_grace;
    let n = engine.config().monitors.len();
    for m in &engine.config().monitors {
        status.with(&m.name, |_| {});
    }
    let ctx = Arc::new(Ctx {
        engine,
        clock,
        status: status.clone(),
        opts,
    });
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        set.spawn(monitor_loop(ctx.clone(), i, shutdown.clone()));
    }
    let mut sd = shutdown.clone();
    let mut exit = ServeExit::default();
    loop {
        tokio::select! {
            r = set.join_next() => {
                match r {
                    None => return exit,
                    Some(Err(e)) if e.is_panic() => {
                        tracing::error!(error = %e, "a monitor task panicked");
                    }
                    Some(_) => {}
                }
            }
            ch = sd.changed() => {
                if ch.is_err() || *sd.borrow() {
                    break;
                }
            }
        }
    }
    exit.signalled = true;
    status.shutting_down.store(true, Ordering::SeqCst);
    tracing::info!(
        grace_s = grace.as_secs_f64(),
        "shutting down: waiting for runs in flight"
    );
    let drained =
        tokio::time::timeout(grace, async { while set.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        set.abort_all();
        let in_progress: Vec<(usize, String)> = ctx
            .engine
            .config()
            .monitors
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                status
                    .monitors
                    .lock()
                    .map(|g| g.get(&m.name).is_some_and(|s| s.in_progress))
                    .unwrap_or(false)
            })
            .map(|(i, m)| (i, m.name.clone()))
            .collect();
        for (i, name) in in_progress {
            tracing::warn!(monitor = %name, "run abandoned after the shutdown grace period");
            if let Err(e) = ctx.engine.abandon(i) {
                tracing::error!(monitor = %name, error = %e, "lease not released");
            }
            exit.abandoned.push(name);
        }
    }
    tracing::info!(abandoned = exit.abandoned.len(), "stopped");
    exit
}
