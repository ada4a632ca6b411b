//! Building the [`Context`] of one evaluation: every baseline feature matched with its window
//! column, every measure (KS, PSI, χ², L∞) computed once and in parallel, and the p-values
//! corrected across features.

use driftmon_baseline::profile::{DatasetProfile, InferredType};

use crate::baseline_view::{BaselineFeature, BaselineView};
use crate::config::{Correction, DriftConfig};
use crate::measures::{self, NumericSide};
use crate::stats;

use super::*;

pub(super) fn is_numeric(t: InferredType) -> bool {
    matches!(t, InferredType::Integral | InferredType::Fractional)
}

fn adjust(pvals: &[Option<f64>], c: Correction) -> Vec<Option<f64>> {
    let present: Vec<f64> = pvals.iter().flatten().copied().collect();
    let adjusted = match c {
        Correction::None => present.clone(),
        Correction::Bonferroni => stats::bonferroni(&present),
        Correction::BenjaminiHochberg => stats::benjamini_hochberg(&present),
    };
    let mut it = adjusted.into_iter();
    pvals.iter().map(|p| p.and_then(|_| it.next())).collect()
}

/// `f` over `items`, in order, on up to `available_parallelism()` threads
/// ([`driftmon_baseline::pool::in_order`]): each feature's measures are independent, and the
/// KS p-value of a large window can take tens of milliseconds (the exact one-sided Smirnov sum
/// has `O(en)` terms). A panic in `f` propagates to the caller with its message (the job turns
/// it into `Failed`); it never hangs the pool.
fn par_map<'a, T: Sync, R: Send>(items: &'a [T], f: impl Fn(&'a T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = Vec::with_capacity(items.len());
    let done: Result<(), std::convert::Infallible> = driftmon_baseline::pool::in_order_catching(
        items.len(),
        threads,
        |i| Ok(f(&items[i])),
        |p| panic!("measuring feature {} panicked: {}", p.index, p.message),
        |_, r| out.push(r),
    );
    match done {
        Ok(()) => out,
        Err(never) => match never {},
    }
}

/// Fault injection for tests only: the measures of this feature panic. Nothing in driftmon sets
/// it; the tests that check a panicking measure ends the run as `Failed` (not a hang) do, in their
/// own process.
static PANIC_IN_MEASURES_OF: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Makes the measures of feature `name` panic, for the rest of the process (tests only).
#[doc(hidden)]
pub fn inject_panic_in_measures_of(name: &str) {
    let _ = PANIC_IN_MEASURES_OF.set(name.to_owned());
}

/// Builds the context: matches features, computes every measure once, corrects p-values.
pub fn context<'a>(
    baseline: &'a BaselineView,
    current: &'a DatasetProfile,
    drift: &'a DriftConfig,
) -> Context<'a> {
    let one = |bf: &'a BaselineFeature| {
        if PANIC_IN_MEASURES_OF.get() == Some(&bf.name) {
            panic!("injected fault in the measures of {}", bf.name);
        }
        let cur = current.column(&bf.name);
        let mut numeric = None;
        let mut categorical = None;
        if let Some(col) = cur {
            if is_numeric(bf.inferred_type) {
                if let Some(sk) = &bf.sketch {
                    numeric = measures::numeric(
                        &NumericSide {
                            sketch: sk,
                            rows: bf.num_present + bf.num_missing,
                            missing: bf.num_missing,
                        },
                        &NumericSide {
                            sketch: &col.kll,
                            rows: current.item_count,
                            missing: current.item_count.saturating_sub(col.kll.count()),
                        },
                        drift.psi_bins,
                        drift.psi_epsilon,
                    );
                }
            } else if let Some(cats) = &bf.categories {
                let counts = &col.categories.counts;
                categorical = measures::categorical(
                    cats,
                    bf.num_missing,
                    &|v| counts.get(v).copied().unwrap_or(0),
                    col.present(),
                    current.missing(col),
                    drift.psi_epsilon,
                );
            }
        }
        FeatureContext {
            baseline: bf,
            current: cur,
            numeric,
            categorical,
            ks_p_adjusted: None,
            chi2_p_adjusted: None,
            psi_p_adjusted: None,
        }
    };
    let mut features: Vec<FeatureContext<'a>> = par_map(&baseline.features, one);
    let ks: Vec<Option<f64>> = features
        .iter()
        .map(|f| f.numeric.as_ref().map(|m| m.ks_p_value))
        .collect();
    let chi: Vec<Option<f64>> = features
        .iter()
        .map(|f| f.categorical.as_ref().map(|m| m.chi2_p_value))
        .collect();
    let psi: Vec<Option<f64>> = features
        .iter()
        .map(|f| {
            f.numeric
                .as_ref()
                .map(|m| m.psi_chi2_p_value)
                .or(f.categorical.as_ref().map(|m| m.chi2_p_value))
        })
        .collect();
    let (ks, chi, psi) = (
        adjust(&ks, drift.correction),
        adjust(&chi, drift.correction),
        adjust(&psi, drift.correction),
    );
    for (i, f) in features.iter_mut().enumerate() {
        f.ks_p_adjusted = ks[i];
        f.chi2_p_adjusted = chi[i];
        f.psi_p_adjusted = psi[i];
    }
    let extra_columns = current
        .columns
        .iter()
        .filter(|(n, _)| !baseline.features.iter().any(|f| &f.name == n))
        .map(|(n, _)| n.as_str())
        .collect();
    Context {
        baseline,
        current,
        features,
        extra_columns,
        drift,
    }
}
