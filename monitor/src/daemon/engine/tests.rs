//! Tests of the engine: lease takeover, re-runs, and retrying or recovering a pipeline start.

use super::*;
use crate::adapters::actions::{Recorded, RecordingActions};
use crate::adapters::state_store::MemoryStore;
use crate::config::{parse, ValidateContext};
use driftmon_baseline::capture::parse_timestamp_ms;

const H: i64 = 3_600_000;

fn t(s: &str) -> i64 {
    parse_timestamp_ms(s).unwrap()
}

/// Violates (drift on `income`) from `drift_from` on.
struct Drifting {
    drift_from: i64,
}

impl WindowRunner for Drifting {
    fn run(&self, _: &MonitorConfig, w: &Window) -> Result<RunSummary, RunFailure> {
        let violations = if w.scheduled_ms >= self.drift_from {
            vec![ViolationKey {
                check_type: "baseline_drift_check".into(),
                feature: Some("income".into()),
            }]
        } else {
            Vec::new()
        };
        Ok(RunSummary {
            violations,
            message: String::new(),
        })
    }
}

fn setup(owner: &str, store: Arc<MemoryStore>, actions: Arc<RecordingActions>) -> Engine {
    let text = r#"
[[monitor]]
name = "m"
endpoint = "ep"
capture = "/c"
baseline = "/b"
output = "/o"
schedule = "cron(0 * ? * * *)"
[monitor.policy]
consecutive_windows = 1
[monitor.actions.pipeline]
pipeline_name = "retrain"
[monitor.actions.pipeline.parameters]
Episode = "{episode_id}"
"#;
    let env = |_: &str| None;
    let cfg = parse(
        text,
        &ValidateContext {
            base_dir: None,
            env: &env,
        },
    )
    .unwrap();
    let store: Arc<dyn ConditionalStore> = store;
    Engine::new(
        Arc::new(cfg),
        Arc::new(Drifting {
            drift_from: t("2026-11-21T12:00:00Z"),
        }),
        actions,
        owner.into(),
        |_| Ok((store.clone(), String::new())),
    )
    .unwrap()
}

fn window(at: &str) -> Window {
    Window {
        scheduled_ms: t(at),
        start_ms: t(at) - H,
        end_ms: t(at),
    }
}

fn host() -> String {
    process_owner().split(':').next().unwrap().to_owned()
}

fn no_sleep(_: Duration) {}

#[test]
fn a_lease_of_a_dead_local_process_is_taken_over_a_live_one_is_not() {
    let store = Arc::new(MemoryStore::default());
    let me = format!("{}:{}:me", host(), std::process::id());
    let w = window("2026-11-21T10:00:00Z");
    let now = t("2026-11-21T10:00:01Z");
    for (holder, taken_over) in [
        (format!("{}:999999999:dead", host()), true),
        (format!("{}:1:init", host()), false),
        ("other-host:999999999:x".to_owned(), false),
    ] {
        let other = setup(&holder, store.clone(), Arc::default());
        other.abandon(0).unwrap();
        let mut s = other.state(0).unwrap();
        s.lease = None;
        StateRepo::new(store.as_ref(), "")
            .update("m", 3, |_| {
                Ok::<_, std::convert::Infallible>((s.clone(), ()))
            })
            .unwrap();
        other.begin(0, &w, LeaseMode::Scheduled, now).unwrap();
        let engine = setup(&me, store.clone(), Arc::default());
        let r = engine.begin(0, &w, LeaseMode::Scheduled, now);
        assert_eq!(r.is_ok(), taken_over, "holder {holder}: {r:?}");
        if let Err(e) = r {
            assert!(
                matches!(e, EngineError::Lease(LeaseDenied::Held { ref owner, .. }) if *owner == holder),
                "{e}"
            );
        }
        engine.abandon(0).unwrap();
        other.abandon(0).unwrap();
    }
}

#[test]
fn a_rerun_does_not_feed_the_policy() {
    let store = Arc::new(MemoryStore::default());
    let actions = Arc::new(RecordingActions::default());
    let e = setup("a", store, actions.clone());
    let now = || t("2026-11-21T13:00:30Z");
    let reports = e.run_due(0, &now, &no_sleep).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].status(), "CompletedWithViolations");
    assert_eq!(actions.recorded().len(), 1, "the episode's retraining");
    let before = e.state(0).unwrap();
    // Re-running the same window (an operator, new ground truth) changes nothing.
    let r = e
        .process_window(
            0,
            &window("2026-11-21T13:00:00Z"),
            LeaseMode::Rerun,
            &now,
            &no_sleep,
        )
        .unwrap();
    assert!(r.stale);
    assert!(r.actions.is_empty());
    let after = e.state(0).unwrap();
    assert_eq!(after.cursor_ms, before.cursor_ms);
    assert_eq!(after.violation_streak, before.violation_streak);
    assert_eq!(after.lease, None);
    assert_eq!(actions.recorded().len(), 1);
    // A scheduled run of a done window is refused.
    assert!(matches!(
        e.process_window(
            0,
            &window("2026-11-21T13:00:00Z"),
            LeaseMode::Scheduled,
            &now,
            &no_sleep
        ),
        Err(EngineError::Lease(LeaseDenied::AlreadyDone { .. }))
    ));
}

#[test]
fn a_failed_pipeline_start_stays_pending_and_is_reissued_once() {
    let store = Arc::new(MemoryStore::default());
    let actions = Arc::new(RecordingActions::default());
    let e = setup("a", store, actions.clone());
    actions.fail(ActionTarget::Pipeline);
    let now = || t("2026-11-21T12:00:30Z");
    let reports = e.run_due(0, &now, &no_sleep).unwrap();
    let err = reports[0].actions[0].error.clone().expect("failed");
    assert!(err.retryable);
    let st = e.state(0).unwrap();
    let pending = st.pending_retrain.clone().expect("pending");
    assert_eq!(
        st.retrain_triggered_for_episode.as_deref(),
        Some("m@2026-11-21T12:00:00Z")
    );
    // Still failing: reported, still pending.
    let r = e.recover_pending(0, &no_sleep).unwrap().expect("tried");
    assert!(r.error.is_some());
    assert!(e.state(0).unwrap().pending_retrain.is_some());
    // The service is back: started once, with the decision's token and parameters.
    actions.heal();
    let r = e.recover_pending(0, &no_sleep).unwrap().expect("tried");
    assert_eq!(r.error, None);
    assert_eq!(e.state(0).unwrap().pending_retrain, None);
    assert_eq!(e.recover_pending(0, &no_sleep).unwrap(), None);
    let starts: Vec<_> = actions
        .recorded()
        .into_iter()
        .filter_map(|r| match r {
            Recorded::Pipeline(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].client_request_token, pending.client_request_token);
    assert_eq!(
        starts[0].parameters,
        [("Episode".to_owned(), "m@2026-11-21T12:00:00Z".to_owned())]
    );
    // Later violating windows of the same episode do not retrain again.
    let later = || t("2026-11-21T15:00:30Z");
    e.run_due(0, &later, &no_sleep).unwrap();
    let n = actions
        .recorded()
        .iter()
        .filter(|r| matches!(r, Recorded::Pipeline(_)))
        .count();
    assert_eq!(n, 1);
}

#[test]
fn a_crash_after_the_start_is_recorded_by_display_name_not_restarted() {
    let store = Arc::new(MemoryStore::default());
    let actions = Arc::new(RecordingActions::default());
    let e = setup("a", store.clone(), actions.clone());
    let now = || t("2026-11-21T12:00:30Z");
    e.run_due(0, &now, &no_sleep).unwrap();
    // Simulate a crash between the start and its confirmation: put the pending mark back.
    let repo = StateRepo::new(store.as_ref(), "");
    let (mut s, _) = repo.load("m").unwrap().unwrap();
    s.pending_retrain = Some(crate::control::state::PendingRetrain {
        episode_id: "m@2026-11-21T12:00:00Z".into(),
        client_request_token: crate::control::state::retrain_token("m", t("2026-11-21T12:00:00Z")),
        display_name: crate::control::state::retrain_display_name("m", t("2026-11-21T12:00:00Z")),
        decided_ms: now(),
        window: Some(window("2026-11-21T12:00:00Z")),
    });
    repo.update("m", 3, |_| {
        Ok::<_, std::convert::Infallible>((s.clone(), ()))
    })
    .unwrap();
    let r = e.recover_pending(0, &no_sleep).unwrap().expect("checked");
    assert_eq!(r.error, None);
    assert_eq!(e.state(0).unwrap().pending_retrain, None);
    assert_eq!(
        actions.recorded().len(),
        1,
        "found by display name, not started again"
    );
}
