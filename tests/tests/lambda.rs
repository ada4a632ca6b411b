//! The real `driftmon-lambda` binary driven through the Lambda Runtime API, against moto's S3.
//!
//! A small Runtime API server (std only, below) plays Lambda: `GET …/invocation/next` hands
//! out events with the `Lambda-Runtime-*` headers, `POST …/invocation/{id}/response` and
//! `…/error` collect the results, `POST …/init/error` a failed init. The binary runs as a
//! subprocess with the environment Lambda gives it, its configuration in S3
//! (`DRIFTMON_CONFIG=s3://…`), and moto as every AWS endpoint.
//!
//! Skips without `DRIFTMON_TEST_MOTO_ENDPOINT` (`scripts/test.sh` starts moto and sets it). With
//! `DRIFTMON_TEST_PYTHON` (boto3) the retraining pipeline exists in moto and its executions are
//! counted too.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use driftmon_monitor::control::state::{state_key, MonitorState};
use driftmon_tests::aws::{block, get, isolated_aws_env, moto_s3, put, upload};
use driftmon_tests::servers::{boto3, unique};
use driftmon_tests::{built_driftmon, built_lambda, temp_dir, test_endpoint};
use serde_json::{json, Value};

const REGION: &str = "us-east-1";
const MONITOR: &str = "credit-risk-data-quality";

// ---------------------------------------------------------------------------------------------
// A Lambda Runtime API server
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct ApiState {
    queue: VecDeque<(String, Value)>,
    results: HashMap<String, (String, Value)>,
    first_next: Option<Instant>,
    init_error: Option<(String, Value)>,
}

/// One execution environment's Runtime API (one process polls it).
struct RuntimeApi {
    port: u16,
    state: Arc<(Mutex<ApiState>, Condvar)>,
}

struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let mut body = Vec::new();
    if let Some(n) = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        body.resize(n, 0);
        r.read_exact(&mut body).ok()?;
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn respond(w: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) -> bool {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes()).is_ok() && w.write_all(body).is_ok() && w.flush().is_ok()
}

impl RuntimeApi {
    fn start() -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state: Arc<(Mutex<ApiState>, Condvar)> = Arc::default();
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { break };
                let st = st.clone();
                std::thread::spawn(move || serve_conn(conn, st));
            }
        });
        RuntimeApi { port, state }
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Queues an event; returns its request id.
    fn invoke(&self, event: &Value) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let id = format!("req-{}-{}", self.port, N.fetch_add(1, Ordering::SeqCst));
        let (m, cv) = &*self.state;
        m.lock()
            .expect("lock")
            .queue
            .push_back((id.clone(), event.clone()));
        cv.notify_all();
        id
    }

    /// Waits for an invocation's `response` or `error`.
    fn result(&self, id: &str, timeout: Duration) -> (String, Value) {
        let (m, cv) = &*self.state;
        let deadline = Instant::now() + timeout;
        let mut g = m.lock().expect("lock");
        loop {
            if let Some(r) = g.results.remove(id) {
                return r;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no result for {id} within {timeout:?}");
            g = cv.wait_timeout(g, left).expect("wait").0;
        }
    }

    /// Waits until the process asks for its first event (its init is done).
    fn first_next(&self, timeout: Duration) -> Option<Instant> {
        let (m, cv) = &*self.state;
        let deadline = Instant::now() + timeout;
        let mut g = m.lock().expect("lock");
        loop {
            if g.first_next.is_some() || g.init_error.is_some() {
                return g.first_next;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            g = cv.wait_timeout(g, left).expect("wait").0;
        }
    }

    fn init_error(&self, timeout: Duration) -> Option<(String, Value)> {
        let (m, cv) = &*self.state;
        let deadline = Instant::now() + timeout;
        let mut g = m.lock().expect("lock");
        loop {
            if let Some(e) = g.init_error.clone() {
                return Some(e);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            g = cv.wait_timeout(g, left).expect("wait").0;
        }
    }
}

fn serve_conn(conn: TcpStream, st: Arc<(Mutex<ApiState>, Condvar)>) {
    let mut w = conn.try_clone().expect("clone");
    let mut r = BufReader::new(conn);
    const PREFIX: &str = "/2018-06-01/runtime";
    while let Some(req) = read_request(&mut r) {
        let (m, cv) = &*st;
        let path = req
            .path
            .strip_prefix(PREFIX)
            .unwrap_or(&req.path)
            .to_owned();
        let ok = match (req.method.as_str(), path.as_str()) {
            ("GET", "/invocation/next") => {
                let (id, event) = {
                    let mut g = m.lock().expect("lock");
                    g.first_next.get_or_insert_with(Instant::now);
                    cv.notify_all();
                    loop {
                        if let Some(e) = g.queue.pop_front() {
                            break e;
                        }
                        g = cv.wait(g).expect("wait");
                    }
                };
                let deadline = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() + 900_000)
                    .unwrap_or(0);
                respond(
                    &mut w,
                    "200 OK",
                    &[
                        ("Content-Type", "application/json".into()),
                        ("Lambda-Runtime-Aws-Request-Id", id),
                        ("Lambda-Runtime-Deadline-Ms", deadline.to_string()),
                        (
                            "Lambda-Runtime-Invoked-Function-Arn",
                            format!("arn:aws:lambda:{REGION}:123456789012:function:driftmon"),
                        ),
                        (
                            "Lambda-Runtime-Trace-Id",
                            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1".into(),
                        ),
                    ],
                    event.to_string().as_bytes(),
                )
            }
            ("POST", "/init/error") => {
                let body = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let kind = req
                    .headers
                    .get("lambda-runtime-function-error-type")
                    .cloned()
                    .unwrap_or_default();
                m.lock().expect("lock").init_error = Some((kind, body));
                cv.notify_all();
                respond(&mut w, "202 Accepted", &[], b"{\"status\":\"OK\"}")
            }
            ("POST", p) if p.starts_with("/invocation/") => {
                let rest = &p["/invocation/".len()..];
                let (id, kind) = rest.split_once('/').unwrap_or((rest, ""));
                let body = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                m.lock()
                    .expect("lock")
                    .results
                    .insert(id.to_owned(), (kind.to_owned(), body));
                cv.notify_all();
                respond(&mut w, "202 Accepted", &[], b"{\"status\":\"OK\"}")
            }
            _ => respond(&mut w, "404 Not Found", &[], b"{}"),
        };
        if !ok {
            break;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The function's processes
// ---------------------------------------------------------------------------------------------

struct Function {
    child: Child,
    api: RuntimeApi,
    spawned: Instant,
    log: PathBuf,
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn aws_env(cmd: &mut Command, moto: &str) {
    isolated_aws_env(cmd, "testing", "testing");
    cmd.env_remove("DRIFTMON_PUBLISH_METRICS")
        .env("AWS_ENDPOINT_URL", moto)
        .env("AWS_ENDPOINT_URL_S3", moto)
        .env("AWS_ENDPOINT_URL_SAGEMAKER", moto);
}

impl Function {
    /// Starts `driftmon-lambda` as Lambda would, polling its own Runtime API.
    fn start(moto: &str, config: &str, name: &str, dir: &Path) -> Function {
        let api = RuntimeApi::start();
        let log = dir.join(format!("{name}.log"));
        let mut cmd = Command::new(built_lambda());
        aws_env(&mut cmd, moto);
        cmd.env("AWS_LAMBDA_RUNTIME_API", api.addr())
            .env("AWS_LAMBDA_FUNCTION_NAME", "driftmon")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_LOG_STREAM_NAME",
                format!("2026/11/21/[$LATEST]{name}"),
            )
            .env("LAMBDA_TASK_ROOT", dir)
            .env("DRIFTMON_CONFIG", config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"));
        let spawned = Instant::now();
        let child = cmd.spawn().expect("start driftmon-lambda");
        Function {
            child,
            api,
            spawned,
            log,
        }
    }

    /// The time from spawning to the first `/next` (init done).
    fn cold_start(&self) -> Duration {
        match self.api.first_next(Duration::from_secs(60)) {
            Some(t) => t - self.spawned,
            None => panic!(
                "driftmon-lambda did not reach /next; its log:\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            ),
        }
    }

    fn call(&self, event: &Value) -> (String, Value) {
        let id = self.api.invoke(event);
        self.api.result(&id, Duration::from_secs(300))
    }
}

// ---------------------------------------------------------------------------------------------
// S3 and the demo data
// ---------------------------------------------------------------------------------------------

/// The demo's capture (hours 12-15 of 2026-11-21) and data-quality baseline, made once.
fn demo() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        use driftmon_monitor::cli::demo::{training_csv, write_capture, RECORDS_PER_HOUR};
        let d = temp_dir("lambda-demo");
        write_capture(
            &d.join("capture-all"),
            &d.join("ground-truth"),
            RECORDS_PER_HOUR,
            11,
        )
        .expect("capture");
        let day = "credit-risk/AllTraffic/2026/11/21";
        for h in ["12", "13", "14", "15"] {
            let to = d.join("capture").join(day).join(h);
            std::fs::create_dir_all(&to).expect("mkdir");
            for e in std::fs::read_dir(d.join("capture-all").join(day).join(h)).expect("hour") {
                let e = e.expect("entry");
                std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
            }
        }
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

/// A webhook receiver counting the alerts it gets.
fn webhook_listener() -> (u16, Arc<Mutex<Vec<Value>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let g = got.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(conn) = conn else { break };
            let mut w = conn.try_clone().expect("clone");
            let mut r = BufReader::new(conn);
            if let Some(req) = read_request(&mut r) {
                g.lock()
                    .expect("lock")
                    .push(serde_json::from_slice(&req.body).unwrap_or(Value::Null));
                respond(&mut w, "200 OK", &[("Connection", "close".into())], b"ok");
            }
        }
    });
    (port, got)
}

fn fixture(name: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../lambda/events")
        .join(name);
    serde_json::from_slice(&std::fs::read(p).expect("fixture")).expect("JSON")
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

#[test]
fn runtime_api_scheduled_invocations_match_driftmon_run_and_retrain_once() {
    let Some(moto) = test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT") else {
        return;
    };
    let python = std::env::var("DRIFTMON_TEST_PYTHON")
        .ok()
        .filter(|s| !s.is_empty());
    let dir = temp_dir("lambda-runtime-api");
    let s3 = moto_s3(&moto);
    let bucket = unique("driftmon-lambda");
    block(s3.create_bucket().bucket(&bucket).send()).expect("create bucket");
    upload(&s3, &bucket, "demo/capture", &demo().join("capture"));
    upload(&s3, &bucket, "demo/baseline", &demo().join("baseline"));

    let pipeline = unique("driftmon-retrain");
    if let Some(py) = &python {
        let definition = json!({"Version": "2020-12-01", "Parameters": [
            {"Name": "DriftEpisode", "Type": "String", "DefaultValue": "none"}], "Steps": []});
        boto3(
            py,
            &moto,
            "create_pipeline",
            json!({
                "PipelineName": pipeline,
                "PipelineDefinition": definition.to_string(),
                "RoleArn": "arn:aws:iam::123456789012:role/driftmon-retrain",
            }),
        );
    }
    let (hook_port, hooks) = webhook_listener();
    let config = format!(
        r#"
[defaults]
retry_attempts = 1
[defaults.policy]
consecutive_windows = 1

[[monitor]]
name = "{MONITOR}"
endpoint = "credit-risk"
variant = "AllTraffic"
capture = "s3://{bucket}/demo/capture"
baseline = "s3://{bucket}/demo/baseline"
output = "s3://{bucket}/lambda"
schedule = "cron(0 * ? * * *)"
start_offset = "-PT1H"
end_offset = "-PT0H"

[monitor.actions.pipeline]
pipeline_name = "{pipeline}"
region = "{REGION}"
[monitor.actions.pipeline.parameters]
DriftEpisode = "{{episode_id}}"

[monitor.actions.webhook]
url = "http://127.0.0.1:{hook_port}/hooks/driftmon"
"#
    );
    put(&s3, &bucket, "config/driftmon.toml", config.into_bytes());
    let config_uri = format!("s3://{bucket}/config/driftmon.toml");

    // Init failure: reported to /init/error, and the process exits.
    let mut bad = Function::start(
        &moto,
        &format!("s3://{bucket}/config/missing.toml"),
        "bad",
        &dir,
    );
    let (kind, body) = bad
        .api
        .init_error(Duration::from_secs(60))
        .expect("an /init/error");
    assert_eq!(kind, "Runtime.ConfigError");
    assert!(
        body["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("config/missing.toml")),
        "{body}"
    );
    let status = bad.child.wait().expect("exit");
    assert!(!status.success());

    // Two execution environments, cold-started one after the other.
    let a = Function::start(&moto, &config_uri, "a", &dir);
    let cold_a = a.cold_start();
    let b = Function::start(&moto, &config_uri, "b", &dir);
    let cold_b = b.cold_start();
    eprintln!(
        "driftmon-lambda cold start (spawn to first /next, config from S3): {} ms and {} ms",
        cold_a.as_millis(),
        cold_b.as_millis()
    );

    // The same scheduled event delivered to both at once (an overlapping invocation): one runs
    // the window, the other finds it busy (a retryable error) or already done.
    let event = fixture("scheduled.json");
    let t0 = Instant::now();
    let ida = a.api.invoke(&event);
    let idb = b.api.invoke(&event);
    let ra = a.api.result(&ida, Duration::from_secs(300));
    let rb = b.api.result(&idb, Duration::from_secs(300));
    eprintln!(
        "first scheduled invocation (window 14:00-15:00, 600 records): {} ms",
        t0.elapsed().as_millis()
    );
    let ran = |r: &(String, Value)| {
        r.0 == "response" && r.1["windows"].as_array().is_some_and(|w| !w.is_empty())
    };
    let (winner, loser, loser_fn) = match (ran(&ra), ran(&rb)) {
        (true, false) => (ra, rb, &b),
        (false, true) => (rb, ra, &a),
        other => panic!("exactly one invocation must run the window: {other:?}\n{ra:?}\n{rb:?}"),
    };
    match loser.0.as_str() {
        "error" => {
            assert_eq!(loser.1["errorType"], "Retryable", "{loser:?}");
            assert!(
                loser.1["errorMessage"]
                    .as_str()
                    .is_some_and(|m| m.contains("busy")),
                "{loser:?}"
            );
        }
        "response" => {
            assert_eq!(loser.1["ok"], true, "{loser:?}");
            assert!(loser.1["notes"].to_string().contains("already done"));
        }
        k => panic!("unexpected result kind {k}: {loser:?}"),
    }
    // Lambda retries the loser's event: the window is done, nothing runs.
    let (kind, retried) = loser_fn.call(&event);
    assert_eq!(kind, "response", "{retried}");
    assert_eq!(retried["windows"], json!([]), "{retried}");
    assert!(retried["notes"].to_string().contains("already done"));

    let body = &winner.1;
    assert_eq!(body["ok"], true, "{body}");
    let w = &body["windows"][0];
    assert_eq!(w["monitor"], MONITOR);
    assert_eq!(w["start"], "2026-11-21T14:00:00Z");
    assert_eq!(w["end"], "2026-11-21T15:00:00Z");
    assert_eq!(w["status"], "CompletedWithViolations", "{w}");
    let prefix = "lambda/credit-risk/credit-risk-data-quality/2026/11/21/15";
    assert_eq!(w["output"], format!("s3://{bucket}/{prefix}"));
    let action = |target: &str| {
        let found: Vec<&Value> = w["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .filter(|a| a["target"] == target)
            .collect();
        assert_eq!(found.len(), 1, "one {target} action: {w}");
        found[0].clone()
    };
    assert_eq!(action("webhook")["ok"], true, "{w}");
    let pipeline_action = action("pipeline");
    if python.is_some() {
        assert_eq!(pipeline_action["ok"], true, "{w}");
        assert!(pipeline_action["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&format!(":pipeline/{pipeline}/execution/"))));
    }

    // The same window with `driftmon run`, into another prefix: the same bytes.
    let mut cmd = Command::new(built_driftmon());
    aws_env(&mut cmd, &moto);
    let out = cmd
        .args([
            "run",
            "--capture",
            &format!("s3://{bucket}/demo/capture"),
            "--endpoint",
            "credit-risk",
            "--variant",
            "AllTraffic",
            "--baseline",
            &format!("s3://{bucket}/demo/baseline"),
            "--output",
            &format!("s3://{bucket}/cli"),
            "--start",
            "2026-11-21T14:00:00Z",
            "--end",
            "2026-11-21T15:00:00Z",
        ])
        .output()
        .expect("driftmon run");
    assert!(
        out.status.success(),
        "driftmon run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "constraint_violations.json",
        "statistics.json",
        "drift_report.json",
    ] {
        let from_lambda = get(&s3, &bucket, &format!("{prefix}/{f}"));
        let from_cli = get(&s3, &bucket, &format!("cli/{f}"));
        assert!(!from_lambda.is_empty());
        assert!(
            from_lambda == from_cli,
            "{f} differs between the Lambda and driftmon run"
        );
    }

    // One state, shared: the episode is open and retraining was triggered once.
    let state = MonitorState::from_json(&get(
        &s3,
        &bucket,
        &format!("lambda/{}", state_key(MONITOR)),
    ))
    .expect("state");
    assert_eq!(
        state.cursor_ms,
        driftmon_baseline::capture::parse_timestamp_ms("2026-11-21T15:00:00Z")
    );
    let episode = state.episode.as_ref().expect("episode").id.clone();
    assert_eq!(state.retrain_triggered_for_episode, Some(episode.clone()));
    assert!(state.pending_retrain.is_none(), "{state:?}");
    assert!(state.lease.is_none());
    assert_eq!(hooks.lock().expect("lock").len(), 1, "one alert");
    if let Some(py) = &python {
        let list = boto3(
            py,
            &moto,
            "list_pipeline_executions",
            json!({"PipelineName": pipeline}),
        );
        let n = list["PipelineExecutionSummaries"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(n, 1, "retraining started exactly once: {list}");
    }

    // A direct invoke re-runs hour 13 (clean), without touching the policy.
    let (kind, direct) = b.call(&fixture("direct.json"));
    assert_eq!(kind, "response", "{direct}");
    assert_eq!(direct["windows"][0]["status"], "Completed", "{direct}");
    assert_eq!(direct["windows"][0]["rerun"], true);
    assert_eq!(direct["windows"][0]["actions"], json!([]));
    let rerun = "lambda/credit-risk/credit-risk-data-quality/2026/11/21/14";
    assert!(!get(&s3, &bucket, &format!("{rerun}/statistics.json")).is_empty());
    // An unknown monitor: a non-retryable error response.
    let (kind, bad) = a.call(&json!({"monitor": "nope", "start": "2026-11-21T13:00:00Z",
                                      "end": "2026-11-21T14:00:00Z"}));
    assert_eq!(kind, "response");
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["retryable"], false);
    // Still one retraining and one alert.
    let after = MonitorState::from_json(&get(
        &s3,
        &bucket,
        &format!("lambda/{}", state_key(MONITOR)),
    ))
    .expect("state");
    assert_eq!(after.retrain_triggered_for_episode, Some(episode));
    assert_eq!(after.cursor_ms, state.cursor_ms);
    assert_eq!(hooks.lock().expect("lock").len(), 1);

    // Cold starts, for the README: configuration from S3, and from the bundle (driftmon.toml in
    // LAMBDA_TASK_ROOT, DRIFTMON_CONFIG unset).
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(&bundle).expect("mkdir");
    std::fs::write(
        bundle.join("driftmon.toml"),
        get(&s3, &bucket, "config/driftmon.toml"),
    )
    .expect("bundle config");
    let median = |config: &str, root: &Path| {
        let mut ms: Vec<u128> = (0..5)
            .map(|i| {
                Function::start(&moto, config, &format!("cold-{i}"), root)
                    .cold_start()
                    .as_micros()
            })
            .collect();
        ms.sort_unstable();
        ms[2] as f64 / 1000.0
    };
    eprintln!(
        "driftmon-lambda cold start, median of 5: {:.1} ms (config from S3), {:.1} ms (config in the bundle)",
        median(&config_uri, &dir),
        median("", &bundle),
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A model-bias monitor in the Lambda: a direct invoke over the real bias scenario's hour
/// writes the same `analysis.json`, `constraint_violations.json` and `report.html` as
/// `driftmon run` over the same window.
#[test]
fn a_bias_monitor_runs_in_the_lambda_and_writes_what_driftmon_run_writes() {
    use driftmon_tests::bias::{baseline, bias_in_s3};
    let Some(moto) = test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT") else {
        return;
    };
    let dir = temp_dir("lambda-bias");
    let Some((bucket, toml, s)) = bias_in_s3(&moto, &dir) else {
        return;
    };
    let s3 = moto_s3(&moto);
    put(&s3, &bucket, "config/driftmon.toml", toml.into_bytes());
    let f = Function::start(
        &moto,
        &format!("s3://{bucket}/config/driftmon.toml"),
        "bias",
        &dir,
    );
    f.cold_start();
    let (kind, body) = f.call(&json!({
        "monitor": "adult-bias",
        "start": "2024-01-19T20:00:00Z",
        "end": "2024-01-19T21:00:00Z"
    }));
    assert_eq!(kind, "response", "{body}");
    let w = &body["windows"][0];
    assert_eq!(w["status"], "CompletedWithViolations", "{body}");
    let prefix = "out/adult/adult-bias/2024/01/19/21";
    assert_eq!(w["output"], format!("s3://{bucket}/{prefix}"), "{body}");
    let out = dir.join("cli");
    let o = Command::new(built_driftmon())
        .args(["run", "--monitor-type", "model-bias"])
        .args(["--capture", &s.0.to_string_lossy(), "--endpoint", "adult"])
        .args([
            "--start",
            "2024-01-19T20:00:00Z",
            "--end",
            "2024-01-19T21:00:00Z",
        ])
        .args(["--ground-truth", &s.1.to_string_lossy()])
        .args(["--ground-truth-end", "2024-01-19T21:00:00Z"])
        .args(["--analysis-config", &s.2.to_string_lossy()])
        .args(["--baseline", &baseline().unwrap().to_string_lossy()])
        .args(["--input-path", "instances[*].features"])
        .args(["--inference-attribute", "predictions[*].predicted_label"])
        .args([
            "--decision-mode",
            "point",
            "--output",
            &out.to_string_lossy(),
        ])
        .output()
        .expect("driftmon run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    for name in ["analysis.json", "constraint_violations.json", "report.html"] {
        let from_lambda = get(&s3, &bucket, &format!("{prefix}/{name}"));
        let from_cli = std::fs::read(out.join(name)).expect("driftmon run's file");
        assert!(from_lambda == from_cli, "{name} differs");
    }
}
