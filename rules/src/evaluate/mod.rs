//! Evaluating a current profile against a baseline: the [`Rule`] trait, the [`REGISTRY`] of
//! every rule in evaluation order, and the [`Context`] of per-feature measures that every run
//! computes once ([`context`]) and every rule reads. One file per rule (`data_type`,
//! `completeness`, `missing_column`, `extra_column`, `categorical_values`, `baseline_drift`,
//! `psi`, `ks`, `chi_square`); `drift` holds what the drift rules share (the gate, the
//! two-condition verdict, AWS's wording). Rules never abort: problems become
//! [`Status::Skipped`] outcomes.

use driftmon_baseline::profile::{ColumnProfile, DatasetProfile};

use crate::baseline_view::{BaselineFeature, BaselineView};
use crate::config::DriftConfig;
use crate::measures::{CategoricalMeasures, NumericMeasures};

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
        reference: "SageMaker Model Monitor data_type_check; AWS docs: model-monitor-interpreting-violations",
    },
    RuleDescriptor {
        rule: &CompletenessRule,
        check_type: "completeness_check",
        name: "completeness",
        formula: "completeness = non-null values / rows; violation when completeness < the feature's baseline completeness",
        defaults: "the baseline's observed completeness (constraints.json features[].completeness)",
        reference: "SageMaker Model Monitor completeness_check; AWS docs: model-monitor-byoc-constraints, model-monitor-interpreting-violations",
    },
    RuleDescriptor {
        rule: &MissingColumnRule,
        check_type: "missing_column_check",
        name: "missing column",
        formula: "a baseline feature absent from the window (no value at all, or positional records narrower than the baseline)",
        defaults: "always on when evaluate_constraints is Enabled",
        reference: "SageMaker Model Monitor missing_column_check; AWS docs: model-monitor-interpreting-violations",
    },
    RuleDescriptor {
        rule: &ExtraColumnRule,
        check_type: "extra_column_check",
        name: "extra column",
        formula: "a column in the window that the baseline does not have",
        defaults: "always on when evaluate_constraints is Enabled",
        reference: "SageMaker Model Monitor extra_column_check; AWS docs: model-monitor-interpreting-violations",
    },
    RuleDescriptor {
        rule: &CategoricalValuesRule,
        check_type: "categorical_values_check",
        name: "categorical values",
        formula: "share = String values inside string_constraints.domains / non-null values; violation when share < domain_content_threshold",
        defaults: "domain_content_threshold 1.0",
        reference: "SageMaker Model Monitor categorical_values_check; AWS docs: model-monitor-interpreting-violations",
    },
    RuleDescriptor {
        rule: &BaselineDriftRule,
        check_type: "baseline_drift_check",
        name: "L-infinity drift (SageMaker)",
        formula: "numeric: D = sup_x |F_b(x) − F_c(x)| over the KLL sketches; Simple = D, Robust = max(0, D − 1.8·√((n+m)/(n·m))); strings: LInfinity = max_v |p_b(v) − p_c(v)| (same correction), ChiSquared = Pearson goodness-of-fit p-value of current counts vs baseline proportions; violation when distance > threshold (ChiSquared: p-value < threshold)",
        defaults: "comparison_threshold 0.1, comparison_method Robust, categorical_comparison_threshold 0.1, categorical_drift_method LInfinity",
        reference: "Deequ Distance.scala; AWS docs: model-monitor-byoc-constraints; docs/statistics.md",
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

mod baseline_drift;
mod categorical_values;
mod chi_square;
mod completeness;
mod context;
mod data_type;
mod drift;
mod extra_column;
mod ks;
mod missing_column;
mod psi;

use baseline_drift::BaselineDriftRule;
use categorical_values::CategoricalValuesRule;
use chi_square::ChiSquareRule;
use completeness::CompletenessRule;
use data_type::DataTypeRule;
use extra_column::ExtraColumnRule;
use ks::KsRule;
use missing_column::MissingColumnRule;
use psi::PsiRule;

pub use baseline_drift::linf_distance;
pub use context::context;
#[doc(hidden)]
pub use context::inject_panic_in_measures_of;
pub use drift::drift_verdict;

use context::is_numeric;
use drift::{drift_gate, drift_message, value_message};
use missing_column::current_columns;
