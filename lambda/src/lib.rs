//! # driftmon-lambda
//!
//! driftmon as an AWS Lambda function: the daemon's engine ([`driftmon_monitor::engine`]) driven
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
use driftmon_monitor::config::{MonitorConfig, MonitorKind, ValidateContext, ValidatedConfig};
use driftmon_monitor::engine::{ActionReport, Engine, EngineError, WindowReport};
use driftmon_monitor::monitor_state::{LeaseDenied, LeaseMode, StateError};
use driftmon_monitor::schedule::Window;
use serde_json::{json, Value};

const HOUR_MS: i64 = 3_600_000;
/// At most this many windows are re-run for one ground-truth object (a `rate(1 minute)`
/// schedule has 60 per hour).
const MAX_WINDOWS_PER_OBJECT: usize = 512;

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// One S3 object named by an ObjectCreated notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedObject {
    /// The bucket.
    pub bucket: String,
    /// The key, URL-decoded.
    pub key: String,
}

/// What an event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// The due windows of one monitor (or of all) at a time (or now).
    Scheduled {
        /// `None`: every monitor.
        monitor: Option<String>,
        /// The schedule's time; `None`: the function's clock.
        at_ms: Option<i64>,
    },
    /// New objects in S3 (ground truth).
    ObjectsCreated {
        /// The ObjectCreated records' objects.
        objects: Vec<CreatedObject>,
        /// Records of other kinds (ObjectRemoved, …), described.
        other: Vec<String>,
    },
    /// A direct re-run of `[start, end)`.
    Direct {
        /// The monitor.
        monitor: String,
        /// Window start (inclusive), ms.
        start_ms: i64,
        /// Window end (exclusive) and scheduled time, ms.
        end_ms: i64,
    },
}

/// An event that no retry can make acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Rejected(pub String);

fn time_field(v: &Value, name: &str) -> Result<Option<i64>, Rejected> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_timestamp_ms(s).map(Some).ok_or_else(|| {
            Rejected(format!(
                "`{name}`: {s:?} is not an ISO-8601 UTC time (e.g. 2026-11-21T14:00:00Z)"
            ))
        }),
        Some(other) => Err(Rejected(format!(
            "`{name}` must be an ISO-8601 string, not {other}"
        ))),
    }
}

fn monitor_field(v: &Value) -> Result<Option<String>, Rejected> {
    match v.get("monitor") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(other) => Err(Rejected(format!(
            "`monitor` must be a monitor's name, not {other}"
        ))),
    }
}

/// Decodes an S3 notification's key (`application/x-www-form-urlencoded`: `+` is a space).
pub fn decode_s3_key(key: &str) -> String {
    let b = key.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(x) => {
                        out.push(x);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Recognises an event (module documentation).
pub fn parse_event(event: &Value) -> Result<Invocation, Rejected> {
    let Some(obj) = event.as_object() else {
        return Err(Rejected(format!(
            "the event must be a JSON object, not {event}"
        )));
    };
    if obj.contains_key("Records") {
        let s3: S3Event = serde_json::from_value(event.clone())
            .map_err(|e| Rejected(format!("not an S3 notification: {e}")))?;
        let mut objects = Vec::new();
        let mut other = Vec::new();
        for r in s3.records {
            let name = r.event_name.clone().unwrap_or_default();
            let source = r.event_source.clone().unwrap_or_default();
            let (Some(bucket), Some(key)) = (r.s3.bucket.name.clone(), r.s3.object.key.clone())
            else {
                other.push(format!("{source} {name}: no bucket or key"));
                continue;
            };
            let key = decode_s3_key(&key);
            if source == "aws:s3" && name.starts_with("ObjectCreated:") {
                objects.push(CreatedObject { bucket, key });
            } else {
                other.push(format!("{source} {name} s3://{bucket}/{key}"));
            }
        }
        return Ok(Invocation::ObjectsCreated { objects, other });
    }
    if obj.contains_key("detail-type") {
        let ev: CloudWatchEvent<Value> = serde_json::from_value(event.clone())
            .map_err(|e| Rejected(format!("not an EventBridge event: {e}")))?;
        let kind = ev.detail_type.as_deref().unwrap_or("");
        if kind == "Object Created" && ev.source.as_deref() == Some("aws.s3") {
            // S3's EventBridge notification: the key is not URL-encoded here.
            let d = ev.detail.unwrap_or(Value::Null);
            let (Some(bucket), Some(key)) =
                (d["bucket"]["name"].as_str(), d["object"]["key"].as_str())
            else {
                return Err(Rejected(
                    "an S3 `Object Created` event without detail.bucket.name and detail.object.key"
                        .into(),
                ));
            };
            return Ok(Invocation::ObjectsCreated {
                objects: vec![CreatedObject {
                    bucket: bucket.to_owned(),
                    key: key.to_owned(),
                }],
                other: Vec::new(),
            });
        }
        if kind != "Scheduled Event" {
            return Err(Rejected(format!(
                "EventBridge `{kind}` events are not handled (only `Scheduled Event` and S3 \
                 `Object Created`)"
            )));
        }
        let monitor = match &ev.detail {
            Some(d) => monitor_field(d)?,
            None => None,
        };
        return Ok(Invocation::Scheduled {
            monitor,
            at_ms: Some(ev.time.timestamp_millis()),
        });
    }
    let monitor = monitor_field(event)?;
    if obj.contains_key("start") || obj.contains_key("end") {
        let monitor = monitor
            .ok_or_else(|| Rejected("a direct invoke needs `monitor`, `start` and `end`".into()))?;
        let (Some(start_ms), Some(end_ms)) =
            (time_field(event, "start")?, time_field(event, "end")?)
        else {
            return Err(Rejected(
                "a direct invoke needs both `start` and `end`".into(),
            ));
        };
        if start_ms >= end_ms {
            return Err(Rejected(format!(
                "`start` ({}) must be before `end` ({})",
                format_timestamp_ms(start_ms),
                format_timestamp_ms(end_ms)
            )));
        }
        return Ok(Invocation::Direct {
            monitor,
            start_ms,
            end_ms,
        });
    }
    let known = ["monitor", "time"];
    if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(Rejected(format!(
            "unrecognised event (key `{k}`): expected an EventBridge Scheduled Event, an S3 \
             notification, {{\"monitor\", \"start\", \"end\"}} or {{\"monitor\", \"time\"}}"
        )));
    }
    Ok(Invocation::Scheduled {
        monitor,
        at_ms: time_field(event, "time")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Ground truth → windows
// ---------------------------------------------------------------------------------------------

/// The hour (ms) a ground-truth key belongs to, if `uri` (`s3://bucket/key`) lies under the
/// ground-truth root `root` as `<root>/YYYY/MM/DD/HH/<file>`.
pub fn ground_truth_hour(root: &Path, uri: &str) -> Option<i64> {
    let root = root.to_string_lossy();
    let root = root.trim_end_matches('/');
    let rest = uri.strip_prefix(root)?.strip_prefix('/')?;
    let parts: Vec<&str> = rest.splitn(5, '/').collect();
    if parts.len() != 5 || parts[4].is_empty() || parts[4].ends_with('/') {
        return None;
    }
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|c| c.is_ascii_digit());
    if !(digits(parts[0], 4) && digits(parts[1], 2) && digits(parts[2], 2) && digits(parts[3], 2)) {
        return None;
    }
    parse_timestamp_ms(&format!(
        "{}-{}-{}T{}:00:00Z",
        parts[0], parts[1], parts[2], parts[3]
    ))
}

/// The windows of `m` scheduled at or before `done_until_ms` whose ground-truth range
/// (`[start, max(scheduled, end))`, as the engine reads labels) overlaps the hour
/// `[hour_ms, hour_ms + 1h)`, oldest first.
pub fn windows_for_ground_truth_hour(
    m: &MonitorConfig,
    hour_ms: i64,
    done_until_ms: i64,
) -> Vec<Window> {
    let sch = &m.timing.schedule;
    let hour_end = hour_ms + HOUR_MS;
    let mut out = Vec::new();
    let mut at = sch
        .at_or_before(hour_ms)
        .or_else(|| sch.next_after(hour_ms));
    while let Some(t) = at {
        if t > done_until_ms || out.len() >= MAX_WINDOWS_PER_OBJECT {
            break;
        }
        if let Some(w) = m.timing.window_at(t) {
            if w.start_ms >= hour_end {
                break;
            }
            if w.scheduled_ms.max(w.end_ms) > hour_ms {
                out.push(w);
            }
        }
        at = sch.next_after(t);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The handler
// ---------------------------------------------------------------------------------------------

/// A failure that a later attempt may fix: the invocation fails and Lambda retries it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Retryable(pub String);

/// Whether an engine error may go away by itself (a lease held by another invocation, a
/// state conflict, a store outage) or not (an unknown monitor, a corrupt state).
pub fn engine_error_is_retryable(e: &EngineError) -> bool {
    match e {
        EngineError::State(StateError::Conflict { .. })
        | EngineError::State(StateError::Store(_)) => true,
        EngineError::State(StateError::Corrupt { .. }) => false,
        EngineError::Lease(LeaseDenied::Held { .. })
        | EngineError::Lease(LeaseDenied::Lost { .. }) => true,
        EngineError::Lease(LeaseDenied::AlreadyDone { .. }) => false,
        EngineError::UnknownMonitor(_) => false,
    }
}

/// The engine and the clocks of one Lambda process (built once, at init).
pub struct Handler {
    engine: Engine,
    clock: Box<dyn Fn() -> i64 + Send + Sync>,
    sleep: Box<dyn Fn(Duration) + Send + Sync>,
}

/// The wall clock in ms.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The lease owner of this Lambda process: `lambda/<function>/<log stream>/<nonce>`. Each
/// execution environment has its own log stream, so two overlapping invocations (which always
/// run in different environments) have different owners. It has no `:`, so the daemon's
/// "dead process on this host" takeover never applies to it.
pub fn lambda_owner(env: &dyn Fn(&str) -> Option<String>) -> String {
    let clean = |s: String| s.replace(':', "_");
    let function = env("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|| "driftmon".into());
    let stream =
        env("AWS_LAMBDA_LOG_STREAM_NAME").unwrap_or_else(|| format!("pid-{}", std::process::id()));
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    clean(format!("lambda/{function}/{stream}/{nonce:08x}"))
}

impl Handler {
    /// A handler over `engine`, with the wall clock and real sleeps.
    pub fn new(engine: Engine) -> Handler {
        Handler {
            engine,
            clock: Box::new(now_ms),
            sleep: Box::new(std::thread::sleep),
        }
    }

    /// Replaces the clock and the sleep (tests).
    pub fn with_clock(
        mut self,
        clock: impl Fn() -> i64 + Send + Sync + 'static,
        sleep: impl Fn(Duration) + Send + Sync + 'static,
    ) -> Handler {
        self.clock = Box::new(clock);
        self.sleep = Box::new(sleep);
        self
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Handles one event (module documentation): blocking, call it off the async runtime.
    pub fn handle(&self, event: &Value) -> Result<Value, Retryable> {
        let inv = match parse_event(event) {
            Ok(i) => i,
            Err(r) => return Ok(rejected(&r.0, "unknown", Vec::new())),
        };
        match inv {
            Invocation::Scheduled { monitor, at_ms } => self.scheduled(monitor.as_deref(), at_ms),
            Invocation::Direct {
                monitor,
                start_ms,
                end_ms,
            } => self.direct(&monitor, start_ms, end_ms),
            Invocation::ObjectsCreated { objects, other } => self.objects_created(&objects, &other),
        }
    }

    fn index(&self, name: &str) -> Result<usize, String> {
        self.engine.monitor_index(name).map_err(|e| {
            let known: Vec<&str> = self
                .engine
                .config()
                .monitors
                .iter()
                .map(|m| m.name.as_str())
                .collect();
            format!("{e} (monitors: {})", known.join(", "))
        })
    }

    fn scheduled(&self, monitor: Option<&str>, at_ms: Option<i64>) -> Result<Value, Retryable> {
        let indices: Vec<usize> = match monitor {
            Some(name) => match self.index(name) {
                Ok(i) => vec![i],
                Err(msg) => return Ok(rejected(&msg, "scheduled", Vec::new())),
            },
            None => (0..self.engine.config().monitors.len()).collect(),
        };
        let at = at_ms.unwrap_or_else(|| (self.clock)());
        let mut windows = Vec::new();
        let mut notes = Vec::new();
        let mut retry = Vec::new();
        let mut fatal = Vec::new();
        for i in indices {
            let name = self.engine.config().monitors[i].name.clone();
            match self.scheduled_monitor(i, at, &mut windows, &mut notes) {
                Ok(()) => {}
                Err(e) if engine_error_is_retryable(&e) => retry.push(format!("{name}: {e}")),
                Err(e) => fatal.push(format!("{name}: {e}")),
            }
        }
        if !retry.is_empty() {
            return Err(Retryable(retry.join("; ")));
        }
        let mut body = json!({
            "ok": fatal.is_empty(),
            "event": "scheduled",
            "time": format_timestamp_ms(at),
            "windows": windows,
            "notes": notes,
        });
        if !fatal.is_empty() {
            body["retryable"] = json!(false);
            body["error"] = json!(fatal.join("; "));
        }
        Ok(body)
    }

    fn scheduled_monitor(
        &self,
        i: usize,
        at: i64,
        windows: &mut Vec<Value>,
        notes: &mut Vec<Value>,
    ) -> Result<(), EngineError> {
        let name = self.engine.config().monitors[i].name.clone();
        if let Some(r) = self.engine.recover_pending(i, &*self.sleep)? {
            notes.push(json!({
                "monitor": name,
                "recovered_pending_retrain": action_json(&r),
            }));
        }
        let plan = self.engine.plan(i, at)?;
        if let Some(s) = &plan.skipped {
            notes.push(json!({
                "monitor": name,
                "skipped_windows": s.count,
                "first_skipped": format_timestamp_ms(s.first_scheduled_ms),
                "last_skipped": format_timestamp_ms(s.last_scheduled_ms),
            }));
        }
        if plan.run.is_empty() {
            notes.push(json!({
                "monitor": name,
                "note": format!("no window due at {} (already done)", format_timestamp_ms(at)),
            }));
        }
        for w in plan.run {
            match self.engine.process_window(
                i,
                &w,
                LeaseMode::Scheduled,
                &*self.clock,
                &*self.sleep,
            ) {
                Ok(r) => windows.push(report_json(&r)),
                Err(EngineError::Lease(LeaseDenied::AlreadyDone { window, .. })) => {
                    notes.push(json!({
                        "monitor": name,
                        "note": format!("window {window} already done"),
                    }))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn rerun(&self, i: usize, w: &Window) -> Result<WindowReport, EngineError> {
        self.engine
            .process_window(i, w, LeaseMode::Rerun, &*self.clock, &*self.sleep)
    }

    fn direct(&self, monitor: &str, start_ms: i64, end_ms: i64) -> Result<Value, Retryable> {
        let i = match self.index(monitor) {
            Ok(i) => i,
            Err(msg) => return Ok(rejected(&msg, "direct", Vec::new())),
        };
        let w = Window {
            scheduled_ms: end_ms,
            start_ms,
            end_ms,
        };
        match self.rerun(i, &w) {
            Ok(r) => {
                if let Err(f) = &r.result {
                    if f.retryable {
                        return Err(Retryable(format!(
                            "{monitor} {w}: {} (after {} attempts)",
                            f.message, r.attempts
                        )));
                    }
                }
                Ok(json!({"ok": true, "event": "direct", "windows": [report_json(&r)]}))
            }
            Err(e) if engine_error_is_retryable(&e) => Err(Retryable(format!("{monitor}: {e}"))),
            Err(e) => Ok(rejected(&format!("{monitor}: {e}"), "direct", Vec::new())),
        }
    }

    fn objects_created(
        &self,
        objects: &[CreatedObject],
        other: &[String],
    ) -> Result<Value, Retryable> {
        let cfg = self.engine.config();
        let mut ignored: Vec<Value> = other
            .iter()
            .map(|o| json!({"object": o, "reason": "not an ObjectCreated record"}))
            .collect();
        let mut todo: BTreeSet<(usize, Window)> = BTreeSet::new();
        let mut done_until: Vec<Option<Option<i64>>> = vec![None; cfg.monitors.len()];
        for o in objects {
            let uri = format!("s3://{}/{}", o.bucket, o.key);
            let mut matched = false;
            for (i, m) in cfg.monitors.iter().enumerate() {
                let Some(mq) = &m.model_quality else { continue };
                if m.kind != MonitorKind::ModelQuality {
                    continue;
                }
                let Some(hour) = ground_truth_hour(&mq.ground_truth, &uri) else {
                    continue;
                };
                matched = true;
                // Only windows the schedule already ran: later ones will read the labels anyway.
                let cursor = match done_until[i] {
                    Some(c) => c,
                    None => {
                        let c = match self.engine.state(i) {
                            Ok(s) => s.cursor_ms,
                            Err(e) if engine_error_is_retryable(&e) => {
                                return Err(Retryable(format!("{}: {e}", m.name)))
                            }
                            Err(e) => {
                                return Ok(rejected(&format!("{}: {e}", m.name), "s3", Vec::new()))
                            }
                        };
                        done_until[i] = Some(c);
                        c
                    }
                };
                let limit = cursor.unwrap_or(i64::MIN).min((self.clock)());
                let ws = windows_for_ground_truth_hour(m, hour, limit);
                if ws.is_empty() {
                    ignored.push(json!({
                        "object": uri,
                        "monitor": m.name,
                        "reason": "no completed window reads this hour's ground truth yet",
                    }));
                }
                todo.extend(ws.into_iter().map(|w| (i, w)));
            }
            if !matched {
                ignored.push(json!({
                    "object": uri,
                    "reason": "under no model-quality monitor's ground_truth as <prefix>/YYYY/MM/DD/HH/<file>",
                }));
            }
        }
        let mut windows = Vec::new();
        let mut retry = Vec::new();
        for (i, w) in &todo {
            let name = &cfg.monitors[*i].name;
            match self.rerun(*i, w) {
                Ok(r) => {
                    if let Err(f) = &r.result {
                        if f.retryable {
                            retry.push(format!("{name} {w}: {}", f.message));
                        }
                    }
                    windows.push(report_json(&r));
                }
                Err(e) if engine_error_is_retryable(&e) => retry.push(format!("{name} {w}: {e}")),
                Err(e) => {
                    return Ok(rejected(&format!("{name} {w}: {e}"), "s3", windows));
                }
            }
        }
        if !retry.is_empty() {
            return Err(Retryable(retry.join("; ")));
        }
        Ok(json!({"ok": true, "event": "s3", "windows": windows, "ignored": ignored}))
    }
}

fn rejected(message: &str, event: &str, windows: Vec<Value>) -> Value {
    json!({
        "ok": false,
        "retryable": false,
        "event": event,
        "error": message,
        "windows": windows,
    })
}

fn action_json(a: &ActionReport) -> Value {
    let mut v = json!({
        "target": a.target.as_str(),
        "ok": a.error.is_none(),
        "detail": a.detail,
    });
    if let Some(e) = &a.error {
        v["error"] = json!(e.message);
        v["retryable"] = json!(e.retryable);
    }
    v
}

/// One window's entry in the response.
pub fn report_json(r: &WindowReport) -> Value {
    let mut v = json!({
        "monitor": r.monitor,
        "scheduled_time": format_timestamp_ms(r.window.scheduled_ms),
        "start": format_timestamp_ms(r.window.start_ms),
        "end": format_timestamp_ms(r.window.end_ms),
        "status": r.status(),
        "output": r.output,
        "attempts": r.attempts,
        "rerun": r.stale,
        "counted_violations": r.counted.len(),
        "episode": r.episode,
        "actions": r.actions.iter().map(action_json).collect::<Vec<_>>(),
    });
    match &r.result {
        Ok(s) => {
            v["message"] = json!(s.message);
            v["violations"] = json!(s
                .violations
                .iter()
                .map(|k| json!({"check_type": k.check_type, "feature": k.feature}))
                .collect::<Vec<_>>());
        }
        Err(f) => {
            v["message"] = json!(f.message);
            v["violations"] = json!([]);
            v["retryable"] = json!(f.retryable);
        }
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Init
// ---------------------------------------------------------------------------------------------

/// Where the configuration comes from: `DRIFTMON_CONFIG` — an `s3://bucket/key` URI or a path
/// (relative paths are relative to `LAMBDA_TASK_ROOT`) — else `driftmon.toml` in
/// `LAMBDA_TASK_ROOT`, else beside the binary.
pub fn config_source(env: &dyn Fn(&str) -> Option<String>) -> String {
    let root = env("LAMBDA_TASK_ROOT").map(PathBuf::from).or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
    });
    match env("DRIFTMON_CONFIG").filter(|s| !s.is_empty()) {
        Some(s) if s.starts_with("s3://") => s,
        Some(s) => {
            let p = PathBuf::from(&s);
            match (&root, p.is_relative()) {
                (Some(r), true) => r.join(p).to_string_lossy().into_owned(),
                _ => s,
            }
        }
        None => root
            .unwrap_or_default()
            .join("driftmon.toml")
            .to_string_lossy()
            .into_owned(),
    }
}

/// Reads and validates the configuration named by `source` ([`config_source`]); an S3 object is
/// read with the store's S3 adapter and validated without a base folder.
pub fn load_config(
    source: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ValidatedConfig, String> {
    let invalid = |e: driftmon_monitor::config::ConfigErrors| {
        format!(
            "{source}: invalid configuration ({} problem{}): {}",
            e.0.len(),
            if e.0.len() == 1 { "" } else { "s" },
            e.to_string().replace('\n', "; ")
        )
    };
    if let Some(rest) = source.strip_prefix("s3://") {
        let (dir, file) = rest
            .rsplit_once('/')
            .filter(|(d, f)| !d.is_empty() && !f.is_empty())
            .ok_or_else(|| format!("{source}: expected s3://bucket/key"))?;
        let loc = driftmon_monitor::store::resolve(Path::new(&format!("s3://{dir}")))
            .map_err(|e| e.to_string())?;
        let bytes = loc.get(file).map_err(|e| e.to_string())?;
        let text = String::from_utf8(bytes).map_err(|_| format!("{source}: not UTF-8"))?;
        driftmon_monitor::config::parse(
            &text,
            &ValidateContext {
                base_dir: None,
                env,
            },
        )
        .map_err(invalid)
    } else {
        let path = Path::new(source);
        let text = std::fs::read_to_string(path).map_err(|e| format!("{source}: {e}"))?;
        driftmon_monitor::config::parse(
            &text,
            &ValidateContext {
                base_dir: path.parent(),
                env,
            },
        )
        .map_err(invalid)
    }
}

/// Builds the handler at init: the configuration ([`config_source`], [`load_config`]), the
/// live runner (CloudWatch metrics when `DRIFTMON_PUBLISH_METRICS=1`), the live actions, and
/// every monitor's state store.
pub fn init(env: &dyn Fn(&str) -> Option<String>) -> Result<Handler, String> {
    let source = config_source(env);
    let cfg = Arc::new(load_config(&source, env)?);
    let metrics: Option<Arc<dyn driftmon_monitor::metrics::MetricsSink>> =
        match env("DRIFTMON_PUBLISH_METRICS").as_deref() {
            Some("1") | Some("true") => Some(Arc::new(
                driftmon_monitor::metrics::CloudWatchSink::from_env()
                    .map_err(|e| format!("CloudWatch: {e}"))?,
            )),
            _ => None,
        };
    let runner = Arc::new(driftmon_monitor::engine::LiveRunner {
        metrics,
        history_windows: 24,
    });
    let engine = Engine::new(
        cfg,
        runner,
        driftmon_monitor::serve_cmd::live_actions(),
        lambda_owner(env),
        driftmon_monitor::engine::open_state_store,
    )
    .map_err(|e| format!("state store: {e}"))?;
    Ok(Handler::new(engine))
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftmon_monitor::engine::{RunFailure, RunSummary, WindowRunner};
    use std::sync::{Mutex, OnceLock};

    fn fixture(name: &str) -> Value {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("events")
            .join(name);
        serde_json::from_slice(&std::fs::read(&p).expect("fixture")).expect("fixture JSON")
    }

    fn t(s: &str) -> i64 {
        parse_timestamp_ms(s).expect("time")
    }

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("driftmon-lambda-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    /// The demo's capture, ground truth and data-quality baseline, made once.
    fn demo() -> &'static Path {
        static DIR: OnceLock<PathBuf> = OnceLock::new();
        DIR.get_or_init(|| {
            use driftmon_monitor::demo::{training_csv, write_capture, RECORDS_PER_HOUR};
            let d = temp("demo");
            write_capture(
                &d.join("capture"),
                &d.join("ground-truth"),
                RECORDS_PER_HOUR,
                11,
            )
            .expect("capture");
            training_csv(&d.join("training.csv"), 2000, 7).expect("training");
            driftmon_monitor::baseline_cmd::suggest(
                &d.join("training.csv"),
                driftmon_monitor::baseline_cmd::Format::Csv,
                driftmon_baseline::read::HeaderMode::Present,
                &d.join("baseline"),
            )
            .expect("baseline");
            d
        })
    }

    const LOCAL_CONFIG: &str = r#"
[defaults]
retry_attempts = 1
[defaults.policy]
consecutive_windows = 1

[[monitor]]
name = "credit-risk-data-quality"
endpoint = "credit-risk"
variant = "AllTraffic"
capture = "DEMO/capture"
baseline = "DEMO/baseline"
output = "OUT"
schedule = "cron(0 * ? * * *)"
start_offset = "-PT1H"
end_offset = "-PT0H"

[[monitor]]
name = "credit-risk-model-quality"
kind = "model_quality"
endpoint = "credit-risk"
variant = "AllTraffic"
capture = "DEMO/capture"
ground_truth = "DEMO/ground-truth"
output = "OUT"
schedule = "cron(0 * ? * * *)"
start_offset = "-PT1H"
end_offset = "-PT0H"
problem_type = "BinaryClassification"
probability_attribute = 0
probability_threshold = 0.5
"#;

    fn local_handler(out: &Path) -> Handler {
        let text = LOCAL_CONFIG
            .replace("DEMO", &demo().to_string_lossy())
            .replace("OUT", &out.to_string_lossy());
        let path = out.join("driftmon.toml");
        std::fs::write(&path, text).expect("config");
        let cfg = load_config(&path.to_string_lossy(), &no_env).expect("config");
        let engine = Engine::new(
            Arc::new(cfg),
            Arc::new(driftmon_monitor::engine::LiveRunner::default()),
            Arc::new(driftmon_monitor::actions::RecordingActions::default()),
            "lambda/test/a".into(),
            driftmon_monitor::engine::open_state_store,
        )
        .expect("engine");
        Handler::new(engine).with_clock(now_ms, |_| {})
    }

    #[test]
    fn fixtures_parse() {
        assert_eq!(
            parse_event(&fixture("scheduled.json")),
            Ok(Invocation::Scheduled {
                monitor: None,
                at_ms: Some(t("2026-11-21T15:00:00Z")),
            })
        );
        assert_eq!(
            parse_event(&fixture("scheduled-monitor.json")),
            Ok(Invocation::Scheduled {
                monitor: Some("credit-risk-data-quality".into()),
                at_ms: Some(t("2026-11-21T15:00:00Z")),
            })
        );
        assert_eq!(
            parse_event(&fixture("direct.json")),
            Ok(Invocation::Direct {
                monitor: "credit-risk-data-quality".into(),
                start_ms: t("2026-11-21T13:00:00Z"),
                end_ms: t("2026-11-21T14:00:00Z"),
            })
        );
        assert_eq!(
            parse_event(&fixture("s3-object-created.json")),
            Ok(Invocation::ObjectsCreated {
                objects: vec![CreatedObject {
                    bucket: "driftmon-demo-bucket".into(),
                    key: "demo/ground-truth/2026/11/21/13/labels batch#1.jsonl".into(),
                }],
                other: vec![],
            })
        );
        assert_eq!(
            parse_event(&fixture("s3-eventbridge-object-created.json")),
            Ok(Invocation::ObjectsCreated {
                objects: vec![CreatedObject {
                    bucket: "driftmon-demo-bucket".into(),
                    key: "demo/ground-truth/2026/11/21/13/labels batch#1.jsonl".into(),
                }],
                other: vec![],
            })
        );
        // The rule's detail may name the monitor; a constant input without a time is "now".
        let mut ev = fixture("scheduled.json");
        ev["detail"] = json!({"monitor": "m"});
        assert!(matches!(
            parse_event(&ev),
            Ok(Invocation::Scheduled { monitor: Some(m), .. }) if m == "m"
        ));
        assert_eq!(
            parse_event(&json!({"monitor": "m"})),
            Ok(Invocation::Scheduled {
                monitor: Some("m".into()),
                at_ms: None
            })
        );
        assert_eq!(
            parse_event(&json!({})),
            Ok(Invocation::Scheduled {
                monitor: None,
                at_ms: None
            })
        );
    }

    #[test]
    fn bad_events_are_rejected_with_a_reason() {
        let cases = [
            (json!([1]), "must be a JSON object"),
            (
                json!({"monitor": "m", "start": "2026-11-21T13:00:00Z"}),
                "both `start` and `end`",
            ),
            (
                json!({"monitor": "m", "start": "yesterday", "end": "2026-11-21T14:00:00Z"}),
                "not an ISO-8601 UTC time",
            ),
            (
                json!({"monitor": "m", "start": "2026-11-21T14:00:00Z", "end": "2026-11-21T13:00:00Z"}),
                "must be before `end`",
            ),
            (
                json!({"start": "2026-11-21T13:00:00Z", "end": "2026-11-21T14:00:00Z"}),
                "needs `monitor`",
            ),
            (json!({"monitor": 3}), "must be a monitor's name"),
            (json!({"foo": 1}), "unrecognised event (key `foo`)"),
            (
                json!({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
                       "time": "2026-11-21T13:00:00Z", "resources": [], "detail": {}}),
                "are not handled",
            ),
        ];
        for (ev, want) in cases {
            let e = parse_event(&ev).expect_err(&ev.to_string());
            assert!(e.0.contains(want), "{ev}: {e}");
        }
        assert_eq!(decode_s3_key("a%2Fb+c%zz%4"), "a/b c%zz%4");
    }

    fn mq_monitor(ground_truth: &str, out: &Path) -> ValidatedConfig {
        let text = format!(
            r#"
[[monitor]]
name = "mq"
kind = "model_quality"
endpoint = "credit-risk"
capture = "s3://driftmon-demo-bucket/demo/capture"
ground_truth = "{ground_truth}"
output = "{}"
schedule = "cron(0 * ? * * *)"
start_offset = "-PT2H"
end_offset = "-PT1H"
problem_type = "BinaryClassification"
probability_attribute = 0
retry_attempts = 1
"#,
            out.display()
        );
        driftmon_monitor::config::parse(
            &text,
            &ValidateContext {
                base_dir: None,
                env: &no_env,
            },
        )
        .expect("config")
    }

    #[test]
    fn ground_truth_keys_map_to_the_windows_that_read_them() {
        let root = Path::new("s3://b/demo/ground-truth/");
        let h = ground_truth_hour(root, "s3://b/demo/ground-truth/2026/11/21/13/x.jsonl");
        assert_eq!(h, Some(t("2026-11-21T13:00:00Z")));
        for bad in [
            "s3://b/demo/ground-truth/2026/11/21/13/",
            "s3://b/demo/ground-truth/2026/11/21/x.jsonl",
            "s3://b/demo/ground-truth-2/2026/11/21/13/x.jsonl",
            "s3://c/demo/ground-truth/2026/11/21/13/x.jsonl",
            "s3://b/demo/ground-truth/2026/13/21/13/x.jsonl",
        ] {
            assert_eq!(ground_truth_hour(root, bad), None, "{bad}");
        }
        let cfg = mq_monitor("s3://b/gt", Path::new("/tmp/unused"));
        let m = &cfg.monitors[0];
        // Window at T reads [T-2h, T-1h) and ground truth [T-2h, T): hour 13 is read by the
        // windows scheduled at 14:00 and 15:00 — only those already done count.
        let hour = t("2026-11-21T13:00:00Z");
        let sched: Vec<i64> = windows_for_ground_truth_hour(m, hour, t("2026-11-22T00:00:00Z"))
            .iter()
            .map(|w| w.scheduled_ms)
            .collect();
        assert_eq!(
            sched,
            vec![t("2026-11-21T14:00:00Z"), t("2026-11-21T15:00:00Z")]
        );
        let w = windows_for_ground_truth_hour(m, hour, t("2026-11-21T14:30:00Z"));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].start_ms, t("2026-11-21T12:00:00Z"));
        assert_eq!(w[0].end_ms, t("2026-11-21T13:00:00Z"));
        assert!(windows_for_ground_truth_hour(m, hour, t("2026-11-21T13:59:00Z")).is_empty());
    }

    #[test]
    fn scheduled_and_direct_events_write_the_outputs_once() {
        let out = temp("local");
        let h = local_handler(&out);
        let body = h.handle(&fixture("scheduled.json")).expect("handled");
        assert_eq!(body["ok"], true, "{body}");
        let windows = body["windows"].as_array().expect("windows");
        assert_eq!(windows.len(), 2, "{body}");
        let dq = &windows[0];
        assert_eq!(dq["monitor"], "credit-risk-data-quality");
        assert_eq!(dq["start"], "2026-11-21T14:00:00Z");
        assert_eq!(dq["end"], "2026-11-21T15:00:00Z");
        // Hour 14 is the demo's first drifted hour.
        assert_eq!(dq["status"], "CompletedWithViolations", "{dq}");
        assert!(dq["violations"]
            .as_array()
            .is_some_and(|v| v.iter().any(|x| x["check_type"] == "baseline_drift_check")));
        let dq_out = out.join("credit-risk/credit-risk-data-quality/2026/11/21/15");
        assert_eq!(dq["output"], dq_out.to_string_lossy().as_ref());
        for f in [
            "constraint_violations.json",
            "statistics.json",
            "drift_report.json",
        ] {
            assert!(dq_out.join(f).is_file(), "{f} missing");
        }
        assert_eq!(dq["rerun"], false);
        assert!(dq["episode"].is_string(), "{dq}");
        let mq = &windows[1];
        assert_eq!(mq["monitor"], "credit-risk-model-quality");
        assert!(
            mq["status"]
                .as_str()
                .is_some_and(|s| s.starts_with("Completed")),
            "{mq}"
        );
        assert!(out
            .join("credit-risk/credit-risk-model-quality/2026/11/21/15/constraint_violations.json")
            .is_file());
        let state = h.engine().state(0).expect("state");
        assert_eq!(state.cursor_ms, Some(t("2026-11-21T15:00:00Z")));
        assert!(state.lease.is_none());

        // The same event again (a retried delivery): nothing is run twice.
        let before = std::fs::metadata(dq_out.join("statistics.json"))
            .and_then(|m| m.modified())
            .expect("mtime");
        let again = h
            .handle(&fixture("scheduled-monitor.json"))
            .expect("handled");
        assert_eq!(again["ok"], true);
        assert_eq!(again["windows"], json!([]), "{again}");
        assert!(
            again["notes"].to_string().contains("already done"),
            "{again}"
        );
        let after = std::fs::metadata(dq_out.join("statistics.json"))
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(before, after);

        // A direct invoke re-runs hour 13 (clean) into the 14:00 folder without moving the state.
        let d = h.handle(&fixture("direct.json")).expect("handled");
        assert_eq!(d["ok"], true, "{d}");
        assert_eq!(d["windows"][0]["status"], "Completed", "{d}");
        assert_eq!(d["windows"][0]["rerun"], true);
        assert_eq!(d["windows"][0]["actions"], json!([]));
        assert!(out
            .join("credit-risk/credit-risk-data-quality/2026/11/21/14/statistics.json")
            .is_file());
        let s2 = h.engine().state(0).expect("state");
        assert_eq!(s2.cursor_ms, state.cursor_ms);
        assert_eq!(s2.violation_streak, state.violation_streak);

        // Non-retryable: an unknown monitor.
        let bad = h
            .handle(&json!({"monitor": "nope", "start": "2026-11-21T13:00:00Z", "end": "2026-11-21T14:00:00Z"}))
            .expect("a response, not a retry");
        assert_eq!(bad["ok"], false);
        assert_eq!(bad["retryable"], false);
        assert!(bad["error"].as_str().is_some_and(
            |e| e.contains("no monitor named `nope`") && e.contains("credit-risk-data-quality")
        ));
        let _ = std::fs::remove_dir_all(&out);
    }

    /// Records the windows it is asked to run.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(String, Window)>>);

    impl WindowRunner for Recorder {
        fn run(&self, m: &MonitorConfig, w: &Window) -> Result<RunSummary, RunFailure> {
            self.0.lock().expect("lock").push((m.name.clone(), *w));
            Ok(RunSummary {
                violations: vec![],
                message: "Completed: Job completed successfully with no violations.".into(),
            })
        }
    }

    fn engine_with(cfg: &ValidatedConfig, runner: Arc<Recorder>, owner: &str) -> Engine {
        Engine::new(
            Arc::new(cfg.clone()),
            runner,
            Arc::new(driftmon_monitor::actions::RecordingActions::default()),
            owner.into(),
            driftmon_monitor::engine::open_state_store,
        )
        .expect("engine")
    }

    #[test]
    fn ground_truth_objects_rerun_the_done_windows_and_a_held_lease_is_retryable() {
        let out = temp("s3-event");
        let cfg = mq_monitor("s3://driftmon-demo-bucket/demo/ground-truth", &out);
        let rec = Arc::new(Recorder::default());
        let h = Handler::new(engine_with(&cfg, rec.clone(), "lambda/test/a"))
            .with_clock(|| t("2026-11-21T16:30:00Z"), |_| {});
        // Nothing done yet: the object is reported, nothing runs.
        let body = h
            .handle(&fixture("s3-object-created.json"))
            .expect("handled");
        assert_eq!(body["windows"], json!([]), "{body}");
        assert!(
            body["ignored"].to_string().contains("no completed window"),
            "{body}"
        );
        // The schedule runs 16:00 (a new monitor runs its latest window only).
        let s = h
            .handle(&json!({"monitor": "mq", "time": "2026-11-21T16:00:00Z"}))
            .expect("handled");
        assert_eq!(s["windows"].as_array().map(Vec::len), Some(1), "{s}");
        rec.0.lock().expect("lock").clear();
        // Hour 13's labels are read by the windows scheduled at 14:00 and 15:00.
        let mut ev = fixture("s3-object-created.json");
        let mut other = ev["Records"][0].clone();
        other["s3"]["object"]["key"] = json!("elsewhere/2026/11/21/13/x.jsonl");
        let mut removed = ev["Records"][0].clone();
        removed["eventName"] = json!("ObjectRemoved:Delete");
        ev["Records"]
            .as_array_mut()
            .expect("records")
            .extend([other, removed]);
        let body = h.handle(&ev).expect("handled");
        assert_eq!(body["ok"], true, "{body}");
        let ran: Vec<(String, i64, i64)> = rec
            .0
            .lock()
            .expect("lock")
            .iter()
            .map(|(n, w)| (n.clone(), w.start_ms, w.scheduled_ms))
            .collect();
        assert_eq!(
            ran,
            vec![
                (
                    "mq".to_owned(),
                    t("2026-11-21T12:00:00Z"),
                    t("2026-11-21T14:00:00Z")
                ),
                (
                    "mq".to_owned(),
                    t("2026-11-21T13:00:00Z"),
                    t("2026-11-21T15:00:00Z")
                ),
            ]
        );
        assert!(body["windows"]
            .as_array()
            .is_some_and(|w| w.len() == 2 && w.iter().all(|x| x["rerun"] == true)));
        let ignored = body["ignored"].to_string();
        assert!(
            ignored.contains("s3://driftmon-demo-bucket/elsewhere/2026/11/21/13/x.jsonl"),
            "{ignored}"
        );
        assert!(ignored.contains("ObjectRemoved:Delete"), "{ignored}");
        assert_eq!(
            h.engine().state(0).expect("state").cursor_ms,
            Some(t("2026-11-21T16:00:00Z"))
        );

        // Another invocation (another owner) holds the lease: retryable, nothing runs.
        let other = engine_with(&cfg, Arc::new(Recorder::default()), "lambda/test/b");
        let w = cfg.monitors[0]
            .timing
            .window_at(t("2026-11-21T17:00:00Z"))
            .expect("window");
        other
            .begin(0, &w, LeaseMode::Scheduled, now_ms())
            .expect("lease");
        rec.0.lock().expect("lock").clear();
        let e = h
            .handle(&fixture("s3-object-created.json"))
            .expect_err("retryable");
        assert!(e.0.contains("busy"), "{e}");
        let e = h
            .handle(&json!({"monitor": "mq", "time": "2026-11-21T17:00:00Z"}))
            .expect_err("retryable");
        assert!(e.0.contains("lambda/test/b"), "{e}");
        assert!(rec.0.lock().expect("lock").is_empty());
        let _ = std::fs::remove_dir_all(&out);
    }
}
