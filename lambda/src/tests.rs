//! Tests of the event parsing, the windows of ground truth and the handler.

use super::*;
use driftmon_monitor::daemon::engine::{RunFailure, RunSummary, WindowRunner};
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
        use driftmon_monitor::cli::demo::{training_csv, write_capture, RECORDS_PER_HOUR};
        let d = temp("demo");
        write_capture(
            &d.join("capture"),
            &d.join("ground-truth"),
            RECORDS_PER_HOUR,
            11,
        )
        .expect("capture");
        training_csv(&d.join("training.csv"), 2000, 7).expect("training");
        driftmon_monitor::monitors::data_quality::suggest::suggest(
            &d.join("training.csv"),
            driftmon_monitor::monitors::data_quality::suggest::Format::Csv,
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
        Arc::new(driftmon_monitor::daemon::engine::LiveRunner::default()),
        Arc::new(driftmon_monitor::adapters::actions::RecordingActions::default()),
        "lambda/test/a".into(),
        driftmon_monitor::daemon::engine::open_state_store,
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
        Arc::new(driftmon_monitor::adapters::actions::RecordingActions::default()),
        owner.into(),
        driftmon_monitor::daemon::engine::open_state_store,
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
