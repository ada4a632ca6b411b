//! Per-monitor state and the pure decisions of `driftmon serve` (and of the Lambda, which shares
//! them): which windows are due, who may run one, and what to do about its outcome.
//!
//! The state is a small JSON object per monitor ([`MonitorState`]), kept in the monitor's output
//! store at [`state_key`] and read and written only through a [`ConditionalStore`]
//! (`crate::adapters::state_store` has the local, in-memory and best-effort adapters; the S3 adapter maps
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
//! The alerting policy that turns a window's outcome into actions is [`crate::control::policy`].

use std::collections::BTreeMap;

use driftmon_baseline::capture::format_timestamp_ms;
use serde::{Deserialize, Serialize};

use crate::control::schedule::{Window, WindowSchedule};

pub use crate::control::policy::*;

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

#[cfg(test)]
mod tests;
