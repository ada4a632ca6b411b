//! The handler: an invocation through the engine, and its JSON answer.

use crate::*;

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
                if m.kind != MonitorType::ModelQuality {
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
