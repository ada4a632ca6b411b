//! The metrics themselves: binary (confusion counts, F-scores, ROC and PR curves, AUC),
//! multiclass (confusion matrix, weighted scores, best constant classifier) and regression
//! (MAE, MSE, RMSE, r²).

use std::collections::HashMap;

use super::*;

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// F-beta from precision and recall: (1+β²)·P·R / (β²·P + R), 0 when the denominator is 0.
pub fn f_beta(precision: f64, recall: f64, beta: f64) -> f64 {
    let b2 = beta * beta;
    let den = b2 * precision + recall;
    if den == 0.0 {
        0.0
    } else {
        (1.0 + b2) * precision * recall / den
    }
}

/// Binary classification metrics (see the module documentation for every definition).
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryMetrics {
    /// `[[TN, FP], [FN, TP]]`: `[actual][predicted]`.
    pub confusion: [[u64; 2]; 2],
    /// TP / (TP + FN).
    pub recall: f64,
    /// TP / (TP + FP).
    pub precision: f64,
    /// (TP + TN) / n.
    pub accuracy: f64,
    /// Recall of always predicting 1 (1, or 0 without positives).
    pub recall_best_constant_classifier: f64,
    /// Precision of always predicting 1 (the share of positives).
    pub precision_best_constant_classifier: f64,
    /// Accuracy of always predicting 1 (the share of positives).
    pub accuracy_best_constant_classifier: f64,
    /// Same as recall.
    pub true_positive_rate: f64,
    /// 1 − false_positive_rate (0 without negatives).
    pub true_negative_rate: f64,
    /// FP / (FP + TN).
    pub false_positive_rate: f64,
    /// 1 − true_positive_rate (0 without positives).
    pub false_negative_rate: f64,
    /// ROC curve x values (Spark's form: `(0,0)`, one point per distinct score, `(1,1)`).
    pub roc_false_positive_rates: Vec<f64>,
    /// ROC curve y values.
    pub roc_true_positive_rates: Vec<f64>,
    /// PR curve precisions (Spark's form: first point at recall 0).
    pub pr_precisions: Vec<f64>,
    /// PR curve recalls, ascending.
    pub pr_recalls: Vec<f64>,
    /// Trapezoidal area under the ROC curve.
    pub auc: f64,
    /// F0.5.
    pub f0_5: f64,
    /// F1.
    pub f1: f64,
    /// F2.
    pub f2: f64,
    /// F0.5 of always predicting 1.
    pub f0_5_best_constant_classifier: f64,
    /// F1 of always predicting 1.
    pub f1_best_constant_classifier: f64,
    /// F2 of always predicting 1.
    pub f2_best_constant_classifier: f64,
}

/// Computes the binary metrics of `obs` (all zero for no sample).
pub fn binary_metrics(obs: &[BinaryObservation]) -> BinaryMetrics {
    let mut c = [[0u64; 2]; 2];
    for o in obs {
        c[usize::from(o.actual)][usize::from(o.predicted)] += 1;
    }
    let (tn, fp, fn_, tp) = (
        c[0][0] as f64,
        c[0][1] as f64,
        c[1][0] as f64,
        c[1][1] as f64,
    );
    let n = obs.len() as f64;
    let pos = tp + fn_;
    let neg = tn + fp;
    let recall = ratio(tp, pos);
    let precision = ratio(tp, tp + fp);
    let accuracy = ratio(tp + tn, n);
    let fpr = ratio(fp, neg);
    let tnr = if neg > 0.0 { 1.0 - fpr } else { 0.0 };
    let fnr = if pos > 0.0 { 1.0 - recall } else { 0.0 };
    let bcc_recall = if pos > 0.0 { 1.0 } else { 0.0 };
    let bcc_precision = ratio(pos, n);

    // Curves: distinct scores descending.
    let mut ranked: Vec<(f64, bool)> = obs.iter().map(|o| (o.score, o.actual)).collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (npos, nneg) = (pos, neg);
    let mut roc_x = vec![0.0];
    let mut roc_y = vec![0.0];
    let mut pr_p = Vec::new();
    let mut pr_r = Vec::new();
    let (mut ctp, mut cfp) = (0u64, 0u64);
    let mut i = 0;
    while i < ranked.len() {
        let s = ranked[i].0;
        while i < ranked.len() && ranked[i].0.total_cmp(&s).is_eq() {
            if ranked[i].1 {
                ctp += 1;
            } else {
                cfp += 1;
            }
            i += 1;
        }
        let (t, f) = (ctp as f64, cfp as f64);
        roc_x.push(ratio(f, nneg));
        roc_y.push(ratio(t, npos));
        pr_r.push(ratio(t, npos));
        pr_p.push(ratio(t, t + f));
    }
    roc_x.push(1.0);
    roc_y.push(1.0);
    if let Some(&first) = pr_p.first() {
        pr_p.insert(0, first);
        pr_r.insert(0, 0.0);
    }
    let mut auc = 0.0;
    for k in 1..roc_x.len() {
        auc += (roc_x[k] - roc_x[k - 1]) * (roc_y[k] + roc_y[k - 1]) / 2.0;
    }
    BinaryMetrics {
        confusion: c,
        recall,
        precision,
        accuracy,
        recall_best_constant_classifier: bcc_recall,
        precision_best_constant_classifier: bcc_precision,
        accuracy_best_constant_classifier: bcc_precision,
        true_positive_rate: recall,
        true_negative_rate: tnr,
        false_positive_rate: fpr,
        false_negative_rate: fnr,
        roc_false_positive_rates: roc_x,
        roc_true_positive_rates: roc_y,
        pr_precisions: pr_p,
        pr_recalls: pr_r,
        auc,
        f0_5: f_beta(precision, recall, 0.5),
        f1: f_beta(precision, recall, 1.0),
        f2: f_beta(precision, recall, 2.0),
        f0_5_best_constant_classifier: f_beta(bcc_precision, bcc_recall, 0.5),
        f1_best_constant_classifier: f_beta(bcc_precision, bcc_recall, 1.0),
        f2_best_constant_classifier: f_beta(bcc_precision, bcc_recall, 2.0),
    }
}

/// Multiclass classification metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct MulticlassMetrics {
    /// Every class seen (predicted or actual), in key order.
    pub classes: Vec<String>,
    /// `confusion[actual][predicted]`, indexed like `classes`.
    pub confusion: Vec<Vec<u64>>,
    /// Share of correct predictions.
    pub accuracy: f64,
    /// Support-weighted recall.
    pub weighted_recall: f64,
    /// Support-weighted precision.
    pub weighted_precision: f64,
    /// Support-weighted F0.5.
    pub weighted_f0_5: f64,
    /// Support-weighted F1.
    pub weighted_f1: f64,
    /// Support-weighted F2.
    pub weighted_f2: f64,
    /// The constant classifier's class (the least frequent actual class), if any sample.
    pub best_constant_class: Option<String>,
    /// Accuracy of the constant classifier.
    pub accuracy_best_constant_classifier: f64,
    /// Weighted recall of the constant classifier.
    pub weighted_recall_best_constant_classifier: f64,
    /// Weighted precision of the constant classifier.
    pub weighted_precision_best_constant_classifier: f64,
    /// Weighted F0.5 of the constant classifier.
    pub weighted_f0_5_best_constant_classifier: f64,
    /// Weighted F1 of the constant classifier.
    pub weighted_f1_best_constant_classifier: f64,
    /// Weighted F2 of the constant classifier.
    pub weighted_f2_best_constant_classifier: f64,
}

/// Sorts class labels: numerically when all are numbers, else as strings.
pub fn sort_classes(classes: &mut [String]) {
    let nums: Option<Vec<f64>> = classes.iter().map(|c| parse_number(c)).collect();
    if nums.is_some() {
        classes.sort_by(|a, b| {
            let (x, y) = (
                parse_number(a).unwrap_or(0.0),
                parse_number(b).unwrap_or(0.0),
            );
            x.total_cmp(&y).then_with(|| a.cmp(b))
        });
    } else {
        classes.sort();
    }
}

/// Weighted metrics of a confusion matrix (`[actual][predicted]`): (recall, precision, f0.5,
/// f1, f2), each Σ_c m_c · support_c / n.
fn weighted(conf: &[Vec<u64>], n: f64) -> [f64; 5] {
    let k = conf.len();
    let mut out = [0.0; 5];
    for c in 0..k {
        let support: u64 = conf[c].iter().sum();
        let predicted: u64 = conf.iter().map(|row| row[c]).sum();
        let tp = conf[c][c] as f64;
        let r = ratio(tp, support as f64);
        let p = ratio(tp, predicted as f64);
        let w = support as f64;
        out[0] += r * w;
        out[1] += p * w;
        out[2] += f_beta(p, r, 0.5) * w;
        out[3] += f_beta(p, r, 1.0) * w;
        out[4] += f_beta(p, r, 2.0) * w;
    }
    out.map(|s| ratio(s, n))
}

pub(super) fn multiclass_from(obs: &Observations) -> MulticlassMetrics {
    let mut classes = obs.class_names.clone();
    sort_classes(&mut classes);
    let pos: HashMap<&str, usize> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    // Class-table index -> sorted position.
    let at: Vec<usize> = obs
        .class_names
        .iter()
        .map(|c| pos.get(c.as_str()).copied().unwrap_or(0))
        .collect();
    let k = classes.len();
    let mut conf = vec![vec![0u64; k]; k];
    for &(p, a) in &obs.multiclass {
        conf[at[a as usize]][at[p as usize]] += 1;
    }
    let n = obs.multiclass.len() as f64;
    let correct: u64 = (0..k).map(|c| conf[c][c]).sum();
    let [wr, wp, wf05, wf1, wf2] = weighted(&conf, n);
    // Constant classifier: the least frequent actual class (first in key order on ties).
    let support: Vec<u64> = conf.iter().map(|row| row.iter().sum()).collect();
    let bcc = (0..k)
        .filter(|&c| support[c] > 0)
        .min_by_key(|&c| (support[c], c));
    let (bcc_class, bcc) = match bcc {
        Some(b) => {
            let mut cc = vec![vec![0u64; k]; k];
            for (a, row) in cc.iter_mut().enumerate() {
                row[b] = support[a];
            }
            (
                Some(classes[b].clone()),
                (ratio(support[b] as f64, n), weighted(&cc, n)),
            )
        }
        None => (None, (0.0, [0.0; 5])),
    };
    MulticlassMetrics {
        accuracy: ratio(correct as f64, n),
        weighted_recall: wr,
        weighted_precision: wp,
        weighted_f0_5: wf05,
        weighted_f1: wf1,
        weighted_f2: wf2,
        best_constant_class: bcc_class,
        accuracy_best_constant_classifier: bcc.0,
        weighted_recall_best_constant_classifier: bcc.1[0],
        weighted_precision_best_constant_classifier: bcc.1[1],
        weighted_f0_5_best_constant_classifier: bcc.1[2],
        weighted_f1_best_constant_classifier: bcc.1[3],
        weighted_f2_best_constant_classifier: bcc.1[4],
        classes,
        confusion: conf,
    }
}

/// Computes the multiclass metrics of (predicted, actual) label pairs.
pub fn multiclass_metrics<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> MulticlassMetrics {
    let mut obs = Observations::new(ProblemType::MulticlassClassification);
    for (p, a) in pairs {
        let (p, a) = (obs.intern(p), obs.intern(a));
        obs.multiclass.push((p, a));
    }
    multiclass_from(&obs)
}

/// Regression metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegressionMetrics {
    /// Mean absolute error.
    pub mae: f64,
    /// Mean squared error.
    pub mse: f64,
    /// √mse.
    pub rmse: f64,
    /// 1 − SSE/SST around the ground-truth mean.
    pub r2: f64,
}

/// Computes the regression metrics of `obs` (NaN for no sample).
pub fn regression_metrics(obs: &[RegressionObservation]) -> RegressionMetrics {
    let n = obs.len() as f64;
    let (mut sae, mut sse, mut sy) = (0.0, 0.0, 0.0);
    for o in obs {
        let e = o.actual - o.predicted;
        sae += e.abs();
        sse += e * e;
        sy += o.actual;
    }
    let mean = sy / n;
    let mut sst = 0.0;
    for o in obs {
        let d = o.actual - mean;
        sst += d * d;
    }
    let mse = sse / n;
    let r2 = if sst == 0.0 {
        if sse == 0.0 {
            1.0
        } else {
            0.0
        }
    } else {
        1.0 - sse / sst
    };
    RegressionMetrics {
        mae: sae / n,
        mse,
        rmse: mse.sqrt(),
        r2,
    }
}
