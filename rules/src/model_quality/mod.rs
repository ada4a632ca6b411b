//! Model quality: SageMaker's `MODEL_QUALITY` metrics over (prediction, probability, label)
//! samples, the `statistics.json` sections `binary_classification_metrics`,
//! `multiclass_classification_metrics` and `regression_metrics`, suggested model-quality
//! `constraints.json`, and the evaluation of a current window against those constraints. AWS's
//! metrics and file formats:
//! <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-metrics.html>;
//! the violations file:
//! <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-violations.html>.
//!
//! Pure: samples in, SageMaker files out. No I/O, no clock; the sub-sampling for standard
//! deviations uses a seeded generator, so every result is a function of the input.
//!
//! # Samples and memory
//!
//! [`Observations`] keeps every sample, in arrival order: model-quality windows are the
//! predictions that got a label, which are few compared with the capture (SageMaker itself
//! joins them in memory-bound Spark jobs). A sample costs 16 bytes (binary: score, predicted,
//! actual; regression: predicted, actual) or 8 bytes (multiclass: two class indices into a
//! shared class table), so a million samples take 16 MB. [`Observations::merge`] appends another
//! batch (order kept), so per-object readers can be combined.
//!
//! [`make_sample`] turns the raw texts of one row into a [`Sample`], with the same rules for the
//! baseline dataset and the monitored window:
//!
//! * numbers are read with Rust's `f64` parser after trimming; `NaN` and infinities are not
//!   numbers here;
//! * class labels are trimmed, and a label that is an integral number is written as an integer
//!   (`"1.0"` and `"1"` are the class `"1"`), so CSV captures (`1.0`) and CSV labels (`1`) agree;
//! * binary labels and binary predictions must be the class `0` or `1` (`true`/`false` are
//!   accepted as 1/0); anything else is a counted error, never silently mapped;
//! * binary: the predicted label is the inference attribute when it is configured, else
//!   `probability > threshold` (SageMaker's `probability_threshold_attribute`; the threshold
//!   defaults to 0.5). The score used for the curves and the AUC is the probability when one is
//!   configured, else the predicted label itself (0.0 / 1.0);
//! * multiclass: the prediction is a class label (probability vectors are not read).
//!
//! # Metrics
//!
//! Keys are written in the order of SageMaker's documented examples. Each scalar is
//! `{"value": x, "standard_deviation": s}`. Every division by zero gives 0 (as scikit-learn's
//! `zero_division=0`).
//!
//! **Binary** (positive class `1`): with TP, FP, TN, FN from the predicted labels,
//! `recall` = `true_positive_rate` = TP/(TP+FN); `precision` = TP/(TP+FP);
//! `accuracy` = (TP+TN)/n; `false_positive_rate` = FP/(FP+TN);
//! `true_negative_rate` = 1 − `false_positive_rate` and `false_negative_rate` =
//! 1 − `true_positive_rate` (0 when there are no negatives / positives). The `1 − x` forms
//! reproduce the AWS docs example bit for bit (`0.33333333333333337`, not `0.3333333333333333`).
//! F-scores: `f_β` = (1+β²)·P·R / (β²·P + R) for β = 0.5, 1, 2 — this exact expression
//! reproduces every F value of the AWS examples bit for bit.
//!
//! *Best constant classifier* (binary): the classifier that always predicts the positive class
//! `1`. Its precision and accuracy are the share of positives and its recall is 1. This is what
//! the AWS docs example implies: with 1 positive in 4, `accuracy_best_constant_classifier` =
//! `precision_best_constant_classifier` = 0.25 and `recall_best_constant_classifier` = 1.0 —
//! the majority class (0) would give accuracy 0.75 and recall 0.
//!
//! `receiver_operating_characteristic_curve` and `precision_recall_curve` follow Spark's
//! `BinaryClassificationMetrics` (the analyzer runs on Spark), which reproduces the AWS docs
//! example exactly: samples are sorted by score, descending, and each distinct score is one
//! threshold (ties form one step). ROC = `(0, 0)`, then `(FPR, TPR)` at each threshold, then
//! `(1, 1)`; this is scikit-learn's `roc_curve(drop_intermediate=False)` plus the final `(1, 1)`.
//! PR = `(recall 0, precision at the first threshold)`, then `(recall, precision)` at each
//! threshold in ascending recall; this is scikit-learn's `precision_recall_curve` reversed,
//! except that its first point has precision 1 instead. `auc` is the trapezoidal area under that
//! ROC curve, which equals scikit-learn's `roc_auc_score` (ties count one half). With no
//! negatives (positives) the false (true) positive rates are 0, as in Spark: scikit-learn
//! refuses such data, Spark (and so we) report an AUC of 1 (0).
//!
//! **Multiclass**: `confusion_matrix` over the union of predicted and actual classes; `accuracy`;
//! `weighted_*` = Σ_c m_c · support_c / n over the classes in key order (scikit-learn's
//! `average="weighted"`, `zero_division=0`), where support is the number of actual samples of the
//! class; this reproduces the AWS docs example bit for bit. *Best constant classifier*
//! (multiclass): always predict the **least frequent** actual class (ties: the first in key
//! order). The AWS docs example (2096 rows, 406 of class `1`) has
//! `accuracy_best_constant_classifier` = 406/2096 and `weighted_precision_…` = (406/2096)², so
//! the constant class there is the minority class; "the largest class label" fits that one
//! example too, "the majority class" does not. We pick the least frequent class; it agrees with
//! the binary rule whenever positives are the minority.
//!
//! **Regression**: `mae` = Σ|y−ŷ|/n, `mse` = Σ(y−ŷ)²/n, `rmse` = √mse, `r2` = 1 − SSE/SST with
//! SST = Σ(y−ȳ)² around the ground-truth mean (two passes, sums in sample order). These are bit
//! identical to AWS on `sdk-model-quality-regression-baseline`. When SST = 0, r2 is 1 if SSE = 0
//! and 0 otherwise (scikit-learn's `force_finite`).
//!
//! `confusion_matrix` is `{"<actual>": {"<predicted>": count}}` (the outer key is the actual
//! class, checked against the docs example); every class appears in every row, zeros included.
//! Class keys are sorted numerically when all of them are numbers, else as strings.
//!
//! # Standard deviations
//!
//! Below [`StdDevOptions::min_samples`] (200) samples every `standard_deviation` is `"NaN"`, as
//! in AWS output. From 200 samples on, [`StdDevOptions::draws`] (5) sub-samples of
//! ⌊0.8·n⌋ samples are drawn **without replacement** (a partial Fisher–Yates shuffle driven by
//! SplitMix64 seeded with [`StdDevOptions::seed`]; each draw keeps the original sample order),
//! every scalar metric is recomputed on each, and the **sample** standard deviation (n − 1 in the
//! denominator, as Spark SQL's `stddev`) of the 5 values is reported. AWS does not document its
//! generator, seed or ddof, so these numbers cannot match AWS's: they are of the same size, and
//! deterministic.
//!
//! # Constraints and violations
//!
//! [`suggest_constraints`] writes `threshold` = the baseline value with the operator of the bad
//! direction: `GreaterThanThreshold` for errors (`mae`, `mse`, `rmse`, `false_positive_rate`,
//! `false_negative_rate`), `LessThanThreshold` for everything else. Only the model's own scalar
//! metrics get a constraint (see [`suggested_metrics`]): the `*_best_constant_classifier` values
//! describe the label mix, not the model, so a constraint on them would fire when the class
//! balance moves; curves and the confusion matrix have no scalar to compare. A metric whose
//! baseline value is NaN gets no constraint.
//!
//! [`evaluate`] checks every constraint of the problem type's section: a violation is raised when
//! `value <operator> threshold` holds, for the four CloudWatch operators. The description is the
//! template of AWS's community clone: `Metric <name> with <value> was <Operator> <threshold>`,
//! numbers printed as Java's `Double.toString`. A constrained metric that the statistics lack (a
//! custom metric) or whose value is NaN is reported as not evaluated, never as a violation.

mod constraints;
mod error;
mod metrics;
mod observations;
mod problem_type;
mod sample;
mod statistics;

pub use constraints::*;
pub use error::*;
pub use metrics::*;
pub use observations::*;
pub use problem_type::*;
pub use sample::*;
pub use statistics::*;

#[cfg(test)]
mod tests;
