//! driftmon's Kolmogorov–Smirnov rule (numeric features): D over its threshold and a
//! significant corrected p-value.

use super::drift::TwoCondition;
use super::*;

pub(super) struct KsRule;
impl Rule for KsRule {
    fn kind(&self) -> RuleKind {
        RuleKind::Ks
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        let d = ctx.drift;
        TwoCondition {
            rule: self.kind(),
            enabled: d.ks_enabled,
            applies: |f| is_numeric(f.baseline.inferred_type),
            score: |f| {
                f.numeric
                    .as_ref()
                    .map(|m| (m.ks_statistic, f.ks_p_adjusted))
            },
            no_score: "no numeric value on one side",
            threshold: d.ks_threshold,
            method: "KS",
            test: "p-value",
            note: "",
        }
        .evaluate(ctx, out);
    }
}
