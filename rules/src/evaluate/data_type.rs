//! `data_type_check`: the share of non-null values of the baseline's inferred type.

use driftmon_baseline::jackson::java_double;
use driftmon_baseline::profile::InferredType;

use super::*;

pub(super) struct DataTypeRule;
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
