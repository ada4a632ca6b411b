//! `categorical_values_check`: the share of string values inside the baseline's domain.

use driftmon_baseline::profile::InferredType;

use super::*;

pub(super) struct CategoricalValuesRule;
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
