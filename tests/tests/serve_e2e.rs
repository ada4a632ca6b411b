//! `driftmon serve` and `driftmon validate`, the real binary, against the real local servers that
//! `scripts/test.sh` starts (moto for S3 and SageMaker, an aiosmtpd SMTP sink, an HTTP listener
//! here for webhooks).
//!
//! The daemon replays the demo endpoint's day (2026-11-21; inputs drift from hour 14) with a
//! simulated clock (`--clock-start`, `--clock-speed`, `--until`), so a day of hourly windows
//! takes seconds. Tests that need moto or Python print a notice and skip without them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_sdk_s3::Client as S3;
use driftmon_baseline::capture::parse_timestamp_ms;
use driftmon_tests::aws::{block, moto_s3};
use driftmon_tests::servers::{boto3, python, unique, SmtpSink};
use driftmon_tests::{built_driftmon, temp_dir, test_endpoint};
use serde_json::{json, Value};

const REGION: &str = "us-east-1";

/// The demo endpoint, generated once per test process.
fn demo() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_dir("serve-demo");
        driftmon_monitor::cli::demo::run_demo(&dir).expect("demo runs");
        dir
    })
}

fn create_bucket(s3: &S3, bucket: &str) {
    block(s3.create_bucket().bucket(bucket).send()).expect("create bucket");
}

fn list_keys(s3: &S3, bucket: &str, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let out = block(
            s3.list_objects_v2()
                .bucket(bucket)
                .prefix(prefix)
                .set_continuation_token(token.take())
                .send(),
        )
        .expect("list");
        keys.extend(
            out.contents()
                .iter()
                .filter_map(|o| o.key())
                .map(String::from),
        );
        match out.next_continuation_token() {
            Some(t) if out.is_truncated() == Some(true) => token = Some(t.to_owned()),
            _ => break,
        }
    }
    keys.sort();
    keys
}

fn get_json(s3: &S3, bucket: &str, key: &str) -> Option<Value> {
    let out = block(s3.get_object().bucket(bucket).key(key).send()).ok()?;
    let bytes = block(out.body.collect()).ok()?.into_bytes();
    serde_json::from_slice(&bytes).ok()
}

/// A pipeline in moto's SageMaker with the parameters driftmon passes.
fn create_pipeline(py: &str, moto: &str, name: &str) {
    let definition = json!({
        "Version": "2020-12-01",
        "Parameters": [
            {"Name": "Endpoint", "Type": "String", "DefaultValue": "none"},
            {"Name": "DriftEpisode", "Type": "String", "DefaultValue": "none"},
            {"Name": "WindowStart", "Type": "String", "DefaultValue": "none"},
            {"Name": "Report", "Type": "String", "DefaultValue": "none"},
        ],
        "Steps": [],
    });
    boto3(
        py,
        moto,
        "create_pipeline",
        json!({
            "PipelineName": name,
            "PipelineDefinition": definition.to_string(),
            "RoleArn": "arn:aws:iam::123456789012:role/retrain",
        }),
    );
}

/// The executions of a pipeline, each with its parameters.
fn executions(py: &str, moto: &str, name: &str) -> Vec<(String, Vec<(String, String)>)> {
    let list = boto3(
        py,
        moto,
        "list_pipeline_executions",
        json!({"PipelineName": name}),
    );
    list["PipelineExecutionSummaries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let arn = s["PipelineExecutionArn"].as_str().unwrap_or("").to_owned();
            let params = boto3(
                py,
                moto,
                "list_pipeline_parameters_for_execution",
                json!({"PipelineExecutionArn": arn}),
            );
            let mut p: Vec<(String, String)> = params["PipelineParameters"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|x| {
                    (
                        x["Name"].as_str().unwrap_or("").to_owned(),
                        x["Value"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect();
            p.sort();
            (
                s["PipelineExecutionDisplayName"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                p,
            )
        })
        .collect()
}

/// An HTTP listener that records every request body and answers 200.
struct Hooks {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Hooks {
    fn start() -> Hooks {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://127.0.0.1:{}/hooks/driftmon",
            listener.local_addr().expect("addr").port()
        );
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let b = bodies.clone();
        std::thread::spawn(move || {
            for s in listener.incoming() {
                let Ok(mut s) = s else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let body = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                        let len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if buf.len() >= i + 4 + len {
                            break buf[i + 4..i + 4 + len].to_vec();
                        }
                    }
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break Vec::new(),
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                if let Ok(v) = serde_json::from_slice(&body) {
                    b.lock().unwrap().push(v);
                }
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                );
            }
        });
        Hooks { url, bodies }
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

/// A running `driftmon serve`; its stderr (JSON logs) is collected line by line.
struct Daemon {
    child: Child,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Daemon {
    fn start(config: &Path, args: &[&str], env: &[(&str, String)]) -> Daemon {
        let mut cmd = Command::new(built_driftmon());
        cmd.arg("serve").arg("--config").arg(config).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start driftmon serve");
        let stderr = child.stderr.take().expect("stderr");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let l = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                l.lock().unwrap().push(line);
            }
        });
        Daemon { child, logs }
    }

    fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }

    /// The JSON log events (every line must be one).
    fn events(&self) -> Vec<Value> {
        self.logs()
            .iter()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("log line is not JSON ({e}): {l}"))
            })
            .collect()
    }

    fn wait_for_log(&self, what: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(l) = self.logs().into_iter().find(|l| l.contains(what)) {
                return l;
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {what:?}; logs:\n{}",
                self.logs().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(st) = self.child.try_wait().expect("wait") {
                // Let the log reader drain.
                std::thread::sleep(Duration::from_millis(100));
                return st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "driftmon serve did not stop within {timeout:?}; logs:\n{}",
                    self.logs().join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, sig: &str) {
        let st = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(st.success());
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn aws_env(moto: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_S3", moto.to_owned()),
        ("AWS_ENDPOINT_URL_SAGEMAKER", moto.to_owned()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", REGION.into()),
        ("DRIFTMON_S3_PATH_STYLE", "1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]
}

/// A monitor of the demo endpoint (hourly), with `extra` TOML appended.
fn demo_monitor(name: &str, output: &str, extra: &str) -> String {
    let d = demo().display().to_string();
    format!(
        r#"
[[monitor]]
name = "{name}"
endpoint = "credit-risk"
capture = "{d}/capture"
baseline = "{d}/baseline"
output = "{output}"
schedule = "cron(0 * ? * * *)"
retry_backoff = "PT1S"
[monitor.policy]
check_types = ["baseline_drift_check"]
ignore_features = ["score"]
consecutive_windows = 2
{extra}
"#
    )
}

fn write_config(dir: &Path, monitors: &str) -> PathBuf {
    let p = dir.join("driftmon.toml");
    std::fs::write(
        &p,
        format!("[server]\nlisten = \"127.0.0.1:0\"\nshutdown_grace_seconds = 5\n{monitors}"),
    )
    .expect("write config");
    p
}

fn pipeline_toml(name: &str) -> String {
    format!(
        r#"[monitor.actions.pipeline]
pipeline_name = "{name}"
cooldown = "PT1H"
[monitor.actions.pipeline.parameters]
Endpoint = "{{endpoint}}"
DriftEpisode = "{{episode_id}}"
WindowStart = "{{window_start}}"
Report = "{{output}}"
"#
    )
}

/// The hourly windows of the demo day that a replay from 01:00 to the next midnight runs.
fn day_hours() -> Vec<String> {
    (1..24)
        .map(|h| format!("2026/11/21/{h:02}"))
        .chain(std::iter::once("2026/11/22/00".to_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn validate_lists_every_problem_and_serve_refuses_a_bad_config() {
    let dir = temp_dir("serve-validate");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        r#"
[server]
listen = "127.0.0.1:9464"
colour = "blue"

[[monitor]]
name = "a"
endpoint = "credit-risk"
capture = "c"
baseline = "b"
output = "o"
schedule = "cron(0 25 * * ? *)"

[monitor.actions.email]
to = ["oncall@example.com"]
from = "driftmon@example.com"
smtp_host = "127.0.0.1"
password_env = "DRIFTMON_TEST_UNSET_PASSWORD"
username = "u"

[[monitor]]
name = "a"
endpoint = "credit-risk"
capture = "c"
output = "o"
schedule = "rate(0 minutes)"
"#,
    )
    .expect("write");
    let out = Command::new(built_driftmon())
        .args(["validate", "--config"])
        .arg(&bad)
        .env_remove("DRIFTMON_TEST_UNSET_PASSWORD")
        .output()
        .expect("validate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    // Every problem at once, each with where it is.
    for needle in [
        "server.colour",
        "monitor[0].schedule",
        "DRIFTMON_TEST_UNSET_PASSWORD",
        "monitor[1].name",
        "monitor[1].schedule",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
    // The example configuration is valid.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../driftmon.example.toml");
    let ok = Command::new(built_driftmon())
        .args(["validate", "--config"])
        .arg(&example)
        .output()
        .expect("validate example");
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{text}");
    assert!(text.starts_with("OK: 2 monitors"), "{text}");
    // serve refuses to start, naming the problems, and never binds or runs anything.
    let out = Command::new(built_driftmon())
        .args(["serve", "--config"])
        .arg(&bad)
        .output()
        .expect("serve");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("invalid configuration"), "{stderr}");
    assert!(stderr.contains("monitor[0].schedule"), "{stderr}");
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let code = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_owned();
    (code, body)
}

#[test]
fn healthz_metrics_json_logs_and_sigterm() {
    let dir = temp_dir("serve-health");
    let out = dir.join("monitoring");
    let cfg = write_config(&dir, &demo_monitor("dq", &out.display().to_string(), ""));
    // Real-time clock from 10:00:00 on the demo day: the 10:00 window runs at once, the next
    // one would be an hour away.
    let mut d = Daemon::start(&cfg, &["--clock-start", "2026-11-21T10:00:00Z"], &[]);
    let started: Value =
        serde_json::from_str(&d.wait_for_log("driftmon serve started", Duration::from_secs(30)))
            .expect("JSON");
    let addr = started["fields"]["listen"]
        .as_str()
        .expect("listen")
        .to_owned();
    d.wait_for_log("\"status\":\"Completed", Duration::from_secs(60));
    let (code, body) = http_get(&addr, "/healthz");
    assert_eq!(code, 200, "{body}");
    let h: Value = serde_json::from_str(&body).expect("healthz JSON");
    assert_eq!(h["status"], "ok");
    assert_eq!(h["monitors"]["dq"]["last_window"], "2026-11-21T10:00:00Z");
    let (code, metrics) = http_get(&addr, "/metrics");
    assert_eq!(code, 200);
    assert!(
        metrics.contains("# TYPE driftmon_runs_total counter"),
        "{metrics}"
    );
    assert!(
        metrics.contains("driftmon_last_window_timestamp_seconds{monitor=\"dq\"} 1795255200"),
        "{metrics}"
    );
    assert!(metrics.contains("\ndriftmon_up 1\n"), "{metrics}");
    assert_eq!(http_get(&addr, "/nope").0, 404);
    // The window's outputs, in SageMaker's layout.
    let w = out.join("credit-risk/dq/2026/11/21/10");
    for f in [
        "constraint_violations.json",
        "statistics.json",
        "report.html",
    ] {
        assert!(w.join(f).is_file(), "{}", w.join(f).display());
    }
    // SIGTERM: a clean stop.
    let t0 = Instant::now();
    d.signal("TERM");
    let st = d.wait(Duration::from_secs(10));
    assert!(st.success(), "{st:?}");
    assert!(t0.elapsed() < Duration::from_secs(6));
    // JSON logs, one span per run carrying the window.
    let events = d.events();
    let run = events
        .iter()
        .find(|e| e["fields"]["status"].is_string())
        .expect("a run event");
    assert_eq!(run["span"]["name"], "run");
    assert_eq!(run["span"]["scheduled"], "2026-11-21T10:00:00Z");
    assert_eq!(run["spans"][0]["monitor"], "dq");
    assert!(events.iter().any(|e| e["fields"]["signal"] == "SIGTERM"));
}

#[test]
fn drift_starts_the_pipeline_once_sends_mail_and_posts_the_webhook() {
    let (Some(moto), Some(py)) = (test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT"), python()) else {
        return;
    };
    let dir = temp_dir("serve-actions");
    let pipeline = unique("retrain");
    create_pipeline(&py, &moto, &pipeline);
    let smtp = SmtpSink::start(&py, "serve-actions-smtp", None);
    let hooks = Hooks::start();
    let out = dir.join("monitoring");
    let extra = format!(
        r#"{}
[monitor.actions.email]
to = ["oncall@example.com"]
from = "driftmon@example.com"
smtp_host = "127.0.0.1"
smtp_port = {}
tls = "none"
cooldown = "PT6H"
[monitor.actions.webhook]
url = "{}"
slack = false
cooldown = "PT6H"
"#,
        pipeline_toml(&pipeline),
        smtp.port,
        hooks.url
    );
    let cfg = write_config(
        &dir,
        &demo_monitor("dq", &out.display().to_string(), &extra),
    );
    let mut d = Daemon::start(
        &cfg,
        &[
            "--clock-start",
            "2026-11-21T01:00:00Z",
            "--clock-speed",
            "7200",
            "--until",
            "2026-11-22T00:00:00Z",
        ],
        &aws_env(&moto),
    );
    let st = d.wait(Duration::from_secs(120));
    assert!(st.success(), "{st:?}\n{}", d.logs().join("\n"));
    // Every window of the day, in SageMaker's layout.
    for h in day_hours() {
        let f = out
            .join("credit-risk/dq")
            .join(&h)
            .join("constraint_violations.json");
        assert!(f.is_file(), "{}", f.display());
    }
    // Drift from hour 14: the 15:00 window is the first violating one, 16:00 opens the episode.
    let episode = "dq@2026-11-21T15:00:00Z";
    let ex = executions(&py, &moto, &pipeline);
    assert_eq!(ex.len(), 1, "{ex:?}");
    assert_eq!(ex[0].0, "driftmon-dq-20261121T150000Z");
    let report = out
        .join("credit-risk/dq/2026/11/21/16")
        .display()
        .to_string();
    assert_eq!(
        ex[0].1,
        [
            ("DriftEpisode".to_owned(), episode.to_owned()),
            ("Endpoint".to_owned(), "credit-risk".to_owned()),
            ("Report".to_owned(), report),
            ("WindowStart".to_owned(), "2026-11-21T15:00:00Z".to_owned()),
        ]
    );
    // E-mail: drift detected at 16:00, then at most every six hours (22:00).
    let mail = smtp.messages(2);
    assert_eq!(mail.len(), 2, "{mail:?}");
    let subject = mail[0]["subject"].as_str().unwrap_or("");
    assert!(
        subject.contains("DRIFT DETECTED") && subject.contains("dq"),
        "{subject}"
    );
    assert!(
        mail[0]["rcpt_tos"]
            .to_string()
            .contains("oncall@example.com"),
        "{}",
        mail[0]
    );
    // The webhook: the same two notices.
    let hooks = hooks.bodies();
    assert_eq!(hooks.len(), 2, "{hooks:?}");
    assert_eq!(hooks[0]["event"], "drift_detected");
    assert_eq!(hooks[0]["episode_id"], episode);
    assert_eq!(hooks[0]["window"]["scheduled"], "2026-11-21T16:00:00Z");
    assert_eq!(hooks[1]["event"], "drift_continues");
}

#[test]
fn sigkill_mid_run_then_restart_processes_every_window_once_and_retrains_once() {
    let (Some(moto), Some(py)) = (test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT"), python()) else {
        return;
    };
    let dir = temp_dir("serve-sigkill");
    let client = moto_s3(&moto);
    let bucket = unique("serve-sigkill");
    create_bucket(&client, &bucket);
    let pipeline = unique("retrain-sigkill");
    create_pipeline(&py, &moto, &pipeline);
    // Outputs and state on S3 (conditional writes), capture and baseline local.
    let output = format!("s3://{bucket}/monitoring");
    let cfg = write_config(
        &dir,
        &demo_monitor("dq", &output, &pipeline_toml(&pipeline)),
    );
    let state_key = "monitoring/.driftmon/state/dq.json";
    let args = |start: &str| -> Vec<String> {
        vec![
            "--clock-start".into(),
            start.into(),
            "--clock-speed".into(),
            "3600".into(),
            "--until".into(),
            "2026-11-22T00:00:00Z".into(),
        ]
    };
    let a = args("2026-11-21T01:00:00Z");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut d = Daemon::start(&cfg, &a, &aws_env(&moto));
    // Wait for a run in flight at or after the window that opens the drift episode (16:00),
    // and kill the daemon in its middle: the state shows the lease.
    let deadline = Instant::now() + Duration::from_secs(90);
    let killed_window = loop {
        assert!(
            Instant::now() < deadline,
            "no run seen in flight:\n{}",
            d.logs().join("\n")
        );
        if let Some(s) = get_json(&client, &bucket, state_key) {
            let sched = s["lease"]["window"]["scheduled_ms"].as_i64();
            if let Some(w) =
                sched.filter(|&w| w >= parse_timestamp_ms("2026-11-21T16:00:00Z").unwrap())
            {
                d.signal("KILL");
                break w;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let _ = d.wait(Duration::from_secs(10));
    let st = get_json(&client, &bucket, state_key).expect("state");
    assert_eq!(
        st["lease"]["window"]["scheduled_ms"].as_i64(),
        Some(killed_window),
        "the killed run's lease is left behind: {st}"
    );
    // Restart at the killed window's time: the dead process's lease is taken over at once.
    let restart = driftmon_baseline::capture::format_timestamp_ms(killed_window);
    let a = args(&restart);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut d2 = Daemon::start(&cfg, &a, &aws_env(&moto));
    let st2 = d2.wait(Duration::from_secs(120));
    assert!(st2.success(), "{}", d2.logs().join("\n"));
    // Every window processed; each output folder holds exactly one set of outputs.
    let keys = list_keys(&client, &bucket, "monitoring/credit-risk/dq/");
    let expected_files = [
        "constraint_violations.json",
        "drift_report.json",
        "report.html",
        "statistics.json",
    ];
    for h in day_hours() {
        let prefix = format!("monitoring/credit-risk/dq/{h}/");
        let mut files: Vec<&str> = keys
            .iter()
            .filter_map(|k| k.strip_prefix(&prefix))
            .collect();
        files.sort();
        assert_eq!(files, expected_files, "window {h}");
    }
    assert_eq!(
        keys.len(),
        day_hours().len() * expected_files.len(),
        "{keys:?}"
    );
    // One retraining for the episode, across the kill and the restart.
    let ex = executions(&py, &moto, &pipeline);
    assert_eq!(ex.len(), 1, "{ex:?}");
    let st = get_json(&client, &bucket, state_key).expect("state");
    assert_eq!(st["lease"], Value::Null, "{st}");
    assert_eq!(st["pending_retrain"], Value::Null, "{st}");
    assert_eq!(
        st["retrain_triggered_for_episode"],
        "dq@2026-11-21T15:00:00Z"
    );
    assert_eq!(
        st["cursor_ms"].as_i64(),
        parse_timestamp_ms("2026-11-22T00:00:00Z")
    );
    assert_eq!(st["episodes_opened"], 1);
}

#[test]
fn failures_are_reported_and_the_other_monitors_keep_running() {
    let (Some(moto), Some(_)) = (test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT"), python()) else {
        return;
    };
    let dir = temp_dir("serve-faults");
    let closed_port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let local = |name: &str| dir.join(name).display().to_string();
    let monitors = [
        demo_monitor("good", &local("good"), ""),
        demo_monitor(
            "smtp-down",
            &local("smtp-down"),
            &format!(
                "[monitor.actions.email]\nto = [\"oncall@example.com\"]\nfrom = \"d@example.com\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {closed_port}\ntls = \"none\"\ntimeout_seconds = 2\n"
            ),
        ),
        demo_monitor(
            "no-pipeline",
            &local("no-pipeline"),
            &pipeline_toml(&unique("does-not-exist")),
        ),
        demo_monitor("s3-down", &format!("s3://{}/out", unique("no-such-bucket")), ""),
    ]
    .concat();
    let cfg = write_config(&dir, &monitors);
    let mut d = Daemon::start(
        &cfg,
        &[
            "--clock-start",
            "2026-11-21T13:00:00Z",
            "--clock-speed",
            "3600",
            "--until",
            "2026-11-21T19:00:00Z",
        ],
        &aws_env(&moto),
    );
    let st = d.wait(Duration::from_secs(120));
    assert!(st.success(), "{}", d.logs().join("\n"));
    let events = d.events();
    let of = |monitor: &str| -> Vec<&Value> {
        events
            .iter()
            .filter(|e| e["spans"][0]["monitor"] == monitor)
            .collect()
    };
    // The healthy monitors ran every window, 13:00 … 19:00.
    for m in ["good", "smtp-down", "no-pipeline"] {
        let done = of(m)
            .iter()
            .filter(|e| e["fields"]["status"].is_string())
            .count();
        assert_eq!(done, 7, "{m}: {:?}", of(m));
    }
    let text = |m: &str| -> String {
        of(m)
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    // The e-mail could not be delivered: reported, retryable, and the runs went on.
    let smtp = text("smtp-down");
    assert!(
        smtp.contains("action failed") && smtp.contains("\"action\":\"email\""),
        "{smtp}"
    );
    assert!(
        smtp.contains(&format!("127.0.0.1:{closed_port}")) || smtp.contains("onnection"),
        "{smtp}"
    );
    // The pipeline does not exist: reported with SageMaker's error.
    let np = text("no-pipeline");
    // (AWS says ResourceNotFound, moto ValidationException; both are not retryable.)
    assert!(
        np.contains("\"action\":\"pipeline\"") && np.contains("\"retryable\":false"),
        "{np}"
    );
    assert!(
        np.contains("Could not find pipeline") || np.contains("ResourceNotFound"),
        "{np}"
    );
    // The S3 outage: no window planned, the error names the state object, and nothing else
    // stopped.
    let down = text("s3-down");
    assert!(down.contains("state unavailable"), "{down}");
    assert!(down.contains(".driftmon/state/s3-down.json"), "{down}");
    assert!(dir
        .join("good/credit-risk/good/2026/11/21/19/constraint_violations.json")
        .is_file());
}
