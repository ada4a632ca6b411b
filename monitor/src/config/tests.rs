//! Tests of the configuration reading.

use super::raw::*;
use super::*;
use driftmon_baseline::capture::parse_timestamp_ms;

fn no_env(_: &str) -> Option<String> {
    None
}

fn check(text: &str) -> Result<ValidatedConfig, ConfigErrors> {
    parse(
        text,
        &ValidateContext {
            base_dir: Some(Path::new("/etc/driftmon")),
            env: &no_env,
        },
    )
}

fn errors(text: &str) -> Vec<String> {
    match check(text) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

fn has(errs: &[String], needle: &str) -> bool {
    errs.iter().any(|e| e.contains(needle))
}

const MINIMAL: &str = r#"
[[monitor]]
name = "m"
endpoint = "ep"
capture = "cap"
baseline = "base"
output = "out"
schedule = "cron(0 * ? * * *)"
"#;

#[test]
fn example_validates() {
    let text = include_str!("../../../driftmon.example.toml");
    let cfg = check(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.server.listen, "127.0.0.1:9464".parse().unwrap());
    assert_eq!(cfg.server.shutdown_grace, Duration::from_secs(30));
    assert_eq!(cfg.monitors.len(), 2);

    let hourly = cfg.monitor("credit-risk-data-quality").unwrap();
    assert_eq!(hourly.kind, MonitorType::DataQuality);
    assert_eq!(hourly.variant.as_deref(), Some("AllTraffic"));
    assert_eq!(
        hourly.capture,
        Path::new("/etc/driftmon/driftmon-demo/capture")
    );
    assert_eq!(hourly.drift.psi_threshold, 0.2);
    assert_eq!(hourly.policy.consecutive_windows, 2);
    assert_eq!(
        hourly.policy.check_types,
        Some(["baseline_drift_check".to_string()].into())
    );
    assert!(hourly.policy.ignore_features.contains("score"));
    assert_eq!(hourly.policy.pipeline_cooldown_ms, Some(86_400_000));
    assert_eq!(hourly.policy.webhook_cooldown_ms, Some(3_600_000));
    assert_eq!(hourly.policy.email_cooldown_ms, None);
    assert_eq!(hourly.max_catch_up, 24);
    assert_eq!(hourly.lease_ms, 3_600_000);
    let at = parse_timestamp_ms("2022-04-18T01:00:00Z").unwrap();
    let w = hourly.timing.window_at(at).unwrap();
    assert_eq!(w.start_ms, at - 3_600_000);
    assert_eq!(
            hourly.output_location(&w),
            Path::new(
                "/etc/driftmon/driftmon-demo/monitoring/credit-risk/credit-risk-data-quality/2022/04/18/01"
            )
        );
    let p = hourly.actions.pipeline.as_ref().unwrap();
    let params = p.parameters_for(&ActionContext {
        monitor: &hourly.name,
        endpoint: &hourly.endpoint,
        episode_id: "credit-risk-data-quality@2022-04-18T00:00:00Z",
        window: w,
        output: "out/x",
    });
    assert!(params.contains(&("WindowStart".into(), "2022-04-18T00:00:00Z".into())));
    assert!(params.contains(&("Endpoint".into(), "credit-risk".into())));
    assert!(params.contains(&("Report".into(), "out/x".into())));

    let quarter = cfg.monitor("credit-risk-quarter-hourly").unwrap();
    assert_eq!(quarter.timing.schedule.rate_ms(), Some(900_000));
    assert_eq!(quarter.timing.offsets.end_ms, Some(-300_000));
    assert_eq!(quarter.max_catch_up, 8);
    assert_eq!(quarter.policy.consecutive_windows, 4);
    assert_eq!(quarter.policy.clean_windows_to_close, 3);
    assert!(quarter.policy.alert_on_failure);
    let at = parse_timestamp_ms("2026-11-21T10:15:00Z").unwrap();
    let w = quarter.timing.window_at(at).unwrap();
    assert_eq!(
        (
            format_timestamp_ms(w.start_ms),
            format_timestamp_ms(w.end_ms)
        ),
        ("2026-11-21T09:55:00Z".into(), "2026-11-21T10:10:00Z".into())
    );
    assert_eq!(
            quarter.output_location(&w),
            Path::new("s3://my-monitoring-bucket/driftmon/credit-risk/credit-risk-quarter-hourly/2026/11/21/10/15")
        );
    let e = quarter.actions.email.as_ref().unwrap();
    assert_eq!(
        (e.smtp_port, e.tls, e.password.is_none()),
        (1025, SmtpTls::None, true)
    );
    assert_eq!(e.cooldown_ms, 7_200_000);
}

#[test]
fn minimal_config_takes_defaults() {
    let cfg = check(MINIMAL).unwrap();
    let m = &cfg.monitors[0];
    assert_eq!(m.policy, Policy::default());
    assert_eq!(m.drift, DriftConfig::default());
    assert_eq!(m.actions, Actions::default());
    assert_eq!(m.retry.attempts, 3);
    assert_eq!(m.retry.backoff_before(1), Duration::ZERO);
    assert_eq!(m.retry.backoff_before(2), Duration::from_secs(30));
    assert_eq!(m.retry.backoff_before(3), Duration::from_secs(60));
    assert_eq!(m.retry.backoff_before(40), Duration::from_secs(600));
    assert_eq!(cfg.server.listen.port(), 9464);
}

#[test]
fn reports_every_error_at_once() {
    let text = r#"
[server]
listen = "localhost"
shutdown_grace_seconds = 99999

[defaults]
schedule = "cron(0 * * * *)"
max_catch_up = 0

[[monitor]]
name = "bad_name"
kind = "data-quality"
endpoint = "ep"
capture = "cap"
output = "s3:///x"
schedule = "rate(15 minute)"
start_offset = "PT1H"
consecutive = 3

[monitor.policy]
consecutive_windows = 0
check_types = ["drift"]

[monitor.actions.webhook]
url = "ftp://x"
token_env = "NOPE"

[[monitor]]
name = "ok-name"
endpoint = "ep"
capture = "cap"
baseline = "b"
output = "out"
max_catch_up = "many"
workers = -1

[[monitor]]
name = "ok-name"
kind = "model_quality"
endpoint = "ep"
capture = "cap"
output = "out"
schedule = "rate(1 hour)"
problem_type = "Regression"

[monitor.actions.email]
to = "not-an-address"
from = "a@b"
smtp_host = "h"
username = "u"
tls = "none"
"#;
    let e = errors(text);
    for needle in [
        "server.listen: `localhost` is not a socket address",
        "server.shutdown_grace_seconds: 99999 is more than an hour",
        "defaults.schedule: cron needs 6 fields",
        "defaults.max_catch_up: 0 must be 1–10000",
        "monitor[0].consecutive: unknown key (expected one of: name, kind,",
        "monitor[0].name: `bad_name`: names are 1–63 letters",
        "monitor[0].kind: `data-quality` is not one of data_quality, model_quality",
        "monitor[0]: missing key `baseline`",
        "monitor[0].output: `s3:///x` has no bucket name",
        "monitor[0].schedule: rate: write `rate(15 minutes)`",
        "monitor[0].start_offset: start offset: `PT1H` is positive",
        "monitor[0].policy.consecutive_windows: must be at least 1",
        "monitor[0].policy.check_types[0]: `drift` is not a data quality check type",
        "monitor[0].actions.webhook.url: `ftp://x` is not an http:// or https:// URL",
        "monitor[0].actions.webhook.token_env: environment variable NOPE is not set",
        "monitor[1].max_catch_up: invalid type",
        "monitor[1].workers: invalid value",
        "monitor[2].name: `ok-name` is already the name of monitor[1]",
        "monitor[2]: missing key `ground_truth`",
        "monitor[2]: Regression needs `inference_attribute`",
        "monitor[2].actions.email.to[0]: `not-an-address` is not an e-mail address",
        "monitor[2].actions.email: `username` is set but no `password_env` or `password_file`",
        "monitor[2].actions.email.tls: refusing to send a password over plain text",
    ] {
        assert!(has(&e, needle), "missing `{needle}` in:\n{}", e.join("\n"));
    }
    // The inherited (bad) default schedule is reported once, at defaults.schedule.
    assert_eq!(
        e.iter()
            .filter(|x| x.contains("cron needs 6 fields"))
            .count(),
        1
    );
    // monitor[1] inherits the bad schedule: no schedule error of its own, and no
    // "missing schedule" either (the default exists but is invalid).
    assert!(!has(&e, "monitor[1].schedule") && !has(&e, "monitor[1]: missing key `schedule`"));
    // The whole report renders one problem per line.
    let all = check(text).unwrap_err().to_string();
    assert_eq!(all.lines().count(), e.len());
}

#[test]
fn unknown_keys_are_rejected_everywhere() {
    let text = format!(
        "{MINIMAL}
schedul = \"x\"
[monitor.drift]
psi_treshold = 0.3
[monitor.actions.email]
to = \"a@b\"
from = \"a@b\"
smtp_host = \"h\"
smtp_server = \"h\"
[monitor.actions.slack]
url = \"https://x\"
[serverr]
listen = \"x\"
"
    );
    let e = errors(&text);
    for needle in [
        "monitor[0].schedul: unknown key; did you mean `schedule`?",
        "monitor[0].drift.psi_treshold: unknown key; did you mean `psi_threshold`?",
        "monitor[0].actions.email.smtp_server: unknown key",
        "monitor[0].actions.slack: unknown key (expected one of: pipeline, email, webhook)",
        "serverr: unknown key (expected one of: server, defaults, monitor)",
    ] {
        assert!(has(&e, needle), "missing `{needle}` in:\n{}", e.join("\n"));
    }
    assert_eq!(e.len(), 5, "{}", e.join("\n"));
    assert!(has(
        &errors("[[monitors]]\nname = \"x\"\n"),
        "did you mean `[[monitor]]`?"
    ));
    assert!(has(&errors("monitor = 3\n"), "expected an array of tables"));
    assert!(has(&errors(""), "no [[monitor]] is configured"));
}

#[test]
fn syntax_errors_have_a_line() {
    let e = check("[server]\nlisten = \n").unwrap_err();
    assert_eq!(e.0.len(), 1);
    assert!(e.0[0].path.starts_with("line 2"), "{e}");
}

#[test]
fn secrets_are_read_and_never_shown() {
    let dir = std::env::temp_dir().join(format!("driftmon-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("token"), "tok-FILE-secret\n").unwrap();
    let text = format!(
        "{MINIMAL}
[monitor.actions.email]
to = [\"a@example.com\", \"Ops <ops@example.com>\"]
from = \"d@example.com\"
smtp_host = \"smtp.example.com\"
username = \"u\"
password_env = \"SMTP_PW\"
[monitor.actions.webhook]
url = \"https://hooks.example.com/x\"
token_file = \"token\"
"
    );
    let env = |k: &str| (k == "SMTP_PW").then(|| "hunter2-ENV-secret".to_string());
    let cfg = parse(
        &text,
        &ValidateContext {
            base_dir: Some(&dir),
            env: &env,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let m = &cfg.monitors[0];
    let email = m.actions.email.as_ref().unwrap();
    assert_eq!(
        email.password.as_ref().unwrap().expose(),
        "hunter2-ENV-secret"
    );
    assert_eq!((email.smtp_port, email.tls), (587, SmtpTls::StartTls));
    let hook = m.actions.webhook.as_ref().unwrap();
    assert_eq!(hook.token.as_ref().unwrap().expose(), "tok-FILE-secret");
    let debug = format!("{cfg:?} {:#?}", cfg.monitors);
    assert!(!debug.contains("hunter2") && !debug.contains("tok-FILE"));
    assert!(debug.contains("Secret(***)"));

    // Errors name the variable or file, not a value.
    let env2 = |_: &str| Some(String::new());
    let e = parse(
        &text.replace(
            "token_file = \"token\"",
            "token_file = \"missing\"\ntoken_env = \"X\"",
        ),
        &ValidateContext {
            base_dir: Some(&dir),
            env: &env2,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("environment variable SMTP_PW is empty"), "{e}");
    assert!(
        e.contains("set `token_env` or `token_file`, not both"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn defaults_merge_and_actions_inherit() {
    let text = r#"
[defaults]
capture = "s3://bucket/capture"
output = "s3://bucket/out/"
schedule = "cron(0 0 ? * * *)"
[defaults.drift]
alpha = 0.01
[defaults.policy]
consecutive_windows = 3
features = ["age"]
[defaults.actions.webhook]
url = "https://x.example.com/h"

[[monitor]]
name = "a"
endpoint = "ep"
baseline = "b"
[monitor.drift]
ks = false
[monitor.policy]
clean_windows_to_close = 5

[[monitor]]
name = "b"
endpoint = "ep"
baseline = "b"
schedule = "rate(6 hours)"
[monitor.actions.email]
to = "x@y"
from = "x@y"
smtp_host = "h"
"#;
    let cfg = check(text).unwrap_or_else(|e| panic!("{e}"));
    let a = &cfg.monitors[0];
    assert_eq!(a.capture, Path::new("s3://bucket/capture"));
    assert_eq!((a.drift.alpha, a.drift.ks_enabled), (0.01, false));
    assert_eq!(
        (
            a.policy.consecutive_windows,
            a.policy.clean_windows_to_close
        ),
        (3, 5)
    );
    assert_eq!(a.policy.features, Some(["age".to_string()].into()));
    assert!(a.actions.webhook.is_some() && a.actions.email.is_none());
    let b = &cfg.monitors[1];
    assert_eq!(b.timing.schedule.as_str(), "rate(6 hours)");
    assert!(b.actions.webhook.is_none() && b.actions.email.is_some());
    assert_eq!(b.drift.alpha, 0.01);
    let w = b.timing.window_at(6 * 3_600_000).unwrap();
    assert_eq!(
        b.output_location(&w),
        Path::new("s3://bucket/out/ep/b/1970/01/01/06")
    );
}

#[test]
fn model_quality_monitor() {
    let text = r#"
[[monitor]]
name = "mq"
kind = "model_quality"
endpoint = "ep"
capture = "cap"
output = "out"
ground_truth = "s3://b/gt"
schedule = "cron(0 * ? * * *)"
start_offset = "-PT2H"
end_offset = "-PT1H"
problem_type = "BinaryClassification"
probability_attribute = 0
probability_threshold = 0.7
ground_truth_attribute = "label"
[monitor.policy]
check_types = ["LessThanThreshold"]
features = ["auc"]
"#;
    let cfg = check(text).unwrap_or_else(|e| panic!("{e}"));
    let m = &cfg.monitors[0];
    let mq = m.model_quality.as_ref().unwrap();
    assert_eq!(mq.probability_attribute, Some(AttributeRef::Index(0)));
    assert_eq!(
        mq.ground_truth_attribute,
        Some(AttributeRef::Name("label".into()))
    );
    assert!(!m.extract.use_input && m.extract.use_output);
    assert_eq!(m.baseline, None);
    let bad = errors(&text.replace("LessThanThreshold", "baseline_drift_check"));
    assert!(has(&bad, "is not a model quality check type"), "{bad:?}");
    let bad = errors(&format!("{MINIMAL}problem_type = \"Regression\"\n"));
    assert!(has(
        &bad,
        "monitor[0].problem_type: only for kind = \"model_quality\""
    ));
}

#[test]
fn pipeline_parameter_templates() {
    let ok = format!(
            "{MINIMAL}[monitor.actions.pipeline]\npipeline_name = \"arn:aws:sagemaker:eu-west-1:1:pipeline/p\"\n[monitor.actions.pipeline.parameters]\nA = \"{{{{literal}}}} {{monitor}}\"\n"
        );
    let cfg = check(&ok).unwrap_or_else(|e| panic!("{e}"));
    let p = cfg.monitors[0].actions.pipeline.as_ref().unwrap();
    let got = p.parameters_for(&ActionContext {
        monitor: "m",
        endpoint: "ep",
        episode_id: "e",
        window: Window {
            scheduled_ms: 0,
            start_ms: 0,
            end_ms: 0,
        },
        output: "o",
    });
    assert_eq!(got, vec![("A".to_string(), "{literal} m".to_string())]);
    let bad = format!(
            "{MINIMAL}[monitor.actions.pipeline]\npipeline_name = \"bad name\"\ncooldown = \"-PT1H\"\n[monitor.actions.pipeline.parameters]\nA = \"{{nope}}\"\n\"B C\" = \"{{monitor\"\n"
        );
    let e = errors(&bad);
    for needle in [
        "pipeline.pipeline_name: `bad name` is not a pipeline name",
        "pipeline.cooldown: `-PT1H` is negative",
        "pipeline.parameters.A: unknown placeholder `{nope}`",
        "pipeline.parameters.B C: parameter names are",
        "pipeline.parameters.B C: `{monitor` is not closed",
    ] {
        assert!(has(&e, needle), "missing `{needle}` in:\n{}", e.join("\n"));
    }
}

#[test]
fn load_resolves_paths_against_the_file() {
    let dir = std::env::temp_dir().join(format!("driftmon-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("driftmon.toml");
    std::fs::write(&file, MINIMAL).unwrap();
    let cfg = load(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.monitors[0].capture, dir.join("cap"));
    let e = load(&dir.join("absent.toml")).unwrap_err().to_string();
    assert!(e.contains("absent.toml"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn struct_fields_probe() {
    assert_eq!(
        struct_fields::<RawServer>(),
        &["listen", "shutdown_grace_seconds"]
    );
    assert_eq!(edit_distance("schedul", "schedule"), 1);
}
