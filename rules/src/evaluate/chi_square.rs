//! driftmon's chi-square homogeneity rule (categorical features): Cramér's V over its threshold
//! and a significant corrected p-value.

use super::drift::TwoCondition;
use super::*;

pub(super) struct ChiSquareRule;
impl Rule for ChiSquareRule {
    fn kind(&self) -> RuleKind {
        RuleKind::ChiSquare
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        let d = ctx.drift;
        TwoCondition {
            rule: self.kind(),
            enabled: d.chi_square_enabled,
            applies: |f| !is_numeric(f.baseline.inferred_type),
            score: |f| {
                let m = f.categorical.as_ref()?;
                Some((m.cramers_v, f.chi2_p_adjusted))
            },
            no_score: "no categorical distribution on one side",
            threshold: d.cramers_v_threshold,
            method: "Chi-squared",
            test: "p-value",
            note: "; distance is Cramer's V",
        }
        .evaluate(ctx, out);
    }
}
