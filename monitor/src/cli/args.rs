//! Flags and conversions shared by several commands: the drift thresholds, the model-quality
//! analyzer options, RFC 3339 times.

use driftmon_baseline::capture::parse_timestamp_ms;
use driftmon_rules::config::{Correction, DriftConfig};

/// The drift thresholds (`driftmon run` and `driftmon merge`).
#[derive(clap::Args)]
pub(crate) struct DriftArgs {
    /// PSI threshold (effect size).
    #[arg(long, default_value_t = DriftConfig::default().psi_threshold)]
    pub(crate) psi_threshold: f64,
    /// KS statistic threshold (effect size).
    #[arg(long, default_value_t = DriftConfig::default().ks_threshold)]
    pub(crate) ks_threshold: f64,
    /// Cramér's V threshold for the chi-square test (effect size).
    #[arg(long, default_value_t = DriftConfig::default().cramers_v_threshold)]
    pub(crate) cramers_v_threshold: f64,
    /// Significance level after the correction.
    #[arg(long, default_value_t = DriftConfig::default().alpha)]
    pub(crate) alpha: f64,
    /// Correction across features: none, bonferroni, bh.
    #[arg(long, default_value = "bh")]
    pub(crate) correction: String,
}

/// The drift settings of the flags.
pub(crate) fn drift_config(a: &DriftArgs) -> anyhow::Result<DriftConfig> {
    let d = DriftConfig {
        psi_threshold: a.psi_threshold,
        ks_threshold: a.ks_threshold,
        cramers_v_threshold: a.cramers_v_threshold,
        alpha: a.alpha,
        correction: Correction::parse(&a.correction).ok_or_else(|| {
            anyhow::anyhow!(
                "--correction {}: expected none, bonferroni or bh",
                a.correction
            )
        })?,
        ..DriftConfig::default()
    };
    // The same validation as the TOML configuration's (rules::config).
    let problems: Vec<String> = d
        .validate()
        .into_iter()
        .map(|p| match p.field {
            Some(f) => format!("--{}: {}", f.replace('_', "-"), p.message),
            None => p.message,
        })
        .collect();
    if !problems.is_empty() {
        anyhow::bail!("{}", problems.join("; "));
    }
    Ok(d)
}

/// The model-quality analyzer options of the flags.
pub(crate) fn mq_options(
    problem_type: &str,
    inference: Option<&str>,
    probability: Option<&str>,
    threshold: Option<f64>,
) -> anyhow::Result<crate::monitors::model_quality::ModelQualityOptions> {
    use crate::monitors::model_quality::{Attribute, ModelQualityOptions};
    let pt = driftmon_rules::model_quality::ProblemType::parse(problem_type).ok_or_else(|| {
        anyhow::anyhow!(
            "--problem-type {problem_type}: expected BinaryClassification, MulticlassClassification or Regression"
        )
    })?;
    let mut o = ModelQualityOptions::new(pt, inference.map(Attribute::parse));
    o.probability_attribute = probability.map(Attribute::parse);
    o.probability_threshold = threshold;
    Ok(o)
}

/// An RFC 3339 flag value in ms since the epoch, or an error naming the flag.
pub(crate) fn time_flag(s: &str, what: &str) -> anyhow::Result<i64> {
    parse_timestamp_ms(s).ok_or_else(|| anyhow::anyhow!("--{what} {s:?} is not an RFC 3339 time"))
}
