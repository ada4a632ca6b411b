//! `missing_column_check`: a baseline feature the window lacks.

use driftmon_baseline::profile::DatasetProfile;

use super::*;

/// Columns the window actually has: those that received a value or a null. The profile also
/// holds the baseline's names (pre-created for positional rows), which a narrower window lacks.
pub(super) fn current_columns(current: &DatasetProfile) -> usize {
    current
        .columns
        .iter()
        .filter(|(_, c)| c.types.present() + c.types.null > 0)
        .count()
}

pub(super) struct MissingColumnRule;
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
