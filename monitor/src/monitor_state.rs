//! Per-monitor state and the pure decisions of `driftmon serve` (and of the Lambda, which shares
//! them): which windows are due, who may run one, and what to do about its outcome.
//!
//! The state is a small JSON object per monitor ([`MonitorState`]), kept in the monitor's output
//! store at [`state_key`] and read and written only through a [`ConditionalStore`]
//! (`crate::state_store` has the local, in-memory and best-effort adapters; the S3 adapter maps
//! [`ConditionalStore::put_if`] onto S3's conditional writes). Everything in this module is pure:
//! no clock (times are passed in), no I/O.
//!
//! # Windows and catch-up
//!
//! `cursor_ms` is the scheduled time up to which every window is done (completed or skipped).
//! [`due_windows`] lists the windows scheduled in `(cursor, now]`, oldest first. After an outage
//! there may be many: at most `max_catch_up` are returned — the **newest** ones, because they
//! are the ones an on-call engineer needs — and the older ones are reported as [`Skipped`] (a
//! count and the first and last scheduled time). The caller records them with [`skip`] (which
//! moves the cursor past them and adds them to `skipped_windows`) and reports them; they are
//! never run by the scheduler (an operator can still run one by hand with `driftmon run`, or
//! with the Lambda's direct invocation). A monitor without state starts with the latest window
//! that is due, and does not backfill history.
//!
//! # Leases: one window at a time
//!
//! A monitor has at most one [`Lease`] `{window, owner, expires_ms}`. [`acquire_lease`] grants
//! it only when no other owner holds an unexpired one, and (for scheduled runs) only for a window
//! after the cursor. The caller writes the new state with a conditional write (the precondition
//! is the version it read); a write that loses the race fails with a conflict and the caller
//! re-reads. Long runs call [`renew_lease`] (which fails if another owner has taken the lease
//! over after it expired: the run must then be abandoned); a finished run records its outcome
//! with [`decide`] and drops the lease with [`release_lease`], in one write.
//!
//! The guarantee is exactly as strong as the store's conditional write:
//!
//! * local folders (a lock file around read-compare-write) and the in-memory store: true
//!   compare-and-swap, so two processes never hold the lease of one monitor at once — unless a
//!   holder overruns its lease without renewing it (then the window may run twice, and the
//!   outputs of the later run overwrite the earlier ones);
//! * S3 with conditional writes (`If-None-Match: *` to create, `If-Match: <etag>` to replace,
//!   which AWS S3 has supported since 2024): the same compare-and-swap;
//! * a store without conditional writes ([`CasGuarantee::BestEffort`]: write, read back,
//!   compare) only detects a competing write that lands before the read-back. Two processes
//!   can then both believe they hold the lease; the retrain-once rule still holds through the
//!   pipeline's idempotency token (below), and a window run twice overwrites its outputs.
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

use std::collections::{BTreeMap, BTreeSet};

use driftmon_baseline::capture::format_timestamp_ms;
use driftmon_baseline::files::ConstraintViolations;
use serde::{Deserialize, Serialize};

use crate::schedule::{civil_fields, Window, WindowSchedule};
use crate::store::StoreError;

/// The version of the state's JSON layout.
pub const STATE_FORMAT: u32 = 1;

/// The key of a monitor's state, relative to its output location. The leading dot keeps it out of
/// local listings of the outputs.
pub fn state_key(monitor: &str) -> String {
    format!(".driftmon/state/{monitor}.json")
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/// SageMaker's execution status of a window, as recorded in the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunStatus {
    /// No violation.
    Completed,
    /// At least one violation (counting for the policy or not).
    CompletedWithViolations,
    /// The run failed (no data, unreadable input, …).
    Failed,
}

/// The lease on a monitor: who is running which window, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The window being run.
    pub window: Window,
    /// Who runs it (e.g. `host:pid:random`, or the Lambda request id).
    pub owner: String,
    /// When the lease was taken (ms).
    pub acquired_ms: i64,
    /// When it lapses unless renewed (ms); after that another owner may take it over.
    pub expires_ms: i64,
}

/// A drift episode: from the window that opened it until M consecutive clean windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    /// `{monitor}@{first window of the streak, RFC 3339}`.
    pub id: String,
    /// Scheduled time of the first violating window of the streak that opened it.
    pub started_ms: i64,
    /// Scheduled time of the window that opened it (the N-th violating one).
    pub opened_ms: i64,
    /// Scheduled time of the last clean window that closed it.
    #[serde(default)]
    pub closed_ms: Option<i64>,
    /// Violating windows in the episode so far.
    pub violating_windows: u32,
}

/// A retraining decision whose pipeline start is not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRetrain {
    /// The episode.
    pub episode_id: String,
    /// SageMaker's `ClientRequestToken` (idempotency token).
    pub client_request_token: String,
    /// SageMaker's `PipelineExecutionDisplayName`.
    pub display_name: String,
    /// When it was decided (ms).
    pub decided_ms: i64,
    /// The window that triggered it (the pipeline parameters are rendered from it).
    #[serde(default)]
    pub window: Option<Window>,
}

/// Everything `driftmon serve` remembers about one monitor, kept as JSON in the output store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MonitorState {
    /// [`STATE_FORMAT`].
    pub format: u32,
    /// The monitor's name.
    pub monitor: String,
    /// Incremented by every write (by [`StateRepo`]).
    pub revision: u64,
    /// When the state was last changed (ms).
    pub updated_ms: i64,
    /// Every window scheduled at or before this time is done (completed or skipped).
    pub cursor_ms: Option<i64>,
    /// The last window whose outcome was decided.
    pub last_completed: Option<Window>,
    /// Its status.
    pub last_status: Option<RunStatus>,
    /// The run in flight, if any.
    pub lease: Option<Lease>,
    /// Consecutive windows with counting violations (failed windows are neutral).
    pub violation_streak: u32,
    /// Scheduled time of the first window of the current violation streak.
    pub streak_started_ms: Option<i64>,
    /// Consecutive clean windows.
    pub clean_streak: u32,
    /// The open drift episode.
    pub episode: Option<Episode>,
    /// The last closed drift episode.
    pub last_episode: Option<Episode>,
    /// Episodes opened so far.
    pub episodes_opened: u64,
    /// The episode for which retraining was triggered (at most once per episode).
    pub retrain_triggered_for_episode: Option<String>,
    /// A retraining decided but not confirmed started.
    pub pending_retrain: Option<PendingRetrain>,
    /// When each action (cool-down key: `pipeline`, `email`, `webhook`, `email:failure`,
    /// `webhook:failure`) last fired (ms).
    pub last_action_ms: BTreeMap<String, i64>,
    /// Windows skipped by the catch-up bound, in total.
    pub skipped_windows: u64,
}

impl Default for MonitorState {
    fn default() -> Self {
        MonitorState::new("")
    }
}

impl MonitorState {
    /// The state of a monitor that has never run.
    pub fn new(monitor: &str) -> MonitorState {
        MonitorState {
            format: STATE_FORMAT,
            monitor: monitor.to_owned(),
            revision: 0,
            updated_ms: 0,
            cursor_ms: None,
            last_completed: None,
            last_status: None,
            lease: None,
            violation_streak: 0,
            streak_started_ms: None,
            clean_streak: 0,
            episode: None,
            last_episode: None,
            episodes_opened: 0,
            retrain_triggered_for_episode: None,
            pending_retrain: None,
            last_action_ms: BTreeMap::new(),
            skipped_windows: 0,
        }
    }

    /// Serializes to pretty JSON.
    pub fn to_json(&self) -> Vec<u8> {
        // A struct of plain fields always serializes.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Parses the JSON written by [`MonitorState::to_json`] (unknown keys are ignored, missing
    /// ones take their defaults; a newer `format` is refused).
    pub fn from_json(bytes: &[u8]) -> Result<MonitorState, String> {
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if !v.is_object() {
            return Err("not a JSON object".into());
        }
        let s: MonitorState = serde_json::from_value(v).map_err(|e| e.to_string())?;
        if s.format > STATE_FORMAT {
            return Err(format!(
                "state format {} is newer than this driftmon understands ({STATE_FORMAT})",
                s.format
            ));
        }
        Ok(s)
    }

    /// Whether another owner holds an unexpired lease at `now_ms`.
    pub fn leased_by_other(&self, owner: &str, now_ms: i64) -> bool {
        self.lease
            .as_ref()
            .is_some_and(|l| l.owner != owner && l.expires_ms > now_ms)
    }
}

// ---------------------------------------------------------------------------------------------
// Due windows
// ---------------------------------------------------------------------------------------------

/// Windows left out by the catch-up bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// How many (a lower bound when `exact` is false: counting stops at 100 000).
    pub count: u64,
    /// Whether `count` is exact.
    pub exact: bool,
    /// Scheduled time of the first skipped window.
    pub first_scheduled_ms: i64,
    /// Scheduled time of the last skipped window.
    pub last_scheduled_ms: i64,
}

/// What to run now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DuePlan {
    /// Windows to run, oldest first (at most `max_catch_up`).
    pub run: Vec<Window>,
    /// Older missed windows beyond the bound: not run; record them with [`skip`].
    pub skipped: Option<Skipped>,
}

const SKIP_COUNT_CAP: u64 = 100_000;

/// The windows due at `now_ms`: scheduled in `(cursor, now]`, oldest first, at most
/// `max_catch_up` of them (0 is treated as 1) — the newest; older ones are reported in
/// [`DuePlan::skipped`]. Without a cursor (a new monitor) only the latest due window is returned
/// and nothing is skipped.
pub fn due_windows(
    schedule: &WindowSchedule,
    state: &MonitorState,
    now_ms: i64,
    max_catch_up: usize,
) -> DuePlan {
    let max = max_catch_up.max(1);
    let sch = &schedule.schedule;
    let Some(cursor) = state.cursor_ms else {
        let mut at = sch.at_or_before(now_ms);
        // The latest fire that has a window (only a year-restricted cron's first fire has none).
        for _ in 0..2 {
            match at {
                Some(t) => match schedule.window_at(t) {
                    Some(w) => {
                        return DuePlan {
                            run: vec![w],
                            skipped: None,
                        }
                    }
                    None => at = sch.prev_before(t),
                },
                None => break,
            }
        }
        return DuePlan::default();
    };
    // Newest first, walking back from now.
    let mut fires = Vec::new();
    let mut at = sch.at_or_before(now_ms);
    while let Some(t) = at {
        if t <= cursor || fires.len() == max {
            break;
        }
        fires.push(t);
        at = sch.prev_before(t);
    }
    let skipped = match at {
        Some(last) if last > cursor && fires.len() == max => {
            let mut count = 0u64;
            let mut first = last;
            let mut exact = true;
            let mut t = sch.next_after(cursor);
            while let Some(x) = t {
                if x > last {
                    break;
                }
                if count == 0 {
                    first = x;
                }
                count += 1;
                if count == SKIP_COUNT_CAP {
                    exact = sch.next_after(x).is_none_or(|n| n > last);
                    break;
                }
                t = sch.next_after(x);
            }
            Some(Skipped {
                count,
                exact,
                first_scheduled_ms: first,
                last_scheduled_ms: last,
            })
        }
        _ => None,
    };
    fires.reverse();
    let mut run = Vec::with_capacity(fires.len());
    let mut unwindowed = 0u64;
    for t in fires {
        match schedule.window_at(t) {
            Some(w) => run.push(w),
            None => unwindowed += 1,
        }
    }
    let skipped = match (skipped, unwindowed) {
        (s, 0) => s,
        (Some(mut s), n) => {
            s.count += n;
            Some(s)
        }
        (None, n) => {
            // Only the first fire of a year-restricted cron has no window: it is skipped.
            let first = sch.next_after(cursor).unwrap_or(cursor);
            Some(Skipped {
                count: n,
                exact: true,
                first_scheduled_ms: first,
                last_scheduled_ms: first,
            })
        }
    };
    DuePlan { run, skipped }
}

/// Records skipped windows: the cursor moves past them and `skipped_windows` grows.
pub fn skip(state: &MonitorState, skipped: &Skipped, now_ms: i64) -> MonitorState {
    let mut s = state.clone();
    if s.cursor_ms.is_none_or(|c| c < skipped.last_scheduled_ms) {
        s.cursor_ms = Some(skipped.last_scheduled_ms);
        s.skipped_windows += skipped.count;
        s.updated_ms = now_ms;
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Leases
// ---------------------------------------------------------------------------------------------

/// Why a run may not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeaseDenied {
    /// Another owner holds an unexpired lease.
    #[error("monitor is busy: {owner} runs {window} until {}", format_timestamp_ms(*expires_ms))]
    Held {
        /// The holder.
        owner: String,
        /// Its window.
        window: Window,
        /// When its lease lapses.
        expires_ms: i64,
    },
    /// The window is already done (at or before the cursor).
    #[error("window {window} is already done (cursor {})", format_timestamp_ms(*cursor_ms))]
    AlreadyDone {
        /// The window.
        window: Window,
        /// The cursor.
        cursor_ms: i64,
    },
    /// The caller's lease is gone (expired and taken over, or released).
    #[error("lease lost by {owner}")]
    Lost {
        /// The caller.
        owner: String,
    },
}

/// What a lease is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseMode {
    /// A scheduled window: refused if already done.
    Scheduled,
    /// A re-run of any window (an operator's or the Lambda's direct invocation, new ground
    /// truth): allowed even if done. Its outcome does not feed the policy ([`decide`] treats
    /// it as stale).
    Rerun,
}

/// Takes the lease for `window` (or renews it if `owner` already holds it).
pub fn acquire_lease(
    state: &MonitorState,
    window: &Window,
    owner: &str,
    now_ms: i64,
    ttl_ms: i64,
    mode: LeaseMode,
) -> Result<MonitorState, LeaseDenied> {
    if let Some(l) = &state.lease {
        if l.owner != owner && l.expires_ms > now_ms {
            return Err(LeaseDenied::Held {
                owner: l.owner.clone(),
                window: l.window,
                expires_ms: l.expires_ms,
            });
        }
    }
    if mode == LeaseMode::Scheduled {
        if let Some(c) = state.cursor_ms {
            if window.scheduled_ms <= c {
                return Err(LeaseDenied::AlreadyDone {
                    window: *window,
                    cursor_ms: c,
                });
            }
        }
    }
    let mut s = state.clone();
    s.lease = Some(Lease {
        window: *window,
        owner: owner.to_owned(),
        acquired_ms: now_ms,
        expires_ms: now_ms.saturating_add(ttl_ms),
    });
    s.updated_ms = now_ms;
    Ok(s)
}

/// Extends the caller's lease to `now + ttl`; fails if it is no longer the caller's.
pub fn renew_lease(
    state: &MonitorState,
    owner: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<MonitorState, LeaseDenied> {
    match &state.lease {
        Some(l) if l.owner == owner => {
            let mut s = state.clone();
            if let Some(l) = s.lease.as_mut() {
                l.expires_ms = now_ms.saturating_add(ttl_ms);
            }
            s.updated_ms = now_ms;
            Ok(s)
        }
        _ => Err(LeaseDenied::Lost {
            owner: owner.to_owned(),
        }),
    }
}

/// Drops the caller's lease (no change if someone else holds it).
pub fn release_lease(state: &MonitorState, owner: &str) -> MonitorState {
    let mut s = state.clone();
    if s.lease.as_ref().is_some_and(|l| l.owner == owner) {
        s.lease = None;
    }
    s
}

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

fn fnv1a64(s: &str) -> u64 {
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
    let mut actions = Vec::new();
    let alerts = [
        (ActionTarget::Email, policy.email_cooldown_ms),
        (ActionTarget::Webhook, policy.webhook_cooldown_ms),
    ];
    let notice =
        |s: &MonitorState, event: NoticeEvent, episode: Option<String>, v: &[ViolationKey]| {
            Notice {
                event,
                monitor: s.monitor.clone(),
                window: w,
                episode_id: episode,
                violation_streak: s.violation_streak,
                violations: v.to_vec(),
            }
        };
    let wrap = |t: ActionTarget, n: Notice| match t {
        ActionTarget::Email => ActionKind::Email(n),
        _ => ActionKind::Webhook(n),
    };
    let mut counted = Vec::new();
    match &outcome.result {
        RunResult::Failed { reason } => {
            s.last_status = Some(RunStatus::Failed);
            if policy.alert_on_failure {
                for (t, cd) in alerts {
                    let Some(cd) = cd else { continue };
                    let key = format!("{}:failure", t.as_str());
                    if cooled(&s, &key, cd, now) {
                        s.last_action_ms.insert(key, now);
                        let ep = s.episode.as_ref().map(|e| e.id.clone());
                        let n = notice(
                            &s,
                            NoticeEvent::RunFailed {
                                reason: reason.clone(),
                            },
                            ep,
                            &[],
                        );
                        actions.push(wrap(t, n));
                    }
                }
            }
        }
        RunResult::Completed { violations } => {
            s.last_status = Some(if violations.is_empty() {
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
                s.clean_streak = s.clean_streak.saturating_add(1);
                s.violation_streak = 0;
                s.streak_started_ms = None;
                let close = s
                    .episode
                    .as_ref()
                    .is_some_and(|_| s.clean_streak >= policy.clean_windows_to_close.max(1));
                if close {
                    if let Some(mut ep) = s.episode.take() {
                        ep.closed_ms = Some(w.scheduled_ms);
                        if policy.notify_resolved {
                            for (t, cd) in alerts {
                                if cd.is_none() {
                                    continue;
                                }
                                s.last_action_ms.insert(t.as_str().to_owned(), now);
                                let n = notice(
                                    &s,
                                    NoticeEvent::DriftResolved,
                                    Some(ep.id.clone()),
                                    &[],
                                );
                                actions.push(wrap(t, n));
                            }
                        }
                        s.last_episode = Some(ep);
                    }
                }
            } else {
                s.violation_streak = s.violation_streak.saturating_add(1);
                s.clean_streak = 0;
                let started = *s.streak_started_ms.get_or_insert(w.scheduled_ms);
                let event = if let Some(ep) = s.episode.as_mut() {
                    ep.violating_windows = ep.violating_windows.saturating_add(1);
                    Some(NoticeEvent::DriftContinues)
                } else if s.violation_streak >= policy.consecutive_windows.max(1) {
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
                };
                if let (Some(event), Some(ep)) = (event, s.episode.clone()) {
                    for (t, cd) in alerts {
                        let Some(cd) = cd else { continue };
                        if cooled(&s, t.as_str(), cd, now) {
                            s.last_action_ms.insert(t.as_str().to_owned(), now);
                            let n = notice(&s, event.clone(), Some(ep.id.clone()), &counted);
                            actions.push(wrap(t, n));
                        }
                    }
                    if let Some(cd) = policy.pipeline_cooldown_ms {
                        let already = s.retrain_triggered_for_episode.as_deref() == Some(&ep.id);
                        if !already && cooled(&s, "pipeline", cd, now) {
                            let token = retrain_token(&s.monitor, ep.started_ms);
                            let display = retrain_display_name(&s.monitor, ep.started_ms);
                            s.retrain_triggered_for_episode = Some(ep.id.clone());
                            s.pending_retrain = Some(PendingRetrain {
                                episode_id: ep.id.clone(),
                                client_request_token: token.clone(),
                                display_name: display.clone(),
                                decided_ms: now,
                                window: Some(w),
                            });
                            s.last_action_ms.insert("pipeline".into(), now);
                            actions.push(ActionKind::StartPipeline {
                                episode_id: ep.id.clone(),
                                client_request_token: token,
                                display_name: display,
                            });
                        }
                    }
                }
            }
        }
    }
    Decision {
        state: s,
        actions,
        counted,
        stale: false,
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

// ---------------------------------------------------------------------------------------------
// The store port
// ---------------------------------------------------------------------------------------------

/// An object's version as the store knows it: an S3 ETag, a content hash, a counter. Opaque.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Version(pub String);

/// How strong a store's conditional write is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasGuarantee {
    /// The precondition and the write are one atomic step (S3 conditional writes, a lock file,
    /// a mutex).
    Atomic,
    /// Write, then read back and compare: detects a competing write only if it lands before the
    /// read-back; two writers can both succeed.
    BestEffort,
}

/// A conditional write that did not happen, or a store failure.
#[derive(Debug, thiserror::Error)]
pub enum CasError {
    /// The object changed since it was read (S3: 412 Precondition Failed, or 409
    /// ConditionalRequestConflict): re-read and retry.
    #[error("{uri}: changed concurrently")]
    Conflict {
        /// The object.
        uri: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Objects with versions and conditional writes: the port the state lives behind.
pub trait ConditionalStore: Send + Sync {
    /// Reads an object and its version; `None` if it does not exist.
    fn get_versioned(&self, key: &str) -> Result<Option<(Vec<u8>, Version)>, StoreError>;
    /// Writes an object if it still is as expected: `expected == None` means it must not exist
    /// (S3: `If-None-Match: *`), `Some(v)` that its version is `v` (S3: `If-Match: <etag>`).
    /// Returns the new version.
    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expected: Option<&Version>,
    ) -> Result<Version, CasError>;
    /// How strong `put_if` is.
    fn guarantee(&self) -> CasGuarantee;
    /// The full name of a key, for messages.
    fn uri(&self, key: &str) -> String;
}

/// A state that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Another writer changed the state (after the allowed retries).
    #[error("{uri}: changed concurrently")]
    Conflict {
        /// The state object.
        uri: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The object is not a state driftmon can read.
    #[error("{uri}: not a driftmon state: {msg}")]
    Corrupt {
        /// The state object.
        uri: String,
        /// Why.
        msg: String,
    },
}

/// The error of [`StateRepo::update`]: the state's or the caller's.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError<E> {
    /// Reading or writing the state failed.
    #[error(transparent)]
    State(StateError),
    /// The caller's function refused (e.g. [`LeaseDenied`]).
    #[error("{0}")]
    Refused(E),
}

/// Monitor states below a base key of a [`ConditionalStore`].
pub struct StateRepo<'a> {
    store: &'a dyn ConditionalStore,
    base: String,
}

impl<'a> StateRepo<'a> {
    /// States at `{base}/.driftmon/state/{monitor}.json`.
    pub fn new(store: &'a dyn ConditionalStore, base: &str) -> StateRepo<'a> {
        StateRepo {
            store,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The key of a monitor's state.
    pub fn key(&self, monitor: &str) -> String {
        crate::store::join(&self.base, &state_key(monitor))
    }

    /// Reads a monitor's state and its version; `None` if it has none yet.
    pub fn load(&self, monitor: &str) -> Result<Option<(MonitorState, Version)>, StateError> {
        let key = self.key(monitor);
        match self.store.get_versioned(&key)? {
            None => Ok(None),
            Some((bytes, v)) => {
                let s = MonitorState::from_json(&bytes).map_err(|msg| StateError::Corrupt {
                    uri: self.store.uri(&key),
                    msg,
                })?;
                Ok(Some((s, v)))
            }
        }
    }

    /// Writes a state if it is still at `expected` (`None`: if there is none), with its
    /// revision incremented. Returns the new version.
    pub fn save(
        &self,
        state: &MonitorState,
        expected: Option<&Version>,
    ) -> Result<(MonitorState, Version), StateError> {
        let key = self.key(&state.monitor);
        let mut s = state.clone();
        s.revision += 1;
        match self.store.put_if(&key, &s.to_json(), expected) {
            Ok(v) => Ok((s, v)),
            Err(CasError::Conflict { uri }) => Err(StateError::Conflict { uri }),
            Err(CasError::Store(e)) => Err(StateError::Store(e)),
        }
    }

    /// Read-modify-write with optimistic concurrency: reads the state (a new one if absent),
    /// applies `f`, writes the result conditionally, and on a conflict starts over (up to
    /// `attempts` times). `f` returns the new state and a value for the caller; when the state
    /// is unchanged nothing is written.
    pub fn update<T, E>(
        &self,
        monitor: &str,
        attempts: u32,
        mut f: impl FnMut(&MonitorState) -> Result<(MonitorState, T), E>,
    ) -> Result<(MonitorState, T), UpdateError<E>> {
        let mut last_conflict = None;
        for _ in 0..attempts.max(1) {
            let (cur, ver) = match self.load(monitor).map_err(UpdateError::State)? {
                Some((s, v)) => (s, Some(v)),
                None => (MonitorState::new(monitor), None),
            };
            let (new, out) = f(&cur).map_err(UpdateError::Refused)?;
            if new == cur {
                return Ok((cur, out));
            }
            match self.save(&new, ver.as_ref()) {
                Ok((saved, _)) => return Ok((saved, out)),
                Err(StateError::Conflict { uri }) => last_conflict = Some(uri),
                Err(e) => return Err(UpdateError::State(e)),
            }
        }
        Err(UpdateError::State(StateError::Conflict {
            uri: last_conflict.unwrap_or_else(|| self.store.uri(&self.key(monitor))),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state_store::MemoryStore;
    use driftmon_baseline::capture::parse_timestamp_ms;

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
        let e =
            acquire_lease(&done, &w, "a", now + 23 * M, 10 * M, LeaseMode::Scheduled).unwrap_err();
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
}
