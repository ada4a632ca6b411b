//! Raw configuration → validated configuration: every problem collected with its TOML path.

use super::actions::*;
use super::monitor::monitor;
use super::raw::*;
use super::types::*;
use super::*;

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

pub(super) const TOP_KEYS: [&str; 3] = ["server", "defaults", "monitor"];

/// `[defaults]` after its own validation: values that were invalid are reported once, at
/// `defaults.*`, and dropped, so that monitors inheriting them do not report them again.
#[derive(Default)]
pub(super) struct Defaults {
    pub(super) raw: RawDefaults,
    /// Keys of `[defaults]` that were set but invalid (monitors relying on them do not report
    /// them missing).
    pub(super) invalid: BTreeSet<&'static str>,
    pub(super) drift: RawDrift,
    pub(super) policy: RawPolicy,
    pub(super) actions: Option<Value>,
}

pub(super) fn check_defaults(
    raw: RawDefaults,
    ctx: &ValidateContext<'_>,
    errs: &mut Errs,
) -> Defaults {
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

pub(super) fn validate(
    mut table: Table,
    ctx: &ValidateContext<'_>,
    errs: &mut Errs,
) -> ValidatedConfig {
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

pub(super) const LEASE_MIN_MS: i64 = 10_000;

pub(super) fn offset_key(msg: &str) -> &'static str {
    if msg.starts_with("end offset") {
        "end_offset"
    } else {
        "start_offset"
    }
}

pub(super) fn check_schedule(s: &str, path: &str, errs: &mut Errs) {
    if let Err(e) = Schedule::parse(s) {
        errs.push(path, e.0);
    }
}

pub(super) fn check_variant(v: &str, path: &str, errs: &mut Errs) {
    if !valid_aws_name(v, 63) {
        errs.push(path, format!("`{v}` is not a variant name"));
    }
}

pub(super) fn check_catch_up(n: u64, path: &str, errs: &mut Errs) {
    if n == 0 || n > 10_000 {
        errs.push(path, format!("{n} must be 1–10000"));
    }
}

pub(super) fn check_attempts(n: u32, path: &str, errs: &mut Errs) {
    if n == 0 || n > 100 {
        errs.push(path, format!("{n} must be 1–100"));
    }
}

pub(super) fn check_workers(n: u64, path: &str, errs: &mut Errs) {
    if n > 1024 {
        errs.push(path, format!("{n} must be at most 1024"));
    }
}

pub(super) fn valid_aws_name(s: &str, max: usize) -> bool {
    // ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,max-1}
    !s.is_empty()
        && s.len() <= max
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub(super) fn location(s: &str, path: &str, ctx: &ValidateContext<'_>, errs: &mut Errs) -> PathBuf {
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

pub(super) fn merge_drift(d: &RawDrift, m: &RawDrift) -> RawDrift {
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

pub(super) fn drift_config(r: &RawDrift, path: &str, errs: &mut Errs) -> DriftConfig {
    let mut d = DriftConfig::default();
    let set = |slot: &mut f64, v: Option<f64>| {
        if let Some(x) = v {
            *slot = x;
        }
    };
    set(&mut d.psi_threshold, r.psi_threshold);
    set(&mut d.psi_epsilon, r.psi_epsilon);
    set(&mut d.ks_threshold, r.ks_threshold);
    set(&mut d.cramers_v_threshold, r.cramers_v_threshold);
    set(&mut d.alpha, r.alpha);
    if let Some(b) = r.psi_bins {
        d.psi_bins = usize::try_from(b).unwrap_or(usize::MAX);
    }
    d.psi_enabled = r.psi.unwrap_or(d.psi_enabled);
    d.ks_enabled = r.ks.unwrap_or(d.ks_enabled);
    d.chi_square_enabled = r.chi_square.unwrap_or(d.chi_square_enabled);
    // The one validation of drift settings, shared with the CLI (rules::config).
    for p in d.validate() {
        errs.push(&join_path(path, p.field.unwrap_or("")), p.message);
    }
    if let Some(c) = &r.correction {
        match driftmon_rules::config::parse_correction(c) {
            Ok(c) => d.correction = c,
            Err(p) => errs.push(&join_path(path, "correction"), p.message),
        }
    }
    d
}

pub(super) const MODEL_QUALITY_CHECKS: [&str; 4] = [
    "GreaterThanThreshold",
    "LessThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanOrEqualToThreshold",
];

pub(super) fn merge_policy(d: &RawPolicy, m: &RawPolicy) -> RawPolicy {
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

/// The monitor type of `type = "…"` (SageMaker's names: `data-quality`, `model-quality`, …) or
/// of the older `kind = "data_quality" | "model_quality"`.
pub(super) fn monitor_type_of(
    new: Option<&str>,
    legacy: Option<&str>,
    key: &dyn Fn(&str) -> String,
    errs: &mut Errs,
) -> MonitorType {
    let names = || {
        MonitorType::ALL
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (new, legacy) {
        (Some(_), Some(_)) => {
            errs.push(
                &key("kind"),
                "`kind` is the older spelling of `type`: set only `type`".to_owned(),
            );
            MonitorType::DataQuality
        }
        (Some(t), None) => match MonitorType::parse(t) {
            Some(
                m @ (MonitorType::DataQuality | MonitorType::ModelQuality | MonitorType::ModelBias),
            ) => m,
            Some(m) => {
                errs.push(&key("type"), format!("`{t}`: {}", m.unavailable()));
                MonitorType::DataQuality
            }
            None => {
                errs.push(&key("type"), format!("`{t}` is not one of {}", names()));
                MonitorType::DataQuality
            }
        },
        (None, None) | (None, Some("data_quality")) => MonitorType::DataQuality,
        (None, Some("model_quality")) => MonitorType::ModelQuality,
        (None, Some(o)) => {
            errs.push(
                &key("kind"),
                format!("`{o}` is not one of data_quality, model_quality"),
            );
            MonitorType::DataQuality
        }
    }
}

pub(super) fn policy_of(
    r: &RawPolicy,
    kind: Option<MonitorType>,
    path: &str,
    errs: &mut Errs,
) -> Policy {
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
            Some(MonitorType::ModelQuality) => MODEL_QUALITY_CHECKS.to_vec(),
            Some(MonitorType::ModelBias) => vec!["bias_drift_check"],
            Some(_) => dq(),
            None => {
                let mut v = dq();
                v.extend(MODEL_QUALITY_CHECKS);
                v.push("bias_drift_check");
                v
            }
        };
        let kind_name = kind.map_or("known", |k| match k {
            MonitorType::ModelQuality => "model quality",
            MonitorType::ModelBias => "model bias",
            _ => "data quality",
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

pub(super) fn attr(a: Option<RawAttr>) -> Option<AttributeRef> {
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
pub(super) fn pick<T: Clone>(own: Option<T>, default: &Option<T>) -> (Option<T>, bool) {
    match own {
        Some(v) => (Some(v), false),
        None => (default.clone(), default.is_some()),
    }
}

pub(super) fn duration_ms(
    s: Option<&str>,
    default_ms: i64,
    min_ms: i64,
    path: &str,
    errs: &mut Errs,
) -> i64 {
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
