//! `driftmon serve` and `driftmon validate`: the command-line ends of [`crate::serve`].

use std::path::Path;
#[cfg(feature = "serve")]
use std::path::PathBuf;
use std::sync::Arc;

#[cfg(feature = "serve")]
use driftmon_baseline::capture::format_timestamp_ms;

use crate::actions::{ActionError, ActionSink, Alert, PipelineStart};
use crate::config::{load, EmailAction, ValidatedConfig, WebhookAction};
use crate::monitor_state::ActionTarget;

/// `driftmon validate`: the report of a valid configuration (one line per monitor), or every
/// problem, one per line.
pub fn validate(path: &Path, now_ms: i64) -> Result<String, String> {
    let cfg = load(path).map_err(|e| {
        let n = e.0.len();
        format!(
            "{}: {n} problem{}\n{e}",
            path.display(),
            if n == 1 { "" } else { "s" }
        )
    })?;
    Ok(describe_config(&cfg, now_ms))
}

/// One line per monitor: kind, schedule, next window, output, actions.
pub fn describe_config(cfg: &ValidatedConfig, now_ms: i64) -> String {
    let mut s = format!(
        "OK: {} monitor{}, /healthz and /metrics on {}\n",
        cfg.monitors.len(),
        if cfg.monitors.len() == 1 { "" } else { "s" },
        cfg.server.listen
    );
    for m in &cfg.monitors {
        let next = m
            .timing
            .next_window_after(now_ms)
            .map(|w| w.to_string())
            .unwrap_or_else(|| "never".into());
        let mut actions = Vec::new();
        if let Some(p) = &m.actions.pipeline {
            actions.push(format!("pipeline {}", p.pipeline_name));
        }
        if let Some(e) = &m.actions.email {
            actions.push(format!("email {}", e.to.join(",")));
        }
        if let Some(w) = &m.actions.webhook {
            actions.push(format!("webhook {}", crate::actions::redact_url(&w.url)));
        }
        s.push_str(&format!(
            "  {} ({}, endpoint {}): {} -> {}; next window {}; actions: {}\n",
            m.name,
            m.kind.as_str(),
            m.endpoint,
            m.timing.schedule.as_str(),
            m.output.display(),
            next,
            if actions.is_empty() {
                "none".into()
            } else {
                actions.join("; ")
            }
        ));
    }
    s
}

/// The action sink of a build without the `actions` feature: every action fails, clearly.
#[derive(Debug, Default)]
pub struct DisabledActions;

fn disabled(target: ActionTarget) -> ActionError {
    ActionError {
        target,
        retryable: false,
        message: "this driftmon was built without the `actions` feature".into(),
    }
}

impl ActionSink for DisabledActions {
    fn start_pipeline(&self, _: &PipelineStart) -> Result<String, ActionError> {
        Err(disabled(ActionTarget::Pipeline))
    }
    fn find_pipeline_execution(
        &self,
        _: &str,
        _: Option<&str>,
        _: &str,
    ) -> Result<Option<String>, ActionError> {
        Err(disabled(ActionTarget::Pipeline))
    }
    fn send_email(&self, _: &EmailAction, _: &Alert<'_>) -> Result<(), ActionError> {
        Err(disabled(ActionTarget::Email))
    }
    fn post_webhook(&self, _: &WebhookAction, _: &Alert<'_>) -> Result<(), ActionError> {
        Err(disabled(ActionTarget::Webhook))
    }
}

/// The live action sink of this build.
pub fn live_actions() -> Arc<dyn ActionSink> {
    #[cfg(feature = "actions")]
    {
        Arc::new(crate::actions_live::LiveActions::default())
    }
    #[cfg(not(feature = "actions"))]
    {
        Arc::new(DisabledActions)
    }
}

/// How `driftmon serve` was asked to run.
#[cfg(feature = "serve")]
#[derive(Debug, Clone, Default)]
pub struct ServeArgs {
    /// The configuration file.
    pub config: PathBuf,
    /// Overrides `[server] listen`.
    pub listen: Option<std::net::SocketAddr>,
    /// A simulated clock starting at this time (replays and tests).
    pub clock_start_ms: Option<i64>,
    /// Its speed (simulated ms per real ms).
    pub clock_speed: f64,
    /// Stop once this time has passed and its windows are done.
    pub until_ms: Option<i64>,
    /// Publish each run's metrics to CloudWatch.
    pub publish_metrics: bool,
    /// Human-readable logs instead of JSON lines.
    pub text_logs: bool,
}

#[cfg(feature = "serve")]
/// Sets up the logs: JSON lines on stderr (one object per event, with the `monitor` and `run`
/// spans' fields), at the level of `DRIFTMON_LOG` (`error`, `warn`, `info` (default), `debug`).
pub fn init_logs(text: bool) {
    let level = match std::env::var("DRIFTMON_LOG")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "debug" => tracing::Level::DEBUG,
        "trace" => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    let b = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let _ = if text {
        b.try_init()
    } else {
        b.json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init()
    };
}

#[cfg(feature = "serve")]
/// `driftmon serve`: loads and validates the configuration (exiting with every problem),
/// binds `/healthz` and `/metrics`, and runs every monitor until SIGTERM or SIGINT (or
/// `--until`).
pub fn serve_main(args: &ServeArgs) -> anyhow::Result<()> {
    init_logs(args.text_logs);
    let mut cfg = load(&args.config).map_err(|e| {
        anyhow::anyhow!(
            "{}: invalid configuration ({} problems): {}",
            args.config.display(),
            e.0.len(),
            e.to_string().replace('\n', "; ")
        )
    })?;
    if let Some(l) = args.listen {
        cfg.server.listen = l;
    }
    let cfg = Arc::new(cfg);
    let metrics: Option<Arc<dyn crate::metrics::MetricsSink>> = if args.publish_metrics {
        #[cfg(feature = "cloudwatch")]
        {
            Some(Arc::new(crate::metrics::CloudWatchSink::from_env()?))
        }
        #[cfg(not(feature = "cloudwatch"))]
        {
            anyhow::bail!("--publish-metrics: this driftmon was built without `cloudwatch`")
        }
    } else {
        None
    };
    let runner = Arc::new(crate::engine::LiveRunner {
        metrics,
        history_windows: 24,
    });
    let owner = crate::engine::process_owner();
    let engine = Arc::new(crate::engine::Engine::new(
        cfg.clone(),
        runner,
        live_actions(),
        owner.clone(),
        crate::engine::open_state_store,
    )?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let exit = rt.block_on(async move {
        let clock = match args.clock_start_ms {
            Some(t) => crate::serve::Clock::simulated(t, args.clock_speed),
            None => crate::serve::Clock::real(),
        };
        let listener = tokio::net::TcpListener::bind(cfg.server.listen)
            .await
            .map_err(|e| anyhow::anyhow!("listen on {}: {e}", cfg.server.listen))?;
        let local = listener.local_addr()?;
        tracing::info!(
            listen = %local,
            owner = %owner,
            monitors = cfg.monitors.len(),
            now = %format_timestamp_ms(clock.now_ms()),
            "driftmon serve started"
        );
        let status = Arc::new(crate::serve::Status::default());
        let (tx, rx) = tokio::sync::watch::channel(false);
        // /healthz keeps answering (503) during the shutdown grace; it stops after serve.
        let (http_tx, http_rx) = tokio::sync::watch::channel(false);
        let http = tokio::spawn(crate::serve::http_server(listener, status.clone(), http_rx));
        tokio::spawn(async move {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!(error = %e, "SIGTERM handler");
                        return;
                    }
                };
            let sig = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            };
            tracing::info!(signal = sig, "shutdown requested");
            let _ = tx.send(true);
        });
        let exit = crate::serve::serve(
            engine,
            clock,
            status,
            rx,
            crate::serve::ServeOptions {
                inline: false,
                until_ms: args.until_ms,
            },
        )
        .await;
        let _ = http_tx.send(true);
        let _ = http.await;
        Ok::<_, anyhow::Error>(exit)
    })?;
    // Runs abandoned on the blocking pool must not hold the process: exit now.
    rt.shutdown_background();
    if !exit.abandoned.is_empty() {
        eprintln!(
            "driftmon serve: abandoned runs of {} after the shutdown grace period",
            exit.abandoned.join(", ")
        );
    }
    Ok(())
}
