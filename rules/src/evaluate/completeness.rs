//! `completeness_check`: the window's completeness against the baseline's.

use super::*;

pub(super) struct CompletenessRule;
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
