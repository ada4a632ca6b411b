//! `driftmon serve`: loads the configuration, builds the engine with this build's adapters
//! ([`crate::wiring`]), binds `/healthz` and `/metrics`, and runs the scheduler until a signal.

use std::sync::Arc;

use driftmon_baseline::capture::format_timestamp_ms;

use crate::config::load;
use crate::daemon::ServeArgs;

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
    let metrics: Option<Arc<dyn crate::adapters::metrics::MetricsSink>> = if args.publish_metrics {
        Some(Arc::from(crate::wiring::cloudwatch_sink()?))
    } else {
        None
    };
    let runner = Arc::new(crate::daemon::engine::LiveRunner {
        metrics,
        history_windows: 24,
    });
    let owner = crate::daemon::engine::process_owner();
    let engine = Arc::new(crate::daemon::engine::Engine::new(
        cfg.clone(),
        runner,
        crate::wiring::live_actions(),
        owner.clone(),
        crate::daemon::engine::open_state_store,
    )?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let exit = rt.block_on(async move {
        let clock = match args.clock_start_ms {
            Some(t) => crate::daemon::scheduler::Clock::simulated(t, args.clock_speed),
            None => crate::daemon::scheduler::Clock::real(),
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
        let status = Arc::new(crate::daemon::scheduler::Status::default());
        let (tx, rx) = tokio::sync::watch::channel(false);
        // /healthz keeps answering (503) during the shutdown grace; it stops after serve.
        let (http_tx, http_rx) = tokio::sync::watch::channel(false);
        let http = tokio::spawn(crate::daemon::http::http_server(
            listener,
            status.clone(),
            http_rx,
        ));
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
        let exit = crate::daemon::scheduler::serve(
            engine,
            clock,
            status,
            rx,
            crate::daemon::scheduler::ServeOptions {
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
