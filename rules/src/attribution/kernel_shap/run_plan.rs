//! The run plan: validated inputs, each record's varying features and coalitions, the batches.

use super::super::model::Usage;
use super::super::rng::Xoshiro256;
use super::{
    coalitions, Coalitions, FeatureRef, RunOptions, ShapError, ShapSettings, DEFAULT_SEED,
};

/// numpy's `allclose(x, b)` for one value (rtol 1e-5, atol 1e-8, NaN equal to NaN).
fn close(x: f64, b: f64) -> bool {
    if x.is_nan() || b.is_nan() {
        return x.is_nan() && b.is_nan();
    }
    if x.is_infinite() || b.is_infinite() {
        return x == b;
    }
    (x - b).abs() <= 1e-8 + 1e-5 * b.abs()
}

/// What one record needs: its varying features, coalitions, and whether it needs its own base
/// rows (features outside `features_to_explain`).
#[derive(Debug, Clone)]
pub(super) struct RecordPlan {
    pub(super) varying: Vec<usize>,
    pub(super) coalitions: Option<Coalitions>,
    pub(super) own_base: bool,
}

impl RecordPlan {
    /// Rows this record sends: `x`, then `N` rows per coalition, then `N` base rows if needed.
    pub(super) fn rows(&self, n_background: usize) -> usize {
        1 + self.coalitions.as_ref().map_or(0, |c| c.len()) * n_background
            + if self.own_base { n_background } else { 0 }
    }
}

/// Validated inputs of a run.
pub(super) struct Prepared<'a> {
    pub(super) background: &'a [Vec<f64>],
    pub(super) width: usize,
    pub(super) explained: Vec<usize>,
    pub(super) fixed: Vec<usize>,
    pub(super) features: Vec<String>,
    pub(super) plans: Vec<RecordPlan>,
    pub(super) batches: Vec<std::ops::Range<usize>>,
}

pub(super) fn prepare<'a>(
    records: &[Vec<f64>],
    settings: &'a ShapSettings,
    options: &RunOptions,
) -> Result<Prepared<'a>, ShapError> {
    let background = &settings.baseline[..];
    let width = background.first().ok_or(ShapError::NoBaseline)?.len();
    if settings.num_samples == Some(0) {
        return Err(ShapError::NoSamples);
    }
    for (k, b) in background.iter().enumerate() {
        if b.len() != width {
            return Err(ShapError::Width {
                what: format!("baseline row {k}"),
                got: b.len(),
                expected: width,
            });
        }
    }
    if records.is_empty() {
        return Err(ShapError::NoRecords);
    }
    for (i, r) in records.iter().enumerate() {
        if r.len() != width {
            return Err(ShapError::Width {
                what: format!("record {i}"),
                got: r.len(),
                expected: width,
            });
        }
    }
    let headers: Vec<String> = match &settings.headers {
        Some(h) if h.len() == width => h.clone(),
        Some(h) => {
            return Err(ShapError::Width {
                what: "headers".into(),
                got: h.len(),
                expected: width,
            })
        }
        None => (0..width).map(|i| format!("column_{i}")).collect(),
    };
    let explained: Vec<usize> = match &settings.features_to_explain {
        None => (0..width).collect(),
        Some(list) => {
            let mut v = Vec::with_capacity(list.len());
            for f in list {
                let i = match f {
                    FeatureRef::Index(i) if *i < width => *i,
                    FeatureRef::Index(i) => return Err(ShapError::UnknownFeature(i.to_string())),
                    FeatureRef::Name(n) => headers
                        .iter()
                        .position(|h| h == n)
                        .ok_or_else(|| ShapError::UnknownFeature(n.clone()))?,
                };
                if !v.contains(&i) {
                    v.push(i);
                }
            }
            v.sort_unstable();
            v
        }
    };
    let fixed: Vec<usize> = (0..width).filter(|j| !explained.contains(j)).collect();
    let seed = settings.seed.unwrap_or(DEFAULT_SEED);
    let plans: Vec<RecordPlan> = records
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let varying: Vec<usize> = explained
                .iter()
                .copied()
                .filter(|&j| background.iter().any(|b| !close(x[j], b[j])))
                .collect();
            let coalitions = (varying.len() >= 2).then(|| {
                let mut rng = Xoshiro256::for_record(seed, i as u64);
                coalitions(varying.len(), settings.num_samples, &mut rng)
            });
            // Features held at x change the base only where they differ from the background.
            let own_base = fixed
                .iter()
                .any(|&j| background.iter().any(|b| b[j].to_bits() != x[j].to_bits()));
            RecordPlan {
                varying,
                coalitions,
                own_base,
            }
        })
        .collect();
    // Group records into calls; the background rows ride in the first.
    let n = background.len();
    let limit = options.max_rows_per_call.max(1);
    let mut batches = Vec::new();
    let mut start = 0;
    let mut rows = n;
    for (i, p) in plans.iter().enumerate() {
        let r = p.rows(n);
        if i > start && rows + r > limit {
            batches.push(start..i);
            start = i;
            rows = 0;
        }
        rows += r;
    }
    batches.push(start..plans.len());
    let features = explained.iter().map(|&j| headers[j].clone()).collect();
    Ok(Prepared {
        background,
        width,
        explained,
        fixed,
        features,
        plans,
        batches,
    })
}

impl Prepared<'_> {
    /// The calls and rows of the plan.
    pub(super) fn usage(&self) -> Usage {
        let n = self.background.len();
        let rows = n as u64 + self.plans.iter().map(|r| r.rows(n) as u64).sum::<u64>();
        Usage {
            calls: self.batches.len() as u64,
            rows,
        }
    }
}
