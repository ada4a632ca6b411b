//! The scheduler of `driftmon serve` with paused time (tokio's test clock) and in-memory ports:
//! windows and offsets, sub-hourly schedules, catch-up order and bound, retries with backoff,
//! the consecutive-window policy and cool-downs, retrain-once, failure isolation, no overlap
//! between two daemons, and the shutdown grace.

#![cfg(feature = "serve")]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use driftmon_baseline::capture::{format_timestamp_ms, parse_timestamp_ms};
use driftmon_monitor::adapters::actions::{Recorded, RecordingActions};
use driftmon_monitor::adapters::state_store::MemoryStore;
use driftmon_monitor::adapters::state_store::{CasError, ConditionalStore, StateRepo, Version};
use driftmon_monitor::adapters::store::StoreError;
use driftmon_monitor::config::{parse, ValidateContext, ValidatedConfig};
use driftmon_monitor::control::schedule::Window;
use driftmon_monitor::control::state::{MonitorState, NoticeEvent, ViolationKey};
use driftmon_monitor::daemon::engine::{Engine, RunFailure, RunSummary, WindowRunner};
use driftmon_monitor::daemon::scheduler::{serve, Clock, ServeOptions, Status};
use tokio::sync::watch;

const H: i64 = 3_600_000;
const MIN: i64 = 60_000;

fn t(s: &str) -> i64 {
    parse_timestamp_ms(s).unwrap()
}

fn config(monitors: &str) -> Arc<ValidatedConfig> {
    let text =
        format!("[server]\nlisten = \"127.0.0.1:0\"\nshutdown_grace_seconds = 1\n\n{monitors}");
    let env = |_: &str| None;
    let cfg = parse(
        &text,
        &ValidateContext {
            base_dir: None,
            env: &env,
        },
    )
    .unwrap_or_else(|e| panic!("config: {e}"));
    Arc::new(cfg)
}

fn monitor(name: &str, schedule: &str, extra: &str) -> String {
    format!(
        "[[monitor]]\nname = \"{name}\"\nendpoint = \"ep\"\ncapture = \"/capture\"\nbaseline = \"/baseline\"\noutput = \"/out/{name}\"\nschedule = \"{schedule}\"\n{extra}\n"
    )
}

/// One call of the scripted runner.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    monitor: String,
    window: Window,
    at_ms: i64,
}

/// A runner whose results are scripted per monitor and scheduled time.
struct Scripted {
    clock: Clock,
    calls: Mutex<Vec<Call>>,
    /// Violating windows: monitor → scheduled times from which every window violates.
    drift_from: BTreeMap<String, i64>,
    /// Retryable failures left per (monitor, scheduled time).
    failures: Mutex<BTreeMap<(String, i64), u32>>,
    /// Monitors that always fail for good.
    broken: Vec<String>,
    /// Real time each run takes (for the overlap and shutdown tests).
    busy: Duration,
    active: Mutex<BTreeMap<String, usize>>,
    max_active: AtomicUsize,
}

impl Scripted {
    fn new(clock: Clock) -> Scripted {
        Scripted {
            clock,
            calls: Mutex::new(Vec::new()),
            drift_from: BTreeMap::new(),
            failures: Mutex::new(BTreeMap::new()),
            broken: Vec::new(),
            busy: Duration::ZERO,
            active: Mutex::new(BTreeMap::new()),
            max_active: AtomicUsize::new(0),
        }
    }
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
    fn scheduled(&self, monitor: &str) -> Vec<String> {
        self.calls()
            .iter()
            .filter(|c| c.monitor == monitor)
            .map(|c| format_timestamp_ms(c.window.scheduled_ms))
            .collect()
    }
}

impl WindowRunner for Scripted {
    fn run(
        &self,
        m: &driftmon_monitor::config::MonitorConfig,
        w: &Window,
    ) -> Result<RunSummary, RunFailure> {
        {
            let mut a = self.active.lock().unwrap();
            let n = a.entry(m.name.clone()).or_default();
            *n += 1;
            self.max_active.fetch_max(*n, Ordering::SeqCst);
        }
        self.calls.lock().unwrap().push(Call {
            monitor: m.name.clone(),
            window: *w,
            at_ms: self.clock.now_ms(),
        });
        if !self.busy.is_zero() {
            std::thread::sleep(self.busy);
        }
        *self.active.lock().unwrap().get_mut(&m.name).unwrap() -= 1;
        if self.broken.contains(&m.name) {
            return Err(RunFailure {
                message: "Job inputs had no data".into(),
                retryable: false,
            });
        }
        if let Some(left) = self
            .failures
            .lock()
            .unwrap()
            .get_mut(&(m.name.clone(), w.scheduled_ms))
        {
            if *left > 0 {
                *left -= 1;
                return Err(RunFailure {
                    message: "s3://bucket/key: connection refused".into(),
                    retryable: true,
                });
            }
        }
        let violations = match self.drift_from.get(&m.name) {
            Some(&from) if w.scheduled_ms >= from => vec![ViolationKey {
                check_type: "baseline_drift_check".into(),
                feature: Some("income".into()),
            }],
            _ => Vec::new(),
        };
        Ok(RunSummary {
            violations,
            message: String::new(),
        })
    }
}

fn engine(
    cfg: &Arc<ValidatedConfig>,
    runner: Arc<Scripted>,
    actions: Arc<RecordingActions>,
    store: Arc<dyn ConditionalStore>,
    owner: &str,
) -> Arc<Engine> {
    Arc::new(
        Engine::new(cfg.clone(), runner, actions, owner.into(), |_| {
            Ok((store.clone(), "state".to_owned()))
        })
        .unwrap(),
    )
}

async fn run_until(engine: Arc<Engine>, clock: Clock, until: &str, inline: bool) -> Arc<Status> {
    let status = Arc::new(Status::default());
    let (_tx, rx) = watch::channel(false);
    serve(
        engine,
        clock,
        status.clone(),
        rx,
        ServeOptions {
            inline,
            until_ms: Some(t(until)),
        },
    )
    .await;
    status
}

#[tokio::test(start_paused = true)]
async fn hourly_windows_with_an_end_offset_run_at_their_fire_times() {
    let cfg = config(&monitor("m", "cron(0 * ? * * *)", "end_offset = \"-PT5M\""));
    let clock = Clock::simulated(t("2026-11-21T10:30:00Z"), 1.0);
    let runner = Arc::new(Scripted::new(clock.clone()));
    let e = engine(
        &cfg,
        runner.clone(),
        Arc::default(),
        Arc::new(MemoryStore::default()),
        "a",
    );
    let status = run_until(e, clock, "2026-11-21T14:00:00Z", true).await;
    let calls = runner.calls();
    // A new monitor starts with the latest due window (10:00), then each hour.
    assert_eq!(
        runner.scheduled("m"),
        [
            "2026-11-21T10:00:00Z",
            "2026-11-21T11:00:00Z",
            "2026-11-21T12:00:00Z",
            "2026-11-21T13:00:00Z",
            "2026-11-21T14:00:00Z"
        ]
    );
    for c in &calls {
        // The end offset moves the hour back by five minutes, keeping its length.
        assert_eq!(c.window.end_ms, c.window.scheduled_ms - 5 * MIN);
        assert_eq!(c.window.start_ms, c.window.scheduled_ms - H - 5 * MIN);
    }
    // Each scheduled window ran at its fire time (the first one at start-up).
    assert_eq!(calls[0].at_ms, t("2026-11-21T10:30:00Z"));
    for c in &calls[1..] {
        assert_eq!(c.at_ms, c.window.scheduled_ms, "{c:?}");
    }
    let reports = status.reports();
    assert_eq!(reports.len(), 5);
    assert!(reports.iter().all(|r| r.status() == "Completed"));
    assert!(
        reports[1].output.ends_with("ep/m/2026/11/21/11"),
        "{}",
        reports[1].output
    );
}

#[tokio::test(start_paused = true)]
async fn sub_hourly_rate_windows_and_minute_output_folders() {
    let cfg = config(&monitor("q", "rate(15 minutes)", ""));
    let clock = Clock::simulated(t("2026-11-21T10:01:00Z"), 1.0);
    let runner = Arc::new(Scripted::new(clock.clone()));
    let e = engine(
        &cfg,
        runner.clone(),
        Arc::default(),
        Arc::new(MemoryStore::default()),
        "a",
    );
    let status = run_until(e, clock, "2026-11-21T11:00:00Z", true).await;
    assert_eq!(
        runner.scheduled("q"),
        [
            "2026-11-21T10:00:00Z",
            "2026-11-21T10:15:00Z",
            "2026-11-21T10:30:00Z",
            "2026-11-21T10:45:00Z",
            "2026-11-21T11:00:00Z"
        ]
    );
    for c in runner.calls() {
        assert_eq!(c.window.len_ms(), 15 * MIN);
        assert_eq!(c.window.end_ms, c.window.scheduled_ms);
    }
    assert!(status.reports()[2]
        .output
        .ends_with("ep/q/2026/11/21/10/30"));
}

#[tokio::test(start_paused = true)]
async fn catch_up_after_an_outage_is_ordered_and_bounded() {
    let cfg = config(&monitor("m", "cron(0 * ? * * *)", "max_catch_up = 3"));
    let store: Arc<dyn ConditionalStore> = Arc::new(MemoryStore::default());
    // The daemon was down since the 00:00 window.
    let mut s = MonitorState::new("m");
    s.cursor_ms = Some(t("2026-11-21T00:00:00Z"));
    StateRepo::new(store.as_ref(), "state")
        .save(&s, None)
        .unwrap();
    let clock = Clock::simulated(t("2026-11-21T10:20:00Z"), 1.0);
    let runner = Arc::new(Scripted::new(clock.clone()));
    let e = engine(&cfg, runner.clone(), Arc::default(), store.clone(), "a");
    let status = run_until(e.clone(), clock, "2026-11-21T11:30:00Z", true).await;
    // The three newest missed windows, oldest first, then the next one on time.
    assert_eq!(
        runner.scheduled("m"),
        [
            "2026-11-21T08:00:00Z",
            "2026-11-21T09:00:00Z",
            "2026-11-21T10:00:00Z",
            "2026-11-21T11:00:00Z"
        ]
    );
    // 01:00 … 07:00 were skipped and recorded.
    let st = e.state(0).unwrap();
    assert_eq!(st.skipped_windows, 7);
    assert_eq!(st.cursor_ms, Some(t("2026-11-21T11:00:00Z")));
    assert!(status
        .prometheus()
        .contains("driftmon_skipped_windows_total{monitor=\"m\"} 7"));
}

#[tokio::test(start_paused = true)]
async fn failed_runs_are_retried_with_backoff() {
    let cfg = config(&monitor(
        "m",
        "cron(0 * ? * * *)",
        "retry_attempts = 3\nretry_backoff = \"PT30S\"",
    ));
    let clock = Clock::simulated(t("2026-11-21T10:59:00Z"), 1.0);
    let r = Scripted::new(clock.clone());
    r.failures
        .lock()
        .unwrap()
        .insert(("m".into(), t("2026-11-21T11:00:00Z")), 2);
    r.failures
        .lock()
        .unwrap()
        .insert(("m".into(), t("2026-11-21T12:00:00Z")), 5);
    let runner = Arc::new(r);
    let e = engine(
        &cfg,
        runner.clone(),
        Arc::default(),
        Arc::new(MemoryStore::default()),
        "a",
    );
    let status = run_until(e, clock, "2026-11-21T12:30:00Z", true).await;
    let at = |s: &str| -> Vec<i64> {
        runner
            .calls()
            .iter()
            .filter(|c| c.window.scheduled_ms == t(s))
            .map(|c| c.at_ms - t(s))
            .collect()
    };
    // Attempts at +0, +30 s, +90 s (backoff doubles).
    assert_eq!(at("2026-11-21T11:00:00Z"), [0, 30_000, 90_000]);
    assert_eq!(at("2026-11-21T12:00:00Z"), [0, 30_000, 90_000]);
    let reports = status.reports();
    let by = |s: &str| {
        reports
            .iter()
            .find(|r| r.window.scheduled_ms == t(s))
            .unwrap()
            .clone()
    };
    assert_eq!(by("2026-11-21T11:00:00Z").status(), "Completed");
    assert_eq!(by("2026-11-21T11:00:00Z").attempts, 3);
    // Out of attempts: recorded as Failed, and the schedule goes on.
    assert_eq!(by("2026-11-21T12:00:00Z").status(), "Failed");
    let prom = status.prometheus();
    assert!(
        prom.contains("driftmon_run_failed_attempts_total{monitor=\"m\"} 5"),
        "{prom}"
    );
    assert!(prom.contains("driftmon_runs_total{monitor=\"m\",status=\"Failed\"} 1"));
}

#[tokio::test(start_paused = true)]
async fn consecutive_windows_cooldowns_and_retrain_once() {
    let extra = r#"
[monitor.policy]
consecutive_windows = 2
clean_windows_to_close = 2
[monitor.actions.pipeline]
pipeline_name = "retrain"
cooldown = "PT1H"
[monitor.actions.pipeline.parameters]
Episode = "{episode_id}"
WindowStart = "{window_start}"
[monitor.actions.email]
to = ["oncall@example.com"]
from = "driftmon@example.com"
smtp_host = "127.0.0.1"
smtp_port = 25
tls = "none"
cooldown = "PT2H"
[monitor.actions.webhook]
url = "http://127.0.0.1:9/hook"
cooldown = "PT0S"
"#;
    let cfg = config(&monitor("m", "cron(0 * ? * * *)", extra));
    let clock = Clock::simulated(t("2026-11-21T10:00:00Z"), 1.0);
    let mut r = Scripted::new(clock.clone());
    r.drift_from.insert("m".into(), t("2026-11-21T12:00:00Z"));
    let runner = Arc::new(r);
    let actions = Arc::new(RecordingActions::default());
    let e = engine(
        &cfg,
        runner.clone(),
        actions.clone(),
        Arc::new(MemoryStore::default()),
        "a",
    );
    run_until(e.clone(), clock, "2026-11-21T18:00:00Z", true).await;
    let rec = actions.recorded();
    let emails: Vec<(String, NoticeEvent)> = rec
        .iter()
        .filter_map(|r| match r {
            Recorded::Email { notice, .. } => Some((
                format_timestamp_ms(notice.window.scheduled_ms),
                notice.event.clone(),
            )),
            _ => None,
        })
        .collect();
    // 12:00 is the first violating window; the second (13:00) opens the episode. E-mail every
    // two hours at most; the webhook (no cool-down) on every violating window of the episode.
    assert_eq!(
        emails,
        [
            ("2026-11-21T13:00:00Z".into(), NoticeEvent::DriftDetected),
            ("2026-11-21T15:00:00Z".into(), NoticeEvent::DriftContinues),
            ("2026-11-21T17:00:00Z".into(), NoticeEvent::DriftContinues),
        ]
    );
    let hooks = rec
        .iter()
        .filter(|r| matches!(r, Recorded::Webhook { .. }))
        .count();
    assert_eq!(hooks, 6, "13:00 … 18:00");
    // The pipeline starts once for the episode although its cool-down (1 h) has long passed.
    let starts: Vec<_> = rec
        .iter()
        .filter_map(|r| match r {
            Recorded::Pipeline(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(starts.len(), 1);
    let p = &starts[0];
    assert_eq!(p.pipeline_name, "retrain");
    assert_eq!(
        p.parameters,
        [
            ("Episode".to_owned(), "m@2026-11-21T12:00:00Z".to_owned()),
            ("WindowStart".to_owned(), "2026-11-21T12:00:00Z".to_owned()),
        ]
    );
    let st = e.state(0).unwrap();
    assert_eq!(st.pending_retrain, None);
    assert_eq!(
        st.retrain_triggered_for_episode.as_deref(),
        Some("m@2026-11-21T12:00:00Z")
    );
    assert_eq!(st.violation_streak, 7);
}

/// A state store that is down.
struct Down;
impl ConditionalStore for Down {
    fn get_versioned(&self, key: &str) -> Result<Option<(Vec<u8>, Version)>, StoreError> {
        Err(StoreError::Remote {
            uri: format!("s3://down/{key}"),
            msg: "connection refused".into(),
        })
    }
    fn put_if(&self, key: &str, _: &[u8], _: Option<&Version>) -> Result<Version, CasError> {
        Err(CasError::Store(StoreError::Remote {
            uri: format!("s3://down/{key}"),
            msg: "connection refused".into(),
        }))
    }
    fn guarantee(&self) -> driftmon_monitor::adapters::state_store::CasGuarantee {
        driftmon_monitor::adapters::state_store::CasGuarantee::Atomic
    }
    fn uri(&self, key: &str) -> String {
        format!("s3://down/{key}")
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_monitor_does_not_stop_the_others() {
    let cfg = config(&format!(
        "{}{}{}",
        monitor("good", "cron(0 * ? * * *)", ""),
        monitor("no-data", "cron(0 * ? * * *)", ""),
        monitor("store-down", "cron(0 * ? * * *)", ""),
    ));
    let clock = Clock::simulated(t("2026-11-21T10:00:00Z"), 1.0);
    let mut r = Scripted::new(clock.clone());
    r.broken.push("no-data".into());
    let runner = Arc::new(r);
    let memory: Arc<dyn ConditionalStore> = Arc::new(MemoryStore::default());
    let e = Arc::new(
        Engine::new(
            cfg.clone(),
            runner.clone(),
            Arc::new(RecordingActions::default()),
            "a".into(),
            |out: &Path| {
                let s: Arc<dyn ConditionalStore> = if out.ends_with("store-down") {
                    Arc::new(Down)
                } else {
                    memory.clone()
                };
                Ok((s, "state".to_owned()))
            },
        )
        .unwrap(),
    );
    let status = run_until(e, clock, "2026-11-21T13:00:00Z", true).await;
    assert_eq!(runner.scheduled("good").len(), 4);
    assert_eq!(runner.scheduled("no-data").len(), 4);
    assert!(runner.scheduled("store-down").is_empty());
    let prom = status.prometheus();
    assert!(prom.contains("driftmon_runs_total{monitor=\"good\",status=\"Completed\"} 4"));
    assert!(prom.contains("driftmon_runs_total{monitor=\"no-data\",status=\"Failed\"} 4"));
    assert!(prom.contains("driftmon_state_errors_total{monitor=\"store-down\"}"));
    assert!(!prom.contains("driftmon_state_errors_total{monitor=\"store-down\"} 0"));
    let health = status.health();
    let err = health["monitors"]["store-down"]["last_error"]
        .as_str()
        .unwrap();
    assert!(
        err.contains("s3://down/state/.driftmon/state/store-down.json"),
        "{err}"
    );
    assert!(err.contains("connection refused"), "{err}");
}

/// Two daemons over one state store, in real (fast-forwarded) time with runs on the blocking
/// pool: every window runs exactly once, never two at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_daemons_never_run_a_window_twice() {
    let cfg = config(&monitor("m", "rate(1 hour)", "lease = \"PT2H\""));
    // One simulated hour per 100 ms of real time; each run takes 30 ms.
    let start = t("2026-11-21T10:00:00Z");
    let clock = Clock::simulated(start, 36_000.0);
    let mut r = Scripted::new(clock.clone());
    r.busy = Duration::from_millis(30);
    let runner = Arc::new(r);
    let store: Arc<dyn ConditionalStore> = Arc::new(MemoryStore::default());
    let a = engine(
        &cfg,
        runner.clone(),
        Arc::default(),
        store.clone(),
        "host-a:1:x",
    );
    let b = engine(
        &cfg,
        runner.clone(),
        Arc::default(),
        store.clone(),
        "host-b:1:y",
    );
    let until = "2026-11-21T20:00:00Z";
    let (sa, sb) = tokio::join!(
        run_until(a, clock.clone(), until, false),
        run_until(b, clock.clone(), until, false)
    );
    let mut got = runner.scheduled("m");
    let n = got.len();
    got.sort();
    got.dedup();
    assert_eq!(
        got.len(),
        n,
        "a window ran twice: {:?}",
        runner.scheduled("m")
    );
    assert!(n >= 10, "windows 10:00 … 20:00 expected, got {got:?}");
    assert_eq!(runner.max_active.load(Ordering::SeqCst), 1);
    assert_eq!(sa.reports().len() + sb.reports().len(), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_abandons_runs_after_the_grace_period_and_releases_the_lease() {
    let cfg = config(&monitor("m", "rate(1 hour)", ""));
    let clock = Clock::simulated(t("2026-11-21T10:30:00Z"), 1.0);
    let mut r = Scripted::new(clock.clone());
    r.busy = Duration::from_secs(3);
    let runner = Arc::new(r);
    let e = engine(
        &cfg,
        runner.clone(),
        Arc::default(),
        Arc::new(MemoryStore::default()),
        "a",
    );
    let status = Arc::new(Status::default());
    let (tx, rx) = watch::channel(false);
    let task = tokio::spawn(serve(
        e.clone(),
        clock,
        status.clone(),
        rx,
        ServeOptions::default(),
    ));
    // Wait until the first run is in flight, then ask to stop.
    while runner.calls().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let t0 = std::time::Instant::now();
    tx.send(true).unwrap();
    let exit = task.await.unwrap();
    let waited = t0.elapsed();
    assert!(exit.signalled);
    assert_eq!(exit.abandoned, ["m"]);
    // The grace is one second; the run would have taken three.
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_millis(2500),
        "{waited:?}"
    );
    assert!(status.shutting_down());
    let st = e.state(0).unwrap();
    assert_eq!(st.lease, None, "the abandoned run's lease is released");
    assert_eq!(st.cursor_ms, None, "the abandoned window is not done");
}
