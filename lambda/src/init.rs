//! Init: the configuration (bundled or in S3), the clients and the engine, built once per
//! execution environment.

use crate::*;

// ---------------------------------------------------------------------------------------------
// Init
// ---------------------------------------------------------------------------------------------

/// Where the configuration comes from: `DRIFTMON_CONFIG` — an `s3://bucket/key` URI or a path
/// (relative paths are relative to `LAMBDA_TASK_ROOT`) — else `driftmon.toml` in
/// `LAMBDA_TASK_ROOT`, else beside the binary.
pub fn config_source(env: &dyn Fn(&str) -> Option<String>) -> String {
    let root = env("LAMBDA_TASK_ROOT").map(PathBuf::from).or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
    });
    match env("DRIFTMON_CONFIG").filter(|s| !s.is_empty()) {
        Some(s) if s.starts_with("s3://") => s,
        Some(s) => {
            let p = PathBuf::from(&s);
            match (&root, p.is_relative()) {
                (Some(r), true) => r.join(p).to_string_lossy().into_owned(),
                _ => s,
            }
        }
        None => root
            .unwrap_or_default()
            .join("driftmon.toml")
            .to_string_lossy()
            .into_owned(),
    }
}

/// Reads and validates the configuration named by `source` ([`config_source`]); an S3 object is
/// read with the store's S3 adapter and validated without a base folder.
pub fn load_config(
    source: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ValidatedConfig, String> {
    let invalid = |e: driftmon_monitor::config::ConfigErrors| {
        format!(
            "{source}: invalid configuration ({} problem{}): {}",
            e.0.len(),
            if e.0.len() == 1 { "" } else { "s" },
            e.to_string().replace('\n', "; ")
        )
    };
    if let Some(rest) = source.strip_prefix("s3://") {
        let (dir, file) = rest
            .rsplit_once('/')
            .filter(|(d, f)| !d.is_empty() && !f.is_empty())
            .ok_or_else(|| format!("{source}: expected s3://bucket/key"))?;
        let loc = driftmon_monitor::adapters::store::resolve(Path::new(&format!("s3://{dir}")))
            .map_err(|e| e.to_string())?;
        let bytes = loc.get(file).map_err(|e| e.to_string())?;
        let text = String::from_utf8(bytes).map_err(|_| format!("{source}: not UTF-8"))?;
        driftmon_monitor::config::parse(
            &text,
            &ValidateContext {
                base_dir: None,
                env,
            },
        )
        .map_err(invalid)
    } else {
        let path = Path::new(source);
        let text = std::fs::read_to_string(path).map_err(|e| format!("{source}: {e}"))?;
        driftmon_monitor::config::parse(
            &text,
            &ValidateContext {
                base_dir: path.parent(),
                env,
            },
        )
        .map_err(invalid)
    }
}

/// Builds the handler at init: the configuration ([`config_source`], [`load_config`]), the
/// live runner (CloudWatch metrics when `DRIFTMON_PUBLISH_METRICS=1`), the live actions, and
/// every monitor's state store.
pub fn init(env: &dyn Fn(&str) -> Option<String>) -> Result<Handler, String> {
    let source = config_source(env);
    let cfg = Arc::new(load_config(&source, env)?);
    let metrics: Option<Arc<dyn driftmon_monitor::adapters::metrics::MetricsSink>> =
        match env("DRIFTMON_PUBLISH_METRICS").as_deref() {
            Some("1") | Some("true") => Some(Arc::from(
                driftmon_monitor::wiring::cloudwatch_sink()
                    .map_err(|e| format!("CloudWatch: {e:#}"))?,
            )),
            _ => None,
        };
    let runner = Arc::new(driftmon_monitor::daemon::engine::LiveRunner {
        metrics,
        history_windows: 24,
    });
    let engine = Engine::new(
        cfg,
        runner,
        driftmon_monitor::wiring::live_actions(),
        lambda_owner(env),
        driftmon_monitor::daemon::engine::open_state_store,
    )
    .map_err(|e| format!("state store: {e}"))?;
    Ok(Handler::new(engine))
}
