//! [`Observations`]: every sample of a window or a baseline dataset, in arrival order and in
//! compact form (class indices into a shared table), mergeable by appending.

use std::collections::HashMap;

use super::*;

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
    pub(super) problem: ProblemType,
    pub(super) binary: Vec<BinaryObservation>,
    pub(super) regression: Vec<RegressionObservation>,
    pub(super) class_names: Vec<String>,
    class_index: HashMap<String, u32>,
    /// (predicted, actual) class indices.
    pub(super) multiclass: Vec<(u32, u32)>,
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

    pub(super) fn intern(&mut self, class: &str) -> u32 {
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
    pub(super) fn subset(&self, idx: &[usize]) -> Observations {
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
