//! The alerting policy of `driftmon serve` and the Lambda: what a window's outcome does to a
//! monitor's state, and which actions it fires. Pure: the state is passed in and returned.
//!
//! # Policy and drift episodes
//!
//! [`decide`] takes the outcome of one window and returns the new state and the actions to
//! take:
//!
//! * A violation **counts** if its check type is in `check_types` (all when unset) and its
//!   feature (or model-quality metric) is in `features` (all when unset) and not in
//!   `ignore_features`. With a `features` list, violations that name no feature do not count.
//! * A window with a counting violation extends the violation streak; a `Completed` window
//!   without one is **clean** and resets it; a `Failed` window (no data, unreadable input) is
//!   neutral: it neither extends nor resets the streak.
//! * When the streak reaches `consecutive_windows` (N), a **drift episode** opens. Its id is
//!   `{monitor}@{first window of the streak}` (scheduled time, RFC 3339): deterministic, so two
//!   processes deciding the same window derive the same id. The episode ends after
//!   `clean_windows_to_close` (M) consecutive clean windows; violations in between continue
//!   the same episode.
//! * E-mail and webhook alerts fire on the window that opens an episode and on later violating
//!   windows of the episode, each at most once per cool-down (measured with the decision time,
//!   so a catch-up of many windows sends one alert, not one per window). Optionally, a resolved
//!   notice is sent when the episode closes (not subject to the cool-down), and failed runs are
//!   alerted (with their own cool-down).
//! * Retraining (`StartPipeline`) fires at most **once per episode**, and also respects its own
//!   cool-down across episodes; if the cool-down blocks it, a later violating window of the same
//!   episode retries. The decision is recorded in the state (`retrain_triggered_for_episode`,
//!   `pending_retrain`) **before** the pipeline is started: the caller persists the decision
//!   first, then starts the pipeline with the action's `client_request_token` (SageMaker's
//!   idempotency token, derived from the episode id) and `display_name`, then calls
//!   [`finish_retrain`]. After a crash in between, `pending_retrain` tells the restarted process
//!   to re-issue the same request — SageMaker executes a token at most once, and the display
//!   name lets the caller check `ListPipelineExecutions` first on services that ignore tokens.
//! * Replays are harmless: an outcome for a window at or before the cursor (a re-run, a
//!   duplicate delivery, a restart that re-decides) changes nothing and fires nothing
//!   ([`Decision::stale`]).

use std::collections::BTreeSet;

use driftmon_baseline::capture::format_timestamp_ms;
use driftmon_baseline::files::ConstraintViolations;
use serde::{Deserialize, Serialize};

use crate::control::schedule::{civil_fields, Window};
use crate::control::state::{Episode, MonitorState, PendingRetrain, RunStatus};

// ---------------------------------------------------------------------------------------------
// Outcomes and policy
// ---------------------------------------------------------------------------------------------

/// One violation, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ViolationKey {
    /// `constraint_check_type` (`baseline_drift_check`, `data_type_check`, …; a comparison
    /// operator for model quality).
    pub check_type: String,
    /// `feature_name` (data quality) or `metric_name` (model quality).
    pub feature: Option<String>,
}

impl ViolationKey {
    /// The violations of a `constraint_violations.json`.
    pub fn from_violations(v: &ConstraintViolations) -> Vec<ViolationKey> {
        v.violations
            .iter()
            .map(|x| ViolationKey {
                check_type: x.constraint_check_type.clone(),
                feature: x.feature_name.clone().or_else(|| x.metric_name.clone()),
            })
            .collect()
    }
}

/// How a window's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunResult {
    /// The run completed, with these violations (empty: `Completed`).
    Completed {
        /// Every violation written.
        violations: Vec<ViolationKey>,
    },
    /// The run failed for good (after the caller's retries).
    Failed {
        /// Why (SageMaker's `Failed: <reason>`).
        reason: String,
    },
}

/// The outcome of one window, handed to [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowOutcome {
    /// The window.
    pub window: Window,
    /// When the decision is made (ms): the clock of the cool-downs.
    pub now_ms: i64,
    /// The result.
    pub result: RunResult,
}

/// The action policy of one monitor (built from its configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Check types that count (`None`: all).
    pub check_types: Option<BTreeSet<String>>,
    /// Features or metrics that count (`None`: all, including violations without a feature).
    pub features: Option<BTreeSet<String>>,
    /// Features or metrics that never count.
    pub ignore_features: BTreeSet<String>,
    /// N: consecutive violating windows that open a drift episode (≥ 1).
    pub consecutive_windows: u32,
    /// M: consecutive clean windows that close it (≥ 1).
    pub clean_windows_to_close: u32,
    /// Cool-down of the retraining pipeline (ms); `None`: no pipeline action configured.
    pub pipeline_cooldown_ms: Option<i64>,
    /// Cool-down of e-mail alerts (ms); `None`: no e-mail action configured.
    pub email_cooldown_ms: Option<i64>,
    /// Cool-down of webhook alerts (ms); `None`: no webhook action configured.
    pub webhook_cooldown_ms: Option<i64>,
    /// Send a resolved notice when an episode closes.
    pub notify_resolved: bool,
    /// Alert when a run fails.
    pub alert_on_failure: bool,
}

impl Default for Policy {
    /// Every violation counts, one window opens an episode, three clean windows close it, no
    /// action configured.
    fn default() -> Self {
        Policy {
            check_types: None,
            features: None,
            ignore_features: BTreeSet::new(),
            consecutive_windows: 1,
            clean_windows_to_close: 3,
            pipeline_cooldown_ms: None,
            email_cooldown_ms: None,
            webhook_cooldown_ms: None,
            notify_resolved: true,
            alert_on_failure: false,
        }
    }
}

impl Policy {
    /// Whether a violation counts.
    pub fn counts(&self, v: &ViolationKey) -> bool {
        if let Some(ct) = &self.check_types {
            if !ct.contains(&v.check_type) {
                return false;
            }
        }
        match &v.feature {
            Some(f) => {
                !self.ignore_features.contains(f)
                    && self.features.as_ref().is_none_or(|fs| fs.contains(f))
            }
            None => self.features.is_none(),
        }
    }
}

/// Where an action goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionTarget {
    /// A SageMaker pipeline execution.
    Pipeline,
    /// An e-mail.
    Email,
    /// A webhook POST.
    Webhook,
}

impl ActionTarget {
    /// `pipeline`, `email`, `webhook` (also the cool-down key).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionTarget::Pipeline => "pipeline",
            ActionTarget::Email => "email",
            ActionTarget::Webhook => "webhook",
        }
    }
}

/// What an alert says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeEvent {
    /// A drift episode opened.
    DriftDetected,
    /// Another violating window in an open episode.
    DriftContinues,
    /// The episode closed after M clean windows.
    DriftResolved,
    /// The run failed.
    RunFailed {
        /// Why.
        reason: String,
    },
}

/// The content of an e-mail or webhook alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What happened.
    pub event: NoticeEvent,
    /// The monitor.
    pub monitor: String,
    /// The window decided.
    pub window: Window,
    /// The episode concerned.
    pub episode_id: Option<String>,
    /// The violation streak after this window.
    pub violation_streak: u32,
    /// The counting violations of the window.
    pub violations: Vec<ViolationKey>,
}

/// An action to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionKind {
    /// Start the retraining pipeline (once per episode).
    StartPipeline {
        /// The episode.
        episode_id: String,
        /// `ClientRequestToken`: derived from the monitor and the episode, 42 characters.
        client_request_token: String,
        /// `PipelineExecutionDisplayName` (≤ 82 characters, letters, digits and hyphens).
        display_name: String,
    },
    /// Send an e-mail.
    Email(Notice),
    /// Post to the webhook.
    Webhook(Notice),
}

impl ActionKind {
    /// Where it goes.
    pub fn target(&self) -> ActionTarget {
        match self {
            ActionKind::StartPipeline { .. } => ActionTarget::Pipeline,
            ActionKind::Email(_) => ActionTarget::Email,
            ActionKind::Webhook(_) => ActionTarget::Webhook,
        }
    }
}

/// The result of [`decide`].
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The new state (persist it before acting).
    pub state: MonitorState,
    /// What to do, in order.
    pub actions: Vec<ActionKind>,
    /// The window's counting violations.
    pub counted: Vec<ViolationKey>,
    /// The window was at or before the cursor: nothing changed, nothing to do.
    pub stale: bool,
}

pub(crate) fn fnv1a64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn compact_time(ms: i64) -> String {
    let (y, m, d, hh, mm) = civil_fields(ms);
    let ss = ms.rem_euclid(60_000) / 1000;
    format!("{y:04}{m:02}{d:02}T{hh:02}{mm:02}{ss:02}Z")
}

/// The episode id of a streak that started at `started_ms`.
pub fn episode_id(monitor: &str, started_ms: i64) -> String {
    format!("{monitor}@{}", format_timestamp_ms(started_ms))
}

/// SageMaker's `ClientRequestToken` for retraining in an episode: `driftmon-{hash of the
/// monitor}-{episode start}`, 42 characters (SageMaker wants 32–128).
pub fn retrain_token(monitor: &str, started_ms: i64) -> String {
    format!(
        "driftmon-{:016x}-{}",
        fnv1a64(monitor),
        compact_time(started_ms)
    )
}

/// SageMaker's `PipelineExecutionDisplayName` for retraining in an episode:
/// `driftmon-{monitor}-{episode start}` with the name cut to fit 82 characters and to
/// `[A-Za-z0-9-]`.
pub fn retrain_display_name(monitor: &str, started_ms: i64) -> String {
    let clean: String = monitor
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(56)
        .collect();
    let clean = clean.trim_matches('-');
    let mut s = format!("driftmon-{clean}-{}", compact_time(started_ms));
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s
}

fn cooled(state: &MonitorState, key: &str, cooldown_ms: i64, now_ms: i64) -> bool {
    state
        .last_action_ms
        .get(key)
        .is_none_or(|&last| now_ms.saturating_sub(last) >= cooldown_ms)
}

/// Applies one window's outcome: streaks, episodes, cool-downs, retrain-once. Pure; see the
/// module documentation for the rules.
pub fn decide(policy: &Policy, state: &MonitorState, outcome: &WindowOutcome) -> Decision {
    let w = outcome.window;
    let now = outcome.now_ms;
    if state.cursor_ms.is_some_and(|c| w.scheduled_ms <= c) {
        return Decision {
            state: state.clone(),
            actions: Vec::new(),
            counted: Vec::new(),
            stale: true,
        };
    }
    let mut s = state.clone();
    s.cursor_ms = Some(w.scheduled_ms);
    s.last_completed = Some(w);
    s.updated_ms = now;
    let mut d = Deciding {
        policy,
        w,
        now,
        s,
        actions: Vec::new(),
    };
    let mut counted = Vec::new();
    match &outcome.result {
        RunResult::Failed { reason } => {
            d.s.last_status = Some(RunStatus::Failed);
            if policy.alert_on_failure {
                d.failed(reason);
            }
        }
        RunResult::Completed { violations } => {
            d.s.last_status = Some(if violations.is_empty() {
                RunStatus::Completed
            } else {
                RunStatus::CompletedWithViolations
            });
            counted = violations
                .iter()
                .filter(|v| policy.counts(v))
                .cloned()
                .collect::<Vec<_>>();
            counted.sort();
            counted.dedup();
            if counted.is_empty() {
                d.clean();
            } else {
                d.violating(&counted);
            }
        }
    }
    Decision {
        state: d.s,
        actions: d.actions,
        counted,
        stale: false,
    }
}

/// One [`decide`] in progress: the policy, the window and the decision time (the clock of the
/// cool-downs), the state being updated and the actions so far.
struct Deciding<'p> {
    policy: &'p Policy,
    w: Window,
    now: i64,
    s: MonitorState,
    actions: Vec<ActionKind>,
}

impl Deciding<'_> {
    /// The alert targets with their cool-downs (`None`: not configured), e-mail first.
    fn alert_targets(&self) -> [(ActionTarget, Option<i64>); 2] {
        [
            (ActionTarget::Email, self.policy.email_cooldown_ms),
            (ActionTarget::Webhook, self.policy.webhook_cooldown_ms),
        ]
    }

    /// Queues an e-mail or webhook alert about the window, with the violation streak as it is now.
    fn alert(
        &mut self,
        t: ActionTarget,
        event: NoticeEvent,
        episode: Option<String>,
        v: &[ViolationKey],
    ) {
        let n = Notice {
            event,
            monitor: self.s.monitor.clone(),
            window: self.w,
            episode_id: episode,
            violation_streak: self.s.violation_streak,
            violations: v.to_vec(),
        };
        self.actions.push(match t {
            ActionTarget::Email => ActionKind::Email(n),
            _ => ActionKind::Webhook(n),
        });
    }

    /// A failed run (with `alert_on_failure`): an alert per target past its failure cool-down.
    fn failed(&mut self, reason: &str) {
        for (t, cd) in self.alert_targets() {
            let Some(cd) = cd else { continue };
            let key = format!("{}:failure", t.as_str());
            if cooled(&self.s, &key, cd, self.now) {
                self.s.last_action_ms.insert(key, self.now);
                let ep = self.s.episode.as_ref().map(|e| e.id.clone());
                let event = NoticeEvent::RunFailed {
                    reason: reason.to_owned(),
                };
                self.alert(t, event, ep, &[]);
            }
        }
    }

    /// A clean window: resets the violation streak; after M clean windows closes the episode,
    /// with a resolved notice per configured target if `notify_resolved`.
    fn clean(&mut self) {
        let s = &mut self.s;
        s.clean_streak = s.clean_streak.saturating_add(1);
        s.violation_streak = 0;
        s.streak_started_ms = None;
        let close = s
            .episode
            .as_ref()
            .is_some_and(|_| s.clean_streak >= self.policy.clean_windows_to_close.max(1));
        if !close {
            return;
        }
        let Some(mut ep) = s.episode.take() else {
            return;
        };
        ep.closed_ms = Some(self.w.scheduled_ms);
        if self.policy.notify_resolved {
            for (t, cd) in self.alert_targets() {
                if cd.is_none() {
                    continue;
                }
                self.s
                    .last_action_ms
                    .insert(t.as_str().to_owned(), self.now);
                self.alert(t, NoticeEvent::DriftResolved, Some(ep.id.clone()), &[]);
            }
        }
        self.s.last_episode = Some(ep);
    }

    /// A window with counting violations: extends the streak, continues or opens the episode,
    /// then alerts and retrains within it.
    fn violating(&mut self, counted: &[ViolationKey]) {
        let event = self.extend_episode();
        if let (Some(event), Some(ep)) = (event, self.s.episode.clone()) {
            for (t, cd) in self.alert_targets() {
                let Some(cd) = cd else { continue };
                if cooled(&self.s, t.as_str(), cd, self.now) {
                    self.s
                        .last_action_ms
                        .insert(t.as_str().to_owned(), self.now);
                    self.alert(t, event.clone(), Some(ep.id.clone()), counted);
                }
            }
            if let Some(cd) = self.policy.pipeline_cooldown_ms {
                self.retrain(&ep, cd);
            }
        }
    }

    /// Extends the violation streak; continues the open episode or opens one when the streak
    /// reaches N. The event to alert, `None` while no episode is open.
    fn extend_episode(&mut self) -> Option<NoticeEvent> {
        let w = self.w;
        let s = &mut self.s;
        s.violation_streak = s.violation_streak.saturating_add(1);
        s.clean_streak = 0;
        let started = *s.streak_started_ms.get_or_insert(w.scheduled_ms);
        if let Some(ep) = s.episode.as_mut() {
            ep.violating_windows = ep.violating_windows.saturating_add(1);
            Some(NoticeEvent::DriftContinues)
        } else if s.violation_streak >= self.policy.consecutive_windows.max(1) {
            s.episode = Some(Episode {
                id: episode_id(&s.monitor, started),
                started_ms: started,
                opened_ms: w.scheduled_ms,
                closed_ms: None,
                violating_windows: s.violation_streak,
            });
            s.episodes_opened += 1;
            Some(NoticeEvent::DriftDetected)
        } else {
            None
        }
    }

    /// Starts retraining for `ep` unless already done in it or within the cool-down `cd`;
    /// recorded as `pending_retrain` in the state before the action is queued.
    fn retrain(&mut self, ep: &Episode, cd: i64) {
        let s = &mut self.s;
        let already = s.retrain_triggered_for_episode.as_deref() == Some(&ep.id);
        if already || !cooled(s, "pipeline", cd, self.now) {
            return;
        }
        let token = retrain_token(&s.monitor, ep.started_ms);
        let display = retrain_display_name(&s.monitor, ep.started_ms);
        s.retrain_triggered_for_episode = Some(ep.id.clone());
        s.pending_retrain = Some(PendingRetrain {
            episode_id: ep.id.clone(),
            client_request_token: token.clone(),
            display_name: display.clone(),
            decided_ms: self.now,
            window: Some(self.w),
        });
        s.last_action_ms.insert("pipeline".into(), self.now);
        self.actions.push(ActionKind::StartPipeline {
            episode_id: ep.id.clone(),
            client_request_token: token,
            display_name: display,
        });
    }
}

/// Clears `pending_retrain` once the pipeline start with `token` succeeded, or was given up
/// (the episode keeps its retrain-once mark either way: a failed start is reported, not
/// re-tried in later windows of the same episode).
pub fn finish_retrain(state: &MonitorState, token: &str) -> MonitorState {
    let mut s = state.clone();
    if s.pending_retrain
        .as_ref()
        .is_some_and(|p| p.client_request_token == token)
    {
        s.pending_retrain = None;
    }
    s
}
