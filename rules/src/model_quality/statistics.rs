//! Model-quality `statistics.json`: every metric with its standard deviation over seeded
//! sub-samples, in SageMaker's key order and Jackson's number spelling, and reading metric
//! values back from a parsed file.

use crate::rng::SplitMix64;
use driftmon_baseline::files::{Dataset, Statistics};
use serde_json::{json, Map, Value};

use super::metrics::multiclass_from;
use super::*;

/// How standard deviations are estimated (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StdDevOptions {
    /// Fewer samples than this give `"NaN"` (AWS: 200).
    pub min_samples: usize,
    /// Number of sub-samples (AWS: 5).
    pub draws: usize,
    /// Share of the samples in each draw (AWS: 0.8).
    pub fraction: f64,
    /// Seed of the generator.
    pub seed: u64,
}

impl Default for StdDevOptions {
    /// 200 samples, 5 draws of 80%, seed `0x6472_6966_746d_6f6e` ("driftmon").
    fn default() -> Self {
        StdDevOptions {
            min_samples: 200,
            draws: 5,
            fraction: 0.8,
            seed: 0x6472_6966_746d_6f6e,
        }
    }
}

/// Uniform in `0..n` (n > 0), by the multiply-shift method (no rejection: the draws of earlier
/// versions, kept).
fn below(rng: &mut SplitMix64, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// The sample indices of each draw: `draws` sorted index lists of ⌊fraction·n⌋ distinct indices.
pub fn draw_indices(n: usize, opts: &StdDevOptions) -> Vec<Vec<usize>> {
    let k = ((n as f64) * opts.fraction).floor() as usize;
    let k = k.min(n);
    let mut rng = SplitMix64::new(opts.seed);
    let mut out = Vec::with_capacity(opts.draws);
    for _ in 0..opts.draws {
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + below(&mut rng, n - i);
            idx.swap(i, j);
        }
        idx.truncate(k);
        idx.sort_unstable();
        out.push(idx);
    }
    out
}

/// Sample standard deviation (n − 1); NaN for fewer than 2 values or any NaN.
pub fn sample_std(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (ss / (n - 1.0)).sqrt()
}

/// A JSON number, or `"NaN"` / `"Infinity"` / `"-Infinity"` as the analyzer writes them.
pub fn json_number(x: f64) -> Value {
    match serde_json::Number::from_f64(x) {
        Some(n) => Value::Number(n),
        None if x.is_nan() => Value::String("NaN".into()),
        None if x > 0.0 => Value::String("Infinity".into()),
        None => Value::String("-Infinity".into()),
    }
}

fn doubles(xs: &[f64]) -> Value {
    Value::Array(xs.iter().map(|&x| json_number(x)).collect())
}

enum Entry {
    Scalar(f64),
    Other(Value),
}

/// The metrics of one problem type, in SageMaker's key order.
fn entries(obs: &Observations) -> Vec<(&'static str, Entry)> {
    use Entry::{Other, Scalar};
    match obs.problem {
        ProblemType::BinaryClassification => {
            let m = binary_metrics(&obs.binary);
            let c = m.confusion;
            vec![
                (
                    "confusion_matrix",
                    Other(
                        json!({"0": {"0": c[0][0], "1": c[0][1]}, "1": {"0": c[1][0], "1": c[1][1]}}),
                    ),
                ),
                ("recall", Scalar(m.recall)),
                ("precision", Scalar(m.precision)),
                ("accuracy", Scalar(m.accuracy)),
                (
                    "recall_best_constant_classifier",
                    Scalar(m.recall_best_constant_classifier),
                ),
                (
                    "precision_best_constant_classifier",
                    Scalar(m.precision_best_constant_classifier),
                ),
                (
                    "accuracy_best_constant_classifier",
                    Scalar(m.accuracy_best_constant_classifier),
                ),
                ("true_positive_rate", Scalar(m.true_positive_rate)),
                ("true_negative_rate", Scalar(m.true_negative_rate)),
                ("false_positive_rate", Scalar(m.false_positive_rate)),
                ("false_negative_rate", Scalar(m.false_negative_rate)),
                (
                    "receiver_operating_characteristic_curve",
                    Other(json!({
                        "false_positive_rates": doubles(&m.roc_false_positive_rates),
                        "true_positive_rates": doubles(&m.roc_true_positive_rates),
                    })),
                ),
                (
                    "precision_recall_curve",
                    Other(json!({
                        "precisions": doubles(&m.pr_precisions),
                        "recalls": doubles(&m.pr_recalls),
                    })),
                ),
                ("auc", Scalar(m.auc)),
                ("f0_5", Scalar(m.f0_5)),
                ("f1", Scalar(m.f1)),
                ("f2", Scalar(m.f2)),
                (
                    "f0_5_best_constant_classifier",
                    Scalar(m.f0_5_best_constant_classifier),
                ),
                (
                    "f1_best_constant_classifier",
                    Scalar(m.f1_best_constant_classifier),
                ),
                (
                    "f2_best_constant_classifier",
                    Scalar(m.f2_best_constant_classifier),
                ),
            ]
        }
        ProblemType::MulticlassClassification => {
            let m = multiclass_from(obs);
            let mut cm = Map::new();
            for (a, row) in m.classes.iter().zip(&m.confusion) {
                let mut r = Map::new();
                for (p, count) in m.classes.iter().zip(row) {
                    r.insert(p.clone(), Value::from(*count));
                }
                cm.insert(a.clone(), Value::Object(r));
            }
            vec![
                ("confusion_matrix", Other(Value::Object(cm))),
                ("accuracy", Scalar(m.accuracy)),
                ("weighted_recall", Scalar(m.weighted_recall)),
                ("weighted_precision", Scalar(m.weighted_precision)),
                ("weighted_f0_5", Scalar(m.weighted_f0_5)),
                ("weighted_f1", Scalar(m.weighted_f1)),
                ("weighted_f2", Scalar(m.weighted_f2)),
                (
                    "accuracy_best_constant_classifier",
                    Scalar(m.accuracy_best_constant_classifier),
                ),
                (
                    "weighted_recall_best_constant_classifier",
                    Scalar(m.weighted_recall_best_constant_classifier),
                ),
                (
                    "weighted_precision_best_constant_classifier",
                    Scalar(m.weighted_precision_best_constant_classifier),
                ),
                (
                    "weighted_f0_5_best_constant_classifier",
                    Scalar(m.weighted_f0_5_best_constant_classifier),
                ),
                (
                    "weighted_f1_best_constant_classifier",
                    Scalar(m.weighted_f1_best_constant_classifier),
                ),
                (
                    "weighted_f2_best_constant_classifier",
                    Scalar(m.weighted_f2_best_constant_classifier),
                ),
            ]
        }
        ProblemType::Regression => {
            let m = regression_metrics(&obs.regression);
            vec![
                ("mae", Scalar(m.mae)),
                ("mse", Scalar(m.mse)),
                ("rmse", Scalar(m.rmse)),
                ("r2", Scalar(m.r2)),
            ]
        }
    }
}

/// The metrics section (`binary_classification_metrics`, …) of `obs`, in SageMaker's key order
/// and format, with standard deviations per `opts`.
pub fn metrics_section(
    obs: &Observations,
    opts: &StdDevOptions,
) -> Result<Map<String, Value>, ModelQualityError> {
    if obs.is_empty() {
        return Err(ModelQualityError::NoSamples);
    }
    let full = entries(obs);
    let n_scalars = full
        .iter()
        .filter(|(_, e)| matches!(e, Entry::Scalar(_)))
        .count();
    let mut draws: Vec<Vec<f64>> = vec![Vec::new(); n_scalars];
    if obs.len() >= opts.min_samples.max(1) && opts.draws > 0 {
        for idx in draw_indices(obs.len(), opts) {
            let sub = obs.subset(&idx);
            let scalars = entries(&sub).into_iter().filter_map(|(_, e)| match e {
                Entry::Scalar(v) => Some(v),
                Entry::Other(_) => None,
            });
            for (slot, v) in draws.iter_mut().zip(scalars) {
                slot.push(v);
            }
        }
    }
    let mut out = Map::new();
    let mut s = 0;
    for (name, e) in full {
        match e {
            Entry::Scalar(v) => {
                let sd = sample_std(&draws[s]);
                s += 1;
                out.insert(
                    name.to_owned(),
                    json!({"value": json_number(v), "standard_deviation": json_number(sd)}),
                );
            }
            Entry::Other(v) => {
                out.insert(name.to_owned(), v);
            }
        }
    }
    Ok(out)
}

/// `statistics.json` of `obs`: `version` 0.0, `dataset.item_count`, and the problem type's
/// metrics section. `evaluation_time` is set by the caller (monitoring runs write it).
pub fn statistics(
    obs: &Observations,
    opts: &StdDevOptions,
) -> Result<Statistics, ModelQualityError> {
    let section = metrics_section(obs, opts)?;
    let mut st = Statistics {
        version: 0.0,
        dataset: Dataset {
            item_count: obs.len() as u64,
            ..Default::default()
        },
        ..Default::default()
    };
    match obs.problem {
        ProblemType::BinaryClassification => st.binary_classification_metrics = Some(section),
        ProblemType::MulticlassClassification => {
            st.multiclass_classification_metrics = Some(section)
        }
        ProblemType::Regression => st.regression_metrics = Some(section),
    }
    Ok(st)
}

/// The metrics section of `stats` for `problem`, if present.
pub fn metrics_of(stats: &Statistics, problem: ProblemType) -> Option<&Map<String, Value>> {
    match problem {
        ProblemType::BinaryClassification => stats.binary_classification_metrics.as_ref(),
        ProblemType::MulticlassClassification => stats.multiclass_classification_metrics.as_ref(),
        ProblemType::Regression => stats.regression_metrics.as_ref(),
    }
}

fn lenient_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            other => other.trim().parse().ok(),
        },
        _ => None,
    }
}

/// The `value` of scalar metric `name` (`None` when absent or not a scalar; NaN stays NaN).
pub fn metric_value(section: &Map<String, Value>, name: &str) -> Option<f64> {
    section.get(name)?.get("value").and_then(lenient_number)
}

/// The scalar metrics of a section, `name → value`, in file order.
pub fn scalar_metrics(section: &Map<String, Value>) -> Vec<(String, f64)> {
    section
        .iter()
        .filter_map(|(k, v)| {
            v.get("value")
                .and_then(lenient_number)
                .map(|x| (k.clone(), x))
        })
        .collect()
}
