//! SageMaker's `baseline_drift_check`: the L∞ distance (`Simple`/`Robust`, `LInfinity`) or the
//! chi-squared goodness-of-fit p-value (`ChiSquared`) against the feature's threshold.

use driftmon_baseline::files::{CategoricalDriftMethod, ComparisonMethod};
use driftmon_baseline::jackson::java_double;

use super::*;

/// SageMaker's L∞ distance for a feature under its configuration: (distance, threshold, method
/// name, is_p_value).
pub fn linf_distance(f: &FeatureContext<'_>) -> Option<(f64, f64, &'static str, bool)> {
    let cfg = &f.baseline.config;
    if let Some(m) = &f.numeric {
        return Some(match cfg.comparison_method {
            ComparisonMethod::Simple => (m.ks_statistic, cfg.comparison_threshold, "Simple", false),
            ComparisonMethod::Robust => (m.linf_robust, cfg.comparison_threshold, "Robust", false),
        });
    }
    if let Some(m) = &f.categorical {
        return Some(match cfg.categorical_drift_method {
            CategoricalDriftMethod::LInfinity => {
                let d = match cfg.comparison_method {
                    ComparisonMethod::Simple => m.linf_simple,
                    ComparisonMethod::Robust => m.linf_robust,
                };
                (d, cfg.categorical_comparison_threshold, "LInfinity", false)
            }
            CategoricalDriftMethod::ChiSquared => (
                m.gof_p_value,
                cfg.categorical_comparison_threshold,
                "ChiSquared",
                true,
            ),
        });
    }
    None
}

pub(super) struct BaselineDriftRule;
impl Rule for BaselineDriftRule {
    fn kind(&self) -> RuleKind {
        RuleKind::BaselineDrift
    }
    fn evaluate(&self, ctx: &Context<'_>, out: &mut Vec<Outcome>) {
        for f in &ctx.features {
            if let Some(o) = drift_gate(self.kind(), f) {
                out.push(o);
                continue;
            }
            let name = &f.baseline.name;
            match linf_distance(f) {
                None => out.push(skipped(self.kind(), name, "no distribution on one side")),
                Some((p, t, _, true)) => {
                    if p < t {
                        let desc = format!(
                            "Baseline drift chi-squared p-value: {} is below threshold: {}",
                            java_double(p),
                            java_double(t)
                        );
                        out.push(outcome(self.kind(), name, Status::Violation, desc));
                    } else {
                        out.push(outcome(self.kind(), name, Status::Pass, String::new()));
                    }
                }
                Some((d, t, _, false)) => {
                    if d > t {
                        out.push(outcome(
                            self.kind(),
                            name,
                            Status::Violation,
                            drift_message("B", d, t),
                        ));
                    } else {
                        out.push(outcome(self.kind(), name, Status::Pass, String::new()));
                    }
                }
            }
        }
    }
}
