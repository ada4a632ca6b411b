//! The validated configuration that the daemon and the Lambda are handed.

use super::secrets::*;
use super::*;

// ---------------------------------------------------------------------------------------------
// The validated configuration
// ---------------------------------------------------------------------------------------------

/// A configuration that passed validation.
#[derive(Debug, Clone)]
pub struct ValidatedConfig {
    /// `[server]`.
    pub server: ServerConfig,
    /// The monitors, in file order.
    pub monitors: Vec<MonitorConfig>,
}

impl ValidatedConfig {
    /// The monitor named `name`.
    pub fn monitor(&self, name: &str) -> Option<&MonitorConfig> {
        self.monitors.iter().find(|m| m.name == name)
    }
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Where `/healthz` and `/metrics` listen.
    pub listen: SocketAddr,
    /// How long SIGTERM/SIGINT wait for runs in flight.
    pub shutdown_grace: Duration,
}

pub use crate::monitors::MonitorType;

/// A column index or a name (as `driftmon`'s `Attribute::parse` reads them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeRef {
    /// 0-based column index.
    Index(usize),
    /// Column name or JSON key.
    Name(String),
}

impl fmt::Display for AttributeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttributeRef::Index(i) => write!(f, "{i}"),
            AttributeRef::Name(n) => f.write_str(n),
        }
    }
}

/// The model-quality settings of a monitor (SageMaker's model-quality analyzer parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelQualitySettings {
    /// Ground-truth root (`<ground_truth>/YYYY/MM/DD/HH/*.jsonl`). The daemon reads the labels
    /// collected in `[window start, scheduled time)`.
    pub ground_truth: PathBuf,
    /// `problem_type`.
    pub problem_type: ProblemType,
    /// `inference_attribute`.
    pub inference_attribute: Option<AttributeRef>,
    /// `probability_attribute`.
    pub probability_attribute: Option<AttributeRef>,
    /// `probability_threshold_attribute`.
    pub probability_threshold: Option<f64>,
    /// Which cell of a label row is the label.
    pub ground_truth_attribute: Option<AttributeRef>,
}

/// The settings of a model-bias monitor (SageMaker Clarify's bias monitor).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelBiasSettings {
    /// `analysis_config`: Clarify's `analysis_config.json` (label, facets, group variable).
    pub analysis_config: PathBuf,
    /// Ground-truth root. The daemon reads the labels collected in `[window start, scheduled
    /// time)`, as for model quality.
    pub ground_truth: PathBuf,
    /// `inference_attribute`: the predicted label in the output (JSON path or CSV column).
    pub inference_attribute: Option<String>,
    /// `probability_attribute`: a score, thresholded into the predicted label.
    pub probability_attribute: Option<String>,
    /// `probability_threshold` (default: the analysis config's, 0.5).
    pub probability_threshold: Option<f64>,
    /// `decision_mode`, `bootstrap_resamples`, `bootstrap_seed`.
    pub drift: driftmon_rules::bias::DriftParams,
}

/// How the daemon retries a failed run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    /// Attempts in all (≥ 1).
    pub attempts: u32,
    /// The first backoff; doubled after every failure.
    pub backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
}

impl RetrySettings {
    /// The wait before attempt `n` (1-based; attempt 1 does not wait).
    pub fn backoff_before(&self, attempt: u32) -> Duration {
        if attempt <= 1 {
            return Duration::ZERO;
        }
        let factor = 1u32.checked_shl(attempt - 2).unwrap_or(u32::MAX);
        self.backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}

/// Start a SageMaker pipeline execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineAction {
    /// Pipeline name or ARN.
    pub pipeline_name: String,
    /// Parameters, with placeholders ([`PipelineAction::parameters_for`]).
    pub parameters: BTreeMap<String, String>,
    /// AWS region (default: the SDK's chain).
    pub region: Option<String>,
    /// Cool-down between two starts (ms).
    pub cooldown_ms: i64,
}

/// What placeholders in pipeline parameters are replaced with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionContext<'a> {
    /// Monitor name.
    pub monitor: &'a str,
    /// Endpoint.
    pub endpoint: &'a str,
    /// The drift episode.
    pub episode_id: &'a str,
    /// The window that triggered the action.
    pub window: Window,
    /// The window's output location.
    pub output: &'a str,
}

pub(super) const PLACEHOLDERS: [&str; 7] = [
    "monitor",
    "endpoint",
    "episode_id",
    "window_start",
    "window_end",
    "scheduled_time",
    "output",
];

/// Splits a template into literal text and placeholders; errors on unknown placeholders or
/// unbalanced braces.
pub(super) fn render(template: &str, value: &dyn Fn(&str) -> String) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => {
                            return Err(format!(
                                "`{{{name}` is not closed (write {{{{ for a literal brace)"
                            ))
                        }
                    }
                }
                if !PLACEHOLDERS.contains(&name.as_str()) {
                    return Err(format!(
                        "unknown placeholder `{{{name}}}` (known: {})",
                        PLACEHOLDERS
                            .iter()
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                out.push_str(&value(&name));
            }
            '}' => return Err("unmatched `}` (write }} for a literal brace)".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

impl PipelineAction {
    /// The parameters with their placeholders replaced, in name order.
    pub fn parameters_for(&self, ctx: &ActionContext<'_>) -> Vec<(String, String)> {
        let value = |name: &str| -> String {
            match name {
                "monitor" => ctx.monitor.to_owned(),
                "endpoint" => ctx.endpoint.to_owned(),
                "episode_id" => ctx.episode_id.to_owned(),
                "window_start" => format_timestamp_ms(ctx.window.start_ms),
                "window_end" => format_timestamp_ms(ctx.window.end_ms),
                "scheduled_time" => format_timestamp_ms(ctx.window.scheduled_ms),
                "output" => ctx.output.to_owned(),
                _ => String::new(),
            }
        };
        self.parameters
            .iter()
            .map(|(k, v)| {
                // Templates were checked at validation; a failure here cannot happen, and the
                // raw text is the safest fallback.
                (k.clone(), render(v, &value).unwrap_or_else(|_| v.clone()))
            })
            .collect()
    }
}

/// How the SMTP connection is secured (lettre's `Tls` modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// STARTTLS, required (port 587 by default).
    StartTls,
    /// STARTTLS when the server offers it.
    Opportunistic,
    /// TLS from the first byte (port 465 by default).
    Implicit,
    /// Plain text (a local relay; port 25 by default).
    None,
}

/// Send an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAction {
    /// Recipients.
    pub to: Vec<String>,
    /// Sender.
    pub from: String,
    /// SMTP server.
    pub smtp_host: String,
    /// SMTP port.
    pub smtp_port: u16,
    /// Connection security.
    pub tls: SmtpTls,
    /// Login, if the server wants one.
    pub username: Option<String>,
    /// Its password.
    pub password: Option<Secret>,
    /// Subject prefix.
    pub subject_prefix: String,
    /// Connection and send timeout.
    pub timeout: Duration,
    /// Cool-down between two alerts (ms).
    pub cooldown_ms: i64,
}

/// Post a JSON webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAction {
    /// Where.
    pub url: String,
    /// Slack-compatible payload (`{"text": …, "blocks": …}`) instead of driftmon's JSON.
    pub slack: bool,
    /// Bearer token.
    pub token: Option<Secret>,
    /// Request timeout.
    pub timeout: Duration,
    /// Cool-down between two alerts (ms).
    pub cooldown_ms: i64,
}

/// A monitor's actions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actions {
    /// Retraining.
    pub pipeline: Option<PipelineAction>,
    /// E-mail alerts.
    pub email: Option<EmailAction>,
    /// Webhook alerts.
    pub webhook: Option<WebhookAction>,
}

/// One `[[monitor]]`, validated, with the defaults applied.
#[derive(Debug, Clone)]
pub struct MonitorConfig {
    /// Name (the schedule name of SageMaker's output layout, and the state's key).
    pub name: String,
    /// Kind.
    pub kind: MonitorType,
    /// Endpoint.
    pub endpoint: String,
    /// One variant, or all.
    pub variant: Option<String>,
    /// Capture root.
    pub capture: PathBuf,
    /// Baseline folder (`statistics.json`, `constraints.json`); optional for model quality.
    pub baseline: Option<PathBuf>,
    /// Output root; executions write below [`MonitorConfig::output_location`].
    pub output: PathBuf,
    /// Schedule and offsets.
    pub timing: WindowSchedule,
    /// Drift thresholds.
    pub drift: DriftConfig,
    /// Payload extraction.
    pub extract: ExtractConfig,
    /// Model-quality settings (for `kind = "model_quality"`).
    pub model_quality: Option<ModelQualitySettings>,
    /// The bias settings, for a model-bias monitor.
    pub model_bias: Option<ModelBiasSettings>,
    /// The action policy (cool-downs taken from the actions).
    pub policy: Policy,
    /// The actions.
    pub actions: Actions,
    /// Missed windows caught up at most.
    pub max_catch_up: usize,
    /// Lease time-to-live (ms).
    pub lease_ms: i64,
    /// Retries of a failed run.
    pub retry: RetrySettings,
    /// Worker threads per run (0: one per core).
    pub workers: usize,
}

impl MonitorConfig {
    /// The window's output folder relative to `output`: SageMaker's
    /// `{endpoint}/{name}/{yyyy}/{mm}/{dd}/{HH}` (+ `/{MM}` for sub-hourly schedules).
    pub fn output_prefix(&self, window: &Window) -> String {
        output_prefix(
            Some(&self.endpoint),
            &self.name,
            window,
            self.timing.schedule.sub_hourly(),
        )
    }

    /// The window's output location (a folder or an `s3://` prefix).
    pub fn output_location(&self, window: &Window) -> PathBuf {
        let base = self.output.to_string_lossy();
        let rel = self.output_prefix(window);
        if base.starts_with("s3://") {
            PathBuf::from(format!("{}/{rel}", base.trim_end_matches('/')))
        } else {
            self.output.join(rel)
        }
    }
}
