//! driftmon's own drift thresholds (beyond SageMaker's `monitoring_config`).
//!
//! SageMaker's checks take their thresholds from `constraints.json`. driftmon's extra drift
//! measures (PSI, KS, chi-square) take theirs from here; the defaults are chosen so that a large
//! window drawn from the baseline's own distribution never fires, because every drift verdict
//! needs **both** an effect size over its threshold **and** a significant test after a
//! correction across features.
//!
//! One validation of these settings for every front end (CLI flags, the TOML configuration, the
//! Lambda's event): [`DriftConfig::validate`], [`ModelQualityConfig::validate`] and the string
//! parsers [`parse_correction`] and [`parse_problem_type`] return [`SettingProblem`]s (a field and
//! a message) instead of stopping at the first, so that a caller can report them all with its
//! own path in front (`monitor[0].drift.alpha: 5 must be in (0, 1]`).

use std::fmt;

use crate::model_quality::ProblemType;

/// Multiple-testing correction across the features of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    /// No correction.
    None,
    /// Bonferroni: p × m (family-wise error rate).
    Bonferroni,
    /// Benjamini–Hochberg step-up (false discovery rate).
    BenjaminiHochberg,
}

impl Correction {
    /// Parses `none`, `bonferroni`, `bh`.
    pub fn parse(s: &str) -> Option<Correction> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Some(Correction::None),
            "bonferroni" => Some(Correction::Bonferroni),
            "bh" | "benjamini-hochberg" | "fdr" => Some(Correction::BenjaminiHochberg),
            _ => None,
        }
    }

    /// The spelling used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Correction::None => "none",
            Correction::Bonferroni => "bonferroni",
            Correction::BenjaminiHochberg => "benjamini-hochberg",
        }
    }
}

/// Thresholds of driftmon's own drift checks.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftConfig {
    /// Compute and check PSI.
    pub psi_enabled: bool,
    /// PSI effect-size threshold (violation when PSI is greater). 0.25 is the customary
    /// "significant shift" level; 0.1–0.25 is "moderate".
    pub psi_threshold: f64,
    /// Number of baseline-quantile bins for numeric PSI.
    pub psi_bins: usize,
    /// Additive ε applied to both sides' bin proportions.
    pub psi_epsilon: f64,
    /// Compute and check the two-sample KS test (numeric features).
    pub ks_enabled: bool,
    /// KS effect-size threshold on D.
    pub ks_threshold: f64,
    /// Compute and check the chi-square test (categorical features).
    pub chi_square_enabled: bool,
    /// Cramér's V effect-size threshold for chi-square.
    pub cramers_v_threshold: f64,
    /// Significance level, applied after the correction.
    pub alpha: f64,
    /// Correction across features.
    pub correction: Correction,
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            psi_enabled: true,
            psi_threshold: 0.25,
            psi_bins: 10,
            psi_epsilon: 1e-4,
            ks_enabled: true,
            ks_threshold: 0.1,
            chi_square_enabled: true,
            cramers_v_threshold: 0.1,
            alpha: 0.05,
            correction: Correction::BenjaminiHochberg,
        }
    }
}

/// A setting outside its range: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingProblem {
    /// The setting's name as the TOML configuration spells it (`alpha`, `psi_bins`, …), or
    /// `None` when the problem is about the settings together (a missing attribute).
    pub field: Option<&'static str>,
    /// What is wrong, e.g. `5 must be in (0, 1]`.
    pub message: String,
}

impl SettingProblem {
    fn new(field: Option<&'static str>, message: impl Into<String>) -> Self {
        SettingProblem {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for SettingProblem {
    /// `field: message`, or the message alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl DriftConfig {
    /// Every setting outside its range, in field order: `psi_threshold` positive,
    /// `psi_epsilon` in (0, 0.1], `ks_threshold`, `cramers_v_threshold` and `alpha` in (0, 1]
    /// (all finite), `psi_bins` 2–1000. Empty when the configuration is usable.
    pub fn validate(&self) -> Vec<SettingProblem> {
        let mut out = Vec::new();
        let mut positive = |field: &'static str, x: f64, max: Option<f64>| {
            let ok = x.is_finite() && x > 0.0 && max.is_none_or(|m| x <= m);
            if !ok {
                let range = match max {
                    Some(m) => format!("in (0, {m}]"),
                    None => "positive".to_owned(),
                };
                out.push(SettingProblem::new(
                    Some(field),
                    format!("{x} must be {range}"),
                ));
            }
        };
        positive("psi_threshold", self.psi_threshold, None);
        positive("psi_epsilon", self.psi_epsilon, Some(0.1));
        positive("ks_threshold", self.ks_threshold, Some(1.0));
        positive("cramers_v_threshold", self.cramers_v_threshold, Some(1.0));
        positive("alpha", self.alpha, Some(1.0));
        if !(2..=1000).contains(&self.psi_bins) {
            out.push(SettingProblem::new(
                Some("psi_bins"),
                format!("{} must be 2–1000", self.psi_bins),
            ));
        }
        out
    }
}

/// Parses the `correction` setting ([`Correction::parse`]).
pub fn parse_correction(s: &str) -> Result<Correction, SettingProblem> {
    Correction::parse(s).ok_or_else(|| {
        SettingProblem::new(
            Some("correction"),
            format!("`{s}` is not one of none, bonferroni, bh"),
        )
    })
}

/// Parses the `problem_type` setting ([`ProblemType::parse`]).
pub fn parse_problem_type(s: &str) -> Result<ProblemType, SettingProblem> {
    ProblemType::parse(s).ok_or_else(|| {
        SettingProblem::new(
            Some("problem_type"),
            format!(
                "`{s}` is not one of BinaryClassification, MulticlassClassification, Regression"
            ),
        )
    })
}

/// The model-quality settings that are checked together: the problem type, which attributes
/// are given, and the probability threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelQualityConfig {
    /// The problem type.
    pub problem_type: ProblemType,
    /// Whether `inference_attribute` is given.
    pub has_inference_attribute: bool,
    /// Whether `probability_attribute` is given.
    pub has_probability_attribute: bool,
    /// `probability_threshold`, when given.
    pub probability_threshold: Option<f64>,
}

impl ModelQualityConfig {
    /// Every problem: a non-finite `probability_threshold`; a binary classification without
    /// `inference_attribute` and `probability_attribute`; another type without
    /// `inference_attribute`.
    pub fn validate(&self) -> Vec<SettingProblem> {
        let mut out = Vec::new();
        if let Some(t) = self.probability_threshold {
            if !t.is_finite() {
                out.push(SettingProblem::new(
                    Some("probability_threshold"),
                    "must be a finite number",
                ));
            }
        }
        match self.problem_type {
            ProblemType::BinaryClassification => {
                if !self.has_inference_attribute && !self.has_probability_attribute {
                    out.push(SettingProblem::new(
                        None,
                        "BinaryClassification needs `inference_attribute` or \
                         `probability_attribute`",
                    ));
                }
            }
            pt => {
                if !self.has_inference_attribute {
                    out.push(SettingProblem::new(
                        None,
                        format!("{pt} needs `inference_attribute`"),
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(d: DriftConfig) -> Vec<String> {
        d.validate().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(DriftConfig::default().validate(), vec![]);
    }

    #[test]
    fn each_drift_setting_has_its_range() {
        let d = DriftConfig::default;
        let cases: Vec<(DriftConfig, &str)> = vec![
            (
                DriftConfig {
                    psi_threshold: 0.0,
                    ..d()
                },
                "psi_threshold: 0 must be positive",
            ),
            (
                DriftConfig {
                    psi_threshold: -1.5,
                    ..d()
                },
                "psi_threshold: -1.5 must be positive",
            ),
            (
                DriftConfig {
                    psi_threshold: f64::INFINITY,
                    ..d()
                },
                "psi_threshold: inf must be positive",
            ),
            (
                DriftConfig {
                    psi_epsilon: 0.2,
                    ..d()
                },
                "psi_epsilon: 0.2 must be in (0, 0.1]",
            ),
            (
                DriftConfig {
                    psi_epsilon: 0.0,
                    ..d()
                },
                "psi_epsilon: 0 must be in (0, 0.1]",
            ),
            (
                DriftConfig {
                    ks_threshold: 1.5,
                    ..d()
                },
                "ks_threshold: 1.5 must be in (0, 1]",
            ),
            (
                DriftConfig {
                    cramers_v_threshold: f64::NAN,
                    ..d()
                },
                "cramers_v_threshold: NaN must be in (0, 1]",
            ),
            (
                DriftConfig { alpha: 5.0, ..d() },
                "alpha: 5 must be in (0, 1]",
            ),
            (
                DriftConfig { alpha: 0.0, ..d() },
                "alpha: 0 must be in (0, 1]",
            ),
            (
                DriftConfig { psi_bins: 1, ..d() },
                "psi_bins: 1 must be 2–1000",
            ),
            (
                DriftConfig {
                    psi_bins: 1001,
                    ..d()
                },
                "psi_bins: 1001 must be 2–1000",
            ),
        ];
        for (c, want) in cases {
            assert_eq!(problems(c), vec![want.to_owned()]);
        }
        // The edges are inside.
        let edges = DriftConfig {
            psi_epsilon: 0.1,
            ks_threshold: 1.0,
            cramers_v_threshold: 1.0,
            alpha: 1.0,
            psi_bins: 2,
            ..d()
        };
        assert_eq!(problems(edges), Vec::<String>::new());
        assert_eq!(
            problems(DriftConfig {
                psi_bins: 1000,
                ..d()
            }),
            Vec::<String>::new()
        );
    }

    #[test]
    fn all_drift_problems_are_reported_in_field_order() {
        let c = DriftConfig {
            psi_bins: 0,
            alpha: 2.0,
            psi_threshold: -1.0,
            ..DriftConfig::default()
        };
        let fields: Vec<_> = c.validate().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec![Some("psi_threshold"), Some("alpha"), Some("psi_bins")]
        );
    }

    #[test]
    fn correction_and_problem_type_spellings() {
        assert_eq!(parse_correction("BH"), Ok(Correction::BenjaminiHochberg));
        assert_eq!(
            parse_correction("holm").unwrap_err().to_string(),
            "correction: `holm` is not one of none, bonferroni, bh"
        );
        assert_eq!(
            parse_problem_type("binary"),
            Ok(ProblemType::BinaryClassification)
        );
        assert_eq!(
            parse_problem_type("ranking").unwrap_err().to_string(),
            "problem_type: `ranking` is not one of BinaryClassification, MulticlassClassification, Regression"
        );
    }

    #[test]
    fn model_quality_settings_go_together() {
        let mq = |problem_type, inf, prob, probability_threshold| {
            ModelQualityConfig {
                problem_type,
                has_inference_attribute: inf,
                has_probability_attribute: prob,
                probability_threshold,
            }
            .validate()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
        };
        use ProblemType::*;
        assert_eq!(
            mq(BinaryClassification, false, true, Some(0.7)),
            Vec::<String>::new()
        );
        assert_eq!(
            mq(BinaryClassification, true, false, None),
            Vec::<String>::new()
        );
        assert_eq!(mq(Regression, true, false, None), Vec::<String>::new());
        assert_eq!(
            mq(BinaryClassification, false, false, Some(f64::NAN)),
            vec![
                "probability_threshold: must be a finite number",
                "BinaryClassification needs `inference_attribute` or `probability_attribute`"
            ]
        );
        assert_eq!(
            mq(MulticlassClassification, false, true, None),
            vec!["MulticlassClassification needs `inference_attribute`"]
        );
        assert_eq!(
            mq(Regression, false, false, Some(f64::INFINITY)),
            vec![
                "probability_threshold: must be a finite number",
                "Regression needs `inference_attribute`"
            ]
        );
    }
}
