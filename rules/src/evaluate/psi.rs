//! driftmon's PSI rule: PSI over its threshold and the chi-squared test on the same bins
//! significant after the correction.

use super::drift::TwoCondition;
use super::*;

pub(super) struct PsiRule;
impl Rule for PsiRule {
    fn kind(&self) -> RuleKind {
        RuleKind::Psi
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        let d = ctx.drift;
        TwoCondition {
            rule: self.kind(),
            enabled: d.psi_enabled,
            applies: |_| true,
            score: |f| {
                let psi = f.numeric.as_ref().map(|m| m.psi);
                let psi = psi.or(f.categorical.as_ref().map(|m| m.psi));
                psi.map(|p| (p, f.psi_p_adjusted))
            },
            no_score: "no distribution on one side",
            threshold: d.psi_threshold,
            method: "PSI",
            test: "chi-squared p-value",
            note: "",
        }
        .evaluate(ctx, out);
    }
}
