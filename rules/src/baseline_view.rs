//! A baseline as the rules use it: SageMaker's `statistics.json` and `constraints.json` joined
//! per feature, with the effective monitoring configuration and the distributions rebuilt
//! (KLL sketch for numbers, value counts for strings).

use driftmon_baseline::files::{
    Constraints, FeatureConstraints, FeatureStatistics, ResolvedMonitoringConfig, Statistics,
};
use driftmon_baseline::kll::KllSketch;
use driftmon_baseline::profile::InferredType;
use driftmon_baseline::suggest::sketch_of;

/// One baseline feature.
#[derive(Debug, Clone)]
pub struct BaselineFeature {
    /// Feature name.
    pub name: String,
    /// Type from `constraints.json` (falling back to `statistics.json`).
    pub inferred_type: InferredType,
    /// Required completeness, when constrained.
    pub completeness: Option<f64>,
    /// Allowed string values, when constrained.
    pub domains: Option<Vec<String>>,
    /// `is_non_negative`, when constrained (reported, not checked: SageMaker documents no check).
    pub is_non_negative: Option<bool>,
    /// Effective configuration: global `monitoring_config` with this feature's overrides.
    pub config: ResolvedMonitoringConfig,
    /// Non-null values in the baseline.
    pub num_present: u64,
    /// Null values in the baseline.
    pub num_missing: u64,
    /// The numeric distribution, for numeric features with statistics.
    pub sketch: Option<KllSketch>,
    /// Baseline mean, for reports.
    pub mean: Option<f64>,
    /// The category counts, for string features with statistics.
    pub categories: Option<Vec<(String, u64)>>,
}

/// A baseline: its features in order, and the dataset size.
#[derive(Debug, Clone)]
pub struct BaselineView {
    /// Baseline rows.
    pub item_count: u64,
    /// Features in constraints order (then statistics-only features).
    pub features: Vec<BaselineFeature>,
    /// The global configuration (for dataset-level checks).
    pub config: ResolvedMonitoringConfig,
}

fn stats_type(f: &FeatureStatistics) -> InferredType {
    InferredType::parse(&f.inferred_type).unwrap_or(InferredType::Unknown)
}

impl BaselineView {
    /// Joins the two files. Features present only in `statistics.json` are kept with the global
    /// configuration; features only in `constraints.json` have no distribution.
    pub fn new(stats: &Statistics, cons: &Constraints) -> BaselineView {
        let stat_features: &[FeatureStatistics] = stats.features.as_deref().unwrap_or(&[]);
        let cons_features: &[FeatureConstraints] = cons.features.as_deref().unwrap_or(&[]);
        let find_stats = |name: &str| stat_features.iter().find(|f| f.name == name);
        let mut features = Vec::new();
        let build = |name: &str, fc: Option<&FeatureConstraints>| {
            let fs = find_stats(name);
            let inferred_type = fc
                .and_then(|c| InferredType::parse(&c.inferred_type))
                .or_else(|| fs.map(stats_type))
                .unwrap_or(InferredType::Unknown);
            let config = match fc {
                Some(c) => cons.resolved_for(c),
                None => cons.resolved(),
            };
            let (mut num_present, mut num_missing) = (0, 0);
            let (mut sketch, mut mean, mut categories) = (None, None, None);
            if let Some(fs) = fs {
                if let Some(ns) = &fs.numerical_statistics {
                    num_present = ns.common.num_present;
                    num_missing = ns.common.num_missing;
                    sketch = Some(sketch_of(ns));
                    mean = Some(ns.mean);
                }
                if let Some(ss) = &fs.string_statistics {
                    num_present = ss.common.num_present;
                    num_missing = ss.common.num_missing;
                    let cats: Vec<(String, u64)> = ss
                        .distribution
                        .categorical
                        .buckets
                        .iter()
                        .map(|b| (b.value.clone(), b.count))
                        .collect();
                    if !cats.is_empty() {
                        categories = Some(cats);
                    }
                }
            }
            BaselineFeature {
                name: name.to_owned(),
                inferred_type,
                completeness: fc.and_then(|c| c.completeness),
                domains: fc
                    .and_then(|c| c.string_constraints.as_ref())
                    .and_then(|s| s.domains.clone()),
                is_non_negative: fc
                    .and_then(|c| c.num_constraints.as_ref())
                    .and_then(|n| n.is_non_negative),
                config,
                num_present,
                num_missing,
                sketch,
                mean,
                categories,
            }
        };
        for fc in cons_features {
            features.push(build(&fc.name, Some(fc)));
        }
        for fs in stat_features {
            if !cons_features.iter().any(|c| c.name == fs.name) {
                features.push(build(&fs.name, None));
            }
        }
        BaselineView {
            item_count: stats.dataset.item_count,
            features,
            config: cons.resolved(),
        }
    }

    /// Feature names in order: the names positional capture columns get.
    pub fn names(&self) -> Vec<String> {
        self.features.iter().map(|f| f.name.clone()).collect()
    }
}
