//! `extra_column_check`: a window column the baseline lacks.

use super::*;

pub(super) struct ExtraColumnRule;
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
