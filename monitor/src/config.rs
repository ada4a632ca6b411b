//! The configuration of `driftmon serve` (and of the Lambda): a TOML file, checked as a whole.
//!
//! ```toml
//! [server]
//! listen = "127.0.0.1:9464"          # /healthz and /metrics
//! shutdown_grace_seconds = 30
//!
//! [defaults]                         # applies to every [[monitor]] that does not say otherwise
//! max_catch_up = 24
//! [defaults.policy]
//! consecutive_windows = 2
//!
//! [[monitor]]
//! name = "credit-risk-data-quality"  # the schedule name in the output layout
//! kind = "data_quality"              # or "model_quality"
//! endpoint = "credit-risk"
//! capture = "driftmon-demo/capture"  # local folder or s3://bucket/prefix
//! baseline = "driftmon-demo/baseline"
//! output = "driftmon-demo/monitoring"
//! schedule = "cron(0 * ? * * *)"
//! [monitor.actions.webhook]
//! url = "https://hooks.slack.com/services/…"
//! slack = true
//! ```
//!
//! `driftmon.example.toml` at the repository root shows every key.
//!
//! # Keys
//!
//! * `[server]`: `listen` (socket address, default `127.0.0.1:9464`), `shutdown_grace_seconds`
//!   (default 30, at most 3600).
//! * `[defaults]`: `capture`, `output`, `variant`, `schedule`, `start_offset`, `end_offset`,
//!   `max_catch_up` (default 24), `lease` (ISO-8601, default `PT1H`: how long a run may go
//!   without renewing its lease), `retry_attempts` (default 3), `retry_backoff` (default
//!   `PT30S`, doubled per attempt), `retry_max_backoff` (default `PT10M`), `workers` (default 0:
//!   one per core), and the tables `drift`, `policy` and `actions`. A monitor's own scalar keys
//!   win; `drift` and `policy` merge key by key; `actions` is taken whole, from the monitor if it
//!   has an `actions` table, else from the defaults.
//! * `[[monitor]]`: `name` (SageMaker's schedule-name rule: letters, digits, hyphens, ≤ 63),
//!   `kind` (`data_quality`, the default, or `model_quality`), `endpoint`, `variant`, `capture`,
//!   `baseline` (required for data quality; the model-quality constraints are optional),
//!   `output`, `schedule` ([`crate::schedule`]), `start_offset` / `end_offset` (negative
//!   ISO-8601 durations, SageMaker's `StartTimeOffset` / `EndTimeOffset`), `input_path` /
//!   `output_path` (JSON payload paths, as `driftmon run --input-path`), and for model quality
//!   `ground_truth`, `problem_type`, `inference_attribute`, `probability_attribute`,
//!   `probability_threshold`, `ground_truth_attribute` (attributes: a column index or a name).
//! * `[monitor.drift]`: overrides of driftmon's drift thresholds: `psi`, `ks`, `chi_square`
//!   (booleans), `psi_threshold`, `psi_bins`, `psi_epsilon`, `ks_threshold`,
//!   `cramers_v_threshold`, `alpha`, `correction` (`none`, `bonferroni`, `bh`).
//! * `[monitor.policy]` ([`Policy`]): `check_types`, `features`, `ignore_features`,
//!   `consecutive_windows` (N, default 1), `clean_windows_to_close` (M, default 3),
//!   `notify_resolved` (default true), `alert_on_failure` (default false).
//! * `[monitor.actions.pipeline]`: `pipeline_name` (name or ARN), `parameters` (a table of
//!   strings; `{monitor}`, `{endpoint}`, `{episode_id}`, `{window_start}`, `{window_end}`,
//!   `{scheduled_time}` and `{output}` are replaced; `{{` and `}}` are literal braces), `region`,
//!   `cooldown` (ISO-8601, default `P1D`).
//! * `[monitor.actions.email]`: `to` (an address or a list), `from`, `smtp_host`, `smtp_port`
//!   (default by `tls`: 587, 465, or 25), `tls` (`starttls` — required, the default —,
//!   `opportunistic`, `implicit` for TLS from the first byte, or `none`), `username`,
//!   `password_env` or `password_file`, `subject_prefix` (default `[driftmon]`),
//!   `timeout_seconds` (default 30), `cooldown` (default `PT1H`).
//! * `[monitor.actions.webhook]`: `url` (http or https), `slack` (Slack-compatible payload),
//!   `token_env` or `token_file` (sent as `Authorization: Bearer …`), `timeout_seconds`
//!   (default 10), `cooldown` (default `PT1H`).
//!
//! Relative local paths are relative to the configuration file's folder.
//!
//! # Validation
//!
//! Every problem is reported at once, each with its TOML path (`monitor[2].schedule: …`):
//! unknown keys (with a suggestion when one is close), wrong types, missing keys, invalid
//! values, duplicate names, unset environment variables and unreadable secret files. Secrets
//! are read during validation and kept in [`Secret`], whose `Debug` prints `***`; no other
//! output of this module contains them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use driftmon_baseline::capture::{format_timestamp_ms, ExtractConfig, JsonPath};
use driftmon_rules::config::{Correction, DriftConfig};
use driftmon_rules::model_quality::ProblemType;
use serde::de::{self, DeserializeOwned, Visitor};
use serde::Deserialize;
use toml::{Table, Value};

use crate::monitor_state::Policy;
use crate::schedule::{
    output_prefix, parse_iso_duration, Schedule, Window, WindowOffsets, WindowSchedule,
};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// One problem in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Where: a TOML path such as `monitor[2].schedule`, or `line 3, column 7` for syntax
    /// errors, or empty for the file as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

#[derive(Default)]
struct Errs(Vec<ConfigError>);

impl Errs {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(ConfigError {
            path: path.to_owned(),
            message: message.into(),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

/// A secret (SMTP password, webhook token). `Debug` prints `***`; there is no `Display` and no
/// `Serialize`: the value leaves only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that needs it (the SMTP login, the HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

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

/// What a monitor checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorKind {
    /// Data quality and drift (`driftmon run`).
    DataQuality,
    /// Model quality against ground truth.
    ModelQuality,
}

impl MonitorKind {
    /// `data_quality` or `model_quality`.
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorKind::DataQuality => "data_quality",
            MonitorKind::ModelQuality => "model_quality",
        }
    }
}

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

/// The model-quality settings of a monitor (SageMaker's analyzer parameters, §6.1).
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

const PLACEHOLDERS: [&str; 7] = [
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
fn render(template: &str, value: &dyn Fn(&str) -> String) -> Result<String, String> {
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
    pub kind: MonitorKind,
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

// ---------------------------------------------------------------------------------------------
// Raw structs (serde)
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawServer {
    listen: Option<String>,
    shutdown_grace_seconds: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    capture: Option<String>,
    output: Option<String>,
    variant: Option<String>,
    schedule: Option<String>,
    start_offset: Option<String>,
    end_offset: Option<String>,
    max_catch_up: Option<u64>,
    lease: Option<String>,
    retry_attempts: Option<u32>,
    retry_backoff: Option<String>,
    retry_max_backoff: Option<String>,
    workers: Option<u64>,
    drift: Option<Value>,
    policy: Option<Value>,
    actions: Option<Value>,
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum RawAttr {
    Index(u64),
    Name(String),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMonitor {
    name: Option<String>,
    kind: Option<String>,
    endpoint: Option<String>,
    variant: Option<String>,
    capture: Option<String>,
    baseline: Option<String>,
    output: Option<String>,
    schedule: Option<String>,
    start_offset: Option<String>,
    end_offset: Option<String>,
    input_path: Option<String>,
    output_path: Option<String>,
    ground_truth: Option<String>,
    problem_type: Option<String>,
    inference_attribute: Option<RawAttr>,
    probability_attribute: Option<RawAttr>,
    probability_threshold: Option<f64>,
    ground_truth_attribute: Option<RawAttr>,
    max_catch_up: Option<u64>,
    lease: Option<String>,
    retry_attempts: Option<u32>,
    retry_backoff: Option<String>,
    retry_max_backoff: Option<String>,
    workers: Option<u64>,
    drift: Option<Value>,
    policy: Option<Value>,
    actions: Option<Value>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawDrift {
    psi: Option<bool>,
    psi_threshold: Option<f64>,
    psi_bins: Option<u64>,
    psi_epsilon: Option<f64>,
    ks: Option<bool>,
    ks_threshold: Option<f64>,
    chi_square: Option<bool>,
    cramers_v_threshold: Option<f64>,
    alpha: Option<f64>,
    correction: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    check_types: Option<Vec<String>>,
    features: Option<Vec<String>>,
    ignore_features: Option<Vec<String>>,
    consecutive_windows: Option<u32>,
    clean_windows_to_close: Option<u32>,
    notify_resolved: Option<bool>,
    alert_on_failure: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawActions {
    pipeline: Option<Value>,
    email: Option<Value>,
    webhook: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    pipeline_name: Option<String>,
    parameters: Option<BTreeMap<String, String>>,
    region: Option<String>,
    cooldown: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    to: Option<OneOrMany>,
    from: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    tls: Option<String>,
    username: Option<String>,
    password_env: Option<String>,
    password_file: Option<String>,
    subject_prefix: Option<String>,
    timeout_seconds: Option<u64>,
    cooldown: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: Option<String>,
    slack: Option<bool>,
    token_env: Option<String>,
    token_file: Option<String>,
    timeout_seconds: Option<u64>,
    cooldown: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Generic table decoding: every unknown key and every bad value of a table
// ---------------------------------------------------------------------------------------------

/// The field names serde derives for a struct (its `deserialize_struct` call).
fn struct_fields<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> de::Deserializer<'de> for Probe<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("probe"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("probe"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

fn join_path(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_owned()
    } else {
        format!("{base}.{key}")
    }
}

/// Cleans serde/toml messages: one line, without toml's own key suffixes.
fn clean_message(e: &toml::de::Error) -> String {
    let m = e.message().trim();
    let first = m.lines().next().unwrap_or(m);
    first.trim_end_matches('.').to_owned()
}

/// Decodes a table into `T`: reports every unknown key and every key whose value does not
/// decode, and decodes the rest. Returns the value and the keys that were bad (so that
/// "missing key" is not reported for them as well).
fn decode<T: DeserializeOwned + Default>(
    value: Value,
    path: &str,
    errs: &mut Errs,
) -> (T, BTreeSet<String>) {
    let mut bad = BTreeSet::new();
    let mut table = match value {
        Value::Table(t) => t,
        other => {
            errs.push(
                path,
                format!("expected a table, found {}", type_name(&other)),
            );
            return (T::default(), bad);
        }
    };
    let known = struct_fields::<T>();
    let unknown: Vec<String> = table
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in unknown {
        let near = known
            .iter()
            .map(|c| (edit_distance(&k, c), *c))
            .filter(|(d, c)| *d <= 2.max(c.len() / 4))
            .min();
        let hint = match near {
            Some((_, c)) => format!("; did you mean `{c}`?"),
            None => format!(" (expected one of: {})", known.join(", ")),
        };
        errs.push(&join_path(path, &k), format!("unknown key{hint}"));
        table.remove(&k);
        bad.insert(k);
    }
    match T::deserialize(Value::Table(table.clone())) {
        Ok(t) => (t, bad),
        Err(_) => {
            // Find every bad key on its own: the structs' fields are all optional.
            let keys: Vec<String> = table.keys().cloned().collect();
            for k in keys {
                let Some(v) = table.get(&k).cloned() else {
                    continue;
                };
                let mut one = Table::new();
                one.insert(k.clone(), v.clone());
                if let Err(e) = T::deserialize(Value::Table(one)) {
                    errs.push(
                        &join_path(path, &k),
                        format!("{} (found {})", clean_message(&e), type_name(&v)),
                    );
                    table.remove(&k);
                    bad.insert(k);
                }
            }
            match T::deserialize(Value::Table(table)) {
                Ok(t) => (t, bad),
                Err(e) => {
                    errs.push(path, clean_message(&e));
                    (T::default(), bad)
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// Where validation reads secrets and resolves relative paths.
pub struct ValidateContext<'a> {
    /// The configuration file's folder (relative paths are relative to it); `None`: as given.
    pub base_dir: Option<&'a Path>,
    /// Environment lookup (`std::env::var` in production; a map in tests).
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// Reads, parses and validates a configuration file, with the process environment.
pub fn load(path: &Path) -> Result<ValidatedConfig, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            path: String::new(),
            message: format!("{}: {e}", path.display()),
        }])
    })?;
    let env = |k: &str| std::env::var(k).ok();
    let ctx = ValidateContext {
        base_dir: path.parent(),
        env: &env,
    };
    parse(&text, &ctx)
}

/// Parses and validates a configuration text.
pub fn parse(text: &str, ctx: &ValidateContext<'_>) -> Result<ValidatedConfig, ConfigErrors> {
    let table: Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let path = match e.span() {
                Some(span) => {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    format!("line {line}, column {col}")
                }
                None => String::new(),
            };
            return Err(ConfigErrors(vec![ConfigError {
                path,
                message: clean_message(&e),
            }]));
        }
    };
    let mut errs = Errs::default();
    let cfg = validate(table, ctx, &mut errs);
    if errs.0.is_empty() {
        Ok(cfg)
    } else {
        Err(ConfigErrors(errs.0))
    }
}

const TOP_KEYS: [&str; 3] = ["server", "defaults", "monitor"];

/// `[defaults]` after its own validation: values that were invalid are reported once, at
/// `defaults.*`, and dropped, so that monitors inheriting them do not report them again.
#[derive(Default)]
struct Defaults {
    raw: RawDefaults,
    /// Keys of `[defaults]` that were set but invalid (monitors relying on them do not report
    /// them missing).
    invalid: BTreeSet<&'static str>,
    drift: RawDrift,
    policy: RawPolicy,
    actions: Option<Value>,
}

fn check_defaults(raw: RawDefaults, ctx: &ValidateContext<'_>, errs: &mut Errs) -> Defaults {
    let mut raw = raw;
    let mut invalid = BTreeSet::new();
    let p = "defaults";
    let key = |k: &str| join_path(p, k);
    let ok = |f: &mut dyn FnMut(&mut Errs), errs: &mut Errs| -> bool {
        let n = errs.0.len();
        f(errs);
        errs.0.len() == n
    };
    if let Some(s) = raw.schedule.clone() {
        if !ok(&mut |e| check_schedule(&s, &key("schedule"), e), errs) {
            raw.schedule = None;
            invalid.insert("schedule");
        }
    }
    let (so, eo) = (raw.start_offset.clone(), raw.end_offset.clone());
    if so.is_some() || eo.is_some() {
        if let Err(e) = WindowOffsets::parse(so.as_deref(), eo.as_deref()) {
            errs.push(&key(offset_key(&e.0)), e.0);
            raw.start_offset = None;
            raw.end_offset = None;
        }
    }
    for k in ["capture", "output"] {
        let v = if k == "capture" {
            &mut raw.capture
        } else {
            &mut raw.output
        };
        if let Some(s) = v.clone() {
            if !ok(
                &mut |e| {
                    let _ = location(&s, &key(k), ctx, e);
                },
                errs,
            ) {
                *v = None;
                invalid.insert(k);
            }
        }
    }
    if let Some(v) = raw.variant.clone() {
        if !ok(&mut |e| check_variant(&v, &key("variant"), e), errs) {
            raw.variant = None;
        }
    }
    if let Some(n) = raw.max_catch_up {
        if !ok(&mut |e| check_catch_up(n, &key("max_catch_up"), e), errs) {
            raw.max_catch_up = None;
        }
    }
    if let Some(n) = raw.retry_attempts {
        if !ok(&mut |e| check_attempts(n, &key("retry_attempts"), e), errs) {
            raw.retry_attempts = None;
        }
    }
    if let Some(n) = raw.workers {
        if !ok(&mut |e| check_workers(n, &key("workers"), e), errs) {
            raw.workers = None;
        }
    }
    for (k, min) in [
        ("lease", LEASE_MIN_MS),
        ("retry_backoff", 0),
        ("retry_max_backoff", 0),
    ] {
        let v = match k {
            "lease" => &mut raw.lease,
            "retry_backoff" => &mut raw.retry_backoff,
            _ => &mut raw.retry_max_backoff,
        };
        if let Some(s) = v.clone() {
            if !ok(
                &mut |e| {
                    let _ = duration_ms(Some(&s), 0, min, &key(k), e);
                },
                errs,
            ) {
                *v = None;
            }
        }
    }
    let drift = match raw.drift.take() {
        Some(v) => {
            let n = errs.0.len();
            let (d, _): (RawDrift, _) = decode(v, &key("drift"), errs);
            let _ = drift_config(&d, &key("drift"), errs);
            if errs.0.len() == n {
                d
            } else {
                RawDrift::default()
            }
        }
        None => RawDrift::default(),
    };
    let policy = match raw.policy.take() {
        Some(v) => {
            let n = errs.0.len();
            let (d, _): (RawPolicy, _) = decode(v, &key("policy"), errs);
            let _ = policy_of(&d, None, &key("policy"), errs);
            if errs.0.len() == n {
                d
            } else {
                RawPolicy::default()
            }
        }
        None => RawPolicy::default(),
    };
    let actions = match raw.actions.take() {
        Some(v) => {
            let n = errs.0.len();
            let _ = actions(v.clone(), &key("actions"), ctx, errs);
            (errs.0.len() == n).then_some(v)
        }
        None => None,
    };
    Defaults {
        raw,
        invalid,
        drift,
        policy,
        actions,
    }
}

fn validate(mut table: Table, ctx: &ValidateContext<'_>, errs: &mut Errs) -> ValidatedConfig {
    let keys: Vec<String> = table.keys().cloned().collect();
    for k in keys {
        if !TOP_KEYS.contains(&k.as_str()) {
            let hint = if k == "monitors" {
                "; did you mean `[[monitor]]`?".to_owned()
            } else {
                format!(" (expected one of: {})", TOP_KEYS.join(", "))
            };
            errs.push(&k, format!("unknown key{hint}"));
        }
    }
    let server = {
        let (raw, _): (RawServer, _) = match table.remove("server") {
            Some(v) => decode(v, "server", errs),
            None => Default::default(),
        };
        let text = raw.listen.as_deref().unwrap_or("127.0.0.1:9464");
        let listen = match text.parse() {
            Ok(a) => a,
            Err(_) => {
                errs.push(
                    "server.listen",
                    format!("`{text}` is not a socket address (e.g. 127.0.0.1:9464)"),
                );
                SocketAddr::from(([127, 0, 0, 1], 9464))
            }
        };
        let grace = raw.shutdown_grace_seconds.unwrap_or(30);
        if grace > 3600 {
            errs.push(
                "server.shutdown_grace_seconds",
                format!("{grace} is more than an hour (at most 3600)"),
            );
        }
        ServerConfig {
            listen,
            shutdown_grace: Duration::from_secs(grace.min(3600)),
        }
    };
    let defaults = match table.remove("defaults") {
        Some(v) => {
            let (raw, _): (RawDefaults, _) = decode(v, "defaults", errs);
            check_defaults(raw, ctx, errs)
        }
        None => Defaults::default(),
    };
    let mut monitors = Vec::new();
    match table.remove("monitor") {
        None => errs.push("monitor", "no [[monitor]] is configured"),
        Some(Value::Array(items)) => {
            if items.is_empty() {
                errs.push("monitor", "no [[monitor]] is configured");
            }
            let mut names: BTreeMap<String, usize> = BTreeMap::new();
            for (i, item) in items.into_iter().enumerate() {
                let path = format!("monitor[{i}]");
                let (raw, bad): (RawMonitor, _) = decode(item, &path, errs);
                if let Some(n) = &raw.name {
                    if let Some(first) = names.get(n) {
                        errs.push(
                            &format!("{path}.name"),
                            format!("`{n}` is already the name of monitor[{first}]"),
                        );
                    } else {
                        names.insert(n.clone(), i);
                    }
                }
                if let Some(m) = monitor(raw, &bad, &path, &defaults, ctx, errs) {
                    monitors.push(m);
                }
            }
        }
        Some(other) => errs.push(
            "monitor",
            format!(
                "expected an array of tables ([[monitor]]), found {}",
                type_name(&other)
            ),
        ),
    }
    ValidatedConfig { server, monitors }
}

const LEASE_MIN_MS: i64 = 10_000;

fn offset_key(msg: &str) -> &'static str {
    if msg.starts_with("end offset") {
        "end_offset"
    } else {
        "start_offset"
    }
}

fn check_schedule(s: &str, path: &str, errs: &mut Errs) {
    if let Err(e) = Schedule::parse(s) {
        errs.push(path, e.0);
    }
}

fn check_variant(v: &str, path: &str, errs: &mut Errs) {
    if !valid_aws_name(v, 63) {
        errs.push(path, format!("`{v}` is not a variant name"));
    }
}

fn check_catch_up(n: u64, path: &str, errs: &mut Errs) {
    if n == 0 || n > 10_000 {
        errs.push(path, format!("{n} must be 1–10000"));
    }
}

fn check_attempts(n: u32, path: &str, errs: &mut Errs) {
    if n == 0 || n > 100 {
        errs.push(path, format!("{n} must be 1–100"));
    }
}

fn check_workers(n: u64, path: &str, errs: &mut Errs) {
    if n > 1024 {
        errs.push(path, format!("{n} must be at most 1024"));
    }
}

fn valid_aws_name(s: &str, max: usize) -> bool {
    // ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,max-1}
    !s.is_empty()
        && s.len() <= max
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn location(s: &str, path: &str, ctx: &ValidateContext<'_>, errs: &mut Errs) -> PathBuf {
    if let Some(rest) = s.strip_prefix("s3://") {
        let bucket = rest.split('/').next().unwrap_or("");
        if bucket.is_empty() {
            errs.push(path, format!("`{s}` has no bucket name"));
        }
        return PathBuf::from(s);
    }
    if s.contains("://") {
        errs.push(
            path,
            format!("`{s}`: only local paths and s3://bucket/prefix are supported"),
        );
    }
    if s.trim().is_empty() {
        errs.push(path, "empty path");
    }
    let p = PathBuf::from(s);
    match ctx.base_dir {
        Some(b) if p.is_relative() => b.join(p),
        _ => p,
    }
}

fn duration_ms(s: Option<&str>, default_ms: i64, min_ms: i64, path: &str, errs: &mut Errs) -> i64 {
    let Some(s) = s else { return default_ms };
    match parse_iso_duration(s) {
        Ok(v) if v < min_ms => {
            errs.push(
                path,
                if min_ms == 0 {
                    format!("`{s}` is negative; a duration here must be positive (e.g. PT1H)")
                } else {
                    format!("`{s}` is too short (at least {} s)", min_ms / 1000)
                },
            );
            default_ms
        }
        Ok(v) => v,
        Err(e) => {
            errs.push(path, e.0);
            default_ms
        }
    }
}

fn secret(
    env_key: Option<&str>,
    file: Option<&str>,
    what: &str,
    path: &str,
    ctx: &ValidateContext<'_>,
    errs: &mut Errs,
) -> Option<Secret> {
    let (env_name, file_name) = (format!("{what}_env"), format!("{what}_file"));
    match (env_key, file) {
        (Some(_), Some(_)) => {
            errs.push(path, format!("set `{env_name}` or `{file_name}`, not both"));
            None
        }
        (Some(var), None) => match (ctx.env)(var) {
            Some(v) if !v.is_empty() => Some(Secret(v)),
            Some(_) => {
                errs.push(
                    &join_path(path, &env_name),
                    format!("environment variable {var} is empty"),
                );
                None
            }
            None => {
                errs.push(
                    &join_path(path, &env_name),
                    format!("environment variable {var} is not set"),
                );
                None
            }
        },
        (None, Some(f)) => {
            let p = PathBuf::from(f);
            let p = match ctx.base_dir {
                Some(b) if p.is_relative() => b.join(p),
                _ => p,
            };
            match std::fs::read_to_string(&p) {
                Ok(v) => {
                    let v = v.trim_end_matches(['\n', '\r']).to_owned();
                    if v.is_empty() {
                        errs.push(
                            &join_path(path, &file_name),
                            format!("{} is empty", p.display()),
                        );
                        None
                    } else {
                        Some(Secret(v))
                    }
                }
                Err(e) => {
                    // The error names the file, never its content.
                    errs.push(
                        &join_path(path, &file_name),
                        format!("{}: {e}", p.display()),
                    );
                    None
                }
            }
        }
        (None, None) => None,
    }
}

fn actions(v: Value, path: &str, ctx: &ValidateContext<'_>, errs: &mut Errs) -> Actions {
    let (raw, _): (RawActions, _) = decode(v, path, errs);
    let mut out = Actions::default();
    if let Some(v) = raw.pipeline {
        let p = join_path(path, "pipeline");
        let (r, bad): (RawPipeline, _) = decode(v, &p, errs);
        let name = match r.pipeline_name {
            Some(n) => {
                let plain = n.strip_prefix("arn:").is_some() || valid_aws_name(&n, 256);
                if !plain {
                    errs.push(
                        &join_path(&p, "pipeline_name"),
                        format!(
                            "`{n}` is not a pipeline name (letters, digits and hyphens, ≤ 256) \
                             or ARN"
                        ),
                    );
                }
                n
            }
            None => {
                if !bad.contains("pipeline_name") {
                    errs.push(&p, "missing key `pipeline_name`");
                }
                String::new()
            }
        };
        let parameters = r.parameters.unwrap_or_default();
        for (k, v) in &parameters {
            let kp = format!("{p}.parameters.{k}");
            if k.is_empty()
                || k.len() > 256
                || !k
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                errs.push(
                    &kp,
                    "parameter names are 1–256 letters, digits, `-` and `_`",
                );
            }
            match render(v, &|_| String::new()) {
                Err(e) => errs.push(&kp, e),
                Ok(_) if v.len() > 1024 => {
                    errs.push(&kp, "parameter values are at most 1024 characters")
                }
                Ok(_) => {}
            }
        }
        out.pipeline = Some(PipelineAction {
            pipeline_name: name,
            parameters,
            region: r.region,
            cooldown_ms: duration_ms(
                r.cooldown.as_deref(),
                86_400_000,
                0,
                &join_path(&p, "cooldown"),
                errs,
            ),
        });
    }
    if let Some(v) = raw.email {
        let p = join_path(path, "email");
        let (r, bad): (RawEmail, _) = decode(v, &p, errs);
        let missing = |k: &str, present: bool, errs: &mut Errs| {
            if !present && !bad.contains(k) {
                errs.push(&p, format!("missing key `{k}`"));
            }
        };
        missing("to", r.to.is_some(), errs);
        missing("from", r.from.is_some(), errs);
        missing("smtp_host", r.smtp_host.is_some(), errs);
        if matches!(&r.to, Some(OneOrMany::Many(v)) if v.is_empty()) {
            errs.push(&join_path(&p, "to"), "no recipient");
        }
        let to = match r.to {
            Some(OneOrMany::One(s)) => vec![s],
            Some(OneOrMany::Many(v)) => v,
            None => Vec::new(),
        };
        for (i, a) in to.iter().enumerate() {
            if !looks_like_address(a) {
                errs.push(
                    &format!("{p}.to[{i}]"),
                    format!("`{a}` is not an e-mail address"),
                );
            }
        }
        if let Some(f) = &r.from {
            if !looks_like_address(f) {
                errs.push(
                    &join_path(&p, "from"),
                    format!("`{f}` is not an e-mail address"),
                );
            }
        }
        let tls = match r.tls.as_deref() {
            None | Some("starttls") => SmtpTls::StartTls,
            Some("opportunistic") => SmtpTls::Opportunistic,
            Some("implicit") => SmtpTls::Implicit,
            Some("none") => SmtpTls::None,
            Some(o) => {
                errs.push(
                    &join_path(&p, "tls"),
                    format!("`{o}` is not one of starttls, opportunistic, implicit, none"),
                );
                SmtpTls::StartTls
            }
        };
        let port = r.smtp_port.unwrap_or(match tls {
            SmtpTls::StartTls | SmtpTls::Opportunistic => 587,
            SmtpTls::Implicit => 465,
            SmtpTls::None => 25,
        });
        if port == 0 {
            errs.push(&join_path(&p, "smtp_port"), "port 0 is not a port");
        }
        let password = secret(
            r.password_env.as_deref(),
            r.password_file.as_deref(),
            "password",
            &p,
            ctx,
            errs,
        );
        let has_password = r.password_env.is_some() || r.password_file.is_some();
        if r.username.is_some() != has_password {
            errs.push(
                &p,
                if has_password {
                    "a password is set but no `username`"
                } else {
                    "`username` is set but no `password_env` or `password_file`"
                },
            );
        }
        if r.username.is_some() && tls == SmtpTls::None {
            errs.push(
                &join_path(&p, "tls"),
                "refusing to send a password over plain text: use starttls or implicit",
            );
        }
        let timeout = r.timeout_seconds.unwrap_or(30);
        if timeout == 0 {
            errs.push(&join_path(&p, "timeout_seconds"), "must be at least 1");
        }
        out.email = Some(EmailAction {
            to,
            from: r.from.unwrap_or_default(),
            smtp_host: r.smtp_host.unwrap_or_default(),
            smtp_port: port,
            tls,
            username: r.username,
            password,
            subject_prefix: r.subject_prefix.unwrap_or_else(|| "[driftmon]".into()),
            timeout: Duration::from_secs(timeout.max(1)),
            cooldown_ms: duration_ms(
                r.cooldown.as_deref(),
                3_600_000,
                0,
                &join_path(&p, "cooldown"),
                errs,
            ),
        });
    }
    if let Some(v) = raw.webhook {
        let p = join_path(path, "webhook");
        let (r, bad): (RawWebhook, _) = decode(v, &p, errs);
        let url = match r.url {
            Some(u) => {
                let rest = u
                    .strip_prefix("https://")
                    .or_else(|| u.strip_prefix("http://"));
                match rest {
                    Some(r) if !r.is_empty() && !r.starts_with('/') => {}
                    _ => errs.push(
                        &join_path(&p, "url"),
                        format!("`{u}` is not an http:// or https:// URL"),
                    ),
                }
                u
            }
            None => {
                if !bad.contains("url") {
                    errs.push(&p, "missing key `url`");
                }
                String::new()
            }
        };
        let token = secret(
            r.token_env.as_deref(),
            r.token_file.as_deref(),
            "token",
            &p,
            ctx,
            errs,
        );
        let timeout = r.timeout_seconds.unwrap_or(10);
        if timeout == 0 {
            errs.push(&join_path(&p, "timeout_seconds"), "must be at least 1");
        }
        out.webhook = Some(WebhookAction {
            url,
            slack: r.slack.unwrap_or(false),
            token,
            timeout: Duration::from_secs(timeout.max(1)),
            cooldown_ms: duration_ms(
                r.cooldown.as_deref(),
                3_600_000,
                0,
                &join_path(&p, "cooldown"),
                errs,
            ),
        });
    }
    out
}

fn looks_like_address(a: &str) -> bool {
    // `Name <user@host>` or `user@host`; the SMTP library does the full parse.
    let addr = match (a.find('<'), a.rfind('>')) {
        (Some(i), Some(j)) if i < j => &a[i + 1..j],
        _ => a,
    };
    match addr.split_once('@') {
        Some((u, h)) => {
            !u.is_empty()
                && !h.is_empty()
                && !addr.contains(char::is_whitespace)
                && !h.contains('@')
        }
        None => false,
    }
}

fn merge_drift(d: &RawDrift, m: &RawDrift) -> RawDrift {
    RawDrift {
        psi: m.psi.or(d.psi),
        psi_threshold: m.psi_threshold.or(d.psi_threshold),
        psi_bins: m.psi_bins.or(d.psi_bins),
        psi_epsilon: m.psi_epsilon.or(d.psi_epsilon),
        ks: m.ks.or(d.ks),
        ks_threshold: m.ks_threshold.or(d.ks_threshold),
        chi_square: m.chi_square.or(d.chi_square),
        cramers_v_threshold: m.cramers_v_threshold.or(d.cramers_v_threshold),
        alpha: m.alpha.or(d.alpha),
        correction: m.correction.clone().or_else(|| d.correction.clone()),
    }
}

fn drift_config(r: &RawDrift, path: &str, errs: &mut Errs) -> DriftConfig {
    let mut d = DriftConfig::default();
    let mut positive = |key: &str, v: Option<f64>, max: Option<f64>, slot: &mut f64| {
        if let Some(x) = v {
            let ok = x.is_finite() && x > 0.0 && max.is_none_or(|m| x <= m);
            if ok {
                *slot = x;
            } else {
                let range = match max {
                    Some(m) => format!("in (0, {m}]"),
                    None => "positive".to_owned(),
                };
                errs.push(&join_path(path, key), format!("{x} must be {range}"));
            }
        }
    };
    positive("psi_threshold", r.psi_threshold, None, &mut d.psi_threshold);
    positive("psi_epsilon", r.psi_epsilon, Some(0.1), &mut d.psi_epsilon);
    positive(
        "ks_threshold",
        r.ks_threshold,
        Some(1.0),
        &mut d.ks_threshold,
    );
    positive(
        "cramers_v_threshold",
        r.cramers_v_threshold,
        Some(1.0),
        &mut d.cramers_v_threshold,
    );
    positive("alpha", r.alpha, Some(1.0), &mut d.alpha);
    if let Some(b) = r.psi_bins {
        if (2..=1000).contains(&b) {
            d.psi_bins = b as usize;
        } else {
            errs.push(&join_path(path, "psi_bins"), format!("{b} must be 2–1000"));
        }
    }
    if let Some(x) = r.psi {
        d.psi_enabled = x;
    }
    if let Some(x) = r.ks {
        d.ks_enabled = x;
    }
    if let Some(x) = r.chi_square {
        d.chi_square_enabled = x;
    }
    if let Some(c) = &r.correction {
        match Correction::parse(c) {
            Some(c) => d.correction = c,
            None => errs.push(
                &join_path(path, "correction"),
                format!("`{c}` is not one of none, bonferroni, bh"),
            ),
        }
    }
    d
}

const MODEL_QUALITY_CHECKS: [&str; 4] = [
    "GreaterThanThreshold",
    "LessThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanOrEqualToThreshold",
];

fn merge_policy(d: &RawPolicy, m: &RawPolicy) -> RawPolicy {
    RawPolicy {
        check_types: m.check_types.clone().or_else(|| d.check_types.clone()),
        features: m.features.clone().or_else(|| d.features.clone()),
        ignore_features: m
            .ignore_features
            .clone()
            .or_else(|| d.ignore_features.clone()),
        consecutive_windows: m.consecutive_windows.or(d.consecutive_windows),
        clean_windows_to_close: m.clean_windows_to_close.or(d.clean_windows_to_close),
        notify_resolved: m.notify_resolved.or(d.notify_resolved),
        alert_on_failure: m.alert_on_failure.or(d.alert_on_failure),
    }
}

fn policy_of(r: &RawPolicy, kind: Option<MonitorKind>, path: &str, errs: &mut Errs) -> Policy {
    let mut p = Policy::default();
    if let Some(cts) = &r.check_types {
        let dq = || {
            let mut v: Vec<&str> = driftmon_rules::evaluate::REGISTRY
                .iter()
                .map(|d| d.check_type)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let known: Vec<&str> = match kind {
            Some(MonitorKind::DataQuality) => dq(),
            Some(MonitorKind::ModelQuality) => MODEL_QUALITY_CHECKS.to_vec(),
            None => {
                let mut v = dq();
                v.extend(MODEL_QUALITY_CHECKS);
                v
            }
        };
        let kind_name = kind.map_or("known", |k| match k {
            MonitorKind::DataQuality => "data quality",
            MonitorKind::ModelQuality => "model quality",
        });
        for (i, c) in cts.iter().enumerate() {
            if !known.contains(&c.as_str()) {
                errs.push(
                    &format!("{path}.check_types[{i}]"),
                    format!(
                        "`{c}` is not a {kind_name} check type (known: {})",
                        known.join(", ")
                    ),
                );
            }
        }
        if cts.is_empty() {
            errs.push(
                &join_path(path, "check_types"),
                "an empty list would count nothing; remove the key to count every check",
            );
        }
        p.check_types = Some(cts.iter().cloned().collect());
    }
    if let Some(f) = &r.features {
        if f.is_empty() {
            errs.push(
                &join_path(path, "features"),
                "an empty list would count nothing; remove the key to count every feature",
            );
        }
        p.features = Some(f.iter().cloned().collect());
    }
    if let Some(f) = &r.ignore_features {
        p.ignore_features = f.iter().cloned().collect();
    }
    for (key, v, slot) in [
        (
            "consecutive_windows",
            r.consecutive_windows,
            &mut p.consecutive_windows,
        ),
        (
            "clean_windows_to_close",
            r.clean_windows_to_close,
            &mut p.clean_windows_to_close,
        ),
    ] {
        match v {
            Some(0) => errs.push(&join_path(path, key), "must be at least 1"),
            Some(n) if n > 10_000 => errs.push(&join_path(path, key), "must be at most 10000"),
            Some(n) => *slot = n,
            None => {}
        }
    }
    if let Some(b) = r.notify_resolved {
        p.notify_resolved = b;
    }
    if let Some(b) = r.alert_on_failure {
        p.alert_on_failure = b;
    }
    p
}

fn attr(a: Option<RawAttr>) -> Option<AttributeRef> {
    a.map(|a| match a {
        RawAttr::Index(i) => AttributeRef::Index(usize::try_from(i).unwrap_or(usize::MAX)),
        RawAttr::Name(n) => {
            let t = n.trim();
            match t.parse::<usize>() {
                Ok(i) if t.bytes().all(|b| b.is_ascii_digit()) => AttributeRef::Index(i),
                _ => AttributeRef::Name(t.to_owned()),
            }
        }
    })
}

/// A monitor's value, or the default's (whose errors were reported at `defaults.*`).
fn pick<T: Clone>(own: Option<T>, default: &Option<T>) -> (Option<T>, bool) {
    match own {
        Some(v) => (Some(v), false),
        None => (default.clone(), default.is_some()),
    }
}

fn monitor(
    raw: RawMonitor,
    bad: &BTreeSet<String>,
    path: &str,
    defaults: &Defaults,
    ctx: &ValidateContext<'_>,
    errs: &mut Errs,
) -> Option<MonitorConfig> {
    let n0 = errs.0.len();
    let d = &defaults.raw;
    // Errors about inherited values were reported once, at `defaults.*`.
    let mut quiet = Errs::default();
    let key = |k: &str| join_path(path, k);
    let required = |k: &str, v: Option<String>, errs: &mut Errs| -> Option<String> {
        if v.is_none() && !bad.contains(k) && !defaults.invalid.contains(k) {
            errs.push(path, format!("missing key `{k}`"));
        }
        v
    };
    let name = required("name", raw.name, errs).unwrap_or_default();
    if !name.is_empty() && !valid_aws_name(&name, 63) {
        errs.push(
            &key("name"),
            format!(
                "`{name}`: names are 1–63 letters, digits and hyphens, not starting or ending with \
                 a hyphen (SageMaker's schedule-name rule; the name is a folder of the output \
                 layout)"
            ),
        );
    }
    let kind = match raw.kind.as_deref() {
        None | Some("data_quality") => MonitorKind::DataQuality,
        Some("model_quality") => MonitorKind::ModelQuality,
        Some(o) => {
            errs.push(
                &key("kind"),
                format!("`{o}` is not one of data_quality, model_quality"),
            );
            MonitorKind::DataQuality
        }
    };
    let endpoint = required("endpoint", raw.endpoint, errs).unwrap_or_default();
    if !endpoint.is_empty() && !valid_aws_name(&endpoint, 63) {
        errs.push(
            &key("endpoint"),
            format!("`{endpoint}` is not a SageMaker endpoint name"),
        );
    }
    let (variant, inherited) = pick(raw.variant, &d.variant);
    if let Some(v) = &variant {
        let e = if inherited { &mut quiet } else { &mut *errs };
        check_variant(v, &key("variant"), e);
    }
    let mut place = |k: &str, own: Option<String>, dflt: &Option<String>, errs: &mut Errs| {
        let (v, inherited) = pick(own, dflt);
        let v = required(k, v, errs)?;
        let e = if inherited { &mut quiet } else { &mut *errs };
        Some(location(&v, &key(k), ctx, e))
    };
    let capture = place("capture", raw.capture, &d.capture, errs).unwrap_or_default();
    let output = place("output", raw.output, &d.output, errs).unwrap_or_default();
    let baseline = match raw.baseline {
        Some(b) => Some(location(&b, &key("baseline"), ctx, errs)),
        None => {
            if kind == MonitorKind::DataQuality && !bad.contains("baseline") {
                errs.push(
                    path,
                    "missing key `baseline` (data quality needs a baseline)",
                );
            }
            None
        }
    };
    let (schedule_text, inherited) = pick(raw.schedule, &d.schedule);
    let schedule = match required("schedule", schedule_text, errs) {
        None => None,
        Some(s) => match Schedule::parse(&s) {
            Ok(s) => Some(s),
            Err(e) => {
                if !inherited {
                    errs.push(&key("schedule"), e.0);
                }
                None
            }
        },
    };
    let own_offsets = raw.start_offset.is_some() || raw.end_offset.is_some();
    let start = raw.start_offset.or_else(|| d.start_offset.clone());
    let end = raw.end_offset.or_else(|| d.end_offset.clone());
    let offsets = match WindowOffsets::parse(start.as_deref(), end.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            if own_offsets {
                errs.push(&key(offset_key(&e.0)), e.0);
            }
            WindowOffsets::default()
        }
    };
    let mut extract = ExtractConfig::default();
    if kind == MonitorKind::ModelQuality {
        extract.use_input = false;
    }
    for (k, v, slot) in [
        ("input_path", &raw.input_path, &mut extract.input_path),
        ("output_path", &raw.output_path, &mut extract.output_path),
    ] {
        if let Some(s) = v {
            match JsonPath::parse(s) {
                Ok(p) => *slot = Some(p),
                Err(e) => errs.push(&key(k), e.to_string()),
            }
        }
    }
    let model_quality = match kind {
        MonitorKind::DataQuality => {
            for (k, present) in [
                ("ground_truth", raw.ground_truth.is_some()),
                ("problem_type", raw.problem_type.is_some()),
                ("inference_attribute", raw.inference_attribute.is_some()),
                ("probability_attribute", raw.probability_attribute.is_some()),
                ("probability_threshold", raw.probability_threshold.is_some()),
                (
                    "ground_truth_attribute",
                    raw.ground_truth_attribute.is_some(),
                ),
            ] {
                if present {
                    errs.push(
                        &key(k),
                        "only for kind = \"model_quality\" (this monitor is data_quality)",
                    );
                }
            }
            None
        }
        MonitorKind::ModelQuality => {
            let gt = required("ground_truth", raw.ground_truth, errs)
                .map(|g| location(&g, &key("ground_truth"), ctx, errs))
                .unwrap_or_default();
            let pt = match raw.problem_type.as_deref() {
                Some(s) => ProblemType::parse(s).unwrap_or_else(|| {
                    errs.push(
                        &key("problem_type"),
                        format!(
                            "`{s}` is not one of BinaryClassification, MulticlassClassification, \
                             Regression"
                        ),
                    );
                    ProblemType::BinaryClassification
                }),
                None => {
                    if !bad.contains("problem_type") {
                        errs.push(path, "missing key `problem_type` (model quality needs it)");
                    }
                    ProblemType::BinaryClassification
                }
            };
            let inference = attr(raw.inference_attribute);
            let probability = attr(raw.probability_attribute);
            if let Some(t) = raw.probability_threshold {
                if !t.is_finite() {
                    errs.push(&key("probability_threshold"), "must be a finite number");
                }
            }
            match pt {
                ProblemType::BinaryClassification => {
                    if inference.is_none() && probability.is_none() {
                        errs.push(
                            path,
                            "BinaryClassification needs `inference_attribute` or \
                             `probability_attribute`",
                        );
                    }
                }
                _ => {
                    if inference.is_none() {
                        errs.push(path, format!("{pt} needs `inference_attribute`"));
                    }
                }
            }
            Some(ModelQualitySettings {
                ground_truth: gt,
                problem_type: pt,
                inference_attribute: inference,
                probability_attribute: probability,
                probability_threshold: raw.probability_threshold,
                ground_truth_attribute: attr(raw.ground_truth_attribute),
            })
        }
    };
    let drift = match raw.drift {
        Some(v) => {
            let (m, _): (RawDrift, _) = decode(v, &key("drift"), errs);
            drift_config(&merge_drift(&defaults.drift, &m), &key("drift"), errs)
        }
        None => drift_config(&defaults.drift, "defaults.drift", &mut quiet),
    };
    let mut pol = match raw.policy {
        Some(v) => {
            let (m, _): (RawPolicy, _) = decode(v, &key("policy"), errs);
            policy_of(
                &merge_policy(&defaults.policy, &m),
                Some(kind),
                &key("policy"),
                errs,
            )
        }
        None => policy_of(&defaults.policy, None, "defaults.policy", &mut quiet),
    };
    let acts = match (raw.actions, &defaults.actions) {
        (Some(v), _) => actions(v, &key("actions"), ctx, errs),
        (None, Some(v)) => actions(v.clone(), "defaults.actions", ctx, &mut quiet),
        (None, None) => Actions::default(),
    };
    pol.pipeline_cooldown_ms = acts.pipeline.as_ref().map(|a| a.cooldown_ms);
    pol.email_cooldown_ms = acts.email.as_ref().map(|a| a.cooldown_ms);
    pol.webhook_cooldown_ms = acts.webhook.as_ref().map(|a| a.cooldown_ms);

    let max_catch_up = match raw.max_catch_up {
        Some(n) => {
            check_catch_up(n, &key("max_catch_up"), errs);
            n
        }
        None => d.max_catch_up.unwrap_or(24),
    };
    let attempts = match raw.retry_attempts {
        Some(n) => {
            check_attempts(n, &key("retry_attempts"), errs);
            n
        }
        None => d.retry_attempts.unwrap_or(3),
    };
    let workers = match raw.workers {
        Some(n) => {
            check_workers(n, &key("workers"), errs);
            n
        }
        None => d.workers.unwrap_or(0),
    };
    let mut dur = |k: &str, own: Option<String>, dflt: &Option<String>, def: i64, min: i64| {
        let (v, inherited) = pick(own, dflt);
        let e = if inherited { &mut quiet } else { &mut *errs };
        duration_ms(v.as_deref(), def, min, &key(k), e)
    };
    let lease_ms = dur("lease", raw.lease, &d.lease, 3_600_000, LEASE_MIN_MS);
    let backoff = dur(
        "retry_backoff",
        raw.retry_backoff,
        &d.retry_backoff,
        30_000,
        0,
    );
    let max_backoff = dur(
        "retry_max_backoff",
        raw.retry_max_backoff,
        &d.retry_max_backoff,
        600_000,
        0,
    );
    if errs.0.len() > n0 {
        return None;
    }
    let schedule = schedule?;
    Some(MonitorConfig {
        name,
        kind,
        endpoint,
        variant,
        capture,
        baseline,
        output,
        timing: WindowSchedule { schedule, offsets },
        drift,
        extract,
        model_quality,
        policy: pol,
        actions: acts,
        max_catch_up: usize::try_from(max_catch_up).unwrap_or(usize::MAX),
        lease_ms,
        retry: RetrySettings {
            attempts: attempts.max(1),
            backoff: Duration::from_millis(u64::try_from(backoff).unwrap_or(0)),
            max_backoff: Duration::from_millis(u64::try_from(max_backoff).unwrap_or(0)),
        },
        workers: usize::try_from(workers).unwrap_or(usize::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftmon_baseline::capture::parse_timestamp_ms;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn check(text: &str) -> Result<ValidatedConfig, ConfigErrors> {
        parse(
            text,
            &ValidateContext {
                base_dir: Some(Path::new("/etc/driftmon")),
                env: &no_env,
            },
        )
    }

    fn errors(text: &str) -> Vec<String> {
        match check(text) {
            Ok(_) => panic!("expected errors"),
            Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    fn has(errs: &[String], needle: &str) -> bool {
        errs.iter().any(|e| e.contains(needle))
    }

    const MINIMAL: &str = r#"
[[monitor]]
name = "m"
endpoint = "ep"
capture = "cap"
baseline = "base"
output = "out"
schedule = "cron(0 * ? * * *)"
"#;

    #[test]
    fn example_validates() {
        let text = include_str!("../../driftmon.example.toml");
        let cfg = check(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.server.listen, "127.0.0.1:9464".parse().unwrap());
        assert_eq!(cfg.server.shutdown_grace, Duration::from_secs(30));
        assert_eq!(cfg.monitors.len(), 2);

        let hourly = cfg.monitor("credit-risk-data-quality").unwrap();
        assert_eq!(hourly.kind, MonitorKind::DataQuality);
        assert_eq!(hourly.variant.as_deref(), Some("AllTraffic"));
        assert_eq!(
            hourly.capture,
            Path::new("/etc/driftmon/driftmon-demo/capture")
        );
        assert_eq!(hourly.drift.psi_threshold, 0.2);
        assert_eq!(hourly.policy.consecutive_windows, 2);
        assert_eq!(
            hourly.policy.check_types,
            Some(["baseline_drift_check".to_string()].into())
        );
        assert!(hourly.policy.ignore_features.contains("score"));
        assert_eq!(hourly.policy.pipeline_cooldown_ms, Some(86_400_000));
        assert_eq!(hourly.policy.webhook_cooldown_ms, Some(3_600_000));
        assert_eq!(hourly.policy.email_cooldown_ms, None);
        assert_eq!(hourly.max_catch_up, 24);
        assert_eq!(hourly.lease_ms, 3_600_000);
        let at = parse_timestamp_ms("2022-04-18T01:00:00Z").unwrap();
        let w = hourly.timing.window_at(at).unwrap();
        assert_eq!(w.start_ms, at - 3_600_000);
        assert_eq!(
            hourly.output_location(&w),
            Path::new(
                "/etc/driftmon/driftmon-demo/monitoring/credit-risk/credit-risk-data-quality/2022/04/18/01"
            )
        );
        let p = hourly.actions.pipeline.as_ref().unwrap();
        let params = p.parameters_for(&ActionContext {
            monitor: &hourly.name,
            endpoint: &hourly.endpoint,
            episode_id: "credit-risk-data-quality@2022-04-18T00:00:00Z",
            window: w,
            output: "out/x",
        });
        assert!(params.contains(&("WindowStart".into(), "2022-04-18T00:00:00Z".into())));
        assert!(params.contains(&("Endpoint".into(), "credit-risk".into())));
        assert!(params.contains(&("Report".into(), "out/x".into())));

        let quarter = cfg.monitor("credit-risk-quarter-hourly").unwrap();
        assert_eq!(quarter.timing.schedule.rate_ms(), Some(900_000));
        assert_eq!(quarter.timing.offsets.end_ms, Some(-300_000));
        assert_eq!(quarter.max_catch_up, 8);
        assert_eq!(quarter.policy.consecutive_windows, 4);
        assert_eq!(quarter.policy.clean_windows_to_close, 3);
        assert!(quarter.policy.alert_on_failure);
        let at = parse_timestamp_ms("2026-11-21T10:15:00Z").unwrap();
        let w = quarter.timing.window_at(at).unwrap();
        assert_eq!(
            (
                format_timestamp_ms(w.start_ms),
                format_timestamp_ms(w.end_ms)
            ),
            ("2026-11-21T09:55:00Z".into(), "2026-11-21T10:10:00Z".into())
        );
        assert_eq!(
            quarter.output_location(&w),
            Path::new("s3://my-monitoring-bucket/driftmon/credit-risk/credit-risk-quarter-hourly/2026/11/21/10/15")
        );
        let e = quarter.actions.email.as_ref().unwrap();
        assert_eq!(
            (e.smtp_port, e.tls, e.password.is_none()),
            (1025, SmtpTls::None, true)
        );
        assert_eq!(e.cooldown_ms, 7_200_000);
    }

    #[test]
    fn minimal_config_takes_defaults() {
        let cfg = check(MINIMAL).unwrap();
        let m = &cfg.monitors[0];
        assert_eq!(m.policy, Policy::default());
        assert_eq!(m.drift, DriftConfig::default());
        assert_eq!(m.actions, Actions::default());
        assert_eq!(m.retry.attempts, 3);
        assert_eq!(m.retry.backoff_before(1), Duration::ZERO);
        assert_eq!(m.retry.backoff_before(2), Duration::from_secs(30));
        assert_eq!(m.retry.backoff_before(3), Duration::from_secs(60));
        assert_eq!(m.retry.backoff_before(40), Duration::from_secs(600));
        assert_eq!(cfg.server.listen.port(), 9464);
    }

    #[test]
    fn reports_every_error_at_once() {
        let text = r#"
[server]
listen = "localhost"
shutdown_grace_seconds = 99999

[defaults]
schedule = "cron(0 * * * *)"
max_catch_up = 0

[[monitor]]
name = "bad_name"
kind = "data-quality"
endpoint = "ep"
capture = "cap"
output = "s3:///x"
schedule = "rate(15 minute)"
start_offset = "PT1H"
consecutive = 3

[monitor.policy]
consecutive_windows = 0
check_types = ["drift"]

[monitor.actions.webhook]
url = "ftp://x"
token_env = "NOPE"

[[monitor]]
name = "ok-name"
endpoint = "ep"
capture = "cap"
baseline = "b"
output = "out"
max_catch_up = "many"
workers = -1

[[monitor]]
name = "ok-name"
kind = "model_quality"
endpoint = "ep"
capture = "cap"
output = "out"
schedule = "rate(1 hour)"
problem_type = "Regression"

[monitor.actions.email]
to = "not-an-address"
from = "a@b"
smtp_host = "h"
username = "u"
tls = "none"
"#;
        let e = errors(text);
        for needle in [
            "server.listen: `localhost` is not a socket address",
            "server.shutdown_grace_seconds: 99999 is more than an hour",
            "defaults.schedule: cron needs 6 fields",
            "defaults.max_catch_up: 0 must be 1–10000",
            "monitor[0].consecutive: unknown key (expected one of: name, kind,",
            "monitor[0].name: `bad_name`: names are 1–63 letters",
            "monitor[0].kind: `data-quality` is not one of data_quality, model_quality",
            "monitor[0]: missing key `baseline`",
            "monitor[0].output: `s3:///x` has no bucket name",
            "monitor[0].schedule: rate: write `rate(15 minutes)`",
            "monitor[0].start_offset: start offset: `PT1H` is positive",
            "monitor[0].policy.consecutive_windows: must be at least 1",
            "monitor[0].policy.check_types[0]: `drift` is not a data quality check type",
            "monitor[0].actions.webhook.url: `ftp://x` is not an http:// or https:// URL",
            "monitor[0].actions.webhook.token_env: environment variable NOPE is not set",
            "monitor[1].max_catch_up: invalid type",
            "monitor[1].workers: invalid value",
            "monitor[2].name: `ok-name` is already the name of monitor[1]",
            "monitor[2]: missing key `ground_truth`",
            "monitor[2]: Regression needs `inference_attribute`",
            "monitor[2].actions.email.to[0]: `not-an-address` is not an e-mail address",
            "monitor[2].actions.email: `username` is set but no `password_env` or `password_file`",
            "monitor[2].actions.email.tls: refusing to send a password over plain text",
        ] {
            assert!(has(&e, needle), "missing `{needle}` in:\n{}", e.join("\n"));
        }
        // The inherited (bad) default schedule is reported once, at defaults.schedule.
        assert_eq!(
            e.iter()
                .filter(|x| x.contains("cron needs 6 fields"))
                .count(),
            1
        );
        // monitor[1] inherits the bad schedule: no schedule error of its own, and no
        // "missing schedule" either (the default exists but is invalid).
        assert!(!has(&e, "monitor[1].schedule") && !has(&e, "monitor[1]: missing key `schedule`"));
        // The whole report renders one problem per line.
        let all = check(text).unwrap_err().to_string();
        assert_eq!(all.lines().count(), e.len());
    }

    #[test]
    fn unknown_keys_are_rejected_everywhere() {
        let text = format!(
            "{MINIMAL}
schedul = \"x\"
[monitor.drift]
psi_treshold = 0.3
[monitor.actions.email]
to = \"a@b\"
from = \"a@b\"
smtp_host = \"h\"
smtp_server = \"h\"
[monitor.actions.slack]
url = \"https://x\"
[serverr]
listen = \"x\"
"
        );
        let e = errors(&text);
        for needle in [
            "monitor[0].schedul: unknown key; did you mean `schedule`?",
            "monitor[0].drift.psi_treshold: unknown key; did you mean `psi_threshold`?",
            "monitor[0].actions.email.smtp_server: unknown key",
            "monitor[0].actions.slack: unknown key (expected one of: pipeline, email, webhook)",
            "serverr: unknown key (expected one of: server, defaults, monitor)",
        ] {
            assert!(has(&e, needle), "missing `{needle}` in:\n{}", e.join("\n"));
        }
        assert_eq!(e.len(), 5, "{}", e.join("\n"));
        assert!(has(
            &errors("[[monitors]]\nname = \"x\"\n"),
            "did you mean `[[monitor]]`?"
        ));
        assert!(has(&errors("monitor = 3\n"), "expected an array of tables"));
        assert!(has(&errors(""), "no [[monitor]] is configured"));
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let e = check("[server]\nlisten = \n").unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert!(e.0[0].path.starts_with("line 2"), "{e}");
    }

    #[test]
    fn secrets_are_read_and_never_shown() {
        let dir = std::env::temp_dir().join(format!("driftmon-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("token"), "tok-FILE-secret\n").unwrap();
        let text = format!(
            "{MINIMAL}
[monitor.actions.email]
to = [\"a@example.com\", \"Ops <ops@example.com>\"]
from = \"d@example.com\"
smtp_host = \"smtp.example.com\"
username = \"u\"
password_env = \"SMTP_PW\"
[monitor.actions.webhook]
url = \"https://hooks.example.com/x\"
token_file = \"token\"
"
        );
        let env = |k: &str| (k == "SMTP_PW").then(|| "hunter2-ENV-secret".to_string());
        let cfg = parse(
            &text,
            &ValidateContext {
                base_dir: Some(&dir),
                env: &env,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let m = &cfg.monitors[0];
        let email = m.actions.email.as_ref().unwrap();
        assert_eq!(
            email.password.as_ref().unwrap().expose(),
            "hunter2-ENV-secret"
        );
        assert_eq!((email.smtp_port, email.tls), (587, SmtpTls::StartTls));
        let hook = m.actions.webhook.as_ref().unwrap();
        assert_eq!(hook.token.as_ref().unwrap().expose(), "tok-FILE-secret");
        let debug = format!("{cfg:?} {:#?}", cfg.monitors);
        assert!(!debug.contains("hunter2") && !debug.contains("tok-FILE"));
        assert!(debug.contains("Secret(***)"));

        // Errors name the variable or file, not a value.
        let env2 = |_: &str| Some(String::new());
        let e = parse(
            &text.replace(
                "token_file = \"token\"",
                "token_file = \"missing\"\ntoken_env = \"X\"",
            ),
            &ValidateContext {
                base_dir: Some(&dir),
                env: &env2,
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("environment variable SMTP_PW is empty"), "{e}");
        assert!(
            e.contains("set `token_env` or `token_file`, not both"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn defaults_merge_and_actions_inherit() {
        let text = r#"
[defaults]
capture = "s3://bucket/capture"
output = "s3://bucket/out/"
schedule = "cron(0 0 ? * * *)"
[defaults.drift]
alpha = 0.01
[defaults.policy]
consecutive_windows = 3
features = ["age"]
[defaults.actions.webhook]
url = "https://x.example.com/h"

[[monitor]]
name = "a"
endpoint = "ep"
baseline = "b"
[monitor.drift]
ks = false
[monitor.policy]
clean_windows_to_close = 5

[[monitor]]
name = "b"
endpoint = "ep"
baseline = "b"
schedule = "rate(6 hours)"
[monitor.actions.email]
to = "x@y"
from = "x@y"
smtp_host = "h"
"#;
        let cfg = check(text).unwrap_or_else(|e| panic!("{e}"));
        let a = &cfg.monitors[0];
        assert_eq!(a.capture, Path::new("s3://bucket/capture"));
        assert_eq!((a.drift.alpha, a.drift.ks_enabled), (0.01, false));
        assert_eq!(
            (
                a.policy.consecutive_windows,
                a.policy.clean_windows_to_close
            ),
            (3, 5)
        );
        assert_eq!(a.policy.features, Some(["age".to_string()].into()));
        assert!(a.actions.webhook.is_some() && a.actions.email.is_none());
        let b = &cfg.monitors[1];
        assert_eq!(b.timing.schedule.as_str(), "rate(6 hours)");
        assert!(b.actions.webhook.is_none() && b.actions.email.is_some());
        assert_eq!(b.drift.alpha, 0.01);
        let w = b.timing.window_at(6 * 3_600_000).unwrap();
        assert_eq!(
            b.output_location(&w),
            Path::new("s3://bucket/out/ep/b/1970/01/01/06")
        );
    }

    #[test]
    fn model_quality_monitor() {
        let text = r#"
[[monitor]]
name = "mq"
kind = "model_quality"
endpoint = "ep"
capture = "cap"
output = "out"
ground_truth = "s3://b/gt"
schedule = "cron(0 * ? * * *)"
start_offset = "-PT2H"
end_offset = "-PT1H"
problem_type = "BinaryClassification"
probability_attribute = 0
probability_threshold = 0.7
ground_truth_attribute = "label"
[monitor.policy]
check_types = ["LessThanThreshold"]
features = ["auc"]
"#;
        let cfg = check(text).unwrap_or_else(|e| panic!("{e}"));
        let m = &cfg.monitors[0];
        let mq = m.model_quality.as_ref().unwrap();
        assert_eq!(mq.probability_attribute, Some(AttributeRef::Index(0)));
        assert_eq!(
            mq.ground_truth_attribute,
            Some(AttributeRef::Name("label".into()))
        );
        assert!(!m.extract.use_input && m.extract.use_output);
        assert_eq!(m.baseline, None);
        let bad = errors(&text.replace("LessThanThreshold", "baseline_drift_check"));
        assert!(has(&bad, "is not a model quality check type"), "{bad:?}");
        let bad = errors(&format!("{MINIMAL}problem_type = \"Regression\"\n"));
        assert!(has(
            &bad,
            "monitor[0].problem_type: only for kind = \"model_quality\""
        ));
    }

    #[test]
    fn pipeline_parameter_templates() {
        let ok = format!(
            "{MINIMAL}[monitor.actions.pipeline]\npipeline_name = \"arn:aws:sagemaker:eu-west-1:1:pipeline/p\"\n[monitor.actions.pipeline.parameters]\nA = \"{{{{literal}}}} {{monitor}}\"\n"
        );
        let cfg = check(&ok).unwrap_or_else(|e| panic!("{e}"));
        let p = cfg.monitors[0].actions.pipeline.as_ref().unwrap();
        let got = p.parameters_for(&ActionContext {
            monitor: "m",
            endpoint: "ep",
            episode_id: "e",
            window: Window {
                scheduled_ms: 0,
                start_ms: 0,
                end_ms: 0,
            },
            output: "o",
        });
        assert_eq!(got, vec![("A".to_string(), "{literal} m".to_string())]);
        let bad = format!(
            "{MINIMAL}[monitor.actions.pipeline]\npipeline_name = \"bad name\"\ncooldown = \"-PT1H\"\n[monitor.actions.pipeline.parameters]\nA = \"{{nope}}\"\n\"B C\" = \"{{monitor\"\n"
        );
        let e = errors(&bad);
        for needle in [
            "pipeline.pipeline_name: `bad name` is not a pipeline name",
            "pipeline.cooldown: `-PT1H` is negative",
            "pipeline.parameters.A: unknown placeholder `{nope}`",
            "pipeline.parameters.B C: parameter names are",
            "pipeline.parameters.B C: `{monitor` is not closed",
        ] {
            assert!(has(&e, needle), "missing `{needle}` in:\n{}", e.join("\n"));
        }
    }

    #[test]
    fn load_resolves_paths_against_the_file() {
        let dir = std::env::temp_dir().join(format!("driftmon-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("driftmon.toml");
        std::fs::write(&file, MINIMAL).unwrap();
        let cfg = load(&file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.monitors[0].capture, dir.join("cap"));
        let e = load(&dir.join("absent.toml")).unwrap_err().to_string();
        assert!(e.contains("absent.toml"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn struct_fields_probe() {
        assert_eq!(
            struct_fields::<RawServer>(),
            &["listen", "shutdown_grace_seconds"]
        );
        assert_eq!(edit_distance("schedul", "schedule"), 1);
    }
}
