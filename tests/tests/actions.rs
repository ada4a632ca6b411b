//! The live action adapters (`driftmon_monitor::adapters::actions_live::LiveActions`) against real local
//! servers:
//!
//! - SageMaker: moto (`DRIFTMON_TEST_MOTO_ENDPOINT`, started by `scripts/test.sh`); pipelines
//!   are created and executions read back with boto3 from the same venv
//!   (`DRIFTMON_TEST_PYTHON`), an independent client. Error mapping and request signing are also
//!   checked against a local HTTP listener that answers like SageMaker does.
//! - E-mail: an aiosmtpd server (`tests/support/smtp_sink.py`, run with `DRIFTMON_TEST_PYTHON`).
//! - Webhooks: a one-shot HTTP listener on loopback in this process.
//!
//! Tests that need moto or Python print a notice and skip when the variables are unset.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use driftmon_monitor::adapters::actions::{ActionError, ActionSink, Alert, PipelineStart};
use driftmon_monitor::adapters::actions_live::{email_subject, webhook_payload, LiveActions};
use driftmon_monitor::config::{EmailAction, Secret, SmtpTls, WebhookAction};
use driftmon_monitor::control::schedule::Window;
use driftmon_monitor::control::state::{ActionTarget, Notice, NoticeEvent, ViolationKey};
use driftmon_tests::servers::{boto3, python, unique, SmtpSink};
use driftmon_tests::test_endpoint;
use serde_json::{json, Value};

const REGION: &str = "us-east-1";
/// 2026-11-21T13:00:00Z.
const H13: i64 = 1_795_266_000_000;

fn sdk_config(endpoint: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = driftmon_monitor::adapters::aws::loader()
        .region(aws_config::Region::new(REGION))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "driftmon-tests",
        ));
    if let Some(e) = endpoint {
        loader = loader.endpoint_url(e);
    }
    driftmon_monitor::adapters::aws::block_on(loader.load()).expect("AWS runtime")
}

/// Adapters whose SageMaker requests go to `endpoint`, with static test credentials.
fn live(endpoint: &str) -> LiveActions {
    LiveActions::with_sdk_config(sdk_config(Some(endpoint)))
}

/// A port on loopback where nothing listens.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn notice(event: NoticeEvent) -> Notice {
    Notice {
        event,
        monitor: "credit-risk-data-quality".into(),
        window: Window {
            scheduled_ms: H13 + 3_600_000,
            start_ms: H13,
            end_ms: H13 + 3_600_000,
        },
        episode_id: Some("ep-20261121T1300Z".into()),
        violation_streak: 3,
        violations: vec![
            ViolationKey {
                check_type: "baseline_drift_check".into(),
                feature: Some("age".into()),
            },
            ViolationKey {
                check_type: "baseline_drift_check".into(),
                feature: Some("income".into()),
            },
            ViolationKey {
                check_type: "data_type_check".into(),
                feature: Some("zip_code".into()),
            },
        ],
    }
}

const OUTPUT: &str = "s3://monitoring-bucket/credit-risk/2026/11/21/14";

fn alert(n: &Notice) -> Alert<'_> {
    Alert {
        notice: n,
        endpoint: "credit-risk-endpoint",
        output: OUTPUT,
    }
}

fn assert_error(r: &ActionError, target: ActionTarget, retryable: bool, contains: &[&str]) {
    eprintln!("expected error: {r} (retryable: {})", r.retryable);
    assert_eq!(r.target, target, "{r}");
    assert_eq!(
        r.retryable, retryable,
        "retryable should be {retryable}: {r}"
    );
    for c in contains {
        assert!(r.message.contains(c), "{c:?} not in {r}");
    }
}

// ---------------------------------------------------------------------------------------------
// Python helpers (boto3 for SageMaker, aiosmtpd for SMTP)
// ---------------------------------------------------------------------------------------------

fn email_action(port: u16, tls: SmtpTls, login: Option<(&str, &str)>) -> EmailAction {
    EmailAction {
        to: vec!["oncall@example.com".into(), "ml-team@example.com".into()],
        from: "driftmon@example.com".into(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: port,
        tls,
        username: login.map(|(u, _)| u.to_owned()),
        password: login.map(|(_, p)| Secret::new(p)),
        subject_prefix: "[driftmon]".into(),
        timeout: Duration::from_secs(10),
        cooldown_ms: 0,
    }
}

// ---------------------------------------------------------------------------------------------
// A one-shot HTTP server
// ---------------------------------------------------------------------------------------------

/// What the one-shot server received.
#[derive(Debug)]
struct Received {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// Listens on loopback, reads one request and answers `status` with `body` (or, with `status`
/// 0, never answers and holds the connection for 5 s). Returns the base URL and the request.
fn serve_once(status: u16, body: &'static str) -> (String, JoinHandle<Option<Received>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    let h = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let stream = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(_) => return None,
            }
        };
        handle(stream, status, body)
    });
    (format!("http://127.0.0.1:{port}"), h)
}

fn handle(mut stream: TcpStream, status: u16, body: &str) -> Option<Received> {
    stream.set_nonblocking(false).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body_in = buf[head_end + 4..].to_vec();
    while body_in.len() < len {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body_in.extend_from_slice(&chunk[..n]);
    }
    if status == 0 {
        std::thread::sleep(Duration::from_secs(5));
    } else {
        let resp = format!(
            "HTTP/1.1 {status} Status\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(resp.as_bytes()).ok()?;
        stream.flush().ok()?;
    }
    Some(Received {
        request_line,
        headers,
        body: body_in,
    })
}

// ---------------------------------------------------------------------------------------------
// SageMaker
// ---------------------------------------------------------------------------------------------

fn pipeline_start(name: &str, display: &str) -> PipelineStart {
    PipelineStart {
        pipeline_name: name.into(),
        display_name: display.into(),
        client_request_token: format!("driftmon-{:0>32}", display.len()),
        parameters: vec![
            ("EpisodeId".into(), "ep-20261121T1300Z".into()),
            ("OutputPrefix".into(), format!("{OUTPUT}/")),
            ("WindowStart".into(), "2026-11-21T13:00:00Z".into()),
        ],
        region: Some(REGION.into()),
    }
}

#[test]
fn sagemaker_start_pipeline_on_moto_with_exact_parameters_and_find_it() {
    let (Some(moto), Some(py)) = (test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT"), python()) else {
        return;
    };
    let name = unique("driftmon-retrain");
    let definition = json!({
        "Version": "2020-12-01",
        "Parameters": [
            {"Name": "EpisodeId", "Type": "String", "DefaultValue": "none"},
            {"Name": "OutputPrefix", "Type": "String", "DefaultValue": "s3://x/"},
            {"Name": "WindowStart", "Type": "String", "DefaultValue": ""},
        ],
        "Steps": [],
    });
    boto3(
        &py,
        &moto,
        "create_pipeline",
        json!({
            "PipelineName": name,
            "PipelineDefinition": definition.to_string(),
            "RoleArn": "arn:aws:iam::123456789012:role/driftmon-retrain",
        }),
    );

    let actions = live(&moto);
    let start = pipeline_start(&name, "driftmon-credit-risk-ep-20261121T1300Z");
    let arn = actions.start_pipeline(&start).expect("start");
    assert!(
        arn.starts_with(&format!("arn:aws:sagemaker:{REGION}:"))
            && arn.contains(&format!(":pipeline/{name}/execution/")),
        "{arn}"
    );

    // Read back with boto3: one execution, this display name, exactly these parameters.
    let list = boto3(
        &py,
        &moto,
        "list_pipeline_executions",
        json!({"PipelineName": name}),
    );
    let summaries = list["PipelineExecutionSummaries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(summaries.len(), 1, "{list}");
    assert_eq!(summaries[0]["PipelineExecutionArn"], arn.as_str());
    assert_eq!(
        summaries[0]["PipelineExecutionDisplayName"],
        "driftmon-credit-risk-ep-20261121T1300Z"
    );
    let described = boto3(
        &py,
        &moto,
        "describe_pipeline_execution",
        json!({"PipelineExecutionArn": arn}),
    );
    assert_eq!(
        described["PipelineExecutionDisplayName"],
        "driftmon-credit-risk-ep-20261121T1300Z"
    );
    let params = boto3(
        &py,
        &moto,
        "list_pipeline_parameters_for_execution",
        json!({"PipelineExecutionArn": arn}),
    );
    assert_eq!(
        params["PipelineParameters"],
        json!([
            {"Name": "EpisodeId", "Value": "ep-20261121T1300Z"},
            {"Name": "OutputPrefix", "Value": format!("{OUTPUT}/")},
            {"Name": "WindowStart", "Value": "2026-11-21T13:00:00Z"},
        ])
    );

    // Found by display name; another display name is not there.
    assert_eq!(
        actions
            .find_pipeline_execution(
                &name,
                Some(REGION),
                "driftmon-credit-risk-ep-20261121T1300Z"
            )
            .expect("list"),
        Some(arn.clone())
    );
    assert_eq!(
        actions
            .find_pipeline_execution(&name, None, "driftmon-credit-risk-ep-other")
            .expect("list"),
        None
    );
}

#[test]
fn sagemaker_missing_pipeline_is_not_retryable() {
    let Some(moto) = test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT") else {
        return;
    };
    let name = unique("driftmon-no-such-pipeline");
    let actions = live(&moto);
    let e = actions
        .start_pipeline(&pipeline_start(&name, "driftmon-x"))
        .expect_err("no such pipeline");
    assert_error(
        &e,
        ActionTarget::Pipeline,
        false,
        &[
            &name,
            "StartPipelineExecution",
            &moto,
            "HTTP 400",
            "Could not find pipeline",
        ],
    );
    let e = actions
        .find_pipeline_execution(&name, None, "driftmon-x")
        .expect_err("no such pipeline");
    assert_error(
        &e,
        ActionTarget::Pipeline,
        false,
        &[&name, "ListPipelineExecutions", "HTTP 400"],
    );
}

#[test]
fn sagemaker_unreachable_endpoint_is_retryable() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let e = live(&url)
        .start_pipeline(&pipeline_start("p", "driftmon-x"))
        .expect_err("nothing listens");
    assert_error(
        &e,
        ActionTarget::Pipeline,
        true,
        &["StartPipelineExecution", &url, "connection"],
    );
}

/// The request on the wire (JSON 1.1, SigV4 for `sagemaker`), and SageMaker's own error shapes:
/// `ResourceNotFound` is final, throttling and 5xx are retryable.
#[test]
fn sagemaker_request_shape_and_error_mapping() {
    let (url, h) = serve_once(
        400,
        r#"{"__type":"com.amazonaws.sagemaker#ResourceNotFound","message":"Pipeline 'p' does not exist."}"#,
    );
    let start = pipeline_start("p", "driftmon-credit-risk-ep-1");
    let e = live(&url).start_pipeline(&start).expect_err("not found");
    assert_error(
        &e,
        ActionTarget::Pipeline,
        false,
        &["ResourceNotFound: Pipeline 'p' does not exist. (HTTP 400)"],
    );
    let got = h.join().expect("server").expect("a request");
    assert_eq!(got.request_line, "POST / HTTP/1.1");
    assert_eq!(
        got.header("x-amz-target"),
        Some("SageMaker.StartPipelineExecution")
    );
    assert_eq!(
        got.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    let auth = got.header("authorization").unwrap_or_default();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=testing/")
            && auth.contains(&format!("/{REGION}/sagemaker/aws4_request"))
            && auth.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target"),
        "{auth}"
    );
    assert!(got.header("x-amz-date").is_some());
    assert_eq!(
        got.json(),
        json!({
            "PipelineName": "p",
            "PipelineExecutionDisplayName": "driftmon-credit-risk-ep-1",
            "ClientRequestToken": start.client_request_token,
            "PipelineParameters": [
                {"Name": "EpisodeId", "Value": "ep-20261121T1300Z"},
                {"Name": "OutputPrefix", "Value": format!("{OUTPUT}/")},
                {"Name": "WindowStart", "Value": "2026-11-21T13:00:00Z"},
            ],
        })
    );

    for (status, body, want) in [
        (
            400,
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
            "ThrottlingException: Rate exceeded (HTTP 400)",
        ),
        (
            503,
            "<html>unavailable</html>",
            "HTTP 503: <html>unavailable</html>",
        ),
    ] {
        let (url, h) = serve_once(status, body);
        let e = live(&url).start_pipeline(&start).expect_err("fails");
        assert_error(&e, ActionTarget::Pipeline, true, &[want]);
        h.join().expect("server");
    }
}

// ---------------------------------------------------------------------------------------------
// E-mail
// ---------------------------------------------------------------------------------------------

#[test]
fn email_arrives_with_recipients_subject_and_body() {
    let Some(py) = python() else { return };
    let sink = SmtpSink::start(&py, "smtp-plain", None);
    let n = notice(NoticeEvent::DriftDetected);
    let action = email_action(sink.port, SmtpTls::None, None);
    LiveActions::new()
        .send_email(&action, &alert(&n))
        .expect("sent");
    let got = sink.messages(1);
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m["mail_from"], "driftmon@example.com");
    assert_eq!(
        m["rcpt_tos"],
        json!(["oncall@example.com", "ml-team@example.com"])
    );
    assert_eq!(m["login"], Value::Null);
    assert_eq!(
        m["subject"],
        "[driftmon] DRIFT DETECTED credit-risk-data-quality — 3 features drifted (window 2026-11-21T13:00Z–14:00Z)"
    );
    assert_eq!(
        m["subject"].as_str(),
        Some(email_subject("[driftmon]", &alert(&n)).as_str())
    );
    assert_eq!(m["content_type"], "text/plain");
    let text = m["text"].as_str().unwrap_or_default();
    for want in [
        "Endpoint:         credit-risk-endpoint",
        "Episode:          ep-20261121T1300Z",
        "Violation streak: 3 consecutive violating windows",
        "  - baseline_drift_check: age",
        "  - data_type_check: zip_code",
        "Report:           s3://monitoring-bucket/credit-risk/2026/11/21/14/report.html",
        "Violations JSON:  s3://monitoring-bucket/credit-risk/2026/11/21/14/constraint_violations.json",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
}

#[test]
fn email_login_and_wrong_password() {
    let Some(py) = python() else { return };
    let sink = SmtpSink::start(&py, "smtp-auth", Some(("driftmon", "correct-horse")));
    let n = notice(NoticeEvent::RunFailed {
        reason: "Failed: no baseline at s3://b/baseline".into(),
    });
    // The sink offers no STARTTLS: opportunistic TLS goes on in plain text and logs in.
    let ok = email_action(
        sink.port,
        SmtpTls::Opportunistic,
        Some(("driftmon", "correct-horse")),
    );
    LiveActions::new()
        .send_email(&ok, &alert(&n))
        .expect("sent with login");
    let got = sink.messages(1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["login"], "driftmon");
    assert!(got[0]["subject"]
        .as_str()
        .is_some_and(|s| s
            .starts_with("[driftmon] RUN FAILED credit-risk-data-quality — Failed: no baseline")));

    let bad = email_action(
        sink.port,
        SmtpTls::Opportunistic,
        Some(("driftmon", "wrong-battery-staple")),
    );
    let e = LiveActions::new()
        .send_email(&bad, &alert(&n))
        .expect_err("wrong password");
    assert_error(&e, ActionTarget::Email, false, &["535", "127.0.0.1"]);
    assert!(!e.message.contains("wrong-battery-staple"), "{e}");
    assert!(!format!("{e:?}").contains("wrong-battery-staple"), "{e:?}");

    // STARTTLS required, and the server does not offer it: refused before any password is sent.
    let required = email_action(
        sink.port,
        SmtpTls::StartTls,
        Some(("driftmon", "correct-horse")),
    );
    let e = LiveActions::new()
        .send_email(&required, &alert(&n))
        .expect_err("no STARTTLS");
    assert_error(&e, ActionTarget::Email, false, &["STARTTLS"]);
    assert_eq!(sink.messages(1).len(), 1, "nothing more was delivered");
}

#[test]
fn email_unreachable_server_is_retryable() {
    let n = notice(NoticeEvent::DriftResolved);
    let port = closed_port();
    let e = LiveActions::new()
        .send_email(&email_action(port, SmtpTls::None, None), &alert(&n))
        .expect_err("nothing listens");
    assert_error(
        &e,
        ActionTarget::Email,
        true,
        &[&format!("SMTP 127.0.0.1:{port}")],
    );
}

// ---------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------

fn webhook(url: String, slack: bool, token: Option<&str>) -> WebhookAction {
    WebhookAction {
        url,
        slack,
        token: token.map(Secret::new),
        timeout: Duration::from_secs(2),
        cooldown_ms: 0,
    }
}

#[test]
fn webhook_posts_driftmon_json_with_bearer_token() {
    let (base, h) = serve_once(200, "{}");
    let n = notice(NoticeEvent::DriftDetected);
    let action = webhook(
        format!("{base}/hooks/driftmon?team=ml"),
        false,
        Some("tok-123"),
    );
    LiveActions::new()
        .post_webhook(&action, &alert(&n))
        .expect("posted");
    let got = h.join().expect("server").expect("a request");
    assert_eq!(got.request_line, "POST /hooks/driftmon?team=ml HTTP/1.1");
    assert_eq!(got.header("authorization"), Some("Bearer tok-123"));
    assert_eq!(got.header("content-type"), Some("application/json"));
    let body = got.json();
    assert_eq!(body, webhook_payload(&alert(&n), false));
    assert_eq!(body["event"], "drift_detected");
    assert_eq!(body["monitor"], "credit-risk-data-quality");
    assert_eq!(body["endpoint"], "credit-risk-endpoint");
    assert_eq!(
        body["window"],
        json!({
            "start": "2026-11-21T13:00:00Z",
            "end": "2026-11-21T14:00:00Z",
            "scheduled": "2026-11-21T14:00:00Z"
        })
    );
    assert_eq!(body["episode_id"], "ep-20261121T1300Z");
    assert_eq!(body["violation_streak"], 3);
    assert_eq!(
        body["violations"][2],
        json!({"check_type": "data_type_check", "feature": "zip_code"})
    );
    assert_eq!(body["report"], format!("{OUTPUT}/report.html"));
    assert_eq!(body["output"], OUTPUT);
}

#[test]
fn webhook_posts_slack_payload_without_token() {
    let (base, h) = serve_once(200, "ok");
    let n = notice(NoticeEvent::DriftContinues);
    let action = webhook(format!("{base}/services/T000/B000/XXXX"), true, None);
    LiveActions::new()
        .post_webhook(&action, &alert(&n))
        .expect("posted");
    let got = h.join().expect("server").expect("a request");
    assert_eq!(got.request_line, "POST /services/T000/B000/XXXX HTTP/1.1");
    assert_eq!(got.header("authorization"), None);
    assert_eq!(got.header("content-type"), Some("application/json"));
    let body = got.json();
    assert_eq!(
        body["text"],
        "DRIFT CONTINUES credit-risk-data-quality — 3 features drifted, 3 violating windows in a row (window 2026-11-21T13:00Z–14:00Z)"
    );
    assert_eq!(body["blocks"][0]["type"], "header");
    assert_eq!(
        body["blocks"][0]["text"],
        json!({"type": "plain_text", "text": "DRIFT CONTINUES: credit-risk-data-quality"})
    );
    let all = body.to_string();
    assert!(
        all.contains("`zip_code`") && all.contains("report.html"),
        "{all}"
    );
}

#[test]
fn webhook_status_mapping() {
    let n = notice(NoticeEvent::DriftDetected);
    for (status, retryable) in [
        (500, true),
        (503, true),
        (429, true),
        (404, false),
        (401, false),
    ] {
        let (base, h) = serve_once(status, r#"{"error":"nope"}"#);
        let action = webhook(format!("{base}/secret-path/abc"), false, Some("tok-456"));
        let e = LiveActions::new()
            .post_webhook(&action, &alert(&n))
            .expect_err("fails");
        assert_error(
            &e,
            ActionTarget::Webhook,
            retryable,
            &[&format!("HTTP {status}"), &format!("POST {base}/…")],
        );
        assert!(
            !e.message.contains("secret-path") && !e.message.contains("tok-456"),
            "{e}"
        );
        h.join().expect("server");
    }
}

#[test]
fn webhook_unreachable_or_silent_is_retryable() {
    let n = notice(NoticeEvent::DriftDetected);
    let action = webhook(format!("http://127.0.0.1:{}/x", closed_port()), false, None);
    let e = LiveActions::new()
        .post_webhook(&action, &alert(&n))
        .expect_err("nothing listens");
    assert_error(&e, ActionTarget::Webhook, true, &["connection"]);

    // A server that takes the request and never answers: the action's timeout (2 s) ends it.
    let (base, h) = serve_once(0, "");
    let t0 = Instant::now();
    let e = LiveActions::new()
        .post_webhook(&webhook(format!("{base}/slow"), false, None), &alert(&n))
        .expect_err("times out");
    assert_error(&e, ActionTarget::Webhook, true, &["timed out after 2 s"]);
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    h.join().expect("server");
}
