//! The texts of the alerts: pure functions of an [`Alert`] (subject, body, webhook payloads).

use super::*;

// ---------------------------------------------------------------------------------------------
// Texts
// ---------------------------------------------------------------------------------------------

/// `2026-11-21T13:00Z`: a timestamp without zero seconds.
fn short_time(ms: i64) -> String {
    let s = format_timestamp_ms(ms);
    match s.strip_suffix(":00Z") {
        Some(head) if s.len() == 20 => format!("{head}Z"),
        _ => s,
    }
}

/// `2026-11-21T13:00Z–14:00Z` (the end's date only when it differs).
pub(super) fn short_window(start_ms: i64, end_ms: i64) -> String {
    let a = short_time(start_ms);
    let b = short_time(end_ms);
    match (a.split_once('T'), b.split_once('T')) {
        (Some((da, _)), Some((db, tb))) if da == db => format!("{a}–{tb}"),
        _ => format!("{a}–{b}"),
    }
}

/// One line: control characters become spaces, at most `max` characters.
fn one_line(s: &str, max: usize) -> String {
    let mut out: String = s
        .split(|c: char| c.is_control())
        .filter(|p| !p.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect::<String>() + "…";
    }
    out
}

/// `{output}/{name}`, with one slash.
fn join_output(output: &str, name: &str) -> String {
    format!("{}/{name}", output.trim_end_matches('/'))
}

/// "3 features drifted" / "1 feature drifted" / "4 violations" (when some have no feature).
fn drift_count(notice: &Notice) -> String {
    let unnamed = notice
        .violations
        .iter()
        .filter(|v| v.feature.is_none())
        .count();
    if unnamed == 0 && !notice.violations.is_empty() {
        let mut names: Vec<&str> = notice
            .violations
            .iter()
            .filter_map(|v| v.feature.as_deref())
            .collect();
        names.sort_unstable();
        names.dedup();
        let n = names.len();
        format!("{n} feature{} drifted", if n == 1 { "" } else { "s" })
    } else {
        let n = notice.violations.len();
        format!("{n} violation{}", if n == 1 { "" } else { "s" })
    }
}

/// The event's label (`DRIFT DETECTED`, …) and its webhook name (`drift_detected`, …).
fn event_names(event: &NoticeEvent) -> (&'static str, &'static str) {
    match event {
        NoticeEvent::DriftDetected => ("DRIFT DETECTED", "drift_detected"),
        NoticeEvent::DriftContinues => ("DRIFT CONTINUES", "drift_continues"),
        NoticeEvent::DriftResolved => ("RESOLVED", "drift_resolved"),
        NoticeEvent::RunFailed { .. } => ("RUN FAILED", "run_failed"),
    }
}

/// The one-line summary, without a prefix:
/// `DRIFT DETECTED credit-risk — 3 features drifted (window 2026-11-21T13:00Z–14:00Z)`.
pub fn summary(alert: &Alert<'_>) -> String {
    let n = alert.notice;
    let (label, _) = event_names(&n.event);
    let window = short_window(n.window.start_ms, n.window.end_ms);
    let what = match &n.event {
        NoticeEvent::DriftDetected => drift_count(n),
        NoticeEvent::DriftContinues => format!(
            "{}, {} violating windows in a row",
            drift_count(n),
            n.violation_streak
        ),
        NoticeEvent::DriftResolved => match &n.episode_id {
            Some(e) => format!("drift episode {e} closed"),
            None => "drift episode closed".to_owned(),
        },
        NoticeEvent::RunFailed { reason } => one_line(reason, 100),
    };
    format!(
        "{label} {} — {what} (window {window})",
        one_line(&n.monitor, 100)
    )
}

/// The e-mail's subject: `{prefix} ` and the [`summary`].
pub fn email_subject(prefix: &str, alert: &Alert<'_>) -> String {
    let prefix = one_line(prefix, 100);
    if prefix.is_empty() {
        summary(alert)
    } else {
        format!("{prefix} {}", summary(alert))
    }
}

/// The e-mail's plain-text body: what happened, where, the violations, and where the report is.
pub fn email_body(alert: &Alert<'_>) -> String {
    let n = alert.notice;
    let w = &n.window;
    let (label, _) = event_names(&n.event);
    let window = format!(
        "{} to {} (scheduled {})",
        format_timestamp_ms(w.start_ms),
        format_timestamp_ms(w.end_ms),
        format_timestamp_ms(w.scheduled_ms)
    );
    let episode = n.episode_id.as_deref().unwrap_or("(none)");
    let mut s = String::new();
    let _ = writeln!(s, "{label}: {}", n.monitor);
    let _ = writeln!(s);
    let headline = match &n.event {
        NoticeEvent::DriftDetected => format!(
            "driftmon found drift on endpoint {} ({}) and opened drift episode {episode}.",
            alert.endpoint,
            drift_count(n)
        ),
        NoticeEvent::DriftContinues => format!(
            "Drift continues on endpoint {} ({}): {} violating windows in a row, episode \
             {episode} stays open.",
            alert.endpoint,
            drift_count(n),
            n.violation_streak
        ),
        NoticeEvent::DriftResolved => format!(
            "Drift on endpoint {} is resolved: the latest windows were clean and drift episode \
             {episode} is closed.",
            alert.endpoint
        ),
        NoticeEvent::RunFailed { .. } => format!(
            "The monitoring run for endpoint {} failed: this window was not checked.",
            alert.endpoint
        ),
    };
    let _ = writeln!(s, "{headline}");
    let _ = writeln!(s);
    let _ = writeln!(s, "Monitor:          {}", n.monitor);
    let _ = writeln!(s, "Endpoint:         {}", alert.endpoint);
    let _ = writeln!(s, "Window:           {window}");
    let _ = writeln!(s, "Episode:          {episode}");
    let _ = writeln!(
        s,
        "Violation streak: {} consecutive violating window{}",
        n.violation_streak,
        if n.violation_streak == 1 { "" } else { "s" }
    );
    if let NoticeEvent::RunFailed { reason } = &n.event {
        let _ = writeln!(s);
        let _ = writeln!(s, "Reason:");
        for line in reason.lines() {
            let _ = writeln!(s, "  {line}");
        }
    }
    if !n.violations.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Violations ({}):", n.violations.len());
        for v in &n.violations {
            match &v.feature {
                Some(f) => {
                    let _ = writeln!(s, "  - {}: {f}", v.check_type);
                }
                None => {
                    let _ = writeln!(s, "  - {} (no feature)", v.check_type);
                }
            }
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Output:           {}", alert.output);
    if !matches!(n.event, NoticeEvent::RunFailed { .. }) {
        let _ = writeln!(
            s,
            "Report:           {}",
            join_output(alert.output, "report.html")
        );
        let _ = writeln!(
            s,
            "Violations JSON:  {}",
            join_output(alert.output, "constraint_violations.json")
        );
    }
    let _ = writeln!(s);
    let next = match &n.event {
        NoticeEvent::DriftDetected | NoticeEvent::DriftContinues => {
            "Next: open the report to see each feature's distance to the baseline and the \
             thresholds crossed; check the upstream data (schema change, new source, outage) \
             before retraining."
        }
        NoticeEvent::DriftResolved => "Nothing to do unless the drift was fixed by hand.",
        NoticeEvent::RunFailed { .. } => {
            "Next: read the reason above and `driftmon serve`'s log; the window will be \
             retried or reported as failed according to the monitor's configuration."
        }
    };
    let _ = writeln!(s, "{next}");
    let _ = writeln!(s);
    let _ = writeln!(s, "-- ");
    let _ = writeln!(s, "Sent by driftmon ({USER_AGENT}).");
    s
}

/// Escapes Slack mrkdwn's control characters (`&`, `<`, `>`).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The webhook's JSON: driftmon's own document, or (with `slack`) a Slack incoming-webhook
/// message (`text` and `blocks`).
///
/// driftmon's document: `event` (`drift_detected`, `drift_continues`, `drift_resolved`,
/// `run_failed`), `summary`, `monitor`, `endpoint`, `window` (`start`, `end`, `scheduled`, ISO
/// 8601), `episode_id` (or null), `violation_streak`, `violations` (`check_type`, `feature`),
/// `reason` (the failure's, or null), `output`, `report`, `constraint_violations`.
pub fn webhook_payload(alert: &Alert<'_>, slack: bool) -> Value {
    let n = alert.notice;
    let (label, event) = event_names(&n.event);
    let report = join_output(alert.output, "report.html");
    let violations_json = join_output(alert.output, "constraint_violations.json");
    let reason = match &n.event {
        NoticeEvent::RunFailed { reason } => Some(reason.as_str()),
        _ => None,
    };
    if !slack {
        return json!({
            "event": event,
            "summary": summary(alert),
            "monitor": n.monitor,
            "endpoint": alert.endpoint,
            "window": {
                "start": format_timestamp_ms(n.window.start_ms),
                "end": format_timestamp_ms(n.window.end_ms),
                "scheduled": format_timestamp_ms(n.window.scheduled_ms),
            },
            "episode_id": n.episode_id,
            "violation_streak": n.violation_streak,
            "violations": n.violations.iter().map(|v| json!({
                "check_type": v.check_type,
                "feature": v.feature,
            })).collect::<Vec<_>>(),
            "reason": reason,
            "output": alert.output,
            "report": report,
            "constraint_violations": violations_json,
        });
    }
    let text = summary(alert);
    let header = one_line(&format!("{label}: {}", n.monitor), 150);
    let mut facts = format!(
        "*Endpoint:* `{}`\n*Window:* {} to {}\n*Episode:* {}\n*Violation streak:* {}",
        slack_escape(alert.endpoint),
        format_timestamp_ms(n.window.start_ms),
        format_timestamp_ms(n.window.end_ms),
        slack_escape(n.episode_id.as_deref().unwrap_or("(none)")),
        n.violation_streak
    );
    if let Some(r) = reason {
        let _ = write!(facts, "\n*Reason:* {}", slack_escape(&one_line(r, 1500)));
    }
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": header}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(&text)}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": facts}}),
    ];
    if !n.violations.is_empty() {
        let mut list = format!("*Violations ({}):*", n.violations.len());
        for v in n.violations.iter().take(SLACK_MAX_VIOLATIONS) {
            let _ = write!(
                list,
                "\n• `{}` {}",
                slack_escape(&v.check_type),
                v.feature
                    .as_deref()
                    .map(|f| format!("`{}`", slack_escape(f)))
                    .unwrap_or_else(|| "(no feature)".to_owned())
            );
        }
        if n.violations.len() > SLACK_MAX_VIOLATIONS {
            let _ = write!(
                list,
                "\n…and {} more",
                n.violations.len() - SLACK_MAX_VIOLATIONS
            );
        }
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": list}}));
    }
    let where_ = if reason.is_some() {
        format!("Output: `{}`", slack_escape(alert.output))
    } else {
        format!(
            "Report: `{}`\nViolations: `{}`",
            slack_escape(&report),
            slack_escape(&violations_json)
        )
    };
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": where_}]}));
    json!({"text": text, "blocks": blocks})
}
