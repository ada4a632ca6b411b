//! Model quality: SageMaker's `MODEL_QUALITY` metrics over (prediction, probability, label)
//! samples, the `statistics.json` sections `binary_classification_metrics`,
//! `multiclass_classification_metrics` and `regression_metrics`, suggested model-quality
//! `constraints.json`, and the evaluation of a current window against those constraints
//! (`sagemaker-compat.md` §5.2, §6).
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
//! # Metrics (§6.2)
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
//! # Constraints and violations (§5.2, §6.3)
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

use std::collections::HashMap;
use std::fmt;

use driftmon_baseline::files::{
    ConstraintViolations, Constraints, Dataset, MetricConstraint, MetricConstraints, Statistics,
    Violation,
};
use driftmon_baseline::jackson::java_double;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------------
// Problem types
// ---------------------------------------------------------------------------------------------

/// SageMaker's `problem_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemType {
    /// Labels 0/1, optionally with a probability of class 1.
    BinaryClassification,
    /// Any number of class labels.
    MulticlassClassification,
    /// Numeric predictions and labels.
    Regression,
}

impl ProblemType {
    /// Every problem type, in SageMaker's order.
    pub const ALL: [ProblemType; 3] = [
        ProblemType::BinaryClassification,
        ProblemType::MulticlassClassification,
        ProblemType::Regression,
    ];

    /// Parses `BinaryClassification`, `MulticlassClassification` or `Regression` (any case;
    /// `binary` and `multiclass` are accepted too).
    pub fn parse(s: &str) -> Option<ProblemType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "binaryclassification" | "binary" => Some(ProblemType::BinaryClassification),
            "multiclassclassification" | "multiclass" => {
                Some(ProblemType::MulticlassClassification)
            }
            "regression" => Some(ProblemType::Regression),
            _ => None,
        }
    }

    /// SageMaker's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemType::BinaryClassification => "BinaryClassification",
            ProblemType::MulticlassClassification => "MulticlassClassification",
            ProblemType::Regression => "Regression",
        }
    }

    /// The `statistics.json` section: `binary_classification_metrics`, ….
    pub fn metrics_key(self) -> &'static str {
        match self {
            ProblemType::BinaryClassification => "binary_classification_metrics",
            ProblemType::MulticlassClassification => "multiclass_classification_metrics",
            ProblemType::Regression => "regression_metrics",
        }
    }

    /// The `constraints.json` section: `binary_classification_constraints`, ….
    pub fn constraints_key(self) -> &'static str {
        match self {
            ProblemType::BinaryClassification => "binary_classification_constraints",
            ProblemType::MulticlassClassification => "multiclass_classification_constraints",
            ProblemType::Regression => "regression_constraints",
        }
    }

    /// The metrics a dashboard shows for this type (a readable subset of
    /// [`ProblemType::all_metrics`]).
    pub fn dashboard_metrics(self) -> &'static [&'static str] {
        match self {
            ProblemType::BinaryClassification => &["accuracy", "precision", "recall", "f1", "auc"],
            ProblemType::MulticlassClassification => &[
                "accuracy",
                "weighted_precision",
                "weighted_recall",
                "weighted_f1",
            ],
            ProblemType::Regression => &["mae", "rmse", "r2"],
        }
    }

    /// Every metric published for this type (the metric catalog's list).
    pub fn all_metrics(self) -> &'static [&'static str] {
        use crate::metrics_catalog::{
            BINARY_CLASSIFICATION_METRICS, MULTICLASS_CLASSIFICATION_METRICS, REGRESSION_METRICS,
        };
        match self {
            ProblemType::BinaryClassification => BINARY_CLASSIFICATION_METRICS,
            ProblemType::MulticlassClassification => MULTICLASS_CLASSIFICATION_METRICS,
            ProblemType::Regression => REGRESSION_METRICS,
        }
    }
}

impl fmt::Display for ProblemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A model-quality computation or evaluation that cannot proceed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelQualityError {
    /// A sample or batch of another problem type was added.
    #[error("a {found} sample cannot be added to {expected} observations")]
    ProblemMismatch {
        /// The observations' problem type.
        expected: ProblemType,
        /// The sample's problem type.
        found: ProblemType,
    },
    /// Metrics of no sample were asked for.
    #[error("no samples: model-quality metrics need at least one (prediction, label) pair")]
    NoSamples,
    /// The statistics have no section for the problem type.
    #[error("statistics.json has no {0} section")]
    MissingMetrics(&'static str),
    /// The constraints have no section for the problem type.
    #[error("constraints.json has no {section} section (is it a {problem} baseline?)")]
    MissingConstraints {
        /// The section looked for.
        section: &'static str,
        /// The problem type.
        problem: ProblemType,
    },
    /// A constraint's operator is not one of the four CloudWatch operators.
    #[error(
        "constraint {metric}: unknown comparison_operator {operator:?}; expected \
         GreaterThanThreshold, LessThanThreshold, GreaterThanOrEqualToThreshold or \
         LessThanOrEqualToThreshold"
    )]
    InvalidOperator {
        /// The metric.
        metric: String,
        /// The operator found.
        operator: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------------

/// One field of a raw row, as far as model quality is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<'a> {
    /// The attribute is not configured.
    NotConfigured,
    /// The attribute is configured but the row has no value there (absent, null or empty).
    Missing,
    /// The value's text.
    Value(&'a str),
}

/// One (prediction, label) pair ready for the metrics.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// A binary classification sample.
    Binary {
        /// Predicted class 1.
        predicted: bool,
        /// The score ranking the samples for the curves and the AUC.
        score: f64,
        /// Actual class 1.
        actual: bool,
    },
    /// A multiclass sample (canonical class labels).
    Multiclass {
        /// Predicted class.
        predicted: String,
        /// Actual class.
        actual: String,
    },
    /// A regression sample.
    Regression {
        /// Predicted value.
        predicted: f64,
        /// Actual value.
        actual: f64,
    },
}

/// Why one row gave no sample. Counted and reported by kind, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleError {
    /// The inference attribute has no value.
    MissingPrediction,
    /// The prediction is not usable (not a number, or not 0/1 for binary).
    InvalidPrediction {
        /// The value.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// The probability attribute has no value.
    MissingProbability,
    /// The probability is not a finite number.
    InvalidProbability {
        /// The value.
        value: String,
    },
    /// The label has no value.
    MissingLabel,
    /// The label is not a number (binary, regression).
    NonNumericLabel {
        /// The value.
        value: String,
    },
    /// The label is a number but not a binary class (0 or 1).
    InvalidLabel {
        /// The value.
        value: String,
    },
}

impl SampleError {
    /// A stable code for counting: `missing_prediction`, `invalid_prediction`,
    /// `missing_probability`, `invalid_probability`, `missing_label`, `non_numeric_label`,
    /// `invalid_label`.
    pub fn kind(&self) -> &'static str {
        match self {
            SampleError::MissingPrediction => "missing_prediction",
            SampleError::InvalidPrediction { .. } => "invalid_prediction",
            SampleError::MissingProbability => "missing_probability",
            SampleError::InvalidProbability { .. } => "invalid_probability",
            SampleError::MissingLabel => "missing_label",
            SampleError::NonNumericLabel { .. } => "non_numeric_label",
            SampleError::InvalidLabel { .. } => "invalid_label",
        }
    }
}

impl fmt::Display for SampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SampleError::MissingPrediction => f.write_str("the inference attribute has no value"),
            SampleError::InvalidPrediction { value, reason } => {
                write!(f, "prediction {value:?} is {reason}")
            }
            SampleError::MissingProbability => {
                f.write_str("the probability attribute has no value")
            }
            SampleError::InvalidProbability { value } => {
                write!(f, "probability {value:?} is not a finite number")
            }
            SampleError::MissingLabel => f.write_str("the ground-truth label has no value"),
            SampleError::NonNumericLabel { value } => {
                write!(f, "ground-truth label {value:?} is not a number")
            }
            SampleError::InvalidLabel { value } => {
                write!(
                    f,
                    "ground-truth label {value:?} is not a binary class (0 or 1)"
                )
            }
        }
    }
}

impl std::error::Error for SampleError {}

/// Parses a finite number (trimmed); `None` for anything else.
pub fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The canonical class label of a text: trimmed, and an integral number written as an integer
/// (`"1.0"` → `"1"`, `"-0"` → `"0"`). `None` for an empty text.
pub fn canonical_class(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(x) = parse_number(t) {
        if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 {
            return Some(format!("{}", x as i64));
        }
    }
    Some(t.to_owned())
}

enum Binary {
    Zero,
    One,
    OtherNumber,
    NotNumber,
}

fn parse_binary(s: &str) -> Binary {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") {
        return Binary::One;
    }
    if t.eq_ignore_ascii_case("false") {
        return Binary::Zero;
    }
    match parse_number(t) {
        Some(x) => {
            if x == 1.0 {
                Binary::One
            } else if x == 0.0 {
                Binary::Zero
            } else {
                Binary::OtherNumber
            }
        }
        None => Binary::NotNumber,
    }
}

/// Builds one sample from the raw texts of a row (see the module documentation for the rules).
/// `threshold` is the binary probability threshold (`prob > threshold` is class 1), used only
/// when the prediction is not configured.
pub fn make_sample(
    problem: ProblemType,
    threshold: f64,
    prediction: Field<'_>,
    probability: Field<'_>,
    label: Field<'_>,
) -> Result<Sample, SampleError> {
    let label_text = match label {
        Field::Value(s) if !s.trim().is_empty() => s,
        _ => return Err(SampleError::MissingLabel),
    };
    let prediction = match prediction {
        Field::Value(s) if s.trim().is_empty() => Field::Missing,
        p => p,
    };
    match problem {
        ProblemType::Regression => {
            let p = match prediction {
                Field::Value(s) => {
                    parse_number(s).ok_or_else(|| SampleError::InvalidPrediction {
                        value: s.to_owned(),
                        reason: "not a number",
                    })?
                }
                _ => return Err(SampleError::MissingPrediction),
            };
            let y = parse_number(label_text).ok_or_else(|| SampleError::NonNumericLabel {
                value: label_text.to_owned(),
            })?;
            Ok(Sample::Regression {
                predicted: p,
                actual: y,
            })
        }
        ProblemType::MulticlassClassification => {
            let p = match prediction {
                Field::Value(s) => canonical_class(s).ok_or(SampleError::MissingPrediction)?,
                _ => return Err(SampleError::MissingPrediction),
            };
            let y = canonical_class(label_text).ok_or(SampleError::MissingLabel)?;
            Ok(Sample::Multiclass {
                predicted: p,
                actual: y,
            })
        }
        ProblemType::BinaryClassification => {
            let prob = match probability {
                Field::NotConfigured => None,
                Field::Missing => return Err(SampleError::MissingProbability),
                Field::Value(s) if s.trim().is_empty() => {
                    return Err(SampleError::MissingProbability)
                }
                Field::Value(s) => {
                    Some(
                        parse_number(s).ok_or_else(|| SampleError::InvalidProbability {
                            value: s.to_owned(),
                        })?,
                    )
                }
            };
            let predicted = match prediction {
                Field::Value(s) => match parse_binary(s) {
                    Binary::One => true,
                    Binary::Zero => false,
                    Binary::OtherNumber => {
                        return Err(SampleError::InvalidPrediction {
                            value: s.to_owned(),
                            reason: "not a binary class (0 or 1); for a score, use it as the \
                                     probability attribute with a probability threshold",
                        })
                    }
                    Binary::NotNumber => {
                        return Err(SampleError::InvalidPrediction {
                            value: s.to_owned(),
                            reason: "not a binary class (0 or 1)",
                        })
                    }
                },
                Field::Missing => return Err(SampleError::MissingPrediction),
                Field::NotConfigured => match prob {
                    Some(p) => p > threshold,
                    None => return Err(SampleError::MissingPrediction),
                },
            };
            let actual = match parse_binary(label_text) {
                Binary::One => true,
                Binary::Zero => false,
                Binary::OtherNumber => {
                    return Err(SampleError::InvalidLabel {
                        value: label_text.to_owned(),
                    })
                }
                Binary::NotNumber => {
                    return Err(SampleError::NonNumericLabel {
                        value: label_text.to_owned(),
                    })
                }
            };
            Ok(Sample::Binary {
                predicted,
                score: prob.unwrap_or(if predicted { 1.0 } else { 0.0 }),
                actual,
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Observations
// ---------------------------------------------------------------------------------------------

/// One binary sample as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryObservation {
    /// The ranking score (probability of class 1, or the predicted label).
    pub score: f64,
    /// Predicted class 1.
    pub predicted: bool,
    /// Actual class 1.
    pub actual: bool,
}

/// One regression sample as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegressionObservation {
    /// Predicted value.
    pub predicted: f64,
    /// Actual (ground-truth) value.
    pub actual: f64,
}

/// The samples of one baseline or window, in arrival order (see the module documentation for
/// the memory cost).
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    problem: ProblemType,
    binary: Vec<BinaryObservation>,
    regression: Vec<RegressionObservation>,
    class_names: Vec<String>,
    class_index: HashMap<String, u32>,
    /// (predicted, actual) class indices.
    multiclass: Vec<(u32, u32)>,
}

impl Observations {
    /// No samples yet.
    pub fn new(problem: ProblemType) -> Self {
        Observations {
            problem,
            binary: Vec::new(),
            regression: Vec::new(),
            class_names: Vec::new(),
            class_index: HashMap::new(),
            multiclass: Vec::new(),
        }
    }

    /// The problem type.
    pub fn problem(&self) -> ProblemType {
        self.problem
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        match self.problem {
            ProblemType::BinaryClassification => self.binary.len(),
            ProblemType::MulticlassClassification => self.multiclass.len(),
            ProblemType::Regression => self.regression.len(),
        }
    }

    /// `true` when there is no sample.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The binary samples (empty for other problem types).
    pub fn binary(&self) -> &[BinaryObservation] {
        &self.binary
    }

    /// The regression samples (empty for other problem types).
    pub fn regression(&self) -> &[RegressionObservation] {
        &self.regression
    }

    /// The multiclass samples as (predicted, actual) labels (empty for other problem types).
    pub fn multiclass(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.multiclass.iter().map(|&(p, a)| {
            (
                self.class_names[p as usize].as_str(),
                self.class_names[a as usize].as_str(),
            )
        })
    }

    fn intern(&mut self, class: &str) -> u32 {
        if let Some(&i) = self.class_index.get(class) {
            return i;
        }
        let i = self.class_names.len() as u32;
        self.class_names.push(class.to_owned());
        self.class_index.insert(class.to_owned(), i);
        i
    }

    /// Adds one sample; it must be of the observations' problem type.
    pub fn push(&mut self, s: Sample) -> Result<(), ModelQualityError> {
        let found = match &s {
            Sample::Binary { .. } => ProblemType::BinaryClassification,
            Sample::Multiclass { .. } => ProblemType::MulticlassClassification,
            Sample::Regression { .. } => ProblemType::Regression,
        };
        if found != self.problem {
            return Err(ModelQualityError::ProblemMismatch {
                expected: self.problem,
                found,
            });
        }
        match s {
            Sample::Binary {
                predicted,
                score,
                actual,
            } => self.binary.push(BinaryObservation {
                score,
                predicted,
                actual,
            }),
            Sample::Multiclass { predicted, actual } => {
                let p = self.intern(&predicted);
                let a = self.intern(&actual);
                self.multiclass.push((p, a));
            }
            Sample::Regression { predicted, actual } => self
                .regression
                .push(RegressionObservation { predicted, actual }),
        }
        Ok(())
    }

    /// Appends every sample of `other` (same problem type), keeping both orders.
    pub fn merge(&mut self, other: &Observations) -> Result<(), ModelQualityError> {
        if other.problem != self.problem {
            return Err(ModelQualityError::ProblemMismatch {
                expected: self.problem,
                found: other.problem,
            });
        }
        self.binary.extend_from_slice(&other.binary);
        self.regression.extend_from_slice(&other.regression);
        let map: Vec<u32> = other.class_names.iter().map(|c| self.intern(c)).collect();
        self.multiclass.extend(
            other
                .multiclass
                .iter()
                .map(|&(p, a)| (map[p as usize], map[a as usize])),
        );
        Ok(())
    }

    /// The samples at `idx` (in that order), sharing the class table.
    fn subset(&self, idx: &[usize]) -> Observations {
        let mut out = Observations {
            problem: self.problem,
            binary: Vec::new(),
            regression: Vec::new(),
            class_names: self.class_names.clone(),
            class_index: self.class_index.clone(),
            multiclass: Vec::new(),
        };
        match self.problem {
            ProblemType::BinaryClassification => {
                out.binary = idx.iter().map(|&i| self.binary[i]).collect()
            }
            ProblemType::MulticlassClassification => {
                out.multiclass = idx.iter().map(|&i| self.multiclass[i]).collect()
            }
            ProblemType::Regression => {
                out.regression = idx.iter().map(|&i| self.regression[i]).collect()
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

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

fn multiclass_from(obs: &Observations) -> MulticlassMetrics {
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

// ---------------------------------------------------------------------------------------------
// statistics.json
// ---------------------------------------------------------------------------------------------

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

/// SplitMix64: small, fast, and fully specified, so draws are reproducible everywhere.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by the multiply-shift method.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// The sample indices of each draw: `draws` sorted index lists of ⌊fraction·n⌋ distinct indices.
pub fn draw_indices(n: usize, opts: &StdDevOptions) -> Vec<Vec<usize>> {
    let k = ((n as f64) * opts.fraction).floor() as usize;
    let k = k.min(n);
    let mut rng = SplitMix64(opts.seed);
    let mut out = Vec::with_capacity(opts.draws);
    for _ in 0..opts.draws {
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + rng.below(n - i);
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

// ---------------------------------------------------------------------------------------------
// constraints.json and violations
// ---------------------------------------------------------------------------------------------

/// A CloudWatch comparison operator; a violation is raised when `value <op> threshold` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `value > threshold`.
    GreaterThanThreshold,
    /// `value < threshold`.
    LessThanThreshold,
    /// `value >= threshold`.
    GreaterThanOrEqualToThreshold,
    /// `value <= threshold`.
    LessThanOrEqualToThreshold,
}

impl Operator {
    /// Parses an operator name (exact spelling, any case).
    pub fn parse(s: &str) -> Option<Operator> {
        [
            Operator::GreaterThanThreshold,
            Operator::LessThanThreshold,
            Operator::GreaterThanOrEqualToThreshold,
            Operator::LessThanOrEqualToThreshold,
        ]
        .into_iter()
        .find(|o| o.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The CloudWatch spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::GreaterThanThreshold => "GreaterThanThreshold",
            Operator::LessThanThreshold => "LessThanThreshold",
            Operator::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Operator::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }

    /// Whether `value <op> threshold` holds (never for NaN).
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Operator::GreaterThanThreshold => value > threshold,
            Operator::LessThanThreshold => value < threshold,
            Operator::GreaterThanOrEqualToThreshold => value >= threshold,
            Operator::LessThanOrEqualToThreshold => value <= threshold,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The metrics that get a suggested constraint, with the operator of the bad direction, in
/// statistics order.
pub fn suggested_metrics(problem: ProblemType) -> &'static [(&'static str, Operator)] {
    use Operator::{GreaterThanThreshold as G, LessThanThreshold as L};
    match problem {
        ProblemType::BinaryClassification => &[
            ("recall", L),
            ("precision", L),
            ("accuracy", L),
            ("true_positive_rate", L),
            ("true_negative_rate", L),
            ("false_positive_rate", G),
            ("false_negative_rate", G),
            ("auc", L),
            ("f0_5", L),
            ("f1", L),
            ("f2", L),
        ],
        ProblemType::MulticlassClassification => &[
            ("accuracy", L),
            ("weighted_recall", L),
            ("weighted_precision", L),
            ("weighted_f0_5", L),
            ("weighted_f1", L),
            ("weighted_f2", L),
        ],
        ProblemType::Regression => &[("mae", G), ("mse", G), ("rmse", G), ("r2", L)],
    }
}

/// Suggested `constraints.json` from baseline statistics: threshold = the baseline value (see
/// the module documentation for which metrics and operators).
pub fn suggest_constraints(
    stats: &Statistics,
    problem: ProblemType,
) -> Result<Constraints, ModelQualityError> {
    let section = metrics_of(stats, problem)
        .ok_or(ModelQualityError::MissingMetrics(problem.metrics_key()))?;
    let mut list = Vec::new();
    for &(name, op) in suggested_metrics(problem) {
        if let Some(v) = metric_value(section, name).filter(|v| !v.is_nan()) {
            list.push((
                name.to_owned(),
                MetricConstraint {
                    threshold: v,
                    comparison_operator: op.as_str().to_owned(),
                    ..Default::default()
                },
            ));
        }
    }
    let mc = Some(MetricConstraints(list));
    let mut c = Constraints {
        version: 0.0,
        ..Default::default()
    };
    match problem {
        ProblemType::BinaryClassification => c.binary_classification_constraints = mc,
        ProblemType::MulticlassClassification => c.multiclass_classification_constraints = mc,
        ProblemType::Regression => c.regression_constraints = mc,
    }
    Ok(c)
}

/// The constraints section of `c` for `problem`, if present.
pub fn constraints_of(c: &Constraints, problem: ProblemType) -> Option<&MetricConstraints> {
    match problem {
        ProblemType::BinaryClassification => c.binary_classification_constraints.as_ref(),
        ProblemType::MulticlassClassification => c.multiclass_classification_constraints.as_ref(),
        ProblemType::Regression => c.regression_constraints.as_ref(),
    }
}

/// One constraint checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The metric.
    pub metric: String,
    /// The operator.
    pub operator: Operator,
    /// The threshold.
    pub threshold: f64,
    /// The current value, when the statistics have it.
    pub value: Option<f64>,
    /// Whether `value <operator> threshold` holds.
    pub violated: bool,
    /// Why the check could not be evaluated, if so.
    pub note: Option<String>,
}

/// The result of checking a window's statistics against model-quality constraints.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// Every constraint, in file order.
    pub checks: Vec<Check>,
    /// The violations, in SageMaker's schema (`metric_name`, no `feature_name`).
    pub violations: ConstraintViolations,
}

/// SageMaker clone's violation text: `Metric <name> with <value> was <Operator> <threshold>`.
pub fn violation_description(metric: &str, value: f64, op: Operator, threshold: f64) -> String {
    format!(
        "Metric {metric} with {} was {} {}",
        java_double(value),
        op.as_str(),
        java_double(threshold)
    )
}

/// Checks every constraint of `problem`'s section against `stats` (see the module
/// documentation). Errors: the constraints or the statistics lack the section, or an operator is
/// unknown (checked for every constraint before any is evaluated).
pub fn evaluate(
    stats: &Statistics,
    constraints: &Constraints,
    problem: ProblemType,
) -> Result<Evaluation, ModelQualityError> {
    let cons =
        constraints_of(constraints, problem).ok_or(ModelQualityError::MissingConstraints {
            section: problem.constraints_key(),
            problem,
        })?;
    let section = metrics_of(stats, problem)
        .ok_or(ModelQualityError::MissingMetrics(problem.metrics_key()))?;
    let mut ops = Vec::with_capacity(cons.len());
    for (metric, c) in cons.iter() {
        let op = Operator::parse(&c.comparison_operator).ok_or_else(|| {
            ModelQualityError::InvalidOperator {
                metric: metric.to_owned(),
                operator: c.comparison_operator.clone(),
            }
        })?;
        ops.push(op);
    }
    let mut ev = Evaluation::default();
    for ((metric, c), op) in cons.iter().zip(ops) {
        let value = metric_value(section, metric);
        let (violated, note) = match value {
            None => (false, Some("metric not in the statistics".to_owned())),
            Some(v) if v.is_nan() => (false, Some("metric value is NaN".to_owned())),
            Some(_) if c.threshold.is_nan() => (false, Some("threshold is NaN".to_owned())),
            Some(v) => (op.holds(v, c.threshold), None),
        };
        if violated {
            if let Some(v) = value {
                ev.violations.violations.push(Violation {
                    metric_name: Some(metric.to_owned()),
                    constraint_check_type: op.as_str().to_owned(),
                    description: violation_description(metric, v, op, c.threshold),
                    ..Default::default()
                });
            }
        }
        ev.checks.push(Check {
            metric: metric.to_owned(),
            operator: op,
            threshold: c.threshold,
            value,
            violated,
            note,
        });
    }
    Ok(ev)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use driftmon_baseline::files::{parse_constraints, parse_statistics, to_jackson};

    fn bin(predicted: u8, score: f64, actual: u8) -> BinaryObservation {
        BinaryObservation {
            score,
            predicted: predicted == 1,
            actual: actual == 1,
        }
    }

    #[test]
    fn docs_binary_example_bit_exact() {
        // The AWS docs' binary example: confusion {"0":{"0":1,"1":2},"1":{"0":0,"1":1}}.
        let obs = [
            bin(0, 0.1, 0),
            bin(1, 0.6, 0),
            bin(1, 0.7, 0),
            bin(1, 0.9, 1),
        ];
        let m = binary_metrics(&obs);
        assert_eq!(m.confusion, [[1, 2], [0, 1]]);
        assert_eq!(m.recall, 1.0);
        assert_eq!(m.precision, 0.3333333333333333);
        assert_eq!(m.accuracy, 0.5);
        assert_eq!(m.recall_best_constant_classifier, 1.0);
        assert_eq!(m.precision_best_constant_classifier, 0.25);
        assert_eq!(m.accuracy_best_constant_classifier, 0.25);
        assert_eq!(m.true_positive_rate, 1.0);
        assert_eq!(m.true_negative_rate, 0.33333333333333337);
        assert_eq!(m.false_positive_rate, 0.6666666666666666);
        assert_eq!(m.false_negative_rate, 0.0);
        assert_eq!(m.f0_5, 0.3846153846153846);
        assert_eq!(m.f1, 0.5);
        assert_eq!(m.f2, 0.7142857142857143);
        assert_eq!(m.f0_5_best_constant_classifier, 0.29411764705882354);
        assert_eq!(m.f1_best_constant_classifier, 0.4);
        assert_eq!(m.f2_best_constant_classifier, 0.625);
    }

    #[test]
    fn docs_curves_are_sparks() {
        // The docs' curves are those of 4 positives with distinct scores (Spark's form).
        let obs = [
            bin(1, 0.9, 1),
            bin(1, 0.8, 1),
            bin(1, 0.7, 1),
            bin(1, 0.6, 1),
        ];
        let m = binary_metrics(&obs);
        assert_eq!(m.roc_false_positive_rates, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(m.roc_true_positive_rates, [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]);
        assert_eq!(m.pr_precisions, [1.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(m.pr_recalls, [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(m.auc, 1.0);
    }

    #[test]
    fn docs_multiclass_example_bit_exact() {
        let mut pairs = Vec::new();
        for (a, p, n) in [
            ("0", "0", 1180),
            ("0", "1", 510),
            ("1", "0", 268),
            ("1", "1", 138),
        ] {
            for _ in 0..n {
                pairs.push((p, a));
            }
        }
        let m = multiclass_metrics(pairs.iter().copied());
        assert_eq!(m.confusion, vec![vec![1180, 510], vec![268, 138]]);
        assert_eq!(m.accuracy, 0.6288167938931297);
        assert_eq!(m.weighted_recall, 0.6288167938931297);
        assert_eq!(m.weighted_precision, 0.6983172269629505);
        assert_eq!(m.weighted_f0_5, 0.6803947317178771);
        assert_eq!(m.weighted_f1, 0.6571162346664904);
        assert_eq!(m.weighted_f2, 0.6384024354394601);
        assert_eq!(m.best_constant_class.as_deref(), Some("1"));
        assert_eq!(m.accuracy_best_constant_classifier, 0.19370229007633588);
        assert_eq!(
            m.weighted_recall_best_constant_classifier,
            0.19370229007633588
        );
        assert_eq!(
            m.weighted_precision_best_constant_classifier,
            0.03752057718081697
        );
        assert_eq!(
            m.weighted_f0_5_best_constant_classifier,
            0.04473443104152011
        );
        assert_eq!(m.weighted_f1_best_constant_classifier, 0.06286421244683643);
        assert_eq!(m.weighted_f2_best_constant_classifier, 0.10570313141262414);
    }

    #[test]
    fn make_sample_rules() {
        use Field::*;
        let b = ProblemType::BinaryClassification;
        assert_eq!(
            make_sample(b, 0.5, NotConfigured, Value("0.7"), Value("1.0")),
            Ok(Sample::Binary {
                predicted: true,
                score: 0.7,
                actual: true
            })
        );
        assert_eq!(
            make_sample(b, 0.5, NotConfigured, Value("0.5"), Value("0")),
            Ok(Sample::Binary {
                predicted: false,
                score: 0.5,
                actual: false
            })
        );
        assert_eq!(
            make_sample(b, 0.5, Value("1"), NotConfigured, Value("true")),
            Ok(Sample::Binary {
                predicted: true,
                score: 1.0,
                actual: true
            })
        );
        let kind = |r: Result<Sample, SampleError>| r.unwrap_err().kind();
        assert_eq!(
            kind(make_sample(b, 0.5, Value("1"), Missing, Value("1"))),
            "missing_probability"
        );
        assert_eq!(
            kind(make_sample(b, 0.5, Value("1"), Value("x"), Value("1"))),
            "invalid_probability"
        );
        assert_eq!(
            kind(make_sample(b, 0.5, Value("0.3"), NotConfigured, Value("1"))),
            "invalid_prediction"
        );
        assert_eq!(
            kind(make_sample(b, 0.5, Value("1"), NotConfigured, Value("abc"))),
            "non_numeric_label"
        );
        assert_eq!(
            kind(make_sample(b, 0.5, Value("1"), NotConfigured, Value("2"))),
            "invalid_label"
        );
        assert_eq!(
            kind(make_sample(b, 0.5, Value("1"), NotConfigured, Value(" "))),
            "missing_label"
        );
        assert_eq!(
            kind(make_sample(b, 0.5, Missing, NotConfigured, Value("1"))),
            "missing_prediction"
        );
        let r = ProblemType::Regression;
        assert_eq!(
            kind(make_sample(r, 0.5, Value("NaN"), NotConfigured, Value("1"))),
            "invalid_prediction"
        );
        let m = ProblemType::MulticlassClassification;
        assert_eq!(
            make_sample(m, 0.5, Value("2.0"), NotConfigured, Value(" cat ")),
            Ok(Sample::Multiclass {
                predicted: "2".into(),
                actual: "cat".into()
            })
        );
        assert_eq!(canonical_class("-0"), Some("0".into()));
        assert_eq!(canonical_class("1.5"), Some("1.5".into()));
        assert_eq!(canonical_class("1e20"), Some("1e20".into()));
    }

    #[test]
    fn class_order_numeric_then_text() {
        let mut v: Vec<String> = ["10", "2", "1"].iter().map(|s| s.to_string()).collect();
        sort_classes(&mut v);
        assert_eq!(v, ["1", "2", "10"]);
        let mut v: Vec<String> = ["b", "10", "a"].iter().map(|s| s.to_string()).collect();
        sort_classes(&mut v);
        assert_eq!(v, ["10", "a", "b"]);
    }

    #[test]
    fn std_dev_nan_below_200_and_deterministic_above() {
        let mut small = Observations::new(ProblemType::Regression);
        let mut big = Observations::new(ProblemType::Regression);
        for i in 0..250 {
            let s = Sample::Regression {
                predicted: (i % 7) as f64,
                actual: (i % 5) as f64,
            };
            if i < 199 {
                small.push(s.clone()).unwrap();
            }
            big.push(s).unwrap();
        }
        let o = StdDevOptions::default();
        let sec = metrics_section(&small, &o).unwrap();
        assert_eq!(sec["mae"]["standard_deviation"], json!("NaN"));
        let a = metrics_section(&big, &o).unwrap();
        let b = metrics_section(&big, &o).unwrap();
        assert_eq!(a, b);
        let sd = a["mae"]["standard_deviation"].as_f64().unwrap();
        assert!(sd > 0.0 && sd < 0.2, "{sd}");
        // Exactly 200 samples get a standard deviation.
        let mut at = Observations::new(ProblemType::Regression);
        at.merge(&big.subset(&(0..200).collect::<Vec<_>>()))
            .unwrap();
        assert!(metrics_section(&at, &o).unwrap()["r2"]["standard_deviation"].is_f64());
        // Draws: 5 sorted lists of 160 distinct indices.
        let d = draw_indices(200, &o);
        assert_eq!(d.len(), 5);
        for idx in &d {
            assert_eq!(idx.len(), 160);
            assert!(idx.windows(2).all(|w| w[0] < w[1]));
        }
        assert_ne!(d[0], d[1]);
    }

    #[test]
    fn sample_std_is_n_minus_1() {
        assert_eq!(sample_std(&[1.0, 2.0, 3.0, 4.0, 5.0]), 2.5f64.sqrt());
        assert!(sample_std(&[1.0]).is_nan());
    }

    #[test]
    fn statistics_format_and_order() {
        let mut obs = Observations::new(ProblemType::BinaryClassification);
        for (p, s, a) in [(0, 0.1, 0), (1, 0.6, 0), (1, 0.7, 0), (1, 0.9, 1)] {
            obs.push(Sample::Binary {
                predicted: p == 1,
                score: s,
                actual: a == 1,
            })
            .unwrap();
        }
        let st = statistics(&obs, &StdDevOptions::default()).unwrap();
        let keys: Vec<&String> = st
            .binary_classification_metrics
            .as_ref()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            keys,
            [
                "confusion_matrix",
                "recall",
                "precision",
                "accuracy",
                "recall_best_constant_classifier",
                "precision_best_constant_classifier",
                "accuracy_best_constant_classifier",
                "true_positive_rate",
                "true_negative_rate",
                "false_positive_rate",
                "false_negative_rate",
                "receiver_operating_characteristic_curve",
                "precision_recall_curve",
                "auc",
                "f0_5",
                "f1",
                "f2",
                "f0_5_best_constant_classifier",
                "f1_best_constant_classifier",
                "f2_best_constant_classifier"
            ]
        );
        let text = to_jackson(&st).unwrap();
        assert!(text.starts_with(
            "{\n  \"version\" : 0.0,\n  \"dataset\" : {\n    \"item_count\" : 4\n  },\n  \"binary_classification_metrics\" : {\n    \"confusion_matrix\" : {\n      \"0\" : {\n        \"0\" : 1,\n        \"1\" : 2\n      },"
        ), "{text}");
        assert!(text.contains(
            "\"recall\" : {\n      \"value\" : 1.0,\n      \"standard_deviation\" : \"NaN\"\n    },"
        ));
        assert!(text.contains("\"true_negative_rate\" : {\n      \"value\" : 0.33333333333333337,"));
        // It reads back.
        let back = parse_statistics(text.as_bytes()).unwrap();
        assert_eq!(back, st);
        // Empty observations are an error, not metrics of nothing.
        assert_eq!(
            statistics(
                &Observations::new(ProblemType::Regression),
                &StdDevOptions::default()
            ),
            Err(ModelQualityError::NoSamples)
        );
    }

    #[test]
    fn merge_and_mismatch() {
        let mut a = Observations::new(ProblemType::MulticlassClassification);
        a.push(Sample::Multiclass {
            predicted: "x".into(),
            actual: "y".into(),
        })
        .unwrap();
        let mut b = Observations::new(ProblemType::MulticlassClassification);
        b.push(Sample::Multiclass {
            predicted: "y".into(),
            actual: "z".into(),
        })
        .unwrap();
        a.merge(&b).unwrap();
        let pairs: Vec<(&str, &str)> = a.multiclass().collect();
        assert_eq!(pairs, [("x", "y"), ("y", "z")]);
        assert!(matches!(
            a.push(Sample::Regression {
                predicted: 1.0,
                actual: 1.0
            }),
            Err(ModelQualityError::ProblemMismatch { .. })
        ));
        assert!(a
            .merge(&Observations::new(ProblemType::Regression))
            .is_err());
    }

    #[test]
    fn constraints_and_violations() {
        let stats = parse_statistics(
            br#"{"version":0.0,"dataset":{"item_count":3},"regression_metrics":{
                "mae":{"value":0.5,"standard_deviation":"NaN"},
                "mse":{"value":0.33364933609800973,"standard_deviation":"NaN"},
                "rmse":{"value":0.6,"standard_deviation":"NaN"},
                "r2":{"value":"NaN","standard_deviation":"NaN"}}}"#,
        )
        .unwrap();
        let sug = suggest_constraints(&stats, ProblemType::Regression).unwrap();
        let names: Vec<&str> = sug
            .regression_constraints
            .as_ref()
            .unwrap()
            .iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(names, ["mae", "mse", "rmse"]); // r2 is NaN: no constraint
        let cons = parse_constraints(
            br#"{"version":0.0,"regression_constraints":{
                "mae":{"threshold":0.5,"comparison_operator":"GreaterThanOrEqualToThreshold"},
                "mse":{"threshold":0.03364933609800973,"comparison_operator":"GreaterThanThreshold"},
                "rmse":{"threshold":0.6,"comparison_operator":"LessThanOrEqualToThreshold"},
                "r2":{"threshold":0.1,"comparison_operator":"LessThanThreshold"},
                "gini":{"threshold":0.1,"comparison_operator":"LessThanThreshold"}}}"#,
        )
        .unwrap();
        let ev = evaluate(&stats, &cons, ProblemType::Regression).unwrap();
        let v: Vec<(&str, &str)> = ev
            .violations
            .violations
            .iter()
            .map(|v| {
                (
                    v.metric_name.as_deref().unwrap(),
                    v.constraint_check_type.as_str(),
                )
            })
            .collect();
        assert_eq!(
            v,
            [
                ("mae", "GreaterThanOrEqualToThreshold"),
                ("mse", "GreaterThanThreshold"),
                ("rmse", "LessThanOrEqualToThreshold")
            ]
        );
        assert_eq!(
            ev.violations.violations[1].description,
            "Metric mse with 0.33364933609800973 was GreaterThanThreshold 0.03364933609800973"
        );
        assert_eq!(ev.checks.len(), 5);
        assert_eq!(ev.checks[3].note.as_deref(), Some("metric value is NaN"));
        assert_eq!(
            ev.checks[4].note.as_deref(),
            Some("metric not in the statistics")
        );
        // Wrong section, bad operator.
        assert!(matches!(
            evaluate(&stats, &cons, ProblemType::BinaryClassification),
            Err(ModelQualityError::MissingConstraints { .. })
        ));
        let bad = parse_constraints(
            br#"{"regression_constraints":{"mae":{"threshold":1,"comparison_operator":"Above"}}}"#,
        )
        .unwrap();
        let e = evaluate(&stats, &bad, ProblemType::Regression).unwrap_err();
        assert!(e.to_string().contains("Above"), "{e}");
        // Operators.
        for (op, v, t, want) in [
            ("GreaterThanThreshold", 1.0, 1.0, false),
            ("GreaterThanOrEqualToThreshold", 1.0, 1.0, true),
            ("LessThanThreshold", 0.5, 1.0, true),
            ("lessthanorequaltothreshold", 1.5, 1.0, false),
        ] {
            assert_eq!(Operator::parse(op).unwrap().holds(v, t), want, "{op}");
        }
        assert!(!Operator::LessThanThreshold.holds(f64::NAN, 1.0));
    }

    // ----- scikit-learn oracle -----------------------------------------------------------

    fn oracle() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/oracle/model_quality_reference.json"
        );
        let text = std::fs::read_to_string(path)
            .expect("oracle/model_quality_reference.json (run gen_model_quality.py)");
        serde_json::from_str(&text).unwrap()
    }

    fn close(got: f64, want: f64, what: &str) {
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{what}: got {got}, sklearn {want}"
        );
    }

    fn close_vec(got: &[f64], want: &Value, what: &str) {
        let want: Vec<f64> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(got.len(), want.len(), "{what}: lengths");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            close(*g, *w, &format!("{what}[{i}]"));
        }
    }

    fn f(v: &Value, k: &str) -> f64 {
        v[k].as_f64()
            .unwrap_or_else(|| panic!("oracle value {k} missing"))
    }

    #[test]
    fn binary_matches_sklearn() {
        let o = oracle();
        let cases = o["binary"].as_array().unwrap();
        assert!(cases.len() >= 2);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let scores = case["scores"].as_array().unwrap();
            let preds = case["predicted"].as_array().unwrap();
            let labels = case["labels"].as_array().unwrap();
            let obs: Vec<BinaryObservation> = scores
                .iter()
                .zip(preds)
                .zip(labels)
                .map(|((s, p), l)| BinaryObservation {
                    score: s.as_f64().unwrap(),
                    predicted: p.as_u64().unwrap() == 1,
                    actual: l.as_u64().unwrap() == 1,
                })
                .collect();
            let m = binary_metrics(&obs);
            let e = &case["expected"];
            let cm: Vec<Vec<u64>> = serde_json::from_value(e["confusion_matrix"].clone()).unwrap();
            assert_eq!(
                m.confusion.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
                cm
            );
            for (k, got) in [
                ("accuracy", m.accuracy),
                ("precision", m.precision),
                ("recall", m.recall),
                ("f0_5", m.f0_5),
                ("f1", m.f1),
                ("f2", m.f2),
                ("auc", m.auc),
                ("true_positive_rate", m.true_positive_rate),
                ("true_negative_rate", m.true_negative_rate),
                ("false_positive_rate", m.false_positive_rate),
                ("false_negative_rate", m.false_negative_rate),
                (
                    "accuracy_best_constant_classifier",
                    m.accuracy_best_constant_classifier,
                ),
                (
                    "precision_best_constant_classifier",
                    m.precision_best_constant_classifier,
                ),
                (
                    "recall_best_constant_classifier",
                    m.recall_best_constant_classifier,
                ),
                (
                    "f0_5_best_constant_classifier",
                    m.f0_5_best_constant_classifier,
                ),
                ("f1_best_constant_classifier", m.f1_best_constant_classifier),
                ("f2_best_constant_classifier", m.f2_best_constant_classifier),
            ] {
                close(got, f(e, k), &format!("{name}.{k}"));
            }
            // ROC: sklearn's roc_curve(drop_intermediate=False) + the final (1, 1).
            let n = m.roc_false_positive_rates.len();
            assert_eq!(m.roc_false_positive_rates[n - 1], 1.0);
            assert_eq!(m.roc_true_positive_rates[n - 1], 1.0);
            close_vec(&m.roc_false_positive_rates[..n - 1], &e["roc_fpr"], name);
            close_vec(&m.roc_true_positive_rates[..n - 1], &e["roc_tpr"], name);
            // PR: sklearn's precision_recall_curve reversed; the first precision is Spark's.
            let mut sk_p: Vec<f64> = serde_json::from_value(e["pr_precision"].clone()).unwrap();
            let mut sk_r: Vec<f64> = serde_json::from_value(e["pr_recall"].clone()).unwrap();
            sk_p.reverse();
            sk_r.reverse();
            assert_eq!(sk_r[0], 0.0);
            sk_p[0] = m.pr_precisions[1];
            close_vec(&m.pr_precisions, &json!(sk_p), name);
            close_vec(&m.pr_recalls, &json!(sk_r), name);
            // The area under our ROC curve is sklearn's trapezoid too.
            close(m.auc, f(e, "auc_trapz"), &format!("{name}.auc_trapz"));
        }
    }

    #[test]
    fn multiclass_matches_sklearn() {
        let o = oracle();
        for case in o["multiclass"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let preds: Vec<String> = serde_json::from_value(case["predicted"].clone()).unwrap();
            let labels: Vec<String> = serde_json::from_value(case["labels"].clone()).unwrap();
            let m = multiclass_metrics(
                preds
                    .iter()
                    .map(String::as_str)
                    .zip(labels.iter().map(String::as_str)),
            );
            let e = &case["expected"];
            let classes: Vec<String> = serde_json::from_value(e["classes"].clone()).unwrap();
            assert_eq!(m.classes, classes, "{name}");
            let cm: Vec<Vec<u64>> = serde_json::from_value(e["confusion_matrix"].clone()).unwrap();
            assert_eq!(m.confusion, cm, "{name}");
            assert_eq!(
                m.best_constant_class.as_deref(),
                e["best_constant_class"].as_str(),
                "{name}"
            );
            for (k, got) in [
                ("accuracy", m.accuracy),
                ("weighted_recall", m.weighted_recall),
                ("weighted_precision", m.weighted_precision),
                ("weighted_f0_5", m.weighted_f0_5),
                ("weighted_f1", m.weighted_f1),
                ("weighted_f2", m.weighted_f2),
                (
                    "accuracy_best_constant_classifier",
                    m.accuracy_best_constant_classifier,
                ),
                (
                    "weighted_recall_best_constant_classifier",
                    m.weighted_recall_best_constant_classifier,
                ),
                (
                    "weighted_precision_best_constant_classifier",
                    m.weighted_precision_best_constant_classifier,
                ),
                (
                    "weighted_f0_5_best_constant_classifier",
                    m.weighted_f0_5_best_constant_classifier,
                ),
                (
                    "weighted_f1_best_constant_classifier",
                    m.weighted_f1_best_constant_classifier,
                ),
                (
                    "weighted_f2_best_constant_classifier",
                    m.weighted_f2_best_constant_classifier,
                ),
            ] {
                close(got, f(e, k), &format!("{name}.{k}"));
            }
        }
    }

    #[test]
    fn regression_matches_sklearn() {
        let o = oracle();
        for case in o["regression"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let preds: Vec<f64> = serde_json::from_value(case["predicted"].clone()).unwrap();
            let labels: Vec<f64> = serde_json::from_value(case["labels"].clone()).unwrap();
            let obs: Vec<RegressionObservation> = preds
                .iter()
                .zip(&labels)
                .map(|(&p, &a)| RegressionObservation {
                    predicted: p,
                    actual: a,
                })
                .collect();
            let m = regression_metrics(&obs);
            let e = &case["expected"];
            close(m.mae, f(e, "mae"), &format!("{name}.mae"));
            close(m.mse, f(e, "mse"), &format!("{name}.mse"));
            close(m.rmse, f(e, "rmse"), &format!("{name}.rmse"));
            close(m.r2, f(e, "r2"), &format!("{name}.r2"));
        }
    }

    #[test]
    fn problem_types_name_their_metrics() {
        for pt in ProblemType::ALL {
            assert_eq!(ProblemType::parse(pt.as_str()), Some(pt));
            assert!(
                pt.dashboard_metrics()
                    .iter()
                    .all(|m| pt.all_metrics().contains(m)),
                "{pt}"
            );
        }
        assert_eq!(
            ProblemType::parse(" multiclass "),
            Some(ProblemType::MulticlassClassification)
        );
        assert_eq!(
            ProblemType::Regression.dashboard_metrics(),
            &["mae", "rmse", "r2"]
        );
    }
}
