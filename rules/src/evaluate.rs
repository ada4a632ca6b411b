//! Evaluating a current profile against a baseline: the `Rule` trait, the registry, and the
//! per-feature scores every run computes.

use driftmon_baseline::files::{CategoricalDriftMethod, ComparisonMethod};
use driftmon_baseline::jackson::java_double;
use driftmon_baseline::profile::{ColumnProfile, DatasetProfile, InferredType};

use crate::baseline_view::{BaselineFeature, BaselineView};
use crate::config::{Correction, DriftConfig};
use crate::measures::{self, CategoricalMeasures, NumericMeasures, NumericSide};
use crate::stats;

/// The closed set of rule kinds. Adding a rule: a variant here, a struct implementing [`Rule`],
/// an entry in [`REGISTRY`], and a golden case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleKind {
    /// SageMaker `data_type_check`.
    DataType,
    /// SageMaker `completeness_check`.
    Completeness,
    /// SageMaker `missing_column_check`.
    MissingColumn,
    /// SageMaker `extra_column_check`.
    ExtraColumn,
    /// SageMaker `categorical_values_check`.
    CategoricalValues,
    /// SageMaker `baseline_drift_check` (L∞ Simple/Robust, LInfinity/ChiSquared).
    BaselineDrift,
    /// driftmon PSI, reported as `baseline_drift_check`.
    Psi,
    /// driftmon two-sample KS, reported as `baseline_drift_check`.
    Ks,
    /// driftmon chi-square homogeneity, reported as `baseline_drift_check`.
    ChiSquare,
}

/// What a rule concluded for one feature.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// The check passed.
    Pass,
    /// The check failed: a violation.
    Violation,
    /// The check could not run (disabled, no data, not applicable), with why.
    Skipped(String),
}

/// One rule's outcome for one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Which rule.
    pub rule: RuleKind,
    /// Which feature.
    pub feature: String,
    /// The verdict.
    pub status: Status,
    /// The violation description (SageMaker's wording) or a note.
    pub description: String,
}

/// Per-feature context shared by all rules: the measures are computed once.
#[derive(Debug)]
pub struct FeatureContext<'a> {
    /// The baseline side.
    pub baseline: &'a BaselineFeature,
    /// The current column, if the window has it.
    pub current: Option<&'a ColumnProfile>,
    /// Numeric measures, for numeric features with data on both sides.
    pub numeric: Option<NumericMeasures>,
    /// Categorical measures, for string features with data on both sides.
    pub categorical: Option<CategoricalMeasures>,
    /// KS p-value after the correction across features.
    pub ks_p_adjusted: Option<f64>,
    /// Chi-square p-value (categorical) after the correction.
    pub chi2_p_adjusted: Option<f64>,
    /// The p-value backing PSI (chi-square on the PSI bins) after the correction.
    pub psi_p_adjusted: Option<f64>,
}

/// Everything a rule sees.
#[derive(Debug)]
pub struct Context<'a> {
    /// The baseline.
    pub baseline: &'a BaselineView,
    /// The current window's profile.
    pub current: &'a DatasetProfile,
    /// Baseline features with their measures, in baseline order.
    pub features: Vec<FeatureContext<'a>>,
    /// Current columns unknown to the baseline.
    pub extra_columns: Vec<&'a str>,
    /// driftmon's drift thresholds.
    pub drift: &'a DriftConfig,
}

/// A check. Rules never abort a run: problems become [`Status::Skipped`].
pub trait Rule: Sync {
    /// Which rule this is.
    fn kind(&self) -> RuleKind;
    /// Appends this rule's outcomes for every feature it applies to.
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>);
}

/// A registry entry: the rule and its documentation (printed by `driftmon rules`).
pub struct RuleDescriptor {
    /// The rule.
    pub rule: &'static dyn Rule,
    /// `constraint_check_type` written to `constraint_violations.json`.
    pub check_type: &'static str,
    /// Short name.
    pub name: &'static str,
    /// What is computed and when it is a violation.
    pub formula: &'static str,
    /// Thresholds and where they come from.
    pub defaults: &'static str,
    /// Where the definition comes from.
    pub reference: &'static str,
}

/// Every rule, in evaluation order.
pub static REGISTRY: &[RuleDescriptor] = &[
    RuleDescriptor {
        rule: &DataTypeRule,
        check_type: "data_type_check",
        name: "data type",
        formula: "share = values of the baseline inferred_type / non-null values (Integral values also count for Fractional); violation when share < datatype_check_threshold",
        defaults: "datatype_check_threshold 1.0 (constraints.json monitoring_config, per-feature override)",
        reference: "SageMaker Model Monitor data_type_check; sagemaker-compat.md §5.1",
    },
    RuleDescriptor {
        rule: &CompletenessRule,
        check_type: "completeness_check",
        name: "completeness",
        formula: "completeness = non-null values / rows; violation when completeness < the feature's baseline completeness",
        defaults: "the baseline's observed completeness (constraints.json features[].completeness)",
        reference: "SageMaker Model Monitor completeness_check; sagemaker-compat.md §4.2, §5.1",
    },
    RuleDescriptor {
        rule: &MissingColumnRule,
        check_type: "missing_column_check",
        name: "missing column",
        formula: "a baseline feature absent from the window (no value at all, or positional records narrower than the baseline)",
        defaults: "always on when evaluate_constraints is Enabled",
        reference: "SageMaker Model Monitor missing_column_check; sagemaker-compat.md §5.1",
    },
    RuleDescriptor {
        rule: &ExtraColumnRule,
        check_type: "extra_column_check",
        name: "extra column",
        formula: "a column in the window that the baseline does not have",
        defaults: "always on when evaluate_constraints is Enabled",
        reference: "SageMaker Model Monitor extra_column_check; sagemaker-compat.md §5.1",
    },
    RuleDescriptor {
        rule: &CategoricalValuesRule,
        check_type: "categorical_values_check",
        name: "categorical values",
        formula: "share = String values inside string_constraints.domains / non-null values; violation when share < domain_content_threshold",
        defaults: "domain_content_threshold 1.0",
        reference: "SageMaker Model Monitor categorical_values_check; sagemaker-compat.md §5.1",
    },
    RuleDescriptor {
        rule: &BaselineDriftRule,
        check_type: "baseline_drift_check",
        name: "L-infinity drift (SageMaker)",
        formula: "numeric: D = sup_x |F_b(x) − F_c(x)| over the KLL sketches; Simple = D, Robust = max(0, D − 1.8·√((n+m)/(n·m))); strings: LInfinity = max_v |p_b(v) − p_c(v)| (same correction), ChiSquared = Pearson goodness-of-fit p-value of current counts vs baseline proportions; violation when distance > threshold (ChiSquared: p-value < threshold)",
        defaults: "comparison_threshold 0.1, comparison_method Robust, categorical_comparison_threshold 0.1, categorical_drift_method LInfinity",
        reference: "Deequ Distance.scala; sagemaker-compat.md §4.3",
    },
    RuleDescriptor {
        rule: &PsiRule,
        check_type: "baseline_drift_check",
        name: "PSI (driftmon)",
        formula: "PSI = Σ (c_i − b_i)·ln(c_i / b_i) over proportions with ε added to both sides; numeric bins at the baseline's deciles (outer bins open-ended) plus a missing bin; categorical bins are the baseline categories plus <unseen> and <missing>; violation when PSI > threshold AND the chi-square test on the same bins has corrected p < alpha",
        defaults: "threshold 0.25, 10 bins, ε 1e-4, alpha 0.05, Benjamini–Hochberg across features",
        reference: "Siddiqi (2006) credit scoring PSI; docs/statistics.md",
    },
    RuleDescriptor {
        rule: &KsRule,
        check_type: "baseline_drift_check",
        name: "Kolmogorov–Smirnov (driftmon)",
        formula: "D as above; two-sided p-value exact for max(n, m) ≤ 10000 (scipy's method), else asymptotic with n·m/(n+m); violation when D > threshold AND corrected p < alpha",
        defaults: "threshold 0.1, alpha 0.05, Benjamini–Hochberg across features",
        reference: "scipy.stats.ks_2samp; docs/statistics.md",
    },
    RuleDescriptor {
        rule: &ChiSquareRule,
        check_type: "baseline_drift_check",
        name: "chi-square homogeneity (driftmon)",
        formula: "χ² test of the 2×k table (baseline vs current counts over baseline categories, <unseen>, <missing>); effect size Cramér's V = √(χ²/N); violation when V > threshold AND corrected p < alpha",
        defaults: "Cramér's V threshold 0.1, alpha 0.05, Benjamini–Hochberg across features",
        reference: "scipy.stats.chi2_contingency(correction=False); docs/statistics.md",
    },
];

/// The descriptor of a rule kind.
pub fn descriptor(kind: RuleKind) -> Option<&'static RuleDescriptor> {
    REGISTRY.iter().find(|d| d.rule.kind() == kind)
}

fn is_numeric(t: InferredType) -> bool {
    matches!(t, InferredType::Integral | InferredType::Fractional)
}

fn adjust(pvals: &[Option<f64>], c: Correction) -> Vec<Option<f64>> {
    let present: Vec<f64> = pvals.iter().flatten().copied().collect();
    let adjusted = match c {
        Correction::None => present.clone(),
        Correction::Bonferroni => stats::bonferroni(&present),
        Correction::BenjaminiHochberg => stats::benjamini_hochberg(&present),
    };
    let mut it = adjusted.into_iter();
    pvals.iter().map(|p| p.and_then(|_| it.next())).collect()
}

/// `f` over `items`, in order, on up to `available_parallelism()` threads
/// ([`driftmon_baseline::pool::in_order`]): each feature's measures are independent, and the
/// KS p-value of a large window can take tens of milliseconds (the exact one-sided Smirnov sum
/// has `O(en)` terms). A panic in `f` propagates.
fn par_map<'a, T: Sync, R: Send>(items: &'a [T], f: impl Fn(&'a T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = Vec::with_capacity(items.len());
    let done: Result<(), std::convert::Infallible> = driftmon_baseline::pool::in_order(
        items.len(),
        threads,
        |i| Ok(f(&items[i])),
        |i| panic!("measuring feature {i} panicked"),
        |_, r| out.push(r),
    );
    match done {
        Ok(()) => out,
        Err(never) => match never {},
    }
}

/// Builds the context: matches features, computes every measure once, corrects p-values.
pub fn context<'a>(
    baseline: &'a BaselineView,
    current: &'a DatasetProfile,
    drift: &'a DriftConfig,
) -> Context<'a> {
    let one = |bf: &'a BaselineFeature| {
        let cur = current.column(&bf.name);
        let mut numeric = None;
        let mut categorical = None;
        if let Some(col) = cur {
            if is_numeric(bf.inferred_type) {
                if let Some(sk) = &bf.sketch {
                    numeric = measures::numeric(
                        &NumericSide {
                            sketch: sk,
                            rows: bf.num_present + bf.num_missing,
                            missing: bf.num_missing,
                        },
                        &NumericSide {
                            sketch: &col.kll,
                            rows: current.item_count,
                            missing: current.item_count.saturating_sub(col.kll.count()),
                        },
                        drift.psi_bins,
                        drift.psi_epsilon,
                    );
                }
            } else if let Some(cats) = &bf.categories {
                let counts = &col.categories.counts;
                categorical = measures::categorical(
                    cats,
                    bf.num_missing,
                    &|v| counts.get(v).copied().unwrap_or(0),
                    col.present(),
                    current.missing(col),
                    drift.psi_epsilon,
                );
            }
        }
        FeatureContext {
            baseline: bf,
            current: cur,
            numeric,
            categorical,
            ks_p_adjusted: None,
            chi2_p_adjusted: None,
            psi_p_adjusted: None,
        }
    };
    let mut features: Vec<FeatureContext<'a>> = par_map(&baseline.features, one);
    let ks: Vec<Option<f64>> = features
        .iter()
        .map(|f| f.numeric.as_ref().map(|m| m.ks_p_value))
        .collect();
    let chi: Vec<Option<f64>> = features
        .iter()
        .map(|f| f.categorical.as_ref().map(|m| m.chi2_p_value))
        .collect();
    let psi: Vec<Option<f64>> = features
        .iter()
        .map(|f| {
            f.numeric
                .as_ref()
                .map(|m| m.psi_chi2_p_value)
                .or(f.categorical.as_ref().map(|m| m.chi2_p_value))
        })
        .collect();
    let (ks, chi, psi) = (
        adjust(&ks, drift.correction),
        adjust(&chi, drift.correction),
        adjust(&psi, drift.correction),
    );
    for (i, f) in features.iter_mut().enumerate() {
        f.ks_p_adjusted = ks[i];
        f.chi2_p_adjusted = chi[i];
        f.psi_p_adjusted = psi[i];
    }
    let extra_columns = current
        .columns
        .iter()
        .filter(|(n, _)| !baseline.features.iter().any(|f| &f.name == n))
        .map(|(n, _)| n.as_str())
        .collect();
    Context {
        baseline,
        current,
        features,
        extra_columns,
        drift,
    }
}

/// Runs every registered rule.
pub fn evaluate(ctx: &Context<'_>) -> Vec<Outcome> {
    let mut out = Vec::new();
    for d in REGISTRY {
        d.rule.evaluate(ctx, &mut out);
    }
    out
}

fn outcome(rule: RuleKind, f: &str, status: Status, description: String) -> Outcome {
    Outcome {
        rule,
        feature: f.to_owned(),
        status,
        description,
    }
}

fn skipped(rule: RuleKind, f: &str, why: &str) -> Outcome {
    outcome(rule, f, Status::Skipped(why.to_owned()), String::new())
}

/// SageMaker's older Deequ-style wording, still what AWS's own parsers read.
fn value_message(v: f64) -> String {
    format!(
        "Value: {} does not meet the constraint requirement! ",
        java_double(v)
    )
}

/// The wording AWS samples parse: `distance: (.+) exceeds threshold: (.+)`.
fn drift_message(prefix: &str, d: f64, t: f64) -> String {
    format!(
        "{prefix}aseline drift distance: {} exceeds threshold: {}",
        java_double(d),
        java_double(t)
    )
}

struct DataTypeRule;
impl Rule for DataTypeRule {
    fn kind(&self) -> RuleKind {
        RuleKind::DataType
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        for f in &ctx.features {
            let b = f.baseline;
            let Some(col) = f.current else { continue };
            if !b.config.evaluate_constraints {
                out.push(skipped(
                    self.kind(),
                    &b.name,
                    "evaluate_constraints is Disabled",
                ));
                continue;
            }
            let present = col.present();
            if present == 0 {
                out.push(skipped(
                    self.kind(),
                    &b.name,
                    "no non-null value in the window",
                ));
                continue;
            }
            let t = &col.types;
            let matching = match b.inferred_type {
                InferredType::Integral => t.integral,
                InferredType::Fractional => t.integral + t.fractional,
                InferredType::String | InferredType::Unknown => present,
            };
            let share = matching as f64 / present as f64;
            let thr = b.config.datatype_check_threshold;
            if share < thr {
                let desc = format!(
                    "Data type match requirement is not met. Expected data type: {}, Expected match: {}%. Observed: Only {}% of data is {}.",
                    b.inferred_type.as_str(),
                    java_double(thr * 100.0),
                    java_double(share * 100.0),
                    b.inferred_type.as_str()
                );
                out.push(outcome(self.kind(), &b.name, Status::Violation, desc));
            } else {
                out.push(outcome(self.kind(), &b.name, Status::Pass, String::new()));
            }
        }
    }
}

struct CompletenessRule;
impl Rule for CompletenessRule {
    fn kind(&self) -> RuleKind {
        RuleKind::Completeness
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        let rows = ctx.current.item_count;
        for f in &ctx.features {
            let b = f.baseline;
            let Some(col) = f.current else { continue };
            if !b.config.evaluate_constraints {
                continue;
            }
            if col.types.present() + col.types.null == 0 {
                // Absent altogether: missing_column_check reports it, once.
                out.push(skipped(
                    self.kind(),
                    &b.name,
                    "column absent from the window",
                ));
                continue;
            }
            let Some(required) = b.completeness else {
                out.push(skipped(self.kind(), &b.name, "no completeness constraint"));
                continue;
            };
            if rows == 0 {
                out.push(skipped(self.kind(), &b.name, "no rows in the window"));
                continue;
            }
            let c = col.present() as f64 / rows as f64;
            if c < required {
                out.push(outcome(
                    self.kind(),
                    &b.name,
                    Status::Violation,
                    value_message(c),
                ));
            } else {
                out.push(outcome(self.kind(), &b.name, Status::Pass, String::new()));
            }
        }
    }
}

/// Columns the window actually has: those that received a value or a null. The profile also
/// holds the baseline's names (pre-created for positional rows), which a narrower window lacks.
fn current_columns(current: &DatasetProfile) -> usize {
    current
        .columns
        .iter()
        .filter(|(_, c)| c.types.present() + c.types.null > 0)
        .count()
}

struct MissingColumnRule;
impl Rule for MissingColumnRule {
    fn kind(&self) -> RuleKind {
        RuleKind::MissingColumn
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        if !ctx.baseline.config.evaluate_constraints || ctx.current.item_count == 0 {
            return;
        }
        let cur_cols = current_columns(ctx.current);
        let base_cols = ctx.baseline.features.len();
        for f in &ctx.features {
            let absent = f
                .current
                .is_none_or(|c| c.types.present() + c.types.null == 0);
            if absent {
                let desc = format!(
                    "There are missing columns in current dataset. Number of columns in current dataset: {cur_cols}, Number of columns in baseline constraints: {base_cols}"
                );
                out.push(outcome(
                    self.kind(),
                    &f.baseline.name,
                    Status::Violation,
                    desc,
                ));
            }
        }
    }
}

struct ExtraColumnRule;
impl Rule for ExtraColumnRule {
    fn kind(&self) -> RuleKind {
        RuleKind::ExtraColumn
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        if !ctx.baseline.config.evaluate_constraints {
            return;
        }
        let cur_cols = current_columns(ctx.current);
        let base_cols = ctx.baseline.features.len();
        for name in &ctx.extra_columns {
            let desc = format!(
                "There are extra columns in current dataset. Number of columns in current dataset: {cur_cols}, Number of columns in baseline constraints: {base_cols}"
            );
            out.push(outcome(self.kind(), name, Status::Violation, desc));
        }
    }
}

struct CategoricalValuesRule;
impl Rule for CategoricalValuesRule {
    fn kind(&self) -> RuleKind {
        RuleKind::CategoricalValues
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        for f in &ctx.features {
            let b = f.baseline;
            let (Some(col), Some(domains)) = (f.current, &b.domains) else {
                continue;
            };
            if !b.config.evaluate_constraints || b.inferred_type != InferredType::String {
                continue;
            }
            let present = col.present();
            if present == 0 {
                out.push(skipped(
                    self.kind(),
                    &b.name,
                    "no non-null value in the window",
                ));
                continue;
            }
            let inside: u64 = domains
                .iter()
                .map(|d| col.categories.counts.get(d).copied().unwrap_or(0))
                .sum();
            let share = inside as f64 / present as f64;
            if share < b.config.domain_content_threshold {
                out.push(outcome(
                    self.kind(),
                    &b.name,
                    Status::Violation,
                    value_message(share),
                ));
            } else {
                out.push(outcome(self.kind(), &b.name, Status::Pass, String::new()));
            }
        }
    }
}

/// SageMaker's L∞ distance for a feature under its configuration: (distance, threshold, method
/// name, is_p_value).
pub fn linf_distance(f: &FeatureContext<'_>) -> Option<(f64, f64, &'static str, bool)> {
    let cfg = &f.baseline.config;
    if let Some(m) = &f.numeric {
        return Some(match cfg.comparison_method {
            ComparisonMethod::Simple => (m.ks_statistic, cfg.comparison_threshold, "Simple", false),
            ComparisonMethod::Robust => (m.linf_robust, cfg.comparison_threshold, "Robust", false),
        });
    }
    if let Some(m) = &f.categorical {
        return Some(match cfg.categorical_drift_method {
            CategoricalDriftMethod::LInfinity => {
                let d = match cfg.comparison_method {
                    ComparisonMethod::Simple => m.linf_simple,
                    ComparisonMethod::Robust => m.linf_robust,
                };
                (d, cfg.categorical_comparison_threshold, "LInfinity", false)
            }
            CategoricalDriftMethod::ChiSquared => (
                m.gof_p_value,
                cfg.categorical_comparison_threshold,
                "ChiSquared",
                true,
            ),
        });
    }
    None
}

fn drift_gate(rule: RuleKind, f: &FeatureContext<'_>) -> Option<Outcome> {
    let b = f.baseline;
    if !b.config.evaluate_constraints || !b.config.perform_comparison {
        return Some(skipped(
            rule,
            &b.name,
            "perform_comparison or evaluate_constraints is Disabled",
        ));
    }
    if f.current.is_none() {
        return Some(skipped(rule, &b.name, "feature absent from the window"));
    }
    None
}

struct BaselineDriftRule;
impl Rule for BaselineDriftRule {
    fn kind(&self) -> RuleKind {
        RuleKind::BaselineDrift
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        for f in &ctx.features {
            if let Some(o) = drift_gate(self.kind(), f) {
                out.push(o);
                continue;
            }
            let name = &f.baseline.name;
            match linf_distance(f) {
                None => out.push(skipped(self.kind(), name, "no distribution on one side")),
                Some((p, t, _, true)) => {
                    if p < t {
                        let desc = format!(
                            "Baseline drift chi-squared p-value: {} is below threshold: {}",
                            java_double(p),
                            java_double(t)
                        );
                        out.push(outcome(self.kind(), name, Status::Violation, desc));
                    } else {
                        out.push(outcome(self.kind(), name, Status::Pass, String::new()));
                    }
                }
                Some((d, t, _, false)) => {
                    if d > t {
                        out.push(outcome(
                            self.kind(),
                            name,
                            Status::Violation,
                            drift_message("B", d, t),
                        ));
                    } else {
                        out.push(outcome(self.kind(), name, Status::Pass, String::new()));
                    }
                }
            }
        }
    }
}

/// Whether an effect size and a corrected p-value together make drift
/// ([`stats::drift_verdict`]; a missing p-value is never significant).
pub fn drift_verdict(effect: f64, threshold: f64, p_adjusted: Option<f64>, alpha: f64) -> bool {
    stats::drift_verdict(effect, threshold, p_adjusted.unwrap_or(f64::NAN), alpha)
}

/// The outcome of one of driftmon's two-condition drift checks: a violation when `effect`
/// exceeds `threshold` and the corrected p-value is below alpha ([`drift_verdict`]). The
/// description names the method and its test first, then the AWS-parsable
/// `baseline drift distance: X exceeds threshold: Y`.
#[allow(clippy::too_many_arguments)]
fn two_condition_outcome(
    rule: RuleKind,
    feature: &str,
    effect: f64,
    threshold: f64,
    p_adjusted: Option<f64>,
    alpha: f64,
    method: &str,
    test: &str,
    note: &str,
) -> Outcome {
    if !drift_verdict(effect, threshold, p_adjusted, alpha) {
        return outcome(rule, feature, Status::Pass, String::new());
    }
    let prefix = format!(
        "{method} ({test} {} < alpha {}{note}) b",
        java_double(p_adjusted.unwrap_or(f64::NAN)),
        java_double(alpha)
    );
    outcome(
        rule,
        feature,
        Status::Violation,
        drift_message(&prefix, effect, threshold),
    )
}

struct PsiRule;
impl Rule for PsiRule {
    fn kind(&self) -> RuleKind {
        RuleKind::Psi
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        let d = ctx.drift;
        if !d.psi_enabled {
            return;
        }
        for f in &ctx.features {
            if let Some(o) = drift_gate(self.kind(), f) {
                out.push(o);
                continue;
            }
            let name = &f.baseline.name;
            let psi = f
                .numeric
                .as_ref()
                .map(|m| m.psi)
                .or(f.categorical.as_ref().map(|m| m.psi));
            let Some(psi) = psi else {
                out.push(skipped(self.kind(), name, "no distribution on one side"));
                continue;
            };
            out.push(two_condition_outcome(
                self.kind(),
                name,
                psi,
                d.psi_threshold,
                f.psi_p_adjusted,
                d.alpha,
                "PSI",
                "chi-squared p-value",
                "",
            ));
        }
    }
}

struct KsRule;
impl Rule for KsRule {
    fn kind(&self) -> RuleKind {
        RuleKind::Ks
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        let d = ctx.drift;
        if !d.ks_enabled {
            return;
        }
        for f in &ctx.features {
            if !is_numeric(f.baseline.inferred_type) {
                continue;
            }
            if let Some(o) = drift_gate(self.kind(), f) {
                out.push(o);
                continue;
            }
            let name = &f.baseline.name;
            let Some(m) = &f.numeric else {
                out.push(skipped(self.kind(), name, "no numeric value on one side"));
                continue;
            };
            out.push(two_condition_outcome(
                self.kind(),
                name,
                m.ks_statistic,
                d.ks_threshold,
                f.ks_p_adjusted,
                d.alpha,
                "KS",
                "p-value",
                "",
            ));
        }
    }
}

struct ChiSquareRule;
impl Rule for ChiSquareRule {
    fn kind(&self) -> RuleKind {
        RuleKind::ChiSquare
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        let d = ctx.drift;
        if !d.chi_square_enabled {
            return;
        }
        for f in &ctx.features {
            if is_numeric(f.baseline.inferred_type) {
                continue;
            }
            if let Some(o) = drift_gate(self.kind(), f) {
                out.push(o);
                continue;
            }
            let name = &f.baseline.name;
            let Some(m) = &f.categorical else {
                out.push(skipped(
                    self.kind(),
                    name,
                    "no categorical distribution on one side",
                ));
                continue;
            };
            out.push(two_condition_outcome(
                self.kind(),
                name,
                m.cramers_v,
                d.cramers_v_threshold,
                f.chi2_p_adjusted,
                d.alpha,
                "Chi-squared",
                "p-value",
                "; distance is Cramer's V",
            ));
        }
    }
}
