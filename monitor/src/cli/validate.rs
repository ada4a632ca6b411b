//! `driftmon validate`: checks a `driftmon serve` configuration and lists every problem.

use std::path::Path;

use crate::config::{load, ValidatedConfig};

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
            actions.push(format!(
                "webhook {}",
                crate::adapters::actions::redact_url(&w.url)
            ));
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

/// Runs the command: prints the configuration's summary, or every problem and fails.
pub(crate) fn run(config: &Path) -> anyhow::Result<()> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    match validate(config, now_ms) {
        Ok(text) => {
            print!("{text}");
            Ok(())
        }
        Err(problems) => {
            println!("{problems}");
            anyhow::bail!("{}: invalid configuration", config.display())
        }
    }
}
