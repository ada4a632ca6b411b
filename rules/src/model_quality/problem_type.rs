//! SageMaker's `problem_type`: its spellings, the `statistics.json` and `constraints.json`
//! sections it selects, and the metrics published and shown on dashboards for it.

use std::fmt;

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
