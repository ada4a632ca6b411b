//! From a profile to SageMaker's `statistics.json` and `constraints.json`.
//!
//! The rules follow the AWS analyzer as far as its output shows them (file formats:
//! <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-statistics.html>,
//! <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-constraints.html>) and
//! Deequ's suggestion rules where it does not:
//!
//! * `inferred_type` from [`infer_type`](crate::profile::infer_type);
//! * `completeness` = non-null share of rows (Deequ's `CompleteIfCompleteRule` /
//!   `RetainCompletenessRule` collapse to the observed value, which is what AWS writes);
//! * `num_constraints.is_non_negative` when the minimum is ≥ 0 (`NonNegativeNumbersRule`);
//! * `string_constraints.domains` for String columns with at most
//!   [`DOMAIN_MAX_DISTINCT`] distinct values of which at most 10% occur once
//!   (Deequ's `CategoricalRangeRule` on its low-cardinality histogram);
//! * the default `monitoring_config` of real AWS suggestions, plus the two categorical drift keys
//!   of the current schema.

use crate::files::{
    Categorical, CategoricalBucket, CategoricalDistribution, Common, Constraints, Dataset,
    DistributionConstraints, FeatureConstraints, FeatureStatistics, Kll, KllBucket, KllParameters,
    KllSketch as KllSketchFile, MonitoringConfig, NumConstraints, NumericDistribution,
    NumericalStatistics, Statistics, StringConstraints, StringStatistics,
};
use crate::kll::{equal_width_buckets, KllSketch};
use crate::profile::{ColumnProfile, DatasetProfile, InferredType};

/// Number of equal-width histogram buckets SageMaker writes (not configurable there either).
pub const HISTOGRAM_BUCKETS: usize = 10;

/// Largest number of distinct values for which a String column gets a `domains` constraint
/// (Deequ's low-cardinality histogram threshold).
pub const DOMAIN_MAX_DISTINCT: usize = 120;

fn numerical(profile: &DatasetProfile, col: &ColumnProfile) -> NumericalStatistics {
    let m = &col.moments;
    let (min, max) = if m.n > 0 { (m.min, m.max) } else { (0.0, 0.0) };
    let buckets = if m.n > 0 {
        equal_width_buckets(&col.kll, min, max, HISTOGRAM_BUCKETS)
            .into_iter()
            .map(|(lower_bound, upper_bound, count)| KllBucket {
                lower_bound,
                upper_bound,
                count,
            })
            .collect()
    } else {
        Vec::new()
    };
    NumericalStatistics {
        common: common(profile, col),
        mean: m.mean().unwrap_or(0.0),
        sum: m.sum.value(),
        std_dev: m.std_dev().unwrap_or(0.0),
        min,
        max,
        distribution: NumericDistribution {
            kll: Kll {
                buckets,
                sketch: KllSketchFile {
                    parameters: KllParameters {
                        c: KllSketch::DEFAULT_C,
                        k: KllSketch::DEFAULT_K as f64,
                    },
                    data: col.kll.levels().to_vec(),
                    ..Default::default()
                },
                ..Default::default()
            },
            ..Default::default()
        },
        ..Default::default()
    }
}

fn common(profile: &DatasetProfile, col: &ColumnProfile) -> Common {
    Common {
        num_present: col.present(),
        num_missing: profile.missing(col),
        ..Default::default()
    }
}

fn string_stats(profile: &DatasetProfile, col: &ColumnProfile) -> StringStatistics {
    StringStatistics {
        common: common(profile, col),
        distinct_count: col.categories.distinct(),
        distribution: CategoricalDistribution {
            categorical: Categorical {
                buckets: col
                    .categories
                    .sorted()
                    .into_iter()
                    .map(|(v, c)| CategoricalBucket {
                        value: v.to_owned(),
                        count: c,
                    })
                    .collect(),
                ..Default::default()
            },
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The `statistics.json` of a profile.
pub fn statistics(profile: &DatasetProfile) -> Statistics {
    let features = profile
        .columns
        .iter()
        .map(|(name, col)| {
            let t = col.inferred_type();
            let mut f = FeatureStatistics {
                name: name.clone(),
                inferred_type: t.as_str().to_owned(),
                ..Default::default()
            };
            match t {
                InferredType::Integral | InferredType::Fractional => {
                    f.numerical_statistics = Some(numerical(profile, col))
                }
                InferredType::String => f.string_statistics = Some(string_stats(profile, col)),
                InferredType::Unknown => {
                    // SageMaker does not document this case; we write the counts only.
                    f.string_statistics = Some(StringStatistics {
                        common: common(profile, col),
                        ..Default::default()
                    })
                }
            }
            f
        })
        .collect();
    Statistics {
        version: 0.0,
        dataset: Dataset {
            item_count: profile.item_count,
            ..Default::default()
        },
        features: Some(features),
        ..Default::default()
    }
}

/// Whether a String column gets a suggested `domains` list.
pub fn suggests_domain(col: &ColumnProfile) -> bool {
    let c = &col.categories;
    if c.overflowed
        || c.untracked > 0
        || c.counts.is_empty()
        || c.counts.len() > DOMAIN_MAX_DISTINCT
    {
        return false;
    }
    let singletons = c.counts.values().filter(|&&n| n == 1).count();
    singletons as f64 / c.counts.len() as f64 <= 0.1
}

/// The default `monitoring_config` of a suggestion (AWS's real suggestions plus the two
/// categorical drift keys of the current schema).
pub fn default_monitoring_config() -> MonitoringConfig {
    MonitoringConfig {
        evaluate_constraints: Some("Enabled".into()),
        emit_metrics: Some("Enabled".into()),
        datatype_check_threshold: Some(1.0),
        domain_content_threshold: Some(1.0),
        distribution_constraints: Some(DistributionConstraints {
            perform_comparison: Some("Enabled".into()),
            comparison_threshold: Some(0.1),
            comparison_method: Some("Robust".into()),
            categorical_comparison_threshold: Some(0.1),
            categorical_drift_method: Some("LInfinity".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The `constraints.json` suggested for a profile.
pub fn constraints(profile: &DatasetProfile) -> Constraints {
    let features = profile
        .columns
        .iter()
        .map(|(name, col)| {
            let t = col.inferred_type();
            let completeness = if profile.item_count == 0 {
                0.0
            } else {
                col.present() as f64 / profile.item_count as f64
            };
            let mut f = FeatureConstraints {
                name: name.clone(),
                inferred_type: t.as_str().to_owned(),
                completeness: Some(completeness),
                ..Default::default()
            };
            match t {
                InferredType::Integral | InferredType::Fractional => {
                    f.num_constraints = Some(NumConstraints {
                        is_non_negative: Some(col.moments.n > 0 && col.moments.min >= 0.0),
                        ..Default::default()
                    })
                }
                InferredType::String if suggests_domain(col) => {
                    let mut domains: Vec<String> = col.categories.counts.keys().cloned().collect();
                    domains.sort();
                    f.string_constraints = Some(StringConstraints {
                        domains: Some(domains),
                        ..Default::default()
                    })
                }
                _ => {}
            }
            f
        })
        .collect();
    Constraints {
        version: 0.0,
        features: Some(features),
        monitoring_config: Some(default_monitoring_config()),
        ..Default::default()
    }
}

/// Rebuilds a KLL sketch from a `statistics.json` numeric feature (an AWS-written baseline).
pub fn sketch_of(stats: &NumericalStatistics) -> KllSketch {
    let p = &stats.distribution.kll.sketch.parameters;
    let k = if p.k >= 2.0 {
        p.k as usize
    } else {
        KllSketch::DEFAULT_K
    };
    let c = if p.c > 0.0 && p.c < 1.0 {
        p.c
    } else {
        KllSketch::DEFAULT_C
    };
    KllSketch::from_levels(k, c, stats.distribution.kll.sketch.data.clone())
}
