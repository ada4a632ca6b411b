//! Tests of the live action adapters' pure parts.

use super::texts::short_window;
use super::*;
use crate::control::schedule::Window;
use crate::control::state::ViolationKey;

const H13: i64 = 1_795_266_000_000; // 2026-11-21T13:00:00Z

fn notice(event: NoticeEvent, violations: &[(&str, Option<&str>)]) -> Notice {
    Notice {
        event,
        monitor: "credit-risk-data-quality".into(),
        window: Window {
            scheduled_ms: H13 + 3_600_000,
            start_ms: H13,
            end_ms: H13 + 3_600_000,
        },
        episode_id: Some("ep-20261121T1300Z".into()),
        violation_streak: 2,
        violations: violations
            .iter()
            .map(|(c, f)| ViolationKey {
                check_type: (*c).into(),
                feature: f.map(str::to_owned),
            })
            .collect(),
    }
}

fn alert(n: &Notice) -> Alert<'_> {
    Alert {
        notice: n,
        endpoint: "credit-risk-endpoint",
        output: "s3://bucket/monitoring/credit-risk/2026/11/21/14/",
    }
}

const THREE: [(&str, Option<&str>); 3] = [
    ("baseline_drift_check", Some("age")),
    ("baseline_drift_check", Some("income")),
    ("data_type_check", Some("zip")),
];

#[test]
fn the_timestamp_really_is_13h() {
    assert_eq!(format_timestamp_ms(H13), "2026-11-21T13:00:00Z");
}

#[test]
fn subjects_are_one_liners_per_event() {
    let n = notice(NoticeEvent::DriftDetected, &THREE);
    assert_eq!(
        email_subject("[driftmon]", &alert(&n)),
        "[driftmon] DRIFT DETECTED credit-risk-data-quality — 3 features drifted \
         (window 2026-11-21T13:00Z–14:00Z)"
    );
    let n = notice(NoticeEvent::DriftContinues, &THREE[..1]);
    assert_eq!(
        email_subject("[x]", &alert(&n)),
        "[x] DRIFT CONTINUES credit-risk-data-quality — 1 feature drifted, 2 violating \
         windows in a row (window 2026-11-21T13:00Z–14:00Z)"
    );
    let n = notice(NoticeEvent::DriftResolved, &[]);
    assert_eq!(
        email_subject("", &alert(&n)),
        "RESOLVED credit-risk-data-quality — drift episode ep-20261121T1300Z closed \
         (window 2026-11-21T13:00Z–14:00Z)"
    );
    let n = notice(
        NoticeEvent::RunFailed {
            reason: "Failed: cannot read\ns3://bucket/capture".into(),
        },
        &[],
    );
    assert_eq!(
        email_subject("[driftmon]", &alert(&n)),
        "[driftmon] RUN FAILED credit-risk-data-quality — Failed: cannot read \
         s3://bucket/capture (window 2026-11-21T13:00Z–14:00Z)"
    );
    // Violations without a feature are counted as violations.
    let n = notice(
        NoticeEvent::DriftDetected,
        &[
            ("missing_column_check", None),
            ("data_type_check", Some("a")),
        ],
    );
    assert!(summary(&alert(&n)).contains("— 2 violations ("));
}

#[test]
fn windows_across_midnight_keep_both_dates() {
    assert_eq!(
        short_window(H13 + 10 * 3_600_000, H13 + 11 * 3_600_000 + 30_000),
        "2026-11-21T23:00Z–2026-11-22T00:00:30Z"
    );
}

#[test]
fn the_body_says_what_where_and_what_next() {
    let n = notice(NoticeEvent::DriftDetected, &THREE);
    let b = email_body(&alert(&n));
    for want in [
        "DRIFT DETECTED: credit-risk-data-quality",
        "Monitor:          credit-risk-data-quality",
        "Endpoint:         credit-risk-endpoint",
        "Window:           2026-11-21T13:00:00Z to 2026-11-21T14:00:00Z (scheduled 2026-11-21T14:00:00Z)",
        "Episode:          ep-20261121T1300Z",
        "Violation streak: 2 consecutive violating windows",
        "Violations (3):",
        "  - baseline_drift_check: age",
        "  - data_type_check: zip",
        "Report:           s3://bucket/monitoring/credit-risk/2026/11/21/14/report.html",
        "Violations JSON:  s3://bucket/monitoring/credit-risk/2026/11/21/14/constraint_violations.json",
    ] {
        assert!(b.contains(want), "missing {want:?} in:\n{b}");
    }
    let n = notice(
        NoticeEvent::RunFailed {
            reason: "Failed: baseline missing".into(),
        },
        &[],
    );
    let b = email_body(&alert(&n));
    assert!(b.contains("Reason:\n  Failed: baseline missing\n"), "{b}");
    assert!(!b.contains("report.html"), "{b}");
}

#[test]
fn driftmon_payload() {
    let n = notice(NoticeEvent::DriftDetected, &THREE[..2]);
    let p = webhook_payload(&alert(&n), false);
    assert_eq!(
        p,
        json!({
            "event": "drift_detected",
            "summary": "DRIFT DETECTED credit-risk-data-quality — 2 features drifted (window 2026-11-21T13:00Z–14:00Z)",
            "monitor": "credit-risk-data-quality",
            "endpoint": "credit-risk-endpoint",
            "window": {
                "start": "2026-11-21T13:00:00Z",
                "end": "2026-11-21T14:00:00Z",
                "scheduled": "2026-11-21T14:00:00Z"
            },
            "episode_id": "ep-20261121T1300Z",
            "violation_streak": 2,
            "violations": [
                {"check_type": "baseline_drift_check", "feature": "age"},
                {"check_type": "baseline_drift_check", "feature": "income"}
            ],
            "reason": null,
            "output": "s3://bucket/monitoring/credit-risk/2026/11/21/14/",
            "report": "s3://bucket/monitoring/credit-risk/2026/11/21/14/report.html",
            "constraint_violations": "s3://bucket/monitoring/credit-risk/2026/11/21/14/constraint_violations.json"
        })
    );
    let n = notice(
        NoticeEvent::RunFailed {
            reason: "boom".into(),
        },
        &[],
    );
    let p = webhook_payload(&alert(&n), false);
    assert_eq!(p["event"], "run_failed");
    assert_eq!(p["reason"], "boom");
}

#[test]
fn slack_payload_has_text_header_and_escaped_sections() {
    let mut n = notice(NoticeEvent::DriftDetected, &THREE);
    n.violations.push(ViolationKey {
        check_type: "baseline_drift_check".into(),
        feature: Some("a<b>&c".into()),
    });
    let p = webhook_payload(&alert(&n), true);
    assert!(p["text"]
        .as_str()
        .is_some_and(|t| t.starts_with("DRIFT DETECTED credit-risk-data-quality — 4 features")));
    let blocks = p["blocks"].as_array().cloned().unwrap_or_default();
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(
        blocks[0]["text"]["text"],
        "DRIFT DETECTED: credit-risk-data-quality"
    );
    let all = p.to_string();
    assert!(all.contains("a&lt;b&gt;&amp;c"), "{all}");
    assert!(all.contains("*Endpoint:* `credit-risk-endpoint`"), "{all}");
    assert!(all.contains("report.html"), "{all}");
    assert!(blocks.iter().all(|b| b["type"] != Value::Null));
}

#[test]
fn slack_lists_at_most_twenty_violations() {
    let many: Vec<(String, Option<String>)> = (0..25)
        .map(|i| ("baseline_drift_check".to_owned(), Some(format!("f{i}"))))
        .collect();
    let refs: Vec<(&str, Option<&str>)> = many
        .iter()
        .map(|(c, f)| (c.as_str(), f.as_deref()))
        .collect();
    let n = notice(NoticeEvent::DriftContinues, &refs);
    let p = webhook_payload(&alert(&n), true).to_string();
    assert!(p.contains("`f19`") && !p.contains("`f20`"), "{p}");
    assert!(p.contains("…and 5 more"), "{p}");
}

#[test]
fn urls_split_and_redact() {
    let p = http_uri::parse("http://127.0.0.1:5000").map_err(|e| e.to_string());
    let p = p
        .as_ref()
        .map(|p| (p.request_uri.as_str(), p.host_header.as_str()));
    assert_eq!(p, Ok(("http://127.0.0.1:5000/", "127.0.0.1:5000")));
    let p = http_uri::parse("https://api.sagemaker.eu-west-1.amazonaws.com:443/x?y")
        .map(|p| (p.request_uri, p.host_header));
    assert_eq!(
        p,
        Ok((
            "https://api.sagemaker.eu-west-1.amazonaws.com:443/x?y".to_owned(),
            "api.sagemaker.eu-west-1.amazonaws.com".to_owned()
        ))
    );
    assert!(http_uri::parse("ftp://x").is_err());
    assert!(http_uri::parse("http://").is_err());
    assert_eq!(
        http_uri::redact("https://hooks.slack.com/services/T0/B0/secret"),
        "https://hooks.slack.com/…"
    );
    assert_eq!(
        http_uri::redact("https://user:pw@example.com"),
        "https://example.com"
    );
}

#[test]
fn aws_errors_parse_and_classify() {
    assert_eq!(
        aws_json_error(br#"{"__type":"com.amazonaws.sagemaker#ResourceNotFound","message":"no"}"#),
        ("ResourceNotFound".to_owned(), "no".to_owned())
    );
    assert_eq!(
        aws_json_error(br#"{"__type":"ValidationException","Message":"bad"}"#),
        ("ValidationException".to_owned(), "bad".to_owned())
    );
    assert_eq!(aws_json_error(b"<html>"), (String::new(), String::new()));
    assert!(is_throttling("ThrottlingException"));
    assert!(!is_throttling("ValidationException"));
    assert_eq!(snippet(b"  a\nb  "), "a b");
}

#[test]
fn explicit_endpoint_wins() {
    let a = LiveActions::new().sagemaker_endpoint("http://127.0.0.1:1");
    assert_eq!(
        a.sagemaker_url("eu-west-1").map_err(|e| e.message),
        Ok("http://127.0.0.1:1".to_owned())
    );
}
