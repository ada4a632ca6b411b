//! driftmon's own drift thresholds (beyond SageMaker's `monitoring_config`).
//!
//! SageMaker's checks take their thresholds from `constraints.json`. driftmon's extra drift
//! measures (PSI, KS, chi-square) take theirs from here; the defaults are chosen so that a large
//! window drawn from the baseline's own distribution never fires, because every drift verdict
//! needs **both** an effect size over its threshold **and** a significant test after a
//! correction across features.

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
