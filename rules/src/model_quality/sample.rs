//! One row's raw texts (prediction, probability, label) to a typed [`Sample`], with the
//! number, class-label and binary rules of the module documentation, and the counted
//! [`SampleError`] kinds.

use std::fmt;

use super::*;

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
