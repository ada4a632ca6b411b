//! The engine shared by `driftmon serve` and the Lambda: one window of one monitor, from the
//! lease to the actions, over the ports (state store, window runner, action sink).
//!
//! A window goes through these steps; each step that changes the state is one conditional
//! write of the monitor's state ([`crate::control::state`]):
//!
//! 1. [`Engine::plan`]: which windows are due now (oldest first, bounded catch-up; windows
//!    beyond the bound are recorded as skipped).
//! 2. [`Engine::begin`]: take the monitor's lease for the window. Another live owner's lease
//!    refuses it ([`EngineError::Busy`]); a lease left by a dead process on this host (its pid
//!    is gone) is taken over at once instead of waiting for it to lapse.
//! 3. [`WindowRunner::run`]: the monitoring execution (the caller retries it with backoff and
//!    calls [`Engine::renew`] between attempts).
//! 4. [`Engine::complete`]: decide the outcome ([`crate::control::state::decide`]) and drop the
//!    lease, in one write. The decision — including "retraining was triggered for this
//!    episode" — is persisted **before** any action is taken.
//! 5. [`Engine::act`]: send the alerts and start the pipeline; a confirmed (or permanently
//!    refused) pipeline start clears `pending_retrain`. A start that failed retryably stays
//!    pending and is re-issued by [`Engine::recover_pending`] with the same idempotency token.
//!
//! [`Engine::process_window`] runs all of them synchronously (the Lambda); the daemon
//! (`crate::daemon::scheduler`) runs them one by one so that its waits are asynchronous.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use driftmon_baseline::capture::format_timestamp_ms;

use crate::adapters::actions::{ActionError, ActionSink, Alert, PipelineStart};
use crate::adapters::metrics::{MetricsSink, MetricsTarget};
use crate::adapters::state_store::{ConditionalStore, StateError, StateRepo, UpdateError};
use crate::adapters::store::StoreError;
use crate::config::{ActionContext, MonitorConfig, MonitorType, ValidatedConfig};
use crate::control::schedule::Window;
use crate::control::state::{
    acquire_lease, decide, due_windows, finish_retrain, release_lease, renew_lease, skip,
    ActionKind, ActionTarget, DuePlan, LeaseDenied, LeaseMode, MonitorState, RunResult,
    ViolationKey, WindowOutcome,
};
use crate::job::Job;
use crate::monitors::data_quality::DataQuality;
use crate::monitors::model_quality::ModelQuality;
use crate::monitors::{Monitor, WindowSpec};

/// Conditional-write attempts of one state update before giving up with a conflict.
const STATE_ATTEMPTS: u32 = 8;
/// Attempts of one action (alerts and pipeline starts), with [`ACTION_BACKOFF`] doubling.
const ACTION_ATTEMPTS: u32 = 3;
/// The first wait between two attempts of an action.
const ACTION_BACKOFF: Duration = Duration::from_millis(500);

// ---------------------------------------------------------------------------------------------
// The runner port
// ---------------------------------------------------------------------------------------------

/// What a completed run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// Every violation written to `constraint_violations.json`.
    pub violations: Vec<ViolationKey>,
    /// SageMaker's exit message.
    pub message: String,
}

/// A run that did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RunFailure {
    /// Why (SageMaker's `Failed: <reason>`).
    pub message: String,
    /// Whether another attempt may succeed (a store outage) or not (no data in the window).
    pub retryable: bool,
}

/// Runs one monitoring execution for a window and writes its outputs.
pub trait WindowRunner: Send + Sync {
    /// Runs `monitor` over `window`, writing to `monitor.output_location(window)`.
    fn run(&self, monitor: &MonitorConfig, window: &Window) -> Result<RunSummary, RunFailure>;
}

/// The real runner: `driftmon run` for data-quality monitors, the model-quality execution for
/// model-quality monitors, publishing metrics to `metrics` when set.
#[derive(Default, Clone)]
pub struct LiveRunner {
    /// Where run metrics go (CloudWatch, a JSON-lines file), if anywhere.
    pub metrics: Option<Arc<dyn MetricsSink>>,
    /// Earlier windows shown as sparklines in `report.html`.
    pub history_windows: usize,
}

fn run_failure_of(e: &crate::monitors::RunError) -> RunFailure {
    use crate::monitors::RunError as E;
    let retryable = matches!(
        e,
        E::Capture { .. } | E::Store(_) | E::Output { .. } | E::Metrics(_)
    );
    RunFailure {
        message: e.to_string(),
        retryable,
    }
}

impl LiveRunner {
    fn history(&self, m: &MonitorConfig, w: &Window) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut at = w.scheduled_ms;
        for _ in 0..self.history_windows {
            let Some(prev) = m.timing.schedule.prev_before(at) else {
                break;
            };
            if let Some(pw) = m.timing.window_at(prev) {
                out.push(m.output_location(&pw));
            }
            at = prev;
        }
        out.reverse();
        out
    }

    /// The job of `m` over `w`: its monitor type over the window, written to `output`.
    fn job(&self, m: &MonitorConfig, w: &Window, output: PathBuf) -> Result<Job, RunFailure> {
        let window = WindowSpec {
            capture: m.capture.clone(),
            endpoint: m.endpoint.clone(),
            variant: m.variant.clone(),
            start_ms: w.start_ms,
            end_ms: w.end_ms,
        };
        let monitor: Box<dyn Monitor> = match m.kind {
            MonitorType::DataQuality => {
                let baseline = m.baseline.clone().ok_or_else(|| RunFailure {
                    message: "data-quality monitor without a baseline".into(),
                    retryable: false,
                })?;
                Box::new(DataQuality {
                    baseline,
                    drift: m.drift.clone(),
                    extract: m.extract.clone(),
                    workers: m.workers,
                    profiled: None,
                })
            }
            MonitorType::ModelQuality => Box::new(ModelQuality {
                spec: self.model_quality_spec(m, w)?,
            }),
            MonitorType::ModelBias => {
                let b = m.model_bias.as_ref().ok_or_else(|| RunFailure {
                    message: "model-bias monitor without its bias settings".into(),
                    retryable: false,
                })?;
                Box::new(crate::monitors::model_bias::ModelBias {
                    spec: crate::monitors::model_bias::ModelBiasSpec {
                        analysis_config: b.analysis_config.clone(),
                        baseline: m.baseline.clone(),
                        ground_truth: b.ground_truth.clone(),
                        // The labels collected from the window's start up to the scheduled
                        // time, as for model quality.
                        ground_truth_start_ms: w.start_ms,
                        ground_truth_end_ms: w.scheduled_ms.max(w.end_ms),
                        features_attribute: m.extract.input_path.clone(),
                        inference_attribute: b.inference_attribute.clone(),
                        probability_attribute: b.probability_attribute.clone(),
                        probability_threshold: b.probability_threshold,
                        drift: b.drift,
                    },
                })
            }
            other => {
                return Err(RunFailure {
                    message: other.unavailable(),
                    retryable: false,
                })
            }
        };
        Ok(Job {
            window,
            output,
            monitors: vec![monitor],
            history: match m.kind {
                MonitorType::DataQuality => self.history(m, w),
                _ => Vec::new(),
            },
        })
    }

    fn model_quality_spec(
        &self,
        m: &MonitorConfig,
        w: &Window,
    ) -> Result<crate::monitors::model_quality::ModelQualityRunSpec, RunFailure> {
        use crate::monitors::model_quality::{Attribute, ModelQualityOptions, ModelQualityRunSpec};
        let settings = m.model_quality.as_ref().ok_or_else(|| RunFailure {
            message: "model-quality monitor without [monitor.model_quality]".into(),
            retryable: false,
        })?;
        let attr = |a: &crate::config::AttributeRef| Attribute::parse(&a.to_string());
        let mut options = ModelQualityOptions::new(
            settings.problem_type,
            settings.inference_attribute.as_ref().map(attr),
        );
        options.probability_attribute = settings.probability_attribute.as_ref().map(attr);
        options.probability_threshold = settings.probability_threshold;
        let mut spec = ModelQualityRunSpec::new(
            m.capture.clone(),
            m.endpoint.clone(),
            (w.start_ms, w.end_ms),
            settings.ground_truth.clone(),
            (w.start_ms, w.scheduled_ms.max(w.end_ms)),
            options,
        );
        spec.variant = m.variant.clone();
        spec.baseline = m.baseline.clone();
        spec.ground_truth_attribute = settings.ground_truth_attribute.as_ref().map(attr);
        Ok(spec)
    }
}

impl WindowRunner for LiveRunner {
    fn run(&self, m: &MonitorConfig, w: &Window) -> Result<RunSummary, RunFailure> {
        let output = m.output_location(w);
        if !output.to_string_lossy().starts_with("s3://") {
            // A run killed mid-write (SIGKILL) may have left temporary files: the re-run
            // replaces the outputs, and the leftovers go.
            crate::adapters::atomic::remove_stale_temps(&output);
        }
        let job = self.job(m, w, output)?;
        let target = self.metrics.as_deref().map(|sink| MetricsTarget {
            sink,
            schedule: &m.name,
        });
        let (outcome, _) =
            crate::job::run_once(&job, target.as_ref()).map_err(|e| run_failure_of(&e))?;
        Ok(RunSummary {
            violations: ViolationKey::from_violations(&outcome.all_violations()),
            message: outcome.message,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// State stores per monitor
// ---------------------------------------------------------------------------------------------

/// The conditional store and base key holding the states of monitors whose output root is
/// `output`: a [`crate::adapters::state_store::LocalCasStore`] on a local folder, the S3 adapter (with
/// S3's conditional writes) on `s3://bucket/prefix`.
pub fn open_state_store(output: &Path) -> Result<(Arc<dyn ConditionalStore>, String), StoreError> {
    let text = output.to_string_lossy();
    if let Some(rest) = text.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let store = crate::wiring::s3_conditional(&text, bucket)?;
        return Ok((store, prefix.trim_end_matches('/').to_owned()));
    }
    Ok((
        Arc::new(crate::adapters::state_store::LocalCasStore::new(
            output.to_path_buf(),
        )),
        String::new(),
    ))
}

// ---------------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------------

/// Why a step could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The state could not be read or written.
    #[error("state: {0}")]
    State(#[from] StateError),
    /// The lease is held by someone else, the window is done, or the lease was lost.
    #[error("{0}")]
    Lease(#[from] LeaseDenied),
    /// No monitor of that name.
    #[error("no monitor named `{0}` in the configuration")]
    UnknownMonitor(String),
}

impl From<UpdateError<LeaseDenied>> for EngineError {
    fn from(e: UpdateError<LeaseDenied>) -> Self {
        match e {
            UpdateError::State(s) => EngineError::State(s),
            UpdateError::Refused(l) => EngineError::Lease(l),
        }
    }
}

impl From<UpdateError<std::convert::Infallible>> for EngineError {
    fn from(e: UpdateError<std::convert::Infallible>) -> Self {
        match e {
            UpdateError::State(s) => EngineError::State(s),
            UpdateError::Refused(never) => match never {},
        }
    }
}

/// What one action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionReport {
    /// Which action.
    pub target: ActionTarget,
    /// `None` when it succeeded (for a pipeline: the execution ARN in `detail`).
    pub error: Option<ActionError>,
    /// The pipeline execution ARN, the recipients, the URL.
    pub detail: String,
}

/// How a window ended, for logs, metrics and the Lambda's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowReport {
    /// The monitor.
    pub monitor: String,
    /// The window.
    pub window: Window,
    /// The output location.
    pub output: String,
    /// The run's result (after retries).
    pub result: Result<RunSummary, RunFailure>,
    /// Attempts made.
    pub attempts: u32,
    /// The violations that counted for the policy.
    pub counted: Vec<ViolationKey>,
    /// The window was already decided (a re-run): the policy did not see it.
    pub stale: bool,
    /// The actions taken.
    pub actions: Vec<ActionReport>,
    /// The drift episode open after this window.
    pub episode: Option<String>,
}

impl WindowReport {
    /// SageMaker's execution status: `Completed`, `CompletedWithViolations`, `Failed`.
    pub fn status(&self) -> &'static str {
        match &self.result {
            Ok(s) if s.violations.is_empty() => "Completed",
            Ok(_) => "CompletedWithViolations",
            Err(_) => "Failed",
        }
    }
}

/// What [`Engine::complete`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The actions to take, in order.
    pub actions: Vec<ActionKind>,
    /// The violations that counted for the policy.
    pub counted: Vec<ViolationKey>,
    /// The window was a re-run or already decided: the policy did not see it.
    pub stale: bool,
    /// The drift episode open after this window.
    pub episode: Option<String>,
}

/// The engine: the configuration, the ports, and who this process is.
pub struct Engine {
    config: Arc<ValidatedConfig>,
    runner: Arc<dyn WindowRunner>,
    actions: Arc<dyn ActionSink>,
    owner: String,
    stores: Vec<(Arc<dyn ConditionalStore>, String)>,
}

/// `host:pid:nonce`, the owner name of this process's leases.
pub fn process_owner() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{host}:{}:{nonce:08x}", std::process::id())
}

/// Whether `owner` (as [`process_owner`] writes it) is a process of this host that is gone.
fn owner_is_dead_here(owner: &str, me: &str) -> bool {
    let mut mine = me.splitn(3, ':');
    let mut theirs = owner.splitn(3, ':');
    let (Some(my_host), Some(host), Some(pid)) = (mine.next(), theirs.next(), theirs.next()) else {
        return false;
    };
    if host != my_host || !Path::new("/proc/self").exists() {
        return false;
    }
    match pid.parse::<u32>() {
        Ok(pid) => pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists(),
        Err(_) => false,
    }
}

impl Engine {
    /// An engine over `config`, opening each monitor's state store with `open`
    /// (usually [`open_state_store`]); `owner` names this process in leases.
    pub fn new(
        config: Arc<ValidatedConfig>,
        runner: Arc<dyn WindowRunner>,
        actions: Arc<dyn ActionSink>,
        owner: String,
        open: impl Fn(&Path) -> Result<(Arc<dyn ConditionalStore>, String), StoreError>,
    ) -> Result<Engine, StoreError> {
        let stores = config
            .monitors
            .iter()
            .map(|m| open(&m.output))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Engine {
            config,
            runner,
            actions,
            owner,
            stores,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ValidatedConfig {
        &self.config
    }

    /// This process's owner name.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The index of the monitor named `name`.
    pub fn monitor_index(&self, name: &str) -> Result<usize, EngineError> {
        self.config
            .monitors
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| EngineError::UnknownMonitor(name.to_owned()))
    }

    fn monitor(&self, i: usize) -> &MonitorConfig {
        &self.config.monitors[i]
    }

    fn repo(&self, i: usize) -> StateRepo<'_> {
        let (store, base) = &self.stores[i];
        StateRepo::new(store.as_ref(), base)
    }

    /// The monitor's state (a new one if it has none).
    pub fn state(&self, i: usize) -> Result<MonitorState, EngineError> {
        let m = self.monitor(i);
        Ok(self
            .repo(i)
            .load(&m.name)?
            .map(|(s, _)| s)
            .unwrap_or_else(|| MonitorState::new(&m.name)))
    }

    /// The windows due at `now_ms`; windows beyond the catch-up bound are recorded as skipped
    /// (and returned in the plan, for the log).
    pub fn plan(&self, i: usize, now_ms: i64) -> Result<DuePlan, EngineError> {
        let m = self.monitor(i);
        let (_, plan) = self.repo(i).update(&m.name, STATE_ATTEMPTS, |s| {
            let plan = due_windows(&m.timing, s, now_ms, m.max_catch_up);
            let new = match &plan.skipped {
                Some(sk) => skip(s, sk, now_ms),
                None => s.clone(),
            };
            Ok::<_, std::convert::Infallible>((new, plan))
        })?;
        Ok(plan)
    }

    /// Takes the lease for `window`.
    pub fn begin(
        &self,
        i: usize,
        window: &Window,
        mode: LeaseMode,
        now_ms: i64,
    ) -> Result<(), EngineError> {
        let m = self.monitor(i);
        self.repo(i).update(&m.name, STATE_ATTEMPTS, |s| {
            let mut cur = s.clone();
            if cur
                .lease
                .as_ref()
                .is_some_and(|l| l.owner != self.owner && owner_is_dead_here(&l.owner, &self.owner))
            {
                cur.lease = None;
            }
            acquire_lease(&cur, window, &self.owner, now_ms, m.lease_ms, mode).map(|s| (s, ()))
        })?;
        Ok(())
    }

    /// Extends this process's lease of the monitor.
    pub fn renew(&self, i: usize, now_ms: i64) -> Result<(), EngineError> {
        let m = self.monitor(i);
        self.repo(i).update(&m.name, STATE_ATTEMPTS, |s| {
            renew_lease(s, &self.owner, now_ms, m.lease_ms).map(|s| (s, ()))
        })?;
        Ok(())
    }

    /// Drops this process's lease of the monitor without deciding anything (an abandoned run).
    pub fn abandon(&self, i: usize) -> Result<(), EngineError> {
        let m = self.monitor(i);
        self.repo(i).update(&m.name, STATE_ATTEMPTS, |s| {
            Ok::<_, std::convert::Infallible>((release_lease(s, &self.owner), ()))
        })?;
        Ok(())
    }

    /// Runs the monitoring execution (one attempt).
    pub fn execute(&self, i: usize, window: &Window) -> Result<RunSummary, RunFailure> {
        self.runner.run(self.monitor(i), window)
    }

    /// Records a window's result: for a scheduled window, [`decide`] (streaks, episodes,
    /// cool-downs, retrain-once) and the lease's release in one write; for a re-run, only the
    /// release. Returns the actions to take, the counted violations, whether the window was
    /// stale, and the open episode.
    pub fn complete(
        &self,
        i: usize,
        window: &Window,
        mode: LeaseMode,
        result: &Result<RunSummary, RunFailure>,
        now_ms: i64,
    ) -> Result<Completion, EngineError> {
        let m = self.monitor(i);
        let outcome = WindowOutcome {
            window: *window,
            now_ms,
            result: match result {
                Ok(s) => RunResult::Completed {
                    violations: s.violations.clone(),
                },
                Err(f) => RunResult::Failed {
                    reason: f.message.clone(),
                },
            },
        };
        let (state, (actions, counted, stale)) =
            self.repo(i).update(&m.name, STATE_ATTEMPTS, |s| {
                if s.lease.as_ref().is_none_or(|l| l.owner != self.owner) {
                    return Err(LeaseDenied::Lost {
                        owner: self.owner.clone(),
                    });
                }
                if mode == LeaseMode::Rerun {
                    return Ok((
                        release_lease(s, &self.owner),
                        (Vec::new(), Vec::new(), true),
                    ));
                }
                let d = decide(&m.policy, s, &outcome);
                Ok((
                    release_lease(&d.state, &self.owner),
                    (d.actions, d.counted, d.stale),
                ))
            })?;
        Ok(Completion {
            actions,
            counted,
            stale,
            episode: state.episode.as_ref().map(|e| e.id.clone()),
        })
    }

    fn pipeline_start(
        &self,
        m: &MonitorConfig,
        window: &Window,
        episode_id: &str,
        token: &str,
        display_name: &str,
    ) -> Option<PipelineStart> {
        let p = m.actions.pipeline.as_ref()?;
        let output = m.output_location(window).to_string_lossy().into_owned();
        let ctx = ActionContext {
            monitor: &m.name,
            endpoint: &m.endpoint,
            episode_id,
            window: *window,
            output: &output,
        };
        Some(PipelineStart {
            pipeline_name: p.pipeline_name.clone(),
            display_name: display_name.to_owned(),
            client_request_token: token.to_owned(),
            parameters: p.parameters_for(&ctx),
            region: p.region.clone(),
        })
    }

    fn with_retries<T>(
        &self,
        sleep: &dyn Fn(Duration),
        mut f: impl FnMut() -> Result<T, ActionError>,
    ) -> Result<T, ActionError> {
        let mut wait = ACTION_BACKOFF;
        let mut attempt = 1;
        loop {
            match f() {
                Ok(v) => return Ok(v),
                Err(e) if e.retryable && attempt < ACTION_ATTEMPTS => {
                    sleep(wait);
                    wait *= 2;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn start_and_finish(
        &self,
        i: usize,
        start: &PipelineStart,
        sleep: &dyn Fn(Duration),
    ) -> ActionReport {
        let m = self.monitor(i);
        let res = self.with_retries(sleep, || self.actions.start_pipeline(start));
        // Confirmed, or refused for good: the pending mark goes (the episode keeps its
        // retrain-once mark). A retryable failure stays pending for `recover_pending`.
        let settle = match &res {
            Ok(_) => true,
            Err(e) => !e.retryable,
        };
        if settle {
            let token = start.client_request_token.clone();
            let cleared = self.repo(i).update(&m.name, STATE_ATTEMPTS, |s| {
                Ok::<_, std::convert::Infallible>((finish_retrain(s, &token), ()))
            });
            if let Err(e) = cleared {
                return ActionReport {
                    target: ActionTarget::Pipeline,
                    error: Some(ActionError {
                        target: ActionTarget::Pipeline,
                        retryable: true,
                        message: format!(
                            "pipeline started ({}) but the state could not record it: {e}",
                            res.as_deref().unwrap_or("?")
                        ),
                    }),
                    detail: start.pipeline_name.clone(),
                };
            }
        }
        match res {
            Ok(arn) => ActionReport {
                target: ActionTarget::Pipeline,
                error: None,
                detail: arn,
            },
            Err(e) => ActionReport {
                target: ActionTarget::Pipeline,
                error: Some(e),
                detail: start.pipeline_name.clone(),
            },
        }
    }

    /// Takes the actions of a decision, in order; every action is tried up to three times
    /// (retryable failures only), waiting with `sleep`.
    pub fn act(
        &self,
        i: usize,
        window: &Window,
        actions: &[ActionKind],
        sleep: &dyn Fn(Duration),
    ) -> Vec<ActionReport> {
        let m = self.monitor(i);
        let output = m.output_location(window).to_string_lossy().into_owned();
        let mut reports = Vec::new();
        for a in actions {
            match a {
                ActionKind::StartPipeline {
                    episode_id,
                    client_request_token,
                    display_name,
                } => {
                    let Some(start) = self.pipeline_start(
                        m,
                        window,
                        episode_id,
                        client_request_token,
                        display_name,
                    ) else {
                        continue;
                    };
                    reports.push(self.start_and_finish(i, &start, sleep));
                }
                ActionKind::Email(notice) => {
                    let Some(email) = &m.actions.email else {
                        continue;
                    };
                    let alert = Alert {
                        notice,
                        endpoint: &m.endpoint,
                        output: &output,
                    };
                    let res = self.with_retries(sleep, || self.actions.send_email(email, &alert));
                    reports.push(ActionReport {
                        target: ActionTarget::Email,
                        error: res.err(),
                        detail: email.to.join(", "),
                    });
                }
                ActionKind::Webhook(notice) => {
                    let Some(hook) = &m.actions.webhook else {
                        continue;
                    };
                    let alert = Alert {
                        notice,
                        endpoint: &m.endpoint,
                        output: &output,
                    };
                    let res = self.with_retries(sleep, || self.actions.post_webhook(hook, &alert));
                    reports.push(ActionReport {
                        target: ActionTarget::Webhook,
                        error: res.err(),
                        detail: crate::adapters::actions::redact_url(&hook.url),
                    });
                }
            }
        }
        reports
    }

    /// Re-issues a retraining start whose confirmation was lost (a crash between deciding and
    /// starting, or a start that failed retryably): if the pipeline already has an execution
    /// with the decision's display name it is only recorded, otherwise it is started with the
    /// same idempotency token. `None` when nothing was pending.
    pub fn recover_pending(
        &self,
        i: usize,
        sleep: &dyn Fn(Duration),
    ) -> Result<Option<ActionReport>, EngineError> {
        let m = self.monitor(i);
        let state = self.state(i)?;
        let Some(p) = state.pending_retrain else {
            return Ok(None);
        };
        let window =
            p.window
                .or(state.last_completed)
                .unwrap_or(crate::control::schedule::Window {
                    scheduled_ms: p.decided_ms,
                    start_ms: p.decided_ms,
                    end_ms: p.decided_ms,
                });
        let Some(start) = self.pipeline_start(
            m,
            &window,
            &p.episode_id,
            &p.client_request_token,
            &p.display_name,
        ) else {
            // The pipeline action was removed from the configuration: nothing to re-issue.
            let token = p.client_request_token.clone();
            self.repo(i).update(&m.name, STATE_ATTEMPTS, |s| {
                Ok::<_, std::convert::Infallible>((finish_retrain(s, &token), ()))
            })?;
            return Ok(None);
        };
        match self.actions.find_pipeline_execution(
            &start.pipeline_name,
            start.region.as_deref(),
            &start.display_name,
        ) {
            Ok(Some(arn)) => {
                let token = p.client_request_token.clone();
                self.repo(i).update(&m.name, STATE_ATTEMPTS, |s| {
                    Ok::<_, std::convert::Infallible>((finish_retrain(s, &token), ()))
                })?;
                Ok(Some(ActionReport {
                    target: ActionTarget::Pipeline,
                    error: None,
                    detail: arn,
                }))
            }
            Ok(None) => Ok(Some(self.start_and_finish(i, &start, sleep))),
            Err(e) => Ok(Some(ActionReport {
                target: ActionTarget::Pipeline,
                error: Some(e),
                detail: start.pipeline_name.clone(),
            })),
        }
    }

    /// One window from lease to actions, synchronously: [`Engine::begin`], up to
    /// `retry.attempts` runs with backoff (waiting with `sleep`, renewing the lease),
    /// [`Engine::complete`], [`Engine::act`]. `now` is the clock.
    pub fn process_window(
        &self,
        i: usize,
        window: &Window,
        mode: LeaseMode,
        now: &dyn Fn() -> i64,
        sleep: &dyn Fn(Duration),
    ) -> Result<WindowReport, EngineError> {
        let m = self.monitor(i);
        self.begin(i, window, mode, now())?;
        let mut attempts = 0;
        let result = loop {
            attempts += 1;
            let r = self.execute(i, window);
            match &r {
                Err(f) if f.retryable && attempts < m.retry.attempts => {
                    sleep(m.retry.backoff_before(attempts + 1));
                    self.renew(i, now())?;
                }
                _ => break r,
            }
        };
        let Completion {
            actions,
            counted,
            stale,
            episode,
        } = self.complete(i, window, mode, &result, now())?;
        let reports = self.act(i, window, &actions, sleep);
        Ok(WindowReport {
            monitor: m.name.clone(),
            window: *window,
            output: m.output_location(window).to_string_lossy().into_owned(),
            result,
            attempts,
            counted,
            stale,
            actions: reports,
            episode,
        })
    }

    /// Every window due now for monitor `i`, in order, each with [`Engine::process_window`];
    /// a pending retraining start is re-issued first. Stops at the first window whose lease is
    /// held by another process.
    pub fn run_due(
        &self,
        i: usize,
        now: &dyn Fn() -> i64,
        sleep: &dyn Fn(Duration),
    ) -> Result<Vec<WindowReport>, EngineError> {
        self.recover_pending(i, sleep)?;
        let plan = self.plan(i, now())?;
        let mut out = Vec::new();
        for w in plan.run {
            match self.process_window(i, &w, LeaseMode::Scheduled, now, sleep) {
                Ok(r) => out.push(r),
                Err(EngineError::Lease(LeaseDenied::AlreadyDone { .. })) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}

/// A one-line description of a window report for logs and responses.
pub fn describe(r: &WindowReport) -> String {
    let mut s = format!(
        "{} {} [{} .. {}): {}",
        r.monitor,
        format_timestamp_ms(r.window.scheduled_ms),
        format_timestamp_ms(r.window.start_ms),
        format_timestamp_ms(r.window.end_ms),
        r.status()
    );
    match &r.result {
        Ok(sum) => s.push_str(&format!(", {} violations", sum.violations.len())),
        Err(f) => s.push_str(&format!(": {}", f.message)),
    }
    if !r.counted.is_empty() {
        s.push_str(&format!(", {} counted", r.counted.len()));
    }
    if let Some(e) = &r.episode {
        s.push_str(&format!(", episode {e}"));
    }
    for a in &r.actions {
        match &a.error {
            None => s.push_str(&format!(", {} ok ({})", a.target.as_str(), a.detail)),
            Some(e) => s.push_str(&format!(", {} FAILED: {}", a.target.as_str(), e.message)),
        }
    }
    s
}

#[cfg(test)]
mod tests;
