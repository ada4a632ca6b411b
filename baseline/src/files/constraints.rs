//! `constraints.json`: the typed model of the feature constraints and model-quality metric
//! constraints, the `monitoring_config` with its per-feature overrides, and their resolution
//! into one [`ResolvedMonitoringConfig`] per feature (defaults as the AWS analyzer applies them),
//! with [`Constraints::validate`] for hand-edited files.

use super::error::FilesError;
use super::lenient::{lenient_f64, lenient_opt_f64};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// A `constraints.json`: data-quality feature constraints and/or
/// model-quality metric constraints.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Constraints {
    /// Format version; real files write `0.0`. Defaults to `0.0` when absent.
    #[serde(default, with = "lenient_f64")]
    pub version: f64,
    /// Per-column constraints (data quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<FeatureConstraints>>,
    /// Global monitoring configuration (data quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_config: Option<MonitoringConfig>,
    /// Binary classification metric constraints (model quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_classification_constraints: Option<MetricConstraints>,
    /// Multiclass classification metric constraints (model quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiclass_classification_constraints: Option<MetricConstraints>,
    /// Regression metric constraints (model quality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression_constraints: Option<MetricConstraints>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Constraints of one column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FeatureConstraints {
    /// Column name.
    pub name: String,
    /// Expected type: `Integral`, `Fractional`, `String` or `Unknown`.
    pub inferred_type: String,
    /// Minimum share of non-missing values.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub completeness: Option<f64>,
    /// Numeric constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_constraints: Option<NumConstraints>,
    /// String constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_constraints: Option<StringConstraints>,
    /// Feature-level overrides written in snake_case (`monitoring_config_overrides`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_config_overrides: Option<MonitoringConfigOverrides>,
    /// Feature-level overrides written in camelCase (`monitoringConfigOverrides`,
    /// the spelling of the AWS docs).
    #[serde(
        default,
        rename = "monitoringConfigOverrides",
        skip_serializing_if = "Option::is_none"
    )]
    pub monitoring_config_overrides_camel: Option<MonitoringConfigOverrides>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `num_constraints` block of a feature.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NumConstraints {
    /// Suggested `true` when the baseline minimum is ≥ 0 (no check is documented for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_non_negative: Option<bool>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `string_constraints` block of a feature.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StringConstraints {
    /// The allowed values (`categorical_values_check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Overrides in snake_case, as the SDK's `Constraints.set_monitoring` writes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_config_overrides: Option<MonitoringConfigOverrides>,
    /// Overrides in camelCase (`monitoringConfigOverrides`).
    #[serde(
        default,
        rename = "monitoringConfigOverrides",
        skip_serializing_if = "Option::is_none"
    )]
    pub monitoring_config_overrides_camel: Option<MonitoringConfigOverrides>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The global `monitoring_config` block. Absent knobs take the defaults listed
/// on [`ResolvedMonitoringConfig`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitoringConfig {
    /// `Enabled` or `Disabled`: whether constraints are checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluate_constraints: Option<String>,
    /// `Enabled` or `Disabled`: whether CloudWatch metrics are emitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit_metrics: Option<String>,
    /// Minimum share of values that must have the baseline type.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub datatype_check_threshold: Option<f64>,
    /// Minimum share of string values that must be in the domain.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub domain_content_threshold: Option<f64>,
    /// Drift check settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_constraints: Option<DistributionConstraints>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `distribution_constraints` block (baseline drift check).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DistributionConstraints {
    /// `Enabled` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perform_comparison: Option<String>,
    /// Numeric drift threshold.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub comparison_threshold: Option<f64>,
    /// `Simple` or `Robust`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_method: Option<String>,
    /// Drift threshold for string columns.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub categorical_comparison_threshold: Option<f64>,
    /// `LInfinity` or `ChiSquared`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical_drift_method: Option<String>,
    /// Legacy switch (SDK test data); `false` means `perform_comparison` `Disabled`
    /// unless `perform_comparison` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_comparisons: Option<bool>,
    /// Legacy key (SDK test data) with undocumented meaning; kept but not used.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_domain_mass: Option<f64>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Per-feature overrides of the global monitoring configuration. Every knob is
/// optional; absent knobs keep the global value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitoringConfigOverrides {
    /// `Enabled` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluate_constraints: Option<String>,
    /// `Enabled` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit_metrics: Option<String>,
    /// Minimum share of values that must have the baseline type.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub datatype_check_threshold: Option<f64>,
    /// Minimum share of string values that must be in the domain.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub domain_content_threshold: Option<f64>,
    /// `Enabled` or `Disabled` (drift check for this feature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perform_comparison: Option<String>,
    /// Numeric drift threshold.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub comparison_threshold: Option<f64>,
    /// `Simple` or `Robust`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_method: Option<String>,
    /// Drift threshold for string columns.
    #[serde(
        default,
        with = "lenient_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub categorical_comparison_threshold: Option<f64>,
    /// `LInfinity` or `ChiSquared`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical_drift_method: Option<String>,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One model-quality metric constraint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MetricConstraint {
    /// The threshold.
    #[serde(with = "lenient_f64")]
    pub threshold: f64,
    /// e.g. `GreaterThanThreshold`, `LessThanThreshold`; a violation is raised
    /// when `value <operator> threshold` holds.
    pub comparison_operator: String,
    /// Unknown keys, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Metric name → constraint, in file order (serialized as a JSON object).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricConstraints(pub Vec<(String, MetricConstraint)>);

impl MetricConstraints {
    /// The constraint of `metric`, if any (the first one if repeated).
    pub fn get(&self, metric: &str) -> Option<&MetricConstraint> {
        self.0.iter().find(|(k, _)| k == metric).map(|(_, c)| c)
    }

    /// Iterates over `(metric, constraint)` in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &MetricConstraint)> {
        self.0.iter().map(|(k, c)| (k.as_str(), c))
    }

    /// Number of metrics.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when there are no metrics.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for MetricConstraints {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for MetricConstraints {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MetricConstraints;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of metric name -> {threshold, comparison_operator}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((k, v)) = map.next_entry::<String, MetricConstraint>()? {
                    out.push((k, v));
                }
                Ok(MetricConstraints(out))
            }
        }
        deserializer.deserialize_map(V)
    }
}

// ---------------------------------------------------------------------------
// Resolved configuration
// ---------------------------------------------------------------------------

/// `comparison_method` of the numeric drift check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonMethod {
    /// The plain L-infinity (KS) distance.
    Simple,
    /// The distance minus the KS critical value (default).
    Robust,
}

/// `categorical_drift_method` of the string drift check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoricalDriftMethod {
    /// L-infinity distance between the category frequencies (default).
    LInfinity,
    /// Pearson chi-squared goodness-of-fit.
    ChiSquared,
}

const TOGGLE_VALUES: &str = "\"Enabled\" or \"Disabled\"";
const METHOD_VALUES: &str = "\"Simple\" or \"Robust\"";
const DRIFT_VALUES: &str = "\"LInfinity\" or \"ChiSquared\"";

fn parse_toggle(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("enabled") {
        Some(true)
    } else if s.eq_ignore_ascii_case("disabled") {
        Some(false)
    } else {
        None
    }
}

impl ComparisonMethod {
    /// Parses `Simple` / `Robust` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("simple") {
            Some(ComparisonMethod::Simple)
        } else if s.eq_ignore_ascii_case("robust") {
            Some(ComparisonMethod::Robust)
        } else {
            None
        }
    }

    /// The spelling used in constraints.json.
    pub fn as_str(self) -> &'static str {
        match self {
            ComparisonMethod::Simple => "Simple",
            ComparisonMethod::Robust => "Robust",
        }
    }
}

impl CategoricalDriftMethod {
    /// Parses `LInfinity` / `ChiSquared` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("linfinity") {
            Some(CategoricalDriftMethod::LInfinity)
        } else if s.eq_ignore_ascii_case("chisquared") {
            Some(CategoricalDriftMethod::ChiSquared)
        } else {
            None
        }
    }

    /// The spelling used in constraints.json.
    pub fn as_str(self) -> &'static str {
        match self {
            CategoricalDriftMethod::LInfinity => "LInfinity",
            CategoricalDriftMethod::ChiSquared => "ChiSquared",
        }
    }
}

/// Effective monitoring configuration, with every default applied.
///
/// Defaults ([`Default`]): `evaluate_constraints` Enabled, `emit_metrics`
/// Enabled, `datatype_check_threshold` 1.0, `domain_content_threshold` 1.0,
/// `perform_comparison` Enabled, `comparison_threshold` 0.1,
/// `comparison_method` Robust, `categorical_comparison_threshold` 0.1,
/// `categorical_drift_method` LInfinity. Unrecognised strings resolve to the
/// default (use [`Constraints::validate`] to reject them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResolvedMonitoringConfig {
    /// Whether constraints are checked.
    pub evaluate_constraints: bool,
    /// Whether CloudWatch metrics are emitted.
    pub emit_metrics: bool,
    /// Minimum share of values with the baseline type.
    pub datatype_check_threshold: f64,
    /// Minimum share of string values in the domain.
    pub domain_content_threshold: f64,
    /// Whether the baseline drift check runs.
    pub perform_comparison: bool,
    /// Numeric drift threshold.
    pub comparison_threshold: f64,
    /// Numeric drift method.
    pub comparison_method: ComparisonMethod,
    /// String drift threshold.
    pub categorical_comparison_threshold: f64,
    /// String drift method.
    pub categorical_drift_method: CategoricalDriftMethod,
}

impl Default for ResolvedMonitoringConfig {
    fn default() -> Self {
        ResolvedMonitoringConfig {
            evaluate_constraints: true,
            emit_metrics: true,
            datatype_check_threshold: 1.0,
            domain_content_threshold: 1.0,
            perform_comparison: true,
            comparison_threshold: 0.1,
            comparison_method: ComparisonMethod::Robust,
            categorical_comparison_threshold: 0.1,
            categorical_drift_method: CategoricalDriftMethod::LInfinity,
        }
    }
}

impl MonitoringConfig {
    /// The effective global configuration (defaults for absent knobs; legacy
    /// `enable_comparisons` is honoured when `perform_comparison` is absent).
    pub fn resolved(&self) -> ResolvedMonitoringConfig {
        let mut r = ResolvedMonitoringConfig::default();
        set_toggle(&mut r.evaluate_constraints, &self.evaluate_constraints);
        set_toggle(&mut r.emit_metrics, &self.emit_metrics);
        set_f64(
            &mut r.datatype_check_threshold,
            self.datatype_check_threshold,
        );
        set_f64(
            &mut r.domain_content_threshold,
            self.domain_content_threshold,
        );
        if let Some(d) = &self.distribution_constraints {
            match (&d.perform_comparison, d.enable_comparisons) {
                (Some(s), _) => set_toggle(&mut r.perform_comparison, &Some(s.clone())),
                (None, Some(b)) => r.perform_comparison = b,
                (None, None) => {}
            }
            set_f64(&mut r.comparison_threshold, d.comparison_threshold);
            set_method(&mut r.comparison_method, &d.comparison_method);
            // Files written before the categorical keys existed have one threshold for every
            // feature: it then applies to String features too.
            set_f64(
                &mut r.categorical_comparison_threshold,
                d.categorical_comparison_threshold
                    .or(d.comparison_threshold),
            );
            set_drift(&mut r.categorical_drift_method, &d.categorical_drift_method);
        }
        r
    }
}

impl MonitoringConfigOverrides {
    /// Applies every knob present here on top of `base`.
    pub fn apply_to(&self, base: &mut ResolvedMonitoringConfig) {
        set_toggle(&mut base.evaluate_constraints, &self.evaluate_constraints);
        set_toggle(&mut base.emit_metrics, &self.emit_metrics);
        set_f64(
            &mut base.datatype_check_threshold,
            self.datatype_check_threshold,
        );
        set_f64(
            &mut base.domain_content_threshold,
            self.domain_content_threshold,
        );
        set_toggle(&mut base.perform_comparison, &self.perform_comparison);
        set_f64(&mut base.comparison_threshold, self.comparison_threshold);
        set_method(&mut base.comparison_method, &self.comparison_method);
        set_f64(
            &mut base.categorical_comparison_threshold,
            self.categorical_comparison_threshold,
        );
        set_drift(
            &mut base.categorical_drift_method,
            &self.categorical_drift_method,
        );
    }
}

fn set_toggle(slot: &mut bool, v: &Option<String>) {
    if let Some(b) = v.as_deref().and_then(parse_toggle) {
        *slot = b;
    }
}

fn set_f64(slot: &mut f64, v: Option<f64>) {
    if let Some(x) = v {
        *slot = x;
    }
}

fn set_method(slot: &mut ComparisonMethod, v: &Option<String>) {
    if let Some(m) = v.as_deref().and_then(ComparisonMethod::parse) {
        *slot = m;
    }
}

fn set_drift(slot: &mut CategoricalDriftMethod, v: &Option<String>) {
    if let Some(m) = v.as_deref().and_then(CategoricalDriftMethod::parse) {
        *slot = m;
    }
}

impl FeatureConstraints {
    /// Every override block of this feature, highest precedence first:
    /// feature-level `monitoringConfigOverrides`, feature-level
    /// `monitoring_config_overrides`, `string_constraints.monitoring_config_overrides`,
    /// `string_constraints.monitoringConfigOverrides`.
    pub fn all_overrides(&self) -> Vec<&MonitoringConfigOverrides> {
        let sc = self.string_constraints.as_ref();
        [
            self.monitoring_config_overrides_camel.as_ref(),
            self.monitoring_config_overrides.as_ref(),
            sc.and_then(|s| s.monitoring_config_overrides.as_ref()),
            sc.and_then(|s| s.monitoring_config_overrides_camel.as_ref()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The highest-precedence override block of this feature (see
    /// [`FeatureConstraints::all_overrides`]), accepting both spellings at both
    /// places.
    pub fn overrides(&self) -> Option<&MonitoringConfigOverrides> {
        self.all_overrides().into_iter().next()
    }
}

/// The effective configuration for one feature: defaults, then the global
/// `monitoring_config` (if any), then the feature's override blocks (a knob set
/// in a higher-precedence block wins; see [`FeatureConstraints::all_overrides`]).
pub fn resolve_feature_config(
    global: Option<&MonitoringConfig>,
    feature: &FeatureConstraints,
) -> ResolvedMonitoringConfig {
    let mut r = global.map(MonitoringConfig::resolved).unwrap_or_default();
    for o in feature.all_overrides().into_iter().rev() {
        o.apply_to(&mut r);
    }
    r
}

impl Constraints {
    /// The effective global configuration (all defaults when there is no
    /// `monitoring_config`).
    pub fn resolved(&self) -> ResolvedMonitoringConfig {
        self.monitoring_config
            .as_ref()
            .map(MonitoringConfig::resolved)
            .unwrap_or_default()
    }

    /// The effective configuration for `feature` (see [`resolve_feature_config`]).
    pub fn resolved_for(&self, feature: &FeatureConstraints) -> ResolvedMonitoringConfig {
        resolve_feature_config(self.monitoring_config.as_ref(), feature)
    }

    /// The feature constraints named `name`, if any.
    pub fn feature(&self, name: &str) -> Option<&FeatureConstraints> {
        self.features.as_ref()?.iter().find(|f| f.name == name)
    }

    /// Checks that every `Enabled`/`Disabled`, `comparison_method` and
    /// `categorical_drift_method` string (globally and in every override block)
    /// is one Model Monitor accepts.
    pub fn validate(&self) -> Result<(), FilesError> {
        fn check(
            field: String,
            v: &Option<String>,
            ok: fn(&str) -> bool,
            expected: &'static str,
        ) -> Result<(), FilesError> {
            match v {
                Some(s) if !ok(s) => Err(FilesError::InvalidValue {
                    field,
                    value: s.clone(),
                    expected,
                }),
                _ => Ok(()),
            }
        }
        let toggle = |s: &str| parse_toggle(s).is_some();
        let method = |s: &str| ComparisonMethod::parse(s).is_some();
        let drift = |s: &str| CategoricalDriftMethod::parse(s).is_some();
        if let Some(m) = &self.monitoring_config {
            let p = "monitoring_config";
            check(
                format!("{p}.evaluate_constraints"),
                &m.evaluate_constraints,
                toggle,
                TOGGLE_VALUES,
            )?;
            check(
                format!("{p}.emit_metrics"),
                &m.emit_metrics,
                toggle,
                TOGGLE_VALUES,
            )?;
            if let Some(d) = &m.distribution_constraints {
                let p = "monitoring_config.distribution_constraints";
                check(
                    format!("{p}.perform_comparison"),
                    &d.perform_comparison,
                    toggle,
                    TOGGLE_VALUES,
                )?;
                check(
                    format!("{p}.comparison_method"),
                    &d.comparison_method,
                    method,
                    METHOD_VALUES,
                )?;
                check(
                    format!("{p}.categorical_drift_method"),
                    &d.categorical_drift_method,
                    drift,
                    DRIFT_VALUES,
                )?;
            }
        }
        for f in self.features.iter().flatten() {
            for o in f.all_overrides() {
                let p = format!("features[{}] overrides", f.name);
                check(
                    format!("{p}.evaluate_constraints"),
                    &o.evaluate_constraints,
                    toggle,
                    TOGGLE_VALUES,
                )?;
                check(
                    format!("{p}.emit_metrics"),
                    &o.emit_metrics,
                    toggle,
                    TOGGLE_VALUES,
                )?;
                check(
                    format!("{p}.perform_comparison"),
                    &o.perform_comparison,
                    toggle,
                    TOGGLE_VALUES,
                )?;
                check(
                    format!("{p}.comparison_method"),
                    &o.comparison_method,
                    method,
                    METHOD_VALUES,
                )?;
                check(
                    format!("{p}.categorical_drift_method"),
                    &o.categorical_drift_method,
                    drift,
                    DRIFT_VALUES,
                )?;
            }
        }
        Ok(())
    }
}
