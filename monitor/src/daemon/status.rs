//! The daemon's health and counters: what `/healthz` (JSON) and `/metrics` (Prometheus text
//! format 0.0.4) report, updated by the scheduler after every step of every monitor.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use driftmon_baseline::capture::format_timestamp_ms;

use crate::daemon::engine::WindowReport;

// ---------------------------------------------------------------------------------------------
// Status and /metrics
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub(crate) struct MonitorStats {
    pub(crate) runs: BTreeMap<&'static str, u64>,
    pub(crate) failed_attempts: u64,
    pub(crate) busy: u64,
    pub(crate) state_errors: u64,
    pub(crate) skipped_windows: u64,
    pub(crate) actions: BTreeMap<(&'static str, &'static str), u64>,
    pub(crate) in_progress: bool,
    pub(crate) last_duration_s: f64,
    pub(crate) last_scheduled_ms: Option<i64>,
    pub(crate) last_success_ms: Option<i64>,
    pub(crate) last_violations: u64,
    pub(crate) episode_open: bool,
    pub(crate) last_error: Option<String>,
}

/// What the daemon has done, for `/healthz`, `/metrics` and the tests.
#[derive(Debug, Default)]
pub struct Status {
    pub(crate) monitors: Mutex<BTreeMap<String, MonitorStats>>,
    pub(crate) shutting_down: AtomicBool,
    pub(crate) reports: Mutex<Vec<WindowReport>>,
}

impl Status {
    pub(crate) fn with(&self, monitor: &str, f: impl FnOnce(&mut MonitorStats)) {
        let mut g = self.monitors.lock().unwrap_or_else(|p| p.into_inner());
        f(g.entry(monitor.to_owned()).or_default());
    }

    /// Every window report so far, in completion order.
    pub fn reports(&self) -> Vec<WindowReport> {
        self.reports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether shutdown has begun.
    pub fn shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    pub(crate) fn record(&self, r: &WindowReport, duration: Duration) {
        self.with(&r.monitor, |s| {
            *s.runs.entry(r.status()).or_default() += 1;
            s.in_progress = false;
            s.last_duration_s = duration.as_secs_f64();
            s.last_scheduled_ms = Some(r.window.scheduled_ms);
            match &r.result {
                Ok(sum) => {
                    s.last_success_ms = Some(r.window.scheduled_ms);
                    s.last_violations = sum.violations.len() as u64;
                    s.last_error = None;
                }
                Err(f) => s.last_error = Some(f.message.clone()),
            }
            s.episode_open = r.episode.is_some();
            for a in &r.actions {
                let res = if a.error.is_none() { "ok" } else { "error" };
                *s.actions.entry((a.target.as_str(), res)).or_default() += 1;
            }
        });
        self.reports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(r.clone());
    }

    /// The Prometheus text exposition of the counters.
    pub fn prometheus(&self) -> String {
        let g = self.monitors.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, rows: Vec<(String, f64)>| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, v) in rows {
                if labels.is_empty() {
                    let _ = writeln!(out, "{name} {v}");
                } else {
                    let _ = writeln!(out, "{name}{{{labels}}} {v}");
                }
            }
        };
        let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let per = |f: &dyn Fn(&MonitorStats) -> f64| -> Vec<(String, f64)> {
            g.iter()
                .map(|(m, s)| (format!("monitor=\"{}\"", esc(m)), f(s)))
                .collect()
        };
        family(
            "driftmon_up",
            "gauge",
            "1 while the daemon serves (0 once shutdown began).",
            vec![(String::new(), if self.shutting_down() { 0.0 } else { 1.0 })],
        );
        let mut runs = Vec::new();
        for (m, s) in g.iter() {
            for st in ["Completed", "CompletedWithViolations", "Failed"] {
                runs.push((
                    format!("monitor=\"{}\",status=\"{st}\"", esc(m)),
                    s.runs.get(st).copied().unwrap_or(0) as f64,
                ));
            }
        }
        family(
            "driftmon_runs_total",
            "counter",
            "Windows processed, by SageMaker execution status.",
            runs,
        );
        family(
            "driftmon_run_failed_attempts_total",
            "counter",
            "Run attempts that failed (each retried with backoff until the attempts run out).",
            per(&|s| s.failed_attempts as f64),
        );
        family(
            "driftmon_lease_busy_total",
            "counter",
            "Windows not started because another process held the monitor's lease.",
            per(&|s| s.busy as f64),
        );
        family(
            "driftmon_state_errors_total",
            "counter",
            "Failures to read or write a monitor's state (store outage, conflict).",
            per(&|s| s.state_errors as f64),
        );
        family(
            "driftmon_skipped_windows_total",
            "counter",
            "Missed windows beyond the catch-up bound, skipped.",
            per(&|s| s.skipped_windows as f64),
        );
        let mut acts = Vec::new();
        for (m, s) in g.iter() {
            for ((a, r), n) in &s.actions {
                acts.push((
                    format!("monitor=\"{}\",action=\"{a}\",result=\"{r}\"", esc(m)),
                    *n as f64,
                ));
            }
        }
        family(
            "driftmon_actions_total",
            "counter",
            "Actions taken (pipeline, email, webhook), by result.",
            acts,
        );
        family(
            "driftmon_run_in_progress",
            "gauge",
            "1 while a window of the monitor is being processed.",
            per(&|s| if s.in_progress { 1.0 } else { 0.0 }),
        );
        family(
            "driftmon_last_run_duration_seconds",
            "gauge",
            "Duration of the last processed window (all attempts).",
            per(&|s| s.last_duration_s),
        );
        family(
            "driftmon_last_window_timestamp_seconds",
            "gauge",
            "Scheduled time of the last processed window.",
            per(&|s| s.last_scheduled_ms.unwrap_or(0) as f64 / 1000.0),
        );
        family(
            "driftmon_last_success_timestamp_seconds",
            "gauge",
            "Scheduled time of the last window that completed.",
            per(&|s| s.last_success_ms.unwrap_or(0) as f64 / 1000.0),
        );
        family(
            "driftmon_last_violations",
            "gauge",
            "Violations of the last completed window.",
            per(&|s| s.last_violations as f64),
        );
        family(
            "driftmon_drift_episode_open",
            "gauge",
            "1 while a drift episode is open.",
            per(&|s| if s.episode_open { 1.0 } else { 0.0 }),
        );
        out
    }

    /// `/healthz`: the status of every monitor as JSON.
    pub fn health(&self) -> serde_json::Value {
        let g = self.monitors.lock().unwrap_or_else(|p| p.into_inner());
        let monitors: serde_json::Map<String, serde_json::Value> = g
            .iter()
            .map(|(m, s)| {
                (
                    m.clone(),
                    serde_json::json!({
                        "in_progress": s.in_progress,
                        "last_window": s.last_scheduled_ms.map(format_timestamp_ms),
                        "last_success": s.last_success_ms.map(format_timestamp_ms),
                        "last_error": s.last_error,
                        "episode_open": s.episode_open,
                    }),
                )
            })
            .collect();
        serde_json::json!({
            "status": if self.shutting_down() { "shutting_down" } else { "ok" },
            "monitors": monitors,
        })
    }
}
