//! Tests of the per-monitor state, leases and policy.

use super::*;
use crate::adapters::state_store::MemoryStore;
use crate::adapters::state_store::StateRepo;
use crate::adapters::state_store::{StateError, UpdateError, Version};
use crate::control::policy::fnv1a64;
use driftmon_baseline::capture::parse_timestamp_ms;
use driftmon_baseline::files::ConstraintViolations;

const H: i64 = 3_600_000;
const M: i64 = 60_000;

fn t(s: &str) -> i64 {
    parse_timestamp_ms(s).unwrap()
}
fn hourly() -> WindowSchedule {
    WindowSchedule::parse("cron(0 * ? * * *)", None, None).unwrap()
}
fn hour_window(at: i64) -> Window {
    Window {
        scheduled_ms: at,
        start_ms: at - H,
        end_ms: at,
    }
}
fn drift(feature: &str) -> ViolationKey {
    ViolationKey {
        check_type: "baseline_drift_check".into(),
        feature: Some(feature.into()),
    }
}
fn completed(v: Vec<ViolationKey>) -> RunResult {
    RunResult::Completed { violations: v }
}
fn policy() -> Policy {
    Policy {
        consecutive_windows: 2,
        clean_windows_to_close: 2,
        pipeline_cooldown_ms: Some(0),
        email_cooldown_ms: Some(H),
        webhook_cooldown_ms: Some(0),
        ..Policy::default()
    }
}

/// Decides window `at` with `result` at decision time `now`.
fn step(p: &Policy, s: &MonitorState, at: i64, now: i64, r: RunResult) -> Decision {
    decide(
        p,
        s,
        &WindowOutcome {
            window: hour_window(at),
            now_ms: now,
            result: r,
        },
    )
}
fn targets(d: &Decision) -> Vec<ActionTarget> {
    d.actions.iter().map(ActionKind::target).collect()
}

#[test]
fn new_monitor_runs_only_the_latest_window() {
    let s = MonitorState::new("m");
    let plan = due_windows(&hourly(), &s, t("2026-11-21T14:25:00Z"), 24);
    assert_eq!(plan.run, vec![hour_window(t("2026-11-21T14:00:00Z"))]);
    assert_eq!(plan.skipped, None);
}

#[test]
fn catch_up_in_order_and_bounded() {
    let mut s = MonitorState::new("m");
    s.cursor_ms = Some(t("2026-11-21T10:00:00Z"));
    // Nothing due yet.
    assert_eq!(
        due_windows(&hourly(), &s, t("2026-11-21T10:59:59Z"), 24),
        DuePlan::default()
    );
    // Four missed windows, all within the bound, oldest first.
    let plan = due_windows(&hourly(), &s, t("2026-11-21T14:10:00Z"), 24);
    let got: Vec<i64> = plan.run.iter().map(|w| w.scheduled_ms).collect();
    assert_eq!(
        got,
        ["11", "12", "13", "14"]
            .iter()
            .map(|h| t(&format!("2026-11-21T{h}:00:00Z")))
            .collect::<Vec<_>>()
    );
    assert_eq!(plan.skipped, None);
    // Three days down, bound 5: the newest five run, the 67 older ones are skipped.
    let now = t("2026-11-24T10:30:00Z");
    let plan = due_windows(&hourly(), &s, now, 5);
    let got: Vec<i64> = plan.run.iter().map(|w| w.scheduled_ms).collect();
    let want: Vec<i64> = (6..=10)
        .map(|h| t(&format!("2026-11-24T{h:02}:00:00Z")))
        .collect();
    assert_eq!(got, want);
    let sk = plan.skipped.clone().unwrap();
    assert_eq!(sk.count, 72 - 5);
    assert!(sk.exact);
    assert_eq!(sk.first_scheduled_ms, t("2026-11-21T11:00:00Z"));
    assert_eq!(sk.last_scheduled_ms, t("2026-11-24T05:00:00Z"));
    // Recording the skip moves the cursor: the same windows are then due, nothing skipped.
    let s2 = skip(&s, &sk, now);
    assert_eq!(s2.skipped_windows, 67);
    let again = due_windows(&hourly(), &s2, now, 5);
    assert_eq!(again.run, plan.run);
    assert_eq!(again.skipped, None);
    // Recording twice changes nothing.
    assert_eq!(skip(&s2, &sk, now), s2);
}

#[test]
fn catch_up_with_rate_and_offsets() {
    let ws = WindowSchedule::parse("rate(15 minutes)", None, Some("-PT5M")).unwrap();
    let mut s = MonitorState::new("m");
    s.cursor_ms = Some(t("2024-12-31T23:30:00Z"));
    let plan = due_windows(&ws, &s, t("2025-01-01T00:20:00Z"), 10);
    let got: Vec<(i64, i64, i64)> = plan
        .run
        .iter()
        .map(|w| (w.scheduled_ms, w.start_ms, w.end_ms))
        .collect();
    let s45 = t("2024-12-31T23:45:00Z");
    let s00 = t("2025-01-01T00:00:00Z");
    let s15 = t("2025-01-01T00:15:00Z");
    assert_eq!(
        got,
        vec![
            (s45, s45 - 20 * M, s45 - 5 * M),
            (s00, s00 - 20 * M, s00 - 5 * M),
            (s15, s15 - 20 * M, s15 - 5 * M),
        ]
    );
    // Consecutive windows tile time.
    assert_eq!(plan.run[0].end_ms, plan.run[1].start_ms);
}

#[test]
fn skip_count_is_capped_for_huge_outages() {
    let ws = WindowSchedule::parse("rate(1 minute)", None, None).unwrap();
    let mut s = MonitorState::new("m");
    s.cursor_ms = Some(t("2020-01-01T00:00:00Z"));
    let plan = due_windows(&ws, &s, t("2026-01-01T00:00:00Z"), 3);
    assert_eq!(plan.run.len(), 3);
    let sk = plan.skipped.unwrap();
    assert_eq!(sk.count, SKIP_COUNT_CAP);
    assert!(!sk.exact);
    assert_eq!(sk.last_scheduled_ms, t("2025-12-31T23:57:00Z"));
}

#[test]
fn lease_prevents_overlap() {
    let w = hour_window(t("2026-11-21T14:00:00Z"));
    let now = t("2026-11-21T14:01:00Z");
    let s0 = MonitorState::new("m");
    let a = acquire_lease(&s0, &w, "a", now, 10 * M, LeaseMode::Scheduled).unwrap();
    // B is refused while A's lease is valid, for this window or any other.
    let e = acquire_lease(&a, &w, "b", now + M, 10 * M, LeaseMode::Scheduled).unwrap_err();
    assert!(matches!(e, LeaseDenied::Held { ref owner, .. } if owner == "a"));
    assert!(e.to_string().contains("busy"));
    let w2 = hour_window(t("2026-11-21T15:00:00Z"));
    assert!(acquire_lease(&a, &w2, "b", now + M, 10 * M, LeaseMode::Rerun).is_err());
    // A renews; B is still refused past the original expiry.
    let a2 = renew_lease(&a, "a", now + 9 * M, 10 * M).unwrap();
    assert!(acquire_lease(&a2, &w, "b", now + 11 * M, 10 * M, LeaseMode::Scheduled).is_err());
    // A dies; once the lease lapses B takes over, and A learns it lost the lease.
    let b = acquire_lease(&a2, &w, "b", now + 20 * M, 10 * M, LeaseMode::Scheduled).unwrap();
    assert_eq!(b.lease.as_ref().unwrap().owner, "b");
    assert!(matches!(
        renew_lease(&b, "a", now + 21 * M, 10 * M),
        Err(LeaseDenied::Lost { .. })
    ));
    assert_eq!(release_lease(&b, "a"), b);
    // B finishes: the window is done, and nobody can schedule it again.
    let d = decide(
        &Policy::default(),
        &b,
        &WindowOutcome {
            window: w,
            now_ms: now + 22 * M,
            result: completed(vec![]),
        },
    );
    let done = release_lease(&d.state, "b");
    assert_eq!(done.lease, None);
    let e = acquire_lease(&done, &w, "a", now + 23 * M, 10 * M, LeaseMode::Scheduled).unwrap_err();
    assert!(matches!(e, LeaseDenied::AlreadyDone { .. }));
    // A re-run is allowed, and its outcome is stale for the policy.
    let r = acquire_lease(&done, &w, "a", now + 23 * M, 10 * M, LeaseMode::Rerun).unwrap();
    let d = decide(
        &policy(),
        &r,
        &WindowOutcome {
            window: w,
            now_ms: now + 24 * M,
            result: completed(vec![drift("x")]),
        },
    );
    assert!(d.stale && d.actions.is_empty());
}

#[test]
fn lease_through_a_compare_and_swap_store() {
    let store = MemoryStore::default();
    let repo = StateRepo::new(&store, "out");
    let w = hour_window(t("2026-11-21T14:00:00Z"));
    let now = t("2026-11-21T14:01:00Z");
    // Both processes read the same (absent) state; A writes first, B's write conflicts.
    let (sa, _) = acquire_lease(
        &MonitorState::new("m"),
        &w,
        "a",
        now,
        H,
        LeaseMode::Scheduled,
    )
    .map(|s| (s, ()))
    .unwrap();
    let (sb, _) = acquire_lease(
        &MonitorState::new("m"),
        &w,
        "b",
        now,
        H,
        LeaseMode::Scheduled,
    )
    .map(|s| (s, ()))
    .unwrap();
    repo.save(&sa, None).unwrap();
    assert!(matches!(
        repo.save(&sb, None),
        Err(StateError::Conflict { .. })
    ));
    // Through update(), B re-reads and is refused by the lease.
    let r = repo.update("m", 3, |s| {
        acquire_lease(s, &w, "b", now, H, LeaseMode::Scheduled).map(|n| (n, ()))
    });
    assert!(matches!(
        r,
        Err(UpdateError::Refused(LeaseDenied::Held { .. }))
    ));
    let (cur, _) = repo.load("m").unwrap().unwrap();
    assert_eq!(cur.lease.unwrap().owner, "a");
    assert_eq!(cur.revision, 1);
    assert_eq!(repo.key("m"), "out/.driftmon/state/m.json");
}

#[test]
fn needs_consecutive_windows() {
    let p = policy();
    let mut s = MonitorState::new("m");
    let t0 = t("2026-11-21T10:00:00Z");
    // One violating window: not enough.
    let d = step(&p, &s, t0, t0, completed(vec![drift("age")]));
    assert!(d.actions.is_empty());
    assert_eq!(d.state.violation_streak, 1);
    s = d.state;
    // A failed window is neutral.
    let d = step(
        &p,
        &s,
        t0 + H,
        t0 + H,
        RunResult::Failed {
            reason: "no data".into(),
        },
    );
    assert!(d.actions.is_empty());
    assert_eq!(d.state.violation_streak, 1);
    assert_eq!(d.state.last_status, Some(RunStatus::Failed));
    s = d.state;
    // A clean window resets the streak.
    let d = step(&p, &s, t0 + 2 * H, t0 + 2 * H, completed(vec![]));
    assert_eq!(d.state.violation_streak, 0);
    s = d.state;
    // Non-counting violations are clean too.
    let p2 = Policy {
        check_types: Some(["baseline_drift_check".to_string()].into()),
        ignore_features: ["noise".to_string()].into(),
        ..p.clone()
    };
    let d = step(
        &p2,
        &s,
        t0 + 3 * H,
        t0 + 3 * H,
        completed(vec![
            drift("noise"),
            ViolationKey {
                check_type: "data_type_check".into(),
                feature: Some("age".into()),
            },
        ]),
    );
    assert!(d.actions.is_empty() && d.counted.is_empty());
    assert_eq!(
        d.state.last_status,
        Some(RunStatus::CompletedWithViolations)
    );
    assert_eq!(d.state.clean_streak, 2);
    s = d.state;
    // Two in a row: the episode opens, named after the first of the two.
    let d = step(
        &p2,
        &s,
        t0 + 4 * H,
        t0 + 4 * H,
        completed(vec![drift("age")]),
    );
    assert!(d.actions.is_empty());
    let d = step(
        &p2,
        &d.state,
        t0 + 5 * H,
        t0 + 5 * H,
        completed(vec![drift("age")]),
    );
    assert_eq!(
        targets(&d),
        vec![
            ActionTarget::Email,
            ActionTarget::Webhook,
            ActionTarget::Pipeline
        ]
    );
    let ep = d.state.episode.clone().unwrap();
    assert_eq!(ep.id, "m@2026-11-21T14:00:00Z");
    assert_eq!(ep.violating_windows, 2);
    assert!(
        matches!(&d.actions[0], ActionKind::Email(n) if n.event == NoticeEvent::DriftDetected && n.violations == vec![drift("age")])
    );
}

#[test]
fn cooldown_limits_alerts() {
    let p = Policy {
        consecutive_windows: 1,
        email_cooldown_ms: Some(2 * H),
        webhook_cooldown_ms: None,
        pipeline_cooldown_ms: None,
        ..Policy::default()
    };
    let t0 = t("2026-11-21T10:00:00Z");
    let mut s = MonitorState::new("m");
    let mut sent = Vec::new();
    for i in 0..6 {
        let d = step(
            &p,
            &s,
            t0 + i * H,
            t0 + i * H + M,
            completed(vec![drift("x")]),
        );
        if !d.actions.is_empty() {
            sent.push(i);
        }
        s = d.state;
    }
    // An alert at most every two hours: windows 0, 2, 4.
    assert_eq!(sent, vec![0, 2, 4]);
    // Catch-up: many windows decided within a minute send one alert.
    let mut s = MonitorState::new("m");
    let mut n = 0;
    for i in 0..10 {
        let d = step(
            &p,
            &s,
            t0 + i * H,
            t0 + 20 * H + i * 1000,
            completed(vec![drift("x")]),
        );
        n += d.actions.len();
        s = d.state;
    }
    assert_eq!(n, 1);
}

#[test]
fn retrain_once_per_episode_across_restarts() {
    let p = Policy {
        consecutive_windows: 2,
        clean_windows_to_close: 3,
        pipeline_cooldown_ms: Some(0),
        email_cooldown_ms: None,
        webhook_cooldown_ms: None,
        notify_resolved: false,
        ..Policy::default()
    };
    let store = MemoryStore::default();
    let repo = StateRepo::new(&store, "");
    let t0 = t("2026-11-21T10:00:00Z");
    // Violation, clean, violation, violation, violation, clean, clean, violation, violation,
    // clean ×3, violation ×2.
    let pattern = "VCVVVCCVVCCCVV";
    let mut triggers = Vec::new();
    for (i, c) in pattern.chars().enumerate() {
        // Every window is a new process: load, decide, save.
        let (s, ver) = repo
            .load("m")
            .unwrap()
            .unwrap_or((MonitorState::new("m"), Version(String::new())));
        let ver = (s.revision > 0).then_some(ver);
        let at = t0 + i as i64 * H;
        let r = if c == 'V' {
            completed(vec![drift("x")])
        } else {
            completed(vec![])
        };
        let d = step(&p, &s, at, at, r.clone());
        let (saved, _) = repo.save(&d.state, ver.as_ref()).unwrap();
        for a in &d.actions {
            if let ActionKind::StartPipeline {
                episode_id,
                client_request_token,
                display_name,
            } = a
            {
                assert_eq!(client_request_token.len(), 42);
                assert!(display_name.len() <= 82);
                assert!(client_request_token
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-'));
                triggers.push((i, episode_id.clone()));
                // The process is killed before confirming; the restarted one sees the
                // pending trigger.
                let (again, _) = repo.load("m").unwrap().unwrap();
                assert_eq!(
                    again
                        .pending_retrain
                        .as_ref()
                        .map(|p| &p.client_request_token),
                    Some(client_request_token)
                );
                let (_, v) = repo.load("m").unwrap().unwrap();
                repo.save(&finish_retrain(&again, client_request_token), Some(&v))
                    .unwrap();
            }
        }
        // A replay of the same window after the restart changes nothing.
        let (reloaded, _) = repo.load("m").unwrap().unwrap();
        assert_eq!(reloaded.cursor_ms, Some(at));
        let replay = step(&p, &reloaded, at, at + M, r);
        assert!(replay.stale && replay.actions.is_empty());
        let _ = saved;
    }
    // Episode 1 opens at window 3 (streak from window 2); windows 4 and 7–8 continue it
    // (only two clean windows in between); it closes after 9–11; episode 2 opens at 13.
    assert_eq!(
        triggers,
        vec![
            (3, episode_id("m", t0 + 2 * H)),
            (13, episode_id("m", t0 + 12 * H)),
        ]
    );
    let (s, _) = repo.load("m").unwrap().unwrap();
    assert_eq!(s.episodes_opened, 2);
    assert_eq!(s.pending_retrain, None);
    assert_eq!(
        s.last_episode
            .as_ref()
            .map(|e| (e.violating_windows, e.closed_ms)),
        Some((5, Some(t0 + 11 * H)))
    );
}

#[test]
fn pipeline_cooldown_spans_episodes_and_retries_within_one() {
    let p = Policy {
        consecutive_windows: 1,
        clean_windows_to_close: 1,
        pipeline_cooldown_ms: Some(5 * H),
        email_cooldown_ms: Some(0),
        webhook_cooldown_ms: None,
        notify_resolved: true,
        ..Policy::default()
    };
    let t0 = t("2026-11-21T00:00:00Z");
    let mut s = MonitorState::new("m");
    let mut log = Vec::new();
    for (i, c) in "VCVVVVV".chars().enumerate() {
        let at = t0 + i as i64 * H;
        let r = if c == 'V' {
            completed(vec![drift("x")])
        } else {
            completed(vec![])
        };
        let d = step(&p, &s, at, at, r);
        for a in &d.actions {
            log.push(match a {
                ActionKind::StartPipeline { .. } => format!("{i}:retrain"),
                ActionKind::Email(n) => format!("{i}:{:?}", n.event),
                ActionKind::Webhook(_) => unreachable!(),
            });
        }
        s = d.state;
    }
    // Episode 1 (window 0) retrains; it closes at 1 (resolved notice); episode 2 opens at 2
    // but the pipeline is cooling down until 5, when the same episode retrains once.
    assert_eq!(
        log,
        vec![
            "0:DriftDetected",
            "0:retrain",
            "1:DriftResolved",
            "2:DriftDetected",
            "3:DriftContinues",
            "4:DriftContinues",
            "5:DriftContinues",
            "5:retrain",
            "6:DriftContinues",
        ]
    );
}

#[test]
fn failures_alert_with_their_own_cooldown() {
    let p = Policy {
        alert_on_failure: true,
        email_cooldown_ms: Some(3 * H),
        ..Policy::default()
    };
    let t0 = t("2026-11-21T00:00:00Z");
    let mut s = MonitorState::new("m");
    let mut n = 0;
    for i in 0..4 {
        let d = step(
            &p,
            &s,
            t0 + i * H,
            t0 + i * H,
            RunResult::Failed { reason: "x".into() },
        );
        n += d.actions.len();
        s = d.state;
    }
    assert_eq!(n, 2);
    // A drift alert right after is not blocked by the failure alerts.
    let d = step(&p, &s, t0 + 4 * H, t0 + 4 * H, completed(vec![drift("x")]));
    assert_eq!(targets(&d), vec![ActionTarget::Email]);
}

#[test]
fn feature_filters() {
    let p = Policy {
        features: Some(["age".to_string()].into()),
        ..Policy::default()
    };
    assert!(p.counts(&drift("age")));
    assert!(!p.counts(&drift("income")));
    assert!(!p.counts(&ViolationKey {
        check_type: "missing_column_check".into(),
        feature: None
    }));
    assert!(Policy::default().counts(&ViolationKey {
        check_type: "missing_column_check".into(),
        feature: None
    }));
    let cv: ConstraintViolations = serde_json::from_str(
        r#"{"violations":[{"feature_name":"a","constraint_check_type":"data_type_check","description":"d"},
            {"metric_name":"auc","constraint_check_type":"LessThanThreshold","description":"d"}]}"#,
    )
    .unwrap();
    assert_eq!(
        ViolationKey::from_violations(&cv),
        vec![
            ViolationKey {
                check_type: "data_type_check".into(),
                feature: Some("a".into())
            },
            ViolationKey {
                check_type: "LessThanThreshold".into(),
                feature: Some("auc".into())
            },
        ]
    );
}

#[test]
fn state_json_round_trip_and_format_guard() {
    let mut s = MonitorState::new("m");
    s.cursor_ms = Some(1);
    s.last_action_ms.insert("email".into(), 5);
    s.lease = Some(Lease {
        window: hour_window(H),
        owner: "o".into(),
        acquired_ms: 1,
        expires_ms: 2,
    });
    let back = MonitorState::from_json(&s.to_json()).unwrap();
    assert_eq!(back, s);
    // Missing keys default; unknown keys are ignored.
    let old = MonitorState::from_json(br#"{"monitor":"m","future_key":1}"#).unwrap();
    assert_eq!(old.monitor, "m");
    assert!(MonitorState::from_json(br#"{"format":99}"#)
        .unwrap_err()
        .contains("newer"));
    assert!(MonitorState::from_json(b"[]").is_err());
}

#[test]
fn identifiers() {
    assert_eq!(
        retrain_token("credit-risk-dq", t("2026-11-21T14:00:00Z")),
        format!(
            "driftmon-{:016x}-20261121T140000Z",
            fnv1a64("credit-risk-dq")
        )
    );
    assert_eq!(
        retrain_display_name("credit_risk..dq", t("2026-11-21T14:00:00Z")),
        "driftmon-credit-risk-dq-20261121T140000Z"
    );
    let long = "x".repeat(63);
    assert!(retrain_display_name(&long, 0).len() <= 82);
}
