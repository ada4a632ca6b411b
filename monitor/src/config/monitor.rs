//! One `[[monitor]]` table validated ([`monitor`]): identity, locations, timing, the monitor
//! type's settings, reactions and runtime, each a step with its errors at the key's TOML path.

use super::actions::*;
use super::raw::*;
use super::types::*;
use super::validate::*;
use super::*;

/// What the steps of [`monitor`] share: the monitor's TOML path, its keys that failed to decode,
/// `[defaults]`, the validation context, and a sink for errors about inherited values (those
/// were reported once, at `defaults.*`).
struct Scope<'s, 'c> {
    path: &'s str,
    bad: &'s BTreeSet<String>,
    defaults: &'s Defaults,
    ctx: &'s ValidateContext<'c>,
    quiet: Errs,
}

impl Scope<'_, '_> {
    /// The TOML path of the monitor's key `k`.
    fn key(&self, k: &str) -> String {
        join_path(self.path, k)
    }

    /// `v`; reports `missing key` unless the key failed to decode or `[defaults]` set it invalid.
    fn required(&self, k: &str, v: Option<String>, errs: &mut Errs) -> Option<String> {
        if v.is_none() && !self.bad.contains(k) && !self.defaults.invalid.contains(k) {
            errs.push(self.path, format!("missing key `{k}`"));
        }
        v
    }

    /// Where errors about a value go: `errs` if the monitor set it, the quiet sink if inherited.
    fn sink<'e>(&'e mut self, inherited: bool, errs: &'e mut Errs) -> &'e mut Errs {
        if inherited {
            &mut self.quiet
        } else {
            errs
        }
    }
}

/// One `[[monitor]]` table → its configuration, or `None` if it added errors; the steps below
/// run in this order, so errors keep the order of the keys' checks.
pub(super) fn monitor(
    mut raw: RawMonitor,
    bad: &BTreeSet<String>,
    path: &str,
    defaults: &Defaults,
    ctx: &ValidateContext<'_>,
    errs: &mut Errs,
) -> Option<MonitorConfig> {
    let n0 = errs.0.len();
    let mut s = Scope {
        path,
        bad,
        defaults,
        ctx,
        quiet: Errs::default(),
    };
    let (name, kind, endpoint, variant) = identity(&mut raw, &mut s, errs);
    let (capture, output, baseline) = locations(&mut raw, kind, &mut s, errs);
    let (schedule, offsets) = timing(&mut raw, &s, errs);
    let extract = extract_paths(&raw, kind, &s, errs);
    let model_quality = model_quality_settings(&mut raw, kind, &s, errs);
    let model_bias = model_bias_settings(&mut raw, kind, &s, errs);
    let (drift, policy, actions) = reactions(&mut raw, kind, &mut s, errs);
    let (max_catch_up, lease_ms, retry, workers) = runtime(&mut raw, &mut s, errs);
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
        model_bias,
        policy,
        actions,
        max_catch_up,
        lease_ms,
        retry,
        workers,
    })
}

/// Step 1 of [`monitor`]: name, monitor type, endpoint and variant.
fn identity(
    raw: &mut RawMonitor,
    s: &mut Scope<'_, '_>,
    errs: &mut Errs,
) -> (String, MonitorType, String, Option<String>) {
    let defaults = s.defaults;
    let d = &defaults.raw;
    let name = s
        .required("name", raw.name.take(), errs)
        .unwrap_or_default();
    if !name.is_empty() && !valid_aws_name(&name, 63) {
        errs.push(
            &s.key("name"),
            format!(
                "`{name}`: names are 1–63 letters, digits and hyphens, not starting or ending with \
                 a hyphen (SageMaker's schedule-name rule; the name is a folder of the output \
                 layout)"
            ),
        );
    }
    let key = |k: &str| s.key(k);
    let kind = monitor_type_of(raw.monitor_type.as_deref(), raw.kind.as_deref(), &key, errs);
    let endpoint = s
        .required("endpoint", raw.endpoint.take(), errs)
        .unwrap_or_default();
    if !endpoint.is_empty() && !valid_aws_name(&endpoint, 63) {
        errs.push(
            &s.key("endpoint"),
            format!("`{endpoint}` is not a SageMaker endpoint name"),
        );
    }
    let (variant, inherited) = pick(raw.variant.take(), &d.variant);
    if let Some(v) = &variant {
        let k = s.key("variant");
        check_variant(v, &k, s.sink(inherited, errs));
    }
    (name, kind, endpoint, variant)
}

/// Step 2 of [`monitor`]: the capture, output and baseline locations.
fn locations(
    raw: &mut RawMonitor,
    kind: MonitorType,
    s: &mut Scope<'_, '_>,
    errs: &mut Errs,
) -> (PathBuf, PathBuf, Option<PathBuf>) {
    let defaults = s.defaults;
    let d = &defaults.raw;
    let mut place = |k: &str, own: Option<String>, dflt: &Option<String>, errs: &mut Errs| {
        let (v, inherited) = pick(own, dflt);
        let v = s.required(k, v, errs)?;
        let (k, ctx) = (s.key(k), s.ctx);
        Some(location(&v, &k, ctx, s.sink(inherited, errs)))
    };
    let capture = place("capture", raw.capture.take(), &d.capture, errs).unwrap_or_default();
    let output = place("output", raw.output.take(), &d.output, errs).unwrap_or_default();
    let baseline = match raw.baseline.take() {
        Some(b) => Some(location(&b, &s.key("baseline"), s.ctx, errs)),
        None => {
            if kind == MonitorType::DataQuality && !s.bad.contains("baseline") {
                errs.push(
                    s.path,
                    "missing key `baseline` (data quality needs a baseline)",
                );
            }
            None
        }
    };
    (capture, output, baseline)
}

/// Step 3 of [`monitor`]: the schedule (`None` if missing or invalid) and the window offsets.
fn timing(
    raw: &mut RawMonitor,
    s: &Scope<'_, '_>,
    errs: &mut Errs,
) -> (Option<Schedule>, WindowOffsets) {
    let defaults = s.defaults;
    let d = &defaults.raw;
    let (schedule_text, inherited) = pick(raw.schedule.take(), &d.schedule);
    let schedule = match s.required("schedule", schedule_text, errs) {
        None => None,
        Some(text) => match Schedule::parse(&text) {
            Ok(sch) => Some(sch),
            Err(e) => {
                if !inherited {
                    errs.push(&s.key("schedule"), e.0);
                }
                None
            }
        },
    };
    let own_offsets = raw.start_offset.is_some() || raw.end_offset.is_some();
    let start = raw.start_offset.take().or_else(|| d.start_offset.clone());
    let end = raw.end_offset.take().or_else(|| d.end_offset.clone());
    let offsets = match WindowOffsets::parse(start.as_deref(), end.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            if own_offsets {
                errs.push(&s.key(offset_key(&e.0)), e.0);
            }
            WindowOffsets::default()
        }
    };
    (schedule, offsets)
}

/// Step 4 of [`monitor`]: what to read from a captured record (`input_path`, `output_path`).
fn extract_paths(
    raw: &RawMonitor,
    kind: MonitorType,
    s: &Scope<'_, '_>,
    errs: &mut Errs,
) -> ExtractConfig {
    let mut extract = ExtractConfig::default();
    if kind == MonitorType::ModelQuality {
        extract.use_input = false;
    }
    for (k, v, slot) in [
        ("input_path", &raw.input_path, &mut extract.input_path),
        ("output_path", &raw.output_path, &mut extract.output_path),
    ] {
        if let Some(text) = v {
            match JsonPath::parse(text) {
                Ok(p) => *slot = Some(p),
                Err(e) => errs.push(&s.key(k), e.to_string()),
            }
        }
    }
    extract
}

/// Step 5 of [`monitor`]: model-quality settings for a model-quality monitor; for any other
/// type, an error for each model-quality key that is set.
fn model_quality_settings(
    raw: &mut RawMonitor,
    kind: MonitorType,
    s: &Scope<'_, '_>,
    errs: &mut Errs,
) -> Option<ModelQualitySettings> {
    match kind {
        MonitorType::DataQuality | MonitorType::ModelBias | MonitorType::ModelExplainability => {
            let bias = kind == MonitorType::ModelBias;
            for (k, present) in [
                ("ground_truth", raw.ground_truth.is_some() && !bias),
                ("problem_type", raw.problem_type.is_some()),
                (
                    "inference_attribute",
                    raw.inference_attribute.is_some() && !bias,
                ),
                (
                    "probability_attribute",
                    raw.probability_attribute.is_some() && !bias,
                ),
                (
                    "probability_threshold",
                    raw.probability_threshold.is_some() && !bias,
                ),
                (
                    "ground_truth_attribute",
                    raw.ground_truth_attribute.is_some(),
                ),
            ] {
                if present {
                    errs.push(
                        &s.key(k),
                        "only for kind = \"model_quality\" (this monitor is data_quality)",
                    );
                }
            }
            None
        }
        MonitorType::ModelQuality => Some(model_quality(raw, s, errs)),
    }
}

/// Step 5 of [`monitor`] for a model-quality monitor: ground truth, problem type, attributes.
fn model_quality(raw: &mut RawMonitor, s: &Scope<'_, '_>, errs: &mut Errs) -> ModelQualitySettings {
    let gt = s
        .required("ground_truth", raw.ground_truth.take(), errs)
        .map(|g| location(&g, &s.key("ground_truth"), s.ctx, errs))
        .unwrap_or_default();
    let pt = match raw.problem_type.as_deref() {
        Some(text) => ProblemType::parse(text).unwrap_or_else(|| {
            errs.push(
                &s.key("problem_type"),
                format!(
                    "`{text}` is not one of BinaryClassification, MulticlassClassification, \
                     Regression"
                ),
            );
            ProblemType::BinaryClassification
        }),
        None => {
            if !s.bad.contains("problem_type") {
                errs.push(
                    s.path,
                    "missing key `problem_type` (model quality needs it)",
                );
            }
            ProblemType::BinaryClassification
        }
    };
    let inference = attr(raw.inference_attribute.take());
    let probability = attr(raw.probability_attribute.take());
    if let Some(t) = raw.probability_threshold {
        if !t.is_finite() {
            errs.push(&s.key("probability_threshold"), "must be a finite number");
        }
    }
    match pt {
        ProblemType::BinaryClassification => {
            if inference.is_none() && probability.is_none() {
                errs.push(
                    s.path,
                    "BinaryClassification needs `inference_attribute` or \
                     `probability_attribute`",
                );
            }
        }
        _ => {
            if inference.is_none() {
                errs.push(s.path, format!("{pt} needs `inference_attribute`"));
            }
        }
    }
    ModelQualitySettings {
        ground_truth: gt,
        problem_type: pt,
        inference_attribute: inference,
        probability_attribute: probability,
        probability_threshold: raw.probability_threshold,
        ground_truth_attribute: attr(raw.ground_truth_attribute.take()),
    }
}

/// Step 5b of [`monitor`]: the bias settings of a model-bias monitor (its
/// `analysis_config.json` read and checked when it is a local file: every problem at once,
/// with its JSON path); for any other type, an error for each bias key that is set.
fn model_bias_settings(
    raw: &mut RawMonitor,
    kind: MonitorType,
    s: &Scope<'_, '_>,
    errs: &mut Errs,
) -> Option<ModelBiasSettings> {
    if kind != MonitorType::ModelBias {
        for (k, present) in [
            ("analysis_config", raw.analysis_config.is_some()),
            ("decision_mode", raw.decision_mode.is_some()),
            ("bootstrap_resamples", raw.bootstrap_resamples.is_some()),
            ("bootstrap_seed", raw.bootstrap_seed.is_some()),
        ] {
            if present {
                errs.push(&s.key(k), "only for type = \"model-bias\"");
            }
        }
        return None;
    }
    let analysis_config = s
        .required("analysis_config", raw.analysis_config.take(), errs)
        .map(|g| location(&g, &s.key("analysis_config"), s.ctx, errs))
        .unwrap_or_default();
    if !analysis_config.as_os_str().is_empty() && !analysis_config.starts_with("s3:") {
        let key = s.key("analysis_config");
        match std::fs::read_to_string(&analysis_config) {
            Ok(text) => {
                let parsed = driftmon_rules::clarify::AnalysisConfig::from_json_str(&text)
                    .and_then(|c| driftmon_rules::bias::BiasSpec::from_config(&c));
                if let Err(e) = parsed {
                    for p in e.0 {
                        errs.push(&key, format!("{}: {}", p.path, p.message));
                    }
                }
            }
            Err(e) => errs.push(&key, format!("{}: {e}", analysis_config.display())),
        }
    }
    let ground_truth = s
        .required("ground_truth", raw.ground_truth.take(), errs)
        .map(|g| location(&g, &s.key("ground_truth"), s.ctx, errs))
        .unwrap_or_default();
    let mut drift = driftmon_rules::bias::DriftParams::default();
    if let Some(m) = raw.decision_mode.as_deref() {
        match crate::monitors::model_bias::parse_decision_mode(m) {
            Some(d) => drift.mode = d,
            None => errs.push(
                &s.key("decision_mode"),
                format!("`{m}` is not one of point, bootstrap"),
            ),
        }
    }
    if let Some(n) = raw.bootstrap_resamples {
        if !(2..=100_000).contains(&n) {
            errs.push(&s.key("bootstrap_resamples"), "must be 2 to 100000");
        }
        drift.resamples = n.clamp(2, 100_000) as usize;
    }
    if let Some(seed) = raw.bootstrap_seed {
        drift.seed = seed;
    }
    if let Some(t) = raw.probability_threshold {
        if !t.is_finite() {
            errs.push(&s.key("probability_threshold"), "must be a finite number");
        }
    }
    let text = |a: Option<RawAttr>| attr(a).map(|a| a.to_string());
    Some(ModelBiasSettings {
        analysis_config,
        ground_truth,
        inference_attribute: text(raw.inference_attribute.take()),
        probability_attribute: text(raw.probability_attribute.take()),
        probability_threshold: raw.probability_threshold,
        drift,
    })
}

/// Step 6 of [`monitor`]: drift settings, alerting policy and actions (each merged over
/// `[defaults]`); the policy gets the actions' cooldowns.
fn reactions(
    raw: &mut RawMonitor,
    kind: MonitorType,
    s: &mut Scope<'_, '_>,
    errs: &mut Errs,
) -> (DriftConfig, Policy, Actions) {
    let defaults = s.defaults;
    let drift = match raw.drift.take() {
        Some(v) => {
            let (m, _): (RawDrift, _) = decode(v, &s.key("drift"), errs);
            drift_config(&merge_drift(&defaults.drift, &m), &s.key("drift"), errs)
        }
        None => drift_config(&defaults.drift, "defaults.drift", &mut s.quiet),
    };
    let mut pol = match raw.policy.take() {
        Some(v) => {
            let (m, _): (RawPolicy, _) = decode(v, &s.key("policy"), errs);
            policy_of(
                &merge_policy(&defaults.policy, &m),
                Some(kind),
                &s.key("policy"),
                errs,
            )
        }
        None => policy_of(&defaults.policy, None, "defaults.policy", &mut s.quiet),
    };
    let acts = match (raw.actions.take(), &defaults.actions) {
        (Some(v), _) => actions(v, &s.key("actions"), s.ctx, errs),
        (None, Some(v)) => actions(v.clone(), "defaults.actions", s.ctx, &mut s.quiet),
        (None, None) => Actions::default(),
    };
    pol.pipeline_cooldown_ms = acts.pipeline.as_ref().map(|a| a.cooldown_ms);
    pol.email_cooldown_ms = acts.email.as_ref().map(|a| a.cooldown_ms);
    pol.webhook_cooldown_ms = acts.webhook.as_ref().map(|a| a.cooldown_ms);
    (drift, pol, acts)
}

/// Step 7 of [`monitor`]: catch-up limit, lease, retries and workers.
fn runtime(
    raw: &mut RawMonitor,
    s: &mut Scope<'_, '_>,
    errs: &mut Errs,
) -> (usize, i64, RetrySettings, usize) {
    let defaults = s.defaults;
    let d = &defaults.raw;
    let max_catch_up = match raw.max_catch_up {
        Some(n) => {
            check_catch_up(n, &s.key("max_catch_up"), errs);
            n
        }
        None => d.max_catch_up.unwrap_or(24),
    };
    let attempts = match raw.retry_attempts {
        Some(n) => {
            check_attempts(n, &s.key("retry_attempts"), errs);
            n
        }
        None => d.retry_attempts.unwrap_or(3),
    };
    let workers = match raw.workers {
        Some(n) => {
            check_workers(n, &s.key("workers"), errs);
            n
        }
        None => d.workers.unwrap_or(0),
    };
    let mut dur = |k: &str, own: Option<String>, dflt: &Option<String>, def: i64, min: i64| {
        let (v, inherited) = pick(own, dflt);
        let k = s.key(k);
        duration_ms(v.as_deref(), def, min, &k, s.sink(inherited, errs))
    };
    let lease_ms = dur("lease", raw.lease.take(), &d.lease, 3_600_000, LEASE_MIN_MS);
    let backoff = dur(
        "retry_backoff",
        raw.retry_backoff.take(),
        &d.retry_backoff,
        30_000,
        0,
    );
    let max_backoff = dur(
        "retry_max_backoff",
        raw.retry_max_backoff.take(),
        &d.retry_max_backoff,
        600_000,
        0,
    );
    let retry = RetrySettings {
        attempts: attempts.max(1),
        backoff: Duration::from_millis(u64::try_from(backoff).unwrap_or(0)),
        max_backoff: Duration::from_millis(u64::try_from(max_backoff).unwrap_or(0)),
    };
    (
        usize::try_from(max_catch_up).unwrap_or(usize::MAX),
        lease_ms,
        retry,
        usize::try_from(workers).unwrap_or(usize::MAX),
    )
}
