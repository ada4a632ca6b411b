//! What the drift rules share: the gate (comparison enabled, feature present), the
//! two-condition verdict of driftmon's own checks, and the wording AWS's parsers read.

use driftmon_baseline::jackson::java_double;

use crate::stats;

use super::*;

/// SageMaker's older Deequ-style wording, still what AWS's own parsers read.
pub(super) fn value_message(v: f64) -> String {
    format!(
        "Value: {} does not meet the constraint requirement! ",
        java_double(v)
    )
}

/// The wording AWS samples parse: `distance: (.+) exceeds threshold: (.+)`.
pub(super) fn drift_message(prefix: &str, d: f64, t: f64) -> String {
    format!(
        "{prefix}aseline drift distance: {} exceeds threshold: {}",
        java_double(d),
        java_double(t)
    )
}

pub(super) fn drift_gate(rule: RuleKind, f: &FeatureContext<'_>) -> Option<Outcome> {
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
pub(super) fn two_condition_outcome(
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

/// An effect size with its corrected p-value.
pub(super) type Score = (f64, Option<f64>);

/// One of driftmon's two-condition drift rules (PSI, KS, chi-square), as data.
pub(super) struct TwoCondition {
    /// The rule.
    pub(super) rule: RuleKind,
    /// Whether the rule runs at all (`psi_enabled`, …).
    pub(super) enabled: bool,
    /// The features it applies to; the others get no outcome.
    pub(super) applies: fn(&FeatureContext<'_>) -> bool,
    /// The effect size and its corrected p-value, when both sides have the distribution.
    pub(super) score: fn(&FeatureContext<'_>) -> Option<Score>,
    /// The skip reason when `score` has nothing.
    pub(super) no_score: &'static str,
    /// The effect-size threshold.
    pub(super) threshold: f64,
    /// Wording of the violation: the method, its test, a note after alpha.
    pub(super) method: &'static str,
    /// See `method`.
    pub(super) test: &'static str,
    /// See `method`.
    pub(super) note: &'static str,
}

impl TwoCondition {
    /// Appends the rule's outcome for every feature it applies to: the gate first
    /// ([`drift_gate`]), then skipped without a score, else [`two_condition_outcome`].
    pub(super) fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        if !self.enabled {
            return;
        }
        for f in ctx.features.iter().filter(|f| (self.applies)(f)) {
            if let Some(o) = drift_gate(self.rule, f) {
                out.push(o);
                continue;
            }
            let name = &f.baseline.name;
            let Some((effect, p_adjusted)) = (self.score)(f) else {
                out.push(skipped(self.rule, name, self.no_score));
                continue;
            };
            out.push(two_condition_outcome(
                self.rule,
                name,
                effect,
                self.threshold,
                p_adjusted,
                ctx.drift.alpha,
                self.method,
                self.test,
                self.note,
            ));
        }
    }
}
